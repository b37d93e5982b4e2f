// libpq connection-string handling shared by the pool, the migration runner and the tools.
#include "integration/pg/dsn.h"

#include <libpq-fe.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace integration::pg {
namespace {

// Quotes a keyword value so that spaces, quotes and backslashes survive libpq's parser.
std::string Quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseDsn(const std::string& dsn) {
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(dsn.c_str(), &err), &PQconninfoFree);
  if (options == nullptr) {
    std::string message = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    // libpq quotes pieces of the string in some messages (e.g. the word before a missing
    // '='), which may be part of a password; only the unknown-keyword message is passed on.
    if (!absl::StartsWith(message, "invalid connection option")) {
      message = "check the keyword=value syntax and the quoting of values with spaces";
    }
    return absl::InvalidArgumentError(absl::StrCat("invalid PostgreSQL DSN: ", message));
  }
  std::map<std::string, std::string> keywords;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) keywords[o->keyword] = o->val;
  }
  return keywords;
}

std::string FormatDsn(const std::map<std::string, std::string>& keywords) {
  std::string out;
  for (const auto& [key, value] : keywords) {
    if (!out.empty()) out.push_back(' ');
    absl::StrAppend(&out, key, "=", Quote(value));
  }
  return out;
}

absl::StatusOr<std::string> DsnWith(const std::string& dsn,
                                    const std::map<std::string, std::string>& overrides) {
  absl::StatusOr<std::map<std::string, std::string>> keywords = ParseDsn(dsn);
  if (!keywords.ok()) return keywords.status();
  for (const auto& [key, value] : overrides) (*keywords)[key] = value;
  return FormatDsn(*keywords);
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the password file \"", path, "\": ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  // Secret files usually end with a newline that is not part of the password.
  std::string password(absl::StripTrailingAsciiWhitespace(content.str()));
  if (password.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("the password file \"", path, "\" is empty"));
  }
  return password;
}

absl::StatusOr<std::string> DsnWithPasswordFile(const std::string& dsn, const std::string& path) {
  if (path.empty()) return dsn;
  absl::StatusOr<std::string> password = ReadPasswordFile(path);
  if (!password.ok()) return password.status();
  return DsnWith(dsn, {{"password", *password}});
}

std::string DescribeDsn(const std::string& dsn) {
  absl::StatusOr<std::map<std::string, std::string>> keywords = ParseDsn(dsn);
  if (!keywords.ok()) return "<invalid dsn>";
  std::string out;
  for (const char* key : {"host", "hostaddr", "port", "dbname", "user"}) {
    auto it = keywords->find(key);
    if (it == keywords->end()) continue;
    if (!out.empty()) out.push_back(' ');
    absl::StrAppend(&out, key, "=", it->second);
  }
  return out.empty() ? "<libpq defaults>" : out;
}

}  // namespace integration::pg
