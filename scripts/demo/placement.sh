#!/usr/bin/env bash
# Loads the placement demo into a running placement service, all in Stockholm county (län 01):
# this year's allocation key of six kommuner, placement units in Stockholm and Botkyrka,
# eight unaccompanied children reported by Migrationsverket's system (a sibling pair and one
# child with a strong link among them; assigned as they arrive), two placements, one
# confirmed and one active, and this year's settlement quota: the county number set by a
# national administrator, the kommun numbers decided from the proposal, six households
# assigned by Migrationsverket (two received, two overdue). Run by ./dev up with
#   CALL    path of the integration-call binary
#   TARGET  host:port of the placement service
#   TOKEN   a county_admin bearer token for län 01
#   DEV     path of ./dev (for tokens of the other roles)
# Safe to re-run: a key that exists is kept, units are added only to a kommun without any,
# re-sending a dossier number answers with the child reported first, and a child with a
# placement gets no other; the county number is set and the kommun numbers decided once, a
# re-sent household answers with its first assignment, and a received one is not received again.
set -euo pipefail

readonly service=lansstyrelsen.integration.placement.v1.PlacementService
readonly demo=placement
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# json KEY...: the value at the path of keys in the JSON on stdin ("" when missing or empty:
# integration-call prints empty lists too).
json() {
  python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v.get(k, "") if isinstance(v, dict) else ""
print(v if v else "")' "$@"
}
# A UUIDv5 of a text: the same step always sends the same request id.
rid() { python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "placement-demo/" + sys.argv[1]))' "$1"; }
# The date N days ago as a type.v1.Date, but not before 1 January (this year's key decides).
days_ago() {
  python3 -c '
import datetime, sys
today = datetime.date.today()
d = max(today - datetime.timedelta(days=int(sys.argv[1])), datetime.date(today.year, 1, 1))
print("{\"year\": %d, \"month\": %d, \"day\": %d}" % (d.year, d.month, d.day))' "$1"
}

year="$(date +%Y)"
officer="$("$DEV" token --role county_officer --lan 01 --sub demo-officer)"
agency="$("$DEV" token --role agency_system --agency migrationsverket --sub demo-migrationsverket \
  --scope placement.arrivals)"
stockholm="$("$DEV" token --role municipality_officer --kommun 0180 --sub demo-stockholm)"
botkyrka="$("$DEV" token --role municipality_officer --kommun 0127 --sub demo-botkyrka)"

# --- allocation key ------------------------------------------------------------------------------
key="counties/01/allocationKeys/$year"
if ! rpc --may-fail "$TOKEN" GetAllocationKey "{\"name\": \"$key\"}" >/dev/null; then
  rpc "$TOKEN" CreateAllocationKey "{\"parent\": \"counties/01\", \"requestId\": \"$(rid "key/$year")\",
    \"allocationKey\": {\"name\": \"$key\", \"countyTotalPerMille\": 240, \"shares\": [
      {\"kommunkod\": \"0180\", \"perMille\": 100}, {\"kommunkod\": \"0126\", \"perMille\": 35},
      {\"kommunkod\": \"0127\", \"perMille\": 30}, {\"kommunkod\": \"0181\", \"perMille\": 30},
      {\"kommunkod\": \"0182\", \"perMille\": 25}, {\"kommunkod\": \"0136\", \"perMille\": 20}]}}" >/dev/null
fi

# --- units ---------------------------------------------------------------------------------------
# units TOKEN KOMMUN JSON...: adds the units when the kommun has none yet.
units() {
  local token=$1 kommun=$2 unit
  shift 2
  if [ -n "$(rpc "$token" ListUnits "{\"parent\": \"kommuner/$kommun\"}" | json units)" ]; then return; fi
  for unit in "$@"; do
    rpc "$token" CreateUnit "{\"parent\": \"kommuner/$kommun\", \"unit\": $unit}" >/dev/null
  done
}
units "$stockholm" 0180 \
  '{"displayName": "HVB Solstrålen", "type": "UNIT_TYPE_HVB", "places": 6, "minAge": 13, "maxAge": 17, "languages": ["ar", "prs", "so"]}' \
  '{"displayName": "Familjehem Andersson", "type": "UNIT_TYPE_FAMILJEHEM", "places": 2, "minAge": 6, "maxAge": 15, "sexes": ["SEX_FEMALE"], "languages": ["ti"]}' \
  '{"displayName": "Stödboende Hornstull", "type": "UNIT_TYPE_STODBOENDE", "places": 8, "minAge": 16, "maxAge": 20, "languages": ["ar", "prs"], "specialReason": "Ungdomar 16-17 år som klarar eget boende med stöd, enligt socialnämndens beslut"}'
units "$botkyrka" 0127 \
  '{"displayName": "Jourhem Tumba", "type": "UNIT_TYPE_JOURHEM", "places": 2, "minAge": 0, "maxAge": 17, "languages": ["so"]}' \
  '{"displayName": "HVB Fittja", "type": "UNIT_TYPE_HVB", "places": 4, "minAge": 14, "maxAge": 17, "sexes": ["SEX_MALE"], "languages": ["prs", "ps"]}'

# --- arrivals ------------------------------------------------------------------------------------
# arrive DOSSIER DAYS_AGO AGE SEX LANGUAGES [SIBLING_GROUP [STRONG_LINK]]: prints the child's name.
arrive() {
  local dossier=$1 ago=$2 age=$3 sex=$4 languages=$5 group=${6:-} link=${7:-}
  rpc "$agency" ReportArrival "{\"requestId\": \"$(rid "arrival/$dossier")\", \"arrival\": {
    \"dossierNumber\": \"$dossier\", \"assessedAge\": $age, \"sex\": \"$sex\",
    \"languages\": $languages, \"needs\": \"Behöver kontakt med god man och skola.\",
    \"siblingGroup\": \"$group\", \"strongLinkKommunkod\": \"$link\",
    \"arrivalKommunkod\": \"0180\", \"arrivalDate\": $(days_ago "$ago")}}" | json name
}
first="$(arrive 26-100001 40 15 SEX_MALE '["prs"]')"
arrive 26-100002 35 16 SEX_FEMALE '["ar"]' >/dev/null
arrive 26-100003 30 14 SEX_MALE '["so"]' SG-DEMO-1 >/dev/null
arrive 26-100004 30 12 SEX_FEMALE '["so"]' SG-DEMO-1 >/dev/null
arrive 26-100005 21 17 SEX_MALE '["ar"]' >/dev/null
arrive 26-100006 14 13 SEX_FEMALE '["ti"]' "" 0180 >/dev/null
arrive 26-100007 7 16 SEX_MALE '["prs", "ps"]' >/dev/null
arrive 26-100008 2 15 SEX_FEMALE '["ar"]' >/dev/null

# --- placements ----------------------------------------------------------------------------------
# The first child in Stockholm's HVB (confirmed and started); the strong-link child in the
# foster family (confirmed), when they have no placement yet.
place() {
  local child=$1 unit_name=$2 start=$3 placement
  if [ -n "$(rpc "$officer" ListPlacements "{\"parent\": \"$child\"}" | json placements)" ]; then return; fi
  placement="$(rpc "$officer" CreatePlacement "{\"parent\": \"$child\", \"requestId\": \"$(rid "propose/$child")\",
    \"placement\": {\"unit\": \"$unit_name\"}}" | json name)"
  rpc "$stockholm" ConfirmPlacement "{\"name\": \"$placement\", \"requestId\": \"$(rid "confirm/$placement")\"}" >/dev/null
  if [ "$start" = yes ]; then
    rpc "$stockholm" StartPlacement "{\"name\": \"$placement\", \"requestId\": \"$(rid "start/$placement")\"}" >/dev/null
  fi
}
unit_named() {
  rpc "$officer" ListUnits '{"parent": "kommuner/0180"}' | python3 -c '
import json, sys
for u in json.load(sys.stdin).get("units", []):
    if u["displayName"] == sys.argv[1]:
        print(u["name"])
        break' "$1"
}
# The first child goes wherever the key sent it; only Stockholm's children are placed here.
if [ "$(rpc "$officer" GetChild "{\"name\": \"$first\", \"purpose\": \"demo data\"}" | json assignment kommunkod)" = 0180 ]; then
  place "$first" "$(unit_named "HVB Solstrålen")" yes
fi
linked="$(rpc "$officer" ListChildren '{"pageSize": 500}' | python3 -c '
import json, sys
for c in json.load(sys.stdin).get("children", []):
    if c.get("arrival", {}).get("strongLinkKommunkod") == "0180":
        print(c["name"])
        break')"
[ -n "$linked" ] && place "$linked" "$(unit_named "Familjehem Andersson")" no

# --- settlement of newly arrived -----------------------------------------------------------------
national="$("$DEV" token --role county_admin --lan 01 --sub demo-national --scope placement.quotas.national)"
agency_settlement="$("$DEV" token --role agency_system --agency migrationsverket \
  --sub demo-migrationsverket --scope placement.settlement)"
quota="counties/01/settlementQuotas/$year"
if ! rpc --may-fail "$TOKEN" GetSettlementQuota "{\"name\": \"$quota\"}" >/dev/null; then
  rpc "$national" SetCountyNumber "{\"name\": \"$quota\", \"countyNumber\": 1200,
    \"reason\": \"Regeringsbeslut om länstal $year\", \"requestId\": \"$(rid "county-number/$year")\"}" >/dev/null
fi
if [ "$(rpc "$TOKEN" GetSettlementQuota "{\"name\": \"$quota\"}" | json state)" != SETTLEMENT_QUOTA_STATE_KOMMUN_NUMBERS_DECIDED ]; then
  # Labour market: share of the population in work (%); housing: vacant rental flats.
  basis='{"weights": [{"factor": "SETTLEMENT_FACTOR_POPULATION", "weight": 40},
    {"factor": "SETTLEMENT_FACTOR_LABOUR_MARKET", "weight": 20},
    {"factor": "SETTLEMENT_FACTOR_EARLIER_RECEPTION", "weight": 20},
    {"factor": "SETTLEMENT_FACTOR_HOUSING", "weight": 20}], "kommuner": ['
  sep=""
  for row in 0180:82:40:900 0126:80:70:120 0127:74:20:80 0181:78:60:150 0182:84:80:90 0136:79:75:60; do
    IFS=: read -r kommun labour earlier housing <<<"$row"
    basis+="$sep{\"kommunkod\": \"$kommun\", \"values\": [
      {\"factor\": \"SETTLEMENT_FACTOR_LABOUR_MARKET\", \"value\": $labour},
      {\"factor\": \"SETTLEMENT_FACTOR_EARLIER_RECEPTION\", \"value\": $earlier},
      {\"factor\": \"SETTLEMENT_FACTOR_HOUSING\", \"value\": $housing}]}"
    sep=", "
  done
  basis+="]}"
  numbers="$(rpc "$TOKEN" ProposeKommunNumbers "{\"name\": \"$quota\", \"basis\": $basis}" | python3 -c '
import json, sys
print(json.dumps([{"kommunkod": n["kommunkod"], "persons": n.get("persons", 0)}
                  for n in json.load(sys.stdin)["kommunNumbers"]]))')"
  rpc "$TOKEN" DecideKommunNumbers "{\"name\": \"$quota\", \"kommunNumbers\": $numbers,
    \"basis\": $basis, \"reason\": \"Länsstyrelsens beslut om kommuntal $year enligt förslaget\",
    \"requestId\": \"$(rid "kommun-numbers/$year")\"}" >/dev/null
fi
# date_ago N: the date N days ago as a type.v1.Date.
date_ago() {
  python3 -c '
import datetime, sys
d = datetime.date.today() - datetime.timedelta(days=int(sys.argv[1]))
print("{\"year\": %d, \"month\": %d, \"day\": %d}" % (d.year, d.month, d.day))' "$1"
}
# settle HOUSEHOLD PERSONS KOMMUN DAYS_AGO: the assignment's name. Dates before 1 January count
# in last year's follow-up.
settle() {
  rpc "$agency_settlement" ReportSettlementAssignment "{\"settlementAssignment\": {\"householdReference\": \"$1\", \"persons\": $2,
    \"kommunkod\": \"$3\", \"assignmentDate\": $(date_ago "$4")}}" | json name
}
# receive NAME TOKEN DAYS_AGO: the kommun records the reception, unless it did.
receive() {
  if [ "$(rpc "$2" GetSettlementAssignment "{\"name\": \"$1\"}" | json state)" = SETTLEMENT_STATE_RECEIVED ]; then
    return
  fi
  rpc "$2" RecordSettlementReception "{\"name\": \"$1\", \"receptionDate\": $(date_ago "$3")}" >/dev/null
}
received_a="$(settle MV-DEMO-1001 4 0180 50)"
settle MV-DEMO-1002 2 0180 75 >/dev/null   # overdue
settle MV-DEMO-1003 1 0127 70 >/dev/null   # overdue
received_b="$(settle MV-DEMO-1004 3 0127 20)"
settle MV-DEMO-1005 5 0180 9 >/dev/null
settle MV-DEMO-1006 2 0126 3 >/dev/null
receive "$received_a" "$stockholm" 30
receive "$received_b" "$botkyrka" 5
exit 0
