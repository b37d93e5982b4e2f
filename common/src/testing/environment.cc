// Integration-test environment: the private PostgreSQL/Redis exported by ./dev test, a fresh
// database per test binary, and a PostgreSQL restart for recovery tests.
#include "integration/testing/environment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "integration/pg/dsn.h"

namespace integration::testing {
namespace {

constexpr const char* kHowToRun = "run integration tests through ./dev test";

// A missing or broken test environment must fail the test run, never skip it: report through
// gtest (when a test is running) and stop the binary so that ctest sees the failure.
[[noreturn]] void FailHard(const std::string& message) {
  ADD_FAILURE() << message;
  std::fprintf(stderr, "integration test environment: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    FailHard(absl::StrCat(name, " is not set: ", kHowToRun));
  }
  return value;
}

// `dsn` with some keywords replaced (see integration::pg::DsnWith).
std::string RewriteDsn(const std::string& dsn,
                       const std::map<std::string, std::string>& overrides) {
  absl::StatusOr<std::string> rewritten = pg::DsnWith(dsn, overrides);
  if (!rewritten.ok()) {
    FailHard(absl::StrCat("INTEGRATION_TEST_PG_DSN: ", rewritten.status().message()));
  }
  return *std::move(rewritten);
}

// "t_<binary>_<pid>_<n>": lower-case identifier characters only, within PostgreSQL's 63 bytes.
// <n> counts the databases of this process: one test binary holds the suites of many test
// files, each of which may make its own.
std::string DatabaseNameForThisProcess() {
  // The one mutable static of the test support: a sequence number, nothing else depends on it.
  static std::atomic<int> sequence{0};
  const std::string n = std::to_string(sequence.fetch_add(1) + 1);
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string binary = ec ? std::string("test") : exe.filename().string();
  std::string sanitized;
  for (char c : binary) {
    unsigned char u = static_cast<unsigned char>(c);
    sanitized.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  std::string pid = std::to_string(::getpid());
  // 63 bytes = "t_" + binary + "_" + pid + "_" + n.
  const size_t max_binary = 63 - 4 - pid.size() - n.size();
  if (sanitized.size() > max_binary) sanitized.resize(max_binary);
  return absl::StrCat("t_", sanitized, "_", pid, "_", n);
}

}  // namespace

std::string AdminDsn() { return RequiredEnv("INTEGRATION_TEST_PG_DSN"); }

std::string RedisHost() { return RequiredEnv("INTEGRATION_TEST_REDIS_HOST"); }

int RedisPort() {
  std::string text = RequiredEnv("INTEGRATION_TEST_REDIS_PORT");
  int port = 0;
  if (!absl::SimpleAtoi(text, &port) || port <= 0 || port > 65535) {
    FailHard(absl::StrCat("INTEGRATION_TEST_REDIS_PORT is not a port number: \"", text, "\"; ",
                          kHowToRun));
  }
  return port;
}

void RestartPostgres() {
  const std::string command = RequiredEnv("INTEGRATION_TEST_PG_RESTART");
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "INTEGRATION_TEST_PG_RESTART exited with status " << rc;
  }
  // pg_ctl -w normally returns once the server is up, but any restart command is allowed, so
  // wait until a real connection succeeds.
  const std::string dsn = RewriteDsn(AdminDsn(), {{"connect_timeout", "2"}});
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string last_error;
  while (std::chrono::steady_clock::now() < give_up) {
    try {
      pqxx::connection conn(dsn);
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT 1");
      return;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ADD_FAILURE() << "PostgreSQL did not accept connections within 30 s after restart: "
                << last_error;
}

TestDatabase::TestDatabase() : name_(DatabaseNameForThisProcess()) {
  const std::string admin = AdminDsn();
  dsn_ = RewriteDsn(admin, {{"dbname", name_}});
  try {
    pqxx::connection conn(admin);
    // CREATE/DROP DATABASE cannot run inside a transaction block.
    pqxx::nontransaction tx(conn);
    // A database left behind by a crashed run with a recycled pid would otherwise clash.
    tx.exec("DROP DATABASE IF EXISTS " + conn.quote_name(name_) + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + conn.quote_name(name_));
  } catch (const std::exception& e) {
    FailHard(
        absl::StrCat("cannot create test database ", name_, ": ", e.what(), " (", kHowToRun, ")"));
  }
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection conn(AdminDsn());
    pqxx::nontransaction tx(conn);
    // FORCE: pools of the test may still hold connections to it.
    tx.exec("DROP DATABASE IF EXISTS " + conn.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop test database " << name_ << ": " << e.what();
  }
}

std::string TestDatabase::DsnAs(const std::string& role, const std::string& password) const {
  return RewriteDsn(dsn_, {{"user", role}, {"password", password}});
}

}  // namespace integration::testing
