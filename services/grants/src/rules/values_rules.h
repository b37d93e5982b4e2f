// Values every area of the grants service reads and writes: resource names, calendar dates and
// periods, and money in öre. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "integration/names/resource_name.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"

namespace integration::grants {

namespace type = ::lansstyrelsen::integration::type::v1;

// ErrorInfo reasons of malformed names (INVALID_ARGUMENT, violation on the field).
inline constexpr std::string_view kReasonNameInvalid = "NAME_INVALID";

// --- Resource names -------------------------------------------------------------------------
// Each resource's pattern is declared once (values_rules.cc) and parsed and printed by
// names::ResourcePattern. Ids of calls, applications and what hangs below them are positive
// integers assigned by the service; programme ids are chosen by the administrator (2-40 of
// [a-z0-9-]).

// "programmes/{programme}", "calls/{call}", "calls/{call}/applications/{application}".
const names::ResourcePattern& ProgrammePattern();
const names::ResourcePattern& CallPattern();
const names::ResourcePattern& ApplicationPattern();
// "calls/{call}/applications/{application}/<collection>/{<id>}" for the resources below an
// application: reviews, amendments, reports, reclaims, disbursements. Another collection is a
// programming error (the process stops).
const names::ResourcePattern& ChildPattern(std::string_view collection);

std::string ProgrammeName(std::string_view programme_id);
std::string CallName(int64_t call_id);
std::string ApplicationName(int64_t call_id, int64_t application_id);
// "calls/{call}/applications/{application}/{collection}/{id}", e.g. collection "reviews".
std::string ChildName(int64_t call_id, int64_t application_id, std::string_view collection,
                      int64_t id);

struct ApplicationKey {
  int64_t call_id = 0;
  int64_t application_id = 0;
};
struct ChildKey {
  int64_t call_id = 0;
  int64_t application_id = 0;
  int64_t id = 0;
};

// Each returns INVALID_ARGUMENT NAME_INVALID with a violation on `field` naming the expected
// pattern when `name` does not match it.
absl::StatusOr<std::string> ParseProgrammeName(std::string_view name, std::string_view field);
bool IsValidProgrammeId(std::string_view id);
absl::StatusOr<int64_t> ParseCallName(std::string_view name, std::string_view field);
// "calls/-" (every call) gives 0.
absl::StatusOr<int64_t> ParseCallParent(std::string_view name, std::string_view field);
absl::StatusOr<ApplicationKey> ParseApplicationName(std::string_view name, std::string_view field);
absl::StatusOr<ChildKey> ParseChildName(std::string_view name, std::string_view collection,
                                        std::string_view field);

// --- Dates and periods ----------------------------------------------------------------------

// Whether `date` is a real calendar date (year 1900-9999).
bool IsValidDate(const type::Date& date);
absl::CivilDay ToCivilDay(const type::Date& date);
type::Date FromCivilDay(absl::CivilDay day);
// "YYYY-MM-DD", as PostgreSQL reads and writes `date`.
std::string DateText(const type::Date& date);
std::string DayText(absl::CivilDay day);
// Parses "YYYY-MM-DD" (PostgreSQL's date output); nullopt when malformed.
std::optional<type::Date> ParseDateText(std::string_view text);

struct Period {
  absl::CivilDay start;
  absl::CivilDay end;  // inclusive
};
// Checks a required period: both dates set and valid, start not after end. Violations go to
// "<field>.start_date" / "<field>.end_date" / "<field>"; nullopt when any was added.
std::optional<Period> CheckPeriod(const type::DatePeriod& period, std::string_view field,
                                  status::FieldErrors& errors);
// Whether `inner` lies inside `outer` (both inclusive).
bool PeriodInside(const Period& inner, const Period& outer);
// Whether the two periods share at least one day.
bool PeriodsOverlap(const Period& a, const Period& b);
// `day` plus `months` calendar months; the day of month is clamped to the month's last day
// (31 Aug + 1 month = 30 Sep).
absl::CivilDay AddMonths(absl::CivilDay day, int months);
// The calendar day of `t` in Europe/Stockholm.
absl::CivilDay StockholmDay(absl::Time t);

// --- Money ------------------------------------------------------------------------------------

// Amounts are whole öre in int64. Sums are checked: nullopt on overflow, never a wrapped value.
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);
// "12 345,67 kr", for messages.
std::string FormatKronor(int64_t ore);

}  // namespace integration::grants
