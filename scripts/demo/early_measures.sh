#!/usr/bin/env bash
# Loads the early measures demo into a running early_measures service (after the grants demo,
# whose two associations hold approved TIA grants): each association's activities (accepted
# because grants confirms the grant), its participants (by made-up LMA numbers, kept only as a
# keyed hash), sessions and attendance, so that the statistics and the grant reports have
# figures. Run by ./dev up with
#   CALL    path of the integration-call binary
#   TARGET  host:port of the early_measures service
#   TOKEN   a county_admin bearer token for län 01 (unused: the associations act themselves)
#   DEV     path of ./dev (for the associations' tokens)
# Safe to re-run: request ids make a repeated step return the first result, and registering an
# LMA number again returns the participant registered with it.
set -euo pipefail
readonly service=lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService

die() {
  printf 'early_measures demo: error: %s\n' "$*" >&2
  exit 1
}
[ -n "${CALL:-}" ] && [ -x "$CALL" ] || die "CALL (path of integration-call) is not set or not executable"
[ -n "${TARGET:-}" ] || die "TARGET (host:port of the early_measures service) is not set"
[ -n "${DEV:-}" ] && [ -x "$DEV" ] || die "DEV (path of ./dev) is not set"
command -v python3 >/dev/null || die "python3 is needed"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# call TOKEN METHOD JSON: prints the response JSON; dies with the error on failure.
call() {
  local out
  if ! out="$("$CALL" --target "$TARGET" --token "$1" "$service/$2" "$3" 2>"$tmp/err")"; then
    die "$2 failed: $(cat "$tmp/err")"
  fi
  printf '%s' "$out"
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
rid() { python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "early-measures-demo/" + sys.argv[1]))' "$1"; }

year="$(date +%Y)"

# activity KEY TOKEN ORG_DIGITS TYPE KOMMUN TITLE: creates it (March to December), prints its name.
activity() {
  call "$2" CreateActivity "{\"parent\": \"organisations/$3\", \"activity\": {
    \"displayName\": \"$6\", \"type\": \"$4\", \"kommunkod\": \"$5\",
    \"period\": {\"startDate\": {\"year\": $year, \"month\": 3, \"day\": 1},
                 \"endDate\": {\"year\": $year, \"month\": 12, \"day\": 31}},
    \"plannedSessions\": 30, \"plannedHours\": 60},
    \"requestId\": \"$(rid "activity/$1")\"}" | field name
}
# participant TOKEN ORG_DIGITS LMA SEX BIRTH_YEAR: registers (or finds) them, prints the name.
participant() {
  call "$1" RegisterParticipant "{\"parent\": \"organisations/$2\", \"participant\": {
    \"lmaNumber\": \"$3\", \"sex\": \"$4\", \"birthYear\": $5}}" | field name
}
# session KEY TOKEN ACTIVITY MONTH MINUTES PARTICIPANT...: a session on the 10th with attendance.
session() {
  local key=$1 token=$2 act=$3 month=$4 minutes=$5 name list
  shift 5
  name="$(call "$token" CreateSession "{\"parent\": \"$act\", \"session\": {
    \"date\": {\"year\": $year, \"month\": $month, \"day\": 10}, \"durationMinutes\": $minutes},
    \"requestId\": \"$(rid "session/$key")\"}" | field name)"
  list="$(printf '"%s",' "$@")"
  call "$token" RecordAttendance "{\"name\": \"$name\", \"participants\": [${list%,}],
    \"requestId\": \"$(rid "attendance/$key")\"}" >/dev/null
}

# Föreningen Språkvänner i Stockholm: Swedish in Stockholm, 12 participants.
forening="$("$DEV" token --role organisation_rep --orgnr 8024001235 --sub demo-forening)"
svenska="$(activity svenska "$forening" 8024001235 ACTIVITY_TYPE_SWEDISH_LANGUAGE 0180 "Språkcafé för asylsökande")"
people=()
for i in 1 2 3 4 5 6; do people+=("$(participant "$forening" 8024001235 "26-10000$i" SEX_FEMALE $((year - 29)))"); done
for i in 1 2 3 4 5; do people+=("$(participant "$forening" 8024001235 "26-20000$i" SEX_MALE $((year - 41)))"); done
people+=("$(participant "$forening" 8024001235 "26-300001" SEX_OTHER $((year - 22)))")
session svenska-1 "$forening" "$svenska" 3 120 "${people[@]}"
session svenska-2 "$forening" "$svenska" 4 120 "${people[@]:0:10}"
session svenska-3 "$forening" "$svenska" 5 90 "${people[@]:2:9}"

# Studieförbundet Bildning i Södertälje: health and the labour market, 7 participants.
studie="$("$DEV" token --role organisation_rep --orgnr 8024806377 --sub demo-studieforbund)"
halsa="$(activity halsa "$studie" 8024806377 ACTIVITY_TYPE_HEALTH 0181 "Hälsa och vardag")"
arbete="$(activity arbete "$studie" 8024806377 ACTIVITY_TYPE_SOCIETY_AND_LABOUR_MARKET 0181 "Vägar till arbete")"
group=()
for i in 1 2 3 4 5; do group+=("$(participant "$studie" 8024806377 "27-40000$i" SEX_MALE $((year - 33)))"); done
for i in 1 2; do group+=("$(participant "$studie" 8024806377 "27-50000$i" SEX_FEMALE $((year - 58)))"); done
session halsa-1 "$studie" "$halsa" 6 90 "${group[@]}"
session arbete-1 "$studie" "$arbete" 9 180 "${group[@]:0:5}"
