// TrainingService content RPCs: parts, modules, quizzes. county_admin writes and sees drafts
// and quizzes; everyone else sees published modules only and never a quiz. Every change
// publishes a ContentChanged event (outbox, same transaction) so caches of the content do not
// serve it stale.
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "rules/attempt_rules.h"
#include "content_repository.h"
#include "integration/api/change.h"
#include "rules/content_rules.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "service_util.h"
#include "training_service.h"

namespace integration::training {
namespace {

constexpr std::string_view kReasonPartNotFound = "PART_NOT_FOUND";
constexpr std::string_view kReasonModuleNotFound = "MODULE_NOT_FOUND";
constexpr std::string_view kReasonQuizNotFound = "QUIZ_NOT_FOUND";
constexpr std::string_view kReasonPartExists = "PART_EXISTS";
constexpr std::string_view kReasonModuleExists = "MODULE_EXISTS";
constexpr std::string_view kReasonPositionTaken = "POSITION_TAKEN";

bool IsAdmin(const grpc::CallContext& call) {
  return access::IsContentAdmin(auth::Scope::Of(call.caller()));
}

// A change of course content: its audit row (`verb`, `detail`) and the ContentChanged event
// that lets caches of the public content drop it, both part of `change`, so the event exists
// exactly when the change committed.
absl::Status RecordContentChange(api::Change& change, std::string_view verb,
                                 const std::string& resource, v1::ContentChange kind,
                                 std::string_view detail, absl::Time now) {
  change.Audit(resource, verb, detail);
  v1::ContentChangedEvent event;
  event.set_resource(resource);
  event.set_change(kind);
  api::SetTimestamp(now, event.mutable_change_time());
  // Course content is public to read.
  return change.EmitPublic(resource, event);
}

absl::Status PartNotFound(std::string_view part_id) {
  return status::NotFound(kReasonPartNotFound, absl::StrCat("no part ", PartName(part_id)),
                          {{"part", PartName(part_id)}});
}

// Drafts are reported as missing to those who may not see them, so their existence does not
// leak.
absl::Status ModuleNotFound(const ModuleRef& ref) {
  const std::string name = ModuleName(ref.part_id, ref.module_id);
  return status::NotFound(kReasonModuleNotFound, absl::StrCat("no module ", name),
                          {{"module", name}});
}

// A change of one module's state (publish, archive) under its row lock: `apply` runs once the
// etag matched, sees the locked state and may refuse; the answer is the module as it is then.
absl::Status ChangeModuleState(ContentRepository& repo, const ModuleRef& ref,
                               const std::string& name, const std::string& etag,
                               const std::function<absl::Status(const ModuleLock&)>& apply,
                               v1::Module* resp) {
  std::optional<ModuleLock> lock = repo.LockModule(ref.part_id, ref.module_id);
  if (!lock) return ModuleNotFound(ref);
  if (absl::Status st = CheckEtag(etag, EtagOf(lock->revision), name); !st.ok()) return st;
  if (absl::Status st = apply(*lock); !st.ok()) return st;
  absl::StatusOr<std::optional<ModuleRow>> row = repo.GetModule(ref.part_id, ref.module_id);
  if (!row.ok()) return row.status();
  if (!*row) return ModuleNotFound(ref);
  *resp = std::move((*row)->module);
  return absl::OkStatus();
}

absl::Status PositionTaken(std::string_view field, int position, std::string_view holder) {
  return status::Error(absl::StatusCode::kFailedPrecondition, kReasonPositionTaken,
                       absl::StrCat("position ", position, " is taken by ", std::string(holder)),
                       {{"holder", std::string(holder)}},
                       {{std::string(field),
                         absl::StrCat("position ", position, " is taken by ", std::string(holder),
                                      "; move that one first or use 0 to append")}});
}

// A concurrent writer took the same position or id between our check and our insert.
absl::Status MapContentConflict(absl::Status st) {
  if (IsUniqueViolation(st, "parts_position_unique") ||
      IsUniqueViolation(st, "modules_position_unique")) {
    return status::Aborted(kReasonConcurrentUpdate,
                           "another change took the same position at the same time; retry");
  }
  return st;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parts

absl::Status TrainingServiceImpl::DoListParts(const grpc::CallContext& call,
                                              const v1::ListPartsRequest& req,
                                              v1::ListPartsResponse* resp) {
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  // Module counts differ between the admin's view and everyone else's: bind the token to it.
  const bool all_modules = IsAdmin(call);
  const std::string query = absl::StrCat("ListParts|", all_modules ? "all" : "published");
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 1);
  if (!key.ok()) return key.status();
  int after = 0;
  if (*key && (!absl::SimpleAtoi((**key)[0], &after) || after < 0)) {
    return api::InvalidPageToken();
  }
  // One statement: no transaction around it (saves the BEGIN and COMMIT round trips).
  return deps_.pool.Autocommit(call.deadline(), [&](pqxx::nontransaction& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<PartRow>> rows =
        ContentRepository(tx).ListParts(all_modules, after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (PartRow& row : *rows) *resp->add_parts() = std::move(row.part);
    if (more) {
      resp->set_next_page_token(api::EncodePageToken(
          query, {absl::StrCat(resp->parts(resp->parts_size() - 1).position())}));
    }
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoGetPart(const grpc::CallContext& call,
                                            const v1::GetPartRequest& req, v1::Part* resp) {
  absl::StatusOr<std::string> part_id = ParsePartName(req.name(), "name");
  if (!part_id.ok()) return part_id.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<PartRow>> row =
        ContentRepository(tx).GetPart(*part_id, IsAdmin(call));
    if (!row.ok()) return row.status();
    if (!*row) return PartNotFound(*part_id);
    *resp = std::move((*row)->part);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoCreatePart(const grpc::CallContext& call,
                                               const v1::CreatePartRequest& req, v1::Part* resp) {
  if (absl::Status st = ValidateId(req.part_id(), "part_id"); !st.ok()) return st;
  if (absl::Status st = ValidatePart(req.part(), "part"); !st.ok()) return st;
  const std::string name = PartName(req.part_id());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    if (req.part().position() > 0) {
      if (std::optional<std::string> holder =
              repo.PartAtPosition(req.part().position(), req.part_id())) {
        return PositionTaken("part.position", req.part().position(), PartName(*holder));
      }
    }
    if (!repo.InsertPart(req.part_id(), req.part())) {
      return status::AlreadyExists(kReasonPartExists, absl::StrCat(name, " exists already"),
                                   {{"part", name}});
    }
    absl::StatusOr<std::optional<PartRow>> row = repo.GetPart(req.part_id(), true);
    if (!row.ok()) return row.status();
    if (!*row) return status::Internal("inserted part not found");
    *resp = std::move((*row)->part);
    if (absl::Status st = RecordContentChange(change, "create", name, v1::CONTENT_CHANGE_CREATED,
                                              "", deps_.clock());
        !st.ok()) {
      return st;
    }
    return absl::OkStatus();
  });
  return MapContentConflict(std::move(st));
}

absl::Status TrainingServiceImpl::DoUpdatePart(const grpc::CallContext& call,
                                               const v1::UpdatePartRequest& req, v1::Part* resp) {
  absl::StatusOr<std::string> part_id = ParsePartName(req.part().name(), "part.name");
  if (!part_id.ok()) return part_id.status();
  absl::StatusOr<std::set<std::string>> paths =
      MaskPaths(req.update_mask(), {"title", "description", "position"});
  if (!paths.ok()) return paths.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    std::optional<PartLock> lock = repo.LockPart(*part_id);
    if (!lock) return PartNotFound(*part_id);
    if (absl::Status st = CheckEtag(req.part().etag(), EtagOf(lock->revision), req.part().name());
        !st.ok()) {
      return st;
    }
    absl::StatusOr<std::optional<PartRow>> current = repo.GetPart(*part_id, true);
    if (!current.ok()) return current.status();
    if (!*current) return PartNotFound(*part_id);
    v1::Part merged = (*current)->part;
    if (paths->count("title")) merged.set_title(req.part().title());
    if (paths->count("description")) merged.set_description(req.part().description());
    if (paths->count("position")) {
      // 0 keeps the part where it is (there is nothing to append to).
      if (req.part().position() > 0) merged.set_position(req.part().position());
    }
    if (absl::Status st = ValidatePart(merged, "part"); !st.ok()) return st;
    if (std::optional<std::string> holder = repo.PartAtPosition(merged.position(), *part_id)) {
      return PositionTaken("part.position", merged.position(), PartName(*holder));
    }
    repo.UpdatePart(*part_id, merged);
    absl::StatusOr<std::optional<PartRow>> updated = repo.GetPart(*part_id, true);
    if (!updated.ok()) return updated.status();
    if (!*updated) return PartNotFound(*part_id);
    *resp = std::move((*updated)->part);
    if (absl::Status st =
            RecordContentChange(change, "update", resp->name(), v1::CONTENT_CHANGE_UPDATED,
                                absl::StrJoin(*paths, ","), deps_.clock());
        !st.ok()) {
      return st;
    }
    return absl::OkStatus();
  });
  return MapContentConflict(std::move(st));
}

// Archiving and unarchiving a part: under the part's row lock, once the etag matched; a part
// already in the wanted state is returned unchanged (a retried call succeeds).
absl::Status TrainingServiceImpl::SetPartArchived(const grpc::CallContext& call,
                                                  const google::protobuf::Message& req,
                                                  const std::string& name, const std::string& etag,
                                                  bool archived, v1::Part* resp) {
  absl::StatusOr<std::string> part_id = ParsePartName(name, "name");
  if (!part_id.ok()) return part_id.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    std::optional<PartLock> lock = repo.LockPart(*part_id);
    if (!lock) return PartNotFound(*part_id);
    if (absl::Status st = CheckEtag(etag, EtagOf(lock->revision), name); !st.ok()) return st;
    if (lock->archived != archived) {
      if (archived) {
        repo.ArchivePart(*part_id);
      } else {
        repo.UnarchivePart(*part_id);
      }
      if (absl::Status st = RecordContentChange(
              change, archived ? "archive" : "unarchive", PartName(*part_id),
              archived ? v1::CONTENT_CHANGE_ARCHIVED : v1::CONTENT_CHANGE_UNARCHIVED, "",
              deps_.clock());
          !st.ok()) {
        return st;
      }
    }
    absl::StatusOr<std::optional<PartRow>> row = repo.GetPart(*part_id, true);
    if (!row.ok()) return row.status();
    if (!*row) return PartNotFound(*part_id);
    *resp = std::move((*row)->part);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoArchivePart(const grpc::CallContext& call,
                                                const v1::ArchivePartRequest& req,
                                                v1::Part* resp) {
  return SetPartArchived(call, req, req.name(), req.etag(), true, resp);
}

absl::Status TrainingServiceImpl::DoUnarchivePart(const grpc::CallContext& call,
                                                  const v1::UnarchivePartRequest& req,
                                                  v1::Part* resp) {
  return SetPartArchived(call, req, req.name(), req.etag(), false, resp);
}

// ---------------------------------------------------------------------------------------------
// Modules

absl::Status TrainingServiceImpl::DoListModules(const grpc::CallContext& call,
                                                const v1::ListModulesRequest& req,
                                                v1::ListModulesResponse* resp) {
  absl::StatusOr<std::string> part_id = ParsePartName(req.parent(), "parent");
  if (!part_id.ok()) return part_id.status();
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const bool drafts = IsAdmin(call);
  const std::string query =
      absl::StrCat("ListModules|", req.parent(), "|", drafts ? "all" : "published");
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 1);
  if (!key.ok()) return key.status();
  int after = 0;
  if (*key && (!absl::SimpleAtoi((**key)[0], &after) || after < 0)) {
    return api::InvalidPageToken();
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    ContentRepository repo(tx);
    absl::StatusOr<std::optional<PartRow>> part = repo.GetPart(*part_id, drafts);
    if (!part.ok()) return part.status();
    if (!*part) return PartNotFound(*part_id);
    absl::StatusOr<std::vector<ModuleRow>> rows =
        repo.ListModules(*part_id, drafts, after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (ModuleRow& row : *rows) *resp->add_modules() = std::move(row.module);
    if (more) {
      resp->set_next_page_token(api::EncodePageToken(
          query, {absl::StrCat(resp->modules(resp->modules_size() - 1).position())}));
    }
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoGetModule(const grpc::CallContext& call,
                                              const v1::GetModuleRequest& req, v1::Module* resp) {
  absl::StatusOr<ModuleRef> ref = ParseModuleName(req.name(), "name");
  if (!ref.ok()) return ref.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<ModuleRow>> row =
        ContentRepository(tx).GetModule(ref->part_id, ref->module_id);
    if (!row.ok()) return row.status();
    if (!*row || (!(*row)->published && !IsAdmin(call))) return ModuleNotFound(*ref);
    *resp = std::move((*row)->module);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoCreateModule(const grpc::CallContext& call,
                                                 const v1::CreateModuleRequest& req,
                                                 v1::Module* resp) {
  absl::StatusOr<std::string> part_id = ParsePartName(req.parent(), "parent");
  if (!part_id.ok()) return part_id.status();
  if (absl::Status st = ValidateId(req.module_id(), "module_id"); !st.ok()) return st;
  if (absl::Status st = ValidateModule(req.module(), "module"); !st.ok()) return st;
  const std::string name = ModuleName(*part_id, req.module_id());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    // Locking the part keeps "append" positions of concurrent creates apart.
    if (!repo.LockPart(*part_id)) return PartNotFound(*part_id);
    if (req.module().position() > 0) {
      if (std::optional<std::string> holder =
              repo.ModuleAtPosition(*part_id, req.module().position(), req.module_id())) {
        return PositionTaken("module.position", req.module().position(),
                             ModuleName(*part_id, *holder));
      }
    }
    if (!repo.InsertModule(*part_id, req.module_id(), req.module())) {
      return status::AlreadyExists(kReasonModuleExists, absl::StrCat(name, " exists already"),
                                   {{"module", name}});
    }
    absl::StatusOr<std::optional<ModuleRow>> row = repo.GetModule(*part_id, req.module_id());
    if (!row.ok()) return row.status();
    if (!*row) return status::Internal("inserted module not found");
    *resp = std::move((*row)->module);
    if (absl::Status st = RecordContentChange(change, "create", name, v1::CONTENT_CHANGE_CREATED,
                                              "", deps_.clock());
        !st.ok()) {
      return st;
    }
    return absl::OkStatus();
  });
  return MapContentConflict(std::move(st));
}

absl::Status TrainingServiceImpl::DoUpdateModule(const grpc::CallContext& call,
                                                 const v1::UpdateModuleRequest& req,
                                                 v1::Module* resp) {
  absl::StatusOr<ModuleRef> ref = ParseModuleName(req.module().name(), "module.name");
  if (!ref.ok()) return ref.status();
  absl::StatusOr<std::set<std::string>> paths =
      MaskPaths(req.update_mask(), {"title", "description", "position", "content"});
  if (!paths.ok()) return paths.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    std::optional<ModuleLock> lock = repo.LockModule(ref->part_id, ref->module_id);
    if (!lock) return ModuleNotFound(*ref);
    if (absl::Status st =
            CheckEtag(req.module().etag(), EtagOf(lock->revision), req.module().name());
        !st.ok()) {
      return st;
    }
    absl::StatusOr<std::optional<ModuleRow>> current = repo.GetModule(ref->part_id, ref->module_id);
    if (!current.ok()) return current.status();
    if (!*current) return ModuleNotFound(*ref);
    v1::Module merged = (*current)->module;
    if (paths->count("title")) merged.set_title(req.module().title());
    if (paths->count("description")) merged.set_description(req.module().description());
    if (paths->count("position") && req.module().position() > 0) {
      merged.set_position(req.module().position());
    }
    if (paths->count("content")) *merged.mutable_content() = req.module().content();
    if (absl::Status st = ValidateModule(merged, "module"); !st.ok()) return st;
    if (std::optional<std::string> holder =
            repo.ModuleAtPosition(ref->part_id, merged.position(), ref->module_id)) {
      return PositionTaken("module.position", merged.position(), ModuleName(ref->part_id, *holder));
    }
    repo.UpdateModule(ref->part_id, ref->module_id, merged);
    absl::StatusOr<std::optional<ModuleRow>> updated = repo.GetModule(ref->part_id, ref->module_id);
    if (!updated.ok()) return updated.status();
    if (!*updated) return ModuleNotFound(*ref);
    *resp = std::move((*updated)->module);
    if (absl::Status st =
            RecordContentChange(change, "update", resp->name(), v1::CONTENT_CHANGE_UPDATED,
                                absl::StrJoin(*paths, ","), deps_.clock());
        !st.ok()) {
      return st;
    }
    return absl::OkStatus();
  });
  return MapContentConflict(std::move(st));
}

absl::Status TrainingServiceImpl::DoPublishModule(const grpc::CallContext& call,
                                                  const v1::PublishModuleRequest& req,
                                                  v1::Module* resp) {
  absl::StatusOr<ModuleRef> ref = ParseModuleName(req.name(), "name");
  if (!ref.ok()) return ref.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    return ChangeModuleState(
        repo, *ref, req.name(), req.etag(),
        [&](const ModuleLock& lock) -> absl::Status {
          if (!lock.quiz_version) {
            return status::FailedPrecondition(
                kReasonModuleHasNoQuiz,
                absl::StrCat(req.name(),
                             " has no quiz yet; set one with UpdateQuiz before publishing"),
                {{"module", req.name()}});
          }
          // Publishing a published module changes nothing (a retried publish succeeds).
          if (lock.published) return absl::OkStatus();
          repo.PublishModule(ref->part_id, ref->module_id);
          return RecordContentChange(change, "publish",
                                     ModuleName(ref->part_id, ref->module_id),
                                     v1::CONTENT_CHANGE_PUBLISHED, "", deps_.clock());
        },
        resp);
  });
}

absl::Status TrainingServiceImpl::DoArchiveModule(const grpc::CallContext& call,
                                                  const v1::ArchiveModuleRequest& req,
                                                  v1::Module* resp) {
  absl::StatusOr<ModuleRef> ref = ParseModuleName(req.name(), "name");
  if (!ref.ok()) return ref.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    return ChangeModuleState(
        repo, *ref, req.name(), req.etag(),
        [&](const ModuleLock& lock) -> absl::Status {
          // A draft was never shown to learners: there is nothing to take back.
          if (!lock.published && !lock.archived) {
            return status::FailedPrecondition(
                kReasonModuleNotPublished,
                absl::StrCat(req.name(), " is a draft; only a published module can be archived"),
                {{"module", req.name()}});
          }
          // Archiving an archived module changes nothing (a retried archive succeeds).
          if (lock.archived) return absl::OkStatus();
          repo.ArchiveModule(ref->part_id, ref->module_id);
          return RecordContentChange(change, "archive", req.name(), v1::CONTENT_CHANGE_ARCHIVED,
                                     "", deps_.clock());
        },
        resp);
  });
}

// ---------------------------------------------------------------------------------------------
// Quizzes

absl::Status TrainingServiceImpl::DoGetQuiz(const grpc::CallContext& call,
                                            const v1::GetQuizRequest& req, v1::Quiz* resp) {
  // The policy admits county_admin only; checked again here because this is the one response
  // that carries the correct options.
  if (absl::Status st = access::CheckContentAdmin(auth::Scope::Of(call.caller()),
                                                  "only county_admin may read a quiz");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<ModuleRef> ref = ParseQuizName(req.name(), "name");
  if (!ref.ok()) return ref.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    absl::StatusOr<std::optional<ModuleRow>> module = repo.GetModule(ref->part_id, ref->module_id);
    if (!module.ok()) return module.status();
    if (!*module) return ModuleNotFound(*ref);
    absl::StatusOr<std::optional<QuizRow>> quiz = repo.GetQuiz(ref->part_id, ref->module_id);
    if (!quiz.ok()) return quiz.status();
    if (!*quiz) {
      return status::NotFound(kReasonQuizNotFound, absl::StrCat(req.name(), " is not set yet"),
                              {{"quiz", req.name()}});
    }
    *resp = std::move((*quiz)->quiz);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoUpdateQuiz(const grpc::CallContext& call,
                                               const v1::UpdateQuizRequest& req, v1::Quiz* resp) {
  if (absl::Status st = access::CheckContentAdmin(auth::Scope::Of(call.caller()),
                                                  "only county_admin may change a quiz");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<ModuleRef> ref = ParseQuizName(req.quiz().name(), "quiz.name");
  if (!ref.ok()) return ref.status();
  absl::StatusOr<v1::Quiz> quiz = ValidateQuiz(req.quiz(), "quiz");
  if (!quiz.ok()) return quiz.status();
  const std::string& given_etag = req.etag().empty() ? req.quiz().etag() : req.etag();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run([&](pqxx::work& tx) -> absl::Status {
    ContentRepository repo(tx);
    std::optional<ModuleLock> lock = repo.LockModule(ref->part_id, ref->module_id);
    if (!lock) return ModuleNotFound(*ref);
    const std::string current = lock->quiz_version ? QuizEtag(*lock->quiz_version) : "";
    if (absl::Status st = CheckEtag(given_etag, current, req.quiz().name()); !st.ok()) {
      return st;
    }
    // A new version: attempts already started keep the snapshot they were served.
    QuizRow stored =
        repo.AddQuizVersion(ref->part_id, ref->module_id, *quiz, call.caller().subject);
    *resp = std::move(stored.quiz);
    if (absl::Status st =
            RecordContentChange(change, "update", resp->name(), v1::CONTENT_CHANGE_UPDATED,
                                absl::StrCat("version=", stored.version), deps_.clock());
        !st.ok()) {
      return st;
    }
    return absl::OkStatus();
  });
  return st;
}

}  // namespace integration::training
