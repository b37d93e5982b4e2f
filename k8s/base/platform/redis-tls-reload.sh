#!/bin/sh
# Container tls-reload of the Redis pod: when cert-manager renews Redis's certificate and the
# kubelet updates the mounted Secret redis-tls, tells Redis to read its TLS files again (Redis
# 7.2 reloads them on CONFIG SET of tls-cert-file and friends, even to the same path), so
# renewals need no restart. Checks every $REDIS_TLS_RELOAD_INTERVAL seconds (default 60);
# connects as the admin user (password in REDISCLI_AUTH) over TLS with Redis's own certificate
# (it allows client auth). It does not verify Redis's certificate (--insecure): the connection
# stays on the pod's loopback, and after a change of CA (README, "TLS inside the cluster") the
# new CA file cannot verify the certificate Redis serves until this very command has run. REDIS_TLS_DIR and REDIS_TLS_PORT exist for the local test
# (common/test/redis/redis_tls_proxy_integration_test.cc).
set -eu
dir=${REDIS_TLS_DIR:-/etc/redis-tls}
port=${REDIS_TLS_PORT:-6380}
interval=${REDIS_TLS_RELOAD_INTERVAL:-60}
fingerprint() { cat "$dir/tls.crt" "$dir/tls.key" "$dir/ca.crt" 2>/dev/null | sha256sum; }
last=$(fingerprint)
while :; do
  sleep "$interval"
  now=$(fingerprint)
  [ "$now" != "$last" ] || continue
  if timeout 10 redis-cli --tls --insecure --cert "$dir/tls.crt" --key "$dir/tls.key" \
    -h 127.0.0.1 -p "$port" --user admin CONFIG SET tls-cert-file "$dir/tls.crt" \
    tls-key-file "$dir/tls.key" tls-ca-cert-file "$dir/ca.crt" | grep -qx OK; then
    echo "tls-reload: Redis re-read its certificate files" >&2
    last=$now
  else
    echo "tls-reload: CONFIG SET failed; retrying in ${interval}s" >&2
  fi
done
