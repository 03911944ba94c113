#!/usr/bin/env bash
# make bench: same throwaway environment as scripts/test.sh (PostgreSQL,
# redis-server, stripe-mock; same TEST_* and STRIPE_MOCK_URL variables), plus
# BENCH_PGBENCH (path to pgbench), then `go run ./bench`.
# Extra arguments: BENCH_ARGS (whitespace-separated) and/or script arguments.
# BENCH_CITUS=1: the same run on a three-node Citus cluster (scripts/citus.sh; 32 shards a
# table, Citus's default) in its migrated and distributed database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/citus.sh

trap 'stop_citus_cluster; cleanup_test_env' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_test_env

if [[ ${BENCH_CITUS:-0} == 1 ]]; then
    ensure_citus
    section "Starting a Citus cluster (coordinator and two workers)"
    CITUS_SHARD_COUNT=32 start_citus_cluster
    export BENCH_CITUS=1
fi

pgbench=$PG_BIN/pgbench
[[ -x $pgbench ]] || pgbench=$(command -v pgbench || true)
[[ -n $pgbench ]] || die "pgbench not found (it ships with the postgresql package)"
export BENCH_PGBENCH=$pgbench
log "BENCH_PGBENCH=$BENCH_PGBENCH"

read -r -a bench_args <<<"${BENCH_ARGS:-}"
section "go run ./bench ${bench_args[*]} $*"
status=0
run_child go run ./bench "${bench_args[@]}" "$@" || status=$?
exit "$status"
