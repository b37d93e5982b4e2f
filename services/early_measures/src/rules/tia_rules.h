// The rules of early measures (DOMAIN.md §4) without I/O: what a valid activity, participant
// and session are, the age bands, which grant decision funds an activity, and the follow-up
// figures with small groups suppressed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/early_measures/v1/resources.pb.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.pb.h"

namespace integration::early_measures {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;
namespace type = ::lansstyrelsen::integration::type::v1;

// ErrorInfo reasons of the rules.
inline constexpr std::string_view kReasonActivityInvalid = "ACTIVITY_INVALID";
inline constexpr std::string_view kReasonParticipantInvalid = "PARTICIPANT_INVALID";
inline constexpr std::string_view kReasonParticipantUnder18 = "PARTICIPANT_UNDER_18";
inline constexpr std::string_view kReasonSessionInvalid = "SESSION_INVALID";
inline constexpr std::string_view kReasonNoCoveringDecision = "NO_COVERING_FUNDING_DECISION";

// Groups of fewer participants than this are withheld from the statistics.
inline constexpr int64_t kSuppressBelow = 5;
// Participants must reach this age in the year they are registered.
inline constexpr int kAdultAge = 18;

// A closed interval of days.
struct Period {
  absl::CivilDay start;
  absl::CivilDay end;
};

// The day of `date`, nullopt when it is not a real day.
std::optional<absl::CivilDay> DayOf(const type::Date& date);
type::Date DateOf(absl::CivilDay day);
// "YYYY-MM-DD", as the queries bind and return days.
std::string DayText(absl::CivilDay day);
std::optional<absl::CivilDay> ParseDayText(std::string_view text);
type::DatePeriod PeriodOf(const Period& period);
// The period of `period`, or nullopt with the violations added under `field`.
std::optional<Period> CheckPeriod(const type::DatePeriod& period, std::string_view field,
                                  status::FieldErrors& errors);

// The age band of someone born in `birth_year` during `year` (the age reached that year);
// AGE_BAND_UNSPECIFIED below 18.
v1::AgeBand AgeBandOf(int birth_year, int year);

// An activity as created or updated (display_name, type, kommunkod, period, plan): INVALID_
// ARGUMENT with reason ACTIVITY_INVALID and a violation per bad field under `field`.
absl::Status CheckActivity(const v1::Activity& activity, std::string_view field);

// A participant registered in `year`: lma_number present (its format is checked by the
// suite's parser), sex, birth_year; PARTICIPANT_UNDER_18 when the person does not reach 18 in
// `year`. Violations under `field`.
absl::Status CheckParticipant(const v1::Participant& participant, int year,
                              std::string_view field);

// A session of an activity running in `activity_period`: a real day inside it, 1 to 600 minutes.
absl::Status CheckSession(const v1::Session& session, const Period& activity_period,
                          std::string_view field);

// One approved decision as grants reported it.
struct FundingDecision {
  std::string application;
  std::string diarienummer;
  Period period;
};

// The first decision (earliest start) whose period holds all of `period`, or nullopt: an
// activity runs on one decision, so two that only together cover it do not fund it.
std::optional<FundingDecision> CoveringDecision(const std::vector<FundingDecision>& decisions,
                                                const Period& period);

// FAILED_PRECONDITION NO_COVERING_FUNDING_DECISION for `orgnr`, county `lanskod` and `period`.
absl::Status NoCoveringDecision(std::string_view orgnr, std::string_view lanskod,
                                const Period& period);

// Counts from the statistics queries.
struct GroupCount {  // by type, kommun, sex, birth year
  v1::ActivityType type = v1::ACTIVITY_TYPE_UNSPECIFIED;
  std::string kommunkod;
  type::Sex sex = type::SEX_UNSPECIFIED;
  int birth_year = 0;
  int64_t participants = 0;  // distinct people (by their keyed hash)
  int64_t minutes = 0;
};
struct OrganisationCount {
  std::string orgnr;
  std::string kommunkod;
  int64_t activities = 0;
  int64_t participants = 0;
  int64_t minutes = 0;
};

// The statistics of `year` from the counts: rows by type, kommun, sex and age band (birth
// years merged into bands; a person has one birth year, so the counts add up), per
// organisation and kommun, and the totals; every group below kSuppressBelow withheld.
v1::Statistics BuildStatistics(int year, std::string_view lanskod,
                               const std::vector<GroupCount>& groups,
                               const std::vector<OrganisationCount>& organisations,
                               int64_t total_participants, int64_t total_minutes);

}  // namespace integration::early_measures
