// Integration tests of the outbox against a real PostgreSQL and Redis: what the relay publishes
// (and does not), events surviving a Redis outage, and consumers handling each event once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/outbox/consumer.h"
#include "integration/outbox/outbox.h"
#include "integration/outbox/relay.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"
#include "integration/store/store.h"
#include "integration/testing/environment.h"
#include "integration/testing/free_port.h"

namespace integration::outbox {
namespace {

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(15)) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

redis::ClientOptions RedisOptions(int port) {
  redis::ClientOptions o;
  o.host = testing::RedisHost();
  o.port = port;
  o.pool_size = 4;
  o.connect_timeout = std::chrono::milliseconds(300);
  o.command_timeout = std::chrono::milliseconds(3000);
  return o;
}

std::unique_ptr<redis::Client> NewRedis(int port = testing::RedisPort()) {
  auto c = redis::Client::Create(RedisOptions(port));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// A stream entry read back with XRANGE.
struct StreamEntry {
  std::string id;
  std::map<std::string, std::string> fields;
};

std::vector<StreamEntry> ReadStream(redis::Client& redis, const std::string& stream) {
  std::vector<StreamEntry> out;
  auto r = redis.Command({"XRANGE", stream, "-", "+"});
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return out;
  for (const redis::Reply& item : r->elements()) {
    StreamEntry e;
    e.id = item.elements()[0].str();
    const auto& kv = item.elements()[1].elements();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) e.fields[kv[i].str()] = kv[i + 1].str();
    out.push_back(std::move(e));
  }
  return out;
}

// One test database per binary; each test gets its own schema (with the outbox tables, created
// by the migration SQL under test), its own pool and its own stream.
class OutboxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = std::make_unique<testing::TestDatabase>(); }
  static void TearDownTestSuite() { db_.reset(); }

  void SetUp() override {
    schema_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : schema_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    service_ = absl::StrCat("t", ::getpid(), "_", schema_);
    stream_ = StreamName(service_);
    {
      pqxx::connection conn(db_->dsn());
      pqxx::work tx(conn);
      tx.exec("CREATE SCHEMA " + tx.quote_name(schema_));
      tx.exec("SET LOCAL search_path = " + tx.quote_name(schema_));
      tx.exec(std::string(OutboxTableSql()));
      tx.exec("CREATE TABLE effects (event_id uuid NOT NULL, type text NOT NULL)");
      tx.commit();
    }
    pg::PoolOptions po;
    po.dsn = db_->dsn();
    po.size = 4;
    po.search_path = schema_;
    auto pool = pg::Pool::Create(po);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    redis_ = NewRedis();
    ASSERT_NE(redis_, nullptr);
    ASSERT_TRUE(redis_->Command({"DEL", stream_}).ok());
  }

  void TearDown() override {
    if (redis_ != nullptr) redis_->Command({"DEL", stream_}).IgnoreError();
  }

  RelayOptions FastRelay() const {
    RelayOptions o;
    o.service = service_;
    o.poll_interval = std::chrono::milliseconds(50);
    o.min_backoff = std::chrono::milliseconds(50);
    o.max_backoff = std::chrono::milliseconds(200);
    return o;
  }

  Event MakeEvent(const std::string& type, const std::string& payload) {
    Event e;
    e.type = type;
    e.aggregate = "learners/7/diplomas/3";
    e.payload = payload;
    e.request_id = "req-1";
    e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto id = NewEventId();
    EXPECT_TRUE(id.ok());
    e.event_id = *id;
    return e;
  }

  absl::Status EnqueueCommitted(const Event& e) {
    return pool_->Transact(Deadline(), [&](pqxx::work& tx) { return Enqueue(tx, e); });
  }

  // Runs `sql` in the test schema and returns the first column of the first row as text.
  std::string Query(const std::string& sql) {
    auto r = pool_->TransactFor<std::string>(
        Deadline(), [&](pqxx::work& tx) -> absl::StatusOr<std::string> {
          pqxx::row row = tx.exec1(sql);
          return row[0].is_null() ? std::string("NULL") : row[0].as<std::string>();
        });
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::string();
  }

  int64_t Unpublished() {
    auto lag = MeasureLag(*pool_, Deadline());
    EXPECT_TRUE(lag.ok()) << lag.status();
    return lag.ok() ? lag->unpublished : -1;
  }

  static std::unique_ptr<testing::TestDatabase> db_;
  std::string schema_;
  std::string service_;
  std::string stream_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<redis::Client> redis_;
};

std::unique_ptr<testing::TestDatabase> OutboxTest::db_;

TEST_F(OutboxTest, CommittedEventIsPublishedWithItsFieldsAndMarked) {
  const std::string payload("\x08\x96\x01\x00\xff\r\n", 7);
  Event e = MakeEvent("lansstyrelsen.integration.training.v1.DiplomaIssuedEvent", payload);
  e.event_id = absl::AsciiStrToUpper(e.event_id);  // stored and published in lowercase
  e.tenant.lan = "12";
  e.tenant.kommuner = {"1280"};
  ASSERT_TRUE(EnqueueCommitted(e).ok());
  EXPECT_EQ(Unpublished(), 1);

  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok()) << relay.status();
  EXPECT_EQ((*relay)->stream(), stream_);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));

  std::vector<StreamEntry> entries = ReadStream(*redis_, stream_);
  ASSERT_EQ(entries.size(), 1u);
  const auto& f = entries[0].fields;
  EXPECT_EQ(f.at("event_id"), absl::AsciiStrToLower(e.event_id));
  EXPECT_EQ(f.at("type"), "lansstyrelsen.integration.training.v1.DiplomaIssuedEvent");
  EXPECT_EQ(f.at("aggregate"), "learners/7/diplomas/3");
  EXPECT_EQ(f.at("payload"), payload);
  EXPECT_EQ(f.at("request_id"), "req-1");
  EXPECT_EQ(f.at("trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(
      std::regex_match(f.at("created_at"), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << f.at("created_at");
  absl::StatusOr<Tenant> tenant = ParseTenantJson(f.at("tenant"));
  ASSERT_TRUE(tenant.ok()) << f.at("tenant");
  EXPECT_EQ(*tenant, e.tenant);
  EXPECT_EQ(f.size(), 8u);

  EXPECT_EQ(Query("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"), "1");
  EXPECT_EQ(Query("SELECT headers->>'request_id' FROM outbox"), "req-1");

  // A nudge after a commit publishes without waiting for the next poll.
  RelayOptions slow = FastRelay();
  slow.poll_interval = std::chrono::milliseconds(60'000);
  (*relay)->Stop();
  auto slow_relay = Relay::Start(*pool_, *redis_, slow);
  ASSERT_TRUE(slow_relay.ok());
  absl::SleepFor(absl::Milliseconds(200));  // let its first (empty) poll pass
  ASSERT_TRUE(
      EnqueueCommitted(MakeEvent("lansstyrelsen.integration.training.v1.DiplomaRevokedEvent", "x"))
          .ok());
  (*slow_relay)->Nudge();
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(5)));
  EXPECT_EQ(ReadStream(*redis_, stream_).size(), 2u);
  EXPECT_EQ((*relay)->Stats().published + (*slow_relay)->Stats().published, 2);
}

// Stored responses of idempotent calls hold personal data: the relay deletes those older than
// their retention (7 days by default) and keeps the newer ones; old published events go too.
TEST_F(OutboxTest, RequestIdsAndPublishedEventsPastTheirRetentionAreDeleted) {
  auto exec = [&](const std::string& sql) {
    return pool_->Transact(Deadline(), [&](pqxx::work& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(exec(std::string(store::RuntimeTablesSql())).ok());
  ASSERT_TRUE(exec("INSERT INTO request_ids (scope, request_id, fingerprint, response, created_at) "
                   "VALUES ('learner:old/CreateLearner', gen_random_uuid(), '\\x00', '\\x01', "
                   "now() - interval '8 days'), "
                   "('learner:edge/CreateLearner', gen_random_uuid(), '\\x00', '\\x01', "
                   "now() - interval '6 days 23 hours'), "
                   "('learner:new/CreateLearner', gen_random_uuid(), '\\x00', '\\x01', now())")
                  .ok());
  ASSERT_TRUE(EnqueueCommitted(MakeEvent("training.v1.LearnerCreated", "old")).ok());
  ASSERT_TRUE(exec("UPDATE outbox SET published_at = now() - interval '8 days'").ok());

  RelayOptions o = FastRelay();
  o.prune_interval = std::chrono::milliseconds(50);
  auto relay = Relay::Start(*pool_, *redis_, o);
  ASSERT_TRUE(relay.ok()) << relay.status();
  ASSERT_TRUE(WaitFor([&] { return (*relay)->Stats().request_ids_pruned >= 1; }));
  EXPECT_EQ((*relay)->Stats().request_ids_pruned, 1);
  EXPECT_EQ((*relay)->Stats().pruned, 1);
  EXPECT_EQ(Query("SELECT string_agg(scope, ',' ORDER BY scope) FROM request_ids"),
            "learner:edge/CreateLearner,learner:new/CreateLearner");
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), "0");

  // A negative retention is refused.
  (*relay)->Stop();
  RelayOptions keep = FastRelay();
  keep.request_id_retention = std::chrono::seconds(-1);
  EXPECT_EQ(Relay::Start(*pool_, *redis_, keep).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, CommitsNudgedTogetherGoOutInOneBatch) {
  RelayOptions o = FastRelay();
  o.poll_interval = std::chrono::milliseconds(60'000);
  o.nudge_delay = std::chrono::milliseconds(1000);
  auto relay = Relay::Start(*pool_, *redis_, o);
  ASSERT_TRUE(relay.ok()) << relay.status();
  absl::SleepFor(absl::Milliseconds(200));  // let its first (empty) poll pass
  ASSERT_TRUE(
      EnqueueCommitted(MakeEvent("lansstyrelsen.integration.training.v1.DiplomaIssuedEvent", "a"))
          .ok());
  (*relay)->Nudge();
  absl::SleepFor(absl::Milliseconds(50));
  ASSERT_TRUE(
      EnqueueCommitted(MakeEvent("lansstyrelsen.integration.training.v1.DiplomaIssuedEvent", "b"))
          .ok());
  // The first nudge is still waiting for company.
  EXPECT_EQ(Unpublished(), 2);
  (*relay)->Nudge();
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(5)));
  // One relay transaction marked both (two batches would lie a nudge delay apart).
  EXPECT_EQ(Query("SELECT max(published_at) - min(published_at) < interval '500 ms' FROM outbox"),
            "t");
  EXPECT_EQ(ReadStream(*redis_, stream_).size(), 2u);
}

TEST_F(OutboxTest, RelayRefusesANegativeNudgeDelay) {
  RelayOptions o = FastRelay();
  o.nudge_delay = std::chrono::milliseconds(-1);
  auto relay = Relay::Start(*pool_, *redis_, o);
  ASSERT_FALSE(relay.ok());
  EXPECT_EQ(relay.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, RolledBackTransactionPublishesNothing) {
  const Event rolled_back = MakeEvent("training.LearnerCreated", "lost");
  absl::Status st = pool_->Transact(Deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::Status enqueued = Enqueue(tx, rolled_back);
    if (!enqueued.ok()) return enqueued;
    return absl::AbortedError("the change failed after the event was written");
  });
  ASSERT_EQ(st.code(), absl::StatusCode::kAborted);
  const Event committed = MakeEvent("training.LearnerCreated", "kept");
  ASSERT_TRUE(EnqueueCommitted(committed).ok());

  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok()) << relay.status();
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  // The relay works in id order: once the later, committed event is out, an earlier row
  // would have been too had it existed.
  std::vector<StreamEntry> entries = ReadStream(*redis_, stream_);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].fields.at("event_id"), committed.event_id);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), "1");
}

// Several replicas relay one outbox: each resource's events must reach the stream in commit
// order. With a backlog and small batches, two relays racing used to take different batches
// (SKIP LOCKED) and could append a later batch first.
TEST_F(OutboxTest, TwoRelaysRacingKeepTheCommitOrder) {
  constexpr int kAggregates = 4;
  constexpr int kPerAggregate = 60;
  std::vector<std::string> event_ids;
  for (int i = 0; i < kPerAggregate; ++i) {
    for (int a = 0; a < kAggregates; ++a) {
      Event e = MakeEvent("t.v1.ThingChangedEvent", absl::StrCat(i));
      e.aggregate = absl::StrCat("things/", a);
      ASSERT_TRUE(EnqueueCommitted(e).ok());
      event_ids.push_back(e.event_id);
    }
  }
  RelayOptions o = FastRelay();
  o.batch_size = 3;
  auto first = Relay::Start(*pool_, *redis_, o);
  auto second = Relay::Start(*pool_, *redis_, o);
  ASSERT_TRUE(first.ok() && second.ok());
  // Commits while both run, too.
  for (int a = 0; a < kAggregates; ++a) {
    Event e = MakeEvent("t.v1.ThingChangedEvent", absl::StrCat(kPerAggregate));
    e.aggregate = absl::StrCat("things/", a);
    ASSERT_TRUE(EnqueueCommitted(e).ok());
    event_ids.push_back(e.event_id);
    (*first)->Nudge();
    (*second)->Nudge();
  }
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  EXPECT_GT((*first)->Stats().published, 0);
  EXPECT_GT((*second)->Stats().published, 0);

  // Every event once, in the order of the outbox (committed one after the other here).
  std::vector<std::string> published;
  std::map<std::string, int> next;  // per aggregate: the payload expected next
  for (const StreamEntry& e : ReadStream(*redis_, stream_)) {
    published.push_back(e.fields.at("event_id"));
    int& expected = next[e.fields.at("aggregate")];
    EXPECT_EQ(e.fields.at("payload"), absl::StrCat(expected)) << e.fields.at("aggregate");
    ++expected;
  }
  EXPECT_EQ(published, event_ids);
  // Each row records the entry it became, in the same order.
  EXPECT_EQ(Query("SELECT count(*) FROM outbox WHERE headers ? 'stream_id'"),
            absl::StrCat(event_ids.size()));
}

// Redis restarted empty (here: the stream's key deleted): the relay appends the retained
// published rows again with their entry ids, before anything new, so that a reader's position
// stays valid; with nothing new to publish too.
TEST_F(OutboxTest, ALostStreamIsRebuiltWithTheSameEntryIds) {
  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok()) << relay.status();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(EnqueueCommitted(MakeEvent("t.v1.ThingChangedEvent", absl::StrCat(i))).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  const std::vector<StreamEntry> before = ReadStream(*redis_, stream_);
  ASSERT_EQ(before.size(), 5u);

  ASSERT_TRUE(redis_->Command({"DEL", stream_}).ok());
  ASSERT_TRUE(WaitFor([&] { return ReadStream(*redis_, stream_).size() == 5; }));
  // The entries become visible before the relay's transaction ends and counts them.
  ASSERT_TRUE(WaitFor([&] { return (*relay)->Stats().restored >= 5; }));
  EXPECT_EQ((*relay)->Stats().restored, 5);

  ASSERT_TRUE(EnqueueCommitted(MakeEvent("t.v1.ThingChangedEvent", "5")).ok());
  (*relay)->Nudge();
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  const std::vector<StreamEntry> after = ReadStream(*redis_, stream_);
  ASSERT_EQ(after.size(), 6u);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].fields, before[i].fields);
  }
  EXPECT_EQ(after[5].fields.at("payload"), "5");
  EXPECT_GT(*StreamId::Parse(after[5].id), *StreamId::Parse(before[4].id));
  EXPECT_EQ((*relay)->Stats().restored, 5);
}

TEST(StreamIdTest, ParsesAndOrdersRedisEntryIds) {
  EXPECT_EQ(StreamId::Parse("1700000000000-3")->ToString(), "1700000000000-3");
  EXPECT_LT(*StreamId::Parse("9-9"), *StreamId::Parse("10-0"));
  EXPECT_LT(*StreamId::Parse("10-2"), *StreamId::Parse("10-10"));
  for (const char* bad : {"", "1700000000000", "-1", "1--2", "+1-2", "1-2-3", "a-1", " 1-2"}) {
    EXPECT_FALSE(StreamId::Parse(bad).has_value()) << bad;
  }
}

TEST(TenantJsonTest, RoundTripsAndRejectsWrongTypes) {
  Tenant t;
  t.lan = "12";
  t.kommuner = {"1280", "1281"};
  t.orgnr = "556677-8899";
  t.learner = "p_abc";
  const std::string json = TenantJson(t);
  EXPECT_EQ(json,
            R"({"kommuner":["1280","1281"],"lan":"12","learner":"p_abc","orgnr":"556677-8899"})");
  EXPECT_EQ(*ParseTenantJson(json), t);
  Tenant open;
  open.is_public = true;
  EXPECT_EQ(TenantJson(open), R"({"public":true})");
  EXPECT_EQ(*ParseTenantJson(TenantJson(open)), open);
  EXPECT_EQ(*ParseTenantJson(""), Tenant{});
  for (const char* bad : {"[]", "{", R"({"lan":12})", R"({"kommuner":"1280"})",
                          R"({"kommuner":[1]})", R"({"public":"yes"})"}) {
    EXPECT_EQ(ParseTenantJson(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(OutboxTest, EnqueueRejectsIncompleteEvents) {
  Event e = MakeEvent("", "p");
  e.aggregate = "";
  e.event_id = "not-a-uuid";
  absl::Status st = EnqueueCommitted(e);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  auto bad = status::GetBadRequest(st);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations_size(), 3);
  EXPECT_EQ(Unpublished(), 0);

  // Generated ids are version 4 UUIDs and differ.
  auto a = NewEventId(), b = NewEventId();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(std::regex_match(
      *a, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << *a;
  EXPECT_NE(*a, *b);
  Event no_id = MakeEvent("training.CourseChanged", "p");
  no_id.event_id.clear();
  ASSERT_TRUE(EnqueueCommitted(no_id).ok());
  EXPECT_EQ(Query("SELECT count(DISTINCT event_id) FROM outbox"), "1");
}

TEST_F(OutboxTest, LagReportsWaitingEventsAndTheirAge) {
  ASSERT_TRUE(EnqueueCommitted(MakeEvent("training.A", "1")).ok());
  ASSERT_TRUE(EnqueueCommitted(MakeEvent("training.B", "2")).ok());
  absl::SleepFor(absl::Milliseconds(1100));
  auto lag = MeasureLag(*pool_, Deadline());
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_EQ(lag->unpublished, 2);
  EXPECT_GE(lag->oldest_age_seconds, 1.0);
  EXPECT_LT(lag->oldest_age_seconds, 30.0);

  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  lag = (*relay)->Lag(Deadline());
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->unpublished, 0);
  EXPECT_EQ(lag->oldest_age_seconds, 0);
}

// A redis-server of the test's own on a free port, which the test stops and starts again.
class OwnRedisServer {
 public:
  OwnRedisServer() : port_(testing::FreePort()) {}
  ~OwnRedisServer() {
    if (running_) Stop();
    // The server's log is kept only when it may explain a failure.
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) std::filesystem::remove(LogFile(), ignored);
  }
  int port() const { return port_; }

  void Start() {
    const std::string cmd =
        absl::StrCat("redis-server --port ", port_, " --bind 127.0.0.1 --save '' --appendonly no ",
                     "--daemonize yes --dir /tmp --pidfile /tmp/outbox_test_redis_", port_, ".pid ",
                     "--logfile ", LogFile());
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    running_ = true;
    auto probe = NewRedis(port_);
    ASSERT_NE(probe, nullptr);
    ASSERT_TRUE(WaitFor([&] { return probe->Ping().ok(); }, absl::Seconds(10)));
  }

  void Stop() {
    auto admin = NewRedis(port_);
    ASSERT_NE(admin, nullptr);
    // The server closes the connection instead of answering SHUTDOWN.
    auto r = admin->Command({"SHUTDOWN", "NOSAVE"});
    EXPECT_FALSE(r.ok());
    running_ = false;
    ASSERT_TRUE(WaitFor([&] { return !admin->Ping().ok(); }, absl::Seconds(10)));
  }

 private:
  std::string LogFile() const { return absl::StrCat("/tmp/outbox_test_redis_", port_, ".log"); }

  int port_;
  bool running_ = false;
};

TEST_F(OutboxTest, EventsWaitWhileRedisIsDownAndAreDeliveredOnceItReturns) {
  OwnRedisServer server;
  ASSERT_NO_FATAL_FAILURE(server.Start());
  auto redis = NewRedis(server.port());
  ASSERT_NE(redis, nullptr);
  auto relay = Relay::Start(*pool_, *redis, FastRelay());
  ASSERT_TRUE(relay.ok()) << relay.status();

  // Delivered while Redis is up.
  const Event first = MakeEvent("training.Before", "0");
  ASSERT_TRUE(EnqueueCommitted(first).ok());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  const std::vector<StreamEntry> before = ReadStream(*redis, stream_);
  ASSERT_EQ(before.size(), 1u);

  ASSERT_NO_FATAL_FAILURE(server.Stop());
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Event e = MakeEvent("training.During", absl::StrCat(i));
    ids.push_back(e.event_id);
    ASSERT_TRUE(EnqueueCommitted(e).ok());
    (*relay)->Nudge();
  }
  // The relay keeps trying (and failing) while the events wait, unmarked.
  const int64_t failed_before = (*relay)->Stats().failed_attempts;
  ASSERT_TRUE(WaitFor([&] { return (*relay)->Stats().failed_attempts >= failed_before + 3; }));
  EXPECT_FALSE((*relay)->Stats().healthy);
  EXPECT_EQ(Unpublished(), 5);

  // Back empty (no persistence): the event it lost comes back first, with its entry id, then
  // the five, each once, in order.
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  std::vector<std::string> published;
  const std::vector<StreamEntry> after = ReadStream(*redis, stream_);
  for (const StreamEntry& e : after) published.push_back(e.fields.at("event_id"));
  std::vector<std::string> expected = {first.event_id};
  expected.insert(expected.end(), ids.begin(), ids.end());
  EXPECT_EQ(published, expected);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_TRUE((*relay)->Stats().healthy);
  EXPECT_EQ((*relay)->Stats().published, 6);
  EXPECT_EQ((*relay)->Stats().restored, 1);

  // Nothing further is sent once everything is marked.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(ReadStream(*redis, stream_).size(), 6u);
  (*relay)->Stop();
}

TEST_F(OutboxTest, ConsumerHandlesEachEventOnceAndAcks) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Event e = MakeEvent(absl::StrCat("training.Event", i), absl::StrCat("payload", i));
    ids.push_back(e.event_id);
    ASSERT_TRUE(EnqueueCommitted(e).ok());
  }
  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  (*relay)->Stop();

  // The same event delivered twice (a relay that published, then failed to mark it).
  std::vector<StreamEntry> entries = ReadStream(*redis_, stream_);
  ASSERT_EQ(entries.size(), 3u);
  std::vector<std::string> dup = {"XADD", stream_, "*"};
  for (const auto& [k, v] : entries[0].fields) dup.insert(dup.end(), {k, v});
  ASSERT_TRUE(redis_->Command(dup).ok());

  std::atomic<int> calls{0};
  std::set<std::string> payloads;
  ConsumerOptions co;
  co.stream = stream_;
  co.group = "cache";
  co.consumer = "c1";
  co.block = std::chrono::milliseconds(200);
  auto consumer = Consumer::Start(
      *pool_, *redis_, co, [&](pqxx::work& tx, const ReceivedEvent& ev) -> absl::Status {
        ++calls;
        payloads.insert(ev.payload);
        EXPECT_EQ(ev.request_id, "req-1");
        EXPECT_FALSE(ev.stream_id.empty());
        tx.exec_params("INSERT INTO effects (event_id, type) VALUES ($1::uuid, $2)", ev.event_id,
                       ev.type);
        return absl::OkStatus();
      });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(WaitFor([&] { return (*consumer)->Stats().acked == 4; }));
  ConsumerStats stats = (*consumer)->Stats();
  EXPECT_EQ(stats.handled, 3);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(payloads, (std::set<std::string>{"payload0", "payload1", "payload2"}));
  EXPECT_EQ(Query("SELECT count(*) FROM effects"), "3");
  EXPECT_EQ(Query("SELECT count(DISTINCT event_id) FROM effects"), "3");
  EXPECT_EQ(Query("SELECT count(*) FROM handled_events WHERE consumer = 'cache'"), "3");

  auto pending = redis_->Command({"XPENDING", stream_, "cache"});
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->elements()[0], redis::Reply::Integer(0));

  // The stream disappearing under the running consumer (and its group with it, as after a
  // Redis restart without persistence) is survived: the group is created again and a new
  // event is handled.
  ASSERT_TRUE(redis_->Command({"DEL", stream_}).ok());
  const Event later = MakeEvent("training.Later", "payload3");
  ASSERT_TRUE(EnqueueCommitted(later).ok());
  auto relay2 = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay2.ok());
  ASSERT_TRUE(WaitFor([&] { return (*consumer)->Stats().handled == 4; }));
  (*consumer)->Stop();
  EXPECT_EQ(calls.load(), 4);
}

TEST_F(OutboxTest, ConsumerRereadsItsPendingEntriesWithoutApplyingTwice) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Event e = MakeEvent("training.Pending", absl::StrCat(i));
    ids.push_back(e.event_id);
    ASSERT_TRUE(EnqueueCommitted(e).ok());
  }
  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  (*relay)->Stop();

  // A previous run of consumer c1 read both entries and crashed: the first after its
  // transaction committed but before XACK, the second before its transaction.
  ASSERT_TRUE(redis_->Command({"XGROUP", "CREATE", stream_, "g", "0"}).ok());
  auto read =
      redis_->Command({"XREADGROUP", "GROUP", "g", "c1", "COUNT", "10", "STREAMS", stream_, ">"});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->elements()[0].elements()[1].elements().size(), 2u);
  ASSERT_TRUE(pool_
                  ->Transact(Deadline(),
                             [&](pqxx::work& tx) {
                               tx.exec_params(
                                   "INSERT INTO handled_events (consumer, event_id) "
                                   "VALUES ('g', $1::uuid)",
                                   ids[0]);
                               tx.exec_params(
                                   "INSERT INTO effects (event_id, type) VALUES ($1::uuid, 'x')",
                                   ids[0]);
                               return absl::OkStatus();
                             })
                  .ok());

  std::atomic<int> calls{0};
  ConsumerOptions co;
  co.stream = stream_;
  co.group = "g";
  co.consumer = "c1";
  co.block = std::chrono::milliseconds(200);
  auto consumer = Consumer::Start(
      *pool_, *redis_, co, [&](pqxx::work& tx, const ReceivedEvent& ev) -> absl::Status {
        ++calls;
        EXPECT_EQ(ev.event_id, ids[1]);
        tx.exec_params("INSERT INTO effects (event_id, type) VALUES ($1::uuid, $2)", ev.event_id,
                       ev.type);
        return absl::OkStatus();
      });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(WaitFor([&] { return (*consumer)->Stats().acked == 2; }));
  (*consumer)->Stop();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ((*consumer)->Stats().duplicates, 1);
  EXPECT_EQ((*consumer)->Stats().handled, 1);
  EXPECT_EQ(Query("SELECT count(*) FROM effects"), "2");
  auto pending = redis_->Command({"XPENDING", stream_, "g"});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->elements()[0], redis::Reply::Integer(0));
}

TEST_F(OutboxTest, ConsumerRetriesTransientHandlerFailuresAndKeepsOthersPending) {
  const Event flaky = MakeEvent("training.Flaky", "f");
  const Event broken = MakeEvent("training.Broken", "b");
  const Event fine = MakeEvent("training.Fine", "ok");
  for (const Event* e : {&flaky, &broken, &fine}) ASSERT_TRUE(EnqueueCommitted(*e).ok());
  auto relay = Relay::Start(*pool_, *redis_, FastRelay());
  ASSERT_TRUE(relay.ok());
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }));
  (*relay)->Stop();

  std::atomic<int> flaky_calls{0};
  ConsumerOptions co;
  co.stream = stream_;
  co.group = "g";
  co.consumer = "c1";
  co.block = std::chrono::milliseconds(200);
  co.min_backoff = std::chrono::milliseconds(20);
  co.max_backoff = std::chrono::milliseconds(50);
  auto consumer = Consumer::Start(
      *pool_, *redis_, co, [&](pqxx::work& tx, const ReceivedEvent& ev) -> absl::Status {
        tx.exec_params("INSERT INTO effects (event_id, type) VALUES ($1::uuid, $2)", ev.event_id,
                       ev.type);
        if (ev.type == "training.Flaky" && ++flaky_calls == 1) {
          return absl::UnavailableError("a dependency is briefly down");
        }
        if (ev.type == "training.Broken") return absl::InvalidArgumentError("cannot apply");
        return absl::OkStatus();
      });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(WaitFor([&] { return (*consumer)->Stats().handled == 2; }));
  (*consumer)->Stop();
  EXPECT_EQ(flaky_calls.load(), 2);
  // Rolled back attempts left no effect; the broken event stays pending for an operator.
  EXPECT_EQ(Query("SELECT string_agg(type, ',' ORDER BY type) FROM effects"),
            "training.Fine,training.Flaky");
  auto pending = redis_->Command({"XPENDING", stream_, "g"});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->elements()[0], redis::Reply::Integer(1));
  EXPECT_GE((*consumer)->Stats().failed, 2);
}

TEST_F(OutboxTest, ConsumerRejectsABlockTimeLongerThanTheRedisCommandTimeout) {
  ConsumerOptions co;
  co.stream = stream_;
  co.group = "g";
  co.consumer = "c1";
  co.block = std::chrono::milliseconds(5000);
  auto consumer = Consumer::Start(
      *pool_, *redis_, co, [](pqxx::work&, const ReceivedEvent&) { return absl::OkStatus(); });
  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::outbox
