#!/usr/bin/env bash
# make chaos: the chaos drills. In the throwaway environment of make test (PostgreSQL,
# redis-server, stripe-mock on loopback), builds the binary once and runs TestChaos
# (cmd/aftersales/chaos_test.go, build tag chaos): `aftersales serve` and `aftersales worker`
# as child processes, each drill breaking one thing under load with a time bound:
#
#   server-kill       kill -9 of the server under intake load
#   worker-kill       kill -9 of the worker with 1000 SLA clocks coming due
#   postgres-restart  PostgreSQL stopped (immediate) and started under load
#   redis-stopped     Redis killed and started again under load
#
# It prints a table of figures at the end; docs/operations.md ("Chaos drills") says what
# each drill checks and holds the latest figures. Not part of make test (a few minutes).
# CHAOS_ARGS: extra `go test` flags, split on whitespace (e.g. -run TestChaos/redis).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

trap cleanup_test_env EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_test_env
# The postgres-restart drill stops and starts this cluster (pg_ctl, with the options it
# was started with: data/postmaster.opts).
export CHAOS_PG_DATA=$PG_CLUSTER_DIR/data

section "Building the binary"
export AFTERSALES_BIN=$TEST_TMP/aftersales
go build -o "$AFTERSALES_BIN" ./cmd/aftersales
log "$AFTERSALES_BIN"

read -r -a chaos_args <<<"${CHAOS_ARGS:-}"
section "Chaos drills: go test -tags chaos -run '^TestChaos\$' ./cmd/aftersales/"
status=0
run_child go test -tags chaos -count=1 -timeout 8m -v -run '^TestChaos$' "${chaos_args[@]}" ./cmd/aftersales/ || status=$?
if [[ $status -eq 0 ]]; then
    section "PASS"
else
    show_log_tail "$TEST_TMP/pg/postgres.log" 20
    section "FAIL (go test exit status $status)"
fi
exit "$status"
