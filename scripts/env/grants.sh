#!/usr/bin/env bash
# Settings of grants-server under ./dev up beyond the common ones: early_measures' address (the
# participant figures of TIA reports) and the service's own token for it, signed locally with
# the development key that the development JWKS already lists (in Kubernetes the service has a
# key of its own, k8s/README.md "Service tokens"). Prints NAME=VALUE lines; see scripts/up.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
em_port="$(awk -F'\t' '$1 == "early_measures" { print $3 }' "$repo_root/services.tsv")"
echo "GRANTS_EARLY_MEASURES_ADDR=127.0.0.1:$em_port"
echo "GRANTS_SERVICE_TOKEN_KEY_FILE=$SECRETS_DIR/jwt_dev_key.pem"
echo "GRANTS_SERVICE_TOKEN_KID=$jwt_kid"
echo "GRANTS_SERVICE_TOKEN_ISSUER=$jwt_issuer"
echo "GRANTS_SERVICE_TOKEN_AUDIENCE=$jwt_audience"
