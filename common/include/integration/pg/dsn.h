// libpq connection strings: parsing (keyword/value or URI form), rewriting single keywords,
// and a password-free description that is safe to log.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace integration::pg {

// The keywords set in `dsn`, as libpq itself parses them (so both "host=… dbname=…" and
// "postgresql://…" work). INVALID_ARGUMENT, without echoing the DSN, when libpq rejects it.
absl::StatusOr<std::map<std::string, std::string>> ParseDsn(const std::string& dsn);

// Keyword/value form of `keywords`, every value quoted.
std::string FormatDsn(const std::map<std::string, std::string>& keywords);

// `dsn` with the keywords of `overrides` replaced or added, in keyword/value form.
absl::StatusOr<std::string> DsnWith(const std::string& dsn,
                                    const std::map<std::string, std::string>& overrides);

// "host=… port=… dbname=… user=…" (only the keywords that are set); never the password.
std::string DescribeDsn(const std::string& dsn);

}  // namespace integration::pg
