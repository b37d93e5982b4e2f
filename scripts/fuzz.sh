#!/usr/bin/env bash
# ./dev fuzz [target...] [--seconds N] [--runs N] [--no-build]: builds the libFuzzer targets of
# tests/fuzz (preset fuzz: clang-14, ASan/UBSan) and runs each for N seconds (default 60) or N
# executions, one at a time on one core (nice 10). New inputs go to .run/fuzz/<target>/ (the
# committed seeds in tests/fuzz/corpus/ stay as they are); a crash leaves its input beside them
# and fails the command. Prints one line per target: executions, rate, corpus size.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds=60 runs=-1 build=1 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --runs) runs="$2"; seconds=0; shift ;;
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "fuzz: unknown option '$1'" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
all=()
for f in "$repo_root"/tests/fuzz/*_fuzz.cc; do all+=("$(basename "$f" _fuzz.cc)"); done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [ -f "$repo_root/tests/fuzz/${t}_fuzz.cc" ] || die "fuzz: no target '$t' (targets: ${all[*]})"
done

if [ "$build" -eq 1 ]; then
  "$repo_root/scripts/deps.sh"
  (cd "$repo_root" && nice -n 5 cmake --preset fuzz >/dev/null && nice -n 5 cmake --build --preset fuzz)
fi
failed=0
for t in "${targets[@]}"; do
  nice -n 10 bash "$repo_root/tests/fuzz/run_target.sh" "$repo_root/build/fuzz/tests/fuzz/${t}_fuzz" \
    "$repo_root/tests/fuzz/corpus/$t" "$run_dir/fuzz/$t" "$seconds" "$runs" || failed=1
done
exit "$failed"
