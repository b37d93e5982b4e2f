// Course content in PostgreSQL: rows to and from the v1 messages.
#include "content_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "rules/content_rules.h"
#include "integration/status/status.h"
#include "service_util.h"

namespace integration::training {
namespace {

PartRow ToPartRow(const pqxx::row& row) {
  PartRow out;
  v1::Part& p = out.part;
  p.set_name(PartName(row[0].as<std::string>()));
  p.set_title(row[1].as<std::string>());
  p.set_description(row[2].as<std::string>());
  p.set_position(row[3].as<int>());
  p.set_module_count(row[4].as<int>());
  SetTimestampMicros(row[5].as<int64_t>(), p.mutable_create_time());
  SetTimestampMicros(row[6].as<int64_t>(), p.mutable_update_time());
  out.revision = row[7].as<int64_t>();
  p.set_etag(EtagOf(out.revision));
  return out;
}

absl::StatusOr<ModuleRow> ToModuleRow(const pqxx::row& row) {
  ModuleRow out;
  out.part_id = row[0].as<std::string>();
  out.module_id = row[1].as<std::string>();
  v1::Module& m = out.module;
  // The content column holds a Module message with only `content` set.
  if (!m.ParseFromString(pqxx::binarystring(row[5]).str())) {
    return status::Internal(
        absl::StrCat("stored content of module ", out.part_id, "/", out.module_id, " is corrupt"));
  }
  m.set_name(ModuleName(out.part_id, out.module_id));
  m.set_title(row[2].as<std::string>());
  m.set_description(row[3].as<std::string>());
  m.set_position(row[4].as<int>());
  out.published = row[6].as<std::string>() == "PUBLISHED";
  m.set_state(out.published ? v1::CONTENT_STATE_PUBLISHED : v1::CONTENT_STATE_DRAFT);
  m.set_has_quiz(row[7].as<bool>());
  SetTimestampMicros(row[8].as<int64_t>(), m.mutable_create_time());
  SetTimestampMicros(row[9].as<int64_t>(), m.mutable_update_time());
  out.revision = row[10].as<int64_t>();
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
  for (const pqxx::row& row :
       tx_.exec_prepared("content_list_parts", all_modules, after_position, limit)) {
    out.push_back(ToPartRow(row));
  }
  return out;
}

absl::StatusOr<std::optional<PartRow>> ContentRepository::GetPart(const std::string& part_id,
                                                                  bool all_modules) {
  pqxx::result r = tx_.exec_prepared("content_get_part", all_modules, part_id);
  if (r.empty()) return std::optional<PartRow>();
  return std::optional<PartRow>(ToPartRow(r[0]));
}

std::optional<int64_t> ContentRepository::LockPart(const std::string& part_id) {
  pqxx::result r = tx_.exec_prepared("content_lock_part", part_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

std::optional<std::string> ContentRepository::PartAtPosition(int position,
                                                             const std::string& except_part_id) {
  pqxx::result r = tx_.exec_prepared("content_part_at_position", position, except_part_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
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
  lock.revision = r[0][0].as<int64_t>();
  lock.published = r[0][1].as<std::string>() == "PUBLISHED";
  if (!r[0][2].is_null()) lock.quiz_version = r[0][2].as<int>();
  return lock;
}

std::optional<std::string> ContentRepository::ModuleAtPosition(
    const std::string& part_id, int position, const std::string& except_module_id) {
  pqxx::result r =
      tx_.exec_prepared("content_module_at_position", part_id, position, except_module_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
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

absl::StatusOr<std::optional<QuizRow>> ContentRepository::GetQuiz(const std::string& part_id,
                                                                  const std::string& module_id) {
  pqxx::result r = tx_.exec_prepared("content_get_quiz", part_id, module_id);
  if (r.empty()) return std::optional<QuizRow>();
  QuizRow out;
  out.version = r[0][0].as<int>();
  if (!out.quiz.ParseFromString(pqxx::binarystring(r[0][1]).str())) {
    return status::Internal(
        absl::StrCat("stored quiz ", part_id, "/", module_id, " v", out.version, " is corrupt"));
  }
  out.quiz.set_name(QuizName(part_id, module_id));
  out.quiz.set_version(out.version);
  SetTimestampMicros(r[0][2].as<int64_t>(), out.quiz.mutable_update_time());
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
  out.version = r[0].as<int>();
  tx_.exec_prepared0("content_set_module_quiz", part_id, module_id, out.version);
  out.quiz = std::move(stored);
  out.quiz.set_name(QuizName(part_id, module_id));
  out.quiz.set_version(out.version);
  SetTimestampMicros(r[1].as<int64_t>(), out.quiz.mutable_update_time());
  out.quiz.set_etag(QuizEtag(out.version));
  return out;
}

}  // namespace integration::training
