// Programmes in PostgreSQL: the SQL of sql/queries/programme_*.sql.
#include "programme_repository.h"

#include <string>

#include "absl/strings/str_join.h"
#include "integration/api/handler.h"
#include "records.h"

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

bool ProgrammeRepository::Insert(std::string_view programme_id, const v1::Programme& programme,
                                 absl::Time now) {
  pqxx::result r =
      tx_.exec_prepared("programme_insert", std::string(programme_id), programme.display_name(),
                        programme.legal_basis(), programme.description(), TypesText(programme),
                        ReportsBytes(programme), api::ToMicros(now));
  return !r.empty();
}

std::optional<int64_t> ProgrammeRepository::Lock(std::string_view programme_id) {
  pqxx::result r = tx_.exec_prepared("programme_lock", std::string(programme_id));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
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
