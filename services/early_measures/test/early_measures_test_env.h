// Shared harness of the early_measures service's service and integration tests: a migrated
// early-measures-server running in-process (integration::testing::ServiceHarness with
// EarlyMeasuresSpec) on a fresh test database and the test Redis, tokens, the generated stub and
// direct SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.grpc.pb.h"

namespace integration::early_measures::testing {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;
using Stub = v1::EarlyMeasuresService::Stub;
using integration::testing::Claims;
using integration::testing::Describe;

class EarlyMeasuresTestEnv {
  struct PassKey {};

 public:
  explicit EarlyMeasuresTestEnv(PassKey) {}
  // Starts early-measures-server (EarlyMeasuresSpec) and waits until its health check answers
  // SERVING.
  static absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> Start();

  Stub& stub() { return *stub_; }
  integration::testing::ServiceHarness& harness() { return *harness_; }
  const std::string& target() const { return harness_->target(); }

  // A bearer token of `role` for `subject`, accepted by this server.
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const {
    return harness_->Token(role, subject, claims);
  }

  // --- Database (search_path early_measures) ---
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  void Truncate() { harness_->Truncate(); }

 private:
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
};

// Base fixture: one server per test suite, tables emptied before each test.
class EarlyMeasuresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static EarlyMeasuresTestEnv& env() { return *env_; }

 private:
  static std::unique_ptr<EarlyMeasuresTestEnv> env_;
  static std::string start_error_;
};

}  // namespace integration::early_measures::testing
