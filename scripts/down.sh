#!/usr/bin/env bash
# ./dev down: stops the services, Redis and PostgreSQL of this checkout; all data is kept.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 0 ] || die "down takes no arguments"
load_services
if [ ! -d "$run_dir" ]; then
  say "nothing to stop (no .run folder)"
  exit 0
fi
take_lock up

for i in "${!svc_names[@]}"; do
  pid_file="$(svc_pid_file "${svc_names[$i]}")"
  if pid="$(running_pid "$pid_file" "${svc_binaries[$i]}")"; then
    stop_pid "$pid" "${svc_names[$i]}" 20
    say "stopped ${svc_names[$i]}"
  fi
  rm -f "$pid_file"
done

if pid="$(running_pid "$dev_oidc_pid_file" node)"; then
  stop_pid "$pid" "dev OpenID provider" 10
  say "stopped the development OpenID provider"
fi
rm -f "$dev_oidc_pid_file"

if running_pid "$run_dir/redis/redis.pid" redis-server >/dev/null; then
  redis_stop "$run_dir/redis"
  say "stopped Redis"
fi

if pg_home="$(dev_pg_home)" && pg_running "$pg_home"; then
  pg_stop "$pg_home" fast
  say "stopped PostgreSQL"
fi
say "down (data kept in .run/)"
