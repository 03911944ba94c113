# shellcheck shell=bash
# The Citus part of `make test` (and of `make bench BENCH_CITUS=1`): build Citus if it is not
# installed, start a three-node cluster (a coordinator and two workers) on free loopback
# ports, migrate and distribute the schema (deploy/citus.sql), and export its URLs.
# Source it after scripts/lib.sh; start_test_env has set PG_BIN and TEST_TMP.
#
# Variables:
#   CITUS=0     skip the cluster (allowed locally only; in CI, CI=true, it fails instead)
#   CITUS_SRC   directory holding citus-$CITUS_VERSION.tar.gz (default ../shared/citus)
#
# Exports for the tests (the cluster's `aftersales` database, migrated and distributed):
#   TEST_CITUS_URL      owner URL (aftersales, runs migrations and the distribution)
#   TEST_CITUS_APP_URL  application role URL (aftersales_api)
#   TEST_CITUS_SUPER_URL superuser URL, for the few checks that need it
#   TEST_CITUS_WORKERS  the workers' superuser URLs, space-separated

CITUS_VERSION=13.0.5
# Build dependencies of Citus on Debian (see ../shared/citus/README.md).
CITUS_BUILD_DEPS=(postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev
    libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev flex bison autoconf make gcc)

# citus_wanted: whether this run includes the Citus suite. CITUS=0 skips it outside CI.
citus_wanted() {
    if [[ ${CITUS:-1} == 0 ]]; then
        if [[ -n ${CI:-} && ${CI:-} != false ]]; then
            die "CITUS=0 is not allowed in CI: the Citus suite is part of make test"
        fi
        return 1
    fi
    return 0
}

# citus_needed PKG...: whether the go test packages include the Citus suite (./deploy).
citus_needed() {
    local p
    for p in "$@"; do
        case $p in
            ./... | ./deploy | ./deploy/ | ./deploy/... | deploy | deploy/... | */deploy) return 0 ;;
        esac
    done
    return 1
}

# ensure_citus: install Citus into this PostgreSQL unless $(pg_config --pkglibdir)/citus.so
# exists: the build dependencies via apt, then configure, make and make install from the
# source tarball. Any failure dies (so make test fails rather than skipping the suite).
ensure_citus() {
    local pg_config pkglib src tarball build
    pg_config=$PG_BIN/pg_config
    [[ -x $pg_config ]] || pg_config=$(command -v pg_config || true)
    if [[ -n $pg_config ]]; then
        pkglib=$("$pg_config" --pkglibdir)
        if [[ -f $pkglib/citus.so ]]; then
            log "Citus: $pkglib/citus.so"
            return 0
        fi
    fi
    src=${CITUS_SRC:-$REPO_ROOT/../shared/citus}
    tarball=$src/citus-$CITUS_VERSION.tar.gz
    [[ -f $tarball ]] ||
        die "Citus is not installed and its source $tarball is missing (set CITUS_SRC; locally CITUS=0 skips the Citus suite)"
    section "Building Citus $CITUS_VERSION (not installed; about 3.5 minutes)"
    ensure_apt_pkgs "${CITUS_BUILD_DEPS[@]}"
    pg_config=$PG_BIN/pg_config
    [[ -x $pg_config ]] || die "pg_config not found in $PG_BIN after installing postgresql-server-dev-15"
    build=$(mktemp -d /tmp/aftersales-citus-build.XXXXXX)
    tar -xzf "$tarball" -C "$build"
    (
        cd "$build/citus-$CITUS_VERSION"
        ./configure PG_CONFIG="$pg_config" >"$build/configure.log" 2>&1 ||
            { show_log_tail "$build/configure.log"; exit 1; }
        # with_llvm=no: no JIT bitcode (half the compile time; JIT inlining is not needed).
        make -j3 with_llvm=no >"$build/make.log" 2>&1 || { show_log_tail "$build/make.log"; exit 1; }
        as_root make install with_llvm=no >"$build/install.log" 2>&1 || { show_log_tail "$build/install.log"; exit 1; }
    ) || die "building Citus failed (logs in $build)"
    rm -rf "$build"
    pkglib=$("$pg_config" --pkglibdir)
    [[ -f $pkglib/citus.so ]] || die "Citus was built but $pkglib/citus.so is missing"
    log "Citus installed: $pkglib/citus.so"
}

# citus_psql PORT DATABASE [psql args...]: psql as the superuser over TCP (trust on
# loopback in the throwaway clusters).
citus_psql() {
    local port=$1 dbname=$2
    shift 2
    "$PG_BIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$dbname" "$@"
}

# Settings of every node. shared_preload_libraries and citus.propagate_set_commands = 'local'
# (which carries the tenant's SET LOCAL to the workers) are what the product needs (see
# docs/scale-out.md); the rest keeps the throwaway cluster quick: CITUS_SHARD_COUNT shards a
# table (default 8 rather than Citus's 32: a test's multi-shard statements run 8 tasks), no
# TLS between nodes on loopback, one connection a worker for a multi-shard statement (on
# loopback, opening more costs more than it saves; an aborted transaction cancels on each),
# worker connections kept for the session's next transaction, no fsync.
citus_node_settings() {
    printf '%s\n' -c shared_preload_libraries=citus -c citus.propagate_set_commands=local \
        -c "citus.shard_count=${CITUS_SHARD_COUNT:-8}" -c citus.node_conninfo=sslmode=disable \
        -c citus.max_adaptive_executor_pool_size=1 -c citus.max_cached_conns_per_worker=4 \
        -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
        -c max_connections=400 -c max_prepared_transactions=400
}

# start_citus_node N PORT: node N of the cluster in $TEST_TMP/citus-N, with the `aftersales`
# database and the extension in it.
start_citus_node() {
    local n=$1 port=$2 settings
    mapfile -t settings < <(citus_node_settings)
    PG_AUTH_HOST=trust PG_SUPERUSER_PASSWORD_FILE="" start_pg "$TEST_TMP/citus-$n" "$port" "${settings[@]}"
    citus_psql "$port" postgres -c "CREATE DATABASE aftersales"
    citus_psql "$port" aftersales -c "SET client_min_messages = warning; CREATE EXTENSION citus"
}

# start_citus_cluster: a coordinator and two workers in $TEST_TMP/citus-{0,1,2} (started side
# by side), the workers added, then the roles (created on the coordinator after the workers
# are added, so Citus creates them on the workers too: roles made on each server first break
# the migrations), the schema migrated and distributed with deploy/citus.sql. Exports
# TEST_CITUS_* (see the top) and TEST_AFTERSALES_BIN (the server binary, built here for the
# migrations and the journey test).
start_citus_cluster() {
    local ports=() pids=() i used="" start=$SECONDS bin coord
    for i in 0 1 2; do
        ports[i]=$(free_port $used)
        used="$used ${ports[i]}"
    done
    for i in 0 1 2; do
        start_citus_node "$i" "${ports[i]}" &
        pids[i]=$!
    done
    bin=$TEST_TMP/aftersales
    go build -o "$bin" ./cmd/aftersales || die "go build ./cmd/aftersales failed"
    for i in 0 1 2; do
        wait "${pids[i]}" || { show_log_tail "$TEST_TMP/citus-$i/postgres.log"; die "Citus node $i did not start"; }
    done
    log "nodes up and bin/aftersales built in $((SECONDS - start))s"
    coord=${ports[0]}
    citus_psql "$coord" aftersales >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $coord);
SELECT citus_add_node('127.0.0.1', ${ports[1]});
SELECT citus_add_node('127.0.0.1', ${ports[2]});
SQL
    citus_psql "$coord" aftersales <<'SQL'
SET client_min_messages = warning;
CREATE ROLE aftersales_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE aftersales LOGIN PASSWORD 'aftersales';
CREATE ROLE aftersales_api LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'aftersales_api' IN ROLE aftersales_app;
ALTER ROLE postgres PASSWORD 'postgres';
ALTER DATABASE aftersales OWNER TO aftersales;
SQL
    export TEST_CITUS_URL="postgres://aftersales:aftersales@127.0.0.1:$coord/aftersales?sslmode=disable"
    export TEST_CITUS_APP_URL="postgres://aftersales_api:aftersales_api@127.0.0.1:$coord/aftersales?sslmode=disable"
    export TEST_CITUS_SUPER_URL="postgres://postgres:postgres@127.0.0.1:$coord/aftersales?sslmode=disable"
    export TEST_CITUS_WORKERS="postgres://postgres:postgres@127.0.0.1:${ports[1]}/aftersales?sslmode=disable postgres://postgres:postgres@127.0.0.1:${ports[2]}/aftersales?sslmode=disable"
    export TEST_AFTERSALES_BIN=$bin
    DATABASE_URL=$TEST_CITUS_URL "$bin" migrate up || die "migrations failed on the Citus coordinator"
    log "migrated in $((SECONDS - start))s"
    "$PG_BIN/psql" -X -w -q -v ON_ERROR_STOP=1 -d "$TEST_CITUS_SUPER_URL" -f deploy/citus.sql >/dev/null ||
        die "deploy/citus.sql failed on the Citus coordinator"
    log "distributed in $((SECONDS - start))s: coordinator 127.0.0.1:$coord, workers 127.0.0.1:${ports[1]} and :${ports[2]}"
}

# Background setup (citus_setup_start, citus_setup_wait): the cluster comes up while the
# checks before the tests run (sqlc diff, vet, lint).
CITUS_SETUP_PID=""
CITUS_STARTED=0

# citus_setup_start: start_citus_cluster in the background, its output in
# $TEST_TMP/citus-setup.log and its exports in $TEST_TMP/citus.env.
citus_setup_start() {
    section "Starting a Citus cluster in the background (coordinator and two workers; log: $TEST_TMP/citus-setup.log)"
    CITUS_STARTED=1
    # In a process group of its own (set -m), so that stop_citus_cluster can end all of it
    # (initdb, pg_ctl, go build) if the run stops first.
    set -m
    (
        start_citus_cluster
        # As export statements: `declare -x`, as export -p prints them, would make function-local
        # variables when sourced in citus_setup_wait.
        export -p | grep -E ' (TEST_CITUS_[A-Z_]+|TEST_AFTERSALES_BIN)=' | sed 's/^declare -x /export /' >"$TEST_TMP/citus.env"
    ) >"$TEST_TMP/citus-setup.log" 2>&1 </dev/null &
    CITUS_SETUP_PID=$!
    set +m
}

# citus_setup_wait: wait for the background setup; die if it failed, else take its exports.
citus_setup_wait() {
    local status=0
    [[ -n $CITUS_SETUP_PID ]] || return 0
    section "Waiting for the Citus cluster"
    wait "$CITUS_SETUP_PID" || status=$?
    CITUS_SETUP_PID=""
    sed 's/^/    /' "$TEST_TMP/citus-setup.log" >&2
    [[ $status -eq 0 && -s $TEST_TMP/citus.env ]] || die "the Citus cluster did not come up (exit status $status)"
    # shellcheck disable=SC1091
    source "$TEST_TMP/citus.env"
    log "TEST_CITUS_URL=$TEST_CITUS_URL"
    log "TEST_CITUS_APP_URL=$TEST_CITUS_APP_URL"
}

# stop_citus_cluster: stop the background setup if it still runs and every node it started
# (safe to call twice).
stop_citus_cluster() {
    local c i
    if [[ -n $CITUS_SETUP_PID ]]; then
        kill -TERM -- "-$CITUS_SETUP_PID" 2>/dev/null || true
        for i in $(seq 1 50); do
            kill -0 -- "-$CITUS_SETUP_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$CITUS_SETUP_PID" 2>/dev/null || true
        wait "$CITUS_SETUP_PID" 2>/dev/null || true
        CITUS_SETUP_PID=""
    fi
    [[ -n ${TEST_TMP:-} ]] || return 0
    for c in "$TEST_TMP"/citus-[0-9]; do
        [[ -d $c/data ]] && stop_pg "$c" immediate
    done
    return 0
}
