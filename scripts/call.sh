#!/usr/bin/env bash
# ./dev call <package.Service/Method> '<json>' [--token T] [--target host:port] [flags]: calls
# one RPC with integration-call. Without --target the call goes to the service that owns the
# package (lansstyrelsen.integration.<service>.v1), at its port from services.tsv.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -x "$call_bin" ] || die "$call_bin is missing: run ./dev up (it builds the tools)"
load_services

# Find the method and whether a target was given; flags of integration-call that take a value
# are skipped with their value. Everything is passed on unchanged.
method=""
target_given=0
args=("$@")
for ((k = 0; k < ${#args[@]}; k++)); do
  case "${args[$k]}" in
    --target | --target=*) target_given=1 ;;&
    --target | --token | --timeout | --request-id | --ca-file | --cert-file | --key-file | --output) k=$((k + 1)) ;;
    -h | --help | --list) exec "$call_bin" "$@" ;;
    -*) ;;
    *) if [ -z "$method" ]; then method="${args[$k]}"; fi ;;
  esac
done
[ -n "$method" ] || die "usage: ./dev call <package.Service/Method> '<json>' [--token T] [--target host:port]"

if [ "$target_given" -eq 0 ] && [ -z "${INTEGRATION_TARGET:-}" ]; then
  package="${method#/}"
  package="${package%%/*}"
  if [[ $package =~ ^lansstyrelsen\.integration\.([a-z0-9_]+)\. ]] &&
    i="$(svc_index "${BASH_REMATCH[1]}")"; then
    exec "$call_bin" --target "127.0.0.1:${svc_grpc_ports[$i]}" "$@"
  fi
  die "no service in services.tsv serves '$method': pass --target host:port"
fi
exec "$call_bin" "$@"
