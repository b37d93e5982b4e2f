#!/usr/bin/env bash
# ./dev status: whether PostgreSQL, Redis and the development OpenID provider run, the schemas
# and roles in the database, and the state of every service. Exits 0 when all of them and every
# built service are ready.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 0 ] || die "status takes no arguments"
load_services
healthy=1

if pg_home="$(dev_pg_home)" && pg_running "$pg_home"; then
  echo "PostgreSQL: running on 127.0.0.1:$dev_pg_port (data in $pg_home/data)"
  if [ ! -r "$secrets_dir/pgpass" ]; then
    echo "  cannot log in: .run/secrets/pgpass is missing (run ./dev up)"
    healthy=0
  elif ! psql "$(dev_admin_dsn postgres)" -XAtq -c 'SELECT 1' >/dev/null 2>&1; then
    echo "  cannot log in as postgres with .run/secrets/pg_admin_password"
    healthy=0
  elif [ "$(psql "$(dev_admin_dsn postgres)" -XAtq -c "SELECT count(*) FROM pg_database WHERE datname = 'integration'")" != 1 ]; then
    echo "  database integration: not created yet (./dev up creates it)"
    healthy=0
  else
    echo "  database integration, schemas (owner):"
    psql "$(dev_admin_dsn integration)" -XAtq -F ' ' -c "
      SELECT '    ' || n.nspname || ' (' || pg_get_userbyid(n.nspowner) || ')'
      FROM pg_namespace n
      WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname NOT IN ('information_schema', 'public')
      ORDER BY 1"
    echo "  login roles:"
    psql "$(dev_admin_dsn integration)" -XAtq -c "
      SELECT '    ' || rolname || CASE WHEN rolsuper THEN ' (superuser)' ELSE '' END
      FROM pg_roles WHERE rolcanlogin ORDER BY rolname"
  fi
else
  echo "PostgreSQL: stopped"
  healthy=0
fi

if [ "$(redis-cli -h 127.0.0.1 -p "$dev_redis_port" ping 2>/dev/null)" = PONG ] &&
  running_pid "$run_dir/redis/redis.pid" redis-server >/dev/null; then
  echo "Redis:      running on 127.0.0.1:$dev_redis_port"
else
  echo "Redis:      stopped"
  healthy=0
fi

# The development OpenID provider the web course signs in with (started by ./dev up).
if pid="$(running_pid "$dev_oidc_pid_file" node)" && port_open "$dev_oidc_port"; then
  echo "OpenID:     development provider running at $jwt_issuer (pid $pid)"
else
  echo "OpenID:     development provider stopped (./dev up starts it)"
  healthy=0
fi

echo
printf '%-16s %-18s %-18s %s\n' component gRPC admin state
for i in "${!svc_names[@]}"; do
  name="${svc_names[$i]}"
  if pid="$(running_pid "$(svc_pid_file "$name")" "${svc_binaries[$i]}")"; then
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:${svc_admin_ports[$i]}/readyz" || true)"
    if [ "$code" = 200 ]; then
      state="ready (pid $pid)"
    else
      [ "$code" != 000 ] || code="no answer"
      state="running, not ready (pid $pid, /readyz: $code)"
      healthy=0
    fi
  elif svc_binary_path "$name" "${svc_binaries[$i]}" >/dev/null; then
    state="stopped"
    healthy=0
  else
    state="not built"
  fi
  printf '%-16s %-18s %-18s %s\n' "$name" "127.0.0.1:${svc_grpc_ports[$i]}" \
    "127.0.0.1:${svc_admin_ports[$i]}" "$state"
done
[ "$healthy" -eq 1 ]
