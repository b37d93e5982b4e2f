#!/usr/bin/env bash
# ./dev up: installs what is missing, builds (release), starts the private PostgreSQL and Redis,
# creates the database, schemas and roles, migrates, (re)starts every built service, loads demo
# data and prints the endpoints. Safe to re-run: data is kept, running services get the new build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      echo "usage: ./dev up [--no-build]   (--no-build: skip package install and build)"
      exit 0
      ;;
    *) die "up: unknown argument '$1' (see ./dev help)" ;;
  esac
  shift
done

load_services
take_lock up
mkdir -p "$run_dir/logs" "$run_dir/pids"
ensure_secrets_dir
started_at="$(now_ms)"

# --- packages and build ------------------------------------------------------------------------
if [ "$build" -eq 1 ]; then
  t="$(now_ms)"
  "$repo_root/scripts/deps.sh"
  say "packages ready ($(elapsed "$t"))"
  t="$(now_ms)"
  # Only what ./dev up starts and uses: the binaries of the services in services.tsv that have
  # a directory, and the tools (./dev bench builds its own programs).
  targets=(integration-dbadmin integration-token integration-call)
  for i in "${!svc_names[@]}"; do
    if [ -f "$repo_root/services/${svc_names[$i]}/CMakeLists.txt" ]; then
      targets+=("${svc_binaries[$i]}")
    fi
  done
  # The web course (web/, npm packages from scripts/deps.sh), served by the gateway.
  targets+=(web)
  (cd "$repo_root" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target "${targets[@]}")
  say "release build of ${targets[*]} ready in build/release ($(elapsed "$t"))"
fi

# --- secrets (created once) --------------------------------------------------------------------
ensure_random_hex "$secrets_dir/pg_admin_password" 24
ensure_random_hex "$secrets_dir/pnr_encryption_key" 32
ensure_random_hex "$secrets_dir/pnr_hmac_key" 32
# The key ring of the token subjects' pseudonyms (SubjectPseudonymiser): "<key id> <hex>", the
# current key first. Rotating: put a new line first and keep the old one below it.
if [ ! -s "$secrets_dir/subject_keys" ]; then
  (umask 077 && printf 's1 %s\n' "$(openssl rand -hex 32)" >"$secrets_dir/subject_keys.tmp" &&
    mv "$secrets_dir/subject_keys.tmp" "$secrets_dir/subject_keys")
fi
for i in "${!svc_names[@]}"; do
  if [ "${svc_schemas[$i]}" != - ]; then
    ensure_random_hex "$secrets_dir/pg_${svc_names[$i]}_password" 24
    ensure_random_hex "$secrets_dir/pg_${svc_names[$i]}_migrator_password" 24
  fi
done
if [ ! -s "$secrets_dir/jwt_dev_key.pem" ]; then
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$secrets_dir/jwt_dev_key.pem.tmp" &&
    mv "$secrets_dir/jwt_dev_key.pem.tmp" "$secrets_dir/jwt_dev_key.pem")
fi
# libpq reads passwords from here, so DSNs in environments and process lists carry none.
(umask 077 && {
  printf '127.0.0.1:%s:*:postgres:%s\n' "$dev_pg_port" "$(cat "$secrets_dir/pg_admin_password")"
  for i in "${!svc_names[@]}"; do
    if [ "${svc_schemas[$i]}" != - ]; then
      printf '127.0.0.1:%s:*:%s_svc:%s\n' "$dev_pg_port" "${svc_schemas[$i]}" \
        "$(cat "$secrets_dir/pg_${svc_names[$i]}_password")"
      printf '127.0.0.1:%s:*:%s_migrator:%s\n' "$dev_pg_port" "${svc_schemas[$i]}" \
        "$(cat "$secrets_dir/pg_${svc_names[$i]}_migrator_password")"
    fi
  done
} >"$secrets_dir/pgpass.tmp")
mv "$secrets_dir/pgpass.tmp" "$secrets_dir/pgpass"

# --- PostgreSQL and Redis ----------------------------------------------------------------------
[ -x "$pg_bin/initdb" ] || die "$pg_bin/initdb is missing: run ./dev up without --no-build once (it installs PostgreSQL 15)"
pg_home="$(prepare_pg_home "$run_dir/pg" pg)"
if [ ! -f "$pg_home/data/PG_VERSION" ]; then
  say "creating the PostgreSQL cluster in $pg_home/data"
  pg_initdb "$pg_home" scram-sha-256 "$secrets_dir/pg_admin_password"
fi
pg_configure "$pg_home" "$dev_pg_port"
if pg_running "$pg_home"; then
  say "PostgreSQL already running on 127.0.0.1:$dev_pg_port"
else
  pg_start "$pg_home" "$dev_pg_port"
  say "PostgreSQL started on 127.0.0.1:$dev_pg_port"
fi
if ! psql "$(dev_admin_dsn postgres)" -XAtq -c 'SELECT 1' >/dev/null 2>&1; then
  die "cannot log in to PostgreSQL as postgres with .run/secrets/pg_admin_password; if the secrets were deleted, run ./dev down and remove .run/pg to start afresh"
fi
redis_start "$run_dir/redis" "$dev_redis_port" yes
say "Redis running on 127.0.0.1:$dev_redis_port"

# --- database, schemas and roles ---------------------------------------------------------------
[ -x "$dbadmin_bin" ] || die "$dbadmin_bin is missing: the release build did not produce integration-dbadmin (tools/dbadmin), which creates the database, schemas and roles"
"$dbadmin_bin" create-database --dsn "$(dev_admin_dsn postgres)" --database integration >/dev/null
for i in "${!svc_names[@]}"; do
  if [ "${svc_schemas[$i]}" != - ]; then
    "$dbadmin_bin" bootstrap --dsn "$(dev_admin_dsn integration)" --service "${svc_schemas[$i]}" \
      --password-file "$secrets_dir/pg_${svc_names[$i]}_password" \
      --migrator-password-file "$secrets_dir/pg_${svc_names[$i]}_migrator_password" >/dev/null
  fi
done
say "database integration ready: per service a schema owned by <schema>_owner, migrated as <schema>_migrator, served as <schema>_svc"

# --- token verification keys -------------------------------------------------------------------
[ -x "$token_bin" ] || die "$token_bin is missing: the release build did not produce integration-token (tools/token), which publishes the dev signing key as JWKS"
"$token_bin" jwks --key-file "$secrets_dir/jwt_dev_key.pem" --kid "$jwt_kid" >"$secrets_dir/jwks.json.tmp"
mv "$secrets_dir/jwks.json.tmp" "$secrets_dir/jwks.json"

# --- services ----------------------------------------------------------------------------------
# Fills env_vars with the settings of service row $1: the common ones (listeners on loopback
# only, since development runs plaintext), the gateway's front and backends, and the lines that
# scripts/env/<service>.sh prints for settings of its own (see extra_env below).
service_env() {
  local i=$1 p j backends=""
  p="$(svc_prefix "${svc_names[$i]}")"
  env_vars=(
    "${p}_LISTEN_HOST=127.0.0.1"
    "${p}_GRPC_PORT=${svc_grpc_ports[$i]}"
    "${p}_ADMIN_PORT=${svc_admin_ports[$i]}"
    # No load balancer to notice NOT_SERVING locally, so restarts need not wait for one.
    "${p}_SHUTDOWN_DELAY=0s"
    "${p}_REDIS_ADDR=127.0.0.1:$dev_redis_port"
    "${p}_JWKS_FILE=$secrets_dir/jwks.json"
    "${p}_SUBJECT_KEY_FILE=$secrets_dir/subject_keys"
    "${p}_JWT_ISSUER=$jwt_issuer"
    "${p}_JWT_AUDIENCE=$jwt_audience"
    "${p}_PNR_ENCRYPTION_KEY_FILE=$secrets_dir/pnr_encryption_key"
    "${p}_PNR_HMAC_KEY_FILE=$secrets_dir/pnr_hmac_key"
  )
  if [ "${svc_schemas[$i]}" != - ]; then
    env_vars+=("${p}_PG_DSN=$(dev_service_dsn "${svc_schemas[$i]}")")
  fi
  if [ "${svc_names[$i]}" = gateway ]; then
    # Only services that run are exposed: <service>=<host:port>,...
    for j in "${!svc_names[@]}"; do
      if [ "${svc_names[$j]}" != gateway ] && [ -n "${binaries[$j]}" ]; then
        backends="${backends:+$backends,}${svc_names[$j]}=127.0.0.1:${svc_grpc_ports[$j]}"
      fi
    done
    env_vars+=("${p}_HTTP_HOST=127.0.0.1" "${p}_HTTP_PORT=$gateway_http_port" "${p}_BACKENDS=$backends")
    if [ -f "$release_dir/web/dist/index.html" ]; then
      env_vars+=("${p}_WEB_DIR=$release_dir/web/dist" "${p}_WEB_OIDC_AUTHORITY=$jwt_issuer"
        "${p}_WEB_OIDC_CLIENT_ID=$web_client_id")
    fi
  fi
  if [ -n "${extra_env[$i]}" ]; then
    mapfile -t -O "${#env_vars[@]}" env_vars <<<"${extra_env[$i]}"
  fi
}

# Running servers are stopped first so that each restarts with the new build and migrations.
for i in "${!svc_names[@]}"; do
  if pid="$(running_pid "$(svc_pid_file "${svc_names[$i]}")" "${svc_binaries[$i]}")"; then
    say "stopping ${svc_names[$i]} (pid $pid) to restart it"
    stop_pid "$pid" "${svc_names[$i]}" 20
  fi
  rm -f "$(svc_pid_file "${svc_names[$i]}")"
done

states=()
binaries=()
pids=()
for i in "${!svc_names[@]}"; do
  states[i]="not built"
  binaries[i]=""
  if bin="$(svc_binary_path "${svc_names[$i]}" "${svc_binaries[$i]}")"; then
    binaries[i]="$bin"
  fi
done

# scripts/env/<service>.sh, where it exists, prepares what only that service needs (e.g. a
# signing key under $SECRETS_DIR, created once) and prints its extra settings as NAME=VALUE lines.
extra_env=()
for i in "${!svc_names[@]}"; do
  extra_env[i]=""
  hook="$repo_root/scripts/env/${svc_names[$i]}.sh"
  if [ -n "${binaries[$i]}" ] && [ -f "$hook" ]; then
    extra_env[i]="$(RUN_DIR="$run_dir" SECRETS_DIR="$secrets_dir" bash "$hook")" ||
      die "$hook failed"
    while IFS= read -r line; do
      [[ $line =~ ^[A-Z][A-Z0-9_]*= ]] || die "$hook printed '$line', expected NAME=VALUE lines"
    done <<<"${extra_env[$i]}"
  fi
done

for i in "${!svc_names[@]}"; do
  if [ -z "${binaries[$i]}" ] || [ "${svc_schemas[$i]}" = - ]; then continue; fi
  service_env "$i"
  migrate_log="$run_dir/logs/${svc_names[$i]}.migrate.log"
  # Migrations log in as the migrator (acting as the schema's owner); the server then runs as
  # the runtime role, which cannot change the schema.
  if ! env "${env_vars[@]}" \
    "$(svc_prefix "${svc_names[$i]}")_PG_DSN=$(dev_service_dsn "${svc_schemas[$i]}" migrator)" \
    "${binaries[$i]}" migrate </dev/null >"$migrate_log" 2>&1; then
    tail -n 30 "$migrate_log" >&2
    die "${svc_binaries[$i]} migrate failed (log: $migrate_log)"
  fi
  say "migrated ${svc_names[$i]}"
done

for i in "${!svc_names[@]}"; do
  [ -n "${binaries[$i]}" ] || continue
  name="${svc_names[$i]}"
  for port in "${svc_grpc_ports[$i]}" "${svc_admin_ports[$i]}"; do
    if port_open "$port"; then die "port $port of $name is taken by another program"; fi
  done
  service_env "$i"
  log="$(svc_log_file "$name")"
  if [ -f "$log" ]; then mv -f "$log" "$log.1"; fi
  # setsid: the server gets its own session, so a Ctrl-C at this terminal does not reach it.
  env "${env_vars[@]}" setsid "${binaries[$i]}" </dev/null >"$log" 2>&1 9>&- &
  pids[i]=$!
  echo "${pids[$i]}" >"$(svc_pid_file "$name")"
  states[i]="starting"
done

# Readiness: every started server's admin /readyz must answer 200 within 15 s.
deadline=$(($(now_ms) + 15000))
failed=0
while :; do
  pending=0
  for i in "${!svc_names[@]}"; do
    [ "${states[$i]}" = starting ] || continue
    name="${svc_names[$i]}"
    # The pid is alive from the fork on; its command name becomes the binary's only after exec.
    if ! proc_alive "${pids[$i]}"; then
      status=0
      wait "${pids[$i]}" 2>/dev/null || status=$?
      states[i]="exited (status $status)"
      failed=1
      continue
    fi
    code="$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:${svc_admin_ports[$i]}/readyz" || true)"
    if [ "$code" = 200 ]; then
      states[i]="ready"
    else
      pending=1
    fi
  done
  [ "$pending" -eq 1 ] || break
  if [ "$(now_ms)" -ge "$deadline" ]; then
    for i in "${!svc_names[@]}"; do
      if [ "${states[$i]}" = starting ]; then
        states[i]="not ready"
        failed=1
      fi
    done
    break
  fi
  sleep 0.2
done
if [ "$failed" -eq 1 ]; then
  for i in "${!svc_names[@]}"; do
    case "${states[$i]}" in
      exited* | "not ready")
        log="$(svc_log_file "${svc_names[$i]}")"
        printf '\n--- %s: %s; last lines of %s ---\n' "${svc_names[$i]}" "${states[$i]}" "$log" >&2
        tail -n 30 "$log" >&2 || true
        ;;
    esac
  done
fi

# --- demo data ---------------------------------------------------------------------------------
# scripts/demo/<service>.sh loads demo data into its running service and must be safe to re-run.
# It gets CALL (integration-call), TARGET (the service's gRPC host:port), TOKEN (a county_admin
# token for county 01) and DEV (./dev, e.g. for "$DEV token --role ..." with other roles).
if [ "$failed" -eq 0 ]; then
  for i in "${!svc_names[@]}"; do
    demo="$repo_root/scripts/demo/${svc_names[$i]}.sh"
    if [ "${states[$i]}" = ready ] && [ -f "$demo" ]; then
      [ -x "$call_bin" ] || die "$call_bin is missing: the release build did not produce integration-call (tools/call), which loads the demo data"
      demo_token="$("$token_bin" --key-file "$secrets_dir/jwt_dev_key.pem" --kid "$jwt_kid" \
        --issuer "$jwt_issuer" --audience "$jwt_audience" --role county_admin --lan 01 \
        --sub dev-demo-loader --ttl 1h)"
      CALL="$call_bin" TARGET="127.0.0.1:${svc_grpc_ports[$i]}" TOKEN="$demo_token" \
        DEV="$repo_root/dev" bash "$demo" || die "demo data of ${svc_names[$i]} failed ($demo)"
      say "demo data loaded into ${svc_names[$i]}"
    fi
  done
fi

# --- development OpenID provider -----------------------------------------------------------------
# Learners sign in to the web course here with any name and password; it signs with the
# development key (the JWKS above), so the gateway and the services accept its tokens.
if pid="$(running_pid "$dev_oidc_pid_file" node)"; then
  stop_pid "$pid" "dev OpenID provider" 10
fi
rm -f "$dev_oidc_pid_file"
oidc_state="not started (web/node_modules missing: run ./dev up without --no-build)"
if [ -d "$repo_root/web/node_modules/oidc-provider" ]; then
  if port_open "$dev_oidc_port"; then die "port $dev_oidc_port of the development OpenID provider is taken by another program"; fi
  oidc_log="$run_dir/logs/dev-oidc.log"
  setsid node "$repo_root/web/dev-oidc/provider.mjs" --port "$dev_oidc_port" --issuer "$jwt_issuer" \
    --audience "$jwt_audience" --key-file "$secrets_dir/jwt_dev_key.pem" --kid "$jwt_kid" \
    --client-id "$web_client_id" --app-url "http://127.0.0.1:$gateway_http_port" \
    </dev/null >"$oidc_log" 2>&1 9>&- &
  echo $! >"$dev_oidc_pid_file"
  oidc_state="not ready (log: $oidc_log)"
  for _ in $(seq 1 50); do
    if port_open "$dev_oidc_port"; then
      oidc_state=ready
      break
    fi
    sleep 0.2
  done
fi

# --- summary -----------------------------------------------------------------------------------
echo
printf '%-16s %-18s %-18s %s\n' component gRPC admin state
for i in "${!svc_names[@]}"; do
  printf '%-16s %-18s %-18s %s\n' "${svc_names[$i]}" "127.0.0.1:${svc_grpc_ports[$i]}" \
    "127.0.0.1:${svc_admin_ports[$i]}" "${states[$i]}"
done
echo
gw="$(svc_index gateway || true)"
if [ -n "$gw" ] && [ "${states[$gw]}" = ready ]; then
  echo "HTTP/JSON (gateway): http://127.0.0.1:$gateway_http_port/v1 (GET /openapi.json describes it)"
  if [ -f "$release_dir/web/dist/index.html" ]; then
    echo "Web course: http://127.0.0.1:$gateway_http_port/   (sign in with any name and password)"
  fi
fi
echo "OpenID:     $jwt_issuer (development provider: $oidc_state)"
echo "PostgreSQL: 127.0.0.1:$dev_pg_port, database integration, superuser postgres (password in .run/secrets/pg_admin_password); ./dev psql [service [--migrator]]"
echo "Redis:      127.0.0.1:$dev_redis_port"
echo "Token:      ./dev token --role county_officer --lan 01   (then ./dev call METHOD JSON --token TOKEN)"
echo "Logs:       ./dev logs <component>; stop everything with ./dev down"
say "up finished in $(elapsed "$started_at")"
[ "$failed" -eq 0 ] || die "some services did not become ready (see above)"
