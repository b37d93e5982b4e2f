// Arrivals through the real server and PostgreSQL: Migrationsverket's system (agency_system
// with the arrival scope) reports a child, which is assigned at once; the dossier number is
// stored only encrypted and hashed; re-sending it, also many times at once, makes no second
// child; events name ids only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

constexpr char kRequestId[] = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a";

class ArrivalTest : public PlacementTest {
 protected:
  ::grpc::Status Report(const v1::Arrival& arrival, v1::Child* out, const std::string& token,
                        const std::string& request_id = "") {
    v1::ReportArrivalRequest req;
    *req.mutable_arrival() = arrival;
    req.set_request_id(request_id);
    return env().Call(&Stub::ReportArrival, token, req, out);
  }
  int64_t Events(const std::string& type) {
    return env().Count(absl::StrCat(
        "SELECT count(*) FROM outbox WHERE event_type = 'lansstyrelsen.integration.placement.v1.",
        type, "'"));
  }
};

TEST_F(ArrivalTest, ReportsAssignsAndAnnouncesWithIdsOnly) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  v1::Child child;
  ::grpc::Status st = Report(PlacementTestEnv::Arrival("12-345678"), &child, env().AgencyToken());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(child.name(), absl::StrCat("children/", env().Count("SELECT child_id FROM children")));
  EXPECT_EQ(child.lanskod(), "03");
  EXPECT_EQ(child.state(), v1::CHILD_STATE_ASSIGNED);
  EXPECT_EQ(child.assignment().kommunkod(), "0380");
  EXPECT_EQ(child.assignment().basis(), v1::ASSIGNMENT_BASIS_ALLOCATION_KEY);
  EXPECT_EQ(child.arrival().dossier_number(), "12-345678");
  // The agency is neither the county nor the kommun: no needs, no explanation back.
  EXPECT_TRUE(child.arrival().needs().empty());
  EXPECT_FALSE(child.assignment().has_explanation());
  EXPECT_EQ(child.arrival().languages_size(), 1);
  EXPECT_EQ(child.arrival().assessed_age(), 15);

  ASSERT_EQ(Events("ChildArrivedEvent"), 1);
  ASSERT_EQ(Events("ChildAssignedEvent"), 1);
  pqxx::result rows = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.placement.v1.ChildAssignedEvent'");
  v1::ChildAssignedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(rows[0][0]).str()));
  EXPECT_EQ(event.child(), child.name());
  EXPECT_EQ(event.kommunkod(), "0380");
  EXPECT_EQ(event.basis(), v1::ASSIGNMENT_BASIS_ALLOCATION_KEY);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE position('12-345678' in "
                        "encode(payload, 'escape')) > 0 OR position('12345678' in "
                        "encode(payload, 'escape')) > 0"),
            0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE resource = '" + child.name() +
                        "' AND action IN ('child.report', 'child.assign')"),
            2);
}

TEST_F(ArrivalTest, StoresTheDossierNumberOnlyEncryptedAndHashed) {
  env().Report(PlacementTestEnv::Arrival("12-345678"));
  pqxx::result row = env().Query("SELECT dossier_hash, dossier_cipher FROM children");
  ASSERT_EQ(row.size(), 1u);
  const std::string hash = row[0]["dossier_hash"].as<std::string>();
  const std::string cipher = row[0]["dossier_cipher"].as<std::string>();
  EXPECT_EQ(hash.size(), 64u);
  for (const std::string& text : {hash, cipher}) {
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("345678")));
  }
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%345678%'"), 0);
}

TEST_F(ArrivalTest, ReSendingADossierNumberAnswersWithTheFirstChild) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 10}});
  const v1::Child first = env().Report(PlacementTestEnv::Arrival("12-345678"));
  // Another request, the number spelt without its dash and other details: still that child.
  v1::Arrival again = PlacementTestEnv::Arrival("12345678");
  again.set_sex(v1::SEX_MALE);
  v1::Child second;
  ::grpc::Status st = Report(again, &second, env().AgencyToken());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(second.name(), first.name());
  EXPECT_EQ(second.arrival().sex(), v1::SEX_FEMALE);
  EXPECT_EQ(second.assignment().kommunkod(), first.assignment().kommunkod());
  EXPECT_EQ(env().Count("SELECT count(*) FROM children"), 1);
  EXPECT_EQ(Events("ChildArrivedEvent"), 1);
  EXPECT_EQ(Events("ChildAssignedEvent"), 1);
}

TEST_F(ArrivalTest, ManySimultaneousReSendsMakeOneChild) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 10}});
  constexpr int kSenders = 12;
  std::vector<std::string> names(kSenders);
  std::vector<::grpc::Status> results(kSenders);
  std::vector<std::thread> senders;
  const std::string token = env().AgencyToken();
  for (int i = 0; i < kSenders; ++i) {
    senders.emplace_back([&, i] {
      v1::Child child;
      results[i] = Report(PlacementTestEnv::Arrival("33-000111"), &child, token);
      names[i] = child.name();
    });
  }
  for (std::thread& t : senders) t.join();
  for (int i = 0; i < kSenders; ++i) {
    ASSERT_TRUE(results[i].ok()) << Describe(results[i]);
    EXPECT_EQ(names[i], names[0]);
  }
  EXPECT_EQ(env().Count("SELECT count(*) FROM children"), 1);
  EXPECT_EQ(Events("ChildAssignedEvent"), 1);
}

TEST_F(ArrivalTest, ARetryWithTheRequestIdGetsTheFirstAnswer) {
  v1::Child first, second;
  ASSERT_TRUE(
      Report(PlacementTestEnv::Arrival("12-345678"), &first, env().AgencyToken(), kRequestId).ok());
  ::grpc::Status st =
      Report(PlacementTestEnv::Arrival("12-345678"), &second, env().AgencyToken(), kRequestId);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  st = Report(PlacementTestEnv::Arrival("12-999999"), &second, env().AgencyToken(), kRequestId);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
}

TEST_F(ArrivalTest, OnlyMigrationsverketsSystemWithTheScopeReports) {
  v1::Child out;
  ::grpc::Status st =
      Report(PlacementTestEnv::Arrival("12-345678"), &out, env().AgencyToken({"other.scope"}));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  st = Report(PlacementTestEnv::Arrival("12-345678"), &out, env().OfficerToken());
  EXPECT_EQ(ReasonOf(st), "ROLE_NOT_ALLOWED");
  st = Report(PlacementTestEnv::Arrival("12-345678"), &out, "");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM children"), 0);
}

TEST_F(ArrivalTest, RefusesABadReport) {
  v1::Arrival bad = PlacementTestEnv::Arrival("12-3456");
  bad.set_sex(v1::SEX_UNSPECIFIED);
  bad.mutable_arrival_date()->set_year(2099);
  v1::Child out;
  ::grpc::Status st = Report(bad, &out, env().AgencyToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "ARRIVAL_INVALID");
  EXPECT_THAT(integration::testing::ViolationFieldsOf(st),
              ::testing::UnorderedElementsAre("arrival.dossier_number", "arrival.sex",
                                              "arrival.arrival_date"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM children"), 0);
}

TEST_F(ArrivalTest, SimultaneousArrivalsFollowTheKeyExactly) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  constexpr int kChildren = 30;
  std::vector<std::thread> senders;
  std::vector<::grpc::Status> results(kChildren);
  const std::string token = env().AgencyToken();
  for (int i = 0; i < kChildren; ++i) {
    senders.emplace_back([&, i] {
      v1::Child child;
      results[i] =
          Report(PlacementTestEnv::Arrival(absl::StrCat("40-", 100000 + i)), &child, token);
    });
  }
  for (std::thread& t : senders) t.join();
  for (const ::grpc::Status& st : results) ASSERT_TRUE(st.ok()) << Describe(st);
  // Assignments are serialised per county, so 30 at once end as 30 in a row would: exactly
  // the shares.
  EXPECT_EQ(env().Count("SELECT count(*) FROM children WHERE kommunkod = '0380'"), 20);
  EXPECT_EQ(env().Count("SELECT count(*) FROM children WHERE kommunkod = '0305'"), 5);
  EXPECT_EQ(env().Count("SELECT count(*) FROM children WHERE kommunkod = '0360'"), 5);
}

}  // namespace
}  // namespace integration::placement::testing
