#!/usr/bin/env bash
# ./dev fault [scenario...] [--outage S] [--no-build]: runs the fault scenarios of tests/fault
# (dev build, each against a PostgreSQL, Redis and suite of its own) with outages of S seconds
# (default 20, the issue's; ./dev test runs the same scenarios with 5 s), prints each verdict and
# rewrites the results table in tests/fault/README.md. Exits non-zero if any scenario fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

outage=20 build=1 scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --outage) outage="$2"; shift ;;
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "fault: unknown option '$1'" ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
all=(ServiceSigkill ServiceSigterm GatewayRestart PostgresKill9 PostgresUnreachable
  RedisStoppedAndEmpty SlowNetworkToAService)
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${all[@]}")

if [ "$build" -eq 1 ]; then
  "$repo_root/scripts/deps.sh"
  (cd "$repo_root" && cmake --preset dev >/dev/null && cmake --build --preset dev --target fault_tests)
fi
binary="$repo_root/build/dev/tests/fault/fault_tests"
[ -x "$binary" ] || die "fault: $binary is not built"
mkdir -p "$run_dir/fault"
results="$run_dir/fault/results.tsv"
: >"$results"
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
failed=0
for s in "${scenarios[@]}"; do
  say "scenario $s (outages ${outage}s)"
  log="$run_dir/fault/$s.log"
  if ! FAULT_OUTAGE_SECONDS="$outage" FAULT_RESULTS="$results" \
    "$binary" --gtest_filter="FaultTest.$s" >"$log" 2>&1; then
    failed=1
    tail -n 40 "$log" >&2
  fi
  grep -E ' -> (PASS|FAIL)$' "$log" | tail -1 || echo "$s: no verdict (see $log)"
done

# The table between the markers of tests/fault/README.md.
readme="$repo_root/tests/fault/README.md"
python3 - "$readme" "$results" "$outage" <<'PY'
import sys
readme, results, outage = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
table = ["| scenario | requests | acknowledged | unknown | lost | duplicated | invariant violations | recovery (s) | verdict |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
table += ["| " + " | ".join(r) + " |" for r in rows]
text = open(readme).read()
begin, end = "<!-- results: begin -->", "<!-- results: end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
note = f"Outages of {outage} s; written by `./dev fault`."
open(readme, "w").write(head + begin + "\n" + note + "\n\n" + "\n".join(table) + "\n" + end + tail)
PY
say "results table written to tests/fault/README.md"
exit "$failed"
