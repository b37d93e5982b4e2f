#!/usr/bin/env bash
# ./dev soak [--minutes N] [--warmup M]: a mixed load against the suite that ./dev up runs
# (public ListParts reads, CreateLearner and grants CreateApplication writes, all through the
# gateway) for N minutes (default 60), and every minute one line per component: resident memory,
# open sockets, PostgreSQL pool (open/in use), calls and mean server latency in that minute, and
# the load's client-side p50/p99. After the warm-up (M minutes, default 5 or N/5 if shorter) a
# component whose resident memory ends more than 10 % above its post-warm-up figure fails the
# soak. Report: .run/soak/<time>/report.md (and report.tsv).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

minutes=60 warmup=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    -h | --help)
      sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "soak: unknown argument '$1'" ;;
  esac
  shift
done
[[ $minutes =~ ^[1-9][0-9]*$ ]] || die "soak: --minutes must be a positive number"
if [ -z "$warmup" ]; then warmup=$((minutes / 5 < 5 ? minutes / 5 : 5)); fi
[ "$warmup" -ge 1 ] || warmup=1
[ "$warmup" -lt "$minutes" ] || die "soak: the warm-up must be shorter than the soak"

load_services
bench_bin="$release_dir/tests/bench/integration-bench"
if [ ! -x "$bench_bin" ]; then
  (cd "$repo_root" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target integration-bench) || die "soak: building integration-bench failed"
fi
for i in "${!svc_names[@]}"; do
  if [ "${svc_names[$i]}" = gateway ]; then gw_port="${svc_grpc_ports[$i]}"; fi
done
running_pid "$(svc_pid_file gateway)" gateway >/dev/null || die "soak: the gateway is not running (./dev up first)"
running_pid "$(svc_pid_file training)" training-server >/dev/null || die "soak: training is not running (./dev up first)"
running_pid "$(svc_pid_file grants)" grants-server >/dev/null || die "soak: grants is not running (./dev up first)"

out="$run_dir/soak/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out/load"
token() {
  "$token_bin" --key-file "$secrets_dir/jwt_dev_key.pem" --kid "$jwt_kid" --issuer "$jwt_issuer" \
    --audience "$jwt_audience" --ttl "$((minutes + 10))m" "$@"
}
# What the writes need: a published part to enrol in (the demo course) and an open grants call.
part="$("$call_bin" --target 127.0.0.1:"$gw_port" lansstyrelsen.integration.training.v1.TrainingService/ListParts \
  '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["parts"][0]["name"])')" ||
  die "soak: no part to enrol in (./dev up loads the demo course)"
admin="$(token --role county_admin --lan 01 --sub soak-admin)"
call="$("$call_bin" --target 127.0.0.1:"$gw_port" --token "$admin" \
  lansstyrelsen.integration.grants.v1.GrantsService/CreateCall '{"call": {"programme": "programmes/kapacitet",
    "title": "Soak", "openTime": "2020-01-01T00:00:00Z", "closeTime": "2099-01-01T00:00:00Z",
    "budget": {"ore": "100000000000000"}, "maxAmountPerApplication": {"ore": "10000000"},
    "fundingPeriod": {"startDate": {"year": 2020, "month": 1, "day": 1},
                      "endDate": {"year": 2099, "month": 12, "day": 31}},
    "criteria": [{"id": "behov", "title": "Behov", "weight": 1}]}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')" || die "soak: creating a grants call failed"
"$call_bin" --target 127.0.0.1:"$gw_port" --token "$admin" \
  lansstyrelsen.integration.grants.v1.GrantsService/OpenCall "{\"name\": \"$call\"}" >/dev/null ||
  die "soak: opening the grants call failed"
scenarios="$repo_root/tests/bench/scenarios"
sed "s#@PART@#$part#" "$scenarios/create_learner.json" >"$out/create_learner.json"
sed "s#@CALL@#$call#" "$scenarios/create_application.json" >"$out/create_application.json"
(umask 077 && token --role municipality_officer --kommun 0127 --sub soak-botkyrka >"$out/kommun.token")

# One load loop per kind, in one-minute runs (each run's JSON gives that minute's latency).
end=$(($(date +%s) + minutes * 60))
loop() {
  local kind=$1 n=0
  shift
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    "$bench_bin" --target 127.0.0.1:"$gw_port" --warmup 0s --duration 60s --label "$kind" \
      --json-out "$out/load/$kind.$(printf '%04d' "$n").json" "$@" >>"$out/load/$kind.log" 2>&1 || true
  done
}
pids=()
loop read --method lansstyrelsen.integration.training.v1.TrainingService/ListParts --json '{}' --rate 40 &
pids+=($!)
loop learner --method lansstyrelsen.integration.training.v1.TrainingService/CreateLearner \
  --json-file "$out/create_learner.json" --request-id "soak-{{run}}-{{seq}}" \
  --sign-key-file "$secrets_dir/jwt_dev_key.pem" --sign-kid "$jwt_kid" --sign-issuer "$jwt_issuer" \
  --sign-audience "$jwt_audience" --sign-role learner --sign-sub "soak-{{run}}-{{seq}}" --rate 5 &
pids+=($!)
loop application --method lansstyrelsen.integration.grants.v1.GrantsService/CreateApplication \
  --json-file "$out/create_application.json" --request-id "soak-{{run}}-{{seq}}" \
  --token-file "$out/kommun.token" --rate 5 &
pids+=($!)
# shellcheck disable=SC2317  # run by the trap
stop_load() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_load EXIT

say "soak for $minutes min (warm-up $warmup min); report in $out"
components=()
for i in "${!svc_names[@]}"; do
  if pid="$(running_pid "$(svc_pid_file "${svc_names[$i]}")" "${svc_binaries[$i]}")"; then
    components+=("${svc_names[$i]}:$pid:${svc_admin_ports[$i]}")
  fi
done
python3 "$repo_root/scripts/soak_monitor.py" --out "$out" --minutes "$minutes" --warmup "$warmup" \
  "${components[@]}"
