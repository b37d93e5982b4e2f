#!/usr/bin/env bash
# The fresh PostgreSQL (port 55433) and Redis (port 56380) that integration tests run against,
# under .run/test/ (wiped at every start). ./dev test uses it; by hand:
#   eval "$(scripts/testenv.sh start)"; ctest --preset dev -L integration; scripts/testenv.sh stop
# `start` prints the INTEGRATION_TEST_* exports on stdout; `stop` stops both servers.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_dir="$run_dir/test"
test_pg_port="${INTEGRATION_TEST_PG_PORT:-55433}"
test_redis_port="${INTEGRATION_TEST_REDIS_PORT_OVERRIDE:-56380}"

stop_test_servers() {
  local home
  if [ -e "$test_dir/pg" ]; then
    home="$(cd "$test_dir/pg" 2>/dev/null && pwd -P)" || home=""
    if [ -n "$home" ]; then pg_stop "$home" immediate; fi
  fi
  if [ -d "$test_dir/redis" ]; then redis_stop "$test_dir/redis"; fi
}

case "${1:-}" in
  start)
    [ -x "$pg_bin/initdb" ] || die "$pg_bin/initdb is missing: run scripts/deps.sh"
    stop_test_servers
    # Wipe, including a home outside the checkout that .run/test/pg may point to.
    if [ -L "$test_dir/pg" ] && [[ $(readlink "$test_dir/pg") == /var/tmp/integration-suite-*/test-pg ]]; then
      rm -rf "$(readlink "$test_dir/pg")"
    fi
    rm -rf "$test_dir"
    mkdir -p "$test_dir"
    home="$(prepare_pg_home "$test_dir/pg" test-pg)"
    pg_initdb "$home" trust
    # Throw-away data: durability settings off for speed; room for parallel test pools.
    pg_configure "$home" "$test_pg_port" "fsync = off" "synchronous_commit = off" \
      "full_page_writes = off" "max_connections = 300"
    pg_start "$home" "$test_pg_port"
    redis_start "$test_dir/redis" "$test_redis_port" no
    printf 'export INTEGRATION_TEST_PG_DSN=%q\n' "host=127.0.0.1 port=$test_pg_port user=postgres dbname=postgres"
    printf 'export INTEGRATION_TEST_REDIS_HOST=127.0.0.1\n'
    printf 'export INTEGRATION_TEST_REDIS_PORT=%s\n' "$test_redis_port"
    printf 'export INTEGRATION_TEST_PG_RESTART=%q\n' "$(pg_ctl_command "$home" restart)"
    ;;
  stop)
    stop_test_servers
    ;;
  *)
    die "usage: scripts/testenv.sh start|stop"
    ;;
esac
