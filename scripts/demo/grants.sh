#!/usr/bin/env bash
# Loads the grants demo into a running grants service: the three programmes (§ 37 capacity and
# readiness, § 37 a refugee guides and family contacts, TIA), one open call of each in Stockholm
# county (län 01) with realistic budgets, and applications from kommuner and associations of the
# county in different states (draft, submitted, under review, approved with a payment plan), and
# two associations with approved TIA grants (used by the early_measures demo).
# Run by ./dev up with
#   CALL    path of the integration-call binary
#   TARGET  host:port of the grants service
#   TOKEN   a county_admin bearer token for län 01
#   DEV     path of ./dev (for tokens of the other roles)
# Safe to re-run: programmes and calls that exist (by name and title) are kept, an applicant that
# already has an application in its call is left alone, and request ids make a retried step
# return the first result.
set -euo pipefail

readonly service=lansstyrelsen.integration.grants.v1.GrantsService

die() {
  printf 'grants demo: error: %s\n' "$*" >&2
  exit 1
}

[ -n "${CALL:-}" ] && [ -x "$CALL" ] || die "CALL (path of integration-call) is not set or not executable"
[ -n "${TARGET:-}" ] || die "TARGET (host:port of the grants service) is not set"
[ -n "${TOKEN:-}" ] || die "TOKEN (a county_admin bearer token) is not set"
[ -n "${DEV:-}" ] && [ -x "$DEV" ] || die "DEV (path of ./dev) is not set"
command -v python3 >/dev/null || die "python3 is needed"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# call TOKEN METHOD JSON: prints the response JSON; dies with the error on failure.
call() {
  local token=$1 method=$2 body=$3 out
  if ! out="$("$CALL" --target "$TARGET" --token "$token" "$service/$method" "$body" 2>"$tmp/err")"; then
    die "$method failed: $(cat "$tmp/err")"
  fi
  printf '%s' "$out"
}
# call_ok TOKEN METHOD JSON: like call, but returns 1 (printing nothing) on failure.
call_ok() {
  "$CALL" --target "$TARGET" --token "$1" "$service/$2" "$3" 2>/dev/null
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
# A UUIDv5 of a text: the same step always sends the same request id.
rid() { python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "grants-demo/" + sys.argv[1]))' "$1"; }

officer="$("$DEV" token --role county_officer --lan 01 --sub demo-officer-1)"
# The programmes are national: created by an administrator holding the national scope.
national="$("$DEV" token --role county_admin --lan 01 --sub demo-national-admin \
  --scope grants.programmes.national)"
officer2="$("$DEV" token --role county_officer --lan 01 --sub demo-officer-2)"

# --- programmes --------------------------------------------------------------------------------
programme() {
  local id=$1 json=$2
  if call_ok "$TOKEN" GetProgramme "{\"name\": \"programmes/$id\"}" >/dev/null; then return; fi
  call "$national" CreateProgramme "{\"programme\": $json, \"requestId\": \"$(rid "programme/$id")\"}" >/dev/null
}
programme kapacitet '{"name": "programmes/kapacitet",
  "displayName": "Kapacitet och beredskap i mottagandet",
  "legalBasis": "Förordning (2010:1122) om statlig ersättning för insatser för vissa utlänningar, § 37",
  "description": "Medel till kommuner och kommunalförbund för att upprätthålla kapacitet och beredskap i mottagandet av nyanlända.",
  "eligibleApplicantTypes": ["APPLICANT_TYPE_KOMMUN", "APPLICANT_TYPE_KOMMUNALFORBUND"],
  "requiredReports": [{"type": "REPORT_TYPE_FINANCIAL", "anchor": "REPORT_ANCHOR_PROJECT_END", "monthsAfter": 2},
                      {"type": "REPORT_TYPE_ACTIVITY", "anchor": "REPORT_ANCHOR_PROJECT_END", "monthsAfter": 2}]}'
programme flyktingguider '{"name": "programmes/flyktingguider",
  "displayName": "Flyktingguider och familjekontakter",
  "legalBasis": "Förordning (2010:1122) om statlig ersättning för insatser för vissa utlänningar, § 37 a",
  "description": "Medel till kommuner för verksamhet med flyktingguider och familjekontakter, ensamma eller tillsammans med organisationer.",
  "eligibleApplicantTypes": ["APPLICANT_TYPE_KOMMUN"],
  "requiredReports": [{"type": "REPORT_TYPE_INTERIM", "anchor": "REPORT_ANCHOR_PROJECT_START", "monthsAfter": 6},
                      {"type": "REPORT_TYPE_FINAL", "anchor": "REPORT_ANCHOR_PROJECT_END", "monthsAfter": 2}]}'
programme tia '{"name": "programmes/tia",
  "displayName": "Tidiga insatser för asylsökande (TIA)",
  "legalBasis": "Förordning (2016:1364) om statsbidrag för verksamhet för asylsökande m.fl.",
  "description": "Svenska, samhälls- och arbetsmarknadskunskap och hälsa för asylsökande från 18 år. Ideella föreningar, trossamfund och studieförbund; kommuner bara där andra inte kan möta behovet.",
  "eligibleApplicantTypes": ["APPLICANT_TYPE_NON_PROFIT_ASSOCIATION", "APPLICANT_TYPE_FAITH_COMMUNITY", "APPLICANT_TYPE_STUDY_ASSOCIATION", "APPLICANT_TYPE_KOMMUN"],
  "requiredReports": [{"type": "REPORT_TYPE_FINAL", "anchor": "REPORT_ANCHOR_PROJECT_END", "monthsAfter": 2}]}'

# --- calls ---------------------------------------------------------------------------------------
existing="$(call "$TOKEN" ListCalls '{"lanskod": "01", "pageSize": 500}')"
# The name and state of the demo call titled $1, or nothing.
existing_call() {
  printf '%s' "$existing" | python3 -c '
import json, sys
for c in json.load(sys.stdin).get("calls", []):
    if c.get("title") == sys.argv[1]:
        print(c["name"], c.get("state", ""))
        break' "Demo: $1"
}
# Whether the applicant of token $2 has an application in call $1.
has_application() {
  call "$2" ListApplications "{\"parent\": \"$1\"}" |
    python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("applications") else 1)'
}

year="$(date +%Y)"
next=$((year + 1))
opens="$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)"
closes="$(date -u -d '+60 days' +%Y-%m-%dT%H:%M:%SZ)"
# call KEY PROGRAMME TITLE BUDGET_ORE MAX_ORE: creates and opens a call, prints its name.
open_call() {
  local key=$1 programme=$2 title=$3 budget=$4 max=$5 created name
  read -r name state <<<"$(existing_call "$title")"
  if [ -n "$name" ]; then
    # An earlier run may have stopped between creating and opening it.
    if [ "$state" = CALL_STATE_DRAFT ]; then
      call "$TOKEN" OpenCall "{\"name\": \"$name\", \"requestId\": \"$(rid "open/$key")\"}" >/dev/null
    fi
    printf '%s' "$name"
    return
  fi
  created="$(call "$TOKEN" CreateCall "{\"call\": {\"programme\": \"programmes/$programme\",
    \"title\": \"Demo: $title\", \"description\": \"$title i Stockholms län.\",
    \"openTime\": \"$opens\", \"closeTime\": \"$closes\",
    \"budget\": {\"ore\": \"$budget\"}, \"maxAmountPerApplication\": {\"ore\": \"$max\"},
    \"fundingPeriod\": {\"startDate\": {\"year\": $year, \"month\": 1, \"day\": 1},
                        \"endDate\": {\"year\": $next, \"month\": 12, \"day\": 31}},
    \"criteria\": [{\"id\": \"behov\", \"title\": \"Behov i kommunen\", \"weight\": 3},
                   {\"id\": \"genomforande\", \"title\": \"Genomförbarhet\", \"weight\": 2},
                   {\"id\": \"samverkan\", \"title\": \"Samverkan med civilsamhället\", \"weight\": 1}]},
    \"requestId\": \"$(rid "call/$key")\"}")"
  name="$(printf '%s' "$created" | field name)"
  call "$TOKEN" OpenCall "{\"name\": \"$name\", \"requestId\": \"$(rid "open/$key")\"}" >/dev/null
  printf '%s' "$name"
}
# 12 Mkr, 8 Mkr and 5 Mkr; at most 2 Mkr, 1,5 Mkr and 600 000 kr per application.
cap_call="$(open_call kapacitet kapacitet "Kapacitet och beredskap $year" 1200000000 200000000)"
guide_call="$(open_call guider flyktingguider "Flyktingguider och familjekontakter $year" 800000000 150000000)"
tia_call="$(open_call tia tia "Tidiga insatser för asylsökande $year" 500000000 60000000)"

# --- applications ------------------------------------------------------------------------------
# apply KEY CALL TOKEN APPLICANT_JSON TITLE AMOUNT_ORE: creates a draft, prints its name.
apply() {
  local key=$1 call_name=$2 token=$3 applicant=$4 title=$5 amount=$6
  local personnel=$((amount * 7 / 10)) rest
  rest=$((amount - personnel))
  call "$token" CreateApplication "{\"parent\": \"$call_name\", \"application\": {
    \"applicant\": $applicant, \"projectTitle\": \"$title\",
    \"description\": \"$title: verksamhet för nyanlända i kommunen.\",
    \"projectPeriod\": {\"startDate\": {\"year\": $year, \"month\": 3, \"day\": 1},
                        \"endDate\": {\"year\": $next, \"month\": 2, \"day\": 28}},
    \"budgetLines\": [{\"category\": \"BUDGET_CATEGORY_PERSONNEL\", \"description\": \"Projektledare och handledare\", \"amount\": {\"ore\": \"$personnel\"}},
                      {\"category\": \"BUDGET_CATEGORY_PREMISES\", \"description\": \"Lokalhyra\", \"amount\": {\"ore\": \"$rest\"}}],
    \"requestedAmount\": {\"ore\": \"$amount\"}},
    \"requestId\": \"$(rid "application/$key")\"}" | field name
}
submit() { call "$2" SubmitApplication "{\"name\": \"$3\", \"requestId\": \"$(rid "submit/$1")\"}" >/dev/null; }
review() {
  call "$2" CreateReview "{\"parent\": \"$3\", \"review\": {\"scores\": [
    {\"criterionId\": \"behov\", \"score\": $4, \"comment\": \"Tydligt beskrivet behov.\"},
    {\"criterionId\": \"genomforande\", \"score\": $5, \"comment\": \"Realistisk plan.\"},
    {\"criterionId\": \"samverkan\", \"score\": $6, \"comment\": \"Samverkan finns.\"}],
    \"comment\": \"Bedömning inför beslut.\"}, \"requestId\": \"$(rid "review/$1")\"}" >/dev/null
}

k_botkyrka="$("$DEV" token --role municipality_officer --kommun 0127 --sub demo-botkyrka)"
k_sodertalje="$("$DEV" token --role municipality_officer --kommun 0181 --sub demo-sodertalje)"
k_huddinge="$("$DEV" token --role municipality_officer --kommun 0126 --sub demo-huddinge)"
k_solna="$("$DEV" token --role municipality_officer --kommun 0184 --sub demo-solna)"
org_forening="$("$DEV" token --role organisation_rep --orgnr 8024001235 --sub demo-forening)"

# Botkyrka: approved in part, with a payment plan of two instalments, the first paid.
if ! has_application "$cap_call" "$k_botkyrka"; then
  a1="$(apply botkyrka "$cap_call" "$k_botkyrka" '{"kommunkod": "0127", "type": "APPLICANT_TYPE_KOMMUN", "displayName": "Botkyrka kommun"}' "Beredskap för mottagande av nyanlända" 180000000)"
  submit botkyrka "$k_botkyrka" "$a1"
  review botkyrka-1 "$officer" "$a1" 4 4 3
  review botkyrka-2 "$officer2" "$a1" 5 3 3
  call "$officer" DecideApplication "{\"name\": \"$a1\", \"outcome\": \"DECISION_OUTCOME_PARTIALLY_APPROVED\",
    \"approvedAmount\": {\"ore\": \"150000000\"}, \"conditions\": \"Medlen får användas för personal och lokaler enligt ansökan. Slutredovisning två månader efter projektets slut.\",
    \"requestId\": \"$(rid decide/botkyrka)\"}" >/dev/null
  d1="$(call "$officer" CreateDisbursement "{\"parent\": \"$a1\", \"disbursement\": {\"amount\": {\"ore\": \"75000000\"},
    \"scheduledDate\": {\"year\": $year, \"month\": 3, \"day\": 15}}, \"requestId\": \"$(rid pay1/botkyrka)\"}" | field name)"
  call "$officer" CreateDisbursement "{\"parent\": \"$a1\", \"disbursement\": {\"amount\": {\"ore\": \"75000000\"},
    \"scheduledDate\": {\"year\": $next, \"month\": 1, \"day\": 15}}, \"requestId\": \"$(rid pay2/botkyrka)\"}" >/dev/null
  call "$officer" PayDisbursement "{\"name\": \"$d1\", \"paymentReference\": \"LS-UTB-$year-0001\", \"requestId\": \"$(rid paid1/botkyrka)\"}" >/dev/null
fi

# Södertälje: submitted and under review.
if ! has_application "$guide_call" "$k_sodertalje"; then
  a2="$(apply sodertalje "$guide_call" "$k_sodertalje" '{"kommunkod": "0181", "type": "APPLICANT_TYPE_KOMMUN", "displayName": "Södertälje kommun"}' "Flyktingguider i Södertälje" 120000000)"
  submit sodertalje "$k_sodertalje" "$a2"
  review sodertalje-1 "$officer" "$a2" 4 3 5
fi

# Huddinge: submitted, not yet reviewed.
if ! has_application "$guide_call" "$k_huddinge"; then
  a3="$(apply huddinge "$guide_call" "$k_huddinge" '{"kommunkod": "0126", "type": "APPLICANT_TYPE_KOMMUN", "displayName": "Huddinge kommun"}' "Familjekontakter för nyanlända familjer" 90000000)"
  submit huddinge "$k_huddinge" "$a3"
fi

# Solna: a draft still being written.
has_application "$cap_call" "$k_solna" ||
  apply solna "$cap_call" "$k_solna" '{"kommunkod": "0184", "type": "APPLICANT_TYPE_KOMMUN", "displayName": "Solna stad"}' "Utökad beredskap i Solna" 60000000 >/dev/null

# Two associations with approved TIA grants: their activities are in the early_measures demo.
# approve_tia KEY TOKEN: reviews and approves the applicant's TIA application in full (request ids
# make a re-run return the first results).
approve_tia() {
  local app amount
  app="$(call "$2" ListApplications "{\"parent\": \"$tia_call\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["applications"][0]["name"])')"
  amount="$(call "$officer" GetApplication "{\"name\": \"$app\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["requestedAmount"]["ore"])')"
  review "$1" "$officer" "$app" 5 4 4
  call "$officer" DecideApplication "{\"name\": \"$app\", \"outcome\": \"DECISION_OUTCOME_APPROVED\",
    \"approvedAmount\": {\"ore\": \"$amount\"}, \"conditions\": \"Deltagarredovisning via tidiga insatser (early_measures). Slutredovisning två månader efter projektets slut.\",
    \"requestId\": \"$(rid "decide/$1")\"}" >/dev/null
}
if ! has_application "$tia_call" "$org_forening"; then
  a5="$(apply forening "$tia_call" "$org_forening" '{"organisationsnummer": "802400-1235", "type": "APPLICANT_TYPE_NON_PROFIT_ASSOCIATION", "displayName": "Föreningen Språkvänner i Stockholm"}' "Svenska och samhällskunskap för asylsökande" 45000000)"
  submit forening "$org_forening" "$a5"
fi
approve_tia forening "$org_forening"
org_studie="$("$DEV" token --role organisation_rep --orgnr 8024806377 --sub demo-studieforbund)"
if ! has_application "$tia_call" "$org_studie"; then
  a6="$(apply studie "$tia_call" "$org_studie" '{"organisationsnummer": "802480-6377", "type": "APPLICANT_TYPE_STUDY_ASSOCIATION", "displayName": "Studieförbundet Bildning i Södertälje"}' "Hälsa och arbetsmarknad för asylsökande" 38000000)"
  submit studie "$org_studie" "$a6"
fi
approve_tia studie "$org_studie"
