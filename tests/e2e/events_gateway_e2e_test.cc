// End-to-end tests of the event feed through the gateway: watchers over gRPC (WatchEvents) see
// the events of a grants lifecycle in commit order, only those within their scope (and of
// training only those their role may read through the RPCs), and resume from their cursor
// without loss or duplicates after a restart of the grants service, of the gateway (a watch
// ends UNAVAILABLE when its gateway shuts down) and of Redis (which comes back empty and is
// rebuilt by the relay); the same feed as Server-Sent Events over HTTP.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "event_cursor.h"
#include "integration/grpc/call_context.h"
#include "lansstyrelsen/integration/gateway/v1/event_service.grpc.pb.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "suite.h"

namespace integration::e2e {
namespace {

namespace gw = ::lansstyrelsen::integration::gateway::v1;
using ::integration::grpc::NewRequestId;

constexpr char kGrants[] = "lansstyrelsen.integration.grants.v1.";
constexpr char kApplicant[] = "0380";  // Uppsala kommun, in kLan
constexpr char kBystander[] = "0381";  // Enköping, in kLan, not an applicant

std::string Type(const std::string& name) { return absl::StrCat(kGrants, name); }

// One WatchEvents stream of one service's events read on a thread of its own.
class Watcher {
 public:
  Watcher(const std::string& target, const std::string& bearer, const std::string& cursor,
          const std::string& service = "grants")
      : channel_(::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials())),
        stub_(gw::EventService::NewStub(channel_)) {
    ctx_.AddMetadata("authorization", bearer);
    gw::WatchEventsRequest req;
    req.add_services(service);
    req.set_start_cursor(cursor);
    reader_ = stub_->WatchEvents(&ctx_, req);
    // The watch is open once the gateway sent its headers (a refusal comes without).
    reader_->WaitForInitialMetadata();
    thread_ = std::thread([this] { Read(); });
  }
  ~Watcher() { Stop(); }

  void Stop() {
    ctx_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }

  // The events so far (no heartbeats).
  std::vector<gw::WatchedEvent> Events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  std::vector<std::string> Types() {
    std::vector<std::string> out;
    for (const gw::WatchedEvent& e : Events()) out.push_back(e.type());
    return out;
  }
  // The cursor of the last message (event or heartbeat).
  std::string Cursor() {
    absl::MutexLock lock(&mu_);
    return cursor_;
  }
  bool WaitFor(size_t events, absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return events_.size() >= events; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  // The stream's end, once it ended.
  std::optional<::grpc::Status> WaitEnd(absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    auto ended = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return end_.has_value(); };
    mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
    return end_;
  }

 private:
  void Read() {
    gw::WatchEventsResponse r;
    while (reader_->Read(&r)) {
      absl::MutexLock lock(&mu_);
      if (r.has_event()) {
        events_.push_back(r.event());
        cursor_ = r.event().cursor();
      } else {
        cursor_ = r.heartbeat().cursor();
      }
    }
    ::grpc::Status st = reader_->Finish();
    absl::MutexLock lock(&mu_);
    end_ = st;
  }

  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<gw::EventService::Stub> stub_;
  ::grpc::ClientContext ctx_;
  std::unique_ptr<::grpc::ClientReader<gw::WatchEventsResponse>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<gw::WatchedEvent> events_ ABSL_GUARDED_BY(mu_);
  std::string cursor_ ABSL_GUARDED_BY(mu_);
  std::optional<::grpc::Status> end_ ABSL_GUARDED_BY(mu_);
};

// A watcher that got past the gateway's start (which refuses watches UNAVAILABLE until it has
// read the streams' positions once).
std::unique_ptr<Watcher> Watch(const std::string& target, const std::string& bearer,
                               const std::string& cursor, const std::string& service = "grants") {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  for (;;) {
    auto w = std::make_unique<Watcher>(target, bearer, cursor, service);
    std::optional<::grpc::Status> end = w->WaitEnd(absl::Milliseconds(300));
    if (!end.has_value() || end->error_code() != ::grpc::StatusCode::UNAVAILABLE ||
        absl::Now() > give_up) {
      return w;
    }
  }
}

// The first `n` SSE messages of GET `target` on the gateway's HTTP port (raw HTTP/1.1: the
// stream never ends by itself), as {id, event, data}.
struct SseMessage {
  std::string id, event, data;
};
std::vector<SseMessage> ReadSse(int port, const std::string& target, const std::string& bearer,
                                const std::string& last_event_id, size_t n, int* status) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  std::string request =
      absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n", "Authorization: ", bearer,
                   "\r\nAccept: text/event-stream\r\n");
  if (!last_event_id.empty()) absl::StrAppend(&request, "Last-Event-ID: ", last_event_id, "\r\n");
  request += "\r\n";
  asio::write(socket, asio::buffer(request));
  std::string raw;
  std::vector<SseMessage> out;
  std::array<char, 4096> buf;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  *status = 0;
  while (out.size() < n && absl::Now() < give_up) {
    boost::system::error_code ec;
    const size_t got = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    raw.append(buf.data(), got);
    out.clear();
    const size_t head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    if (*status == 0) *status = std::stoi(raw.substr(9, 3));
    // The body is chunked: keep only lines that look like SSE fields, which is all it has.
    SseMessage m;
    for (absl::string_view line : absl::StrSplit(raw.substr(head_end + 4), '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (absl::ConsumePrefix(&line, "id: ")) {
        m.id = std::string(line);
      } else if (absl::ConsumePrefix(&line, "event: ")) {
        m.event = std::string(line);
      } else if (absl::ConsumePrefix(&line, "data: ")) {
        m.data = std::string(line);
      } else if (line.empty() && !m.data.empty()) {
        out.push_back(m);
        m = {};
      }
    }
  }
  return out;
}

class EventsThroughGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
    if (suite.ok()) {
      suite_ = *std::move(suite);
    } else {
      start_error_ = suite.status().ToString();
    }
  }
  static void TearDownTestSuite() { suite_.reset(); }
  void SetUp() override { ASSERT_NE(suite_, nullptr) << start_error_; }

  Suite& suite() { return *suite_; }
  std::string Admin() { return suite_->Bearer("county_admin", "admin-uppsala"); }
  std::string Officer(const std::string& lan = kLan) {
    return suite_->Bearer("county_officer", "officer-" + lan, lan);
  }
  std::string Kommun(const std::string& kommun) {
    integration::testing::Claims claims;
    claims.kommun = kommun;
    return suite_->Bearer("municipality_officer", "kommun-" + kommun, claims);
  }

  // POST over HTTP with a JSON body; the response's JSON.
  google::protobuf::Struct Post(const std::string& token, const std::string& target,
                                const std::string& body) {
    HttpResult r = Http(suite_->gateway().http_port(), "POST", target, token, body);
    EXPECT_EQ(r.status, 200) << target << ": " << r.Describe();
    return r.Json();
  }
  static std::string Field(const google::protobuf::Struct& s, const std::string& name) {
    auto it = s.fields().find(name);
    return it == s.fields().end() ? "" : it->second.string_value();
  }

  // A new open call of a county programme (events: ProgrammeChanged, CallChanged ×2).
  std::string OpenCall(const std::string& id) {
    Post(Admin(), "/v1/programmes?requestId=" + NewRequestId(),
         absl::StrCat(R"({"name": "programmes/)", id, R"(", "displayName": "Program )", id,
                      R"(", "legalBasis": "Förordning (2010:1122) § 37",
                         "description": "Stöd.", "lanskod": ")",
                      kLan, R"(",
                         "eligibleApplicantTypes": ["APPLICANT_TYPE_KOMMUN"]})"));
    const absl::Time now = absl::Now();
    const std::string call = Field(
        Post(Admin(), "/v1/calls?requestId=" + NewRequestId(),
             absl::StrCat(
                 R"({"programme": "programmes/)", id, R"(", "title": "Utlysning )", id,
                 R"(", "description": "Utlysning.", "openTime": ")",
                 absl::FormatTime(absl::RFC3339_sec, now - absl::Hours(1), absl::UTCTimeZone()),
                 R"(", "closeTime": ")",
                 absl::FormatTime(absl::RFC3339_sec, now + absl::Hours(720), absl::UTCTimeZone()),
                 R"(", "budget": {"ore": "500000000"},
                             "maxAmountPerApplication": {"ore": "100000000"},
                             "fundingPeriod": {"startDate": {"year": 2027, "month": 1, "day": 1},
                                               "endDate": {"year": 2027, "month": 12, "day": 31}},
                             "criteria": [{"id": "behov", "title": "Behov", "weight": 1}]})")),
        "name");
    Post(Admin(), "/v1/" + call + ":open", R"({"requestId": ")" + NewRequestId() + R"("})");
    return call;
  }

  // A submitted application of the applicant kommun (event: ApplicationSubmitted).
  std::string Submit(const std::string& call) {
    const std::string application = Field(
        Post(Kommun(kApplicant), "/v1/" + call + "/applications?requestId=" + NewRequestId(),
             absl::StrCat(R"({"applicant": {"kommunkod": ")", kApplicant,
                          R"(", "type": "APPLICANT_TYPE_KOMMUN", "displayName": "Uppsala kommun"},
                             "projectTitle": "Mottagande", "description": "Samordnare.",
                             "projectPeriod": {"startDate": {"year": 2027, "month": 2, "day": 1},
                                               "endDate": {"year": 2027, "month": 11, "day": 30}},
                             "budgetLines": [{"category": "BUDGET_CATEGORY_PERSONNEL",
                                              "description": "Samordnare",
                                              "amount": {"ore": "80000000"}}],
                             "requestedAmount": {"ore": "80000000"}})")),
        "name");
    Post(Kommun(kApplicant), "/v1/" + application + ":submit",
         R"({"requestId": ")" + NewRequestId() + R"("})");
    return application;
  }

  // The officer's approval (event: ApplicationDecided).
  void Decide(const std::string& application) {
    Post(Officer(), "/v1/" + application + "/reviews",
         R"({"scores": [{"criterionId": "behov", "score": 4, "comment": "Behov"}],
             "comment": "Bör beviljas"})");
    Post(Officer(), "/v1/" + application + ":decide",
         R"({"outcome": "DECISION_OUTCOME_APPROVED", "approvedAmount": {"ore": "80000000"},
             "conditions": "Inga.", "requestId": ")" +
             NewRequestId() + R"("})");
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
};

std::unique_ptr<Suite> EventsThroughGatewayTest::suite_;
std::string EventsThroughGatewayTest::start_error_;

// The events' ids, in order.
std::vector<std::string> Ids(const std::vector<gw::WatchedEvent>& events) {
  std::vector<std::string> ids;
  for (const gw::WatchedEvent& e : events) ids.push_back(e.event_id());
  return ids;
}

TEST_F(EventsThroughGatewayTest, AGrantsLifecycleInOrderAndOnlyWithinScope) {
  const std::string target = suite().gateway().grpc_target();
  std::unique_ptr<Watcher> county_watch = Watch(target, Officer(), "");
  std::unique_ptr<Watcher> other_county_watch = Watch(target, Officer(kOtherLan), "");
  std::unique_ptr<Watcher> applicant_watch = Watch(target, Kommun(kApplicant), "");
  std::unique_ptr<Watcher> bystander_watch = Watch(target, Kommun(kBystander), "");
  Watcher& county = *county_watch;
  Watcher& other_county = *other_county_watch;
  Watcher& applicant = *applicant_watch;
  Watcher& bystander = *bystander_watch;
  // An agency system: every event of the services whose event scope its token carries.
  integration::testing::Claims agency;
  agency.agency = "migrationsverket";
  agency.scopes = {"grants.events.read"};
  std::unique_ptr<Watcher> agency_watch =
      Watch(target, suite().Bearer("agency_system", "system-mv", agency), "");

  const std::string call = OpenCall("bevakning-1");
  const std::string application = Submit(call);
  Decide(application);

  const std::vector<std::string> lifecycle = {
      Type("ProgrammeChangedEvent"), Type("CallChangedEvent"), Type("CallChangedEvent"),
      Type("ApplicationSubmittedEvent"), Type("ApplicationDecidedEvent")};
  ASSERT_TRUE(county.WaitFor(lifecycle.size())) << ::testing::PrintToString(county.Types());
  EXPECT_EQ(county.Types(), lifecycle);
  const std::vector<gw::WatchedEvent> seen = county.Events();
  EXPECT_EQ(seen[1].resource(), call);
  EXPECT_EQ(seen[3].resource(), application);
  EXPECT_EQ(seen[3].service(), "grants");
  // The event itself, as its message.
  lansstyrelsen::integration::grants::v1::ApplicationDecidedEvent decided;
  ASSERT_TRUE(seen[4].event().UnpackTo(&decided));
  EXPECT_EQ(decided.application(), application);
  EXPECT_EQ(decided.applicant().kommunkod(), kApplicant);
  EXPECT_TRUE(seen[4].has_create_time());

  // The applicant kommun: the public programme and open call, and its application; not the
  // draft. Another county and another kommun: the public ones only.
  const std::vector<std::string> public_ones = {Type("ProgrammeChangedEvent"),
                                                Type("CallChangedEvent")};
  ASSERT_TRUE(applicant.WaitFor(4));
  ASSERT_TRUE(other_county.WaitFor(2));
  ASSERT_TRUE(bystander.WaitFor(2));
  absl::SleepFor(absl::Seconds(1));  // anything more would have come by now
  EXPECT_EQ(applicant.Types(),
            (std::vector<std::string>{Type("ProgrammeChangedEvent"), Type("CallChangedEvent"),
                                      Type("ApplicationSubmittedEvent"),
                                      Type("ApplicationDecidedEvent")}));
  EXPECT_EQ(other_county.Types(), public_ones);
  EXPECT_EQ(bystander.Types(), public_ones);
  ASSERT_TRUE(agency_watch->WaitFor(lifecycle.size()));
  EXPECT_EQ(agency_watch->Types(), lifecycle);

  // Without an event scope an agency system may not watch at all.
  integration::testing::Claims funding_only;
  funding_only.agency = "migrationsverket";
  funding_only.scopes = {"grants.funding.read"};
  Watcher refused(target, suite().Bearer("agency_system", "system-mv2", funding_only), "");
  std::optional<::grpc::Status> refusal = refused.WaitEnd();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  // A bad cursor and an expired one.
  Watcher bad(target, Officer(), "not-a-cursor");
  std::optional<::grpc::Status> end = bad.WaitEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
}

// A role sees an event only when a read RPC of its record admits the role: a county_admin
// (whose role GetLearner does not admit) gets the public course content but no enrolment, a
// county officer both, a learner its own enrolment only.
TEST_F(EventsThroughGatewayTest, TrainingEventsOnlyForTheRolesThatMayReadTheirRecords) {
  const std::string target = suite().gateway().grpc_target();
  std::unique_ptr<Watcher> admin = Watch(target, Admin(), "", "training");
  std::unique_ptr<Watcher> officer = Watch(target, Officer(), "", "training");
  std::unique_ptr<Watcher> enrolled =
      Watch(target, suite().Bearer("learner", "ev-anna"), "", "training");
  std::unique_ptr<Watcher> other =
      Watch(target, suite().Bearer("learner", "ev-bo"), "", "training");

  Post(Admin(), "/v1/parts?partId=bevakningsdel", R"({"title": "Bevakningsdel"})");
  Post(suite().Bearer("learner", "ev-anna"), "/v1/learners?requestId=" + NewRequestId(),
       R"({"name": "learners/me", "displayName": "Anna Ek", "email": "anna@example.se",
           "organisationType": "ORGANISATION_TYPE_ASSOCIATION",
           "organisationName": "Röda Korset Uppsala", "kommunkod": "0380",
           "parts": ["parts/bevakningsdel"]})");

  const std::string content = "lansstyrelsen.integration.training.v1.ContentChangedEvent";
  const std::string enrolment = "lansstyrelsen.integration.training.v1.LearnerEnrolledEvent";
  ASSERT_TRUE(officer->WaitFor(2)) << ::testing::PrintToString(officer->Types());
  ASSERT_TRUE(enrolled->WaitFor(2)) << ::testing::PrintToString(enrolled->Types());
  ASSERT_TRUE(admin->WaitFor(1));
  ASSERT_TRUE(other->WaitFor(1));
  absl::SleepFor(absl::Seconds(1));  // anything more would have come by now
  EXPECT_EQ(officer->Types(), (std::vector<std::string>{content, enrolment}));
  EXPECT_EQ(enrolled->Types(), (std::vector<std::string>{content, enrolment}));
  EXPECT_EQ(enrolled->Events()[1].resource(), "learners/" + suite().Subject("ev-anna"));
  EXPECT_EQ(admin->Types(), (std::vector<std::string>{content}));
  EXPECT_EQ(other->Types(), (std::vector<std::string>{content}));
}

TEST_F(EventsThroughGatewayTest, ResumesWithoutLossOrDuplicatesAfterRestarts) {
  const std::string call = OpenCall("bevakning-2");
  // A gateway of its own, so that it can be restarted.
  absl::StatusOr<std::unique_ptr<gateway::testing::InProcessGateway>> gw1 =
      suite().StartGateway({});
  ASSERT_TRUE(gw1.ok()) << gw1.status();
  std::vector<gw::WatchedEvent> all;
  std::unique_ptr<Watcher> watcher = Watch((*gw1)->grpc_target(), Officer(), "");

  // 1. The grants service restarts between two submissions; the watcher reconnects.
  Submit(call);
  ASSERT_TRUE(watcher->WaitFor(1));
  std::string cursor = watcher->Cursor();
  watcher->Stop();
  for (const gw::WatchedEvent& e : watcher->Events()) all.push_back(e);
  suite().service("grants").Stop();
  ASSERT_TRUE(suite().service("grants").Restart().ok());
  // The gateway's channel backs off after the failed reconnects while grants was down; like any
  // client it sees UNAVAILABLE until then, so wait for grants to answer through it again.
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (Http(suite_->gateway().http_port(), "GET", "/v1/" + call + "/statistics", Officer())
                 .status != 200 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  Submit(call);
  watcher = Watch((*gw1)->grpc_target(), Officer(), cursor);
  ASSERT_TRUE(watcher->WaitFor(1));

  // 2. The gateway shuts down: the watch ends UNAVAILABLE; a new gateway resumes it.
  Submit(call);
  ASSERT_TRUE(watcher->WaitFor(2));
  cursor = watcher->Cursor();
  gw1->reset();
  std::optional<::grpc::Status> end = watcher->WaitEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->error_code(), ::grpc::StatusCode::UNAVAILABLE) << end->error_message();
  for (const gw::WatchedEvent& e : watcher->Events()) all.push_back(e);
  Submit(call);  // while no gateway watches
  absl::StatusOr<std::unique_ptr<gateway::testing::InProcessGateway>> gw2 =
      suite().StartGateway({});
  ASSERT_TRUE(gw2.ok()) << gw2.status();
  watcher = Watch((*gw2)->grpc_target(), Officer(), cursor);
  ASSERT_TRUE(watcher->WaitFor(1));
  cursor = watcher->Cursor();
  watcher->Stop();
  for (const gw::WatchedEvent& e : watcher->Events()) all.push_back(e);

  // 3. Redis restarts empty; the relay gives the stream back with the same entry ids.
  ASSERT_TRUE(suite().redis().Restart().ok());
  Submit(call);
  watcher = Watch((*gw2)->grpc_target(), Officer(), cursor);
  ASSERT_TRUE(watcher->WaitFor(1));
  absl::SleepFor(absl::Seconds(2));  // a duplicate would come by now
  for (const gw::WatchedEvent& e : watcher->Events()) all.push_back(e);
  watcher->Stop();

  // Five submissions, each once, in order.
  std::vector<std::string> types;
  for (const gw::WatchedEvent& e : all) types.push_back(e.type());
  EXPECT_EQ(types, std::vector<std::string>(5, Type("ApplicationSubmittedEvent")));
  const std::vector<std::string> ids = Ids(all);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

// The same feed as Server-Sent Events: an event per message whose id is its cursor; the
// Last-Event-ID header resumes after it; CURSOR_EXPIRED-like errors come as JSON before the
// stream starts.
TEST_F(EventsThroughGatewayTest, ServerSentEventsResumeFromLastEventId) {
  const std::string call = OpenCall("bevakning-3");
  const int port = suite().gateway().http_port();
  std::unique_ptr<Watcher> grpc_watch = Watch(suite().gateway().grpc_target(), Officer(), "");
  Watcher& grpc_watcher = *grpc_watch;
  Submit(call);
  Submit(call);
  // The call's opening may still reach a watch from now (its relay or the gateway's read may lag
  // behind the answer); the two submissions are what counts.
  std::vector<gw::WatchedEvent> two;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (two.size() < 2 && absl::Now() < give_up) {
    two.clear();
    for (const gw::WatchedEvent& e : grpc_watcher.Events()) {
      if (e.type() == Type("ApplicationSubmittedEvent")) two.push_back(e);
    }
    if (two.size() < 2) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(two.size(), 2u) << ::testing::PrintToString(grpc_watcher.Types());

  // From before the first submission (the gRPC cursor of the call's opening is not needed: the
  // first event's cursor resumes after it).
  int status = 0;
  std::vector<SseMessage> got =
      ReadSse(port, "/v1/events:watch?services=grants", Officer(), two[0].cursor(), 1, &status);
  EXPECT_EQ(status, 200);
  ASSERT_GE(got.size(), 1u);
  // The same place in the streams as the gRPC cursor after that event.
  absl::StatusOr<gateway::EventCursor> sse_cursor = gateway::ParseCursor(got[0].id, "id");
  absl::StatusOr<gateway::EventCursor> grpc_cursor = gateway::ParseCursor(two[1].cursor(), "c");
  ASSERT_TRUE(sse_cursor.ok() && grpc_cursor.ok()) << got[0].id;
  EXPECT_EQ(sse_cursor->positions, grpc_cursor->positions);
  EXPECT_THAT(got[0].data, ::testing::HasSubstr(two[1].event_id()));
  EXPECT_THAT(got[0].data, ::testing::HasSubstr("ApplicationSubmittedEvent"));

  HttpResult bad = Http(port, "GET", "/v1/events:watch?start_cursor=garbage", Officer());
  EXPECT_EQ(bad.status, 400) << bad.Describe();
  EXPECT_EQ(bad.Reason(), "INVALID_CURSOR");
  HttpResult anonymous = Http(port, "GET", "/v1/events:watch");
  EXPECT_EQ(anonymous.status, 401) << anonymous.Describe();
}

// A gateway that cannot serve a watch right now (here: started while Redis is down, so it has
// not read the streams) answers Server-Sent Events with a stream that ends at once with the
// `end` event (UNAVAILABLE), never with an HTTP error, after which EventSource would stop
// retrying for good.
TEST_F(EventsThroughGatewayTest, ServerSentEventsEndAtOnceWhileTheFeedCannotServe) {
  suite().redis().Stop();
  absl::StatusOr<std::unique_ptr<gateway::testing::InProcessGateway>> gw = suite().StartGateway({});
  int status = 0;
  std::vector<SseMessage> got;
  if (gw.ok()) {
    got =
        ReadSse((*gw)->http_port(), "/v1/events:watch?services=grants", Officer(), "", 1, &status);
  }
  ASSERT_TRUE(suite().redis().Restart().ok());
  ASSERT_TRUE(gw.ok()) << gw.status();
  EXPECT_EQ(status, 200);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event, "end");
  EXPECT_THAT(got[0].data, ::testing::HasSubstr("EVENT_FEED_UNAVAILABLE"));
}

}  // namespace
}  // namespace integration::e2e
