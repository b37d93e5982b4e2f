#!/bin/sh
# Container tls-reload of the Redis pod: when cert-manager renews Redis's certificate and the
# kubelet updates the mounted Secret redis-tls, tells Redis to read its TLS files again (Redis
# 7.2 reloads them on CONFIG SET of tls-cert-file and friends, even to the same path), so
# renewals need no restart. Checks every $REDIS_TLS_RELOAD_INTERVAL seconds (default 60);
# connects as the admin user over TLS with Redis's own certificate (it allows client auth).
set -eu
dir=/etc/redis-tls
interval=${REDIS_TLS_RELOAD_INTERVAL:-60}
fingerprint() { cat "$dir/tls.crt" "$dir/tls.key" "$dir/ca.crt" 2>/dev/null | sha256sum; }
last=$(fingerprint)
while :; do
  sleep "$interval"
  now=$(fingerprint)
  [ "$now" != "$last" ] || continue
  if timeout 10 redis-cli --tls --cacert "$dir/ca.crt" --cert "$dir/tls.crt" --key "$dir/tls.key" --sni redis \
    -h 127.0.0.1 -p 6380 --user admin CONFIG SET tls-cert-file "$dir/tls.crt" \
    tls-key-file "$dir/tls.key" tls-ca-cert-file "$dir/ca.crt" | grep -qx OK; then
    echo "tls-reload: Redis re-read its certificate files" >&2
    last=$now
  else
    echo "tls-reload: CONFIG SET failed; retrying in ${interval}s" >&2
  fi
done
