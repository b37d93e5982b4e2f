#!/usr/bin/env bash
# Settings of orientation-server under ./dev up beyond the common ones: the development key that
# signs certificates of completion, created once (certificates already issued verify only with
# this key). Prints NAME=VALUE lines; see scripts/up.sh.
set -euo pipefail
key="$SECRETS_DIR/certificate_signing_key.pem"
if [ ! -s "$key" ]; then
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$key.tmp" && mv "$key.tmp" "$key")
fi
echo "ORIENTATION_CERTIFICATE_SIGNING_KEY_FILE=$key"
