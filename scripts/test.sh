#!/usr/bin/env bash
# make test: start throwaway PostgreSQL, redis-server and stripe-mock on free
# ports, check the web app (scripts/web.sh check: API types, build, type check, unit tests),
# install Debian's chromium and CJK fonts for the browser journeys if missing, check
# generated code (sqlc diff), go vet, golangci-lint (.golangci.yml), then go test.
#
# Exports for the tests:
#   TEST_DATABASE_URL  superuser URL to the `postgres` database of the cluster
#   TEST_APP_USER / TEST_APP_PASSWORD  aftersales_api (member of aftersales_app)
#   TEST_REDIS_URL     redis://127.0.0.1:PORT/0
#   STRIPE_MOCK_URL    http://127.0.0.1:PORT
#   CHROMIUM_PATH      the browser of the journeys (web/console/journey_test.go)
#   TEST_CITUS_*       a three-node Citus cluster, when the packages include ./deploy
#                      (scripts/citus.sh; CITUS=0 skips it locally, never in CI)
#   LINT=0             skips golangci-lint in a narrow local run (make lint runs it; CI always does)
# Extra `go test` flags: TEST_ARGS (whitespace-separated) and/or script arguments.
# Packages: TEST_PKGS (default ./...). KEEP_TEST_TMP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/citus.sh

trap 'stop_citus_cluster; cleanup_test_env' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r -a test_args <<<"${TEST_ARGS:-}"
read -r -a test_pkgs <<<"${TEST_PKGS:-./...}"
with_citus=0
if citus_wanted && citus_needed "${test_pkgs[@]}"; then
    with_citus=1
    # Before any server starts: Citus's build dependencies (postgresql-server-dev-15) may
    # upgrade the installed PostgreSQL, and a server started before the upgrade would then
    # fail to load its own libraries (plpgsql.so of the newer minor version).
    add_go_bin_to_path
    ensure_postgres
    ensure_citus
fi

start_test_env

if [[ $with_citus == 1 ]]; then
    citus_setup_start
elif [[ ${CITUS:-} == 0 ]]; then
    log "CITUS=0: the Citus suite (./deploy) is skipped"
fi

if [[ ${CHECKS:-1} == 0 ]]; then
    section "CHECKS=0: web app build only (scripts/web.sh build); no type check, unit tests, sqlc diff, go vet or lint"
    bash scripts/web.sh build
    LINT=0
else
    section "Web app: API types, build and type check, unit tests (scripts/web.sh check)"
    bash scripts/web.sh check
fi

section "Browser for the journeys (web/console)"
ensure_apt_pkgs chromium fonts-noto-cjk
CHROMIUM_PATH=$(command -v chromium) || die "chromium not found after installing it"
export CHROMIUM_PATH
log "chromium: $CHROMIUM_PATH"

if [[ ${CHECKS:-1} == 1 ]]; then
    section "sqlc diff (generated code must be up to date)"
    if ! sqlc diff; then
        die "generated code is stale: run 'make generate' and commit the result"
    fi
    log "ok"

    section "go vet -tags chaos ./... (the chaos drills of make chaos included)"
    go vet -tags chaos ./... || die "go vet failed"
    log "ok"
fi

if [[ ${LINT:-1} == 1 ]]; then
    section "golangci-lint run ./... ($GOLANGCI_LINT_VERSION)"
    ensure_golangci_lint
    # --allow-serial-runners: another run on the machine holds the linter's lock: wait for it.
    run_child golangci-lint run --allow-serial-runners ./... || die "golangci-lint found problems (see above; make lint runs it alone)"
    log "ok"
else
    log "LINT=0: golangci-lint skipped (a narrow run while make lint is run apart; CI always lints)"
fi

citus_setup_wait

# -timeout: a package's tests may take longer than go test's 10 minutes on a busy machine
# (the browser journeys are one package); TEST_ARGS can still set its own.
section "go test -count=1 -p 2 -timeout 30m ${test_args[*]} $* ${test_pkgs[*]}"
status=0
run_child go test -count=1 -p 2 -timeout 30m "${test_args[@]}" "$@" "${test_pkgs[@]}" || status=$?

if [[ $status -eq 0 ]]; then
    section "PASS"
else
    show_log_tail "$TEST_TMP/pg/postgres.log" 20
    if [[ $CITUS_STARTED == 1 ]]; then show_log_tail "$TEST_TMP/citus-0/postgres.log" 20; fi
    section "FAIL (go test exit status $status)"
fi
exit "$status"
