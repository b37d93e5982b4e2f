// The common service settings: registration, validation and conversion to client options.
#include "settings.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "integration/config/host_port.h"
#include "integration/pg/dsn.h"

namespace integration::service::internal {

Settings::Settings(config::Flags& flags, bool uses_redis) : flags_(flags) {
  pg_dsn_ = flags.Secret("pg-dsn",
                         "libpq connection string: `serve` logs in as the runtime role "
                         "<service>_svc, `migrate` as <service>_migrator, e.g. \"host=… "
                         "dbname=integration user=<service>_svc password=…\"",
                         /*required=*/true);
  pg_migrate_user_ = flags.String(
      "pg-migrate-user", "",
      "the login `migrate` uses instead of the user of --pg-dsn, e.g. <service>_migrator while "
      "--pg-dsn names the runtime role (the server ignores it); empty: the DSN's user");
  pg_password_file_ = flags.String(
      "pg-password-file", "",
      "file holding the password of the login (the server's or --pg-migrate-user's), read again "
      "for every new connection so that a rotated password needs no restart; empty: the DSN or "
      "libpq's environment supplies it");
  pg_migrate_lock_timeout_ = flags.Duration(
      "pg-migrate-lock-timeout", std::chrono::minutes(2),
      "how long `migrate` waits for the schema's migration lock (another pod migrating) and for "
      "each table lock a migration needs, before failing instead of hanging; 0s: no limit");
  pg_pool_size_ =
      flags.Int("pg-pool-size", 8,
                "most PostgreSQL connections open at once (match --executor-threads)", 1, 1000);
  pg_acquire_timeout_ = flags.Duration("pg-acquire-timeout", std::chrono::seconds(2),
                                       "how long a call waits for a free PostgreSQL connection");
  redis_addr_ = flags.String("redis-addr", "127.0.0.1:6379",
                             "Redis host:port (events; cache and rate limits where used)");
  redis_password_file_ =
      flags.String("redis-password-file", "", "file holding the Redis password (none: no AUTH)");
  redis_user_ = flags.String("redis-user", "",
                             "Redis ACL user of --redis-password-file (empty: the default user)");
  // The relay needs one connection; services that cache or rate-limit need more.
  redis_pool_size_ = flags.Int("redis-pool-size", uses_redis ? 8 : 2,
                               "most Redis connections open at once", 1, 1000);
  outbox_poll_interval_ = flags.Duration("outbox-poll-interval", std::chrono::milliseconds(500),
                                         "how often the outbox relay looks for new events");
  request_id_retention_ = flags.Duration(
      "request-id-retention", std::chrono::hours(24 * 7),
      "how long the response of an idempotent call is kept for retries with its request_id; "
      "older records (which hold personal data) are deleted, and a retry after that is a new "
      "request; 0 keeps them");
  log_level_ = flags.String("log-level", "info",
                            "least severe log lines written: debug, info, "
                            "warning or error");
}

std::string Settings::Label(std::string_view name) const {
  return absl::StrCat("setting --", absl::string_view(name.data(), name.size()), " (env ",
                      flags_.EnvName(name), ")");
}

absl::Status Settings::ValidatePg() const {
  // ParseDsn never echoes the DSN, which may hold a password.
  if (absl::StatusOr<std::map<std::string, std::string>> parsed = pg::ParseDsn(*pg_dsn_);
      !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Label("pg-dsn"), ": ", parsed.status().message()));
  }
  if (!pg_password_file_->empty()) {
    if (absl::StatusOr<std::string> pw = pg::ReadPasswordFile(*pg_password_file_); !pw.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Label("pg-password-file"), ": ", pw.status().message()));
    }
  }
  if (*pg_migrate_lock_timeout_ < std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Label("pg-migrate-lock-timeout"), ": must be >= 0"));
  }
  if (*pg_acquire_timeout_ <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError(absl::StrCat(Label("pg-acquire-timeout"), ": must be > 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<log::Level> Settings::LogLevel() const {
  const std::string level = absl::AsciiStrToLower(*log_level_);
  if (level == "debug") return log::Level::kDebug;
  if (level == "info") return log::Level::kInfo;
  if (level == "warning" || level == "warn") return log::Level::kWarning;
  if (level == "error") return log::Level::kError;
  return absl::InvalidArgumentError(absl::StrCat(Label("log-level"), ": \"", *log_level_,
                                                 "\" is not one of debug, info, warning, error"));
}

absl::StatusOr<redis::ClientOptions> Settings::RedisOptions() const {
  redis::ClientOptions o;
  if (!config::ParseHostPort(*redis_addr_, &o.host, &o.port)) {
    return absl::InvalidArgumentError(absl::StrCat(Label("redis-addr"), ": \"", *redis_addr_,
                                                   "\" is not host:port (port 1-65535)"));
  }
  o.pool_size = static_cast<int>(*redis_pool_size_);
  if (!redis_password_file_->empty()) {
    std::ifstream in(*redis_password_file_, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat(Label("redis-password-file"),
                                                     ": cannot read \"", *redis_password_file_,
                                                     "\": ", std::strerror(errno)));
    }
    std::ostringstream content;
    content << in.rdbuf();
    // Secret files usually end with a newline that is not part of the password.
    std::string password(absl::StripTrailingAsciiWhitespace(content.str()));
    if (password.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Label("redis-password-file"), ": \"", *redis_password_file_, "\" is empty"));
    }
    o.password = std::move(password);
  }
  if (!redis_user_->empty()) {
    if (!o.password.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Label("redis-user"), ": needs --redis-password-file"));
    }
    o.username = *redis_user_;
  }
  return o;
}

}  // namespace integration::service::internal
