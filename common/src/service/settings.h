// The settings every service binary has besides grpc::ServerFlags: PostgreSQL, Redis, outbox
// relay and log level, and turning them into pool, client and relay options.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "integration/config/flags.h"
#include "integration/log/log.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"

namespace integration::service::internal {

class Settings {
 public:
  // Registers the settings on `flags`; `uses_redis` picks the Redis pool size default.
  Settings(config::Flags& flags, bool uses_redis);

  // After flags.Parse(). Each error names the setting and its environment variable.
  absl::Status ValidatePg() const;
  absl::StatusOr<log::Level> LogLevel() const;
  absl::StatusOr<redis::ClientOptions> RedisOptions() const;

  const std::string& pg_dsn() const { return *pg_dsn_; }
  const std::string& pg_migrate_user() const { return *pg_migrate_user_; }
  const std::string& pg_password_file() const { return *pg_password_file_; }
  std::chrono::milliseconds pg_migrate_lock_timeout() const { return *pg_migrate_lock_timeout_; }
  int pg_pool_size() const { return static_cast<int>(*pg_pool_size_); }
  std::chrono::milliseconds pg_acquire_timeout() const { return *pg_acquire_timeout_; }
  std::chrono::milliseconds outbox_poll_interval() const { return *outbox_poll_interval_; }
  std::chrono::milliseconds request_id_retention() const { return *request_id_retention_; }
  const std::string& redis_addr() const { return *redis_addr_; }

  // "setting --<name> (env <VAR>)", the prefix of every error about one setting.
  std::string Label(std::string_view name) const;

 private:
  const config::Flags& flags_;
  std::string* pg_dsn_;
  std::string* pg_migrate_user_;
  std::string* pg_password_file_;
  std::chrono::milliseconds* pg_migrate_lock_timeout_;
  std::string* redis_user_;
  int64_t* pg_pool_size_;
  std::chrono::milliseconds* pg_acquire_timeout_;
  std::string* redis_addr_;
  std::string* redis_password_file_;
  int64_t* redis_pool_size_;
  std::chrono::milliseconds* outbox_poll_interval_;
  std::chrono::milliseconds* request_id_retention_;
  std::string* log_level_;
};

}  // namespace integration::service::internal
