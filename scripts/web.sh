#!/usr/bin/env bash
# The staff web app (web/app): built into web/console/dist, which the Go binary embeds.
#
#   scripts/web.sh build   make web: type check (vue-tsc) and build, unless cached
#   scripts/web.sh check   make test: build, plus the unit tests (vitest) and a check that
#                          src/api/schema.d.ts matches docs/openapi.json
#   scripts/web.sh schema  make openapi: regenerate src/api/schema.d.ts
#
# Every step is keyed by a hash of its inputs (package.json, package-lock.json, configs,
# index.html, field.html, my.html, public/, src/, the Node major version) and cached outside the repository in
# ${WEB_CACHE_DIR:-~/.cache/aftersales/web}, so a fresh clone (or CI run) whose inputs were
# built before copies the result instead of building, and needs no npm at all. npm ci runs
# only when package-lock.json changed since node_modules was installed.
# WEB_FORCE=1 ignores the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

APP=web/app
OUT=web/console/dist
CACHE=${WEB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aftersales/web}
KEEP_BUILDS=10

need_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
        die "Node.js (20.19 or later) and npm are needed to build the web app: install them (e.g. apt-get install nodejs npm), then retry"
}

sha() { sha256sum | cut -c1-20; }

# inputs_hash: what the build, the type check and the unit tests depend on.
inputs_hash() {
    local node_major=none
    if command -v node >/dev/null 2>&1; then node_major=$(node --version | cut -d. -f1); fi
    {
        echo "node $node_major"
        (cd "$APP" && find package.json package-lock.json tsconfig*.json vite.config.ts env.d.ts index.html field.html my.html public src \
            -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha
}

# npm_install: npm ci when package-lock.json differs from the one node_modules came from.
npm_install() {
    need_node
    local want have=""
    want=$(sha <"$APP/package-lock.json")
    [[ -f $APP/node_modules/.lock-hash ]] && have=$(cat "$APP/node_modules/.lock-hash")
    if [[ $want == "$have" ]]; then
        return 0
    fi
    section "npm ci (web/app; package-lock.json changed or node_modules missing)"
    local start=$SECONDS
    (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$want" >"$APP/node_modules/.lock-hash"
    log "npm ci took $((SECONDS - start))s"
}

# install_build DIR: make web/console/dist a copy of the build in DIR (keeping the placeholder).
install_build() {
    local dir=$1 hash=$2
    if [[ -f $OUT/.build-hash && $(cat "$OUT/.build-hash") == "$hash" && -f $OUT/index.html ]]; then
        return 0
    fi
    find "$OUT" -mindepth 1 ! -name .placeholder -delete
    cp -R "$dir/." "$OUT/"
    echo "$hash" >"$OUT/.build-hash"
}

prune_cache() {
    # Keep the newest builds; each is about 2 MB.
    find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'b-*' -printf '%T@ %p\n' 2>/dev/null |
        sort -rn | tail -n +$((KEEP_BUILDS + 1)) | cut -d' ' -f2- | xargs -r rm -rf
}

# build: type check and build, or copy the cached build of the same inputs.
build() {
    local hash dir tmp start
    hash=$(inputs_hash)
    dir=$CACHE/b-$hash
    mkdir -p "$CACHE" "$OUT"
    if [[ -z ${WEB_FORCE:-} && -f $dir/dist/index.html ]]; then
        install_build "$dir/dist" "$hash"
        touch "$dir"
        log "web app: cached build $hash ($dir)"
        return 0
    fi
    npm_install
    section "web app: build and type check ($hash)"
    start=$SECONDS
    tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")
    # The build first: it refreshes types/components.d.ts, which the type check reads.
    (cd "$APP" && npx vite build --logLevel warn --outDir "$tmp/dist" --emptyOutDir) ||
        { rm -rf "$tmp"; die "vite build failed"; }
    log "vite build took $((SECONDS - start))s"
    start=$SECONDS
    (cd "$APP" && npx vue-tsc --build --force) || { rm -rf "$tmp"; die "type check (vue-tsc) failed"; }
    log "type check took $((SECONDS - start))s"
    rm -rf "$dir"
    mv "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # a parallel build of the same inputs won
    install_build "$dir/dist" "$hash"
    prune_cache
    log "web app built into $OUT (cached as $dir)"
}

# unit_tests: vitest, once per inputs hash.
unit_tests() {
    local hash dir start
    hash=$(inputs_hash)
    dir=$CACHE/b-$hash
    if [[ -z ${WEB_FORCE:-} && -f $dir/tested ]]; then
        log "web app: unit tests passed before for $hash"
        return 0
    fi
    npm_install
    section "web app: unit tests (vitest)"
    start=$SECONDS
    (cd "$APP" && npx vitest run --reporter=dot) || die "web app unit tests failed"
    log "unit tests took $((SECONDS - start))s"
    mkdir -p "$dir"
    touch "$dir/tested"
}

# generated_schema: print the path of schema.d.ts generated from docs/openapi.json (cached).
generated_schema() {
    local key file
    key=$( { sha <docs/openapi.json; sha <"$APP/package-lock.json"; } | sha)
    file=$CACHE/schema-$key.d.ts
    if [[ -n ${WEB_FORCE:-} || ! -f $file ]]; then
        npm_install
        (cd "$APP" && npx openapi-typescript ../../docs/openapi.json -o "$file.tmp" >/dev/null) ||
            die "openapi-typescript failed"
        mv "$file.tmp" "$file"
    fi
    printf '%s\n' "$file"
}

schema_check() {
    local file
    mkdir -p "$CACHE"
    file=$(generated_schema)
    if ! cmp -s "$file" "$APP/src/api/schema.d.ts"; then
        die "web/app/src/api/schema.d.ts is stale (docs/openapi.json changed): run 'make openapi' and commit the result"
    fi
    log "web app: API client types match docs/openapi.json"
}

schema() {
    local file
    mkdir -p "$CACHE"
    file=$(generated_schema)
    cp "$file" "$APP/src/api/schema.d.ts"
    log "wrote $APP/src/api/schema.d.ts"
}

case ${1:-build} in
    build) build ;;
    check)
        schema_check
        build
        unit_tests
        ;;
    schema) schema ;;
    *) die "usage: scripts/web.sh build|check|schema" ;;
esac
