#!/usr/bin/env bash
# Loads the demo content of the web course "Bättre bemötande" (scripts/demo/training.json: parts,
# modules with films and lectures, quizzes) into a running training service, then publishes the
# modules. Run by ./dev up with
#   CALL    path of the integration-call binary
#   TARGET  host:port of the training service
#   TOKEN   a county_admin bearer token
# Safe to re-run: parts that exist and modules that are published are left as they are (an
# administrator may have edited them since), so only what an earlier run did not finish is loaded.
set -euo pipefail

readonly service=lansstyrelsen.integration.training.v1.TrainingService
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly content="$here/training.json"

die() {
  printf 'training demo: error: %s\n' "$*" >&2
  exit 1
}

[ -n "${CALL:-}" ] || die "CALL (path of integration-call) is not set"
[ -x "$CALL" ] || die "CALL=$CALL is not an executable"
[ -n "${TARGET:-}" ] || die "TARGET (host:port of the training service) is not set"
[ -n "${TOKEN:-}" ] || die "TOKEN (a county_admin bearer token) is not set"
[ -r "$content" ] || die "$content is missing"
command -v python3 >/dev/null || die "python3 is needed to read $content"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
plan="$tmp/plan.tsv"
err_file="$tmp/stderr"

# Turns the content file into one line per step, fields separated by tabs, every request as
# one-line JSON (json.dumps escapes tabs and newlines inside strings, so they cannot split a
# line). Request ids are UUIDv5 of the resource name: a retry of an interrupted run sends the
# same id, which the service answers with the first result instead of creating twice.
#   part    PART_ID  GET_JSON  CREATE_JSON
#   module  NAME     QUESTIONS  GET_JSON  CREATE_JSON  UPDATE_QUIZ_JSON  PUBLISH_JSON
python3 - "$content" >"$plan" <<'PY'
import json
import re
import sys
import uuid

path = sys.argv[1]
ID = re.compile(r"[a-z0-9-]{1,40}")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lansstyrelsen:integration:training:demo")


def fail(message):
    sys.exit(f"training demo: error: {path}: {message}")


def one_line(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def request_id(name):
    return str(uuid.uuid5(NAMESPACE, name))


try:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    fail(f"not readable JSON: {e}")

parts = doc.get("parts") if isinstance(doc, dict) else None
if not isinstance(parts, list) or not parts:
    fail('expected {"parts": [...]} with at least one part')
seen = set()
for part in parts:
    part_id = part.get("partId") if isinstance(part, dict) else None
    if not isinstance(part_id, str) or not ID.fullmatch(part_id):
        fail(f"partId {part_id!r} is not 1-40 lower-case letters, digits or '-'")
    if not isinstance(part.get("part"), dict):
        fail(f"part {part_id} has no \"part\" object")
    if not isinstance(part.get("modules"), list):
        fail(f"part {part_id} has no \"modules\" list")
    part_name = f"parts/{part_id}"
    if part_name in seen:
        fail(f"part {part_id} appears twice")
    seen.add(part_name)
    print("part", part_id, one_line({"name": part_name}),
          one_line({"partId": part_id, "part": part["part"], "requestId": request_id(part_name)}),
          sep="\t")
    for module in part["modules"]:
        module_id = module.get("moduleId") if isinstance(module, dict) else None
        if not isinstance(module_id, str) or not ID.fullmatch(module_id):
            fail(f"moduleId {module_id!r} in part {part_id} is not 1-40 lower-case letters, "
                 "digits or '-'")
        name = f"{part_name}/modules/{module_id}"
        if name in seen:
            fail(f"module {name} appears twice")
        seen.add(name)
        body, quiz = module.get("module"), module.get("quiz")
        if not isinstance(body, dict) or not isinstance(quiz, dict):
            fail(f"module {name} needs a \"module\" and a \"quiz\" object")
        questions = quiz.get("questions")
        if not isinstance(questions, list) or not questions:
            fail(f"the quiz of {name} has no questions")
        print("module", name, len(questions), one_line({"name": name}),
              one_line({"parent": part_name, "moduleId": module_id, "module": body,
                        "requestId": request_id(name)}),
              one_line({"quiz": dict(quiz, name=f"{name}/quiz")}),
              one_line({"name": name}),
              sep="\t")
PY

# Calls METHOD with the JSON request. Sets reply (the response JSON) and code: OK, or the gRPC
# code name integration-call puts first on stderr ("ALREADY_EXISTS: ..."); FAILED when there is
# none (a usage error, exit status 2, or no answer at all).
rpc() {
  local method=$1 body=$2 first="" status=0
  reply="$("$CALL" --target "$TARGET" --token "$TOKEN" "$service/$method" "$body" \
    </dev/null 2>"$err_file")" || status=$?
  if [ "$status" -eq 0 ]; then
    code=OK
    return
  fi
  reply=""
  if [ ! -s "$err_file" ]; then
    echo "integration-call exited with status $status and printed no error" >"$err_file"
  fi
  read -r first _ <"$err_file" || true
  first="${first%:}"
  if [[ $first =~ ^[A-Z][A-Z_]+$ ]]; then code="$first"; else code=FAILED; fi
}

# Stops with the server's error of the last rpc.
fail_rpc() {
  die "$1 failed: $(cat "$err_file")"
}

parts_loaded=0
parts_skipped=0
modules_loaded=0
modules_skipped=0
questions_loaded=0
questions_skipped=0

while IFS=$'\t' read -r kind f1 f2 f3 f4 f5 f6; do
  case "$kind" in
    part)
      part_id=$f1 get=$f2 create=$f3
      rpc GetPart "$get"
      case "$code" in
        OK) parts_skipped=$((parts_skipped + 1)) ;;
        NOT_FOUND)
          rpc CreatePart "$create"
          case "$code" in
            OK) parts_loaded=$((parts_loaded + 1)) ;;
            # Created concurrently since GetPart: it is there, which is all we need.
            ALREADY_EXISTS) parts_skipped=$((parts_skipped + 1)) ;;
            *) fail_rpc "CreatePart parts/$part_id" ;;
          esac
          ;;
        *) fail_rpc "GetPart parts/$part_id" ;;
      esac
      ;;
    module)
      name=$f1 questions=$f2 get=$f3 create=$f4 quiz=$f5 publish=$f6
      rpc GetModule "$get"
      case "$code" in
        OK) ;;
        NOT_FOUND) reply="" ;;
        *) fail_rpc "GetModule $name" ;;
      esac
      state=""
      if [ -n "$reply" ]; then
        state="$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("state", ""))' <<<"$reply")" ||
          die "GetModule $name answered something that is not JSON: $reply"
      fi
      case "$state" in
        CONTENT_STATE_PUBLISHED | 2)
          modules_skipped=$((modules_skipped + 1))
          questions_skipped=$((questions_skipped + questions))
          continue
          ;;
      esac
      # A draft left by an interrupted run keeps its content; the quiz is set again (a new quiz
      # version, harmless before publication) and the module published.
      if [ -z "$reply" ]; then
        rpc CreateModule "$create"
        case "$code" in
          OK | ALREADY_EXISTS) ;;
          *) fail_rpc "CreateModule $name" ;;
        esac
      fi
      rpc UpdateQuiz "$quiz"
      [ "$code" = OK ] || fail_rpc "UpdateQuiz $name/quiz"
      rpc PublishModule "$publish"
      [ "$code" = OK ] || fail_rpc "PublishModule $name"
      modules_loaded=$((modules_loaded + 1))
      questions_loaded=$((questions_loaded + questions))
      ;;
    *) die "internal error: unexpected plan line '$kind'" ;;
  esac
done <"$plan"

printf 'training demo: parts %d loaded, %d already there; modules %d loaded, %d already published; questions %d loaded, %d skipped\n' \
  "$parts_loaded" "$parts_skipped" "$modules_loaded" "$modules_skipped" \
  "$questions_loaded" "$questions_skipped"
