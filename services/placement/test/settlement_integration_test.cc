// Settlement of newly arrived through the real server and PostgreSQL: the county number set by
// a national administrator and revised with history, kommun numbers proposed and decided with
// the sum invariant kept over every revision, assignments reported idempotently, reception,
// tenant isolation of assignments and follow-up, the CSV, overdue exactly 2 months after the
// assignment (Europe/Stockholm days, month ends, leap years), and the overdue event raised
// once by two checks running at the same time against one database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "integration/dates/day.h"
#include "integration/pg/pool.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_spec.h"
#include "placement_test_env.h"
#include "settlement_overdue.h"

namespace integration::placement::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kQuota[] = "counties/03/settlementQuotas/2028";
constexpr char kOverdueType[] = "lansstyrelsen.integration.placement.v1.SettlementOverdueEvent";

absl::TimeZone Stockholm() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &zone));
  return zone;
}

class SettlementTest : public PlacementTest {
 protected:
  // Moves the service's clock to `hour`:`minute` of `day` in Stockholm.
  void SetNow(absl::CivilDay day, int hour = 12, int minute = 0) {
    const absl::Time target = absl::FromCivil(
        absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute), Stockholm());
    env().clock().Advance(target - env().clock().Now());
  }

  ::grpc::Status SetCountyNumber(int number, v1::SettlementQuota* out,
                                 const std::string& token = "", const std::string& etag = "") {
    v1::SetCountyNumberRequest req;
    req.set_name(kQuota);
    req.set_county_number(number);
    req.set_reason("Regeringsbeslut Ju2027/01234");
    req.set_etag(etag);
    return env().Call(&Stub::SetCountyNumber, token.empty() ? env().NationalToken() : token, req,
                      out);
  }

  static v1::SettlementBasis Basis() {
    v1::SettlementBasis basis;
    for (auto [factor, weight] : {std::pair{v1::SETTLEMENT_FACTOR_POPULATION, 40.0},
                                  {v1::SETTLEMENT_FACTOR_LABOUR_MARKET, 30.0},
                                  {v1::SETTLEMENT_FACTOR_HOUSING, 30.0}}) {
      v1::FactorWeight* w = basis.add_weights();
      w->set_factor(factor);
      w->set_weight(weight);
    }
    for (auto [kommun, labour, housing] :
         {std::tuple{"0380", 70.0, 120.0}, {"0305", 75.0, 15.0}, {"0360", 65.0, 30.0}}) {
      v1::KommunFactors* k = basis.add_kommuner();
      k->set_kommunkod(kommun);
      v1::FactorValue* l = k->add_values();
      l->set_factor(v1::SETTLEMENT_FACTOR_LABOUR_MARKET);
      l->set_value(labour);
      v1::FactorValue* h = k->add_values();
      h->set_factor(v1::SETTLEMENT_FACTOR_HOUSING);
      h->set_value(housing);
    }
    return basis;
  }

  ::grpc::Status Propose(v1::KommunNumbersProposal* out, bool with_basis = true) {
    v1::ProposeKommunNumbersRequest req;
    req.set_name(kQuota);
    if (with_basis) *req.mutable_basis() = Basis();
    return env().Call(&Stub::ProposeKommunNumbers, env().OfficerToken(), req, out);
  }

  ::grpc::Status Decide(const google::protobuf::RepeatedPtrField<v1::KommunNumber>& numbers,
                        v1::SettlementQuota* out, const std::string& token = "",
                        const std::string& etag = "") {
    v1::DecideKommunNumbersRequest req;
    req.set_name(kQuota);
    for (const v1::KommunNumber& n : numbers) {
      v1::KommunNumber* k = req.add_kommun_numbers();
      k->set_kommunkod(n.kommunkod());
      k->set_persons(n.persons());
    }
    *req.mutable_basis() = Basis();
    req.set_reason("Länsstyrelsens beslut om kommuntal");
    req.set_etag(etag);
    return env().Call(&Stub::DecideKommunNumbers, token.empty() ? env().AdminToken() : token, req,
                      out);
  }

  static v1::SettlementAssignment Assignment(const std::string& household, int persons,
                                             const std::string& kommun, absl::CivilDay day) {
    v1::SettlementAssignment a;
    a.set_household_reference(household);
    a.set_persons(persons);
    a.set_kommunkod(kommun);
    *a.mutable_assignment_date() = dates::DateOf(day);
    return a;
  }

  ::grpc::Status Report(const v1::SettlementAssignment& a, v1::SettlementAssignment* out,
                        const std::string& request_id = "", const std::string& token = "") {
    v1::ReportSettlementAssignmentRequest req;
    *req.mutable_settlement_assignment() = a;
    req.set_request_id(request_id);
    return env().Call(&Stub::ReportSettlementAssignment,
                      token.empty() ? env().AgencyToken({"placement.settlement"}) : token, req,
                      out);
  }
  v1::SettlementAssignment MustReport(const v1::SettlementAssignment& a) {
    v1::SettlementAssignment out;
    ::grpc::Status st = Report(a, &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  ::grpc::Status Receive(const std::string& name, absl::CivilDay day, const std::string& token,
                         v1::SettlementAssignment* out) {
    v1::RecordSettlementReceptionRequest req;
    req.set_name(name);
    *req.mutable_reception_date() = dates::DateOf(day);
    return env().Call(&Stub::RecordSettlementReception, token, req, out);
  }

  v1::SettlementAssignment Get(const std::string& name) {
    v1::GetSettlementAssignmentRequest req;
    req.set_name(name);
    v1::SettlementAssignment out;
    ::grpc::Status st = env().Call(&Stub::GetSettlementAssignment, env().OfficerToken(), req, &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  int64_t Events(const std::string& type, const std::string& aggregate = "") {
    return env().Count(absl::StrCat(
        "SELECT count(*) FROM outbox WHERE event_type = 'lansstyrelsen.integration.placement.v1.",
        type, "'", aggregate.empty() ? "" : absl::StrCat(" AND aggregate = '", aggregate, "'")));
  }

  // A second replica's overdue check: its own pool on the same database.
  std::unique_ptr<pg::Pool> ReplicaPool() {
    absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
        pg::Pool::Create({.dsn = env().harness().admin_dsn(),
                          .size = 2,
                          .search_path = "placement",
                          .queries = PlacementQueries(),
                          .application_name = "replica",
                          .password_file = ""});
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }
  OverdueCheckOptions CheckOptions(int batch = 500) {
    TestClock* clock = &env().clock();
    return {.zone = Stockholm(),
            .clock = [clock] { return clock->Now(); },
            .nudge_outbox = {},
            .interval = absl::Minutes(1),
            .batch = batch};
  }
};

TEST_F(SettlementTest, CountyNumberIsSetByANationalAdministratorWithHistory) {
  v1::SettlementQuota quota;
  // A county admin without the national scope, and a county officer, are refused.
  ::grpc::Status st = SetCountyNumber(300, &quota, env().NationalToken(false, "03"));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  st = SetCountyNumber(300, &quota, env().OfficerToken());
  EXPECT_EQ(ReasonOf(st), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM settlement_quotas"), 0);

  // The national administrator's token names county 01; it sets county 03's number.
  st = SetCountyNumber(300, &quota);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(quota.name(), kQuota);
  EXPECT_EQ(quota.year(), 2028);
  EXPECT_EQ(quota.county_number(), 300);
  EXPECT_EQ(quota.state(), v1::SETTLEMENT_QUOTA_STATE_COUNTY_NUMBER_SET);
  EXPECT_EQ(quota.revision(), 1);
  const std::string first_etag = quota.etag();

  // Revised during the year: a new revision; the old etag no longer fits; the same number is
  // no revision.
  st = SetCountyNumber(320, &quota, "", first_etag);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(quota.revision(), 2);
  st = SetCountyNumber(330, &quota, "", first_etag);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  st = SetCountyNumber(320, &quota);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "COUNTY_NUMBER_UNCHANGED");

  // The county and its kommuner read it; another county and its kommuner do not.
  v1::GetSettlementQuotaRequest get;
  get.set_name(kQuota);
  for (const std::string& token :
       {env().OfficerToken(), env().AdminToken(), env().KommunToken("0360")}) {
    v1::SettlementQuota read;
    st = env().Call(&Stub::GetSettlementQuota, token, get, &read);
    ASSERT_TRUE(st.ok()) << Describe(st);
    EXPECT_EQ(read.county_number(), 320);
  }
  v1::SettlementQuota other;
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetSettlementQuota, env().OfficerToken("01"), get, &other)),
            "LAN_MISMATCH");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetSettlementQuota, env().KommunToken("0180"), get, &other)),
            "TENANT_MISMATCH");

  v1::ListSettlementQuotaRevisionsRequest list;
  list.set_parent(kQuota);
  v1::ListSettlementQuotaRevisionsResponse revisions;
  st = env().Call(&Stub::ListSettlementQuotaRevisions, env().OfficerToken(), list, &revisions);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(revisions.revisions_size(), 2);
  EXPECT_EQ(revisions.revisions(0).name(), std::string(kQuota) + "/revisions/1");
  EXPECT_EQ(revisions.revisions(0).county_number(), 300);
  EXPECT_EQ(revisions.revisions(1).county_number(), 320);
  EXPECT_EQ(revisions.revisions(1).kind(), v1::SETTLEMENT_REVISION_KIND_COUNTY_NUMBER);
  EXPECT_EQ(revisions.revisions(1).actor(), env().Subject("national-admin"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = "
                        "'settlementQuota.setCountyNumber'"),
            2);
}

TEST_F(SettlementTest, ProposalDecisionAndRevisionKeepTheSum) {
  v1::SettlementQuota quota;
  ASSERT_TRUE(SetCountyNumber(301, &quota).ok());
  v1::KommunNumbersProposal proposal;
  ::grpc::Status st = Propose(&proposal, false);
  EXPECT_EQ(ReasonOf(st), "SETTLEMENT_BASIS_INVALID");  // no basis decided yet
  st = Propose(&proposal);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(proposal.kommun_numbers_size(), 3);
  int sum = 0;
  for (const v1::KommunNumber& n : proposal.kommun_numbers()) sum += n.persons();
  EXPECT_EQ(sum, 301);
  EXPECT_EQ(proposal.kommun_numbers(2).kommunkod(), "0380");
  EXPECT_GT(proposal.kommun_numbers(2).persons(), proposal.kommun_numbers(0).persons());
  EXPECT_GT(proposal.basis().kommuner(2).population(), 200000);

  // The admin adjusts: moving 5 from Uppsala to Tierp keeps the sum; adding 1 does not.
  google::protobuf::RepeatedPtrField<v1::KommunNumber> adjusted = proposal.kommun_numbers();
  adjusted[2].set_persons(adjusted[2].persons() - 5);
  adjusted[1].set_persons(adjusted[1].persons() + 5);
  google::protobuf::RepeatedPtrField<v1::KommunNumber> wrong = adjusted;
  wrong[0].set_persons(wrong[0].persons() + 1);
  st = Decide(wrong, &quota);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "KOMMUN_NUMBERS_SUM_MISMATCH");
  EXPECT_EQ(env().Count("SELECT count(*) FROM settlement_quota_revisions"), 1);
  // Only the county admin of the county decides.
  EXPECT_EQ(ReasonOf(Decide(adjusted, &quota, env().OfficerToken())), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Decide(adjusted, &quota, env().AdminToken("01"))), "LAN_MISMATCH");

  st = Decide(adjusted, &quota);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(quota.state(), v1::SETTLEMENT_QUOTA_STATE_KOMMUN_NUMBERS_DECIDED);
  EXPECT_EQ(quota.revision(), 2);
  ASSERT_EQ(quota.kommun_numbers_size(), 3);
  EXPECT_EQ(quota.kommun_numbers(1).persons(), adjusted[1].persons());
  EXPECT_EQ(quota.basis().weights_size(), 3);
  EXPECT_EQ(Events("KommunNumbersDecidedEvent", kQuota), 1);

  // The government revises the county number: the decision waits; the old numbers no longer
  // sum; the stored basis proposes anew; the new decision sums to the new number.
  ASSERT_TRUE(SetCountyNumber(280, &quota).ok());
  EXPECT_EQ(quota.state(), v1::SETTLEMENT_QUOTA_STATE_COUNTY_NUMBER_SET);
  EXPECT_EQ(quota.kommun_numbers_size(), 3);  // the last decision's, until a new one
  EXPECT_EQ(ReasonOf(Decide(adjusted, &quota)), "KOMMUN_NUMBERS_SUM_MISMATCH");
  ASSERT_TRUE(Propose(&proposal, false).ok());
  EXPECT_EQ(proposal.county_number(), 280);
  st = Decide(proposal.kommun_numbers(), &quota, "", "r1");
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  st = Decide(proposal.kommun_numbers(), &quota, "", quota.etag());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(quota.revision(), 4);
  EXPECT_EQ(Events("KommunNumbersDecidedEvent", kQuota), 2);
}

// Random revisions of both kinds, many refused: every decision in the history sums to the
// county number in force when it was made, and a refused one leaves no revision.
TEST_F(SettlementTest, RevisionsKeepTheInvariantOverRandomChanges) {
  std::mt19937 rng(14);
  v1::SettlementQuota quota;
  ASSERT_TRUE(SetCountyNumber(100, &quota).ok());
  int revisions = 1;
  int county_number = 100;
  for (int round = 0; round < 25; ++round) {
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      const int next = county_number + std::uniform_int_distribution<int>(1, 40)(rng);
      ASSERT_TRUE(SetCountyNumber(next, &quota).ok());
      county_number = next;
      ++revisions;
      continue;
    }
    google::protobuf::RepeatedPtrField<v1::KommunNumber> numbers;
    int left = county_number;
    for (const char* kommun : {"0380", "0305", "0360"}) {
      v1::KommunNumber* n = numbers.Add();
      n->set_kommunkod(kommun);
      n->set_persons(std::uniform_int_distribution<int>(0, left)(rng));
      left -= n->persons();
    }
    const bool exact = std::uniform_int_distribution<int>(0, 1)(rng) == 0;
    if (exact) numbers[0].set_persons(numbers[0].persons() + left);
    const bool sums = exact || left == 0;
    ::grpc::Status st = Decide(numbers, &quota);
    if (sums) {
      ASSERT_TRUE(st.ok()) << Describe(st);
      ++revisions;
    } else {
      ASSERT_EQ(ReasonOf(st), "KOMMUN_NUMBERS_SUM_MISMATCH");
    }
  }
  v1::ListSettlementQuotaRevisionsRequest list;
  list.set_parent(kQuota);
  list.set_page_size(4);
  std::vector<v1::SettlementQuotaRevision> all;
  do {
    v1::ListSettlementQuotaRevisionsResponse page;
    ::grpc::Status st =
        env().Call(&Stub::ListSettlementQuotaRevisions, env().AdminToken(), list, &page);
    ASSERT_TRUE(st.ok()) << Describe(st);
    for (const auto& r : page.revisions()) all.push_back(r);
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ASSERT_EQ(static_cast<int>(all.size()), revisions);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name(), absl::StrCat(kQuota, "/revisions/", i + 1));
    if (all[i].kind() != v1::SETTLEMENT_REVISION_KIND_KOMMUN_NUMBERS) continue;
    int sum = 0;
    for (const v1::KommunNumber& n : all[i].kommun_numbers()) sum += n.persons();
    EXPECT_EQ(sum, all[i].county_number()) << all[i].name();
  }
}

TEST_F(SettlementTest, ReportingIsIdempotent) {
  SetNow(absl::CivilDay(2028, 3, 1));
  const v1::SettlementAssignment a =
      Assignment("MV-2028-0001", 3, "0380", absl::CivilDay(2028, 2, 1));
  v1::SettlementAssignment first, again;
  const std::string rid = "0f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f";
  ::grpc::Status st = Report(a, &first, rid);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_THAT(first.name(), ::testing::StartsWith("kommuner/0380/settlementAssignments/"));
  EXPECT_EQ(first.state(), v1::SETTLEMENT_STATE_ASSIGNED);
  EXPECT_EQ(dates::DayOf(first.due_date()), absl::CivilDay(2028, 4, 1));
  // The same request id: the first answer. The same household under a new id, even with other
  // details: the assignment reported first, unchanged.
  ASSERT_TRUE(Report(a, &again, rid).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  v1::SettlementAssignment changed = a;
  changed.set_kommunkod("0305");
  ASSERT_TRUE(Report(changed, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.kommunkod(), "0380");
  // Many copies at once: one assignment.
  const v1::SettlementAssignment b =
      Assignment("MV-2028-0002", 1, "0305", absl::CivilDay(2028, 2, 2));
  std::vector<std::thread> threads;
  std::vector<std::string> names(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::SettlementAssignment out;
      if (Report(b, &out).ok()) names[i] = out.name();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& n : names) EXPECT_EQ(n, names[0]);
  EXPECT_EQ(env().Count("SELECT count(*) FROM settlement_assignments"), 2);
  EXPECT_EQ(Events("SettlementAssignedEvent"), 2);

  // Only with the settlement scope.
  st = Report(a, &again, "", env().AgencyToken({"placement.arrivals"}));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  // Invalid: every field named.
  st = Report(Assignment("x", 0, "9999", absl::CivilDay(2028, 3, 2)), &again);
  EXPECT_EQ(ReasonOf(st), "SETTLEMENT_ASSIGNMENT_INVALID");
  EXPECT_EQ(integration::testing::ViolationFieldsOf(st).size(), 4u);
}

TEST_F(SettlementTest, KommunerSeeOnlyTheirOwnAndRecordReception) {
  SetNow(absl::CivilDay(2028, 3, 10));
  v1::SettlementQuota quota;
  ASSERT_TRUE(SetCountyNumber(10, &quota).ok());
  google::protobuf::RepeatedPtrField<v1::KommunNumber> numbers;
  for (auto [k, p] : {std::pair{"0380", 6}, {"0305", 4}}) {
    v1::KommunNumber* n = numbers.Add();
    n->set_kommunkod(k);
    n->set_persons(p);
  }
  ASSERT_TRUE(Decide(numbers, &quota).ok());
  const v1::SettlementAssignment uppsala =
      MustReport(Assignment("MV-1", 4, "0380", absl::CivilDay(2028, 1, 5)));  // overdue 6 March
  const v1::SettlementAssignment habo =
      MustReport(Assignment("MV-2", 2, "0305", absl::CivilDay(2028, 3, 1)));
  EXPECT_EQ(uppsala.state(), v1::SETTLEMENT_STATE_OVERDUE);

  // Håbo neither reads nor receives Uppsala's; under its own kommun's name it does not exist.
  v1::SettlementAssignment out;
  ::grpc::Status st =
      Receive(uppsala.name(), absl::CivilDay(2028, 3, 9), env().KommunToken("0305"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  const std::string disguised = absl::StrCat("kommuner/0305/settlementAssignments/",
                                             uppsala.name().substr(uppsala.name().rfind('/') + 1));
  st = Receive(disguised, absl::CivilDay(2028, 3, 9), env().KommunToken("0305"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  v1::GetSettlementAssignmentRequest get;
  get.set_name(uppsala.name());
  EXPECT_EQ(
      env().Call(&Stub::GetSettlementAssignment, env().OfficerToken("01"), get, &out).error_code(),
      ::grpc::StatusCode::PERMISSION_DENIED);

  // Lists: a kommun its own, a county its own kommuner's, another county none.
  v1::ListSettlementAssignmentsRequest list;
  v1::ListSettlementAssignmentsResponse listed;
  ASSERT_TRUE(
      env().Call(&Stub::ListSettlementAssignments, env().KommunToken("0305"), list, &listed).ok());
  ASSERT_EQ(listed.settlement_assignments_size(), 1);
  EXPECT_EQ(listed.settlement_assignments(0).name(), habo.name());
  ASSERT_TRUE(
      env().Call(&Stub::ListSettlementAssignments, env().OfficerToken(), list, &listed).ok());
  EXPECT_EQ(listed.settlement_assignments_size(), 2);
  ASSERT_TRUE(
      env().Call(&Stub::ListSettlementAssignments, env().OfficerToken("01"), list, &listed).ok());
  EXPECT_EQ(listed.settlement_assignments_size(), 0);
  list.set_kommunkod("0380");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListSettlementAssignments, env().KommunToken("0305"), list,
                                &listed)),
            "TENANT_MISMATCH");
  list.set_kommunkod("0180");
  EXPECT_EQ(
      ReasonOf(env().Call(&Stub::ListSettlementAssignments, env().OfficerToken(), list, &listed)),
      "LAN_MISMATCH");
  // The overdue list.
  list.set_kommunkod("");
  list.set_state(v1::SETTLEMENT_STATE_OVERDUE);
  ASSERT_TRUE(
      env().Call(&Stub::ListSettlementAssignments, env().OfficerToken(), list, &listed).ok());
  ASSERT_EQ(listed.settlement_assignments_size(), 1);
  EXPECT_EQ(listed.settlement_assignments(0).name(), uppsala.name());

  // Follow-up: the county every kommun, a kommun its own row.
  v1::GetSettlementFollowUpRequest follow;
  follow.set_year(2028);
  v1::SettlementFollowUp county, own;
  ASSERT_TRUE(env().Call(&Stub::GetSettlementFollowUp, env().AdminToken(), follow, &county).ok());
  ASSERT_EQ(county.kommuner_size(), 2);
  EXPECT_EQ(county.county_number(), 10);
  EXPECT_EQ(county.kommuner(1).kommunkod(), "0380");
  EXPECT_EQ(county.kommuner(1).figures().assigned(), 4);
  EXPECT_EQ(county.kommuner(1).figures().overdue(), 4);
  EXPECT_EQ(county.kommuner(1).figures().remaining(), 2);
  ASSERT_TRUE(
      env().Call(&Stub::GetSettlementFollowUp, env().KommunToken("0305"), follow, &own).ok());
  ASSERT_EQ(own.kommuner_size(), 1);
  EXPECT_EQ(own.kommuner(0).kommunkod(), "0305");
  EXPECT_EQ(own.totals().kommun_number(), 4);
  v1::SettlementFollowUpExport csv;
  v1::ExportSettlementFollowUpRequest export_req;
  export_req.set_year(2028);
  ASSERT_TRUE(
      env().Call(&Stub::ExportSettlementFollowUp, env().OfficerToken(), export_req, &csv).ok());
  EXPECT_EQ(csv.filename(), "settlement-follow-up-03-2028.csv");
  EXPECT_EQ(csv.data(),
            "kommunkod,kommun_number,assigned,received,overdue,remaining\r\n"
            "0305,4,2,0,0,2\r\n0380,6,4,0,4,2\r\nlan 03,10,6,0,4,4\r\n");

  // Uppsala receives its household (late); a second reception is refused.
  st = Receive(uppsala.name(), absl::CivilDay(2028, 1, 4), env().KommunToken("0380"), &out);
  EXPECT_EQ(ReasonOf(st), "SETTLEMENT_RECEPTION_INVALID");  // before the assignment
  st = Receive(uppsala.name(), absl::CivilDay(2028, 3, 9), env().KommunToken("0380"), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::SETTLEMENT_STATE_RECEIVED);
  st = Receive(uppsala.name(), absl::CivilDay(2028, 3, 9), env().KommunToken("0380"), &out);
  EXPECT_EQ(ReasonOf(st), "SETTLEMENT_ALREADY_RECEIVED");
  EXPECT_EQ(Events("SettlementReceivedEvent", uppsala.name()), 1);
  ASSERT_TRUE(env().Call(&Stub::GetSettlementFollowUp, env().OfficerToken(), follow, &county).ok());
  EXPECT_EQ(county.kommuner(1).figures().received(), 4);
  EXPECT_EQ(county.kommuner(1).figures().overdue(), 0);

  // The regional overview's section carries the follow-up.
  v1::GetPlacementStatisticsRequest stats_req;
  stats_req.set_year(2028);
  v1::PlacementStatistics stats;
  ASSERT_TRUE(
      env().Call(&Stub::GetPlacementStatistics, env().OfficerToken(), stats_req, &stats).ok());
  EXPECT_EQ(stats.settlement().totals().assigned(), 6);
  EXPECT_EQ(stats.settlement().county_number(), 10);
}

// Overdue the day after the due date, in Stockholm's calendar: assigned 31 December 2027, due
// 29 February 2028 (a leap year), overdue from 1 March 00:00 Stockholm time (still 29 February
// in UTC). The event is raised once.
TEST_F(SettlementTest, OverdueExactlyAfterTwoMonthsAndRaisedOnce) {
  SetNow(absl::CivilDay(2027, 12, 31));
  const v1::SettlementAssignment dec31 =
      MustReport(Assignment("MV-DEC31", 2, "0380", absl::CivilDay(2027, 12, 31)));
  const v1::SettlementAssignment dec30 =
      MustReport(Assignment("MV-DEC30", 1, "0380", absl::CivilDay(2027, 12, 30)));
  const v1::SettlementAssignment nov30 =
      MustReport(Assignment("MV-NOV30", 1, "0305", absl::CivilDay(2027, 11, 30)));
  EXPECT_EQ(dates::DayOf(dec31.due_date()), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(dates::DayOf(dec30.due_date()), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(dates::DayOf(nov30.due_date()), absl::CivilDay(2028, 1, 30));

  std::unique_ptr<pg::Pool> pool = ReplicaPool();
  ASSERT_NE(pool, nullptr);
  SettlementOverdueCheck check(*pool, CheckOptions());
  SetNow(absl::CivilDay(2028, 1, 30), 23, 59);
  ASSERT_TRUE(check.RunOnce().ok());
  EXPECT_EQ(Get(nov30.name()).state(), v1::SETTLEMENT_STATE_ASSIGNED);
  EXPECT_EQ(Events("SettlementOverdueEvent"), 0);
  SetNow(absl::CivilDay(2028, 1, 31), 0, 1);
  ASSERT_TRUE(check.RunOnce().ok());
  EXPECT_EQ(Get(nov30.name()).state(), v1::SETTLEMENT_STATE_OVERDUE);
  EXPECT_EQ(Events("SettlementOverdueEvent", nov30.name()), 1);

  SetNow(absl::CivilDay(2028, 2, 29), 23, 30);
  ASSERT_TRUE(check.RunOnce().ok());
  EXPECT_EQ(Get(dec31.name()).state(), v1::SETTLEMENT_STATE_ASSIGNED);
  EXPECT_EQ(Events("SettlementOverdueEvent", dec31.name()), 0);
  SetNow(absl::CivilDay(2028, 3, 1), 0, 30);  // 29 February 23:30 UTC
  ASSERT_TRUE(check.RunOnce().ok());
  ASSERT_TRUE(check.RunOnce().ok());
  EXPECT_EQ(Get(dec31.name()).state(), v1::SETTLEMENT_STATE_OVERDUE);
  EXPECT_EQ(Events("SettlementOverdueEvent", dec31.name()), 1);
  EXPECT_EQ(Events("SettlementOverdueEvent", dec30.name()), 1);
  EXPECT_EQ(Events("SettlementOverdueEvent"), 3);
  // Received late: the reception counts; no second overdue event.
  v1::SettlementAssignment out;
  ASSERT_TRUE(
      Receive(dec31.name(), absl::CivilDay(2028, 3, 1), env().KommunToken("0380"), &out).ok());
  ASSERT_TRUE(check.RunOnce().ok());
  EXPECT_EQ(Events("SettlementOverdueEvent"), 3);
}

// Two replicas' checks at the same time against one database, in small batches so that their
// rounds interleave: every overdue assignment gets exactly one event.
TEST_F(SettlementTest, TwoReplicasRaiseEachOverdueEventOnce) {
  SetNow(absl::CivilDay(2028, 1, 10));
  constexpr int kAssignments = 60;
  for (int i = 0; i < kAssignments; ++i) {
    MustReport(Assignment(absl::StrCat("MV-R-", i), 1 + i % 5, i % 2 ? "0380" : "0305",
                          absl::CivilDay(2027, 11, 1 + i % 20)));
  }
  SetNow(absl::CivilDay(2028, 3, 1));
  std::unique_ptr<pg::Pool> pool_a = ReplicaPool();
  std::unique_ptr<pg::Pool> pool_b = ReplicaPool();
  ASSERT_NE(pool_a, nullptr);
  ASSERT_NE(pool_b, nullptr);
  SettlementOverdueCheck a(*pool_a, CheckOptions(7));
  SettlementOverdueCheck b(*pool_b, CheckOptions(7));
  std::atomic<int> raised{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (SettlementOverdueCheck* check : {&a, &b, &a, &b}) {
    threads.emplace_back([&, check] {
      for (int round = 0; round < 5; ++round) {
        absl::StatusOr<int> n = check->RunOnce();
        if (n.ok()) {
          raised += *n;
        } else {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // The server's own check (every replica runs one) may have taken some; the outbox is the
  // record: one event per assignment, none twice.
  EXPECT_LE(raised.load(), kAssignments);
  EXPECT_EQ(Events("SettlementOverdueEvent"), kAssignments);
  EXPECT_EQ(
      env().Count(absl::StrCat("SELECT count(DISTINCT aggregate) FROM outbox WHERE event_type = '",
                               kOverdueType, "'")),
      kAssignments);
  EXPECT_EQ(
      env().Count("SELECT count(*) FROM settlement_assignments WHERE overdue_raise_time IS NULL"),
      0);
}

}  // namespace
}  // namespace integration::placement::testing
