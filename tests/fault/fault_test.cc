// The fault scenarios (ctest label fault): the whole suite — every service as a child process
// of its real binary, a PostgreSQL of the test's own behind a TCP proxy, a private Redis, the
// gateway in front — takes writes to all five services through the gateway from several threads
// while one fault is injected; then the checker holds what the clients were told against the
// tables and event streams (history.h) and the services' invariants against PostgreSQL. Each scenario prints its history summary and
// verdict, and appends its row to $FAULT_RESULTS when set (tests/fault/README.md's table).
// FAULT_OUTAGE_SECONDS: how long outages last (default 20; ctest runs 5).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cluster.h"
#include "dispatcher_test_support.h"
#include "history.h"
#include "integration/auth/auth.h"
#include "integration/outbox/consumer.h"
#include "integration/outbox/outbox.h"
#include "integration/pg/dsn.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"
#include "integration/testing/temp_dir.h"
#include "integration/text/uuid.h"
#include "suite.h"

namespace integration::fault {
namespace {

using e2e::Suite;

absl::Duration Outage() {
  int seconds = 20;
  if (const char* s = std::getenv("FAULT_OUTAGE_SECONDS"); s != nullptr) {
    if (!absl::SimpleAtoi(s, &seconds) || seconds < 1) seconds = 20;
  }
  return absl::Seconds(seconds);
}

std::string Today() {
  const absl::CivilDay d = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return absl::StrCat(R"({"year": )", d.year(), R"(, "month": )", d.month(), R"(, "day": )",
                      d.day(), "}");
}

std::string NewId() {
  absl::StatusOr<std::string> id = text::NewUuid();
  return id.ok() ? *id : "";
}

// The load's grants call holds kBudgetOre and every application asks for kAmountOre, so that
// concurrent decisions run into the budget within seconds; an approval is paid out in
// instalments of kInstalmentOre, the second of which must not fit.
constexpr int64_t kAmountOre = 1'000'000;
constexpr int64_t kBudgetOre = 20 * kAmountOre;
constexpr int64_t kInstalmentOre = 600'000;
// The placement unit the children go to: fewer places than the load confirms.
constexpr int kUnitPlaces = 8;
// Orientation: offerings of a few places each, more participants than places.
constexpr int kOfferings = 4;
constexpr int kOfferingCapacity = 5;
constexpr int kParticipants = 40;
// The association with the approved TIA grant, whose activity takes sessions.
constexpr char kOrg[] = "802400-1235";
constexpr char kOrgDigits[] = "8024001235";

// A valid personnummer "YYYYMMDD-NNNC" of someone born `day` (the Luhn check digit over the
// 10-digit form).
std::string Personnummer(absl::CivilDay day, int serial) {
  const std::string digits = absl::StrFormat("%02d%02d%02d%03d", day.year() % 100, day.month(),
                                             day.day(), serial);
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d / 10 + d % 10;
  }
  return absl::StrFormat("%04d%02d%02d-%03d%d", day.year(), day.month(), day.day(), serial,
                         (10 - sum % 10) % 10);
}

// Whether the early-measures session of `seq` is dated outside its activity's period.
bool OutsideActivity(int64_t seq) { return (seq / 7) % 4 == 0; }

// The request of a Get RPC that reads resource `name`.
std::string ByName(const std::string& name) {
  return absl::StrCat(R"({"name": ")", name, R"("})");
}

// A proto3 JSON Date of `d`.
std::string DateJson(absl::CivilDay d) {
  return absl::StrCat(R"({"year": )", d.year(), R"(, "month": )", d.month(), R"(, "day": )",
                      d.day(), "}");
}

// The string field `name` of a JSON object ("" when missing).
std::string Field(const google::protobuf::Struct& json, const std::string& name) {
  auto it = json.fields().find(name);
  return it == json.fields().end() ? "" : it->second.string_value();
}

// Consumes every service's event stream in one consumer group, as a reading service would
// (outbox::Consumer: handled_events de-duplicates by event id), for the whole scenario.
class EventReaders {
 public:
  static constexpr char kGroup[] = "fault-check";

  absl::Status Start(const std::string& admin_dsn, int redis_port,
                     const std::vector<std::string>& services) {
    try {
      pqxx::connection c(admin_dsn);
      pqxx::work tx(c);
      tx.exec("CREATE SCHEMA IF NOT EXISTS fault_checker; SET LOCAL search_path = fault_checker");
      tx.exec(std::string(outbox::OutboxTableSql()));
      tx.commit();
    } catch (const std::exception& e) {
      return absl::InternalError(e.what());
    }
    pg::PoolOptions options;
    options.dsn = admin_dsn;
    options.size = 4;
    options.search_path = "fault_checker";
    auto pool = pg::Pool::Create(std::move(options));
    if (!pool.ok()) return pool.status();
    pool_ = *std::move(pool);
    for (const std::string& s : services) {
      redis::ClientOptions options;
      options.port = redis_port;
      options.pool_size = 2;
      options.command_timeout = std::chrono::milliseconds(2000);
      auto client = redis::Client::Create(options);
      if (!client.ok()) return client.status();
      outbox::ConsumerOptions consumer;
      consumer.stream = outbox::StreamName(s);
      consumer.group = absl::StrCat(kGroup, "-", s);
      consumer.consumer = "checker-1";
      consumer.block = std::chrono::milliseconds(500);
      consumer.max_backoff = std::chrono::milliseconds(1000);
      auto started = outbox::Consumer::Start(
          *pool_, **client, consumer,
          [](pqxx::work&, const outbox::ReceivedEvent&) { return absl::OkStatus(); });
      if (!started.ok()) return started.status();
      clients_.push_back(*std::move(client));
      consumers_.push_back(*std::move(started));
      services_.push_back(s);
    }
    return absl::OkStatus();
  }

  // Waits until every committed event of every service was handled by its group; adds what is
  // missing after 30 s and how many deliveries de-duplication removed to `v`.
  void Check(const std::string& admin_dsn, Verdict& v) {
    pqxx::connection c(admin_dsn);
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    for (size_t i = 0; i < services_.size(); ++i) {
      int64_t missing = 0;
      while (true) {
        pqxx::work tx(c);
        missing = tx.exec1(absl::StrCat(
                               "SELECT count(*) FROM (SELECT event_id FROM ",
                               tx.quote_name(services_[i]),
                               ".outbox EXCEPT SELECT event_id FROM fault_checker.handled_events "
                               "WHERE consumer = ",
                               tx.quote(absl::StrCat(kGroup, "-", services_[i])), ") m"))[0]
                      .as<int64_t>();
        tx.commit();
        if (missing == 0 || absl::Now() > give_up) break;
        absl::SleepFor(absl::Milliseconds(250));
      }
      if (missing > 0) {
        v.events_missing += missing;
        v.problems.push_back(absl::StrCat(services_[i], ": ", missing,
                                          " committed events never reached its readers"));
      }
      v.events_redelivered += consumers_[i]->Stats().duplicates;
    }
  }

  void Stop() {
    for (auto& c : consumers_) c->Stop();
  }

 private:
  std::unique_ptr<pg::Pool> pool_;
  std::vector<std::unique_ptr<redis::Client>> clients_;
  std::vector<std::unique_ptr<outbox::Consumer>> consumers_;
  std::vector<std::string> services_;
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto pg = PostgresServer::Start(dir_.path());
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
    auto proxy = TcpProxy::Start(pg_->port());
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    pg_proxy_ = *std::move(proxy);
    // The services (and the harness) reach PostgreSQL through the proxy; the checker does not.
    ::setenv("INTEGRATION_TEST_PG_DSN", pg_->Dsn(pg_proxy_->port()).c_str(), 1);
    std::vector<e2e::SuiteService> services = e2e::RealServices();
    // The drain scenario watches health turn NOT_SERVING before the listener closes: the
    // services announce their shutdown for a second first, as in production (5 s by default).
    if (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) ==
        "ServiceSigterm") {
      for (e2e::SuiteService& s : services) s.args.push_back("--shutdown-delay=1s");
    }
    auto suite = Suite::Start(std::move(services), {},
                              {{"grants", FAULT_BIN_GRANTS},
                               {"placement", FAULT_BIN_PLACEMENT},
                               {"orientation", FAULT_BIN_ORIENTATION},
                               {"early_measures", FAULT_BIN_EARLY_MEASURES},
                               {"training", FAULT_BIN_TRAINING}});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    auto direct = pg::DsnWith(suite_->service("training").admin_dsn(),
                              {{"port", std::to_string(pg_->port())}});
    ASSERT_TRUE(direct.ok()) << direct.status();
    admin_dsn_ = *direct;
    ASSERT_NO_FATAL_FAILURE(Prepare());
    ASSERT_TRUE(readers_.Start(admin_dsn_, suite_->redis().port(), {"training", "grants", "placement", "orientation", "early_measures"})
                    .ok());
  }

  void TearDown() override {
    readers_.Stop();
    suite_.reset();
  }

  // One setup call through the gateway; its "name".
  std::string Setup(const std::string& method, const std::string& json, const std::string& bearer) {
    LoadDriver driver(suite_->gateway().grpc_target(), {}, 0);
    WriteOp op;
    op.method = method;
    const std::string request = Serialize(method, true, json);
    EXPECT_FALSE(request.empty()) << method << " " << json;
    const Attempt a = driver.Call(op, request, NewId(), bearer);
    EXPECT_EQ(a.outcome, Outcome::kAcknowledged) << method << ": " << a.code << " " << a.message;
    return a.name;
  }

  // What the writes need: a course part to enrol in, an open grants call, a placement key.
  void Prepare() {
    const std::string admin = suite_->Bearer("county_admin", "admin-fault");
    Setup("lansstyrelsen.integration.training.v1.TrainingService.CreatePart",
          R"({"part_id": "felsakerhet", "part": {"title": "Felsäkerhet"}})", admin);
    Setup("lansstyrelsen.integration.grants.v1.GrantsService.CreateProgramme",
          absl::StrCat(R"({"programme": {"name": "programmes/felsakerhet",
             "display_name": "Felsäkerhet", "legal_basis": "Förordning (2010:1122) § 37",
             "description": "Stöd.", "lanskod": "03",
             "eligible_applicant_types": ["APPLICANT_TYPE_KOMMUN"],
             "required_reports": [{"type": "REPORT_TYPE_FINAL",
               "anchor": "REPORT_ANCHOR_PROJECT_END", "months_after": 2}]},
             "request_id": ")", NewId(), R"("})"),
          admin);
    const auto rfc3339 = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
    };
    call_ = Setup("lansstyrelsen.integration.grants.v1.GrantsService.CreateCall",
                  absl::StrCat(R"({"call": {"programme": "programmes/felsakerhet",
                     "title": "Felsäkerhet 2027", "description": "Utlysning.",
                     "open_time": ")", rfc3339(absl::Now() - absl::Hours(1)), R"(",
                     "close_time": ")", rfc3339(absl::Now() + absl::Hours(24 * 30)), R"(",
                     "budget": {"ore": ")", kBudgetOre, R"("},
                     "max_amount_per_application": {"ore": ")", kAmountOre, R"("},
                     "funding_period": {"start_date": {"year": 2027, "month": 1, "day": 1},
                                        "end_date": {"year": 2027, "month": 12, "day": 31}},
                     "criteria": [{"id": "behov", "title": "Behov", "weight": 1}]},
                     "request_id": ")", NewId(), R"("})"),
                  admin);
    Setup("lansstyrelsen.integration.grants.v1.GrantsService.OpenCall",
          absl::StrCat(R"({"name": ")", call_, R"(", "request_id": ")", NewId(), R"("})"), admin);
    const std::string year = absl::StrCat(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()).year());
    const e2e::HttpResult key = e2e::Http(
        suite_->gateway().http_port(), "POST", "/v1/counties/03/allocationKeys", admin,
        absl::StrCat(R"({"name": "counties/03/allocationKeys/)", year,
                     R"(", "countyTotalPerMille": 30, "shares": [
                     {"kommunkod": "0380", "perMille": 20}, {"kommunkod": "0305", "perMille": 10}]})"));
    ASSERT_EQ(key.status, 200) << key.Describe();
    ASSERT_NO_FATAL_FAILURE(PrepareEarlyMeasures());
    ASSERT_NO_FATAL_FAILURE(PrepareOrientation());
    // The unit the placement load fills.
    const e2e::HttpResult unit = e2e::Http(
        suite_->gateway().http_port(), "POST", "/v1/kommuner/0380/units", Kommun("0380"),
        absl::StrCat(R"({"displayName": "HVB Fyris", "type": "UNIT_TYPE_HVB", "places": )",
                     kUnitPlaces, R"(, "minAge": 13, "maxAge": 17, "languages": ["ar"]})"));
    ASSERT_EQ(unit.status, 200) << unit.Describe();
    unit_ = Field(unit.Json(), "name");
  }

  std::string Kommun(const std::string& kommunkod) const {
    integration::testing::Claims claims;
    claims.kommun = kommunkod;
    return suite_->Bearer("municipality_officer", "kommun-" + kommunkod, claims);
  }
  std::string Org() const {
    integration::testing::Claims claims;
    claims.orgnr = kOrg;
    return suite_->Bearer("organisation_rep", absl::StrCat("org-", kOrgDigits), claims);
  }
  std::string Officer() const { return suite_->Bearer("county_officer", "officer-fault"); }

  // The TIA programme, a call and kOrg's approved application, then kOrg's activity (checked
  // against that decision over gRPC by early_measures).
  void PrepareEarlyMeasures() {
    integration::testing::Claims national_claims;
    national_claims.lan = e2e::kLan;
    national_claims.scopes = {"grants.programmes.national"};
    const std::string national = suite_->Bearer("county_admin", "admin-national", national_claims);
    const std::string admin = suite_->Bearer("county_admin", "admin-fault");
    const std::string g = "lansstyrelsen.integration.grants.v1.GrantsService.";
    Setup(g + "CreateProgramme",
          absl::StrCat(R"j({"programme": {"name": "programmes/tia",
             "display_name": "Tidiga insatser för asylsökande",
             "legal_basis": "Förordning (2016:1364)", "description": "Tidiga insatser.",
             "eligible_applicant_types": ["APPLICANT_TYPE_NON_PROFIT_ASSOCIATION"],
             "required_reports": [{"type": "REPORT_TYPE_FINAL",
               "anchor": "REPORT_ANCHOR_PROJECT_END", "months_after": 2}]},
             "request_id": ")j", NewId(), R"("})"),
          national);
    const auto rfc3339 = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
    };
    const std::string call = Setup(
        g + "CreateCall",
        absl::StrCat(R"({"call": {"programme": "programmes/tia", "title": "TIA 2027",
           "description": "Tidiga insatser under 2027.", "open_time": ")",
                     rfc3339(absl::Now() - absl::Hours(1)), R"(", "close_time": ")",
                     rfc3339(absl::Now() + absl::Hours(720)), R"(",
           "budget": {"ore": "500000000"}, "max_amount_per_application": {"ore": "100000000"},
           "funding_period": {"start_date": {"year": 2027, "month": 1, "day": 1},
                              "end_date": {"year": 2027, "month": 12, "day": 31}},
           "criteria": [{"id": "behov", "title": "Behov", "weight": 1}]},
           "request_id": ")", NewId(), R"("})"),
        admin);
    Setup(g + "OpenCall", absl::StrCat(R"({"name": ")", call, R"(", "request_id": ")", NewId(), R"("})"),
          admin);
    const std::string app = Setup(
        g + "CreateApplication",
        absl::StrCat(R"({"parent": ")", call, R"(", "application": {"applicant":
           {"organisationsnummer": ")", kOrg, R"(", "type": "APPLICANT_TYPE_NON_PROFIT_ASSOCIATION",
            "display_name": "Föreningen Språkvänner"}, "project_title": "Svenska",
           "description": "Språkcaféer.", "project_period": {
             "start_date": {"year": 2027, "month": 2, "day": 1},
             "end_date": {"year": 2027, "month": 11, "day": 30}},
           "budget_lines": [{"category": "BUDGET_CATEGORY_PERSONNEL",
             "description": "Cirkelledare", "amount": {"ore": "30000000"}}],
           "requested_amount": {"ore": "30000000"}}, "request_id": ")", NewId(), R"("})"),
        Org());
    Setup(g + "SubmitApplication",
          absl::StrCat(R"({"name": ")", app, R"(", "request_id": ")", NewId(), R"("})"), Org());
    Setup(g + "CreateReview",
          absl::StrCat(R"({"parent": ")", app, R"(", "review": {"scores": [{"criterion_id":
             "behov", "score": 4, "comment": "Tydligt behov"}]}, "request_id": ")", NewId(),
                       R"("})"),
          Officer());
    Setup(g + "DecideApplication",
          absl::StrCat(R"({"name": ")", app, R"(", "outcome": "DECISION_OUTCOME_APPROVED",
             "approved_amount": {"ore": "30000000"}, "conditions": "Slutredovisning.",
             "request_id": ")", NewId(), R"("})"),
          Officer());
    const e2e::HttpResult activity = e2e::Http(
        suite_->gateway().http_port(), "POST",
        absl::StrCat("/v1/organisations/", kOrgDigits, "/activities"), Org(),
        R"({"displayName": "Språkcafé", "type": "ACTIVITY_TYPE_SWEDISH_LANGUAGE",
            "kommunkod": "0380", "period": {"startDate": {"year": 2027, "month": 3, "day": 1},
            "endDate": {"year": 2027, "month": 6, "day": 30}}, "plannedSessions": 10,
            "plannedHours": 20})");
    ASSERT_EQ(activity.status, 200) << activity.Describe();
    activity_ = Field(activity.Json(), "name");
  }

  // Offerings of Uppsala with a few places each and more eligible participants than places.
  void PrepareOrientation() {
    const std::string uppsala = Kommun("0380");
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    for (int i = 0; i < kOfferings; ++i) {
      const e2e::HttpResult r = e2e::Http(
          suite_->gateway().http_port(), "POST", "/v1/offerings", uppsala,
          absl::StrCat(R"({"displayName": "SO på arabiska )", i, R"(", "language": "ar",
              "communicator": "Samira Haddad", "capacity": )", kOfferingCapacity,
                       R"(, "kommunkoder": ["0380"], "period": {"startDate": )",
                       DateJson(today - 60), R"(, "endDate": )", DateJson(today + 60), "}}"));
      ASSERT_EQ(r.status, 200) << r.Describe();
      offerings_.push_back(Field(r.Json(), "name"));
    }
    for (int i = 0; i < kParticipants; ++i) {
      const e2e::HttpResult r = e2e::Http(
          suite_->gateway().http_port(), "POST", "/v1/kommuner/0380/participants", uppsala,
          absl::StrCat(R"({"personnummer": ")", Personnummer(absl::CivilDay(1990, 1, 1) + i, 123),
                       R"(", "registeredKommunkod": "0380", "registrationDate": )",
                       DateJson(today - 30), R"(, "firstRegistrationDate": )",
                       DateJson(today - 30), R"(, "permitType": "PERMIT_TYPE_PROTECTION",
                       "citizenships": ["SY"], "languages": ["ar"]})"));
      ASSERT_EQ(r.status, 200) << r.Describe();
      participants_.push_back(Field(r.Json(), "name"));
    }
  }

  std::string AgencyBearer() const {
    const auto& h = suite_->service("placement");
    auth::TokenClaims claims;
    claims.issuer = h.options().issuer;
    claims.audience = h.options().audience;
    claims.subject = "system-migrationsverket";
    claims.role = "agency_system";
    claims.agency = "migrationsverket";
    claims.scopes = {"placement.arrivals"};
    claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
    claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(2);
    absl::StatusOr<std::string> token = auth::SignToken(claims, h.jwt_key_pem(), "");
    return token.ok() ? "Bearer " + *token : "";
  }

  // Appends to `ops` a write of `service` that takes the name the last op of `ops` was
  // acknowledged with: `body(name)` is its request as JSON without the closing request_id and
  // brace; `bearer` sends it; `get_method` reads the result back by name ("" none); `events` it
  // emits (one audit row).
  static void NextStep(std::vector<WriteOp>& ops, const std::string& service,
                       const std::string& method, const std::string& bearer,
                       const std::string& get_method, int events,
                       std::function<std::string(const std::string&)> body) {
    WriteOp op;
    op.service = service;
    op.method = method;
    op.from_op = static_cast<int>(ops.size()) - 1;
    op.request_json = [body](int64_t, const std::string& rid, const std::string& input) {
      return absl::StrCat(body(input), R"(, "request_id": ")", rid, R"("})");
    };
    op.bearer = [bearer](int64_t) { return bearer; };
    op.events = events;
    op.get_method = get_method;
    op.get_json = ByName;
    ops.push_back(std::move(op));
  }

  // The writes (README.md's table): a learner enrols (training); a kommun applies, submits, an
  // officer decides and pays (grants); Migrationsverket reports an arrival, an officer proposes
  // and confirms a placement (placement); Uppsala enrols participants (orientation); an
  // association records sessions (early_measures). ServiceSigterm names indices 0, 1 and 5.
  std::vector<WriteOp> Ops() {
    std::vector<WriteOp> ops;
    const std::string run = NewId().substr(0, 8);
    {
      WriteOp op;
      op.service = "training";
      op.method = "lansstyrelsen.integration.training.v1.TrainingService.CreateLearner";
      op.request_json = [run](int64_t seq, const std::string& rid, const std::string&) {
        return absl::StrCat(R"({"learner": {"name": "learners/me", "display_name": "Fel )", seq,
                            R"(", "email": "fault-)", run, "-", seq, R"(@example.se",
                            "organisation_type": "ORGANISATION_TYPE_KOMMUN",
                            "organisation_name": "Uppsala kommun", "kommunkod": "0380",
                            "parts": ["parts/felsakerhet"]}, "request_id": ")", rid, R"("})");
      };
      Suite* suite = suite_.get();
      op.bearer = [suite, run](int64_t seq) {
        return suite->Bearer("learner", absl::StrCat("fault-", run, "-", seq));
      };
      op.get_method = "lansstyrelsen.integration.training.v1.TrainingService.GetLearner";
      op.get_json = ByName;
      ops.push_back(std::move(op));
    }
    {
      WriteOp op;
      op.service = "grants";
      op.method = "lansstyrelsen.integration.grants.v1.GrantsService.CreateApplication";
      const std::string call = call_;
      op.request_json = [call](int64_t seq, const std::string& rid, const std::string&) {
        return absl::StrCat(R"({"parent": ")", call, R"(", "application": {"applicant":
            {"kommunkod": "0380", "type": "APPLICANT_TYPE_KOMMUN",
             "display_name": "Uppsala kommun"}, "project_title": "Fel )", seq, R"(",
            "description": "Beredskap.", "project_period": {
              "start_date": {"year": 2027, "month": 2, "day": 1},
              "end_date": {"year": 2027, "month": 11, "day": 30}},
            "budget_lines": [{"category": "BUDGET_CATEGORY_PERSONNEL",
              "description": "Samordnare", "amount": {"ore": "600000"}},
              {"category": "BUDGET_CATEGORY_PREMISES", "description": "Lokaler",
               "amount": {"ore": "400000"}}],
            "requested_amount": {"ore": ")", kAmountOre, R"("}}, "request_id": ")", rid, R"("})");
      };
      const std::string kommun = Kommun("0380");
      op.bearer = [kommun](int64_t) { return kommun; };
      op.events = 0;  // a draft is the applicant's own: no event until it is submitted
      op.get_method = "lansstyrelsen.integration.grants.v1.GrantsService.GetApplication";
      op.get_json = ByName;
      ops.push_back(std::move(op));
    }
    // The draft's way on: submitted by the kommun (a diarienummer), decided by an officer (the
    // call's budget), paid in instalments (the approved amount).
    const std::string officer = Officer();
    const std::string kGrants = "lansstyrelsen.integration.grants.v1.GrantsService.";
    const std::string kPlacement = "lansstyrelsen.integration.placement.v1.PlacementService.";
    NextStep(ops, "grants", kGrants + "SubmitApplication", ops.back().bearer(0),
             kGrants + "GetApplication", 1,
             [](const std::string& draft) { return absl::StrCat(R"({"name": ")", draft, R"(")"); });
    NextStep(ops, "grants", kGrants + "DecideApplication", officer, kGrants + "GetApplication", 1,
             [](const std::string& submitted) {
               return absl::StrCat(R"({"name": ")", submitted,
                                   R"(", "outcome": "DECISION_OUTCOME_APPROVED", "approved_amount":
                                   {"ore": ")", kAmountOre, R"("}, "conditions": "Slutrapport.")");
             });
    NextStep(ops, "grants", kGrants + "CreateDisbursement", officer, "", 0,
             [](const std::string& decided) {
               return absl::StrCat(R"({"parent": ")", decided, R"(", "disbursement": {"amount":
                   {"ore": ")", kInstalmentOre, R"("}, "scheduled_date": {"year": 2027,
                   "month": 3, "day": 1}})");
             });
    ops.back().uses_per_input = 2;  // 2 x kInstalmentOre > kAmountOre: the second is refused
    {
      WriteOp op;
      op.service = "placement";
      op.method = "lansstyrelsen.integration.placement.v1.PlacementService.ReportArrival";
      const std::string today = Today();
      // Dossier numbers "NN-NNNNNN": a prefix of this run, the sequence number after it.
      const int prefix = 10 + static_cast<int>(std::hash<std::string>()(run) % 90);
      op.request_json = [today, prefix](int64_t seq, const std::string& rid,
                                        const std::string&) {
        return absl::StrCat(R"({"arrival": {"dossier_number": ")", prefix, "-",
                            absl::StrFormat("%06d", seq % 1000000),
                            R"(", "assessed_age": 15, "sex": "SEX_FEMALE", "languages": ["ar"],
                            "needs": "Skolstart", "arrival_kommunkod": "0380",
                            "arrival_date": )", today, R"(}, "request_id": ")", rid, R"("})");
      };
      const std::string agency = AgencyBearer();
      op.bearer = [agency](int64_t) { return agency; };
      // The child and its assignment to a kommun: two audit rows, two events.
      op.audit_rows = 2;
      op.events = 2;
      op.get_method = "lansstyrelsen.integration.placement.v1.PlacementService.GetChild";
      op.get_json = [](const std::string& name) {
        return absl::StrCat(R"({"name": ")", name, R"(", "purpose": "kontroll"})");
      };
      op.get_bearer = [officer] { return officer; };
      ops.push_back(std::move(op));
    }
    // The child's way on: proposed for the unit and confirmed (the unit's places).
    const std::string unit = unit_;
    NextStep(ops, "placement", kPlacement + "CreatePlacement", officer, kPlacement + "GetPlacement",
             0, [unit](const std::string& child) {
               return absl::StrCat(R"({"parent": ")", child, R"(", "placement": {"unit": ")", unit,
                                   R"("})");
             });
    NextStep(ops, "placement", kPlacement + "ConfirmPlacement", officer,
             kPlacement + "GetPlacement", 1,
             [](const std::string& proposal) {
               return absl::StrCat(R"({"name": ")", proposal, R"(")");
             });
    {
      // Uppsala enrols its participants in its offerings: more tries than places.
      WriteOp op;
      op.service = "orientation";
      op.method = "lansstyrelsen.integration.orientation.v1.OrientationService.CreateEnrolment";
      const std::vector<std::string> offerings = offerings_;
      const std::vector<std::string> participants = participants_;
      op.request_json = [offerings, participants](int64_t seq, const std::string& rid,
                                                  const std::string&) {
        // Every offering in turn (seq falls mostly on one residue of the op count).
        const size_t turn = static_cast<size_t>(seq / 10);
        return absl::StrCat(R"({"parent": ")",
                            participants[(turn / offerings.size()) % participants.size()],
                            R"(", "enrolment": {"offering": ")", offerings[turn % offerings.size()],
                            R"("}, "request_id": ")", rid, R"("})");
      };
      const std::string uppsala = Kommun("0380");
      op.bearer = [uppsala](int64_t) { return uppsala; };
      op.get_method = "lansstyrelsen.integration.orientation.v1.OrientationService.GetEnrolment";
      op.get_json = ByName;
      ops.push_back(std::move(op));
    }
    {
      // The association records its activity's sessions; every fourth falls outside the
      // activity's period and must be refused.
      WriteOp op;
      op.service = "early_measures";
      op.method = "lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService.CreateSession";
      const std::string activity = activity_;
      op.request_json = [activity](int64_t seq, const std::string& rid, const std::string&) {
        const absl::CivilDay day = OutsideActivity(seq) ? absl::CivilDay(2027, 8, 2)
                                                        : absl::CivilDay(2027, 3, 1) + seq % 120;
        return absl::StrCat(R"({"parent": ")", activity, R"(", "session": {"date": )",
                            DateJson(day), R"(, "duration_minutes": 90}, "request_id": ")", rid,
                            R"("})");
      };
      const std::string org = Org();
      op.bearer = [org](int64_t) { return org; };
      op.events = 0;
      ops.push_back(std::move(op));
    }
    return ops;
  }

  // Load for a few seconds, `inject` the fault (it returns once the fault is healed), load for a
  // few seconds more, then check. `target`: the gateway the load goes to (default: the suite's).
  void Run(const std::string& scenario, const std::function<void()>& inject,
           std::string target = "",
           const std::function<void(const LoadDriver&, const std::vector<Record>&, Verdict&)>&
               also = nullptr) {
    if (target.empty()) target = suite_->gateway().grpc_target();
    LoadDriver driver(target, Ops(), 4);
    driver.Start();
    absl::SleepFor(absl::Seconds(3));
    inject();
    const absl::Time healed = absl::Now();
    absl::SleepFor(absl::Seconds(5));
    driver.Stop();
    PrintPerOp(driver);
    Verdict v = Check(scenario, admin_dsn_, driver, driver.Records(), healed);
    if (also) also(driver, driver.Records(), v);
    readers_.Check(admin_dsn_, v);
    Invariants(v, driver, driver.Records());
    std::cout << v.Summary() << std::endl;
    if (const char* file = std::getenv("FAULT_RESULTS"); file != nullptr && *file != '\0') {
      std::ofstream(file, std::ios::app) << v.TableRow() << "\n";
    }
    EXPECT_TRUE(v.ok()) << v.Summary();
    EXPECT_GT(v.acknowledged, 0) << "no write went through at all";
  }

  // Per write: how many were sent, acknowledged, refused (by reason) and unknown.
  static void PrintPerOp(const LoadDriver& driver) {
    struct Counts {
      int64_t sent = 0, acknowledged = 0, unknown = 0;
      std::map<std::string, int64_t> refused;
    };
    std::vector<Counts> per(driver.ops().size());
    for (const Record& r : driver.Records()) {
      Counts& c = per[r.op];
      ++c.sent;
      if (r.first.outcome == Outcome::kAcknowledged) ++c.acknowledged;
      if (r.first.outcome == Outcome::kUnknown) ++c.unknown;
      if (r.first.outcome == Outcome::kRefused) {
        ++c.refused[absl::StrCat(static_cast<int>(r.first.code), " ",
                                 r.first.message.substr(0, 40))];
      }
    }
    for (size_t i = 0; i < per.size(); ++i) {
      const std::string& method = driver.ops()[i].method;
      std::cout << "  " << method.substr(method.rfind('.') + 1) << ": " << per[i].sent
                << " sent, " << per[i].acknowledged << " acknowledged, " << per[i].unknown
                << " unknown";
      for (const auto& [why, n] : per[i].refused) std::cout << "; refused " << n << "x " << why;
      std::cout << std::endl;
    }
  }

  // The services' promises, read from PostgreSQL after the run (README.md, "What the checker
  // holds"); each breach counts as an invariant violation. Then whether the load reached the
  // limits these checks are about (a budget spent, a unit and offerings full, sessions refused
  // outside their activity), so that none of them passes for want of trying.
  void Invariants(Verdict& v, const LoadDriver& driver, const std::vector<Record>& records) {
    static constexpr const char* kSchemas[] = {"training", "grants", "placement", "orientation",
                                               "early_measures"};
    std::string request_ids, event_ids;
    for (const char* schema : kSchemas) {
      absl::StrAppend(&request_ids, request_ids.empty() ? "" : " UNION ALL ",
                      "SELECT scope, request_id FROM ", schema,
                      ".request_ids GROUP BY 1, 2 HAVING count(*) > 1");
      absl::StrAppend(&event_ids, event_ids.empty() ? "" : " UNION ALL ", "SELECT event_id FROM ",
                      schema, ".outbox");
    }
    const std::pair<std::string, std::string> checks[] = {
        {"request id recorded twice", absl::StrCat("SELECT count(*) FROM (", request_ids, ") d")},
        {"event id in an outbox twice",
         absl::StrCat("SELECT count(*) FROM (SELECT event_id FROM (", event_ids,
                      ") e GROUP BY event_id HAVING count(*) > 1) d")},
        {"diarienummer given twice",
         "SELECT count(*) FROM (SELECT diarienummer FROM grants.applications WHERE diarienummer "
         "IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d"},
        // Numbers are taken in the submitting transaction (a rollback gives its number back):
        // the committed ones of a registry and year are exactly 1..last.
        {"diarienummer series with a gap or a number past its sequence",
         "SELECT count(*) FROM grants.diarienummer_sequences s LEFT JOIN (SELECT "
         "split_part(diarienummer, '-', 1)::int AS registry, split_part(diarienummer, '-', 3)::int "
         "AS year, count(DISTINCT split_part(diarienummer, '-', 2)::bigint) AS numbers, "
         "max(split_part(diarienummer, '-', 2)::bigint) AS top FROM grants.applications WHERE "
         "diarienummer IS NOT NULL GROUP BY 1, 2) a USING (registry, year) WHERE "
         "coalesce(a.numbers, 0) <> s.last OR coalesce(a.top, 0) <> s.last"},
        {"call whose approvals exceed its budget",
         "SELECT count(*) FROM grants.calls c WHERE c.budget_ore < (SELECT coalesce(sum("
         "approved_ore), 0) FROM grants.applications a WHERE a.call_id = c.call_id AND a.state = "
         "'DECIDED')"},
        {"call whose approved total differs from its decisions",
         "SELECT count(*) FROM grants.calls c WHERE c.approved_total_ore <> (SELECT coalesce(sum("
         "approved_ore), 0) FROM grants.applications a WHERE a.call_id = c.call_id AND a.state = "
         "'DECIDED')"},
        {"application with more instalments than its approved amount",
         "SELECT count(*) FROM grants.applications a WHERE a.approved_ore < (SELECT coalesce(sum("
         "amount_ore), 0) FROM grants.disbursements d WHERE d.application_id = a.application_id "
         "AND d.state <> 'CANCELLED')"},
        {"application whose paid amount differs from its paid instalments",
         "SELECT count(*) FROM grants.applications a WHERE a.paid_ore <> (SELECT coalesce(sum("
         "amount_ore), 0) FROM grants.disbursements d WHERE d.application_id = a.application_id "
         "AND d.state = 'PAID')"},
        {"unit with more confirmed and active placements than places",
         "SELECT count(*) FROM placement.units u WHERE u.places < (SELECT count(*) FROM "
         "placement.placements p WHERE p.unit_id = u.unit_id AND p.state IN ('CONFIRMED', "
         "'ACTIVE'))"},
        {"child with two open placements",
         "SELECT count(*) FROM (SELECT child_id FROM placement.placements WHERE state IN "
         "('CONFIRMED', 'ACTIVE') GROUP BY 1 HAVING count(*) > 1) d"},
        {"offering with more enrolments than its capacity",
         "SELECT count(*) FROM orientation.offerings o WHERE o.capacity < (SELECT count(*) FROM "
         "orientation.enrolments e WHERE e.offering_id = o.offering_id)"},
        {"early-measures session outside its activity's period",
         "SELECT count(*) FROM early_measures.sessions s JOIN early_measures.activities a USING "
         "(activity_id) WHERE s.session_date NOT BETWEEN a.period_start AND a.period_end"},
    };
    pqxx::connection c(admin_dsn_);
    pqxx::work tx(c);
    for (const auto& [what, sql] : checks) {
      const pqxx::result r = tx.exec(sql);
      const int64_t n = r.empty() ? 0 : r[0][0].as<int64_t>();
      if (n > 0) {
        v.invariant_violations += n;
        v.problems.push_back(absl::StrCat(what, ": ", n));
      }
    }
    KommunNumbers(tx, v);

    // Exercised: the limits were reached.
    const int64_t approved_total =
        tx.exec1(absl::StrCat("SELECT approved_total_ore FROM grants.calls WHERE call_id = ",
                              tx.quote(call_.substr(call_.rfind('/') + 1))))[0]
            .as<int64_t>();
    EXPECT_GT(approved_total + kAmountOre, kBudgetOre)
        << "the load never spent the call's budget: the budget check ran on nothing";
    const int64_t with_instalments =
        tx.exec1("SELECT count(*) FROM grants.applications a WHERE (SELECT count(*) FROM "
                 "grants.disbursements d WHERE d.application_id = a.application_id) >= 1")[0]
            .as<int64_t>();
    EXPECT_GT(with_instalments, 0) << "no instalment was scheduled";
    const int64_t taken =
        tx.exec1(absl::StrCat("SELECT count(*) FROM placement.placements WHERE state IN "
                              "('CONFIRMED', 'ACTIVE') AND unit_id = ",
                              tx.quote(unit_.substr(unit_.rfind('/') + 1))))[0]
            .as<int64_t>();
    EXPECT_EQ(taken, kUnitPlaces) << "the load never filled the unit";
    const int64_t full_offerings =
        tx.exec1("SELECT count(*) FROM orientation.offerings o WHERE o.capacity = (SELECT "
                 "count(*) FROM orientation.enrolments e WHERE e.offering_id = o.offering_id)")[0]
            .as<int64_t>();
    EXPECT_GT(full_offerings, 0) << "the load never filled an offering";
    int64_t outside = 0;
    for (const Record& r : records) {
      if (driver.ops()[r.op].service == "early_measures" && OutsideActivity(r.seq)) ++outside;
    }
    EXPECT_GT(outside, 0) << "no session outside its activity was tried";
    tx.commit();
    std::cout << "limits reached: approved " << approved_total << " of " << kBudgetOre
              << " öre, unit " << taken << " of " << kUnitPlaces << " places, " << full_offerings
              << " of " << kOfferings << " offerings full, " << outside
              << " sessions tried outside their activity" << std::endl;
  }

  // The kommun numbers placement reports (GetPlacementStatistics through the gateway) against
  // the children in PostgreSQL: per kommun of the key the children assigned to it, and the
  // assignment rule's promise that a kommun is never more than one child away from its share
  // of the county's assignments (the rule picks the kommun furthest below its share).
  void KommunNumbers(pqxx::work& tx, Verdict& v) {
    const std::string year = absl::StrCat(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()).year());
    const e2e::HttpResult r = e2e::Http(suite_->gateway().http_port(), "GET",
                                        "/v1/placementStatistics?year=" + year, Officer());
    if (r.status != 200) {
      ++v.invariant_violations;
      v.problems.push_back("placement statistics unreadable: " + r.Describe());
      return;
    }
    const google::protobuf::Struct stats = r.Json();
    const auto count = [](const google::protobuf::Struct& figure, const std::string& field,
                          bool* suppressed) -> int64_t {
      auto it = figure.fields().find(field);
      if (it == figure.fields().end()) return 0;
      const auto& f = it->second.struct_value().fields();
      if (auto s = f.find("suppressed"); s != f.end() && s->second.bool_value()) *suppressed = true;
      auto value = f.find("value");
      if (value == f.end()) return 0;
      int64_t n = 0;
      return absl::SimpleAtoi(value->second.string_value(), &n) ? n : 0;
    };
    int kommuner = 0;
    for (const auto& k : stats.fields().at("kommuner").list_value().values()) {
      const google::protobuf::Struct& kommun = k.struct_value();
      const std::string kommunkod = Field(kommun, "kommunkod");
      bool suppressed = false;
      const auto figures = kommun.fields().find("figures");
      if (figures == kommun.fields().end()) continue;
      const int64_t reported = count(figures->second.struct_value(), "assignments", &suppressed);
      const int64_t expected = count(kommun, "expectedAssignments", &suppressed);
      const int64_t stored =
          tx.exec1(absl::StrCat("SELECT count(*) FROM placement.children WHERE state = "
                                "'ASSIGNED' AND kommunkod = ",
                                tx.quote(kommunkod), " AND extract(year FROM arrival_date) = ",
                                year))[0]
              .as<int64_t>();
      ++kommuner;
      if (suppressed) continue;
      if (reported != stored) {
        ++v.invariant_violations;
        v.problems.push_back(absl::StrCat("kommun ", kommunkod, ": reported ", reported,
                                          " assignments, ", stored, " stored"));
      }
      if (std::abs(stored - expected) > 1) {
        ++v.invariant_violations;
        v.problems.push_back(absl::StrCat("kommun ", kommunkod, ": ", stored,
                                          " assignments against its share's ", expected));
      }
      std::cout << "kommun " << kommunkod << ": " << stored << " assigned, " << expected
                << " by its share" << std::endl;
    }
    EXPECT_GT(kommuner, 0) << r.body;
    // The county's sum: every child of the county assigned in the year, whichever kommun.
    bool suppressed = false;
    const auto totals = stats.fields().find("totals");
    const int64_t reported =
        totals == stats.fields().end()
            ? -1
            : count(totals->second.struct_value(), "assignments", &suppressed);
    const int64_t stored =
        tx.exec1(absl::StrCat("SELECT count(*) FROM placement.children WHERE state = 'ASSIGNED' "
                              "AND lanskod = '03' AND extract(year FROM arrival_date) = ",
                              year))[0]
            .as<int64_t>();
    if (!suppressed && reported != stored) {
      ++v.invariant_violations;
      v.problems.push_back(absl::StrCat("county 03: reported ", reported, " assignments, ",
                                        stored, " stored"));
    }
  }

  integration::testing::TempDir dir_{"fault_"};
  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<TcpProxy> pg_proxy_;
  std::unique_ptr<Suite> suite_;
  std::string admin_dsn_;
  std::string call_;
  std::string unit_;
  std::string activity_;
  std::vector<std::string> offerings_;
  std::vector<std::string> participants_;
  EventReaders readers_;
};

TEST_F(FaultTest, ServiceSigkill) {
  Run("service SIGKILL + restart", [&] {
    for (const char* name : {"training", "grants", "placement"}) {
      suite_->service(name).Kill();
      absl::SleepFor(absl::Seconds(1));
      ASSERT_TRUE(suite_->service(name).Restart().ok()) << suite_->service(name).ServerOutput();
      absl::SleepFor(absl::Seconds(1));
    }
  });
}

// What grpc.health.v1 Check on "" (the whole server) at `target` answers: "SERVING",
// "NOT_SERVING" or, when the call fails, "DOWN <code>".
std::string HealthOf(const std::string& target) {
  gateway::testing::CallOptions options;
  options.timeout = absl::Milliseconds(200);
  const gateway::testing::CallResult r =
      gateway::testing::CallRaw(target, "/grpc.health.v1.Health/Check", "", options);
  if (!r.status.ok()) return absl::StrCat("DOWN ", static_cast<int>(r.status.error_code()));
  if (r.response == std::string("\x08\x01", 2)) return "SERVING";
  if (r.response == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return "UNKNOWN";
}

// Drain (SIGTERM), checked in its order for each of training, grants and placement while the
// load runs: a write of the service is held in flight by a table lock taken beforehand; then
// SIGTERM, and from that moment health is polled directly at the service: it must turn
// NOT_SERVING before the listener goes (never SERVING again); once it is gone a new call straight
// to the service must be refused (UNAVAILABLE); only then is the lock released, and the held
// write must still finish acknowledged. Every breach counts as an invariant violation.
TEST_F(FaultTest, ServiceSigterm) {
  std::vector<std::string> breaches;
  struct Probe {
    const char* service;
    const char* table;  // its create writes a row here
    size_t op;          // Ops() index of the service's create
  };
  const Probe probes[] = {{"training", "training.learners", 0},
                          {"grants", "grants.applications", 1},
                          {"placement", "placement.children", 5}};
  Run(
      "service SIGTERM (drain) + restart",
      [&] {
        LoadDriver prober(suite_->gateway().grpc_target(), Ops(), 0);
        int64_t seq = 900'000;
        for (const Probe& p : probes) {
          const std::string target = suite_->service(p.service).target();
          const Record held = prober.Prepare(p.op, seq++);
          const Record fresh = prober.Prepare(p.op, seq++);
          pqxx::connection lock_conn(admin_dsn_);
          pqxx::work lock(lock_conn);
          lock.exec(absl::StrCat("LOCK TABLE ", p.table, " IN EXCLUSIVE MODE"));
          Attempt held_answer;
          std::thread in_flight([&] {
            held_answer =
                prober.Call(prober.ops()[p.op], held.request, held.request_id, held.bearer);
          });
          // Wait until the held write waits for the lock inside the service.
          bool waiting = false;
          for (int i = 0; i < 100 && !waiting; ++i) {
            pqxx::connection c(admin_dsn_);
            pqxx::nontransaction q(c);
            waiting = q.exec1(absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE usename = ",
                                           q.quote(absl::StrCat(p.service, "_svc")),
                                           " AND wait_event_type = 'Lock' AND query ILIKE '%",
                                           std::string(p.table).substr(
                                               std::string(p.table).find('.') + 1),
                                           "%'"))[0]
                          .as<int64_t>() > 0;
            if (!waiting) absl::SleepFor(absl::Milliseconds(30));
          }
          if (!waiting) breaches.push_back(absl::StrCat(p.service, ": the held write never waited"));

          const absl::Time signalled = absl::Now();
          suite_->service(p.service).Terminate();
          std::vector<std::pair<absl::Duration, std::string>> seen;
          while (absl::Now() - signalled < absl::Seconds(10)) {
            std::string state = HealthOf(target);
            if (seen.empty() || seen.back().second != state) {
              seen.emplace_back(absl::Now() - signalled, state);
            }
            if (absl::StartsWith(state, "DOWN")) break;
            absl::SleepFor(absl::Milliseconds(5));
          }
          std::string order;
          for (const auto& [at, state] : seen) {
            absl::StrAppend(&order, order.empty() ? "" : " -> ", state, " (",
                            absl::FormatDuration(at), ")");
          }
          std::cout << p.service << " after SIGTERM: " << order << std::endl;
          // SERVING (until the signal is handled), then NOT_SERVING, then gone.
          size_t i = 0;
          while (i < seen.size() && seen[i].second == "SERVING") ++i;
          if (i == seen.size() || seen[i].second != "NOT_SERVING") {
            breaches.push_back(absl::StrCat(p.service, ": health did not turn NOT_SERVING first: ",
                                            order));
          } else if (i + 1 >= seen.size() || !absl::StartsWith(seen[i + 1].second, "DOWN")) {
            breaches.push_back(absl::StrCat(p.service, ": health after NOT_SERVING: ", order));
          }
          // New calls are refused.
          gateway::testing::CallOptions direct;
          direct.metadata["authorization"] = fresh.bearer;
          direct.metadata["x-request-id"] = fresh.request_id;
          direct.timeout = absl::Seconds(2);
          const std::string& method = prober.ops()[p.op].method;
          const gateway::testing::CallResult refused = gateway::testing::CallRaw(
              target,
              absl::StrCat("/", method.substr(0, method.rfind('.')), "/",
                           method.substr(method.rfind('.') + 1)),
              fresh.request, direct);
          if (refused.status.error_code() != ::grpc::StatusCode::UNAVAILABLE) {
            breaches.push_back(absl::StrCat(p.service, ": a new call after the drain began got ",
                                            static_cast<int>(refused.status.error_code()), " ",
                                            refused.status.error_message()));
          }
          // The held write finishes.
          lock.abort();
          in_flight.join();
          if (held_answer.outcome != Outcome::kAcknowledged) {
            breaches.push_back(absl::StrCat(p.service, ": the write in flight at SIGTERM got ",
                                            static_cast<int>(held_answer.code), " ",
                                            held_answer.message));
          }
          ASSERT_TRUE(suite_->service(p.service).Restart().ok())
              << suite_->service(p.service).ServerOutput();
          absl::SleepFor(absl::Seconds(1));
        }
      },
      "",
      [&](const LoadDriver&, const std::vector<Record>&, Verdict& v) {
        for (const std::string& b : breaches) {
          ++v.invariant_violations;
          v.problems.push_back(b);
        }
      });
}

TEST_F(FaultTest, GatewayRestart) {
  Run("gateway restart", [&] {
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(suite_->RestartGateway().ok());
      absl::SleepFor(absl::Seconds(1));
    }
  });
}

TEST_F(FaultTest, PostgresKill9) {
  Run("PostgreSQL kill -9 + restart", [&] {
    auto down = pg_->KillAndRestart();
    ASSERT_TRUE(down.ok()) << down.status();
    std::cout << "PostgreSQL was down for " << absl::FormatDuration(*down) << std::endl;
  });
}

TEST_F(FaultTest, PostgresUnreachable) {
  Run(absl::StrCat("PostgreSQL unreachable ", absl::FormatDuration(Outage())), [&] {
    pg_proxy_->Stall(true);
    absl::SleepFor(Outage());
    pg_proxy_->CutAll();
    pg_proxy_->Stall(false);
  });
}

TEST_F(FaultTest, RedisStoppedAndEmpty) {
  Run(absl::StrCat("Redis stopped ", absl::FormatDuration(Outage()), ", started empty"), [&] {
    suite_->redis().Stop();
    absl::SleepFor(Outage());
    ASSERT_TRUE(suite_->redis().Restart().ok());
  });
}

TEST_F(FaultTest, SlowNetworkToAService) {
  // A second gateway that reaches grants through the proxy: 150 ms per chunk, 2 % of the chunks
  // cut their connection.
  const std::string& grants = suite_->service("grants").target();
  auto proxy = TcpProxy::Start(std::stoi(grants.substr(grants.rfind(':') + 1)));
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  e2e::GatewayConfig config;
  config.backend_addresses["grants"] = absl::StrCat("127.0.0.1:", (*proxy)->port());
  auto gateway = suite_->StartGateway(config);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  Run(absl::StrCat("slow network gateway-grants ", absl::FormatDuration(Outage())),
      [&] {
        (*proxy)->SetDelay(absl::Milliseconds(150));
        (*proxy)->SetCutPerMille(20);
        absl::SleepFor(Outage());
        (*proxy)->SetDelay(absl::ZeroDuration());
        (*proxy)->SetCutPerMille(0);
      },
      (*gateway)->grpc_target());
}

}  // namespace
}  // namespace integration::fault
