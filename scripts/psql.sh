#!/usr/bin/env bash
# ./dev psql [service [--migrator]] [psql args...]: psql into the development database, as the
# superuser, as a service's runtime role (which sees only that service's schema and cannot change
# it), or with --migrator as its migrator login (SET ROLE <schema>_owner to change the schema).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

load_services
[ -r "$secrets_dir/pgpass" ] || die "no database credentials yet: run ./dev up first"
dsn="$(dev_admin_dsn integration)"
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  i="$(svc_index "$1")" || die "unknown service '$1' (services: ${svc_names[*]})"
  [ "${svc_schemas[$i]}" != - ] || die "${svc_names[$i]} has no database schema"
  dsn="$(dev_service_dsn "${svc_schemas[$i]}")"
  shift
  if [ "${1:-}" = --migrator ]; then
    dsn="$(dev_service_dsn "${svc_schemas[$i]}" migrator)"
    shift
  fi
fi
exec psql "$dsn" "$@"
