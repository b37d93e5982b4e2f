// GetRegionalOverview through the gRPC front: sections gathered in parallel on behalf of the
// caller, partial results with a status per section when a service is slow, down, failing or
// not configured, the section budget, and who may ask.
#include <map>
#include <memory>
#include <string>

#include "dispatcher_test_support.h"
#include "lansstyrelsen/integration/echo/v1/echo.pb.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway::testing {
namespace {

namespace gw = ::lansstyrelsen::integration::gateway::v1;
namespace training = ::lansstyrelsen::integration::training::v1;

constexpr char kOverviewPath[] =
    "/lansstyrelsen.integration.gateway.v1.GatewayService/GetRegionalOverview";
constexpr char kStatistics[] =
    "lansstyrelsen.integration.training.v1.TrainingService/GetStatistics";
constexpr char kEcho[] = "lansstyrelsen.integration.echo.v1.EchoService/Echo";

// The tests see exactly two sections whatever else is compiled in: training's GetStatistics
// and EchoService/Echo made a second one (so that one section can be slow while another
// answers); every other regional_overview method of the suite (e.g. grants') is hidden.
class EchoAsSection {
 public:
  EchoAsSection() {
    echo_ = FindMethod(kEchoService, "Echo");
    overrides_[echo_] = *auth::PolicyOf(*echo_);
    overrides_[echo_].set_regional_overview(true);
    const google::protobuf::MethodDescriptor* statistics =
        FindMethod(kTrainingService, "GetStatistics");
    for (const auto* service : SuiteServices()) {
      for (int i = 0; i < service->method_count(); ++i) {
        const google::protobuf::MethodDescriptor* m = service->method(i);
        const auth::Policy* policy = auth::PolicyOf(*m);
        if (m == statistics || policy == nullptr || !policy->regional_overview()) continue;
        overrides_[m] = *policy;
        overrides_[m].set_regional_overview(false);
      }
    }
  }
  PolicyLookup lookup() const {
    return [this](const google::protobuf::MethodDescriptor& m) -> const auth::Policy* {
      auto it = overrides_.find(&m);
      return it != overrides_.end() ? &it->second : auth::PolicyOf(m);
    };
  }

 private:
  const google::protobuf::MethodDescriptor* echo_;
  std::map<const google::protobuf::MethodDescriptor*, auth::Policy> overrides_;
};

struct Behaviour {
  absl::Duration statistics_delay = absl::ZeroDuration();
  ::grpc::Status echo_status = ::grpc::Status::OK;
};

BackendReply Answer(const Behaviour& b, const SeenCall& call) {
  BackendReply reply;
  if (call.method == kStatistics) {
    training::Statistics stats;
    stats.mutable_total()->set_enrolments(42);
    reply.response = stats.SerializeAsString();
    reply.delay = b.statistics_delay;
  } else if (call.method == kEcho) {
    reply.status = b.echo_status;
  }
  return reply;
}

gw::RegionalOverview Parse(const CallResult& r) {
  gw::RegionalOverview o;
  EXPECT_TRUE(o.ParseFromString(r.response));
  return o;
}

gw::GetRegionalOverviewRequest Budget(int ms) {
  gw::GetRegionalOverviewRequest r;
  r.set_section_timeout_ms(ms);
  return r;
}

class OverviewTest : public ::testing::Test {
 protected:
  GatewayParts Parts(const std::vector<BackendTarget>& backends) {
    GatewayParts parts;
    parts.backends = backends;
    parts.verifier = issuer_.verifier();
    parts.policy_of = sections_.lookup();
    return parts;
  }

  TokenIssuer issuer_;
  EchoAsSection sections_;
};

TEST_F(OverviewTest, SlowSectionTimesOutWhileTheOthersAnswer) {
  Behaviour b;
  b.statistics_delay = absl::Seconds(3);
  TestBackend backend({kTrainingService, kEchoService},
                      [&b](const SeenCall& c) { return Answer(b, c); });
  TestGateway gateway(Parts({{"training", backend.target()}, {"echo", backend.target()}}));

  const std::string bearer = issuer_.Bearer("county_officer");
  CallOptions o = WithAuth(bearer);
  o.metadata["x-request-id"] = "overview-1";
  CallResult r = Call(gateway.target(), kOverviewPath, Budget(300), o);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_LT(r.elapsed, absl::Seconds(1)) << "bounded by the section budget, not the slow service";
  gw::RegionalOverview overview = Parse(r);
  ASSERT_EQ(overview.sections_size(), 2);
  EXPECT_TRUE(overview.has_compute_time());

  const gw::Section& echo = overview.sections(0);  // sections in service name order
  EXPECT_EQ(echo.service(), "echo");
  EXPECT_EQ(echo.method(), kEcho);
  EXPECT_EQ(echo.status(), gw::SECTION_STATUS_OK);
  EXPECT_EQ(echo.figures().type_url(),
            "type.googleapis.com/lansstyrelsen.integration.echo.v1.EchoResponse");
  EXPECT_TRUE(echo.error().empty());

  const gw::Section& stats = overview.sections(1);
  EXPECT_EQ(stats.service(), "training");
  EXPECT_EQ(stats.method(), kStatistics);
  EXPECT_EQ(stats.status(), gw::SECTION_STATUS_DEADLINE_EXCEEDED);
  EXPECT_FALSE(stats.has_figures());
  EXPECT_FALSE(stats.error().empty());
  EXPECT_GE(stats.latency_ms(), 250);
  EXPECT_LT(stats.latency_ms(), 900);

  // Each section was asked on the caller's behalf, with an empty request.
  for (const SeenCall& seen : backend.calls()) {
    EXPECT_EQ(seen.request, "") << seen.method;
    EXPECT_EQ(seen.metadata.at("authorization"), bearer) << seen.method;
    EXPECT_EQ(seen.metadata.at("x-request-id"), "overview-1") << seen.method;
  }
  EXPECT_EQ(backend.calls().size(), 2u);
}

TEST_F(OverviewTest, FiguresArriveWhenEverySectionAnswers) {
  Behaviour b;
  TestBackend backend({kTrainingService, kEchoService},
                      [&b](const SeenCall& c) { return Answer(b, c); });
  TestGateway gateway(Parts({{"training", backend.target()}, {"echo", backend.target()}}));
  CallResult r =
      Call(gateway.target(), kOverviewPath, Budget(0), WithAuth(issuer_.Bearer("county_officer")));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  gw::RegionalOverview overview = Parse(r);
  ASSERT_EQ(overview.sections_size(), 2);
  const gw::Section& stats = overview.sections(1);
  EXPECT_EQ(stats.status(), gw::SECTION_STATUS_OK);
  training::Statistics figures;
  ASSERT_TRUE(stats.figures().UnpackTo(&figures));
  EXPECT_EQ(figures.total().enrolments(), 42);
}

TEST_F(OverviewTest, MissingAndFailingServicesGiveTheirSectionStatus) {
  Behaviour b;
  b.echo_status = ::grpc::Status(::grpc::StatusCode::FAILED_PRECONDITION, "echo is unhappy");
  TestBackend backend({kEchoService}, [&b](const SeenCall& c) { return Answer(b, c); });
  // No training backend at all.
  TestGateway gateway(Parts({{"echo", backend.target()}}));
  CallResult r = Call(gateway.target(), kOverviewPath, Budget(500),
                      WithAuth(issuer_.Bearer("county_officer")));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  gw::RegionalOverview overview = Parse(r);
  ASSERT_EQ(overview.sections_size(), 2);
  EXPECT_EQ(overview.sections(0).service(), "echo");
  EXPECT_EQ(overview.sections(0).status(), gw::SECTION_STATUS_ERROR);
  EXPECT_EQ(overview.sections(0).error(), "echo is unhappy");
  EXPECT_EQ(overview.sections(1).service(), "training");
  EXPECT_EQ(overview.sections(1).status(), gw::SECTION_STATUS_UNAVAILABLE);
  EXPECT_NE(overview.sections(1).error().find("no backend is configured"), std::string::npos);
}

TEST_F(OverviewTest, DownServiceIsUnavailableFast) {
  Behaviour b;
  TestBackend backend({kTrainingService, kEchoService},
                      [&b](const SeenCall& c) { return Answer(b, c); });
  TestBackend down({kTrainingService}, [&b](const SeenCall& c) { return Answer(b, c); });
  down.Stop();
  TestGateway gateway(Parts({{"training", down.target()}, {"echo", backend.target()}}));
  CallResult r = Call(gateway.target(), kOverviewPath, Budget(5000),
                      WithAuth(issuer_.Bearer("county_officer")));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_LT(r.elapsed, absl::Seconds(2));
  gw::RegionalOverview overview = Parse(r);
  ASSERT_EQ(overview.sections_size(), 2);
  EXPECT_EQ(overview.sections(0).status(), gw::SECTION_STATUS_OK);
  EXPECT_EQ(overview.sections(1).status(), gw::SECTION_STATUS_UNAVAILABLE);
}

TEST_F(OverviewTest, SectionBudgetDefaultsAndIsCapped) {
  Behaviour b;
  TestBackend backend({kTrainingService, kEchoService},
                      [&b](const SeenCall& c) { return Answer(b, c); });
  TestGateway gateway(Parts({{"training", backend.target()}, {"echo", backend.target()}}));
  CallOptions o = WithAuth(issuer_.Bearer("county_officer"));
  o.timeout = absl::Seconds(30);
  const absl::Duration slack = absl::Milliseconds(100);

  ASSERT_TRUE(Call(gateway.target(), kOverviewPath, Budget(0), o).status.ok());
  absl::Duration left = backend.last().deadline_left;
  EXPECT_GT(left, absl::Milliseconds(1500));
  EXPECT_LE(left, absl::Seconds(2) + slack) << "2000 ms by default";

  ASSERT_TRUE(Call(gateway.target(), kOverviewPath, Budget(60000), o).status.ok());
  left = backend.last().deadline_left;
  EXPECT_GT(left, absl::Seconds(9));
  EXPECT_LE(left, absl::Seconds(10) + slack) << "at most 10000 ms";

  o.timeout = absl::Seconds(1);
  ASSERT_TRUE(Call(gateway.target(), kOverviewPath, Budget(5000), o).status.ok());
  EXPECT_LE(backend.last().deadline_left, absl::Seconds(1))
      << "sections end before the overview's own deadline";
}

TEST_F(OverviewTest, OnlyCountyOfficersAndValidBudgets) {
  Behaviour b;
  TestBackend backend({kTrainingService, kEchoService},
                      [&b](const SeenCall& c) { return Answer(b, c); });
  TestGateway gateway(Parts({{"training", backend.target()}, {"echo", backend.target()}}));
  CallResult r =
      Call(gateway.target(), kOverviewPath, Budget(0), WithAuth(issuer_.Bearer("learner")));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  r = Call(gateway.target(), kOverviewPath, Budget(0));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  r = Call(gateway.target(), kOverviewPath, Budget(-1), WithAuth(issuer_.Bearer("county_officer")));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(r.status.error_details()));
  bool names_field = false;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      names_field = bad.field_violations(0).field() == "section_timeout_ms";
    }
  }
  EXPECT_TRUE(names_field);
  EXPECT_EQ(backend.calls().size(), 0u);
}

}  // namespace
}  // namespace integration::gateway::testing
