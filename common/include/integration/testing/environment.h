// Test helpers for integration tests: a fresh PostgreSQL database per test binary and the
// private Redis started by ./dev test (scripts/testenv.sh exports the INTEGRATION_TEST_* vars).
#pragma once

#include <string>

namespace integration::testing {

// The superuser DSN of the private test cluster (INTEGRATION_TEST_PG_DSN). The test fails
// (never skips) when it is unset: run tests through ./dev test.
std::string AdminDsn();

// host and port of the private test Redis (INTEGRATION_TEST_REDIS_HOST / _PORT).
std::string RedisHost();
int RedisPort();

// Restarts the private test PostgreSQL (INTEGRATION_TEST_PG_RESTART, a shell command);
// returns when it accepts connections again.
void RestartPostgres();

// A database created for one test binary (name from the binary and pid), dropped at the end.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // Superuser DSN of this database.
  const std::string& dsn() const { return dsn_; }
  // DSN of this database for another role (password auth as that role).
  std::string DsnAs(const std::string& role, const std::string& password) const;

 private:
  std::string name_;
  std::string dsn_;
};

}  // namespace integration::testing
