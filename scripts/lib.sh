# Shared by ./dev and scripts/*.sh: paths, ports, the services table, the private PostgreSQL and
# Redis servers, and running commands as the PostgreSQL owner. Sourced, never run on its own.
# shellcheck shell=bash
# The settings below are read by the scripts that source this file.
# shellcheck disable=SC2034

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_dir="$repo_root/.run"
secrets_dir="$run_dir/secrets"
# DEV_RELEASE_DIR: another optimised build tree to run from (e.g. one per checkout or helper).
release_dir="${DEV_RELEASE_DIR:-$repo_root/build/release}"
pg_bin=/usr/lib/postgresql/15/bin

dev_pg_port=55432
dev_redis_port=56379
gateway_http_port=8080
# The development OpenID provider (web/dev-oidc) learners sign in to the web course with. Its
# URL is the issuer of every development token: ./dev token signs with the same key and issuer.
dev_oidc_port=8090
jwt_issuer="http://127.0.0.1:$dev_oidc_port"
jwt_audience=integration-suite
jwt_kid=dev-1
web_client_id=kurs-web

dbadmin_bin="$release_dir/tools/dbadmin/integration-dbadmin"
token_bin="$release_dir/tools/token/integration-token"
call_bin="$release_dir/tools/call/integration-call"

say() { printf 'dev: %s\n' "$*" >&2; }
die() {
  printf 'dev: error: %s\n' "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as the owner of the PostgreSQL clusters: postgres when we are root (the server
# refuses to run as root), else ourselves. From / so that an unreadable working directory of
# the caller cannot trip initdb or pg_ctl.
as_pg_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Hands a file or directory we created to the PostgreSQL owner (a no-op for ordinary users).
give_to_pg_owner() {
  if is_root; then chown -R postgres:postgres "$@"; fi
}

# Serialises commands that change the same servers; the lock is released when the shell exits.
# Servers started while it is held get 9>&- so that they do not keep it.
take_lock() {
  local name=$1
  mkdir -p "$run_dir"
  exec 9>"$run_dir/$name.lock"
  flock -n 9 || die "another ./dev $name is running in this checkout"
}

# ---------------------------------------------------------------------------------------------
# The services table (services.tsv): parallel arrays indexed by row.
svc_names=()
svc_binaries=()
svc_grpc_ports=()
svc_admin_ports=()
svc_schemas=()

load_services() {
  local file="$repo_root/services.tsv" line name binary grpc admin schema extra n=0
  [ -r "$file" ] || die "$file is missing"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case "$line" in '' | '#'*) continue ;; esac
    IFS=$'\t' read -r name binary grpc admin schema extra <<<"$line"
    if [ -z "$schema" ] || [ -n "$extra" ] || ! [[ $name =~ ^[a-z][a-z0-9_]*$ ]] ||
      ! [[ $grpc =~ ^[0-9]+$ && $admin =~ ^[0-9]+$ ]]; then
      die "services.tsv line $n: expected name, binary, gRPC port, admin port, schema separated by tabs"
    fi
    svc_names+=("$name")
    svc_binaries+=("$binary")
    svc_grpc_ports+=("$grpc")
    svc_admin_ports+=("$admin")
    svc_schemas+=("$schema")
  done <"$file"
  [ ${#svc_names[@]} -gt 0 ] || die "services.tsv lists no service"
}

# Prints the row index of a service given by name or binary name.
svc_index() {
  local i
  for i in "${!svc_names[@]}"; do
    if [ "${svc_names[$i]}" = "$1" ] || [ "${svc_binaries[$i]}" = "$1" ]; then
      printf '%s\n' "$i"
      return 0
    fi
  done
  return 1
}

# The environment-variable prefix of a service: TRAINING, EARLY_MEASURES, GATEWAY.
svc_prefix() { printf '%s' "${1^^}"; }

# Prints the path of a service's binary in the release build; fails when it was not built.
svc_binary_path() {
  local name=$1 binary=$2 path
  path="$release_dir/services/$name/$binary"
  if [ ! -f "$path" ] && [ -d "$release_dir/services" ]; then
    path="$(find "$release_dir/services" -maxdepth 3 -type f -name "$binary" -perm -u+x -print -quit)"
  fi
  [ -n "$path" ] && [ -f "$path" ] && [ -x "$path" ] || return 1
  printf '%s\n' "$path"
}

svc_pid_file() { printf '%s\n' "$run_dir/pids/$1.pid"; }
# The development OpenID provider runs as node; its pid file is dev-oidc.pid.
dev_oidc_pid_file="$run_dir/pids/dev-oidc.pid"
svc_log_file() { printf '%s\n' "$run_dir/logs/$1.log"; }

# ---------------------------------------------------------------------------------------------
# Processes.

# True when the process exists and is not a zombie.
proc_alive() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Prints the pid recorded in FILE when that process is alive and its command name is COMM, so
# that a stale pid file never makes us signal an unrelated process that reused the pid.
running_pid() {
  local file=$1 comm=$2 pid actual
  [ -r "$file" ] || return 1
  read -r pid <"$file" || [ -n "${pid:-}" ] || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_alive "$pid" || return 1
  actual="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [ "$actual" = "${comm:0:15}" ] || return 1
  printf '%s\n' "$pid"
}

# Sends SIGTERM (graceful shutdown: drain, then exit), waits up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local pid=$1 label=$2 timeout=${3:-20} waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while proc_alive "$pid"; do
    if [ "$waited" -ge $((timeout * 10)) ]; then
      say "$label did not stop within ${timeout}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints "secs.tenths" elapsed since START (from now_ms).
now_ms() { date +%s%3N; }
elapsed() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $(((ms % 1000) / 100))
}

# ---------------------------------------------------------------------------------------------
# Secrets (created once, owner-only).

ensure_secrets_dir() {
  (umask 077 && mkdir -p "$secrets_dir")
  chmod 700 "$secrets_dir"
}

# Writes BYTES random bytes as hex (no newline) into FILE unless it already has content.
ensure_random_hex() {
  local file=$1 bytes=$2
  [ -s "$file" ] && return 0
  (umask 077 && openssl rand -hex "$bytes" | tr -d '\n' >"$file.tmp" && mv "$file.tmp" "$file")
}

# A libpq connection-string value in single quotes, so paths with spaces or quotes survive.
conninfo_quote() {
  local v=${1//\\/\\\\}
  v=${v//\'/\\\'}
  printf "'%s'" "$v"
}

# DSN of the development cluster as the superuser; passwords come from the passfile.
dev_admin_dsn() {
  printf 'host=127.0.0.1 port=%s user=postgres dbname=%s passfile=%s connect_timeout=5' \
    "$dev_pg_port" "$1" "$(conninfo_quote "$secrets_dir/pgpass")"
}

# DSN of the development database as a service's runtime login role (<schema>_svc), or with
# $2 = migrator as the login its migrations run as (<schema>_migrator, which acts as the schema's
# owner <schema>_owner).
dev_service_dsn() {
  local login="${2:-svc}"
  printf 'host=127.0.0.1 port=%s user=%s_%s dbname=integration passfile=%s connect_timeout=5' \
    "$dev_pg_port" "$1" "$login" "$(conninfo_quote "$secrets_dir/pgpass")"
}

# ---------------------------------------------------------------------------------------------
# Private PostgreSQL clusters. A cluster's home holds data/, postgresql.log and the socket.

# Resolves (creating when needed) the home of a cluster reached as LINK inside the run folder
# and prints its physical path. As root the server runs as postgres, which may be unable to
# enter the checkout: then the home is /var/tmp/integration-suite-<hash of checkout>/NAME and
# LINK is a symlink to it. Socket paths are limited to 107 bytes, which the same detour avoids.
prepare_pg_home() {
  local link=$1 name=$2 parent outside hash physical
  parent="$(dirname "$link")"
  mkdir -p "$parent"
  if [ ! -e "$link" ] && [ ! -L "$link" ]; then
    physical="$(cd "$parent" && pwd -P)/$(basename "$link")"
    # The socket is <home>/.s.PGSQL.<port>: keep it well inside the 107-byte limit.
    if pg_home_reachable "$parent" && [ ${#physical} -lt 80 ]; then
      mkdir -m 700 "$link"
      give_to_pg_owner "$link"
    else
      hash="$(printf '%s' "$repo_root" | sha256sum | cut -c1-12)"
      outside="/var/tmp/integration-suite-$hash/$name"
      # A home left behind by a run folder that was deleted since holds nothing we know the
      # password of: stop its server if any and start afresh.
      if [ -d "$outside" ]; then
        pg_stop "$outside" immediate
        rm -rf "$outside"
      fi
      mkdir -p "$outside"
      chmod 700 "$(dirname "$outside")" "$outside"
      give_to_pg_owner "$(dirname "$outside")"
      ln -s "$outside" "$link"
    fi
  elif [ -L "$link" ] && [ ! -d "$link" ]; then
    outside="$(readlink "$link")"
    mkdir -p "$outside"
    chmod 700 "$(dirname "$outside")" "$outside"
    give_to_pg_owner "$(dirname "$outside")"
  fi
  (cd "$link" && pwd -P)
}

# Prints the physical home of the development cluster when it was created.
dev_pg_home() {
  [ -d "$run_dir/pg" ] || return 1
  (cd "$run_dir/pg" && pwd -P)
}

# True when the cluster owner can enter DIR (always, for an ordinary user in their checkout).
pg_home_reachable() {
  if is_root; then as_pg_owner test -x "$1" -a -r "$1"; else test -w "$1"; fi
}

# Single-quoted postgresql.conf string.
conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# initdb HOME with AUTH for TCP and the socket; PASSWORD_FILE sets the superuser's password.
pg_initdb() {
  local home=$1 auth=$2 password_file=${3:-} pw="" rc=0
  local args=(-D "$home/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local="$auth" --auth-host="$auth")
  # A data directory without PG_VERSION is debris of an interrupted initdb.
  rm -rf "$home/data"
  if [ -n "$password_file" ]; then
    # initdb runs as the cluster owner, which cannot read our secrets folder: hand it a copy.
    pw="$home/initdb.pw"
    (umask 077 && cp "$password_file" "$pw")
    give_to_pg_owner "$pw"
    args+=(--pwfile="$pw")
  fi
  as_pg_owner "$pg_bin/initdb" "${args[@]}" >"$home/initdb.log" 2>&1 || rc=$?
  [ -z "$pw" ] || rm -f "$pw"
  if [ "$rc" -ne 0 ]; then
    cat "$home/initdb.log" >&2
    die "initdb of $home/data failed"
  fi
  printf "\n# Written by the local runner (scripts/lib.sh) at every start.\ninclude_if_exists = 'runner.conf'\n" \
    >>"$home/data/postgresql.conf"
}

# Writes the settings of every start into HOME/data/runner.conf: loopback TCP on PORT, the
# socket in HOME (never /var/run/postgresql), plus extra "name = value" lines.
pg_configure() {
  local home=$1 port=$2 line
  shift 2
  {
    printf 'port = %s\n' "$port"
    printf "listen_addresses = '127.0.0.1'\n"
    printf 'unix_socket_directories = %s\n' "$(conf_quote "$home")"
    for line in "$@"; do printf '%s\n' "$line"; done
  } >"$home/data/runner.conf"
  give_to_pg_owner "$home/data/runner.conf"
}

pg_running() {
  [ -f "$1/data/PG_VERSION" ] && as_pg_owner "$pg_bin/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# The command that (re)starts a cluster, as a shell string for INTEGRATION_TEST_PG_RESTART.
pg_ctl_command() {
  local home=$1 action=$2 cmd
  cmd="$(printf '%q ' "$pg_bin/pg_ctl" -D "$home/data" -l "$home/postgresql.log" -s -w -t 60 -m fast "$action")"
  if is_root; then cmd="cd / && runuser -u postgres -- $cmd"; fi
  printf '%s\n' "${cmd% }"
}

pg_start() {
  local home=$1 port=$2
  if port_open "$port"; then
    die "port $port is taken by another program, so this checkout's PostgreSQL cannot start (another checkout's ./dev up?)"
  fi
  # 9>&-: long-lived servers must not inherit (and so hold) the lock of take_lock.
  if ! as_pg_owner "$pg_bin/pg_ctl" -D "$home/data" -l "$home/postgresql.log" -w -t 60 start >/dev/null 9>&-; then
    tail -n 30 "$home/postgresql.log" >&2 || true
    die "PostgreSQL in $home did not start"
  fi
}

# pg_stop HOME [fast|immediate]: stops the cluster if it runs; the data stays.
pg_stop() {
  local home=$1 mode=${2:-fast}
  if pg_running "$home"; then
    as_pg_owner "$pg_bin/pg_ctl" -D "$home/data" -w -t 60 -m "$mode" stop >/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------
# Private Redis servers: DIR holds redis.conf, the pid file, the log and the data.

# redis_start DIR PORT yes|no (persistence: append-only file and snapshots, or nothing).
redis_start() {
  local dir=$1 port=$2 persist=$3 i
  mkdir -p "$dir"
  chmod 700 "$dir"
  {
    printf 'port %s\nbind 127.0.0.1\nprotected-mode yes\ndaemonize yes\n' "$port"
    printf 'dir %s\npidfile %s\nlogfile %s\n' "$(redis_quote "$dir")" \
      "$(redis_quote "$dir/redis.pid")" "$(redis_quote "$dir/redis.log")"
    if [ "$persist" = yes ]; then
      printf 'appendonly yes\n'
    else
      printf 'appendonly no\nsave ""\n'
    fi
  } >"$dir/redis.conf"
  if running_pid "$dir/redis.pid" redis-server >/dev/null; then
    return 0
  fi
  if port_open "$port"; then
    die "port $port is taken by another program, so this checkout's Redis cannot start"
  fi
  redis-server "$dir/redis.conf" 9>&- || die "redis-server did not start (see $dir/redis.log)"
  for i in $(seq 1 100); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$dir/redis.log" >&2 || true
  die "Redis on port $port did not answer within 10 s"
}

redis_stop() {
  local pid
  if pid="$(running_pid "$1/redis.pid" redis-server)"; then
    stop_pid "$pid" Redis 30
  fi
}

# Double-quoted redis.conf string.
redis_quote() {
  local v=${1//\\/\\\\}
  printf '"%s"' "${v//\"/\\\"}"
}
