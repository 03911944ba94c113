#!/usr/bin/env bash
# make run: build the web app when its sources changed (scripts/web.sh), then start the
# application locally with `aftersales dev` (migrate + seed-if-empty + serve + worker in one
# process).
#
# Without DATABASE_URL, a private PostgreSQL cluster is created in ./.data/pg
# (port $PGPORT, default 5433) and reused on later runs; it keeps running
# after the app exits (make stop-db / make clean-data).
# With DATABASE_URL set, it is used as is and APP_DATABASE_URL must be set too.
# REDIS_URL is left alone: empty means the app's in-process Redis.
# Extra arguments are passed to `aftersales dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [[ -n ${DATABASE_URL:-} ]]; then
    [[ -n ${APP_DATABASE_URL:-} ]] ||
        die "DATABASE_URL is set but APP_DATABASE_URL is not. Set APP_DATABASE_URL to a LOGIN role that is a member of aftersales_app (NOBYPASSRLS, owns nothing), or unset DATABASE_URL to use the local dev cluster."
    section "Using DATABASE_URL from the environment"
else
    dev_db_start
fi

# Plain-HTTP localhost: session cookies cannot be Secure.
export SECURE_COOKIES=${SECURE_COOKIES:-false}

section "Web app (make web)"
bash scripts/web.sh build

section "Building bin/aftersales"
add_go_bin_to_path
go build -o bin/aftersales ./cmd/aftersales

section "Starting aftersales dev"
exec bin/aftersales dev "$@"
