// Resource names, dates, periods and money of the grants service.
#include "rules/values_rules.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace integration::grants {
namespace {

// This Abseil's string_view is its own type: its functions need it spelled out.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

names::PatternOptions IdOptions() {
  return {kReasonNameInvalid, names::IsPositiveId, "each id is a positive integer"};
}

names::ResourcePattern DeclareChild(std::string_view collection, std::string_view variable) {
  return names::ResourcePattern::Declare(
      absl::StrCat("calls/{call}/applications/{application}/", AV(collection), "/{", AV(variable),
                   "}"),
      IdOptions());
}

}  // namespace

const names::ResourcePattern& ProgrammePattern() {
  static const names::ResourcePattern pattern = names::ResourcePattern::Declare(
      "programmes/{programme}",
      {kReasonNameInvalid, IsValidProgrammeId,
       "{programme} is 2-40 lower-case letters, digits or '-'"});
  return pattern;
}

const names::ResourcePattern& CallPattern() {
  static const names::ResourcePattern pattern =
      names::ResourcePattern::Declare("calls/{call}", IdOptions());
  return pattern;
}

const names::ResourcePattern& ApplicationPattern() {
  static const names::ResourcePattern pattern =
      names::ResourcePattern::Declare("calls/{call}/applications/{application}", IdOptions());
  return pattern;
}

const names::ResourcePattern& ChildPattern(std::string_view collection) {
  struct Child {
    std::string_view collection;
    names::ResourcePattern pattern;
  };
  static const Child children[] = {
      {"reviews", DeclareChild("reviews", "review")},
      {"amendments", DeclareChild("amendments", "amendment")},
      {"reports", DeclareChild("reports", "report")},
      {"reclaims", DeclareChild("reclaims", "reclaim")},
      {"disbursements", DeclareChild("disbursements", "disbursement")},
  };
  for (const Child& child : children) {
    if (child.collection == collection) return child.pattern;
  }
  // A collection no resource declares: a bug in the caller, not bad input.
  std::fprintf(stderr, "grants: no resource below applications is called \"%.*s\"\n",
               static_cast<int>(collection.size()), collection.data());
  std::abort();
}

std::string ProgrammeName(std::string_view programme_id) {
  return ProgrammePattern().Format(programme_id);
}
std::string CallName(int64_t call_id) { return CallPattern().Format(call_id); }
std::string ApplicationName(int64_t call_id, int64_t application_id) {
  return ApplicationPattern().Format(call_id, application_id);
}
std::string ChildName(int64_t call_id, int64_t application_id, std::string_view collection,
                      int64_t id) {
  return ChildPattern(collection).Format(call_id, application_id, id);
}

bool IsValidProgrammeId(std::string_view id) {
  if (id.size() < 2 || id.size() > 40) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::StatusOr<std::string> ParseProgrammeName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = ProgrammePattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return std::string((*parsed)["programme"]);
}

absl::StatusOr<int64_t> ParseCallName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = CallPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return names::PositiveId((*parsed)["call"]);
}

absl::StatusOr<int64_t> ParseCallParent(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed =
      CallPattern().Parse(name, field, names::ResourcePattern::Wildcard::kAllowed);
  if (!parsed.ok()) return CallPattern().Malformed(field, "calls/-");
  return parsed->IsWildcard("call") ? 0 : names::PositiveId((*parsed)["call"]);
}

absl::StatusOr<ApplicationKey> ParseApplicationName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = ApplicationPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return ApplicationKey{names::PositiveId((*parsed)["call"]), names::PositiveId((*parsed)["application"])};
}

absl::StatusOr<ChildKey> ParseChildName(std::string_view name, std::string_view collection,
                                        std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = ChildPattern(collection).Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return ChildKey{names::PositiveId(parsed->values()[0]), names::PositiveId(parsed->values()[1]),
                  names::PositiveId(parsed->values()[2])};
}

bool IsValidDate(const type::Date& date) {
  if (date.year() < 1900 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return false;
  }
  // CivilDay normalises 31 April to 1 May: a real date survives the round trip.
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

absl::CivilDay ToCivilDay(const type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

type::Date FromCivilDay(absl::CivilDay day) {
  type::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

std::string DateText(const type::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string DayText(absl::CivilDay day) { return DateText(FromCivilDay(day)); }

std::optional<type::Date> ParseDateText(std::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(AV(text), '-');
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2) {
    return std::nullopt;
  }
  int y = 0, m = 0, d = 0;
  if (!absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return std::nullopt;
  }
  type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  if (!IsValidDate(date)) return std::nullopt;
  return date;
}

std::optional<Period> CheckPeriod(const type::DatePeriod& period, std::string_view field,
                                  status::FieldErrors& errors) {
  bool ok = true;
  const std::string start_field = absl::StrCat(AV(field), ".start_date");
  const std::string end_field = absl::StrCat(AV(field), ".end_date");
  if (!period.has_start_date()) {
    errors.Add(start_field, "required");
    ok = false;
  } else if (!IsValidDate(period.start_date())) {
    errors.Add(start_field, "must be a real calendar date");
    ok = false;
  }
  if (!period.has_end_date()) {
    errors.Add(end_field, "required");
    ok = false;
  } else if (!IsValidDate(period.end_date())) {
    errors.Add(end_field, "must be a real calendar date");
    ok = false;
  }
  if (!ok) return std::nullopt;
  Period out{ToCivilDay(period.start_date()), ToCivilDay(period.end_date())};
  if (out.end < out.start) {
    errors.Add(end_field, absl::StrCat("must not be before the start date ", DayText(out.start)));
    return std::nullopt;
  }
  return out;
}

bool PeriodInside(const Period& inner, const Period& outer) {
  return inner.start >= outer.start && inner.end <= outer.end;
}

bool PeriodsOverlap(const Period& a, const Period& b) {
  return a.start <= b.end && b.start <= a.end;
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay first(month);
  const int last_day = (absl::CivilDay(month + 1) - 1).day();
  return first + (std::min(day.day(), last_day) - 1);
}

absl::CivilDay StockholmDay(absl::Time t) {
  absl::TimeZone stockholm;
  // GrantsSpec refuses to start without the zone; UTC is only a fallback for tools.
  if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) stockholm = absl::UTCTimeZone();
  return absl::ToCivilDay(t, stockholm);
}

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::string FormatKronor(int64_t ore) {
  const bool negative = ore < 0;
  // Work on the unsigned magnitude: -INT64_MIN does not fit in int64.
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(ore + 1)) + 1 : static_cast<uint64_t>(ore);
  std::string kronor = absl::StrCat(magnitude / 100);
  std::string grouped;
  for (size_t i = 0; i < kronor.size(); ++i) {
    if (i > 0 && (kronor.size() - i) % 3 == 0) grouped.push_back(' ');
    grouped.push_back(kronor[i]);
  }
  return absl::StrFormat("%s%s,%02d kr", negative ? "-" : "", grouped,
                         static_cast<int>(magnitude % 100));
}

}  // namespace integration::grants
