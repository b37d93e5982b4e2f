#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run_target.sh <binary> <seed corpus> <work
# corpus> <seconds> [max runs]. New inputs go to the work corpus (the seeds in the repository
# stay as committed); a crash leaves its input as <work corpus>/../crash-<target>-* and fails.
# Prints the target, executions, rate and corpus size as the last line ("fuzz: ...").
set -euo pipefail
binary="$1" seeds="$2" work="$3" seconds="$4" runs="${5:--1}"
name="$(basename "$binary" _fuzz)"
if [ ! -x "$binary" ]; then
  echo "run_target: $binary is not built (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 1
fi
mkdir -p "$work"
log="$work.log"
# One process, one core; leaks are real findings here (no servers, nothing left running).
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  "$binary" -max_total_time="$seconds" -runs="$runs" -print_final_stats=1 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$work/../crash-$name-" "$work" "$seeds" >"$log" 2>&1
rc=$?
set -e
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
corpus="$(find "$work" -type f | wc -l)"
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$log" >&2
  echo "fuzz: $name FAILED (exit $rc) after ${execs:-?} executions; input: $(ls "$work"/../crash-"$name"-* 2>/dev/null | tail -1)"
  exit 1
fi
echo "fuzz: $name executions=${execs:-0} exec/s=${rate:-0} seconds=$seconds corpus=$corpus"
