#!/usr/bin/env bash
# ./dev bench: the benchmarks of tests/bench against the suite that ./dev up started. Measures the
# ceilings in the same run (plain gRPC echo, echo through the service runtime, echo through one
# forwarding hop, pgbench select-only and simple-update), then reads, writes, HTTP/JSON and a
# 1 000- vs 1 000 000-row list through the gateway, idle memory and start-up times, and writes a
# Markdown report in which every figure stands beside its ceiling. See tests/bench/README.md.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
usage: ./dev bench [--quick] [--duration S] [--warmup S] [--concurrency N] [--list-rows N]
                   [--exam-learners N] [--only REGEX] [--keep-data]

Runs after ./dev up (PostgreSQL, Redis and the training service running). Takes about 5 minutes
on 2 cores (plus the 70 s exam hour); prints the path of the report (.run/bench/<time>/report.md, also .run/bench/latest).

  --quick          2 s runs, 100 000 list rows, an exam hour of 200 learners submitting within
                   10 s: a smoke test of the harness, not numbers
  --duration S     measured seconds of every run (default 4; env BENCH_DURATION)
  --warmup S       warm-up seconds before each run (default 1; env BENCH_WARMUP)
  --concurrency N  calls in flight in closed loop, HTTP and pgbench connections (default 16;
                   env BENCH_CONCURRENCY)
  --list-rows N    rows of the large list scenario (default 1000000; env BENCH_LIST_ROWS)
  --exam-learners N  learners of the exam-hour scenario (default 2000; env BENCH_EXAM_LEARNERS)
  --only REGEX     run only the scenarios whose label matches REGEX as a whole (bash regex, e.g.
                   'gw_read_uncached|grants_write|exam_hour'), besides the ceilings (echo_raw,
                   echo_runtime, fwd, pg_select, pg_update), which always run; "list" selects
                   the list scenario (list_1k_*, list_1m_*), "exam_hour" the exam hour. The
                   others are reported as not selected; a scenario whose ceiling is not run
                   (http_read: gw_read_cached) gets no open-loop runs.
  --keep-data      leave the benchmark's learner and child rows and the bench_pg database in place
Other settings: BENCH_CHANNELS (gRPC connections, default 4), BENCH_PORT_BASE (first of 10 free
ports, default 50100), BENCH_BUILD_DIR (build tree of the binaries, default build/release).
USAGE
}

duration="${BENCH_DURATION:-4}"
warmup="${BENCH_WARMUP:-1}"
concurrency="${BENCH_CONCURRENCY:-16}"
channels="${BENCH_CHANNELS:-4}"
list_rows="${BENCH_LIST_ROWS:-1000000}"
exam_learners="${BENCH_EXAM_LEARNERS:-2000}"
exam_submit_window=60s
port_base="${BENCH_PORT_BASE:-50100}"
build_dir="${BENCH_BUILD_DIR:-$release_dir}"
keep_data=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) duration=2 warmup=1 list_rows=100000 exam_learners=200 exam_submit_window=10s ;;
    --duration) duration="${2:-}"; shift ;;
    --warmup) warmup="${2:-}"; shift ;;
    --concurrency) concurrency="${2:-}"; shift ;;
    --list-rows) list_rows="${2:-}"; shift ;;
    --exam-learners) exam_learners="${2:-}"; shift ;;
    --only) only="${2:-}"; shift ;;
    --keep-data) keep_data=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "bench: unknown argument '$1' (./dev bench --help)" ;;
  esac
  shift
done
for setting in duration warmup concurrency channels list_rows exam_learners port_base; do
  if ! [[ ${!setting} =~ ^[0-9]+$ ]] || [ "${!setting}" -eq 0 ]; then
    die "bench: $setting must be a positive integer, not '${!setting}'"
  fi
done
[ "$list_rows" -gt 1000 ] || die "bench: --list-rows must be above 1000 (the small list has 1000)"
[ "$list_rows" -le 9999999 ] || die "bench: --list-rows is at most 9999999"

load_services
take_lock bench
started_ms="$(now_ms)"

# --- binaries and the running suite ------------------------------------------------------------
bench_src="$repo_root/tests/bench"
report_py="$bench_src/report.py"
# A program of the build tree, falling back to build/release for tools ./dev up always builds.
program() {
  local p="$build_dir/$1"
  [ -x "$p" ] || p="$release_dir/$1"
  [ -x "$p" ] || return 1
  printf '%s\n' "$p"
}
need() {
  program "$1" || die "bench: $build_dir/$1 is missing: run ./dev up, or set BENCH_BUILD_DIR"
}
# ./dev up builds only what it starts; the benchmark programs are built here.
if [ -z "${BENCH_BUILD_DIR:-}" ]; then
  (cd "$repo_root" && cmake --preset release >/dev/null && cmake --build --preset release --target bench) ||
    die "bench: building the benchmark programs failed"
fi
bench_bin="$(need tests/bench/integration-bench)"
echo_bin="$(need tests/bench/bench-echo-server)"
forwarder_bin="$(need tests/bench/bench-forwarder)"
tok_bin="$(need tools/token/integration-token)"
cli_bin="$(need tools/call/integration-call)"
page_token_bin="$(program tests/bench/bench-page-token || true)"
gateway_bin="$(program services/gateway/gateway || true)"
matching_bin="$(program tests/bench/bench-matching || true)"
exam_bin="$(program tests/bench/bench-exam-hour || true)"
command -v pgbench >/dev/null || die "bench: pgbench is missing (Debian package postgresql-contrib)"
command -v python3 >/dev/null || die "bench: python3 is needed for the report"
for f in jwks.json jwt_dev_key.pem pgpass subject_keys; do
  [ -s "$secrets_dir/$f" ] || die "bench: $secrets_dir/$f is missing: run ./dev up first"
done
psql "$(dev_admin_dsn postgres)" -XAtqc 'SELECT 1' >/dev/null 2>&1 ||
  die "bench: PostgreSQL on 127.0.0.1:$dev_pg_port does not answer: run ./dev up first"
[ "$(redis-cli -h 127.0.0.1 -p "$dev_redis_port" ping 2>/dev/null)" = PONG ] ||
  die "bench: Redis on 127.0.0.1:$dev_redis_port does not answer: run ./dev up first"

training_i="$(svc_index training)" || die "bench: services.tsv has no training row"
training_port="${svc_grpc_ports[$training_i]}"
training_pid="$(running_pid "$(svc_pid_file training)" training-server || true)"
grants_i="$(svc_index grants)" || die "bench: services.tsv has no grants row"
grants_port="${svc_grpc_ports[$grants_i]}"
grants_pid="$(running_pid "$(svc_pid_file grants)" grants-server || true)"
placement_i="$(svc_index placement)" || die "bench: services.tsv has no placement row"
placement_port="${svc_grpc_ports[$placement_i]}"
placement_pid="$(running_pid "$(svc_pid_file placement)" placement-server || true)"
orientation_i="$(svc_index orientation)" || die "bench: services.tsv has no orientation row"
orientation_port="${svc_grpc_ports[$orientation_i]}"
orientation_pid="$(running_pid "$(svc_pid_file orientation)" orientation-server || true)"
em_i="$(svc_index early_measures)" || die "bench: services.tsv has no early_measures row"
em_port="${svc_grpc_ports[$em_i]}"
em_pid="$(running_pid "$(svc_pid_file early_measures)" early-measures-server || true)"

# Ten consecutive ports for the processes this run starts.
p_raw=$port_base p_runtime=$((port_base + 1)) p_forwarder=$((port_base + 2))
p_gw=$((port_base + 3)) p_gw_admin=$((port_base + 4)) p_gw_http=$((port_base + 5))
p_gw_nocache=$((port_base + 6)) p_gw_nocache_admin=$((port_base + 7))
p_probe=$((port_base + 8)) p_probe_admin=$((port_base + 9))
for port in $(seq "$port_base" $((port_base + 9))); do
  if port_open "$port"; then
    die "bench: port $port is taken; set BENCH_PORT_BASE to the first of 10 free ports"
  fi
done

run="$run_dir/bench/$(date +%Y%m%d-%H%M%S)"
results="$run/results"
logs="$run/logs"
mkdir -p "$results" "$logs" "$run/pglog"
chmod 700 "$run"
ln -sfn "$run" "$run_dir/bench/latest"

log() { say "bench: $*"; }
num() { python3 "$report_py" get "$1" "$2"; }

# --- placement matching (pure rules, no server): 10 000 waiting children x 2 000 units ---------
# The goal is under 1 s on this 2-core machine; the greedy baseline runs on the same instance,
# so its time and objective are the reference of the same run.
if [ -n "$matching_bin" ]; then
  log "matching: 10 000 children x 2 000 units, min-cost flow against the greedy baseline"
  "$matching_bin" --children 10000 --units 2000 >"$run/matching.json" 2>"$logs/matching.log" ||
    log "matching failed (see $logs/matching.log)"
fi
# Decimal arithmetic with awk: calc 'c / 2' -v c=12.5 prints 6.2
calc() {
  local expr=$1
  shift
  awk "$@" "BEGIN { printf \"%.1f\", $expr }"
}

# --- processes started by this run ----------------------------------------------------------------
started_pids=()
start_bg() {
  local name=$1
  shift
  setsid "$@" </dev/null >"$logs/$name.log" 2>&1 9>&- &
  started_pids+=("$!")
  last_pid=$!
}
stop_started() {
  local pid=$1 waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
# Milliseconds from START_NS (date +%s%N) until the gRPC server on PORT reports SERVING.
wait_serving() {
  "$bench_bin" --wait-serving --target "127.0.0.1:$1" --since-ns "${2:-$(date +%s%N)}" \
    --wait-timeout 20s 2>>"$logs/wait-serving.log"
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# The private part of it (RssAnon, MiB): the rest of VmRSS is the mapped code of the binary and
# its shared libraries, which the servers share and the kernel may drop.
anon_mib() { awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
# suite_rss WHEN: one rss.tsv line per running server of ./dev up.
suite_rss() {
  local i pid
  for i in "${!svc_names[@]}"; do
    if pid="$(running_pid "$(svc_pid_file "${svc_names[$i]}")" "${svc_binaries[$i]}")"; then
      printf '%s\t%s\t%s\t%s\n' "${svc_binaries[$i]}" "$pid" "$(rss_kib "$pid")" \
        "./dev up instance, $1; private $(anon_mib "$pid") MiB" >>"$run/rss.tsv"
    fi
  done
}

admin_psql() { psql "$(dev_admin_dsn "$1")" -XAtq -v ON_ERROR_STOP=1 "${@:2}"; }
# The children of the arrival scenario (sibling group bench-...) with their reads and placements,
# and the allocation key the run created (bench_key_created: its year).
bench_key_created=""
remove_bench_children() {
  admin_psql integration -c "
    DELETE FROM placement.child_reads WHERE child_id IN
      (SELECT child_id FROM placement.children WHERE sibling_group LIKE 'bench-%');
    DELETE FROM placement.placements WHERE child_id IN
      (SELECT child_id FROM placement.children WHERE sibling_group LIKE 'bench-%');
    DELETE FROM placement.children WHERE sibling_group LIKE 'bench-%';" >/dev/null
  if [ -n "$bench_key_created" ]; then
    admin_psql integration -c "
      DELETE FROM placement.share_transfers WHERE lanskod = '25' AND year = $bench_key_created;
      DELETE FROM placement.allocation_key_shares WHERE lanskod = '25' AND year = $bench_key_created;
      DELETE FROM placement.allocation_keys WHERE lanskod = '25' AND year = $bench_key_created;" >/dev/null
  fi
}
cleanup() {
  local status=$?
  for pid in "${started_pids[@]}"; do stop_started "$pid"; done
  if [ "$keep_data" -eq 0 ]; then
    admin_psql integration -c "
      DELETE FROM training.diplomas WHERE learner_id IN
        (SELECT learner_id FROM training.learners WHERE email LIKE 'bench-%@example.se');
      DELETE FROM training.attempts WHERE learner_id IN
        (SELECT learner_id FROM training.learners WHERE email LIKE 'bench-%@example.se');
      DELETE FROM training.learner_parts WHERE learner_id IN
        (SELECT learner_id FROM training.learners WHERE email LIKE 'bench-%@example.se');
      DELETE FROM training.learners WHERE email LIKE 'bench-%@example.se';" \
      -c "
      DELETE FROM grants.applications
       WHERE call_id IN (SELECT call_id FROM grants.calls WHERE title LIKE 'Bench: %');
      DELETE FROM grants.calls WHERE title LIKE 'Bench: %';" \
      -c "VACUUM (ANALYZE) training.learners" \
      >/dev/null 2>&1 || say "bench: could not delete the benchmark's learner rows"
    [ -z "$placement_pid" ] || remove_bench_children 2>/dev/null ||
      say "bench: could not delete the benchmark's children"
    if [ -n "$orientation_pid" ]; then
      admin_psql integration -c "
        DELETE FROM orientation.offering_kommuner WHERE offering_id IN
          (SELECT offering_id FROM orientation.offerings WHERE display_name LIKE 'Bench: %');
        DELETE FROM orientation.offerings WHERE display_name LIKE 'Bench: %';" >/dev/null 2>&1 ||
        say "bench: could not delete the benchmark's offerings"
    fi
    if [ -n "$em_pid" ]; then
      admin_psql integration -c "
        DELETE FROM early_measures.sessions WHERE activity_id IN
          (SELECT activity_id FROM early_measures.activities WHERE display_name LIKE 'Bench: %');
        DELETE FROM early_measures.activities WHERE display_name LIKE 'Bench: %';" >/dev/null 2>&1 ||
        say "bench: could not delete the benchmark's activity and sessions"
    fi
    admin_psql postgres -c 'DROP DATABASE IF EXISTS bench_pg' >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the run's record ------------------------------------------------------------------------------
info() { printf '%s\t%s\n' "$1" "$2" >>"$run/info.tsv"; }
# plan LABEL TITLE CEILING_LABEL NOTE: one row of the report, in order.
plan() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$run/plan.tsv"; }
check() { printf '%s\t%s\n' "$1" "$2" >>"$run/checks.tsv"; }
info started "$(date '+%Y-%m-%d %H:%M %Z')"
info cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
info cores "$(nproc)"
info loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
info commit "$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
info concurrency "$concurrency"
info channels "$channels"
info warmup "$warmup"
info duration "$duration"

# Idle memory of the suite's processes, before any load.
suite_rss "idle before the run"

# A 3 s deadline: far above any latency at half load, and it bounds the wait for the backlog of
# an overloaded open-loop run.
common=(--warmup "${warmup}s" --duration "${duration}s" --channels "$channels"
  --concurrency "$concurrency" --timeout 3s)

# CPU per call: on a shared 2-core machine throughput depends on what else runs, but the CPU
# time each process spends per call does much less. `watch` names the processes serving the
# current scenario as NAME=PID, or NAME=PID+ for a process tree (PostgreSQL's backends).
clk_tck="$(getconf CLK_TCK)"
pg_postmaster=""
if pg_home="$(dev_pg_home)" && [ -r "$pg_home/data/postmaster.pid" ]; then
  read -r pg_postmaster <"$pg_home/data/postmaster.pid"
fi
redis_pid="$(running_pid "$run_dir/redis/redis.pid" redis-server || true)"
watch=()
# cpu_ticks PID [tree]: user + system clock ticks; "tree" adds children, live and reaped.
cpu_ticks() {
  local pid=$1 tree=${2:-} f total child
  if ! read -ra f 2>/dev/null <"/proc/$pid/stat"; then
    echo 0
    return
  fi
  total=$((f[13] + f[14]))
  if [ -n "$tree" ]; then
    total=$((total + f[15] + f[16]))
    for child in $(pgrep -P "$pid"); do
      read -ra f 2>/dev/null <"/proc/$child/stat" || continue
      total=$((total + f[13] + f[14]))
    done
  fi
  echo "$total"
}
# cpu_snapshot: one "NAME TICKS" line per watched process.
cpu_snapshot() {
  local entry name pid
  for entry in "${watch[@]}"; do
    name=${entry%%=*}
    pid=${entry#*=}
    if [ "${pid%+}" != "$pid" ]; then
      echo "$name $(cpu_ticks "${pid%+}" tree)"
    else
      echo "$name $(cpu_ticks "$pid")"
    fi
  done
}
# cpu_delta BEFORE AFTER OUT: seconds of CPU per watched process between two snapshots.
cpu_delta() {
  awk -v hz="$clk_tck" 'NF == 0 { next } NR == FNR { before[$1] = $2; next }
    { printf "%s\t%.3f\n", $1, ($2 - before[$1]) / hz }' <(printf '%s\n' "$1") <(printf '%s\n' "$2") >"$3"
}

# run_load LABEL KIND ARGS...: one integration-bench run into results/LABEL.KIND.json.
run_load() {
  local label=$1 kind=$2 out
  shift 2
  out="$results/$label.$kind.json"
  local before="" attempt status
  for attempt in 1 2; do
    [ "$kind" != closed ] || before="$(cpu_snapshot)"
    status=0
    "$bench_bin" --label "$label" "${common[@]}" --json-out "$out" "$@" \
      >"$logs/$label.$kind.txt" 2>&1 || status=$?
    # Killed by a signal (e.g. an abort inside the gRPC library): one more try; a usage or
    # connection error (exit 1 or 2) would only fail again.
    if [ "$status" -gt 128 ] && [ "$attempt" -eq 1 ]; then
      log "$label ($kind): the load generator died ($(tail -n 1 "$logs/$label.$kind.txt")); once more"
      cp "$logs/$label.$kind.txt" "$logs/$label.$kind.died.txt"
      continue
    fi
    break
  done
  if [ "$status" -ne 0 ]; then
    log "$label ($kind) failed: $(tail -n 1 "$logs/$label.$kind.txt")"
    rm -f "$out"
    return 1
  fi
  [ "$kind" != closed ] || cpu_delta "$before" "$(cpu_snapshot)" "$results/$label.$kind.cpu.tsv"
  log "$(printf '%-18s %-13s %9.0f/s  p50 %6.2f ms  p99 %7.2f ms  errors %s' "$label" "$kind" \
    "$(num "$out" throughput)" "$(num "$out" latency_ms.p50)" "$(num "$out" latency_ms.p99)" \
    "$(num "$out" errors)")"
}

# selected LABEL: whether --only (if given) selects LABEL; the ceilings always run.
selected() {
  case "$1" in echo_raw | echo_runtime | fwd | pg_select | pg_update) return 0 ;; esac
  [ -z "$only" ] || [[ $1 =~ ^($only)$ ]]
}

# scenario LABEL TITLE CEILING ARGS...: the closed-loop maximum, then open loop at half the
# ceiling's maximum (CEILING = LABEL: its own), and when that is beyond this scenario's own
# maximum, once more at half of its own.
scenario() {
  local label=$1 title=$2 ceiling=$3 own ceil half
  shift 3
  if ! selected "$label"; then
    plan "$label" "$title" "$ceiling" "not selected (--only)"
    return 0
  fi
  plan "$label" "$title" "$ceiling"
  run_load "$label" closed "$@" || return 0
  own="$(num "$results/$label.closed.json" throughput)"
  ceil="$own"
  if [ "$ceiling" != "$label" ]; then ceil="$(num "$results/$ceiling.closed.json" throughput)"; fi
  half="$(calc 'c / 2' -v c="$ceil")"
  if awk -v h="$half" 'BEGIN { exit !(h >= 1) }'; then
    run_load "$label" half-ceiling --rate "$half" "$@" || true
  fi
  if awk -v o="$own" -v h="$half" 'BEGIN { exit !(o < h && o >= 2) }'; then
    run_load "$label" half-own --rate "$(calc 'o / 2' -v o="$own")" "$@" || true
  fi
}

token_for() {
  "$tok_bin" --key-file "$secrets_dir/jwt_dev_key.pem" --kid "$jwt_kid" --issuer "$jwt_issuer" \
    --audience "$jwt_audience" --ttl 2h "$@"
}
(umask 077 && token_for --role county_officer --lan 01 --sub bench-officer >"$run/officer.token")

# --- baselines: gRPC echo, runtime echo, one forwarding hop ------------------------------------------
echo_method=lansstyrelsen.integration.echo.v1.EchoService/Echo
log "starting the echo servers and the forwarder on ports $p_raw-$p_forwarder"
start_bg echo-raw "$echo_bin" --raw-port "$p_raw"
echo_pids=("$last_pid")
start_bg echo-runtime "$echo_bin" --listen-host 127.0.0.1 --grpc-port "$p_runtime" --admin-port 0 \
  --jwks-file "$secrets_dir/jwks.json" --subject-key-file "$secrets_dir/subject_keys" \
  --jwt-issuer "$jwt_issuer" --jwt-audience "$jwt_audience" --shutdown-delay 0s
echo_pids+=("$last_pid")
start_bg forwarder "$forwarder_bin" --port "$p_forwarder" --backend "127.0.0.1:$p_raw"
echo_pids+=("$last_pid")
for port in "$p_raw" "$p_runtime" "$p_forwarder"; do
  wait_serving "$port" >/dev/null || die "bench: the server on port $port did not start (logs in $logs)"
done
watch=("bench-echo-server=${echo_pids[0]}")
scenario echo_raw "gRPC echo, plain callback server (machine ceiling)" echo_raw \
  --target "127.0.0.1:$p_raw" --method "$echo_method" --json-file "$bench_src/scenarios/echo.json"
watch=("bench-echo-server=${echo_pids[1]}")
scenario echo_runtime "gRPC echo through the service runtime (token, policy, executor, log)" echo_raw \
  --target "127.0.0.1:$p_runtime" --method "$echo_method" \
  --json-file "$bench_src/scenarios/echo.json" --token-file "$run/officer.token"
watch=("bench-forwarder=${echo_pids[2]}" "bench-echo-server=${echo_pids[0]}")
scenario fwd "gRPC echo through one forwarding hop (gateway ceiling)" echo_raw \
  --target "127.0.0.1:$p_forwarder" --method "$echo_method" \
  --json-file "$bench_src/scenarios/echo.json" --token-file "$run/officer.token"
for pid in "${echo_pids[@]}"; do stop_started "$pid"; done

# --- baselines: PostgreSQL --------------------------------------------------------------------------
pg_args=(-h 127.0.0.1 -p "$dev_pg_port" -U postgres)
export PGPASSFILE="$secrets_dir/pgpass" PGCONNECT_TIMEOUT=5
if [ -z "$(admin_psql postgres -c "SELECT 1 FROM pg_database WHERE datname = 'bench_pg'")" ]; then
  admin_psql postgres -c 'CREATE DATABASE bench_pg' >/dev/null
fi
pgbench "${pg_args[@]}" -i -q -s 1 bench_pg >"$logs/pgbench-init.txt" 2>&1 ||
  die "bench: pgbench -i failed (see $logs/pgbench-init.txt)"
pg_threads=$((concurrency < 2 ? concurrency : 2))
watch=()
[ -z "$pg_postmaster" ] || watch=("postgres=$pg_postmaster+")
# pg_run LABEL KIND BUILTIN [RATE]: one pgbench run into results/LABEL.KIND.json.
pg_run() {
  local label=$1 kind=$2 builtin=$3 rate=${4:-} extra=() out
  out="$results/$label.$kind.json"
  if [ -n "$rate" ]; then
    extra=(-R "$(printf '%.0f' "$rate")" -l --log-prefix "$run/pglog/$label.$kind")
  fi
  local before=""
  [ "$kind" != closed ] || before="$(cpu_snapshot)"
  if ! pgbench "${pg_args[@]}" -n "$builtin" -M prepared -c "$concurrency" -j "$pg_threads" \
    -T "$duration" "${extra[@]}" bench_pg >"$logs/$label.$kind.txt" 2>&1; then
    log "$label ($kind) failed: $(tail -n 1 "$logs/$label.$kind.txt")"
    return 1
  fi
  # pgbench's backends exit with it; their CPU reaches the postmaster's children's time only
  # once it has reaped them, and an exited backend not yet reaped shows none. Earlier reports
  # gave pgbench -N 7 µs of server CPU per transaction, far too little; the pause lets the
  # postmaster reap them before the CPU is read.
  [ "$kind" != closed ] || sleep 1
  [ "$kind" != closed ] || cpu_delta "$before" "$(cpu_snapshot)" "$results/$label.$kind.cpu.tsv"
  python3 "$report_py" pgbench --label "$label" --mode "$([ -n "$rate" ] && echo open || echo closed)" \
    --rate "${rate:-0}" --clients "$concurrency" --stdout "$logs/$label.$kind.txt" \
    ${rate:+--log-prefix "$run/pglog/$label.$kind"} --out "$out"
  if [ -n "$rate" ]; then
    log "$(printf '%-18s %-13s %9.0f/s  p50 %6.2f ms  p99 %7.2f ms' "$label" "$kind" \
      "$(num "$out" throughput)" "$(num "$out" latency_ms.p50)" "$(num "$out" latency_ms.p99)")"
  else
    log "$(printf '%-18s %-13s %9.0f/s  mean %5.2f ms' "$label" "$kind" \
      "$(num "$out" throughput)" "$(num "$out" latency_ms.mean)")"
  fi
}
for spec in "pg_select|-S|PostgreSQL select-only (pgbench -S, prepared)" \
  "pg_update|-N|PostgreSQL simple update (pgbench -N, prepared)"; do
  IFS='|' read -r label builtin title <<<"$spec"
  plan "$label" "$title" "$label"
  if pg_run "$label" closed "$builtin"; then
    pg_run "$label" half-ceiling "$builtin" "$(calc 't / 2' -v t="$(num "$results/$label.closed.json" throughput)")" || true
  fi
done

# --- the suite: reads, HTTP/JSON, writes, lists ---------------------------------------------------------
list_method=lansstyrelsen.integration.training.v1.TrainingService/ListParts
skip_all() {
  local why=$1
  plan training_direct "training ListParts, direct (no gateway)" echo_runtime "$why"
  plan gw_read_cached "gateway gRPC ListParts, cached" fwd "$why"
  plan gw_read_uncached "gateway gRPC ListParts, cache off" fwd "$why"
  plan http_read "gateway HTTP/JSON GET /v1/parts, cached" gw_read_cached "$why"
  plan gw_write "gateway gRPC CreateLearner (a new learner per call)" pg_update "$why"
  plan grants_write "gateway gRPC grants CreateApplication (a new draft per call)" pg_update "$why"
  plan arrival_write "gateway gRPC placement ReportArrival (a new child per call)" pg_update "$why"
  plan list_1k_first "ListLearners first page, 1 000 rows" list_1k_first "$why"
}
if [ -z "$training_pid" ]; then
  skip_all "not run: the training service is not running (./dev up)"
elif [ -z "$gateway_bin" ]; then
  skip_all "not run: the gateway is not built ($build_dir/services/gateway/gateway)"
else
  # What the demo data offers: a part to enrol in.
  parts_json="$("$cli_bin" --target "127.0.0.1:$training_port" "$list_method" '{"page_size": 50}' 2>&1)" ||
    die "bench: ListParts on the training service failed: $parts_json"
  read -r part_count first_part < <(python3 -c '
import json, sys
parts = json.loads(sys.argv[1]).get("parts", [])
print(len(parts), parts[0]["name"] if parts else "-")' "$parts_json")
  check "ListParts" "$part_count published parts (the read scenarios return them all)"
  [ "$part_count" -gt 0 ] || log "no published part: ./dev up loads the demo course; reads return an empty list"

  backends="training=127.0.0.1:$training_port"
  [ -z "$grants_pid" ] || backends="$backends,grants=127.0.0.1:$grants_port"
  [ -z "$placement_pid" ] || backends="$backends,placement=127.0.0.1:$placement_port"
  [ -z "$orientation_pid" ] || backends="$backends,orientation=127.0.0.1:$orientation_port"
  [ -z "$em_pid" ] || backends="$backends,early_measures=127.0.0.1:$em_port"
  gw_common=(--listen-host 127.0.0.1 --http-host 127.0.0.1
    --backends "$backends" --redis-addr "127.0.0.1:$dev_redis_port"
    --jwks-file "$secrets_dir/jwks.json" --subject-key-file "$secrets_dir/subject_keys"
    --jwt-issuer "$jwt_issuer" --jwt-audience "$jwt_audience"
    --rate-read off --rate-write off --rate-public off --rate-address off --shutdown-delay 0s)
  log "starting two gateways (rate limits off; one with the response cache, one without)"
  t0="$(date +%s%N)"
  start_bg gateway "$gateway_bin" "${gw_common[@]}" --grpc-port "$p_gw" --admin-port "$p_gw_admin" \
    --http-port "$p_gw_http"
  gw_pid=$last_pid
  ms="$(wait_serving "$p_gw" "$t0")" || die "bench: the gateway did not start (see $logs/gateway.log)"
  printf 'gateway\t%s\n' "$ms" >>"$run/startup.tsv"
  t0="$(date +%s%N)"
  start_bg gateway-nocache "$gateway_bin" "${gw_common[@]}" --grpc-port "$p_gw_nocache" \
    --admin-port "$p_gw_nocache_admin" --http-port 0 --cache-ttl 0s
  gw_nocache_pid=$last_pid
  ms="$(wait_serving "$p_gw_nocache" "$t0")" ||
    die "bench: the gateway without cache did not start (see $logs/gateway-nocache.log)"
  printf 'gateway\t%s\n' "$ms" >>"$run/startup.tsv"
  sleep 1
  printf 'gateway\t%s\t%s\t%s\n' "$gw_pid" "$(rss_kib "$gw_pid")" "fresh instance, idle after start" \
    >>"$run/rss.tsv"
  printf 'gateway\t%s\t%s\t%s\n' "$gw_nocache_pid" "$(rss_kib "$gw_nocache_pid")" \
    "fresh instance without cache, idle after start" >>"$run/rss.tsv"

  suite_watch=("training-server=$training_pid")
  [ -z "$pg_postmaster" ] || suite_watch+=("postgres=$pg_postmaster+")
  [ -z "$redis_pid" ] || suite_watch+=("redis-server=$redis_pid")
  parts_req=(--method "$list_method" --json-file "$bench_src/scenarios/list_parts.json")
  watch=("${suite_watch[@]}")
  scenario training_direct "training ListParts, direct (no gateway)" echo_runtime \
    --target "127.0.0.1:$training_port" "${parts_req[@]}"
  watch=("gateway=$gw_pid" "${suite_watch[@]}")
  scenario gw_read_cached "gateway gRPC ListParts, cached" fwd \
    --target "127.0.0.1:$p_gw" "${parts_req[@]}"
  watch=("gateway=$gw_nocache_pid" "${suite_watch[@]}")
  scenario gw_read_uncached "gateway gRPC ListParts, cache off" fwd \
    --target "127.0.0.1:$p_gw_nocache" "${parts_req[@]}"
  # The same request as the gRPC read (page_size 50), so it hits the same cache entry.
  watch=("gateway=$gw_pid" "${suite_watch[@]}")
  scenario http_read "gateway HTTP/JSON GET /v1/parts, cached" gw_read_cached \
    --http-url "http://127.0.0.1:$p_gw_http" --path "/v1/parts?page_size=50"

  if [ "$part_count" -gt 0 ]; then
    # The learners table as a county in use has it (10 000 rows, fresh statistics), not as the
    # previous run's cleanup left it: on a table analysed while empty, every connection keeps a
    # generic plan made for an empty table (a sequential scan for the learner_parts -> learners
    # foreign-key check), and a run inserts thousands of rows without a new ANALYZE, so each
    # insert scanned all of them. Removed at the end with the run's learners (bench-…@example.se).
    admin_psql integration -c "
      INSERT INTO training.learners (learner_id, display_name, email, organisation_type,
                                     organisation_name, kommunkod, lanskod)
      SELECT 'bench-w-seed-' || i, 'Bench Learner ' || i, 'bench-w-seed-' || i || '@example.se',
             'ORGANISATION_TYPE_KOMMUN', 'Luleå kommun', '2580', '25'
        FROM generate_series(1, 10000) AS i
      ON CONFLICT (learner_id) DO NOTHING;" \
      -c "VACUUM (ANALYZE) training.learners" -c "CHECKPOINT" >/dev/null
    sed "s#@PART@#$first_part#" "$bench_src/scenarios/create_learner.json" >"$run/create_learner.json"
    # Every call enrols a new learner as "learners/me": the token's subject (signed here per call)
    # becomes its pseudonymous id. The run's learners are known by their bench-…@example.se
    # e-mail addresses, which the cleanup deletes. Tokens are
    # signed before each run (--prerender, enough for 2 000 calls/s; open loops always), not
    # while it is measured.
    scenario gw_write "gateway gRPC CreateLearner (a new learner per call)" pg_update \
      --target "127.0.0.1:$p_gw" --method lansstyrelsen.integration.training.v1.TrainingService/CreateLearner \
      --json-file "$run/create_learner.json" --request-id "bench-{{run}}-{{seq}}" \
      --sign-key-file "$secrets_dir/jwt_dev_key.pem" --sign-kid "$jwt_kid" \
      --sign-issuer "$jwt_issuer" --sign-audience "$jwt_audience" --sign-role learner \
      --sign-sub "bench-w-{{run}}-{{seq}}" --prerender "$(((warmup + duration) * 2000))"
    # Exam hour: 2 000 learners (enrolled first, not measured) each start an attempt at the first
    # module of the part within one second and submit it within the next minute, through the
    # gateway with the response cache; the CPU of gateway, training and PostgreSQL over the exam.
    first_module="$("$cli_bin" --target "127.0.0.1:$training_port" \
      lansstyrelsen.integration.training.v1.TrainingService/ListModules \
      "{\"parent\": \"$first_part\"}" 2>/dev/null |
      python3 -c 'import json, sys; m = json.load(sys.stdin).get("modules", []); print(m[0]["name"] if m else "")' ||
      true)"
    if ! selected exam_hour; then
      log "exam hour not run: not selected (--only)"
    elif [ -z "$exam_bin" ] || [ -z "$first_module" ]; then
      log "exam hour not run: ${exam_bin:+no published module in $first_part}${exam_bin:-bench-exam-hour was not built}"
    else
      log "exam hour: $exam_learners learners start $first_module within 1 s and submit within 60 s"
      if ! "$exam_bin" --target "127.0.0.1:$p_gw" --part "$first_part" --module "$first_module" \
        --learners "$exam_learners" --submit-window "$exam_submit_window" \
        --sign-key-file "$secrets_dir/jwt_dev_key.pem" --sign-kid "$jwt_kid" \
        --sign-issuer "$jwt_issuer" --sign-audience "$jwt_audience" \
        --watch "$(IFS=,; echo "gateway=$gw_pid,${suite_watch[*]}")" \
        --json-out "$run/exam_hour.json" >"$logs/exam_hour.txt" 2>&1; then
        log "exam hour failed: $(tail -n 1 "$logs/exam_hour.txt")"
        rm -f "$run/exam_hour.json"
      else
        while IFS= read -r line; do log "exam hour: $line"; done <"$logs/exam_hour.txt"
      fi
    fi
  else
    plan gw_write "gateway gRPC CreateLearner (a new learner per call)" pg_update \
      "not run: no published part to enrol in"
  fi
  # Grants: every call writes a new draft application (insert, audit row, request id) into an
  # open call made for the run, as Botkyrka kommun (kommun claim of a fixed token).
  grants_title="gateway gRPC grants CreateApplication (a new draft per call)"
  grants_service=lansstyrelsen.integration.grants.v1.GrantsService
  if [ -z "$grants_pid" ]; then
    plan grants_write "$grants_title" pg_update "not run: the grants service is not running (./dev up)"
  elif ! "$cli_bin" --target "127.0.0.1:$grants_port" "$grants_service/GetProgramme" \
    '{"name": "programmes/kapacitet"}' >/dev/null 2>&1; then
    plan grants_write "$grants_title" pg_update "not run: no programmes/kapacitet (./dev up loads it)"
  else
    admin_token="$(token_for --role county_admin --lan 01 --sub bench-admin)"
    bench_call="$("$cli_bin" --target "127.0.0.1:$grants_port" --token "$admin_token" \
      "$grants_service/CreateCall" '{"call": {"programme": "programmes/kapacitet",
        "title": "Bench: CreateApplication", "openTime": "2020-01-01T00:00:00Z",
        "closeTime": "2099-01-01T00:00:00Z", "budget": {"ore": "100000000000"},
        "maxAmountPerApplication": {"ore": "10000000"},
        "fundingPeriod": {"startDate": {"year": 2020, "month": 1, "day": 1},
                          "endDate": {"year": 2099, "month": 12, "day": 31}},
        "criteria": [{"id": "behov", "title": "Behov", "weight": 1}]}}' |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])')" ||
      die "bench: creating the benchmark's grants call failed"
    "$cli_bin" --target "127.0.0.1:$grants_port" --token "$admin_token" \
      "$grants_service/OpenCall" "{\"name\": \"$bench_call\"}" >/dev/null ||
      die "bench: opening the benchmark's grants call failed"
    sed "s#@CALL@#$bench_call#" "$bench_src/scenarios/create_application.json" \
      >"$run/create_application.json"
    (umask 077 && token_for --role municipality_officer --kommun 0127 --sub bench-botkyrka \
      >"$run/kommun.token")
    watch=("gateway=$gw_pid" "grants-server=$grants_pid" "${suite_watch[@]:1}")
    scenario grants_write "$grants_title" pg_update \
      --target "127.0.0.1:$p_gw" --method "$grants_service/CreateApplication" \
      --json-file "$run/create_application.json" --request-id "bench-{{run}}-{{seq}}" \
      --token-file "$run/kommun.token"
    watch=("gateway=$gw_pid" "${suite_watch[@]}")
  fi

  # Placement: every call reports a new unaccompanied child as Migrationsverket's system (agency
  # token with the placement.arrivals scope), which stores it encrypted, assigns it to a kommun
  # by the allocation key and writes its event. The children arrive in Norrbotten (län 25), away
  # from the demo's Stockholm county, under an allocation key for this year that the run creates
  # when the county has none; the cleanup removes the run's children (and that key).
  arrival_title="gateway gRPC placement ReportArrival (a new child per call)"
  placement_service=lansstyrelsen.integration.placement.v1.PlacementService
  if [ -z "$placement_pid" ]; then
    plan arrival_write "$arrival_title" pg_update "not run: the placement service is not running (./dev up)"
  else
    remove_bench_children
    year="$(TZ=Europe/Stockholm date +%Y)"
    bench_key="counties/25/allocationKeys/$year"
    norrbotten_admin="$(token_for --role county_admin --lan 25 --sub bench-admin)"
    if ! "$cli_bin" --target "127.0.0.1:$placement_port" --token "$norrbotten_admin" \
      "$placement_service/GetAllocationKey" "{\"name\": \"$bench_key\"}" >/dev/null 2>&1; then
      "$cli_bin" --target "127.0.0.1:$placement_port" --token "$norrbotten_admin" \
        "$placement_service/CreateAllocationKey" "{\"parent\": \"counties/25\",
          \"allocationKey\": {\"name\": \"$bench_key\", \"countyTotalPerMille\": 25, \"shares\": [
          {\"kommunkod\": \"2580\", \"perMille\": 10}, {\"kommunkod\": \"2581\", \"perMille\": 6},
          {\"kommunkod\": \"2582\", \"perMille\": 5}, {\"kommunkod\": \"2584\", \"perMille\": 4}]}}" \
        >/dev/null || die "bench: creating the allocation key $bench_key failed"
      bench_key_created="$year"
    fi
    sed "s#@TODAY@#$(TZ=Europe/Stockholm date '+{"year": %Y, "month": %-m, "day": %-d}')#" \
      "$bench_src/scenarios/report_arrival.json" >"$run/report_arrival.json"
    (umask 077 && token_for --role agency_system --agency migrationsverket --scope placement.arrivals \
      --sub bench-migrationsverket >"$run/agency.token")
    watch=("gateway=$gw_pid" "placement-server=$placement_pid" "${suite_watch[@]:1}")
    scenario arrival_write "$arrival_title" pg_update \
      --target "127.0.0.1:$p_gw" --method "$placement_service/ReportArrival" \
      --json-file "$run/report_arrival.json" --request-id "bench-{{run}}-{{seq}}" \
      --token-file "$run/agency.token"
    check "ReportArrival" "$(admin_psql integration -c "
      SELECT count(*) || ' children reported, ' || count(*) FILTER (WHERE state = 'ASSIGNED')
             || ' assigned to a kommun'
        FROM placement.children WHERE sibling_group LIKE 'bench-%'")"
    watch=("gateway=$gw_pid" "${suite_watch[@]}")
  fi

  # --- placement, orientation and early_measures: one read and one write each ----------------------
  # Reads as the demo's tenants (no response cache: these lists are not public); writes insert a
  # new row per call (with its audit row, request id and event) that the cleanup removes.
  year="$(TZ=Europe/Stockholm date +%Y)"
  if [ -n "$placement_pid" ]; then
    (umask 077 && token_for --role county_officer --lan 01 --sub bench-officer-01 >"$run/county01.token")
    watch=("gateway=$gw_pid" "placement-server=$placement_pid" "${suite_watch[@]:1}")
    scenario placement_read "gateway gRPC placement ListUnits (kommun 0180)" fwd \
      --target "127.0.0.1:$p_gw" --method "$placement_service/ListUnits" \
      --json-file "$bench_src/scenarios/list_units.json" --token-file "$run/county01.token"
  fi
  orientation_service=lansstyrelsen.integration.orientation.v1.OrientationService
  if [ -z "$orientation_pid" ]; then
    plan orientation_read "gateway gRPC orientation ListOfferings" fwd \
      "not run: the orientation service is not running (./dev up)"
  else
    (umask 077 && token_for --role municipality_officer --kommun 0180 --sub bench-stockholm \
      >"$run/stockholm.token")
    watch=("gateway=$gw_pid" "orientation-server=$orientation_pid" "${suite_watch[@]:1}")
    scenario orientation_read "gateway gRPC orientation ListOfferings (kommun 0180)" fwd \
      --target "127.0.0.1:$p_gw" --method "$orientation_service/ListOfferings" \
      --json '{"page_size": 50}' --token-file "$run/stockholm.token"
    sed -e "s#@START@#{\"year\": $year, \"month\": 1, \"day\": 1}#" \
      -e "s#@END@#{\"year\": $year, \"month\": 12, \"day\": 31}#" \
      "$bench_src/scenarios/create_offering.json" >"$run/create_offering.json"
    scenario orientation_write "gateway gRPC orientation CreateOffering (a new offering per call)" \
      pg_update --target "127.0.0.1:$p_gw" --method "$orientation_service/CreateOffering" \
      --json-file "$run/create_offering.json" --token-file "$run/stockholm.token"
  fi
  em_service=lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService
  if [ -z "$em_pid" ]; then
    plan em_read "gateway gRPC early_measures ListActivities" fwd \
      "not run: the early_measures service is not running (./dev up)"
  else
    # The demo's association in Stockholm, whose TIA grant covers March to December.
    (umask 077 && token_for --role organisation_rep --orgnr 8024001235 --sub bench-forening \
      >"$run/forening.token")
    watch=("gateway=$gw_pid" "early-measures-server=$em_pid" "${suite_watch[@]:1}")
    scenario em_read "gateway gRPC early_measures ListActivities (one association)" fwd \
      --target "127.0.0.1:$p_gw" --method "$em_service/ListActivities" \
      --json '{"parent": "organisations/8024001235", "page_size": 50}' --token-file "$run/forening.token"
    bench_activity="$("$cli_bin" --target "127.0.0.1:$em_port" --token "$(cat "$run/forening.token")" \
      "$em_service/CreateActivity" "{\"parent\": \"organisations/8024001235\", \"activity\": {
        \"displayName\": \"Bench: sessions\", \"type\": \"ACTIVITY_TYPE_SWEDISH_LANGUAGE\",
        \"kommunkod\": \"0180\", \"period\": {
          \"startDate\": {\"year\": $year, \"month\": 3, \"day\": 1},
          \"endDate\": {\"year\": $year, \"month\": 12, \"day\": 31}},
        \"plannedSessions\": 30, \"plannedHours\": 60}}" 2>"$logs/em-activity.txt" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])' || true)"
    if [ -z "$bench_activity" ]; then
      plan em_write "gateway gRPC early_measures CreateSession (a new session per call)" pg_update \
        "not run: creating the benchmark's activity failed ($(tail -n 1 "$logs/em-activity.txt"))"
    else
      sed -e "s#@ACTIVITY@#$bench_activity#" -e "s#@YEAR@#$year#" \
        "$bench_src/scenarios/create_em_session.json" >"$run/create_em_session.json"
      scenario em_write "gateway gRPC early_measures CreateSession (a new session per call)" \
        pg_update --target "127.0.0.1:$p_gw" --method "$em_service/CreateSession" \
        --json-file "$run/create_em_session.json" --token-file "$run/forening.token"
    fi
  fi
  watch=("gateway=$gw_pid" "${suite_watch[@]}")

  # --- lists: 1 000 rows, then the large table --------------------------------------------------------
  learners_method=lansstyrelsen.integration.training.v1.TrainingService/ListLearners
  # Row i: learner bench-list-<i, 7 digits>, county 01, enrolled at 2020-01-01 + i seconds, so
  # the sort key of row i is known without asking the service.
  insert_learners() {
    admin_psql integration -c "
      INSERT INTO training.learners (learner_id, display_name, email, organisation_type,
                                     organisation_name, kommunkod, lanskod, enrol_time, update_time)
      SELECT 'bench-list-' || lpad(i::text, 7, '0'), 'Bench Learner ' || i,
             'bench-list-' || i || '@example.se', 'ORGANISATION_TYPE_KOMMUN', 'Stockholms stad',
             '0180', '01', ts, ts
        FROM generate_series($1, $2) AS i,
             LATERAL (SELECT timestamptz '2020-01-01 00:00:00+00' + i * interval '1 second') AS t(ts);" \
      -c "VACUUM (ANALYZE) training.learners" -c "CHECKPOINT" >/dev/null
  }
  # VACUUM and CHECKPOINT: otherwise autovacuum and the checkpointer work off the bulk insert
  # during the measured runs, and their CPU counts as PostgreSQL's per call.
  # page_request ROWS FILE: the request of the last full page (rows ROWS-49..ROWS).
  page_request() {
    local key=$(($1 - 50)) token
    token="$("$page_token_bin" --query "ListLearners|01|" \
      --key "$((1577836800000000 + key * 1000000))" --key "$(printf 'bench-list-%07d' "$key")")"
    sed "s#@PAGE_TOKEN@#$token#" "$bench_src/scenarios/list_learners.json" >"$2"
  }
  # verify_page LABEL FILE FIRST: the page holds 50 learners starting with learners/FIRST.
  verify_page() {
    local answer verdict
    answer="$("$cli_bin" --target "127.0.0.1:$p_gw" --token "$(cat "$run/officer.token")" \
      "$learners_method" "$(cat "$2")" 2>&1)" || answer="{}"
    verdict="$(python3 -c '
import json, sys
try:
    names = [l["name"] for l in json.loads(sys.argv[1]).get("learners", [])]
except ValueError:
    names = []
want = "learners/" + sys.argv[2]
print(f"{len(names)} learners from {names[0] if names else None}" +
      ("" if len(names) == 50 and names[0] == want else f" (expected 50 from {want})"))' "$answer" "$3")"
    check "$1" "$verdict"
  }
  # "1000000" -> "1 000 000"
  group() { sed -e ':a' -e 's/\B[0-9]\{3\}\>/ &/' -e 'ta' <<<"$1"; }
  list_title() { printf 'ListLearners %s, %s rows' "$1" "$(group "$2")"; }
  list_args=(--target "127.0.0.1:$p_gw" --method "$learners_method" --token-file "$run/officer.token")
  if ! selected list; then
    plan list_1k_first "ListLearners, 1 000 vs $list_rows rows" list_1k_first \
      "not selected (--only)"
  elif [ -z "$page_token_bin" ]; then
    plan list_1k_first "ListLearners, 1 000 vs $list_rows rows" list_1k_first \
      "not run: bench-page-token was not built (needs services/training)"
  else
    log "list scenario: $list_rows learner rows (inserted directly, removed at the end)"
    # Rows left by an interrupted run go first, and VACUUM removes them for good: a million dead
    # index entries would make every page of the small list slow.
    admin_psql integration -c "DELETE FROM training.learner_parts WHERE learner_id LIKE 'bench-list-%';
      DELETE FROM training.learners WHERE learner_id LIKE 'bench-list-%';" \
      -c "VACUUM (ANALYZE) training.learners" >/dev/null
    insert_learners 1 1000
    sed "s#@PAGE_TOKEN@##" "$bench_src/scenarios/list_learners.json" >"$run/list_first.json"
    page_request 1000 "$run/list_deep_1k.json"
    verify_page list_1k_first "$run/list_first.json" bench-list-0000001
    verify_page list_1k_deep "$run/list_deep_1k.json" bench-list-0000951
    scenario list_1k_first "$(list_title "first page" 1000)" list_1k_first \
      "${list_args[@]}" --json-file "$run/list_first.json"
    scenario list_1k_deep "$(list_title "last page (rows 951–1 000)" 1000)" list_1k_first \
      "${list_args[@]}" --json-file "$run/list_deep_1k.json"
    t="$(now_ms)"
    insert_learners 1001 "$list_rows"
    log "inserted $((list_rows - 1000)) more rows in $(elapsed "$t")"
    page_request "$list_rows" "$run/list_deep_big.json"
    verify_page list_big_first "$run/list_first.json" bench-list-0000001
    verify_page list_big_deep "$run/list_deep_big.json" "$(printf 'bench-list-%07d' $((list_rows - 49)))"
    scenario list_1m_first "$(list_title "first page" "$list_rows")" list_1k_first \
      "${list_args[@]}" --json-file "$run/list_first.json"
    scenario list_1m_deep "$(list_title "last page" "$list_rows")" list_1k_first \
      "${list_args[@]}" --json-file "$run/list_deep_big.json"
  fi
  stop_started "$gw_pid"
  stop_started "$gw_nocache_pid"

  # --- start to SERVING: a second training-server with the settings of the running one -------------
  training_bin="$(readlink "/proc/$training_pid/exe" || true)"
  if [ -n "$training_bin" ] && [ -r "/proc/$training_pid/environ" ]; then
    mapfile -d '' training_env <"/proc/$training_pid/environ"
    for attempt in 1 2 3; do
      t0="$(date +%s%N)"
      start_bg "training-probe-$attempt" env -i "${training_env[@]}" "$training_bin" \
        --listen-host 127.0.0.1 --grpc-port "$p_probe" --admin-port "$p_probe_admin" --shutdown-delay 0s
      probe_pid=$last_pid
      if ms="$(wait_serving "$p_probe" "$t0")"; then
        printf 'training-server\t%s\n' "$ms" >>"$run/startup.tsv"
      else
        log "the second training-server did not report SERVING (see $logs/training-probe-$attempt.log)"
      fi
      if [ "$attempt" -eq 3 ]; then
        sleep 1
        printf 'training-server\t%s\t%s\t%s\n' "$probe_pid" "$(rss_kib "$probe_pid")" \
          "second instance, idle after start" >>"$run/rss.tsv"
      fi
      stop_started "$probe_pid"
    done
  fi
fi

# And after the bursts of the run: a server gives freed heap back (malloc_trim) once a readiness
# interval (1 s) passed without a call, so a few seconds of quiet come first.
sleep 3
suite_rss "idle after the run"

report="$(python3 "$report_py" render "$run")"
if [ -s "$run/matching.json" ]; then
  python3 - "$run/matching.json" >>"$report" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print()
print("## Placement matching (bench-matching, pure rules)")
print()
print(f"{m['children']:,} waiting children x {m['units']:,} units ({m['free_places']:,} free places), "
      f"fastest of {m['repeat']} runs; goal: under 1 000 ms.")
print()
print("| | ms | objective | placed |")
print("| --- | ---: | ---: | ---: |")
print(f"| min-cost flow | {m['optimal_ms']:.0f} | {m['optimal_objective']:,} | {m['optimal_placed']:,} |")
print(f"| greedy baseline | {m['greedy_ms']:.0f} | {m['greedy_objective']:,} | {m['greedy_placed']:,} |")
print()
print(f"Greedy objective / optimal: {m['greedy_objective_over_optimal']:.4f}; "
      f"optimal time / greedy time: {m['optimal_time_over_greedy']:.2f}.")
PY
fi
if [ -s "$run/exam_hour.json" ]; then
  python3 - "$run/exam_hour.json" >>"$report" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print()
print("## Exam hour (bench-exam-hour, through the gateway)")
print()
print(f"{e['learners']:,} learners, each with a token of its own, enrolled first ({e['enrol_s']:.1f} s, "
      f"not measured); each starts an attempt within {e['start']['window_s']:.0f} s and submits it "
      f"at a random moment of the next {e['submit']['window_s']:.0f} s. Latency counts from the "
      "moment a call was due. Goal: p99 <= 100 ms for both, 0 errors.")
print()
print("| phase | ok | errors | p50 ms | p99 ms | max ms | goal |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
for phase in ("start", "submit"):
    p = e[phase]
    errors = sum(n for code, n in p["codes"].items() if code != "OK")
    missing = e["learners"] - p["ok"] - errors  # submits never sent: their start failed
    met = p["p99_ms"] <= 100 and errors == 0 and missing == 0
    detail = ", ".join(f"{c} {n}" for c, n in p["codes"].items() if c != "OK")
    print(f"| {phase} | {p['ok']:,} | {errors}{' (' + detail + ')' if detail else ''} | "
          f"{p['p50_ms']:.2f} | {p['p99_ms']:.2f} | {p['max_ms']:.2f} | {'met' if met else 'not met'} |")
print()
total = sum(e["cpu_s"].values())
split = ", ".join(f"{name} {s:.2f} s ({100 * s / total:.0f} %)" for name, s in e["cpu_s"].items()) if total else "-"
print(f"CPU over the exam ({e['exam_s']:.1f} s): {split}. Passed: {e['passed']:,} of {e['learners']:,} "
      "(every answer is the first option served).")
PY
fi
log "finished in $(elapsed "$started_ms")"
cat "$report"
echo
echo "report: $report"
