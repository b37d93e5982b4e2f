// Course content in PostgreSQL: rows to and from the v1 messages.
#include "content_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "rules/content_rules.h"
#include "integration/status/status.h"
#include "service_util.h"

namespace integration::training {
namespace {

// Reads a row with the columns of part_row (by name); the module count is of every module when
// `all_modules`, else of the published ones.
PartRow ToPartRow(const pqxx::row& row, bool all_modules) {
  PartRow out;
  v1::Part& p = out.part;
  p.set_name(PartName(row["part_id"].as<std::string>()));
  p.set_title(row["title"].as<std::string>());
  p.set_description(row["description"].as<std::string>());
  p.set_position(row["position"].as<int>());
  p.set_module_count(row[all_modules ? "module_count" : "published_module_count"].as<int>());
  SetTimestampMicros(row["create_micros"].as<int64_t>(), p.mutable_create_time());
  SetTimestampMicros(row["update_micros"].as<int64_t>(), p.mutable_update_time());
  out.revision = row["revision"].as<int64_t>();
  p.set_etag(EtagOf(out.revision));
  if (row["archive_micros"].is_null()) {
    p.set_state(v1::CONTENT_STATE_PUBLISHED);
  } else {
    p.set_state(v1::CONTENT_STATE_ARCHIVED);
    SetTimestampMicros(row["archive_micros"].as<int64_t>(), p.mutable_archive_time());
  }
  return out;
}

// Reads a row with the columns of module_row (by name).
absl::StatusOr<ModuleRow> ToModuleRow(const pqxx::row& row) {
  ModuleRow out;
  out.part_id = row["part_id"].as<std::string>();
  out.module_id = row["module_id"].as<std::string>();
  v1::Module& m = out.module;
  // The content column holds a Module message with only `content` set.
  if (!m.ParseFromString(pqxx::binarystring(row["content"]).str())) {
    return status::Internal(
        absl::StrCat("stored content of module ", out.part_id, "/", out.module_id, " is corrupt"));
  }
  m.set_name(ModuleName(out.part_id, out.module_id));
  m.set_title(row["title"].as<std::string>());
  m.set_description(row["description"].as<std::string>());
  m.set_position(row["position"].as<int>());
  const std::string state = row["state"].as<std::string>();
  out.published = state == "PUBLISHED";
  m.set_state(out.published        ? v1::CONTENT_STATE_PUBLISHED
              : state == "ARCHIVED" ? v1::CONTENT_STATE_ARCHIVED
                                    : v1::CONTENT_STATE_DRAFT);
  if (!row["archive_micros"].is_null()) {
    SetTimestampMicros(row["archive_micros"].as<int64_t>(), m.mutable_archive_time());
  }
  m.set_has_quiz(row["has_quiz"].as<bool>());
  SetTimestampMicros(row["create_micros"].as<int64_t>(), m.mutable_create_time());
  SetTimestampMicros(row["update_micros"].as<int64_t>(), m.mutable_update_time());
  out.revision = row["revision"].as<int64_t>();
  m.set_etag(EtagOf(out.revision));
  return out;
}

// The stored form of a module's content: a Module holding only `content`.
pqxx::binarystring ContentBytes(const v1::Module& module) {
  v1::Module only_content;
  *only_content.mutable_content() = module.content();
  return pqxx::binarystring(only_content.SerializeAsString());
}

}  // namespace

std::string QuizEtag(int version) { return absl::StrCat("v", version); }

absl::StatusOr<std::vector<PartRow>> ContentRepository::ListParts(bool all_modules,
                                                                  int after_position, int limit) {
  std::vector<PartRow> out;
  for (const pqxx::row& row : tx_.exec_prepared("content_list_parts", after_position, limit, all_modules)) {
    out.push_back(ToPartRow(row, all_modules));
  }
  return out;
}

absl::StatusOr<std::optional<PartRow>> ContentRepository::GetPart(const std::string& part_id,
                                                                  bool all_modules) {
  pqxx::result r = tx_.exec_prepared("content_get_part", part_id);
  if (r.empty()) return std::optional<PartRow>();
  return std::optional<PartRow>(ToPartRow(r[0], all_modules));
}

std::optional<PartLock> ContentRepository::LockPart(const std::string& part_id) {
  pqxx::result r = tx_.exec_prepared("content_lock_part", part_id);
  if (r.empty()) return std::nullopt;
  return PartLock{.revision = r[0]["revision"].as<int64_t>(),
                  .archived = r[0]["archived"].as<bool>()};
}

std::optional<std::string> ContentRepository::PartAtPosition(int position,
                                                             const std::string& except_part_id) {
  pqxx::result r = tx_.exec_prepared("content_part_at_position", position, except_part_id);
  if (r.empty()) return std::nullopt;
  return r[0]["part_id"].as<std::string>();
}

bool ContentRepository::InsertPart(const std::string& part_id, const v1::Part& part) {
  return !tx_.exec_prepared("content_insert_part", part_id, part.title(), part.description(),
                            part.position())
              .empty();
}

void ContentRepository::UpdatePart(const std::string& part_id, const v1::Part& part) {
  tx_.exec_prepared0("content_update_part", part_id, part.title(), part.description(),
                     part.position());
}

void ContentRepository::ArchivePart(const std::string& part_id) {
  tx_.exec_prepared0("content_archive_part", part_id);
}

void ContentRepository::UnarchivePart(const std::string& part_id) {
  tx_.exec_prepared0("content_unarchive_part", part_id);
}

absl::StatusOr<std::vector<ModuleRow>> ContentRepository::ListModules(const std::string& part_id,
                                                                      bool drafts,
                                                                      int after_position,
                                                                      int limit) {
  std::vector<ModuleRow> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("content_list_modules", part_id, drafts, after_position, limit)) {
    absl::StatusOr<ModuleRow> m = ToModuleRow(row);
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
  }
  return out;
}

absl::StatusOr<std::optional<ModuleRow>> ContentRepository::GetModule(
    const std::string& part_id, const std::string& module_id) {
  pqxx::result r = tx_.exec_prepared("content_get_module", part_id, module_id);
  if (r.empty()) return std::optional<ModuleRow>();
  absl::StatusOr<ModuleRow> m = ToModuleRow(r[0]);
  if (!m.ok()) return m.status();
  return std::optional<ModuleRow>(*std::move(m));
}

std::optional<ModuleLock> ContentRepository::LockModule(const std::string& part_id,
                                                        const std::string& module_id) {
  pqxx::result r = tx_.exec_prepared("content_lock_module", part_id, module_id);
  if (r.empty()) return std::nullopt;
  ModuleLock lock;
  const pqxx::row row = r[0];
  lock.revision = row["revision"].as<int64_t>();
  lock.published = row["state"].as<std::string>() == "PUBLISHED";
  lock.archived = row["state"].as<std::string>() == "ARCHIVED";
  if (!row["quiz_version"].is_null()) lock.quiz_version = row["quiz_version"].as<int>();
  return lock;
}

std::optional<std::string> ContentRepository::ModuleAtPosition(
    const std::string& part_id, int position, const std::string& except_module_id) {
  pqxx::result r =
      tx_.exec_prepared("content_module_at_position", part_id, position, except_module_id);
  if (r.empty()) return std::nullopt;
  return r[0]["module_id"].as<std::string>();
}

bool ContentRepository::InsertModule(const std::string& part_id, const std::string& module_id,
                                     const v1::Module& module) {
  return !tx_.exec_prepared("content_insert_module", part_id, module_id, module.title(),
                            module.description(), module.position(), ContentBytes(module))
              .empty();
}

void ContentRepository::UpdateModule(const std::string& part_id, const std::string& module_id,
                                     const v1::Module& module) {
  tx_.exec_prepared0("content_update_module", part_id, module_id, module.title(),
                     module.description(), module.position(), ContentBytes(module));
}

void ContentRepository::PublishModule(const std::string& part_id, const std::string& module_id) {
  tx_.exec_prepared0("content_publish_module", part_id, module_id);
}

void ContentRepository::ArchiveModule(const std::string& part_id, const std::string& module_id) {
  tx_.exec_prepared0("content_archive_module", part_id, module_id);
}

absl::StatusOr<std::optional<QuizRow>> ContentRepository::GetQuiz(const std::string& part_id,
                                                                  const std::string& module_id) {
  pqxx::result r = tx_.exec_prepared("content_get_quiz", part_id, module_id);
  if (r.empty()) return std::optional<QuizRow>();
  QuizRow out;
  out.version = r[0]["version"].as<int>();
  if (!out.quiz.ParseFromString(pqxx::binarystring(r[0]["quiz"]).str())) {
    return status::Internal(
        absl::StrCat("stored quiz ", part_id, "/", module_id, " v", out.version, " is corrupt"));
  }
  out.quiz.set_name(QuizName(part_id, module_id));
  out.quiz.set_version(out.version);
  SetTimestampMicros(r[0]["create_micros"].as<int64_t>(), out.quiz.mutable_update_time());
  out.quiz.set_etag(QuizEtag(out.version));
  return std::optional<QuizRow>(std::move(out));
}

QuizRow ContentRepository::AddQuizVersion(const std::string& part_id, const std::string& module_id,
                                          const v1::Quiz& quiz, const std::string& created_by) {
  // Only the content is stored; name, version, time and etag come from the row.
  v1::Quiz stored = quiz;
  stored.clear_name();
  stored.clear_version();
  stored.clear_update_time();
  stored.clear_etag();
  pqxx::row r = tx_.exec_prepared1("content_insert_quiz_version", part_id, module_id,
                                   pqxx::binarystring(stored.SerializeAsString()), created_by);
  QuizRow out;
  out.version = r["version"].as<int>();
  tx_.exec_prepared0("content_set_module_quiz", part_id, module_id, out.version);
  out.quiz = std::move(stored);
  out.quiz.set_name(QuizName(part_id, module_id));
  out.quiz.set_version(out.version);
  SetTimestampMicros(r["create_micros"].as<int64_t>(), out.quiz.mutable_update_time());
  out.quiz.set_etag(QuizEtag(out.version));
  return out;
}

}  // namespace integration::training
