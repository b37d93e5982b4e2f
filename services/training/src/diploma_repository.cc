// Diploma SQL: eligibility facts, insert, read, revoke (statements in sql/queries/diploma_*.sql).
#include "diploma_repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "rules/content_rules.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

using google::protobuf::util::TimeUtil;

// The kind column holds "COURSE" or "PART".
std::string KindColumn(v1::DiplomaKind kind) {
  return kind == v1::DIPLOMA_KIND_COURSE ? "COURSE" : "PART";
}
v1::DiplomaKind KindFromColumn(const std::string& column) {
  if (column == "COURSE") return v1::DIPLOMA_KIND_COURSE;
  if (column == "PART") return v1::DIPLOMA_KIND_PART;
  return v1::DIPLOMA_KIND_UNSPECIFIED;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// Reads a row with the columns of diploma_row (by name).
absl::StatusOr<v1::Diploma> FromRow(const pqxx::row& row) {
  const std::string code = row["code"].as<std::string>();
  v1::Diploma d;
  d.set_name(DiplomaName(row["learner_id"].as<std::string>(), code));
  const pqxx::binarystring content(row["content"]);
  if (!d.mutable_content()->ParseFromString(content.str())) {
    return status::Internal(absl::StrCat("diploma ", code, ": stored content does not parse"));
  }
  if (d.content().kind() != KindFromColumn(row["kind"].as<std::string>())) {
    return status::Internal(absl::StrCat("diploma ", code, ": stored kind disagrees"));
  }
  const pqxx::binarystring signature(row["signature"]);
  d.set_signature(signature.str());
  d.set_signed_text(row["signed_text"].as<std::string>());
  const std::string state = row["state"].as<std::string>();
  d.set_state(state == "REVOKED" ? v1::DIPLOMA_STATE_REVOKED : v1::DIPLOMA_STATE_VALID);
  d.set_revoke_reason(row["revoke_reason"].as<std::string>(std::string()));
  *d.mutable_issue_time() = TimeUtil::MicrosecondsToTimestamp(row["issue_micros"].as<int64_t>());
  if (!row["revoke_micros"].is_null()) {
    *d.mutable_revoke_time() =
        TimeUtil::MicrosecondsToTimestamp(row["revoke_micros"].as<int64_t>());
  }
  const std::vector<std::string> part_ids =
      absl::StrSplit(row["parts_list"].as<std::string>(), ',', absl::SkipEmpty());
  for (const std::string& part_id : part_ids) d.add_parts(PartName(part_id));
  return d;
}

}  // namespace

std::optional<DiplomaLearner> DiplomaRepository::FindLearner(const std::string& learner_id) {
  const pqxx::result rows = tx_.exec_prepared("diploma_learner", learner_id);
  if (rows.empty()) return std::nullopt;
  return DiplomaLearner{.display_name = rows[0]["display_name"].as<std::string>(),
                        .lanskod = rows[0]["lanskod"].as<std::string>()};
}

std::optional<DiplomaLearner> DiplomaRepository::LockLearner(const std::string& learner_id) {
  const pqxx::result rows = tx_.exec_prepared("diploma_lock_learner", learner_id);
  if (rows.empty()) return std::nullopt;
  return DiplomaLearner{.display_name = rows[0]["display_name"].as<std::string>(),
                        .lanskod = rows[0]["lanskod"].as<std::string>()};
}

std::vector<std::string> DiplomaRepository::EnrolledParts(const std::string& learner_id) {
  std::vector<std::string> parts;
  for (const pqxx::row& row : tx_.exec_prepared("diploma_learner_parts", learner_id)) {
    parts.push_back(PartName(row["part_id"].as<std::string>()));
  }
  return parts;
}

std::vector<CoursePart> DiplomaRepository::Course() {
  std::vector<CoursePart> course;
  for (const pqxx::row& row : tx_.exec_prepared("diploma_course")) {
    const std::string part_id = row["part_id"].as<std::string>();
    const std::string name = PartName(part_id);
    if (course.empty() || course.back().name != name) {
      course.push_back(CoursePart{
          .name = name, .title = row["part_title"].as<std::string>(), .published_modules = {}});
    }
    if (!row["module_id"].is_null()) {
      course.back().published_modules.push_back(
          ModuleName(part_id, row["module_id"].as<std::string>()));
    }
  }
  return course;
}

std::set<std::string> DiplomaRepository::PassedModules(const std::string& learner_id) {
  std::set<std::string> passed;
  for (const pqxx::row& row : tx_.exec_prepared("diploma_passed_modules", learner_id)) {
    passed.insert(ModuleName(row["part_id"].as<std::string>(), row["module_id"].as<std::string>()));
  }
  return passed;
}

std::set<std::pair<v1::DiplomaKind, std::string>> DiplomaRepository::IssuedKinds(
    const std::string& learner_id) {
  std::set<std::pair<v1::DiplomaKind, std::string>> issued;
  for (const pqxx::row& row : tx_.exec_prepared("diploma_issued_kinds", learner_id)) {
    issued.emplace(KindFromColumn(row["kind"].as<std::string>()), row["part_id"].as<std::string>());
  }
  return issued;
}

bool DiplomaRepository::Insert(const NewDiploma& diploma) {
  const SignedDiploma& s = diploma.signed_diploma;
  const pqxx::binarystring content(s.content.SerializeAsString());
  const pqxx::binarystring signature(s.signature);
  const pqxx::result rows = tx_.exec_prepared(
      "diploma_insert", s.content.code(), diploma.learner_id, KindColumn(diploma.kind),
      diploma.part_id, content, s.signed_text, signature, s.content.key_id(),
      Micros(diploma.issue_time), absl::StrJoin(diploma.part_ids, ","));
  return !rows.empty();
}

absl::StatusOr<std::optional<v1::Diploma>> DiplomaRepository::One(const pqxx::result& rows) {
  if (rows.empty()) return std::optional<v1::Diploma>();
  absl::StatusOr<v1::Diploma> d = FromRow(rows[0]);
  if (!d.ok()) return d.status();
  return std::optional<v1::Diploma>(*std::move(d));
}

absl::StatusOr<std::vector<v1::Diploma>> DiplomaRepository::List(const std::string& learner_id) {
  std::vector<v1::Diploma> out;
  for (const pqxx::row& row : tx_.exec_prepared("diploma_list", learner_id)) {
    absl::StatusOr<v1::Diploma> d = FromRow(row);
    if (!d.ok()) return d.status();
    out.push_back(*std::move(d));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Diploma>> DiplomaRepository::Get(const std::string& learner_id,
                                                                  const std::string& code) {
  return One(tx_.exec_prepared("diploma_get", learner_id, code));
}

absl::StatusOr<std::optional<v1::Diploma>> DiplomaRepository::GetForUpdate(
    const std::string& learner_id, const std::string& code) {
  return One(tx_.exec_prepared("diploma_get_for_update", learner_id, code));
}

absl::StatusOr<std::optional<v1::Diploma>> DiplomaRepository::FindByCode(
    const std::string& code) {
  return One(tx_.exec_prepared("diploma_get_by_code", code));
}

bool DiplomaRepository::Revoke(const std::string& code, const std::string& reason,
                               absl::Time revoke_time) {
  const pqxx::result rows =
      tx_.exec_prepared("diploma_revoke", code, reason, Micros(revoke_time));
  return rows.affected_rows() == 1;
}

}  // namespace integration::training
