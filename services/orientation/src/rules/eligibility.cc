// The target-group check of civic orientation (see eligibility.h).
#include "rules/eligibility.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/dates/day.h"
#include "integration/se/personnummer.h"
#include "integration/status/status.h"

namespace integration::orientation {
namespace {

// The EU member states, the other EEA states (Iceland, Liechtenstein, Norway) and Switzerland.
constexpr std::array<std::string_view, 31> kEeaAndSwiss = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "CH"};

std::string Day(absl::CivilDay day) { return dates::DayText(day); }

}  // namespace

bool IsEeaOrSwiss(std::string_view country) {
  return std::find(kEeaAndSwiss.begin(), kEeaAndSwiss.end(), country) != kEeaAndSwiss.end();
}

std::vector<Ineligibility> CheckEligibility(const EligibilityFacts& facts) {
  std::vector<Ineligibility> out;
  const int age = se::AgeOn(facts.birth_date, facts.enrol_date);
  if (age < kMinimumAge) {
    out.push_back({v1::INELIGIBILITY_REASON_AGE_BELOW_MINIMUM, "enrolment.enrol_date",
                   absl::StrCat("the participant is ", age, " on ", Day(facts.enrol_date),
                                "; the course is for ", kMinimumAge, " and older (from ",
                                Day(dates::AddYears(facts.birth_date, kMinimumAge)), ")")});
  }
  if (age >= facts.pension_reference_age) {
    out.push_back(
        {v1::INELIGIBILITY_REASON_AGE_AT_OR_ABOVE_PENSION_REFERENCE_AGE, "enrolment.enrol_date",
         absl::StrCat("the participant is ", age, " on ", Day(facts.enrol_date),
                      ", at or above the pension reference age ", facts.pension_reference_age)});
  }
  if (facts.permit != v1::PERMIT_TYPE_PROTECTION && facts.permit != v1::PERMIT_TYPE_FAMILY_MEMBER) {
    out.push_back({v1::INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE, "participant.permit_type",
                   "the course is for persons with a protection permit and their family members"});
  }
  const absl::CivilDay duty_end = dates::AddYears(facts.first_registration_date, kDutyYears);
  if (facts.enrol_date >= duty_end) {
    out.push_back({v1::INELIGIBILITY_REASON_REGISTRATION_WINDOW_EXPIRED,
                   "participant.first_registration_date",
                   absl::StrCat("the kommun's duty ended on ", Day(duty_end), ", ", kDutyYears,
                                " years after the first registration")});
  }
  for (const std::string& country : facts.citizenships) {
    if (IsEeaOrSwiss(country)) {
      out.push_back({v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN, "participant.citizenships",
                     absl::StrCat("a citizen of ", country,
                                  " (EEA or Switzerland) is not in the target group")});
      break;
    }
  }
  if (facts.registered_kommunkod != facts.enrolling_kommunkod) {
    out.push_back({v1::INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN,
                   "participant.registered_kommunkod",
                   absl::StrCat("registered in kommun ", facts.registered_kommunkod,
                                ", not in the enrolling kommun ", facts.enrolling_kommunkod)});
  }
  if (facts.enrol_date < facts.registration_date) {
    out.push_back(
        {v1::INELIGIBILITY_REASON_NOT_YET_REGISTERED, "enrolment.enrol_date",
         absl::StrCat("the registration in the kommun starts on ", Day(facts.registration_date))});
  }
  std::stable_sort(out.begin(), out.end(), [](const Ineligibility& a, const Ineligibility& b) {
    return a.reason < b.reason;
  });
  return out;
}

absl::Status NotEligibleStatus(const std::vector<Ineligibility>& failures) {
  if (failures.empty()) return absl::OkStatus();
  std::vector<status::FieldViolation> violations;
  std::vector<std::string> codes;
  for (const Ineligibility& f : failures) {
    const std::string code = v1::IneligibilityReason_Name(f.reason);
    codes.push_back(code);
    violations.push_back({f.field, absl::StrCat(code, ": ", f.description)});
  }
  return status::Error(
      absl::StatusCode::kInvalidArgument, kReasonNotEligible,
      absl::StrCat("the participant is not in the target group (", absl::StrJoin(codes, ", "),
                   "); a kommun officer may enrol with an exception_reason"),
      {{"reasons", absl::StrJoin(codes, ",")}}, std::move(violations));
}

absl::StatusOr<std::map<int, int>> ParsePensionReferenceAges(std::string_view text) {
  std::map<int, int> out;
  const auto bad = [&](std::string_view why) {
    return status::InvalidField(
        "pension-reference-ages",
        absl::StrCat(std::string(why), "; expected year:age,... e.g. 2023:66,2026:67"));
  };
  int previous = 0;
  for (absl::string_view entry :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> parts = absl::StrSplit(entry, ':');
    int year = 0, age = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &year) ||
        !absl::SimpleAtoi(parts[1], &age)) {
      return bad(absl::StrCat("\"", entry, "\" is not year:age"));
    }
    if (year <= previous) return bad("years must ascend");
    if (age < 60 || age > 75) return bad(absl::StrCat("age ", age, " is not 60-75"));
    out[year] = age;
    previous = year;
  }
  if (out.empty()) return bad("no entry");
  return out;
}

int PensionReferenceAgeIn(const std::map<int, int>& ages, int year) {
  auto it = ages.upper_bound(year);
  if (it == ages.begin()) return it->second;
  return std::prev(it)->second;
}

}  // namespace integration::orientation
