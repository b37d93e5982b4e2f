// Programmes in PostgreSQL: the SQL of sql/queries/programme_*.sql over the programme_row view.
#include "programme_repository.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// Eligible types as the comma-separated enum names the queries turn into text[].
std::string TypesText(const v1::Programme& programme) {
  return absl::StrJoin(programme.eligible_applicant_types(), ",", [](std::string* out, int t) {
    out->append(v1::ApplicantType_Name(static_cast<v1::ApplicantType>(t)));
  });
}

// The stored form of the required reports: a Programme holding only them.
pqxx::binarystring ReportsBytes(const v1::Programme& programme) {
  v1::Programme only_reports;
  *only_reports.mutable_required_reports() = programme.required_reports();
  return pqxx::binarystring(only_reports.SerializeAsString());
}

}  // namespace

absl::Status ProgrammeNotFound(std::string_view programme_id) {
  const std::string name = ProgrammeName(programme_id);
  return status::NotFound("PROGRAMME_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"programme", name}});
}

absl::StatusOr<v1::Programme> ProgrammeFromRow(const pqxx::row& row) {
  v1::Programme p;
  p.set_name(ProgrammeName(row["programme_id"].as<std::string>()));
  p.set_display_name(row["display_name"].as<std::string>());
  p.set_legal_basis(row["legal_basis"].as<std::string>());
  p.set_description(row["description"].as<std::string>());
  p.set_lanskod(row["lanskod"].is_null() ? "" : row["lanskod"].as<std::string>());
  const std::string types = row["eligible_types_list"].as<std::string>();
  for (absl::string_view t : absl::StrSplit(types, ',', absl::SkipEmpty())) {
    v1::ApplicantType type = v1::APPLICANT_TYPE_UNSPECIFIED;
    if (!v1::ApplicantType_Parse(std::string(t), &type)) {
      return status::Internal("stored applicant type is unknown");
    }
    p.add_eligible_applicant_types(type);
  }
  v1::Programme reports;
  const pqxx::binarystring blob(row["required_reports"]);
  if (!reports.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return status::Internal("stored required reports are corrupt");
  }
  *p.mutable_required_reports() = std::move(*reports.mutable_required_reports());
  api::SetTimestampMicros(row["create_micros"].as<int64_t>(), p.mutable_create_time());
  api::SetTimestampMicros(row["update_micros"].as<int64_t>(), p.mutable_update_time());
  p.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return p;
}

absl::StatusOr<std::optional<v1::Programme>> ProgrammeRepository::Find(
    std::string_view programme_id) {
  pqxx::result r = tx_.exec_prepared("programme_get", std::string(programme_id));
  if (r.empty()) return std::optional<v1::Programme>();
  absl::StatusOr<v1::Programme> p = ProgrammeFromRow(r[0]);
  if (!p.ok()) return p.status();
  return std::optional<v1::Programme>(*std::move(p));
}

bool ProgrammeRepository::Insert(std::string_view programme_id, const v1::Programme& programme,
                                 absl::Time now) {
  pqxx::result r =
      tx_.exec_prepared("programme_insert", std::string(programme_id), programme.display_name(),
                        programme.legal_basis(), programme.description(), TypesText(programme),
                        ReportsBytes(programme), api::ToMicros(now), programme.lanskod());
  return !r.empty();
}

std::optional<int64_t> ProgrammeRepository::Lock(std::string_view programme_id) {
  pqxx::result r = tx_.exec_prepared("programme_lock", std::string(programme_id));
  if (r.empty()) return std::nullopt;
  return r[0]["revision"].as<int64_t>();
}

void ProgrammeRepository::Update(std::string_view programme_id, const v1::Programme& programme,
                                 absl::Time now) {
  tx_.exec_prepared("programme_update", std::string(programme_id), programme.display_name(),
                    programme.legal_basis(), programme.description(), TypesText(programme),
                    ReportsBytes(programme), api::ToMicros(now));
}

absl::StatusOr<std::vector<v1::Programme>> ProgrammeRepository::List(std::string_view after_id,
                                                                     int limit) {
  std::vector<v1::Programme> out;
  for (const pqxx::row& row : tx_.exec_prepared("programme_list", std::string(after_id), limit)) {
    absl::StatusOr<v1::Programme> p = ProgrammeFromRow(row);
    if (!p.ok()) return p.status();
    out.push_back(*std::move(p));
  }
  return out;
}

}  // namespace integration::grants
