// Early measures rules: validation, age bands, the covering decision and the statistics.
#include "rules/tia_rules.h"

#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "integration/se/kommun.h"
#include "rules/names.h"

namespace integration::early_measures {
namespace {

constexpr size_t kMaxDisplayName = 200;
constexpr int kMaxPlannedSessions = 1000;
constexpr int kMaxPlannedHours = 10000;
constexpr int kMaxSessionMinutes = 600;
constexpr int kOldestAge = 120;

std::string Field(std::string_view parent, std::string_view child) {
  return absl::StrCat(std::string(parent), ".", std::string(child));
}

double Hours(int64_t minutes) { return static_cast<double>(minutes) / 60.0; }

}  // namespace

std::optional<absl::CivilDay> DayOf(const type::Date& date) {
  if (date.year() < 1 || date.month() < 1 || date.month() > 12 || date.day() < 1) {
    return std::nullopt;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises 2027-02-30 to 2027-03-02: a real day reads back unchanged.
  if (day.year() != date.year() || day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return day;
}

type::Date DateOf(absl::CivilDay day) {
  type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

std::string DayText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::optional<absl::CivilDay> ParseDayText(std::string_view text) {
  int y = 0, m = 0, d = 0;
  char extra = 0;
  if (text.size() != 10 ||
      std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) {
    return std::nullopt;
  }
  type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return DayOf(date);
}

type::DatePeriod PeriodOf(const Period& period) {
  type::DatePeriod p;
  *p.mutable_start_date() = DateOf(period.start);
  *p.mutable_end_date() = DateOf(period.end);
  return p;
}

std::optional<Period> CheckPeriod(const type::DatePeriod& period, std::string_view field,
                                  status::FieldErrors& errors) {
  const std::optional<absl::CivilDay> start = DayOf(period.start_date());
  const std::optional<absl::CivilDay> end = DayOf(period.end_date());
  if (!start) errors.Add(Field(field, "start_date"), "required: a real day");
  if (!end) errors.Add(Field(field, "end_date"), "required: a real day");
  if (!start || !end) return std::nullopt;
  if (*end < *start) {
    errors.Add(Field(field, "end_date"), "must not be before start_date");
    return std::nullopt;
  }
  return Period{*start, *end};
}

v1::AgeBand AgeBandOf(int birth_year, int year) {
  const int age = year - birth_year;
  if (age < kAdultAge) return v1::AGE_BAND_UNSPECIFIED;
  if (age <= 24) return v1::AGE_BAND_18_24;
  if (age <= 34) return v1::AGE_BAND_25_34;
  if (age <= 49) return v1::AGE_BAND_35_49;
  if (age <= 64) return v1::AGE_BAND_50_64;
  return v1::AGE_BAND_65_PLUS;
}

absl::Status CheckActivity(const v1::Activity& activity, std::string_view field) {
  status::FieldErrors errors;
  if (activity.display_name().empty() || activity.display_name().size() > kMaxDisplayName) {
    errors.Add(Field(field, "display_name"),
               absl::StrCat("required, at most ", kMaxDisplayName, " bytes"));
  }
  if (activity.type() == v1::ACTIVITY_TYPE_UNSPECIFIED || !v1::ActivityType_IsValid(activity.type())) {
    errors.Add(Field(field, "type"),
               "required: SWEDISH_LANGUAGE, SOCIETY_AND_LABOUR_MARKET or HEALTH");
  }
  if (absl::Status st = se::ValidateKommunkod(activity.kommunkod(), Field(field, "kommunkod"));
      !st.ok()) {
    errors.Add(Field(field, "kommunkod"), "required: a kommunkod of the official list");
  }
  (void)CheckPeriod(activity.period(), Field(field, "period"), errors);
  if (activity.planned_sessions() < 1 || activity.planned_sessions() > kMaxPlannedSessions) {
    errors.Add(Field(field, "planned_sessions"),
               absl::StrCat("must be between 1 and ", kMaxPlannedSessions));
  }
  if (activity.planned_hours() < 1 || activity.planned_hours() > kMaxPlannedHours) {
    errors.Add(Field(field, "planned_hours"),
               absl::StrCat("must be between 1 and ", kMaxPlannedHours));
  }
  return errors.ToStatus(kReasonActivityInvalid);
}

absl::Status CheckParticipant(const v1::Participant& participant, int year,
                              std::string_view field) {
  status::FieldErrors errors;
  if (participant.lma_number().empty()) {
    errors.Add(Field(field, "lma_number"), "required: \"NN-NNNNNN\", optionally with \"/N\"");
  }
  if (participant.sex() == type::SEX_UNSPECIFIED || !type::Sex_IsValid(participant.sex())) {
    errors.Add(Field(field, "sex"), "required: SEX_FEMALE, SEX_MALE or SEX_OTHER");
  }
  const int age = year - participant.birth_year();
  if (participant.birth_year() == 0 || age < 0 || age > kOldestAge) {
    errors.Add(Field(field, "birth_year"),
               absl::StrCat("required: a year between ", year - kOldestAge, " and ", year));
  }
  if (!errors.empty()) return errors.ToStatus(kReasonParticipantInvalid);
  if (age < kAdultAge) {
    return status::Error(
        absl::StatusCode::kInvalidArgument, kReasonParticipantUnder18,
        absl::StrCat("early measures are for asylum seekers who are 18 or older; born in ",
                     participant.birth_year(), " is younger in ", year),
        {{"latest_birth_year", absl::StrCat(year - kAdultAge)}},
        {{Field(field, "birth_year"),
          absl::StrCat("must be ", year - kAdultAge, " or earlier")}});
  }
  return absl::OkStatus();
}

absl::Status CheckSession(const v1::Session& session, const Period& activity_period,
                          std::string_view field) {
  status::FieldErrors errors;
  const std::optional<absl::CivilDay> day = DayOf(session.date());
  if (!day) {
    errors.Add(Field(field, "date"), "required: a real day");
  } else if (*day < activity_period.start || *day > activity_period.end) {
    errors.Add(Field(field, "date"),
               absl::StrCat("must be inside the activity's period ", DayText(activity_period.start),
                            " to ", DayText(activity_period.end)));
  }
  if (session.duration_minutes() < 1 || session.duration_minutes() > kMaxSessionMinutes) {
    errors.Add(Field(field, "duration_minutes"),
               absl::StrCat("must be between 1 and ", kMaxSessionMinutes));
  }
  return errors.ToStatus(kReasonSessionInvalid);
}

std::optional<FundingDecision> CoveringDecision(const std::vector<FundingDecision>& decisions,
                                                const Period& period) {
  const FundingDecision* best = nullptr;
  for (const FundingDecision& d : decisions) {
    if (d.period.start <= period.start && period.end <= d.period.end &&
        (best == nullptr || d.period.start < best->period.start)) {
      best = &d;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

absl::Status NoCoveringDecision(std::string_view orgnr, std::string_view lanskod,
                                const Period& period) {
  return status::FailedPrecondition(
      kReasonNoCoveringDecision,
      absl::StrCat("organisation ", std::string(orgnr), " has no approved TIA grant decision of ",
                   "county ", std::string(lanskod), "'s board that covers ",
                   DayText(period.start), " to ", DayText(period.end)),
      {{"organisation", OrganisationName(orgnr)},
       {"lanskod", std::string(lanskod)},
       {"period_start", DayText(period.start)},
       {"period_end", DayText(period.end)}});
}

v1::Statistics BuildStatistics(int year, std::string_view lanskod,
                               const std::vector<GroupCount>& groups,
                               const std::vector<OrganisationCount>& organisations,
                               int64_t total_participants, int64_t total_minutes) {
  v1::Statistics out;
  out.set_year(year);
  out.set_lanskod(std::string(lanskod));
  using Key = std::tuple<int, std::string, int, int>;  // type, kommun, sex, band
  std::map<Key, std::pair<int64_t, int64_t>> merged;
  for (const GroupCount& g : groups) {
    auto& [participants, minutes] =
        merged[Key{g.type, g.kommunkod, g.sex, AgeBandOf(g.birth_year, year)}];
    participants += g.participants;
    minutes += g.minutes;
  }
  for (const auto& [key, counts] : merged) {
    v1::StatisticsRow* row = out.add_rows();
    row->set_type(static_cast<v1::ActivityType>(std::get<0>(key)));
    row->set_kommunkod(std::get<1>(key));
    row->set_sex(static_cast<type::Sex>(std::get<2>(key)));
    row->set_age_band(static_cast<v1::AgeBand>(std::get<3>(key)));
    if (counts.first < kSuppressBelow) {
      row->set_suppressed(true);
    } else {
      row->set_participants(static_cast<int32_t>(counts.first));
      row->set_participant_hours(Hours(counts.second));
    }
  }
  for (const OrganisationCount& o : organisations) {
    v1::OrganisationFigures* f = out.add_organisations();
    f->set_organisation(OrganisationName(o.orgnr));
    f->set_kommunkod(o.kommunkod);
    f->set_activities(static_cast<int32_t>(o.activities));
    if (o.participants < kSuppressBelow) {
      f->set_suppressed(true);
    } else {
      f->set_participants(static_cast<int32_t>(o.participants));
      f->set_participant_hours(Hours(o.minutes));
    }
  }
  if (total_participants < kSuppressBelow) {
    out.set_suppressed(true);
  } else {
    out.set_participants(static_cast<int32_t>(total_participants));
    out.set_participant_hours(Hours(total_minutes));
  }
  return out;
}

}  // namespace integration::early_measures
