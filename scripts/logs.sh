#!/usr/bin/env bash
# ./dev logs <component> [-n N]: follows a component's log (tail -f), or prints its last N lines.
# Components: the services of services.tsv (by name or binary), postgres, redis.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: ./dev logs <service|postgres|redis> [-n N]   (without -n: follow)"
component=""
lines=""
while [ $# -gt 0 ]; do
  case "$1" in
    -n)
      [ $# -ge 2 ] || die "$usage"
      lines=$2
      shift
      ;;
    -n*) lines=${1#-n} ;;
    -h | --help)
      echo "$usage"
      exit 0
      ;;
    -*) die "logs: unknown flag '$1'; $usage" ;;
    *)
      [ -z "$component" ] || die "$usage"
      component=$1
      ;;
  esac
  shift
done
[ -n "$component" ] || die "$usage"
[ -z "$lines" ] || [[ $lines =~ ^[0-9]+$ ]] || die "logs: -n needs a number of lines"

load_services
case "$component" in
  postgres | postgresql | pg)
    pg_home="$(dev_pg_home)" || die "no PostgreSQL cluster yet: run ./dev up"
    log="$pg_home/postgresql.log"
    ;;
  redis) log="$run_dir/redis/redis.log" ;;
  *)
    i="$(svc_index "$component")" || die "unknown component '$component' (services: ${svc_names[*]}; or postgres, redis)"
    log="$(svc_log_file "${svc_names[$i]}")"
    ;;
esac
[ -f "$log" ] || die "no log yet at $log (has ./dev up started $component?)"
if [ -n "$lines" ]; then
  exec tail -n "$lines" "$log"
fi
# -F: keep following when ./dev up restarts the service and rotates its log.
exec tail -n 50 -F "$log"
