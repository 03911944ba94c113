# shellcheck shell=bash
# Shared helpers for scripts/run.sh, scripts/test.sh and scripts/bench.sh.
# Source it; it does not change shell options on its own.
#
# PostgreSQL clusters are laid out as:
#   CLUSTER_DIR/            owned by the PostgreSQL OS user, mode 0700
#   CLUSTER_DIR/data/       PGDATA
#   CLUSTER_DIR/postgres.log
#   CLUSTER_DIR/.s.PGSQL.N  Unix socket (the socket directory is CLUSTER_DIR,
#                           unless that path is too long for a socket name)
# Because the socket lives in a 0700 directory, only the cluster's OS user
# (and root) can reach it, so local (socket) connections use trust auth.
#
# When run as root, initdb/pg_ctl/psql run as the `postgres` system user
# (initdb refuses root); otherwise they run as the invoking user.

SQLC_MODULE=github.com/sqlc-dev/sqlc
SQLC_PKG=github.com/sqlc-dev/sqlc/cmd/sqlc
SQLC_VERSION=v1.31.1
STRIPE_MOCK_MODULE=github.com/stripe/stripe-mock
STRIPE_MOCK_PKG=github.com/stripe/stripe-mock
STRIPE_MOCK_VERSION=v0.183.0
GOLANGCI_LINT_MODULE=github.com/golangci/golangci-lint/v2
GOLANGCI_LINT_PKG=github.com/golangci/golangci-lint/v2/cmd/golangci-lint
GOLANGCI_LINT_VERSION=v2.15.0
PG_PREFERRED_MAJOR=15

# ---------------------------------------------------------------- output ----

log()     { printf '    %s\n' "$*" >&2; }
section() { printf '\n==> %s\n' "$*" >&2; }
die()     { printf '\nerror: %s\n' "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr (if it exists and is readable).
show_log_tail() { # FILE [LINES]
    local f=$1 n=${2:-40}
    if [[ -r $f ]]; then
        printf -- '---- last %s lines of %s ----\n' "$n" "$f" >&2
        tail -n "$n" "$f" >&2 || true
        printf -- '----\n' >&2
    fi
}

# ------------------------------------------------------------- packages ----

_APT_UPDATED=0

# Run a command as root (directly, or through sudo when not root).
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "need root to run: $* (sudo -n failed; run it yourself or configure sudo)"
    else
        die "need root to run: $*"
    fi
}

# ensure_apt_pkgs PKG...: install the Debian packages that are not installed.
# `apt-get update` runs at most once per script, and only if something is missing.
ensure_apt_pkgs() {
    local missing=() p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    command -v apt-get >/dev/null 2>&1 ||
        die "missing packages (${missing[*]}) and apt-get is not available; install them by hand"
    section "Installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    if [[ $_APT_UPDATED -eq 0 ]]; then
        as_root apt-get update -q </dev/null
        _APT_UPDATED=1
    fi
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# Directory `go install` puts binaries in; also added to PATH.
go_bin_dir() {
    local d
    d=$(go env GOBIN)
    [[ -n $d ]] || d="$(go env GOPATH | cut -d: -f1)/bin"
    printf '%s\n' "$d"
}

add_go_bin_to_path() {
    if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
        export PATH="$PATH:/usr/local/go/bin"
    fi
    command -v go >/dev/null 2>&1 || die "go is not on PATH (expected /usr/local/go/bin/go)"
    local d
    d=$(go_bin_dir)
    case ":$PATH:" in
        *":$d:"*) ;;
        *) export PATH="$d:$PATH" ;;
    esac
}

# ensure_go_tool NAME PACKAGE MODULE VERSION
# Installs PACKAGE@VERSION with `go install` unless the binary NAME found on
# PATH (or in the Go bin dir) was built from MODULE at exactly VERSION.
ensure_go_tool() {
    local name=$1 pkg=$2 module=$3 version=$4 bin have=""
    add_go_bin_to_path
    bin=$(command -v "$name" 2>/dev/null || true)
    if [[ -n $bin ]]; then
        # `go version -m` reads the build info; works for sqlc and stripe-mock
        # alike (stripe-mock -version only says "master").
        have=$(go version -m "$bin" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3; exit }')
    fi
    if [[ $have == "$version" ]]; then
        return 0
    fi
    section "Installing $name $version (go install; was: ${have:-absent})"
    GOFLAGS=${GOFLAGS:-} go install "$pkg@$version" </dev/null
    hash -r
    bin=$(command -v "$name" 2>/dev/null || true)
    [[ -n $bin ]] || die "$name was installed but is not on PATH ($(go_bin_dir))"
}

ensure_sqlc()        { ensure_go_tool sqlc "$SQLC_PKG" "$SQLC_MODULE" "$SQLC_VERSION"; }
ensure_stripe_mock() { ensure_go_tool stripe-mock "$STRIPE_MOCK_PKG" "$STRIPE_MOCK_MODULE" "$STRIPE_MOCK_VERSION"; }
# Built with `go install` like the others (golangci-lint's docs prefer their release
# binaries): built by the project's Go toolchain, it understands the Go version go.mod names.
ensure_golangci_lint() { ensure_go_tool golangci-lint "$GOLANGCI_LINT_PKG" "$GOLANGCI_LINT_MODULE" "$GOLANGCI_LINT_VERSION"; }

# --------------------------------------------------------------- network ----

# free_port [EXCLUDE...]: print a TCP port on 127.0.0.1 that nothing listens
# on, different from the EXCLUDE ports. (There is an unavoidable race between
# picking the port and binding it; good enough for local use.)
free_port() {
    local exclude=" $* " p i
    for i in $(seq 1 50); do
        if command -v python3 >/dev/null 2>&1 &&
            p=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) && [[ -n $p ]]; then
            :
        else
            # Below the Linux ephemeral range (32768+) to avoid outgoing sockets.
            p=$((20000 + RANDOM % 12000))
            port_open "$p" && continue
        fi
        [[ $exclude == *" $p "* ]] && continue
        printf '%s\n' "$p"
        return 0
    done
    die "could not find a free TCP port"
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: retry COMMAND until it succeeds.
wait_for() {
    local what=$1 timeout=$2 deadline
    shift 2
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { log "timed out after ${timeout}s waiting for $what"; return 1; }
        sleep 0.2
    done
}

# ------------------------------------------------------------ postgresql ----

# find_pg_bin: set PG_BIN to a PostgreSQL bin directory (prefers $PG_BIN, then
# version 15, then the newest installed, then whatever initdb is on PATH).
find_pg_bin() {
    local d
    if [[ -n ${PG_BIN:-} && -x $PG_BIN/initdb ]]; then
        return 0
    fi
    if [[ -x /usr/lib/postgresql/$PG_PREFERRED_MAJOR/bin/initdb ]]; then
        PG_BIN=/usr/lib/postgresql/$PG_PREFERRED_MAJOR/bin
        return 0
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $d && -x $d/initdb ]]; then
        PG_BIN=$d
        return 0
    fi
    d=$(command -v initdb 2>/dev/null || true)
    if [[ -n $d ]]; then
        PG_BIN=$(dirname "$(readlink -f "$d")")
        return 0
    fi
    return 1
}

# ensure_postgres: install PostgreSQL (Debian package `postgresql`) if needed; sets PG_BIN.
ensure_postgres() {
    if ! find_pg_bin; then
        ensure_apt_pkgs postgresql
        find_pg_bin || die "PostgreSQL is installed but initdb was not found under /usr/lib/postgresql/*/bin"
    fi
    [[ -x $PG_BIN/pg_ctl && -x $PG_BIN/psql ]] || die "incomplete PostgreSQL installation in $PG_BIN"
    export PG_BIN
}

# OS user that owns and runs clusters.
pg_os_user() {
    if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi
}

# runuser lives in /usr/sbin, which is not always on PATH.
runuser_bin() {
    local r
    for r in "$(command -v runuser 2>/dev/null)" /usr/sbin/runuser /sbin/runuser; do
        [[ -n $r && -x $r ]] && { printf '%s\n' "$r"; return 0; }
    done
    die "runuser not found (package util-linux)"
}

# as_pg_user CMD...: run CMD as the cluster's OS user, from / (the caller's
# working directory may not be readable by that user).
as_pg_user() {
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "system user 'postgres' does not exist (is the postgresql package installed?)"
        (cd / && "$(runuser_bin)" -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# pg_can_reach DIR: true if the cluster's OS user can traverse to DIR.
pg_can_reach() {
    as_pg_user test -x "$1" 2>/dev/null
}

# Socket directory for a cluster: the cluster dir itself, unless the resulting
# socket path would exceed the ~107-byte limit of Unix socket names.
pg_socket_dir() { # CLUSTER_DIR
    local dir=$1
    if (( ${#dir} + 16 <= 100 )); then
        printf '%s\n' "$dir"
    else
        printf '/tmp/aftersales-pg-%s\n' "$(printf '%s' "$dir" | sha256sum | cut -c1-12)"
    fi
}

# pg_running CLUSTER_DIR: true if the cluster's postmaster is alive.
pg_running() {
    [[ -f $1/data/postmaster.pid ]] || return 1
    as_pg_user "$PG_BIN/pg_ctl" status -D "$1/data" >/dev/null 2>&1
}

# pg_running_port CLUSTER_DIR: the port a running cluster listens on.
pg_running_port() {
    sed -n 4p "$1/data/postmaster.pid" 2>/dev/null
}

# start_pg CLUSTER_DIR PORT [-c name=value]...
# Initialises the cluster if CLUSTER_DIR/data has no PG_VERSION, then starts it
# (unless it is already running) listening on 127.0.0.1:PORT and on a Unix
# socket. Extra arguments are passed to postgres (e.g. -c fsync=off).
# Auth for new clusters: local (socket) = trust; TCP = $PG_AUTH_HOST
# (default scram-sha-256). If $PG_SUPERUSER_PASSWORD_FILE is set, it is used
# as initdb's --pwfile (the superuser `postgres` gets that password).
# Sets PG_CLUSTER_DIR, PG_PORT, PG_SOCKET_DIR.
start_pg() {
    local cluster=$1 port=$2
    shift 2
    local data=$cluster/data owner sockdir extra=""
    owner=$(pg_os_user)
    sockdir=$(pg_socket_dir "$cluster")

    mkdir -p "$cluster"
    if [[ $EUID -eq 0 ]]; then chown "$owner:" "$cluster"; fi
    chmod 0700 "$cluster"
    pg_can_reach "$cluster" ||
        die "PostgreSQL user '$owner' cannot reach $cluster (a parent directory is not searchable; check: namei -m $cluster)"
    if [[ $sockdir != "$cluster" ]]; then
        mkdir -p "$sockdir"
        if [[ $EUID -eq 0 ]]; then chown "$owner:" "$sockdir"; fi
        chmod 0700 "$sockdir"
    fi

    PG_CLUSTER_DIR=$cluster
    PG_SOCKET_DIR=$sockdir

    if [[ ! -f $data/PG_VERSION ]]; then
        log "initdb $data (as $owner, TCP auth ${PG_AUTH_HOST:-scram-sha-256})"
        local initdb_args=(-D "$data" -U postgres -E UTF8 --locale=C.UTF-8
            --auth-local=trust --auth-host="${PG_AUTH_HOST:-scram-sha-256}")
        if [[ -n ${PG_SUPERUSER_PASSWORD_FILE:-} ]]; then
            initdb_args+=(--pwfile="$PG_SUPERUSER_PASSWORD_FILE")
        fi
        if ! as_pg_user "$PG_BIN/initdb" "${initdb_args[@]}" >"$cluster/initdb.log" 2>&1; then
            # C.UTF-8 may be missing on minimal systems; retry with plain C.
            initdb_args=("${initdb_args[@]/--locale=C.UTF-8/--locale=C}")
            rm -rf "$data"
            as_pg_user "$PG_BIN/initdb" "${initdb_args[@]}" >"$cluster/initdb.log" 2>&1 ||
                { show_log_tail "$cluster/initdb.log"; die "initdb failed for $data"; }
        fi
        rm -f "$cluster/initdb.log"
    else
        local have want
        have=$(cat "$data/PG_VERSION")
        want=$("$PG_BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')
        [[ $have == "$want" ]] ||
            die "cluster $data was created by PostgreSQL $have but $PG_BIN is PostgreSQL $want (set PG_BIN, or remove the cluster: make clean-data)"
    fi

    if pg_running "$cluster"; then
        PG_PORT=$(pg_running_port "$cluster")
        log "PostgreSQL already running on port $PG_PORT ($data)"
        if [[ $PG_PORT != "$port" ]]; then
            log "note: requested port $port, but the running cluster uses $PG_PORT"
        fi
        return 0
    fi

    if port_open "$port"; then
        die "port $port on 127.0.0.1 is already in use by another process; pick another (e.g. PGPORT=5434)"
    fi

    local opts="-p $port -k $sockdir -c listen_addresses=127.0.0.1"
    if [[ $# -gt 0 ]]; then extra=" $*"; fi
    log "starting PostgreSQL on 127.0.0.1:$port (log: $cluster/postgres.log)"
    if ! as_pg_user "$PG_BIN/pg_ctl" start -w -t 60 -D "$data" -l "$cluster/postgres.log" \
        -o "$opts$extra" >/dev/null; then
        show_log_tail "$cluster/postgres.log"
        die "PostgreSQL failed to start"
    fi
    PG_PORT=$port
    wait_for "PostgreSQL on port $port" 30 \
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres ||
        { show_log_tail "$cluster/postgres.log"; die "PostgreSQL is not accepting connections"; }
}

# stop_pg CLUSTER_DIR [MODE]: stop the cluster if it is running (MODE: fast).
stop_pg() {
    local cluster=$1 mode=${2:-fast}
    [[ -n ${PG_BIN:-} ]] || find_pg_bin || return 0
    if pg_running "$cluster"; then
        as_pg_user "$PG_BIN/pg_ctl" stop -w -t 60 -m "$mode" -D "$cluster/data" >/dev/null ||
            log "warning: pg_ctl stop failed for $cluster"
    fi
}

# pg_super_psql [psql args...]: psql as superuser `postgres` over the Unix
# socket of the cluster started by start_pg (PG_SOCKET_DIR, PG_PORT).
pg_super_psql() {
    as_pg_user "$PG_BIN/psql" -X -w -q -v ON_ERROR_STOP=1 \
        -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# bootstrap_roles: create (if missing) the roles the application expects.
#   aftersales_app  NOLOGIN group role; RLS-bound; owns nothing
#   aftersales      LOGIN owner role (runs migrations, owns tables)
#   aftersales_api  LOGIN member of aftersales_app, NOBYPASSRLS (the server's role)
# Existing roles keep their passwords; membership and the RLS/superuser
# attributes of the app roles are re-asserted every time.
bootstrap_roles() {
    pg_super_psql <<'SQL'
SET client_min_messages = warning;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aftersales_app') THEN
        CREATE ROLE aftersales_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aftersales') THEN
        CREATE ROLE aftersales LOGIN PASSWORD 'aftersales';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aftersales_api') THEN
        CREATE ROLE aftersales_api LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'aftersales_api' IN ROLE aftersales_app;
    END IF;
END
$$;
ALTER ROLE aftersales_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
ALTER ROLE aftersales_api NOSUPERUSER NOBYPASSRLS;
GRANT aftersales_app TO aftersales_api;
SQL
}

# bootstrap_db: create database `aftersales` owned by `aftersales` if missing.
bootstrap_db() {
    pg_super_psql <<'SQL'
SET client_min_messages = warning;
SELECT 'CREATE DATABASE aftersales OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'aftersales')
\gexec
SQL
}

# ----------------------------------------------------- redis / stripe-mock ----

# start_redis DIR PORT: start redis-server in the background (no persistence);
# sets REDIS_PID. Waits until it answers PING.
start_redis() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --daemonize no --dir "$dir" --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    if ! wait_for "redis on port $port" 20 redis_ping "$port"; then
        show_log_tail "$dir/redis.log"
        die "redis-server did not start"
    fi
}

redis_ping() { # PORT
    local reply
    if command -v redis-cli >/dev/null 2>&1; then
        [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
    else
        reply=$(
            exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
            printf 'PING\r\n' >&3
            read -r -t 2 line <&3 && printf '%s' "$line"
        ) || return 1
        [[ $reply == +PONG* ]]
    fi
}

# start_stripe_mock DIR HTTP_PORT HTTPS_PORT: start stripe-mock in the
# background; sets STRIPE_MOCK_PID. Waits until it answers an HTTP request.
start_stripe_mock() {
    local dir=$1 http=$2 https=$3
    mkdir -p "$dir"
    stripe-mock -http-addr "127.0.0.1:$http" -https-addr "127.0.0.1:$https" \
        </dev/null >"$dir/stripe-mock.log" 2>&1 &
    STRIPE_MOCK_PID=$!
    if ! wait_for "stripe-mock on port $http" 30 stripe_mock_ready "$http"; then
        show_log_tail "$dir/stripe-mock.log"
        die "stripe-mock did not start"
    fi
}

stripe_mock_ready() { # PORT
    local status
    kill -0 "$STRIPE_MOCK_PID" 2>/dev/null || return 1
    status=$(
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'GET /v1/customers HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk_test_123\r\n\r\n' >&3
        read -r -t 5 line <&3 && printf '%s' "$line"
    ) || return 1
    [[ $status == HTTP/1.?\ 200* ]]
}

# stop_pid PID: terminate a background process and wait for it (2 s grace, then KILL).
stop_pid() {
    local pid=$1 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# run_child CMD...: run CMD in its own process group with stdin from
# /dev/null and wait for it, so that signal traps fire at once (bash defers
# traps until a foreground command ends) and cleanup can stop the whole group
# (e.g. `go test` and the test binaries it spawned). Returns CMD's status.
CHILD_PID=""
run_child() {
    local status=0
    set -m
    "$@" </dev/null &
    CHILD_PID=$!
    set +m
    wait "$CHILD_PID" || status=$?
    CHILD_PID=""
    return "$status"
}

# stop_child: stop the process group started by run_child, if still running.
stop_child() {
    local pid=$CHILD_PID i
    [[ -n $pid ]] || return 0
    CHILD_PID=""
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# ------------------------------------------------------ test environment ----

# start_test_env: everything scripts/test.sh and scripts/bench.sh need.
# Installs missing tools, starts a throwaway PostgreSQL cluster, redis-server
# and stripe-mock on free ports in a temp dir, and exports:
#   TEST_DATABASE_URL TEST_APP_USER TEST_APP_PASSWORD TEST_REDIS_URL STRIPE_MOCK_URL
# Call cleanup_test_env from an EXIT trap.
TEST_TMP=""
REDIS_PID=""
STRIPE_MOCK_PID=""
PG_CLUSTER_DIR=""

start_test_env() {
    section "Checking tools"
    add_go_bin_to_path
    ensure_postgres
    ensure_apt_pkgs redis-server
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found after installing redis-server"
    ensure_sqlc
    ensure_stripe_mock
    log "PostgreSQL: $PG_BIN"
    log "redis:      $(command -v redis-server)"
    log "sqlc:       $(command -v sqlc) ($SQLC_VERSION)"
    log "stripe-mock: $(command -v stripe-mock) ($STRIPE_MOCK_VERSION)"

    TEST_TMP=$(mktemp -d /tmp/aftersales-test.XXXXXX)
    chmod 0755 "$TEST_TMP" # the postgres user must traverse it

    section "Starting PostgreSQL (throwaway cluster)"
    local pg_port redis_port sm_http sm_https
    pg_port=$(free_port)
    # Trust on 127.0.0.1 in this throwaway cluster only: tests connect over
    # TCP as the superuser and as aftersales_api without password setup.
    PG_AUTH_HOST=trust PG_SUPERUSER_PASSWORD_FILE="" \
        start_pg "$TEST_TMP/pg" "$pg_port" \
        -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
        -c max_connections=300
    bootstrap_roles
    pg_super_psql -c "ALTER ROLE postgres PASSWORD 'postgres'"

    section "Starting redis-server"
    redis_port=$(free_port "$pg_port")
    start_redis "$TEST_TMP/redis" "$redis_port"
    log "redis on 127.0.0.1:$redis_port (pid $REDIS_PID)"

    section "Starting stripe-mock"
    sm_http=$(free_port "$pg_port" "$redis_port")
    sm_https=$(free_port "$pg_port" "$redis_port" "$sm_http")
    start_stripe_mock "$TEST_TMP/stripe-mock" "$sm_http" "$sm_https"
    log "stripe-mock on 127.0.0.1:$sm_http (https $sm_https, pid $STRIPE_MOCK_PID)"

    export TEST_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
    export TEST_APP_USER=aftersales_api
    export TEST_APP_PASSWORD=aftersales_api
    export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
    export STRIPE_MOCK_URL="http://127.0.0.1:$sm_http"

    section "Test environment"
    log "TEST_DATABASE_URL=$TEST_DATABASE_URL"
    log "TEST_APP_USER=$TEST_APP_USER TEST_APP_PASSWORD=$TEST_APP_PASSWORD"
    log "TEST_REDIS_URL=$TEST_REDIS_URL"
    log "STRIPE_MOCK_URL=$STRIPE_MOCK_URL"
}

# cleanup_test_env: stop everything start_test_env started and remove the temp dir.
# Safe to call more than once and after a partial start.
cleanup_test_env() {
    stop_child
    stop_pid "$STRIPE_MOCK_PID"
    STRIPE_MOCK_PID=""
    stop_pid "$REDIS_PID"
    REDIS_PID=""
    if [[ -n $TEST_TMP && -d $TEST_TMP ]]; then
        if [[ -d $TEST_TMP/pg/data ]]; then stop_pg "$TEST_TMP/pg" fast; fi
        if [[ ${KEEP_TEST_TMP:-0} == 1 ]]; then
            log "kept $TEST_TMP (KEEP_TEST_TMP=1)"
        else
            rm -rf "$TEST_TMP"
        fi
    fi
    TEST_TMP=""
}

# ------------------------------------------------------- dev cluster ----
# The development cluster lives in ./.data/pg and survives between runs.
#
# ./.data is inside the repository, which may be under a directory the
# `postgres` user cannot traverse (e.g. /root). In that case (root only) the
# cluster is placed in /var/lib/aftersales-dev/<sha256 of repo path>/pg and
# ./.data/pg is a symlink to it; `make clean-data` removes both.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DEV_DATA_DIR=$REPO_ROOT/.data
DEV_PG_LINK=$DEV_DATA_DIR/pg

# dev_cluster_dir [create]: print the dev cluster directory. With "create",
# decide where it goes (and make the symlink) when it does not exist yet.
dev_cluster_dir() {
    if [[ -L $DEV_PG_LINK ]]; then
        readlink -f "$DEV_PG_LINK" || readlink "$DEV_PG_LINK"
        return 0
    fi
    if [[ -e $DEV_PG_LINK || ${1:-} != create ]]; then
        printf '%s\n' "$DEV_PG_LINK"
        return 0
    fi
    mkdir -p "$DEV_DATA_DIR"
    chmod 0755 "$DEV_DATA_DIR" # the postgres user must traverse it
    if pg_can_reach "$DEV_DATA_DIR"; then
        printf '%s\n' "$DEV_PG_LINK"
        return 0
    fi
    [[ $EUID -eq 0 ]] ||
        die "cannot place the dev cluster under $DEV_DATA_DIR (not searchable; check: namei -m $DEV_DATA_DIR)"
    local target
    target=/var/lib/aftersales-dev/$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-16)/pg
    log "postgres cannot traverse $REPO_ROOT (see: namei -m $DEV_DATA_DIR);"
    log "placing the dev cluster in $target (symlinked from .data/pg)"
    mkdir -p "$(dirname "$target")"
    chmod 0755 /var/lib/aftersales-dev "$(dirname "$target")"
    pg_can_reach "$(dirname "$target")" || die "postgres cannot reach $(dirname "$target") either"
    ln -sfn "$target" "$DEV_PG_LINK"
    printf '%s\n' "$target"
}

# dev_db_start: start (initialising on first use) the dev cluster on $PGPORT
# (default 5433), create roles and database, and export DATABASE_URL and
# APP_DATABASE_URL. The superuser `postgres` gets a random password stored
# in <cluster>/superuser.password; TCP logins use scram-sha-256.
dev_db_start() {
    local cluster port=${PGPORT:-5433} pwfile owner
    ensure_postgres
    cluster=$(dev_cluster_dir create)
    owner=$(pg_os_user)
    pwfile=$cluster/superuser.password
    if [[ ! -f $cluster/data/PG_VERSION ]]; then
        mkdir -p "$cluster"
        if [[ $EUID -eq 0 ]]; then chown "$owner:" "$cluster"; fi
        chmod 0700 "$cluster"
        if [[ ! -s $pwfile ]]; then
            (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$pwfile")
            if [[ $EUID -eq 0 ]]; then chown "$owner:" "$pwfile"; fi
        fi
    fi
    section "Starting the development PostgreSQL cluster ($cluster)"
    # max_connections: `aftersales dev` holds JOB_WORKERS (100) + 8 + a connection per CPU.
    PG_AUTH_HOST=scram-sha-256 PG_SUPERUSER_PASSWORD_FILE=$pwfile start_pg "$cluster" "$port" -c max_connections=200
    bootstrap_roles
    bootstrap_db
    export DATABASE_URL="postgres://aftersales:aftersales@127.0.0.1:$PG_PORT/aftersales?sslmode=disable"
    export APP_DATABASE_URL="postgres://aftersales_api:aftersales_api@127.0.0.1:$PG_PORT/aftersales?sslmode=disable"
    log "DATABASE_URL=$DATABASE_URL"
    log "APP_DATABASE_URL=$APP_DATABASE_URL"
    log "superuser: postgres, password in $pwfile"
    log "the cluster keeps running after exit; stop it with: make stop-db (or remove it: make clean-data)"
}

# dev_db_stop: stop the dev cluster if it exists and is running.
dev_db_stop() {
    local cluster
    cluster=$(dev_cluster_dir)
    [[ -d $cluster/data ]] || return 0
    find_pg_bin || return 0
    if pg_running "$cluster"; then
        log "stopping PostgreSQL ($cluster)"
        stop_pg "$cluster" fast
    fi
}

# dev_db_clean: stop the dev cluster and remove ./.data (and the cluster's
# out-of-tree location and socket directory, if any).
dev_db_clean() {
    local cluster sockdir
    cluster=$(dev_cluster_dir)
    dev_db_stop
    sockdir=$(pg_socket_dir "$cluster")
    if [[ $sockdir != "$cluster" ]]; then rm -rf "$sockdir"; fi
    if [[ -L $DEV_PG_LINK && $cluster == /var/lib/aftersales-dev/* ]]; then
        rm -rf "$(dirname "$cluster")"
        rmdir --ignore-fail-on-non-empty /var/lib/aftersales-dev 2>/dev/null || true
    fi
    rm -rf "$DEV_DATA_DIR"
    log "removed $DEV_DATA_DIR"
}
