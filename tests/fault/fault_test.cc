// The fault scenarios (ctest label fault): the whole suite — every service as a child process
// of its real binary, a PostgreSQL of the test's own behind a TCP proxy, a private Redis, the
// gateway in front — takes writes to training, grants and placement through the gateway from
// several threads while one fault is injected; then the checker holds what the clients were told
// against the tables and event streams (history.h). Each scenario prints its history summary and
// verdict, and appends its row to $FAULT_RESULTS when set (tests/fault/README.md's table).
// FAULT_OUTAGE_SECONDS: how long outages last (default 20; ctest runs 5).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cluster.h"
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
    auto suite = Suite::Start(e2e::RealServices(), {},
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
    ASSERT_TRUE(readers_.Start(admin_dsn_, suite_->redis().port(), {"training", "grants", "placement"}).ok());
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
                     "budget": {"ore": "50000000000"},
                     "max_amount_per_application": {"ore": "100000000"},
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

  // The writes: a learner enrols (training), a kommun applies (grants), Migrationsverket
  // reports an arrival (placement).
  std::vector<WriteOp> Ops() {
    std::vector<WriteOp> ops;
    const std::string run = NewId().substr(0, 8);
    {
      WriteOp op;
      op.service = "training";
      op.method = "lansstyrelsen.integration.training.v1.TrainingService.CreateLearner";
      op.request_json = [run](int64_t seq, const std::string& rid) {
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
      op.get_json = [](const std::string& name) {
        return absl::StrCat(R"({"name": ")", name, R"("})");
      };
      ops.push_back(std::move(op));
    }
    {
      WriteOp op;
      op.service = "grants";
      op.method = "lansstyrelsen.integration.grants.v1.GrantsService.CreateApplication";
      const std::string call = call_;
      op.request_json = [call](int64_t seq, const std::string& rid) {
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
            "requested_amount": {"ore": "1000000"}}, "request_id": ")", rid, R"("})");
      };
      integration::testing::Claims claims;
      claims.kommun = "0380";
      const std::string kommun = suite_->Bearer("municipality_officer", "kommun-0380", claims);
      op.bearer = [kommun](int64_t) { return kommun; };
      op.events = 0;  // a draft is the applicant's own: no event until it is submitted
      op.get_method = "lansstyrelsen.integration.grants.v1.GrantsService.GetApplication";
      op.get_json = [](const std::string& name) {
        return absl::StrCat(R"({"name": ")", name, R"("})");
      };
      ops.push_back(std::move(op));
    }
    {
      WriteOp op;
      op.service = "placement";
      op.method = "lansstyrelsen.integration.placement.v1.PlacementService.ReportArrival";
      const std::string today = Today();
      // Dossier numbers "NN-NNNNNN": a prefix of this run, the sequence number after it.
      const int prefix = 10 + static_cast<int>(std::hash<std::string>()(run) % 90);
      op.request_json = [today, prefix](int64_t seq, const std::string& rid) {
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
      const std::string officer = suite_->Bearer("county_officer", "officer-fault");
      op.get_bearer = [officer] { return officer; };
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
    Verdict v = Check(scenario, admin_dsn_, driver, driver.Records(), healed);
    if (also) also(driver, driver.Records(), v);
    readers_.Check(admin_dsn_, v);
    Invariants(v);
    std::cout << v.Summary() << std::endl;
    if (const char* file = std::getenv("FAULT_RESULTS"); file != nullptr && *file != '\0') {
      std::ofstream(file, std::ios::app) << v.TableRow() << "\n";
    }
    EXPECT_TRUE(v.ok()) << v.Summary();
    EXPECT_GT(v.acknowledged, 0) << "no write went through at all";
  }

  // Domain invariants that hold whatever happened: one diarienummer names one application; no
  // application asks for more than its call's maximum; no placement child twice per dossier.
  void Invariants(Verdict& v) {
    pqxx::connection c(admin_dsn_);
    pqxx::work tx(c);
    const std::pair<const char*, const char*> checks[] = {
        {"diarienummer given twice",
         "SELECT count(*) FROM (SELECT diarienummer FROM grants.applications WHERE diarienummer "
         "IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d"},
        {"request id recorded twice",
         "SELECT count(*) FROM (SELECT scope, request_id FROM training.request_ids GROUP BY 1, 2 "
         "HAVING count(*) > 1 UNION ALL SELECT scope, request_id FROM grants.request_ids GROUP "
         "BY 1, 2 HAVING count(*) > 1 UNION ALL SELECT scope, request_id FROM "
         "placement.request_ids GROUP BY 1, 2 HAVING count(*) > 1) d"},
        {"event id in an outbox twice",
         "SELECT count(*) FROM (SELECT event_id FROM training.outbox UNION ALL SELECT event_id "
         "FROM grants.outbox UNION ALL SELECT event_id FROM placement.outbox) e GROUP BY event_id "
         "HAVING count(*) > 1"},
    };
    for (const auto& [what, sql] : checks) {
      const pqxx::result r = tx.exec(sql);
      const int64_t n = r.empty() ? 0 : r[0][0].as<int64_t>();
      if (n > 0) {
        v.invariant_violations += n;
        v.problems.push_back(absl::StrCat(what, ": ", n));
      }
    }
  }

  integration::testing::TempDir dir_{"fault_"};
  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<TcpProxy> pg_proxy_;
  std::unique_ptr<Suite> suite_;
  std::string admin_dsn_;
  std::string call_;
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

// Drain: a call the service was already handling when SIGTERM came (sent at least 500 ms before,
// still running then) finishes with its answer; later ones may be turned away (UNAVAILABLE).
TEST_F(FaultTest, ServiceSigterm) {
  std::map<std::string, absl::Time> terminated;
  Run(
      "service SIGTERM (drain) + restart",
      [&] {
        for (const char* name : {"training", "grants", "placement"}) {
          terminated[name] = absl::Now();
          suite_->service(name).Stop();  // SIGTERM, drained, exited
          ASSERT_TRUE(suite_->service(name).Restart().ok())
              << suite_->service(name).ServerOutput();
          absl::SleepFor(absl::Seconds(1));
        }
      },
      "",
      [&](const LoadDriver& driver, const std::vector<Record>& records, Verdict& v) {
        int64_t in_flight = 0;
        for (const Record& r : records) {
          const auto t = terminated.find(driver.ops()[r.op].service);
          if (t == terminated.end() || r.start > t->second - absl::Milliseconds(500) ||
              r.end < t->second) {
            continue;
          }
          ++in_flight;
          if (r.first.outcome != Outcome::kAcknowledged) {
            ++v.invariant_violations;
            v.problems.push_back(absl::StrCat("in flight at SIGTERM but not finished: ",
                                              r.request_id, " ", r.first.message));
          }
        }
        std::cout << "calls in flight at a SIGTERM: " << in_flight << std::endl;
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
