#!/usr/bin/env bash
# Loads the civic-orientation demo into a running orientation service, all in Stockholm county
# (län 01): offerings in Arabic (Botkyrka and Södertälje together), Dari (Stockholm), Somali
# (Stockholm and Huddinge together), Tigrinya (Södertälje) and Ukrainian (Botkyrka), each with
# 28 weekly four-hour sessions over the eight themes (26 held, one of the two ahead cancelled);
# two or three participants per kommun (fictitious numbers), enrolled, with attendance: the
# first of each kommun has attended every session held (100 hours: completed), the others part.
# Run by ./dev up with
#   CALL    path of the integration-call binary
#   TARGET  host:port of the orientation service
#   TOKEN   a county_admin bearer token for län 01 (unused: the kommuner do the work)
#   DEV     path of ./dev (for the kommuner's tokens)
# Safe to re-run: a kommun's offering in a language is created once, a number already
# registered is looked up, an enrolment that exists is kept, and attendance is recorded only
# for enrolments without any.
set -euo pipefail

readonly service=lansstyrelsen.integration.orientation.v1.OrientationService
readonly demo=orientation
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# py CODE ARGS...: runs a Python snippet with the JSON on stdin as `v` (None without input).
py() {
  local code=$1
  shift
  python3 -c '
import datetime, json, sys
raw = sys.stdin.read()
v = json.loads(raw) if raw.strip() else None
args = sys.argv[2:]
exec(sys.argv[1])' "$code" "$@"
}
# A type.v1.Date N weeks and D days from today (negative: ago).
date_json() {
  py 'd = datetime.date.today() + datetime.timedelta(weeks=int(args[0]), days=int(args[1]))
print(json.dumps({"year": d.year, "month": d.month, "day": d.day}))' "$1" "$2" </dev/null
}
# A fictitious personnummer born on YYYYMMDD with birth number NNN, its check digit computed.
pnr() {
  py 'p = args[0][2:] + args[1]
s = 0
for i, c in enumerate(p):
    x = int(c) * (2 if i % 2 == 0 else 1)
    s += x // 10 + x % 10
print(args[0] + args[1] + str((10 - s % 10) % 10))' "$1" "$2" </dev/null
}

declare -A tokens
for kommun in 0180 0126 0127 0181; do
  tokens[$kommun]="$("$DEV" token --role municipality_officer --kommun "$kommun" --sub "demo-$kommun")"
done

readonly themes='[{"theme": "THEME_COMING_TO_SWEDEN", "minutes": 30},
  {"theme": "THEME_LIVING_IN_SWEDEN", "minutes": 30}, {"theme": "THEME_SUPPORTING_YOURSELF", "minutes": 30},
  {"theme": "THEME_RIGHTS_AND_OBLIGATIONS", "minutes": 30}, {"theme": "THEME_FAMILY_AND_CHILDREN", "minutes": 30},
  {"theme": "THEME_INFLUENCING", "minutes": 30}, {"theme": "THEME_HEALTH", "minutes": 30},
  {"theme": "THEME_AGEING", "minutes": 30}]'

# offering LANGUAGE TITLE COMMUNICATOR KOMMUN...: the name of the offering in LANGUAGE of the
# first kommun, created with its sessions when that kommun has none in the language yet.
offering() {
  local language=$1 title=$2 communicator=$3 lead=$4 name kommuner i session
  shift 3
  name="$(rpc "${tokens[$lead]}" ListOfferings '{"pageSize": 500}' |
    py 'print(next((o["name"] for o in v.get("offerings", []) if o["language"] == args[0]), ""))' "$language")"
  if [ -n "$name" ]; then
    echo "$name"
    return
  fi
  kommuner="$(py 'print(json.dumps(args))' "$@" </dev/null)"
  name="$(rpc "${tokens[$lead]}" CreateOffering "{\"offering\": {\"displayName\": \"$title\",
    \"language\": \"$language\", \"communicator\": \"$communicator\", \"capacity\": 25,
    \"kommunkoder\": $kommuner, \"period\": {\"startDate\": $(date_json -26 -3),
    \"endDate\": $(date_json 4 0)}}}" | py 'print(v["name"])')"
  # Weekly from 26 weeks ago: 26 sessions held, two ahead.
  for i in $(seq -26 1); do
    session="$(rpc "${tokens[$lead]}" CreateSession "{\"parent\": \"$name\", \"session\": {
      \"date\": $(date_json "$i" -2), \"themes\": $themes}}" | py 'print(v["name"])')"
    if [ "$i" = 1 ]; then
      rpc "${tokens[$lead]}" CancelSession "{\"name\": \"$session\",
        \"reason\": \"Lokalen är upptagen av valet; passet tas igen veckan efter.\"}" >/dev/null
    fi
  done
  echo "$name"
}

# participant KOMMUN NUMBER REGISTERED_WEEKS_AGO CITIZENSHIP LANGUAGE: the participant's name.
participant() {
  local kommun=$1 number=$2 ago=$3 citizenship=$4 language=$5 body
  body="{\"parent\": \"kommuner/$kommun\", \"participant\": {\"personnummer\": \"$number\",
    \"registeredKommunkod\": \"$kommun\", \"registrationDate\": $(date_json "-$ago" 0),
    \"firstRegistrationDate\": $(date_json "-$ago" 0), \"permitType\": \"PERMIT_TYPE_PROTECTION\",
    \"citizenships\": [\"$citizenship\"], \"languages\": [\"$language\"]}}"
  if ! rpc --may-fail "${tokens[$kommun]}" CreateParticipant "$body" | py 'print(v["name"])'; then
    rpc "${tokens[$kommun]}" LookupParticipant \
      "{\"parent\": \"kommuner/$kommun\", \"personnummer\": \"$number\"}" | py 'print(v["name"])'
  fi
}

# enrol PARTICIPANT OFFERING SHARE: enrols (once) and, for a new enrolment, records attendance at
# the sessions held: every one for SHARE=all, else every second one (absent or excused between).
enrol() {
  local person=$1 offering=$2 share=$3 kommun enrolment sessions i status
  kommun="${person:9:4}"
  enrolment="$(rpc "${tokens[$kommun]}" ListEnrolments "{\"parent\": \"$person\"}" |
    py 'print(next((e["name"] for e in v.get("enrolments", []) if e["offering"] == args[0]), ""))' "$offering")"
  if [ -n "$enrolment" ]; then return; fi
  enrolment="$(rpc "${tokens[$kommun]}" CreateEnrolment "{\"parent\": \"$person\",
    \"enrolment\": {\"offering\": \"$offering\", \"enrolDate\": $(date_json -26 -4)}}" |
    py 'print(v["name"])')"
  sessions="$(rpc "${tokens[$kommun]}" ListSessions "{\"parent\": \"$offering\", \"pageSize\": 500}" |
    py 'today = datetime.date.today()
for s in v.get("sessions", []):
    d = datetime.date(s["date"]["year"], s["date"]["month"], s["date"]["day"])
    if s["state"] == "STATE_SCHEDULED" and d <= today:
        print(s["name"])')"
  i=0
  for session in $sessions; do
    status=ATTENDANCE_STATUS_PRESENT
    if [ "$share" != all ] && [ $((i % 2)) = 1 ]; then
      status=$([ $((i % 4)) = 1 ] && echo ATTENDANCE_STATUS_ABSENT || echo ATTENDANCE_STATUS_EXCUSED)
    fi
    rpc "${tokens[$kommun]}" RecordAttendance "{\"session\": \"$session\",
      \"attendances\": [{\"enrolment\": \"$enrolment\", \"status\": \"$status\"}]}" >/dev/null
    i=$((i + 1))
  done
}

arabic="$(offering ar "Samhällsorientering på arabiska" "Rania Khalil" 0127 0181)"
dari="$(offering prs "Samhällsorientering på dari" "Farid Ahmadi" 0180)"
somali="$(offering so "Samhällsorientering på somaliska" "Hodan Warsame" 0180 0126)"
tigrinya="$(offering ti "Samhällsorientering på tigrinja" "Senait Tesfay" 0181)"
ukrainian="$(offering uk "Samhällsorientering på ukrainska" "Olena Kovalenko" 0127)"

enrol "$(participant 0127 "$(pnr 19880304 231)" 30 SY ar)" "$arabic" all
enrol "$(participant 0127 "$(pnr 19950712 442)" 28 IQ ar)" "$arabic" part
enrol "$(participant 0181 "$(pnr 19790221 135)" 32 SY ar)" "$arabic" all
enrol "$(participant 0181 "$(pnr 19920915 882)" 29 ER ti)" "$tigrinya" all
enrol "$(participant 0181 "$(pnr 20010130 564)" 27 ER ti)" "$tigrinya" part
enrol "$(participant 0180 "$(pnr 19900512 123)" 30 AF prs)" "$dari" all
enrol "$(participant 0180 "$(pnr 19851103 347)" 29 AF prs)" "$dari" part
enrol "$(participant 0180 "$(pnr 19970620 716)" 31 SO so)" "$somali" all
enrol "$(participant 0126 "$(pnr 19830818 925)" 30 SO so)" "$somali" all
enrol "$(participant 0126 "$(pnr 20000404 318)" 27 SO so)" "$somali" part
enrol "$(participant 0127 "$(pnr 19870126 659)" 30 UA uk)" "$ukrainian" all
enrol "$(participant 0127 "$(pnr 19930909 274)" 29 UA uk)" "$ukrainian" part
exit 0
