// CheckFunding's decisions from PostgreSQL.
#include "funding_repository.h"

#include <optional>
#include <utility>

#include "integration/status/status.h"

namespace integration::grants {

absl::StatusOr<std::vector<FundingRow>> FundingRepository::ApprovedDecisions(
    const std::string& kommunkod, const std::string& orgnr, const std::string& programme_id,
    const Period& period, const std::string& lanskod) {
  const bool by_kommun = !kommunkod.empty();
  pqxx::result r = tx_.exec_prepared(by_kommun ? "funding_by_kommun" : "funding_by_orgnr",
                                     by_kommun ? kommunkod : orgnr, programme_id,
                                     DayText(period.start), DayText(period.end), lanskod);
  std::vector<FundingRow> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    std::optional<type::Date> start = ParseDateText(row["period_start"].as<std::string>());
    std::optional<type::Date> end = ParseDateText(row["period_end"].as<std::string>());
    if (!start || !end) return status::Internal("stored project period is not a date");
    FundingRow f;
    f.period = Period{ToCivilDay(*start), ToCivilDay(*end)};
    v1::FundingDecision& d = f.decision;
    d.set_application(
        ApplicationName(row["call_id"].as<int64_t>(), row["application_id"].as<int64_t>()));
    d.set_diarienummer(row["diarienummer"].as<std::string>());
    d.set_programme(ProgrammeName(row["programme_id"].as<std::string>()));
    *d.mutable_project_period()->mutable_start_date() = *start;
    *d.mutable_project_period()->mutable_end_date() = *end;
    d.mutable_approved_amount()->set_ore(row["approved_ore"].as<int64_t>());
    d.mutable_paid_amount()->set_ore(row["paid_ore"].as<int64_t>());
    d.set_lanskod(row["lanskod"].as<std::string>());
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace integration::grants
