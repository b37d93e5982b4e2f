// The kommun and län reference list: CSV parsing, the embedded registry and look-ups.
#include "integration/se/kommun.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {
namespace {

using internal::AllDigits;

constexpr std::string_view kHeader = "kommunkod,kommun,lanskod,lan,folkmangd,folkmangd_year";

absl::Status LineError(int line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("kommun list line ", line, ": ", internal::Av(what)));
}

absl::Status CheckKommunkodFormat(std::string_view code, std::string_view field) {
  if (code.size() == 4 && AllDigits(code)) return absl::OkStatus();
  return integration::status::InvalidField(field, "must be a kommunkod of 4 digits, e.g. 0180",
                                           "KOMMUNKOD_INVALID_FORMAT");
}

absl::Status CheckLanskodFormat(std::string_view code, std::string_view field) {
  if (code.size() == 2 && AllDigits(code)) return absl::OkStatus();
  return integration::status::InvalidField(field, "must be a länskod of 2 digits, e.g. 01",
                                           "LANSKOD_INVALID_FORMAT");
}

absl::Status BrokenData(const absl::Status& load_error) {
  return absl::InternalError(
      absl::StrCat("embedded kommun list is invalid: ", load_error.message()));
}

}  // namespace

absl::StatusOr<KommunRegistry> KommunRegistry::FromCsv(std::string_view csv) {
  KommunRegistry registry;
  int line_number = 0;
  bool header_seen = false;
  for (absl::string_view piece : absl::StrSplit(internal::Av(csv), '\n')) {
    std::string_view line = internal::Sv(piece);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // the trailing newline, or blank lines
    if (!header_seen) {
      if (line != kHeader) {
        return LineError(line_number,
                         absl::StrCat("header must be \"", internal::Av(kHeader), "\""));
      }
      header_seen = true;
      continue;
    }
    std::vector<std::string_view> cells;
    for (absl::string_view cell : absl::StrSplit(internal::Av(line), ',')) {
      cells.push_back(internal::Sv(cell));
    }
    if (cells.size() != 6) {
      return LineError(line_number, absl::StrCat("expected 6 fields, found ", cells.size()));
    }
    Kommun kommun;
    kommun.kommunkod = std::string(cells[0]);
    kommun.name = std::string(internal::Trim(cells[1]));
    kommun.lanskod = std::string(cells[2]);
    kommun.lan_name = std::string(internal::Trim(cells[3]));
    if (kommun.kommunkod.size() != 4 || !AllDigits(kommun.kommunkod)) {
      return LineError(line_number, "kommunkod must be 4 digits");
    }
    if (kommun.lanskod.size() != 2 || !AllDigits(kommun.lanskod)) {
      return LineError(line_number, "lanskod must be 2 digits");
    }
    if (kommun.kommunkod.compare(0, 2, kommun.lanskod) != 0) {
      return LineError(line_number, "kommunkod must start with its lanskod");
    }
    if (kommun.name.empty() || kommun.lan_name.empty()) {
      return LineError(line_number, "kommun and lan names must not be empty");
    }
    std::optional<int64_t> population = internal::DigitsValue(cells[4]);
    std::optional<int64_t> year = internal::DigitsValue(cells[5]);
    if (!population) return LineError(line_number, "folkmangd must be a non-negative integer");
    if (!year || cells[5].size() != 4) {
      return LineError(line_number, "folkmangd_year must be a 4-digit year");
    }
    kommun.population = *population;
    kommun.population_year = static_cast<int>(*year);
    registry.kommuner_.push_back(std::move(kommun));
  }
  if (!header_seen) return absl::InvalidArgumentError("kommun list is empty");

  auto by_code = [](const Kommun& a, const Kommun& b) { return a.kommunkod < b.kommunkod; };
  std::sort(registry.kommuner_.begin(), registry.kommuner_.end(), by_code);
  for (size_t i = 0; i < registry.kommuner_.size(); ++i) {
    const Kommun& k = registry.kommuner_[i];
    if (i > 0 && registry.kommuner_[i - 1].kommunkod == k.kommunkod) {
      return absl::InvalidArgumentError(
          absl::StrCat("kommun list has kommunkod ", k.kommunkod, " twice"));
    }
    // Sorted by kommunkod, so the kommuner of one län are adjacent.
    if (registry.lan_.empty() || registry.lan_.back().lanskod != k.lanskod) {
      registry.lan_.push_back(Lan{k.lanskod, k.lan_name, 0, 0});
    } else if (registry.lan_.back().name != k.lan_name) {
      return absl::InvalidArgumentError(absl::StrCat("kommun list names lanskod ", k.lanskod,
                                                     " both \"", registry.lan_.back().name,
                                                     "\" and \"", k.lan_name, "\""));
    }
    registry.lan_.back().kommun_count += 1;
    registry.lan_.back().population += k.population;
  }
  return registry;
}

const KommunRegistry& KommunRegistry::Embedded() {
  // Parsed once; function-local static initialisation is thread-safe.
  static const KommunRegistry registry = [] {
    absl::StatusOr<KommunRegistry> parsed = FromCsv(KommunerCsv());
    if (parsed.ok()) return *std::move(parsed);
    KommunRegistry broken;
    broken.load_error_ = parsed.status();
    return broken;
  }();
  return registry;
}

absl::StatusOr<Kommun> KommunRegistry::FindKommun(std::string_view kommunkod,
                                                  std::string_view field) const {
  if (!load_error_.ok()) return BrokenData(load_error_);
  kommunkod = internal::Trim(kommunkod);
  if (absl::Status format = CheckKommunkodFormat(kommunkod, field); !format.ok()) return format;
  auto it =
      std::lower_bound(kommuner_.begin(), kommuner_.end(), kommunkod,
                       [](const Kommun& k, std::string_view code) { return k.kommunkod < code; });
  if (it == kommuner_.end() || it->kommunkod != kommunkod) {
    return integration::status::InvalidField(
        field, absl::StrCat(internal::Av(kommunkod), " is not the code of any Swedish kommun"),
        "KOMMUNKOD_UNKNOWN");
  }
  return *it;
}

absl::StatusOr<Lan> KommunRegistry::FindLan(std::string_view lanskod,
                                            std::string_view field) const {
  if (!load_error_.ok()) return BrokenData(load_error_);
  lanskod = internal::Trim(lanskod);
  if (absl::Status format = CheckLanskodFormat(lanskod, field); !format.ok()) return format;
  auto it =
      std::find_if(lan_.begin(), lan_.end(), [&](const Lan& l) { return l.lanskod == lanskod; });
  if (it == lan_.end()) {
    return integration::status::InvalidField(
        field, absl::StrCat(internal::Av(lanskod), " is not the code of any Swedish län"),
        "LANSKOD_UNKNOWN");
  }
  return *it;
}

absl::StatusOr<std::vector<Kommun>> KommunRegistry::KommunerInLan(std::string_view lanskod,
                                                                  std::string_view field) const {
  absl::StatusOr<Lan> lan = FindLan(lanskod, field);
  if (!lan.ok()) return lan.status();
  std::vector<Kommun> result;
  result.reserve(lan->kommun_count);
  for (const Kommun& k : kommuner_) {
    if (k.lanskod == lan->lanskod) result.push_back(k);
  }
  return result;
}

absl::Status ValidateKommunkod(std::string_view kommunkod, std::string_view field) {
  return KommunRegistry::Embedded().FindKommun(kommunkod, field).status();
}

absl::StatusOr<Kommun> LookupKommun(std::string_view kommunkod, std::string_view field) {
  return KommunRegistry::Embedded().FindKommun(kommunkod, field);
}

const std::vector<Kommun>& AllKommuner() { return KommunRegistry::Embedded().kommuner(); }

absl::Status ValidateLanskod(std::string_view lanskod, std::string_view field) {
  return KommunRegistry::Embedded().FindLan(lanskod, field).status();
}

absl::StatusOr<Lan> LookupLan(std::string_view lanskod, std::string_view field) {
  return KommunRegistry::Embedded().FindLan(lanskod, field);
}

const std::vector<Lan>& AllLan() { return KommunRegistry::Embedded().lan(); }

absl::StatusOr<std::vector<Kommun>> KommunerInLan(std::string_view lanskod,
                                                  std::string_view field) {
  return KommunRegistry::Embedded().KommunerInLan(lanskod, field);
}

}  // namespace integration::se
