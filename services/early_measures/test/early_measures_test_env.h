// Shared harness of the early_measures service's service and integration tests: a fake grants
// (CheckFunding from a table, verifying the service's own token, slow or stopped on demand),
// a migrated early-measures-server running in-process (integration::testing::ServiceHarness
// with EarlyMeasuresSpec) wired to it, on a fresh test database and the test Redis, tokens,
// the generated stub and direct SQL.
#pragma once

#include <grpcpp/server.h>

#include <cstdint>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "integration/testing/service_harness.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.grpc.pb.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.grpc.pb.h"

namespace integration::early_measures::testing {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;
using Stub = v1::EarlyMeasuresService::Stub;
using integration::testing::Claims;
using integration::testing::Describe;

// Two associations (non-profit, first digit 8) and the TIA programme.
inline constexpr char kOrgA[] = "802400-1235";
inline constexpr char kOrgB[] = "802480-6377";
inline constexpr char kOrgANameDigits[] = "8024001235";
inline constexpr char kOrgBNameDigits[] = "8024806377";
inline constexpr char kTiaProgramme[] = "programmes/tia";

// An approved decision as the fake grants answers it.
struct FakeDecision {
  std::string application;
  std::string diarienummer;
  std::string start;  // "YYYY-MM-DD"
  std::string end;
};

// What the fake saw of the last CheckFunding.
struct SeenFundingCall {
  auth::Caller caller;
  std::string request_id;
  std::string orgnr;
  std::string lanskod;
  absl::Time deadline;
};

// GrantsService with CheckFunding only: approved decisions from SetDecisions, answered to a
// caller whose token (from the harness's JWKS) is an agency_system with the scope
// "grants.funding.read". Stop() and Start() on the same port act out an outage.
class FakeGrants {
 public:
  FakeGrants();
  ~FakeGrants();
  FakeGrants(const FakeGrants&) = delete;
  FakeGrants& operator=(const FakeGrants&) = delete;

  // Listens on 127.0.0.1:port (0: a free one, kept for later starts).
  absl::Status Start(int port = 0);
  void Stop();
  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  // Tokens are verified with this verifier (set once the harness wrote its JWKS).
  void SetVerifier(std::shared_ptr<auth::Verifier> verifier);
  // The organisation's decisions, all made by county `lanskod`'s board.
  void SetDecisions(const std::string& orgnr, std::vector<FakeDecision> decisions,
                    const std::string& lanskod = "01");
  void Clear();
  // Answers as a grants older than CheckFundingRequest.lanskod would: every county's decisions.
  void SetIgnoreCounty(bool ignore);
  // Each answer waits this long first.
  void SetDelay(absl::Duration delay);
  int calls() const;
  SeenFundingCall last() const;

 private:
  class Service;
  friend class Service;
  ::grpc::Status Answer(::grpc::CallbackServerContext* context,
                        const ::lansstyrelsen::integration::grants::v1::CheckFundingRequest& req,
                        ::lansstyrelsen::integration::grants::v1::CheckFundingResponse* resp);

  std::unique_ptr<Service> service_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::shared_ptr<auth::Verifier> verifier_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<FakeDecision>> decisions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> counties_ ABSL_GUARDED_BY(mu_);  // by orgnr
  bool ignore_county_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  SeenFundingCall last_ ABSL_GUARDED_BY(mu_);
};

class EarlyMeasuresTestEnv {
  struct PassKey {};

 public:
  explicit EarlyMeasuresTestEnv(PassKey) {}
  // Starts the fake grants and early-measures-server (EarlyMeasuresSpec, circuit of 3 failures
  // open for 500 ms, grants timeout 1 s) and waits until its health check answers SERVING.
  static absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> Start();

  Stub& stub() { return *stub_; }
  FakeGrants& grants() { return *grants_; }
  integration::testing::ServiceHarness& harness() { return *harness_; }
  const std::string& target() const { return harness_->target(); }

  // A bearer token of `role` for `subject`, accepted by this server.
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const {
    return harness_->Token(role, subject, claims);
  }
  std::string OrgToken(const std::string& orgnr = kOrgA) const;
  std::string OfficerToken(const std::string& lan = "01") const;
  std::string AgencyToken(std::vector<std::string> scopes) const;

  // One call through the stub: Call(&Stub::GetActivity, token, request, &response).
  template <class Req, class Resp>
  ::grpc::Status Call(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& request, Resp* response) {
    std::unique_ptr<::grpc::ClientContext> ctx =
        integration::testing::ServiceHarness::Context(token);
    return ((*stub_).*method)(ctx.get(), request, response);
  }

  // --- Database (search_path early_measures) ---
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  void Truncate() { harness_->Truncate(); }

 private:
  std::unique_ptr<FakeGrants> grants_;
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
};

// Base fixture: one server per test suite, tables emptied and grants reset before each test.
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
