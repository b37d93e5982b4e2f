// Checks of offerings and participants (see offering_rules.h).
#include "rules/offering_rules.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "integration/dates/day.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"

namespace integration::orientation {
namespace {

constexpr size_t kMaxTextBytes = 200;
constexpr int kMaxCapacity = 1000;
constexpr int kMaxKommuner = 20;
constexpr int kMaxOfferingYears = 2;
constexpr int kMaxCitizenships = 5;
constexpr int kMaxLanguages = 5;

std::string F(std::string_view prefix, std::string_view name) {
  return absl::StrCat(std::string(prefix), ".", std::string(name));
}

void CheckText(status::FieldErrors& errors, std::string_view field, const std::string& text) {
  if (text.empty() || text.size() > kMaxTextBytes) {
    errors.Add(field, absl::StrCat("1-", kMaxTextBytes, " bytes"));
  }
}

bool IsCountryCode(std::string_view code) {
  return code.size() == 2 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The day of a required date field, or a violation.
std::optional<absl::CivilDay> Day(status::FieldErrors& errors, std::string_view field, bool present,
                                  const dates::type::Date& date) {
  std::optional<absl::CivilDay> day = present ? dates::DayOf(date) : std::nullopt;
  if (!day) errors.Add(field, "a real calendar date is required");
  return day;
}

}  // namespace

bool IsLanguageCode(std::string_view code) {
  return (code.size() == 2 || code.size() == 3) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

absl::StatusOr<CheckedOffering> CheckOffering(const v1::Offering& offering,
                                              std::string_view field) {
  status::FieldErrors errors;
  CheckedOffering out;
  CheckText(errors, F(field, "display_name"), offering.display_name());
  CheckText(errors, F(field, "communicator"), offering.communicator());
  if (!IsLanguageCode(offering.language())) {
    errors.Add(F(field, "language"), "an ISO 639 code of 2-3 lower-case letters, e.g. \"ar\"");
  }
  const std::optional<absl::CivilDay> start =
      Day(errors, F(field, "period.start_date"), offering.period().has_start_date(),
          offering.period().start_date());
  const std::optional<absl::CivilDay> end =
      Day(errors, F(field, "period.end_date"), offering.period().has_end_date(),
          offering.period().end_date());
  if (start && end) {
    if (*end < *start) {
      errors.Add(F(field, "period.end_date"), "not before the start date");
    } else if (*end >= dates::AddYears(*start, kMaxOfferingYears)) {
      errors.Add(F(field, "period.end_date"),
                 absl::StrCat("an offering runs less than ", kMaxOfferingYears, " years"));
    } else {
      out.start = *start;
      out.end = *end;
    }
  }
  if (offering.capacity() < 1 || offering.capacity() > kMaxCapacity) {
    errors.Add(F(field, "capacity"), absl::StrCat("1-", kMaxCapacity, " participants"));
  }
  if (offering.kommunkoder_size() < 1 || offering.kommunkoder_size() > kMaxKommuner) {
    errors.Add(F(field, "kommunkoder"), absl::StrCat("1-", kMaxKommuner, " kommuner"));
  }
  for (int i = 0; i < offering.kommunkoder_size(); ++i) {
    const std::string& code = offering.kommunkoder(i);
    const std::string at = absl::StrCat(std::string(field), ".kommunkoder[", i, "]");
    if (!se::ValidateKommunkod(code, at).ok()) {
      errors.Add(at, "a known kommunkod (4 digits)");
      continue;
    }
    if (std::find(out.kommunkoder.begin(), out.kommunkoder.end(), code) != out.kommunkoder.end()) {
      errors.Add(at, "each kommun once");
      continue;
    }
    if (out.lanskod.empty()) out.lanskod = code.substr(0, 2);
    if (code.substr(0, 2) != out.lanskod) {
      errors.Add(at, absl::StrCat("all kommuner of one county (", out.lanskod, ")"));
    }
    out.kommunkoder.push_back(code);
  }
  if (!errors.empty()) return errors.ToStatus();
  std::sort(out.kommunkoder.begin(), out.kommunkoder.end());
  return out;
}

absl::StatusOr<CheckedParticipant> CheckParticipant(const v1::Participant& participant,
                                                    absl::CivilDay today, std::string_view field) {
  absl::StatusOr<se::Personnummer> pnr =
      se::ParsePersonnummer(participant.personnummer(), today, F(field, "personnummer"));
  if (!pnr.ok()) return pnr.status();
  CheckedParticipant out;
  out.pnr = *std::move(pnr);
  status::FieldErrors errors;
  out.registered_kommunkod = participant.registered_kommunkod();
  if (!se::ValidateKommunkod(out.registered_kommunkod).ok()) {
    errors.Add(F(field, "registered_kommunkod"), "a known kommunkod (4 digits)");
  }
  const std::optional<absl::CivilDay> registered =
      Day(errors, F(field, "registration_date"), participant.has_registration_date(),
          participant.registration_date());
  const std::optional<absl::CivilDay> first =
      Day(errors, F(field, "first_registration_date"), participant.has_first_registration_date(),
          participant.first_registration_date());
  if (registered && *registered > today) {
    errors.Add(F(field, "registration_date"), "not in the future");
  }
  if (first && registered && *first > *registered) {
    errors.Add(F(field, "first_registration_date"),
               "the first registration in Sweden is not after the one in the kommun");
  }
  if (first && *first < out.pnr.birth_date) {
    errors.Add(F(field, "first_registration_date"), "not before the birth date");
  }
  if (registered && first) {
    out.registration_date = *registered;
    out.first_registration_date = *first;
  }
  if (!v1::PermitType_IsValid(participant.permit_type()) ||
      participant.permit_type() == v1::PERMIT_TYPE_UNSPECIFIED) {
    errors.Add(F(field, "permit_type"), "the permit type is required");
  }
  out.permit = participant.permit_type();
  if (participant.citizenships_size() < 1 || participant.citizenships_size() > kMaxCitizenships) {
    errors.Add(F(field, "citizenships"), absl::StrCat("1-", kMaxCitizenships, " citizenships"));
  }
  for (int i = 0; i < participant.citizenships_size(); ++i) {
    if (!IsCountryCode(participant.citizenships(i))) {
      errors.Add(absl::StrCat(std::string(field), ".citizenships[", i, "]"),
                 "an ISO 3166-1 alpha-2 code in upper case (\"XX\": stateless)");
    }
    out.citizenships.push_back(participant.citizenships(i));
  }
  if (participant.languages_size() > kMaxLanguages) {
    errors.Add(F(field, "languages"), absl::StrCat("at most ", kMaxLanguages, " languages"));
  }
  for (int i = 0; i < participant.languages_size(); ++i) {
    if (!IsLanguageCode(participant.languages(i))) {
      errors.Add(absl::StrCat(std::string(field), ".languages[", i, "]"),
                 "an ISO 639 code, e.g. \"ti\"");
    }
    out.languages.push_back(participant.languages(i));
  }
  if (!errors.empty()) return errors.ToStatus();
  return out;
}

}  // namespace integration::orientation
