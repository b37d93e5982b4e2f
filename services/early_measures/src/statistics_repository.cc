// The follow-up queries.
#include "statistics_repository.h"

#include "integration/status/status.h"

namespace integration::early_measures {

v1::ParticipantFigures StatisticsRepository::ReportFigures(std::string_view orgnr,
                                                           std::string_view application) {
  const pqxx::row row = tx_.exec_prepared1("figures_report", std::string(orgnr),
                                           std::string(application));
  v1::ParticipantFigures out;
  out.mutable_participants()->set_women(row["women"].as<int32_t>());
  out.mutable_participants()->set_men(row["men"].as<int32_t>());
  out.mutable_participants()->set_other(row["other"].as<int32_t>());
  out.set_participant_hours(static_cast<double>(row["minutes"].as<int64_t>()) / 60.0);
  out.set_activities(row["activities"].as<int32_t>());
  out.set_sessions(row["sessions"].as<int32_t>());
  return out;
}

absl::StatusOr<StatisticsCounts> StatisticsRepository::Counts(int year, std::string_view lanskod,
                                                              std::string_view orgnr) {
  StatisticsCounts out;
  const std::string lan(lanskod), org(orgnr);
  for (const pqxx::row& row : tx_.exec_prepared("statistics_groups", year, lan, org)) {
    GroupCount g;
    if (!v1::ActivityType_Parse(row["type"].as<std::string>(), &g.type) ||
        !type::Sex_Parse(row["sex"].as<std::string>(), &g.sex)) {
      return status::Internal("stored activity type or sex is unknown");
    }
    g.kommunkod = row["kommunkod"].as<std::string>();
    g.birth_year = row["birth_year"].as<int>();
    g.participants = row["participants"].as<int64_t>();
    g.minutes = row["minutes"].as<int64_t>();
    out.groups.push_back(std::move(g));
  }
  for (const pqxx::row& row : tx_.exec_prepared("statistics_organisations", year, lan, org)) {
    out.organisations.push_back(OrganisationCount{
        .orgnr = row["orgnr"].as<std::string>(),
        .kommunkod = row["kommunkod"].as<std::string>(),
        .activities = row["activities"].as<int64_t>(),
        .participants = row["participants"].as<int64_t>(),
        .minutes = row["minutes"].as<int64_t>(),
    });
  }
  const pqxx::row totals = tx_.exec_prepared1("statistics_totals", year, lan, org);
  out.participants = totals["participants"].as<int64_t>();
  out.minutes = totals["minutes"].as<int64_t>();
  return out;
}

}  // namespace integration::early_measures
