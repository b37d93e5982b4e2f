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

// The password in `path` (one line; a trailing newline or blanks are not part of it).
// FAILED_PRECONDITION naming the file (never its content) when it cannot be read or is empty.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path);

// `dsn` with the password read from `path` now (the DSN unchanged when `path` is empty).
absl::StatusOr<std::string> DsnWithPasswordFile(const std::string& dsn, const std::string& path);

// "host=… port=… dbname=… user=…" (only the keywords that are set); never the password.
std::string DescribeDsn(const std::string& dsn);

}  // namespace integration::pg
