// Swedish kommuner (municipalities) and län (counties) from the embedded reference list
// common/data/kommuner.csv: code validation and look-up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace integration::se {

// The text of common/data/kommuner.csv, embedded at build time (generated source).
std::string_view KommunerCsv();

struct Kommun {
  std::string kommunkod;  // 4 digits; the first two are the länskod
  std::string name;       // e.g. "Upplands Väsby"
  std::string lanskod;    // 2 digits
  std::string lan_name;   // e.g. "Stockholms län"
  int64_t population = 0;
  int population_year = 0;  // the year the population figure refers to
};

struct Lan {
  std::string lanskod;
  std::string name;
  int kommun_count = 0;
  int64_t population = 0;  // sum over its kommuner
};

// An immutable set of kommuner and län, sorted by code. Usually the embedded one.
class KommunRegistry {
 public:
  // Parses CSV with the header `kommunkod,kommun,lanskod,lan,folkmangd,folkmangd_year`.
  // Rejects (INVALID_ARGUMENT, naming the line) malformed rows, duplicate codes, a länskod that
  // is not the kommunkod's prefix and one länskod with two names.
  static absl::StatusOr<KommunRegistry> FromCsv(std::string_view csv);

  // The embedded list, parsed once on first use (thread-safe). Should the embedded data be
  // broken, the registry is empty and every look-up returns INTERNAL with the parse error.
  static const KommunRegistry& Embedded();

  const std::vector<Kommun>& kommuner() const { return kommuner_; }
  const std::vector<Lan>& lan() const { return lan_; }

  // INVALID_ARGUMENT with a violation on `field`: KOMMUNKOD_INVALID_FORMAT (not 4 digits) or
  // KOMMUNKOD_UNKNOWN (not in the list).
  absl::StatusOr<Kommun> FindKommun(std::string_view kommunkod,
                                    std::string_view field = "kommunkod") const;
  // LANSKOD_INVALID_FORMAT (not 2 digits) or LANSKOD_UNKNOWN.
  absl::StatusOr<Lan> FindLan(std::string_view lanskod, std::string_view field = "lanskod") const;
  absl::StatusOr<std::vector<Kommun>> KommunerInLan(std::string_view lanskod,
                                                    std::string_view field = "lanskod") const;

 private:
  KommunRegistry() = default;

  absl::Status load_error_;  // set only for a broken embedded list
  std::vector<Kommun> kommuner_;
  std::vector<Lan> lan_;
};

// Conveniences over KommunRegistry::Embedded().
absl::Status ValidateKommunkod(std::string_view kommunkod, std::string_view field = "kommunkod");
absl::StatusOr<Kommun> LookupKommun(std::string_view kommunkod,
                                    std::string_view field = "kommunkod");
const std::vector<Kommun>& AllKommuner();
absl::Status ValidateLanskod(std::string_view lanskod, std::string_view field = "lanskod");
absl::StatusOr<Lan> LookupLan(std::string_view lanskod, std::string_view field = "lanskod");
const std::vector<Lan>& AllLan();
absl::StatusOr<std::vector<Kommun>> KommunerInLan(std::string_view lanskod,
                                                  std::string_view field = "lanskod");

}  // namespace integration::se
