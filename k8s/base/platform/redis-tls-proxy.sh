#!/bin/sh
# Runs stunnel (the Redis TLS client sidecar) with the configuration $1 and reloads it (SIGHUP:
# stunnel reads its configuration, certificate and key again; open connections stay) whenever
# one of the files it names as cert, key or CAfile changes, e.g. when cert-manager renewed the
# pod's certificate and the kubelet updated the mounted Secret. Checked every
# $REDIS_TLS_PROXY_RELOAD_INTERVAL seconds (default 60). SIGTERM ends stunnel and this script.
set -eu
conf=${1:?usage: redis-tls-proxy.sh STUNNEL_CONF}
interval=${REDIS_TLS_PROXY_RELOAD_INTERVAL:-60}
files=$(sed -n 's/^[[:space:]]*\(cert\|key\|CAfile\)[[:space:]]*=[[:space:]]*//p' "$conf")
[ -n "$files" ] || { echo "redis-tls-proxy: $conf names no cert, key or CAfile" >&2; exit 1; }
fingerprint() {
  # shellcheck disable=SC2086  # one word per file name
  cat $files 2>/dev/null | sha256sum
}

stunnel "$conf" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
last=$(fingerprint)
while kill -0 "$child" 2>/dev/null; do
  sleep "$interval" &
  wait $! || true
  kill -0 "$child" 2>/dev/null || break
  now=$(fingerprint)
  if [ "$now" != "$last" ]; then
    echo "redis-tls-proxy: certificate files changed, reloading stunnel" >&2
    kill -HUP "$child"
    last=$now
  fi
done
wait "$child"
