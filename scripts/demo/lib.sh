# Shared by the demo scripts (scripts/demo/<service>.sh), sourced after they set `demo` (their
# name in messages) and `service` (the gRPC service's full name): checks what ./dev up passes
# (CALL, TARGET, TOKEN, DEV) and defines fail and rpc.

fail() {
  echo "$demo demo: $*" >&2
  exit 1
}
for setting in CALL TARGET TOKEN DEV; do
  [ -n "${!setting:-}" ] || fail "$setting is not set (./dev up sets it: see the header)"
done
[ -x "$CALL" ] && [ -x "$DEV" ] || fail "CALL and DEV must be executables"
command -v python3 >/dev/null || fail "python3 is needed"

errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT

# rpc [--may-fail] TOKEN METHOD JSON: the response JSON. A failure stops the demo with its
# error, or with --may-fail returns 1 quietly (for "does it exist yet?").
rpc() {
  local may_fail=no
  if [ "$1" = --may-fail ]; then
    may_fail=yes
    shift
  fi
  if "$CALL" --target "$TARGET" --token "$1" "$service/$2" "$3" 2>"$errors"; then return 0; fi
  [ "$may_fail" = yes ] && return 1
  fail "$2: $(cat "$errors")"
}
