#!/usr/bin/env bash
# ./dev token --role R [--kommun K|--orgnr O|--sub S|--lan L|--agency A|--scope S]: prints a JWT
# signed with the development key that ./dev up created, for the dev issuer and audience.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

key="$secrets_dir/jwt_dev_key.pem"
[ -s "$key" ] || die "no development signing key: run ./dev up first (it creates .run/secrets/jwt_dev_key.pem)"
[ -x "$token_bin" ] || die "$token_bin is missing: run ./dev up (it builds the tools)"
case " $* " in
  *" --role "* | *" --role="*) ;;
  *" -h "* | *" --help "*) exec "$token_bin" --help ;;
  *) die "usage: ./dev token --role R [--kommun K|--orgnr O|--sub S|--lan L|--agency A|--scope S]" ;;
esac
exec "$token_bin" --key-file "$key" --kid "$jwt_kid" --issuer "$jwt_issuer" \
  --audience "$jwt_audience" "$@"
