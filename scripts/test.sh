#!/usr/bin/env bash
# ./dev test [ctest args...]: installs what is missing, builds the dev preset (ASan/UBSan), lints
# the protos with buf, starts a fresh private PostgreSQL and Redis and runs the whole ctest suite
# against them. Exits with ctest's code (non-zero on any failure).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

take_lock test
phases=()
started_at="$(now_ms)"
phase_done() {
  phases+=("$(printf '%-12s %s' "$1" "$(elapsed "$2")")")
  say "$1 done in $(elapsed "$2")"
}
test_servers=0
ctest_log="$run_dir/ctest-last.log"
rm -f "$ctest_log"
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local p
  if [ "$test_servers" -eq 1 ]; then "$repo_root/scripts/testenv.sh" stop || true; fi
  echo "--- time per phase ---"
  for p in "${phases[@]}"; do echo "  $p"; done
  printf '  %-12s %s\n' total "$(elapsed "$started_at")"
  # Repeat ctest's verdict so that it closes the output.
  if [ -s "$ctest_log" ]; then
    echo
    sed -n '/% tests passed/,$p' "$ctest_log"
  fi
}
trap on_exit EXIT

t="$(now_ms)"
"$repo_root/scripts/deps.sh"
phase_done packages "$t"

t="$(now_ms)"
(cd "$repo_root" && cmake --preset dev >/dev/null && cmake --build --preset dev)
# The libFuzzer targets (clang) that the ctest label fuzz runs for a few seconds each.
(cd "$repo_root" && cmake --preset fuzz >/dev/null && cmake --build --preset fuzz)
phase_done build "$t"

# buf cannot fetch google/api/annotations.proto offline, so lint an image that protoc builds
# from the Debian googleapis include path, restricted to our own files; the rules are those of
# buf.yaml.
t="$(now_ms)"
buf="$repo_root/tools/node/node_modules/.bin/buf"
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
image="$run_dir/lint-image.binpb"
mkdir -p "$run_dir"
mapfile -t protos < <(cd "$repo_root/proto" && find lansstyrelsen -name '*.proto' | sort)
protoc -I "$repo_root/proto" -I "$googleapis" -I /usr/include --include_imports --include_source_info \
  -o "$image" "${protos[@]}"
lint_rc=0
(cd "$repo_root" && "$buf" lint "$image" --config buf.yaml --path lansstyrelsen) || lint_rc=$?
rm -f "$image"
[ "$lint_rc" -eq 0 ] || die "buf lint found problems in proto/ (see above)"
phase_done "buf lint" "$t"

t="$(now_ms)"
"$repo_root/scripts/check-k8s.sh" --build-dir "$repo_root/build/dev"
phase_done "k8s checks" "$t"

t="$(now_ms)"
test_servers=1
test_env="$("$repo_root/scripts/testenv.sh" start)"
eval "$test_env"
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
phase_done "test servers" "$t"

t="$(now_ms)"
set +e
(cd "$repo_root" && ctest --preset dev -j2 --output-on-failure --no-tests=error "$@") 2>&1 | tee "$ctest_log"
rc=${PIPESTATUS[0]}
set -e
phase_done ctest "$t"
exit "$rc"
