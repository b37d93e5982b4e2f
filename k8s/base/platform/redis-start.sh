#!/bin/sh
# Starts Redis with one ACL user per purpose, their passwords from the mounted Secret
# integration-redis (one key per user). The ACL file holds SHA-256 digests only and lives in
# /tmp (an emptyDir), written anew at every start; the default user is off, so a client without
# a user and password gets nothing.
#   events       the services' outbox relays: their streams integration.events.* only
#   gateway      rate limits (gateway:rl:*) and the response cache (gateway:cache:*); reads the
#                event streams (cache invalidation, event feed)
#   healthcheck  PING only (the probes)
#   admin        operators (redis-cli), everything
# No user may run dangerous commands (FLUSHALL, KEYS, CONFIG, DEBUG, ...) except admin.
set -eu
umask 077
acl=/tmp/users.acl
digest() {
  # As the clients do: trailing newlines of the Secret's file are not part of the password.
  printf '%s' "$(cat "/etc/redis-auth/$1")" | sha256sum | cut -d' ' -f1
}
{
  echo "user default off resetpass resetkeys resetchannels -@all"
  echo "user admin on #$(digest admin) ~* &* +@all"
  echo "user healthcheck on #$(digest healthcheck) resetchannels -@all +ping"
  echo "user events on #$(digest events) resetchannels ~integration.events.* -@all +@stream +@transaction +@connection -@dangerous"
  echo "user gateway on #$(digest gateway) resetchannels ~gateway:* %R~integration.events.* -@all +@read +@write +@scripting +@transaction +@connection -@dangerous"
} >"$acl"
exec redis-server /etc/redis/redis.conf --aclfile "$acl"
