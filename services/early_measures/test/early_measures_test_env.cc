// The early_measures service's test harness: the fake grants, the in-process server and its
// fixture.
#include "early_measures_test_env.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "early_measures_spec.h"
#include "integration/grpc/call_context.h"
#include "rules/tia_rules.h"

namespace integration::early_measures::testing {
namespace {

namespace grants = ::lansstyrelsen::integration::grants::v1;

// Test keys of the suite's personal-number look-up (never used outside tests).
constexpr char kTestHmacKey[] = "7f1c0e5d9a3b2c4d6e8f00112233445566778899aabbccddeeff001122334455";

std::string Metadata(const ::grpc::CallbackServerContext* context, const char* key) {
  auto it = context->client_metadata().find(key);
  if (it == context->client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

class FakeGrants::Service final : public grants::GrantsService::CallbackService {
 public:
  explicit Service(FakeGrants& owner) : owner_(owner) {}
  ::grpc::ServerUnaryReactor* CheckFunding(::grpc::CallbackServerContext* context,
                                           const grants::CheckFundingRequest* req,
                                           grants::CheckFundingResponse* resp) override {
    ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(owner_.Answer(context, *req, resp));
    return reactor;
  }

 private:
  FakeGrants& owner_;
};

FakeGrants::FakeGrants() : service_(std::make_unique<Service>(*this)) {}
FakeGrants::~FakeGrants() { Stop(); }

absl::Status FakeGrants::Start(int port) {
  if (port == 0) port = port_;
  ::grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), ::grpc::InsecureServerCredentials(),
                           &bound);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || bound == 0) return absl::UnavailableError("fake grants cannot listen");
  port_ = bound;
  return absl::OkStatus();
}

void FakeGrants::Stop() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
  }
}

void FakeGrants::SetVerifier(std::shared_ptr<auth::Verifier> verifier) {
  absl::MutexLock lock(&mu_);
  verifier_ = std::move(verifier);
}

void FakeGrants::SetDecisions(const std::string& orgnr, std::vector<FakeDecision> decisions,
                              const std::string& lanskod) {
  absl::MutexLock lock(&mu_);
  decisions_[orgnr] = std::move(decisions);
  counties_[orgnr] = lanskod;
}

void FakeGrants::Clear() {
  absl::MutexLock lock(&mu_);
  decisions_.clear();
  counties_.clear();
  ignore_county_ = false;
  delay_ = absl::ZeroDuration();
  calls_ = 0;
  last_ = SeenFundingCall{};
}

void FakeGrants::SetIgnoreCounty(bool ignore) {
  absl::MutexLock lock(&mu_);
  ignore_county_ = ignore;
}

void FakeGrants::SetDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

int FakeGrants::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

SeenFundingCall FakeGrants::last() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

::grpc::Status FakeGrants::Answer(::grpc::CallbackServerContext* context,
                                  const grants::CheckFundingRequest& req,
                                  grants::CheckFundingResponse* resp) {
  std::shared_ptr<auth::Verifier> verifier;
  absl::Duration delay;
  std::vector<FakeDecision> decisions;
  std::string county;
  bool ignore_county = false;
  {
    absl::MutexLock lock(&mu_);
    ++calls_;
    verifier = verifier_;
    delay = delay_;
    auto it = decisions_.find(req.organisationsnummer());
    if (it != decisions_.end()) decisions = it->second;
    ignore_county = ignore_county_;
    if (auto c = counties_.find(req.organisationsnummer()); c != counties_.end()) {
      county = c->second;
    }
  }
  if (delay > absl::ZeroDuration()) absl::SleepFor(delay);
  if (verifier == nullptr) return {::grpc::StatusCode::UNAVAILABLE, "not ready"};
  absl::StatusOr<auth::Caller> caller = verifier->Verify(
      auth::BearerToken(Metadata(context, "authorization")));
  if (!caller.ok()) return {::grpc::StatusCode::UNAUTHENTICATED, "bad token"};
  {
    absl::MutexLock lock(&mu_);
    last_ = SeenFundingCall{*caller, Metadata(context, "x-request-id"),
                            req.organisationsnummer(), req.lanskod(),
                            absl::FromChrono(context->deadline())};
  }
  const auto& scopes = caller->scopes;
  if (caller->role != "agency_system" ||
      std::find(scopes.begin(), scopes.end(), "grants.funding.read") == scopes.end()) {
    return {::grpc::StatusCode::PERMISSION_DENIED, "scope missing"};
  }
  if (req.programme() != kTiaProgramme) return {::grpc::StatusCode::NOT_FOUND, "no programme"};
  const std::optional<absl::CivilDay> start = DayOf(req.period().start_date());
  const std::optional<absl::CivilDay> end = DayOf(req.period().end_date());
  if (!start || !end) return {::grpc::StatusCode::INVALID_ARGUMENT, "bad period"};
  // Like grants: only the named county's decisions, when the request names one.
  if (!ignore_county && !req.lanskod().empty() && req.lanskod() != county) decisions.clear();
  for (const FakeDecision& d : decisions) {
    const absl::CivilDay ds = *ParseDayText(d.start), de = *ParseDayText(d.end);
    if (de < *start || ds > *end) continue;  // no overlap
    grants::FundingDecision* out = resp->add_decisions();
    out->set_application(d.application);
    out->set_diarienummer(d.diarienummer);
    out->set_programme(kTiaProgramme);
    *out->mutable_project_period() = PeriodOf(Period{ds, de});
    out->set_covers_whole_period(ds <= *start && *end <= de);
    out->set_lanskod(county);
  }
  return ::grpc::Status::OK;
}

absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> EarlyMeasuresTestEnv::Start() {
  auto env = std::make_unique<EarlyMeasuresTestEnv>(PassKey());
  env->grants_ = std::make_unique<FakeGrants>();
  if (absl::Status st = env->grants_->Start(); !st.ok()) return st;

  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.early-measures.test";
  options.audience = "early-measures-test";
  std::string public_pem;
  if (absl::Status st = integration::testing::NewEd25519Key(&options.jwt_key_pem, &public_pem);
      !st.ok()) {
    return st;
  }
  options.files = {{"pnr_hmac_key", kTestHmacKey}, {"service_token_key.pem", options.jwt_key_pem}};
  options.extra_args = {
      absl::StrCat("--", kPnrHmacKeyFileFlag, "={dir}/pnr_hmac_key"),
      absl::StrCat("--", kGrantsAddrFlag, "=", env->grants_->target()),
      absl::StrCat("--", kGrantsTimeoutFlag, "=1s"),
      absl::StrCat("--", kGrantsCircuitFailuresFlag, "=3"),
      absl::StrCat("--", kGrantsCircuitOpenFlag, "=500ms"),
      absl::StrCat("--", kServiceTokenKeyFileFlag, "={dir}/service_token_key.pem"),
      absl::StrCat("--", kServiceTokenKidFlag, "=", integration::testing::kHarnessJwtKid),
      absl::StrCat("--", kServiceTokenIssuerFlag, "=", options.issuer),
      absl::StrCat("--", kServiceTokenAudienceFlag, "=", options.audience)};
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(EarlyMeasuresSpec(), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::EarlyMeasuresService::NewStub(env->harness_->channel());

  auth::VerifierOptions verifier;
  verifier.jwks_file = env->harness_->jwks_file();
  verifier.issuer = options.issuer;
  verifier.audience = options.audience;
  absl::StatusOr<std::shared_ptr<const auth::SubjectPseudonymiser>> subjects =
      auth::SubjectPseudonymiser::Parse(env->harness_->subject_keys());
  if (!subjects.ok()) return subjects.status();
  verifier.subjects = *std::move(subjects);
  absl::StatusOr<std::unique_ptr<auth::Verifier>> v = auth::Verifier::Create(verifier);
  if (!v.ok()) return v.status();
  env->grants_->SetVerifier(std::shared_ptr<auth::Verifier>(*std::move(v)));

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

std::string EarlyMeasuresTestEnv::OrgToken(const std::string& orgnr) const {
  Claims claims;
  claims.orgnr = orgnr;
  return Token("organisation_rep", "org-" + orgnr, claims);
}

std::string EarlyMeasuresTestEnv::OfficerToken(const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  return Token("county_officer", "officer-" + lan, claims);
}

std::string EarlyMeasuresTestEnv::AgencyToken(std::vector<std::string> scopes) const {
  Claims claims;
  claims.agency = "grants";
  claims.scopes = std::move(scopes);
  return Token("agency_system", "svc:grants", claims);
}

std::unique_ptr<EarlyMeasuresTestEnv> EarlyMeasuresTest::env_;
std::string EarlyMeasuresTest::start_error_;

void EarlyMeasuresTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> env = EarlyMeasuresTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void EarlyMeasuresTest::TearDownTestSuite() { env_.reset(); }

void EarlyMeasuresTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the early_measures test server did not start: " << start_error_;
  env_->Truncate();
  env_->grants().Clear();
}

}  // namespace integration::early_measures::testing
