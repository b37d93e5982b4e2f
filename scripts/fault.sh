#!/usr/bin/env bash
# ./dev fault [scenario...] [--outage S] [--no-build] [--table]: runs the fault scenarios of tests/fault
# (dev build, each against a PostgreSQL, Redis and suite of its own) with outages of S seconds
# (default 20, the issue's; ./dev test runs the same scenarios with 5 s), prints each verdict and
# rewrites the results table in tests/fault/README.md from the latest row of every scenario
# (.run/fault/<scenario>.tsv; --table: only that). Exits non-zero if any scenario fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

outage=20 build=1 table_only=0 scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --outage) outage="$2"; shift ;;
    --no-build) build=0 ;;
    --table) table_only=1 build=0 ;;
    -h | --help)
      sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
[ "$table_only" -eq 0 ] || scenarios=()

if [ "$build" -eq 1 ]; then
  "$repo_root/scripts/deps.sh"
  (cd "$repo_root" && cmake --preset dev >/dev/null && cmake --build --preset dev --target fault_tests)
fi
binary="$repo_root/build/dev/tests/fault/fault_tests"
[ "$table_only" -eq 1 ] || [ -x "$binary" ] || die "fault: $binary is not built"
mkdir -p "$run_dir/fault"
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
failed=0
for s in "${scenarios[@]+"${scenarios[@]}"}"; do
  say "scenario $s (outages ${outage}s)"
  log="$run_dir/fault/$s.log"
  # One row per scenario, kept until the scenario runs again: the table shows the latest of each.
  rm -f "$run_dir/fault/$s.tsv"
  if ! FAULT_OUTAGE_SECONDS="$outage" FAULT_RESULTS="$run_dir/fault/$s.tsv" \
    "$binary" --gtest_filter="FaultTest.$s" >"$log" 2>&1; then
    failed=1
    tail -n 40 "$log" >&2
  fi
  grep -E ' -> (PASS|FAIL)$' "$log" | tail -1 || echo "$s: no verdict (see $log)"
done

# The table between the markers of tests/fault/README.md.
readme="$repo_root/tests/fault/README.md"
rows=()
for s in "${all[@]}"; do
  if [ -s "$run_dir/fault/$s.tsv" ]; then rows+=("$run_dir/fault/$s.tsv"); fi
done
python3 - "$readme" "$outage" "${rows[@]+"${rows[@]}"}" <<'PY'
import sys
readme, outage, files = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for f in files for l in open(f) if l.strip()]
table = ["| scenario | requests | acknowledged | refused | unknown | lost | duplicated | invariant violations | recovery (s) | verdict |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
table += ["| " + " | ".join(r) + " |" for r in rows]
text = open(readme).read()
begin, end = "<!-- results: begin -->", "<!-- results: end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
note = (f"Outages of {outage} s (the last run's setting); written by `./dev fault`. "
        "Refused: a definite error the load provokes on purpose (a spent budget, a full unit or "
        "offering, a session outside its activity). Invariant violations include the domain "
        "invariants, refused-but-stored writes, retry mismatches, drain-order breaches and "
        "committed events missing at a consumer group.")
open(readme, "w").write(head + begin + "\n" + note + "\n\n" + "\n".join(table) + "\n" + end + tail)
PY
say "results table written to tests/fault/README.md"
exit "$failed"
