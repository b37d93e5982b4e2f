#!/usr/bin/env bash
# Settings of early-measures-server under ./dev up beyond the common ones: grants' address (the
# funding check) and the service's own token for it, signed locally with the development key
# that the development JWKS already lists (in Kubernetes the service has a key of its own,
# k8s/README.md "Service tokens"). Prints NAME=VALUE lines; see scripts/up.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
grants_port="$(awk -F'\t' '$1 == "grants" { print $3 }' "$repo_root/services.tsv")"
echo "EARLY_MEASURES_GRANTS_ADDR=127.0.0.1:$grants_port"
echo "EARLY_MEASURES_SERVICE_TOKEN_KEY_FILE=$SECRETS_DIR/jwt_dev_key.pem"
echo "EARLY_MEASURES_SERVICE_TOKEN_KID=$jwt_kid"
echo "EARLY_MEASURES_SERVICE_TOKEN_ISSUER=$jwt_issuer"
echo "EARLY_MEASURES_SERVICE_TOKEN_AUDIENCE=$jwt_audience"
