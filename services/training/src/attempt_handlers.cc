// TrainingService attempt RPCs: starting a quiz attempt (draw and store what is served),
// submitting it (scored on the server, exactly once), reading attempts and progress. Learners
// only ever receive ToServed() views: the correct options never leave the service.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "attempt_repository.h"
#include "diploma.h"
#include "diploma_issuer.h"
#include "diploma_repository.h"
#include "integration/api/change.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "learner_repository.h"
#include "rules/attempt_rules.h"
#include "rules/content_rules.h"
#include "rules/quiz_draw.h"
#include "rules/scoring.h"
#include "service_util.h"
#include "training_service.h"

namespace integration::training {
namespace {

constexpr std::string_view kReasonAttemptNotFound = "ATTEMPT_NOT_FOUND";
constexpr std::string_view kReasonModuleNotFound = "MODULE_NOT_FOUND";
constexpr std::string_view kReasonAttemptConflict = "ATTEMPT_CONFLICT";

absl::Status AttemptNotFound(const std::string& name) {
  return status::NotFound(kReasonAttemptNotFound, absl::StrCat("no attempt ", name),
                          {{"attempt", std::string(name)}});
}

// Attempt ids are the row ids; anything else names no attempt.
std::optional<int64_t> AttemptId(const std::string& id) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(id, &value) || value <= 0 || absl::StrCat(value) != id) {
    return std::nullopt;
  }
  return value;
}

// Only the learner itself starts and submits its attempts (the policy admits learners only;
// this keeps it so should the policy change).
absl::Status CheckOwnLearner(const grpc::CallContext& call, std::string_view learner_id) {
  return access::CheckIsLearner(auth::Scope::Of(call.caller()), learner_id,
                                "only the learner itself may take its quiz attempts");
}

// What a caller sees of an attempt: the served questions without correctness, and after
// submission the score and per-question outcome. An attempt past its expiry that was never
// submitted reads as EXPIRED even before a submit marked it so.
v1::Attempt View(const AttemptRow& row, absl::Time now) {
  v1::Attempt a;
  a.set_name(AttemptName(row.learner_id, absl::StrCat(row.attempt_id)));
  a.set_module(ModuleName(row.part_id, row.module_id));
  v1::AttemptState state = row.state;
  if (state == v1::ATTEMPT_STATE_IN_PROGRESS && now >= row.expire_time) {
    state = v1::ATTEMPT_STATE_EXPIRED;
  }
  a.set_state(state);
  *a.mutable_questions() = ToServed(row.snapshot);
  SetTimestamp(row.start_time, a.mutable_start_time());
  SetTimestamp(row.expire_time, a.mutable_expire_time());
  a.set_pass_mark_percent(row.pass_mark_percent);
  a.set_quiz_version(row.quiz_version);
  a.set_attempt_number(row.attempt_number);
  if (row.state == v1::ATTEMPT_STATE_SUBMITTED) {
    if (row.submit_time) SetTimestamp(*row.submit_time, a.mutable_submit_time());
    a.set_score_percent(row.score_percent);
    a.set_passed(row.passed);
    for (const v1::QuestionResult& r : row.results) *a.add_results() = r;
  }
  return a;
}

// Loads the learner for a read of something below learners/{id} and applies the county rule.
absl::Status CheckLearnerForRead(const grpc::CallContext& call, LearnerRepository& learners,
                                 const std::string& learner_id,
                                 std::optional<LearnerRow>* row_out = nullptr) {
  absl::StatusOr<std::optional<LearnerRow>> row = learners.Get(learner_id);
  if (!row.ok()) return row.status();
  if (!*row) return LearnerNotFound(learner_id);
  if (absl::Status st = access::CheckLearnerCounty(auth::Scope::Of(call.caller()), (*row)->lanskod);
      !st.ok()) {
    return st;
  }
  if (row_out != nullptr) *row_out = std::move(*row);
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Handlers

absl::Status TrainingServiceImpl::DoStartAttempt(const grpc::CallContext& call,
                                                 const v1::StartAttemptRequest& req,
                                                 v1::Attempt* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.parent(), "parent");
  if (!learner_id.ok()) return learner_id.status();
  if (absl::Status st = CheckOwnLearner(call, *learner_id); !st.ok()) return st;
  absl::StatusOr<ModuleRef> ref = ParseModuleName(req.module(), "module");
  if (!ref.ok()) return ref.status();
  absl::StatusOr<std::mt19937_64> rng = NewSeededEngine();
  if (!rng.ok()) return rng.status();

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    // The learner's row lock serialises the learner's starts: the count below and the attempt
    // limit hold even for concurrent starts (the unique attempt number is the backstop).
    LearnerRepository learners(tx);
    if (!learners.Lock(*learner_id)) return LearnerNotFound(*learner_id);
    absl::StatusOr<std::optional<LearnerRow>> learner = learners.Get(*learner_id);
    if (!learner.ok()) return learner.status();
    if (!*learner) return LearnerNotFound(*learner_id);

    AttemptRepository attempts(tx);
    absl::StatusOr<std::pair<std::optional<ModuleForAttempt>, AttemptHistory>> facts =
        attempts.StartFacts(*learner_id, ref->part_id, ref->module_id);
    if (!facts.ok()) return facts.status();
    const std::optional<ModuleForAttempt>& module = facts->first;
    if (!module) {
      return status::NotFound(kReasonModuleNotFound, absl::StrCat("no module ", req.module()),
                              {{"module", req.module()}});
    }
    const AttemptHistory& history = facts->second;
    const absl::Time now = deps_.clock();

    StartInputs in;
    for (const std::string& part_id : (*learner)->part_ids) {
      in.enrolled_parts.push_back(PartName(part_id));
    }
    in.module_part = PartName(ref->part_id);
    in.module_published = module->published;
    in.module_archived = module->archived;
    in.quiz_present = module->quiz.has_value();
    in.already_passed = history.passed;
    in.attempts_used = history.attempts_used;
    in.last_failed_submit_time = history.last_failed_submit_time;
    in.now = now;
    if (module->quiz) {
      in.max_attempts = module->quiz->max_attempts();
      in.retry_delay_seconds = module->quiz->retry_delay_seconds();
    }
    if (absl::Status st = CanStart(in); !st.ok()) return st;

    const v1::Quiz& quiz = *module->quiz;
    AttemptRow row;
    row.learner_id = *learner_id;
    row.part_id = ref->part_id;
    row.module_id = ref->module_id;
    row.quiz_version = *module->quiz_version;
    row.attempt_number = history.attempts_used + 1;
    row.snapshot = Draw(quiz, *rng);
    row.pass_mark_percent = quiz.pass_mark_percent();
    row.state = v1::ATTEMPT_STATE_IN_PROGRESS;
    row.start_time = now;
    row.expire_time = ExpireTime(now, quiz.time_limit_seconds());
    row.attempt_id = attempts.Insert(row);
    // Times as stored (microseconds), so that this response equals a later GetAttempt.
    row.start_time = FromMicros(ToMicros(row.start_time));
    row.expire_time = FromMicros(ToMicros(row.expire_time));
    *resp = View(row, now);
    change.Audit(resp->name(), "start",
                 absl::StrCat("module=", req.module(), " attempt_number=", row.attempt_number,
                              " quiz_version=", row.quiz_version));
    return absl::OkStatus();
  });
  if (IsUniqueViolation(st, "attempts_number_unique")) {
    return status::Aborted(kReasonAttemptConflict,
                           "another attempt at this module started at the same time; retry");
  }
  return st;
}

absl::Status TrainingServiceImpl::DoSubmitAttempt(const grpc::CallContext& call,
                                                  const v1::SubmitAttemptRequest& req,
                                                  v1::Attempt* resp) {
  absl::StatusOr<AttemptRef> ref = ParseAttemptName(req.name(), "name");
  if (ref.ok()) ResolveSelf(call, ref->learner_id);
  if (!ref.ok()) return ref.status();
  if (absl::Status st = CheckOwnLearner(call, ref->learner_id); !st.ok()) return st;
  const std::optional<int64_t> attempt_id = AttemptId(ref->attempt_id);
  if (!attempt_id) return AttemptNotFound(req.name());
  const DiplomaIssueContext issue{.signer = deps_.signer, .clock = deps_.clock};

  // An attempt found expired is marked so, which must be committed; the caller still gets the
  // rejection, returned after the transaction.
  absl::Status rejection;
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    rejection = absl::OkStatus();
    AttemptRepository attempts(tx);
    // FOR UPDATE: a concurrent submit of the same attempt waits here, then sees SUBMITTED.
    absl::StatusOr<std::optional<AttemptRow>> row =
        attempts.Get(ref->learner_id, *attempt_id, /*lock=*/true);
    if (!row.ok()) return row.status();
    if (!*row) return AttemptNotFound(req.name());
    AttemptRow& attempt = **row;
    const absl::Time now = deps_.clock();
    if (absl::Status st = CanSubmit(attempt.state, attempt.expire_time, now); !st.ok()) {
      if (attempt.state == v1::ATTEMPT_STATE_IN_PROGRESS && absl::IsFailedPrecondition(st)) {
        attempts.Expire(attempt.attempt_id);
        change.Audit(req.name(), "expire", "submitted too late");
        rejection = st;
        return absl::OkStatus();
      }
      return st;
    }
    absl::StatusOr<ScoreResult> score =
        Score(attempt.snapshot, req.answers(), attempt.pass_mark_percent);
    if (!score.ok()) return score.status();
    absl::StatusOr<std::optional<SubmittedAttempt>> submitted =
        attempts.Submit(attempt.attempt_id, now, *score);
    if (!submitted.ok()) return submitted.status();
    if (!*submitted) return AttemptNotFound(req.name());
    *resp = View((*submitted)->row, now);

    if (score->passed && !(*submitted)->passed_before) {
      v1::ModulePassedEvent event;
      event.set_learner(LearnerName(attempt.learner_id));
      event.set_module(ModuleName(attempt.part_id, attempt.module_id));
      event.set_attempt(req.name());
      event.set_score_percent(score->score_percent);
      event.set_pass_mark_percent(attempt.pass_mark_percent);
      SetTimestamp(FromMicros(ToMicros(now)), event.mutable_pass_time());
      const std::optional<DiplomaLearner> learner =
          DiplomaRepository(tx).FindLearner(attempt.learner_id);
      if (!learner.has_value()) return AttemptNotFound(req.name());
      if (absl::Status st = change.Emit(event.learner(), event,
                                        access::LearnerOwner(attempt.learner_id, learner->lanskod));
          !st.ok()) {
        return st;
      }
      // The same transaction: a diploma exists exactly when the pass that earned it does.
      if (absl::Status st = IssueDueDiplomas(change, tx, attempt.learner_id, issue); !st.ok()) {
        return st;
      }
    }
    change.Audit(req.name(), "submit",
                 absl::StrCat("score_percent=", score->score_percent,
                              " passed=", score->passed ? "true" : "false"));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return rejection;
}

absl::Status TrainingServiceImpl::DoGetAttempt(const grpc::CallContext& call,
                                               const v1::GetAttemptRequest& req,
                                               v1::Attempt* resp) {
  absl::StatusOr<AttemptRef> ref = ParseAttemptName(req.name(), "name");
  if (ref.ok()) ResolveSelf(call, ref->learner_id);
  if (!ref.ok()) return ref.status();
  if (absl::Status st =
          access::CheckCanReadLearner(auth::Scope::Of(call.caller()), ref->learner_id);
      !st.ok())
    return st;
  const std::optional<int64_t> attempt_id = AttemptId(ref->attempt_id);
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    LearnerRepository learners(tx);
    if (absl::Status st = CheckLearnerForRead(call, learners, ref->learner_id); !st.ok()) {
      return st;
    }
    if (!attempt_id) return AttemptNotFound(req.name());
    absl::StatusOr<std::optional<AttemptRow>> row =
        AttemptRepository(tx).Get(ref->learner_id, *attempt_id, /*lock=*/false);
    if (!row.ok()) return row.status();
    if (!*row) return AttemptNotFound(req.name());
    *resp = View(**row, deps_.clock());
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoListAttempts(const grpc::CallContext& call,
                                                 const v1::ListAttemptsRequest& req,
                                                 v1::ListAttemptsResponse* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.parent(), "parent");
  if (!learner_id.ok()) return learner_id.status();
  if (absl::Status st = access::CheckCanReadLearner(auth::Scope::Of(call.caller()), *learner_id);
      !st.ok())
    return st;
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const std::string query = absl::StrCat("ListAttempts|", req.parent());
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 1);
  if (!key.ok()) return key.status();
  std::optional<int64_t> before;
  if (*key) {
    before = AttemptId((**key)[0]);
    if (!before) return api::InvalidPageToken();
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    LearnerRepository learners(tx);
    if (absl::Status st = CheckLearnerForRead(call, learners, *learner_id); !st.ok()) return st;
    absl::StatusOr<std::vector<AttemptRow>> rows =
        AttemptRepository(tx).List(*learner_id, before, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    const absl::Time now = deps_.clock();
    for (const AttemptRow& row : *rows) *resp->add_attempts() = View(row, now);
    if (more) {
      resp->set_next_page_token(
          api::EncodePageToken(query, {absl::StrCat(rows->back().attempt_id)}));
    }
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoGetProgress(const grpc::CallContext& call,
                                                const v1::GetProgressRequest& req,
                                                v1::Progress* resp) {
  absl::StatusOr<std::string> learner_id = ParseProgressName(req.name(), "name");
  if (learner_id.ok()) ResolveSelf(call, *learner_id);
  if (!learner_id.ok()) return learner_id.status();
  if (absl::Status st = access::CheckCanReadLearner(auth::Scope::Of(call.caller()), *learner_id);
      !st.ok())
    return st;
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    LearnerRepository learners(tx);
    if (absl::Status st = CheckLearnerForRead(call, learners, *learner_id); !st.ok()) return st;
    absl::StatusOr<std::vector<ProgressRow>> rows = AttemptRepository(tx).Progress(*learner_id);
    if (!rows.ok()) return rows.status();

    resp->set_name(ProgressName(*learner_id));
    std::set<std::string> passed;
    std::vector<CoursePart> parts;  // for PartCompleted, parallel to resp->parts()
    for (const ProgressRow& row : *rows) {
      const std::string part_name = PartName(row.part_id);
      if (resp->parts_size() == 0 || resp->parts(resp->parts_size() - 1).part() != part_name) {
        v1::PartProgress* part = resp->add_parts();
        part->set_part(part_name);
        part->set_title(row.part_title);
        parts.push_back(
            CoursePart{.name = part_name, .title = row.part_title, .published_modules = {}});
      }
      if (row.module_id.empty()) continue;  // a part without published modules
      const std::string module_name = ModuleName(row.part_id, row.module_id);
      parts.back().published_modules.push_back(module_name);
      if (row.passed) passed.insert(module_name);
      v1::ModuleProgress* m = resp->mutable_parts(resp->parts_size() - 1)->add_modules();
      m->set_module(module_name);
      m->set_title(row.module_title);
      m->set_passed(row.passed);
      m->set_best_score_percent(row.best_score_percent);
      m->set_attempts_used(row.attempts_used);
      m->set_attempts_left(AttemptsLeft(row.max_attempts, row.attempts_used));
      if (row.pass_time) SetTimestamp(*row.pass_time, m->mutable_pass_time());
    }
    bool all = !parts.empty();
    for (size_t i = 0; i < parts.size(); ++i) {
      const bool completed = PartCompleted(parts[i], passed);
      resp->mutable_parts(static_cast<int>(i))->set_completed(completed);
      all = all && completed;
    }
    resp->set_completed(all);
    return absl::OkStatus();
  });
}

}  // namespace integration::training
