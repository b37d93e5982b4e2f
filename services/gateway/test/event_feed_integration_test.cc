// The event feed against the real test Redis, with stream entries written as the relay writes
// them: live delivery with filters and per-event authorization, resuming exactly after a
// cursor (from the buffer and by catch-up reads), expired and malformed cursors, the bounded
// queue, heartbeats, draining, and a stream that Redis lost and the relay rebuilt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "event_feed.h"
#include "integration/outbox/outbox.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"
#include "integration/testing/environment.h"

namespace integration::gateway {
namespace {

// A database of its own, so that other binaries' streams never mix in.
constexpr int kTestDb = 8;

constexpr RoleMask kThingReaders =
    RoleBit(auth::Role::kCountyOfficer) | RoleBit(auth::Role::kMunicipalityOfficer) |
    RoleBit(auth::Role::kOrganisationRep) | RoleBit(auth::Role::kLearner);

std::unique_ptr<redis::Client> Connect(int pool_size) {
  redis::ClientOptions o;
  o.host = testing::RedisHost();
  o.port = testing::RedisPort();
  o.db = kTestDb;
  o.pool_size = pool_size;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.command_timeout = std::chrono::milliseconds(3000);
  o.acquire_timeout = std::chrono::milliseconds(3000);
  absl::StatusOr<std::unique_ptr<redis::Client>> c = redis::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// Collects what a watch delivers, taking as a front would (or not, to test back-pressure).
class Collector : public WatchSink {
 public:
  void Wake() override {
    absl::MutexLock lock(&mu_);
    if (!taking_ || watch_ == nullptr) return;
    for (;;) {
      Delivery d;
      absl::Status end;
      const Watch::Next n = watch_->Take(&d, &end);
      if (n == Watch::Next::kEmpty) return;
      if (n == Watch::Next::kEnded) {
        end_ = end;
        ended_ = true;
        return;
      }
      got_.push_back(std::move(d));
    }
  }
  void Attach(std::shared_ptr<Watch> w) {
    {
      absl::MutexLock lock(&mu_);
      watch_ = std::move(w);
    }
    Wake();
  }
  void set_taking(bool taking) {
    {
      absl::MutexLock lock(&mu_);
      taking_ = taking;
    }
    Wake();
  }
  // The events (not heartbeats) delivered so far, by payload.
  std::vector<std::string> Payloads() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const Delivery& d : got_) {
      if (d.entry != nullptr) out.push_back(d.entry->payload);
    }
    return out;
  }
  std::vector<Delivery> Got() {
    absl::MutexLock lock(&mu_);
    return got_;
  }
  bool WaitEvents(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (Payloads().size() >= n) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return Payloads().size() >= n;
  }
  bool WaitEnd(absl::Status* st, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      Wake();
      {
        absl::MutexLock lock(&mu_);
        if (ended_) {
          *st = end_;
          return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

 private:
  absl::Mutex mu_;
  bool taking_ = true;
  std::shared_ptr<Watch> watch_;
  std::vector<Delivery> got_;
  bool ended_ = false;
  absl::Status end_;
};

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string prefix = absl::StrCat("t", ::getpid(), "_", counter_++);
    services_ = {prefix + "a", prefix + "b"};
    tail_ = Connect(1);
    reads_ = Connect(4);
    ASSERT_NE(tail_, nullptr);
    ASSERT_NE(reads_, nullptr);
  }
  void TearDown() override {
    feed_.reset();
    for (const std::string& s : services_) {
      reads_->Command({"DEL", outbox::StreamName(s)}).IgnoreError();
    }
  }

  EventFeedOptions Options() const {
    EventFeedOptions o;
    o.services = services_;
    // The test's records ("things/<payload>") are readable by every tenant role but
    // county_admin, as if a Get method's policy said so.
    auto read_roles = std::make_shared<EventReadRoles>();
    for (const std::string& s : services_) {
      EXPECT_TRUE(read_roles->Add(s, "things/*", kThingReaders).ok());
    }
    o.read_roles = std::move(read_roles);
    o.block = std::chrono::milliseconds(200);
    o.heartbeat = absl::Seconds(30);
    return o;
  }

  void StartFeed(EventFeedOptions o) {
    absl::StatusOr<std::unique_ptr<EventFeed>> f = EventFeed::Start(*tail_, *reads_, std::move(o));
    ASSERT_TRUE(f.ok()) << f.status();
    feed_ = *std::move(f);
    // Opening fails until the follower has read the streams' positions.
    const absl::Time end = absl::Now() + absl::Seconds(5);
    while (absl::Now() < end) {
      auto probe = std::make_shared<Collector>();
      absl::StatusOr<std::shared_ptr<Watch>> w = feed_->Open(County("12"), {}, "", probe);
      if (w.ok()) {
        feed_->Close(*w);
        return;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    FAIL() << "the feed did not start";
  }

  // Appends an entry as the relay does; returns its stream id.
  std::string Add(size_t service, const std::string& payload, const outbox::Tenant& tenant,
                  const std::string& type = "t.v1.ThingChangedEvent", const std::string& id = "*",
                  std::string event_id = "") {
    if (event_id.empty()) event_id = *outbox::NewEventId();
    absl::StatusOr<redis::Reply> r =
        reads_->Command({"XADD", outbox::StreamName(services_[service]), id, "event_id", event_id,
                         "type", type, "aggregate", absl::StrCat("things/", payload), "payload",
                         payload, "request_id", "", "trace_id", "", "created_at",
                         "2026-12-07T10:00:00.000000Z", "tenant", outbox::TenantJson(tenant)});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->str() : "";
  }

  static outbox::Tenant InCounty(const std::string& lan) {
    outbox::Tenant t;
    t.lan = lan;
    return t;
  }

  static auth::Scope County(const std::string& lan) {
    auth::Scope s;
    s.role = auth::Role::kCountyOfficer;
    s.lan = lan;
    s.subject = "officer";
    return s;
  }

  std::shared_ptr<Collector> Watching(const auth::Scope& scope, WatchFilter filter,
                                      const std::string& cursor) {
    auto c = std::make_shared<Collector>();
    absl::StatusOr<std::shared_ptr<Watch>> w = feed_->Open(scope, std::move(filter), cursor, c);
    EXPECT_TRUE(w.ok()) << w.status();
    if (w.ok()) c->Attach(*w);
    return c;
  }

  static int counter_;
  std::vector<std::string> services_;
  std::unique_ptr<redis::Client> tail_;
  std::unique_ptr<redis::Client> reads_;
  std::unique_ptr<EventFeed> feed_;
};

int EventFeedTest::counter_ = 0;

TEST_F(EventFeedTest, LiveEventsAreFilteredAndShownOnlyWithinTheCallersScope) {
  Add(0, "before", InCounty("12"));  // before the watch: not "from now"
  ASSERT_NO_FATAL_FAILURE(StartFeed(Options()));
  auto all = Watching(County("12"), {}, "");
  auto only_b = Watching(County("12"), {.event_types = {}, .services = {services_[1]}}, "");
  auto typed = Watching(County("12"), {.event_types = {"t.v1.Other"}, .services = {}}, "");
  auth::Scope agency;
  agency.role = auth::Role::kAgencySystem;
  agency.scopes = {EventScope(services_[1])};
  auto agent = Watching(agency, {}, "");
  auth::Scope admin = County("12");
  admin.role = auth::Role::kCountyAdmin;
  auto admin_watch = Watching(admin, {}, "");

  Add(0, "a12", InCounty("12"));
  Add(0, "a13", InCounty("13"));  // another county's
  outbox::Tenant open;
  open.is_public = true;
  Add(1, "b-public", open);
  Add(1, "b12-other", InCounty("12"), "t.v1.Other");
  ASSERT_TRUE(all->WaitEvents(3));
  ASSERT_TRUE(agent->WaitEvents(2));
  ASSERT_TRUE(only_b->WaitEvents(2));
  ASSERT_TRUE(typed->WaitEvents(1));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(all->Payloads(), (std::vector<std::string>{"a12", "b-public", "b12-other"}));
  EXPECT_EQ(only_b->Payloads(), (std::vector<std::string>{"b-public", "b12-other"}));
  EXPECT_EQ(typed->Payloads(), (std::vector<std::string>{"b12-other"}));
  // The agency's scope names one service: all of its events, none of the other's.
  EXPECT_EQ(agent->Payloads(), (std::vector<std::string>{"b-public", "b12-other"}));
  // The records' read policy leaves county_admin out: none of them, public ones neither.
  EXPECT_TRUE(admin_watch->Payloads().empty());

  // An unknown service is a bad request.
  auto c = std::make_shared<Collector>();
  absl::StatusOr<std::shared_ptr<Watch>> bad =
      feed_->Open(County("12"), {.event_types = {}, .services = {"nope"}}, "", c);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MaySeeTest, EachRoleSeesWhatItCouldReadThroughTheRpcs) {
  FeedEntry e;
  e.service = "grants";
  e.readers = kThingReaders | RoleBit(auth::Role::kCountyAdmin);
  e.tenant.lan = "12";
  e.tenant.kommuner = {"1280", "1281"};
  e.tenant.orgnr = "556677-8899";
  auth::Scope s;
  EXPECT_FALSE(MaySee(s, e)) << "anonymous";
  s.role = auth::Role::kCountyAdmin;
  s.lan = "12";
  EXPECT_TRUE(MaySee(s, e));
  s.lan = "13";
  EXPECT_FALSE(MaySee(s, e));
  s.lan = "";
  EXPECT_FALSE(MaySee(s, e)) << "a county role without its claim";
  s = {};
  s.role = auth::Role::kMunicipalityOfficer;
  s.kommun = "1281";
  EXPECT_TRUE(MaySee(s, e));
  s.kommun = "0180";
  EXPECT_FALSE(MaySee(s, e));
  s = {};
  s.role = auth::Role::kOrganisationRep;
  s.orgnr = "556677-8899";
  EXPECT_TRUE(MaySee(s, e));
  s.orgnr = "";
  EXPECT_FALSE(MaySee(s, e));
  s = {};
  s.role = auth::Role::kLearner;
  s.subject = "p1";
  EXPECT_FALSE(MaySee(s, e));
  e.tenant.learner = "p1";
  EXPECT_TRUE(MaySee(s, e));
  s.subject = "p2";
  s.former_subjects = {"p1"};
  EXPECT_TRUE(MaySee(s, e)) << "a record written under a former pseudonym";
  s = {};
  s.role = auth::Role::kAgencySystem;
  s.scopes = {"grants.funding.read"};
  EXPECT_FALSE(MaySee(s, e));
  s.scopes.push_back("grants.events.read");
  EXPECT_TRUE(MaySee(s, e));
  // Public records: every role, agency systems with the family's scope only.
  FeedEntry open;
  open.service = "training";
  open.readers = e.readers;
  open.tenant.is_public = true;
  EXPECT_FALSE(MaySee(s, open));
  s.scopes = {"training.events.read"};
  EXPECT_TRUE(MaySee(s, open));
  s = {};
  s.role = auth::Role::kLearner;
  s.subject = "p9";
  EXPECT_TRUE(MaySee(s, open));
  s = {};
  s.role = std::nullopt;
  EXPECT_FALSE(MaySee(s, open));
}

// Resuming from an event's cursor gives exactly the events after it: from the buffer when the
// feed still holds them, by XRANGE reads when it does not (a tiny buffer here).
TEST_F(EventFeedTest, ACursorResumesExactlyAfterItsEvent) {
  for (size_t buffer : {size_t{10'000}, size_t{2}}) {
    SCOPED_TRACE(absl::StrCat("buffer ", buffer));
    EventFeedOptions o = Options();
    o.buffer_entries = buffer;
    o.max_pending = 10;
    o.catch_up_page = 3;
    ASSERT_NO_FATAL_FAILURE(StartFeed(o));
    auto first = Watching(County("12"), {}, "");
    for (int i = 0; i < 8; ++i)
      Add(static_cast<size_t>(i % 2), absl::StrCat(buffer, "-", i), InCounty("12"));
    ASSERT_TRUE(first->WaitEvents(8));
    // Across services the order is the follower's; within one it is the stream's.
    auto per_service = [](const std::vector<Delivery>& deliveries) {
      std::map<std::string, std::vector<std::string>> out;
      for (const Delivery& d : deliveries) {
        if (d.entry != nullptr) out[d.entry->service].push_back(d.entry->payload);
      }
      return out;
    };
    const std::vector<Delivery> got = first->Got();
    std::vector<const Delivery*> events;
    for (const Delivery& d : got) {
      if (d.entry != nullptr) events.push_back(&d);
    }
    ASSERT_EQ(events.size(), 8u);
    const std::string cursor_after_third = events[2]->cursor;
    std::vector<Delivery> rest;
    for (size_t i = 3; i < events.size(); ++i) rest.push_back(*events[i]);
    auto resumed = Watching(County("12"), {}, cursor_after_third);
    ASSERT_TRUE(resumed->WaitEvents(5));
    Add(0, absl::StrCat(buffer, "-live"), InCounty("12"));
    ASSERT_TRUE(resumed->WaitEvents(6));
    absl::SleepFor(absl::Milliseconds(300));
    std::map<std::string, std::vector<std::string>> expected = per_service(rest);
    expected[services_[0]].push_back(absl::StrCat(buffer, "-live"));
    EXPECT_EQ(per_service(resumed->Got()), expected);
    EXPECT_EQ(resumed->Payloads().size(), 6u);
    feed_.reset();
    for (const std::string& s : services_)
      reads_->Command({"DEL", outbox::StreamName(s)}).IgnoreError();
  }
}

TEST_F(EventFeedTest, BadAndExpiredCursorsAreRefused) {
  EventFeedOptions o = Options();
  o.retention = absl::Hours(1);
  ASSERT_NO_FATAL_FAILURE(StartFeed(o));
  auto c = std::make_shared<Collector>();
  absl::StatusOr<std::shared_ptr<Watch>> bad = feed_->Open(County("12"), {}, "garbage", c);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<google::rpc::BadRequest> violations = status::GetBadRequest(bad.status());
  ASSERT_TRUE(violations.has_value());
  EXPECT_EQ(violations->field_violations(0).field(), "start_cursor");

  EventCursor old;
  old.time = absl::Now() - absl::Hours(2);
  old.positions[services_[0]] = {.ms = 1, .seq = 0};
  absl::StatusOr<std::shared_ptr<Watch>> expired =
      feed_->Open(County("12"), {}, EncodeCursor(old), c);
  ASSERT_EQ(expired.status().code(), absl::StatusCode::kOutOfRange);
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(expired.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), kReasonCursorExpired);
}

TEST_F(EventFeedTest, AClientThatDoesNotReadIsEndedWithResourceExhausted) {
  EventFeedOptions o = Options();
  o.max_pending = 4;
  o.catch_up_page = 2;
  ASSERT_NO_FATAL_FAILURE(StartFeed(o));
  auto slow = std::make_shared<Collector>();
  slow->set_taking(false);
  absl::StatusOr<std::shared_ptr<Watch>> w = feed_->Open(County("12"), {}, "", slow);
  ASSERT_TRUE(w.ok());
  slow->Attach(*w);
  for (int i = 0; i < 6; ++i) Add(0, absl::StrCat(i), InCounty("12"));
  // Taking only once the feed has offered all six: the fifth found four waiting.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (feed_->Stats().entries_read < 6 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  slow->set_taking(true);
  absl::Status end;
  ASSERT_TRUE(slow->WaitEnd(&end));
  EXPECT_EQ(end.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status::GetErrorInfo(end)->reason(), kReasonWatchTooSlow);
  EXPECT_EQ(feed_->Stats().ended_too_slow, 1);
}

TEST_F(EventFeedTest, IdleWatchesGetHeartbeatsWhoseCursorResumes) {
  EventFeedOptions o = Options();
  o.heartbeat = absl::Milliseconds(300);
  ASSERT_NO_FATAL_FAILURE(StartFeed(o));
  // Events it may not see move its heartbeats' cursor on.
  auto idle = Watching(County("12"), {}, "");
  const std::string hidden = Add(0, "other-county", InCounty("13"));
  const absl::Time end = absl::Now() + absl::Seconds(10);
  std::string cursor;
  while (absl::Now() < end && cursor.empty()) {
    for (const Delivery& d : idle->Got()) {
      if (d.entry != nullptr) continue;
      absl::StatusOr<EventCursor> parsed = ParseCursor(d.cursor, "cursor");
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      if (parsed->positions[services_[0]].ToString() == hidden) cursor = d.cursor;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_FALSE(cursor.empty()) << "no heartbeat past the hidden event";
  EXPECT_TRUE(idle->Payloads().empty());
  Add(0, "after", InCounty("12"));
  auto resumed = Watching(County("12"), {}, cursor);
  ASSERT_TRUE(resumed->WaitEvents(1));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(resumed->Payloads(), (std::vector<std::string>{"after"}));

  // Draining ends every watch with UNAVAILABLE and refuses new ones.
  feed_->Drain();
  absl::Status st;
  ASSERT_TRUE(idle->WaitEnd(&st));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  auto late = std::make_shared<Collector>();
  EXPECT_EQ(feed_->Open(County("12"), {}, "", late).status().code(),
            absl::StatusCode::kUnavailable);
}

// A stream trimmed past the cursor (MAXLEN, or a retention shorter than the feed's): the events
// after it are gone, so resuming ends with CURSOR_EXPIRED instead of skipping them.
TEST_F(EventFeedTest, AResumePastTrimmedEntriesIsExpired) {
  EventFeedOptions o = Options();
  o.buffer_entries = 1;  // resumes read Redis
  ASSERT_NO_FATAL_FAILURE(StartFeed(o));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Add(0, absl::StrCat("t", i), InCounty("12")));
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (feed_->Stats().entries_read < 3 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(reads_->Command({"XTRIM", outbox::StreamName(services_[0]), "MAXLEN", "1"}).ok());
  EventCursor cursor;
  cursor.time = absl::Now();
  cursor.positions[services_[0]] = *outbox::StreamId::Parse(ids[0]);
  cursor.positions[services_[1]] = {};
  auto resumed = Watching(County("12"), {}, EncodeCursor(cursor));
  absl::Status end;
  ASSERT_TRUE(resumed->WaitEnd(&end));
  EXPECT_EQ(end.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(status::GetErrorInfo(end)->reason(), kReasonCursorExpired);
  EXPECT_TRUE(resumed->Payloads().empty());
  // A cursor at the entry the stream still holds lost nothing.
  cursor.positions[services_[0]] = *outbox::StreamId::Parse(ids[2]);
  Add(0, "t3", InCounty("12"));
  auto fine = Watching(County("12"), {}, EncodeCursor(cursor));
  ASSERT_TRUE(fine->WaitEvents(1));
  EXPECT_EQ(fine->Payloads(), (std::vector<std::string>{"t3"}));
}

// Redis lost a stream (restarted empty) and the relay rebuilt it with the same entry ids: a
// watcher resuming into the lost part waits for the rebuild, then gets each event once.
TEST_F(EventFeedTest, AResumeIntoALostStreamWaitsForItsRebuild) {
  EventFeedOptions o = Options();
  o.buffer_entries = 1;  // resumes read Redis
  o.max_pending = 10;
  o.catch_up_page = 2;
  ASSERT_NO_FATAL_FAILURE(StartFeed(o));
  std::vector<std::string> ids;
  std::vector<std::string> event_ids;
  for (int i = 0; i < 4; ++i) {
    event_ids.push_back(*outbox::NewEventId());
    ids.push_back(Add(0, absl::StrCat("e", i), InCounty("12"), "t.v1.ThingChangedEvent", "*",
                      event_ids.back()));
  }
  // The feed has read them: a watch from now sees none.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (feed_->Stats().entries_read < 4 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  auto first = Watching(County("12"), {}, "");
  EventCursor cursor;
  cursor.time = absl::Now();
  cursor.positions[services_[0]] = *outbox::StreamId::Parse(ids[0]);
  cursor.positions[services_[1]] = {};
  ASSERT_TRUE(reads_->Command({"DEL", outbox::StreamName(services_[0])}).ok());

  auto resumed = Watching(County("12"), {}, EncodeCursor(cursor));
  absl::SleepFor(absl::Milliseconds(800));
  EXPECT_TRUE(resumed->Payloads().empty());
  // The relay's rebuild: the same entries with the same ids.
  for (int i = 0; i < 4; ++i) {
    Add(0, absl::StrCat("e", i), InCounty("12"), "t.v1.ThingChangedEvent", ids[i], event_ids[i]);
  }
  ASSERT_TRUE(resumed->WaitEvents(3)) << ::testing::PrintToString(resumed->Payloads());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(resumed->Payloads(), (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_TRUE(first->Payloads().empty());
}

}  // namespace
}  // namespace integration::gateway
