#!/usr/bin/env bash
# Manage the development PostgreSQL cluster in ./.data/pg (see scripts/lib.sh).
#   scripts/dev-db.sh start   start it (initialising on first use) and print the env
#   scripts/dev-db.sh stop    stop it
#   scripts/dev-db.sh clean   stop it and remove ./.data
#   scripts/dev-db.sh psql    psql as the superuser (extra args are passed on)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

cmd=${1:-}
shift || true
case $cmd in
    start)
        dev_db_start
        printf 'export DATABASE_URL=%q\nexport APP_DATABASE_URL=%q\n' "$DATABASE_URL" "$APP_DATABASE_URL"
        ;;
    stop)
        dev_db_stop
        ;;
    clean)
        dev_db_clean
        ;;
    psql)
        ensure_postgres
        cluster=$(dev_cluster_dir)
        pg_running "$cluster" || die "the dev cluster is not running (make db)"
        PG_PORT=$(pg_running_port "$cluster")
        PG_SOCKET_DIR=$(pg_socket_dir "$cluster")
        as_pg_user "$PG_BIN/psql" -X -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d aftersales "$@"
        ;;
    *)
        die "usage: $0 start|stop|clean|psql"
        ;;
esac
