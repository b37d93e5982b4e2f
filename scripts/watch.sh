#!/usr/bin/env bash
# ./dev watch [--token T] [--services a,b] [--types t1,t2] [--cursor C] [--raw]: follows the
# event feed of the running suite through the gateway's Server-Sent Events endpoint
# (GET /v1/events:watch), one line per event: time, type, resource and the cursor to resume
# from. Without --token it watches as a county officer of län 12 (a ./dev token). Stops with
# Ctrl-C; --cursor resumes after an event a previous run printed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

token=""
services=""
types=""
cursor=""
raw=0
while [ $# -gt 0 ]; do
  case "$1" in
    --token) token="${2:?--token needs a value}"; shift 2 ;;
    --services) services="${2:?--services needs a value}"; shift 2 ;;
    --types) types="${2:?--types needs a value}"; shift 2 ;;
    --cursor) cursor="${2:?--cursor needs a value}"; shift 2 ;;
    --raw) raw=1; shift ;;
    -h | --help)
      sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (./dev watch --help)" ;;
  esac
done
if [ -z "$token" ]; then
  token="$("$(dirname "${BASH_SOURCE[0]}")/token.sh" --role county_officer --lan 12)"
fi

url="http://127.0.0.1:${gateway_http_port}/v1/events:watch?services=${services}&event_types=${types}"
headers=(-H "Authorization: Bearer $token" -H "Accept: text/event-stream")
[ -z "$cursor" ] || headers+=(-H "Last-Event-ID: $cursor")
if [ "$raw" -eq 1 ]; then
  exec curl -sS -N --fail-with-body "${headers[@]}" "$url"
fi
# SSE to one line per message: the data's createTime, type and resource, then the id (cursor);
# heartbeats and the end of the stream (event: end, with its status) are shown as such.
curl -sS -N --fail-with-body "${headers[@]}" "$url" | awk '
  function field(json, name,    m) {
    if (!match(json, "\"" name "\":\"[^\"]*\"")) return ""
    m = substr(json, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
    return m
  }
  /^id: /    { id = substr($0, 5) }
  /^event: / { ev = substr($0, 8) }
  /^data: /  { data = substr($0, 7) }
  /^$/ {
    if (data != "") {
      if (ev == "heartbeat") { printf "heartbeat  cursor=%s\n", id }
      else if (ev == "end")  { printf "end        %s\n", data }
      else {
        # The first occurrence is the WatchedEvent field (those of the event come after it).
        printf "%s  %s  %s  cursor=%s\n", field(data, "createTime"), field(data, "type"),
          field(data, "resource"), id
      }
      fflush()
    }
    id = ""; ev = ""; data = ""
  }'
