// End-to-end tests of the training service through the gateway, over both fronts, against the
// real training-server, PostgreSQL and Redis: the learner's whole course (enrol, attempt,
// submit, progress, diploma, PDF, public verification), cached public reads invalidated by the
// service's events, tenant isolation (gateway and service), and bad requests named by field.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "diploma_pdf.h"
#include "integration/grpc/call_context.h"
#include "suite.h"
#include "training_test_env.h"

namespace integration::e2e {
namespace {

namespace v1 = ::lansstyrelsen::integration::training::v1;
using Stub = v1::TrainingService::Stub;
using ::integration::training::testing::MakeQuiz;
using ::integration::training::testing::RightAnswers;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TrainingThroughGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
    if (suite.ok()) {
      suite_ = *std::move(suite);
    } else {
      start_error_ = suite.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    suite_.reset();
    // The diploma PDFs rendered in-process leave fontconfig's caches (as training-server's
    // main releases them at exit).
    training::ReleasePdfFontCaches();
  }

  void SetUp() override {
    ASSERT_NE(suite_, nullptr) << start_error_;
    channel_ = ::grpc::CreateChannel(suite_->gateway().grpc_target(),
                                     ::grpc::InsecureChannelCredentials());
    stub_ = v1::TrainingService::NewStub(channel_);
  }

  Suite& suite() { return *suite_; }
  // The name of the learner whose tokens are Learner(id): learners/{pseudonym of its subject}.
  std::string Learners(const std::string& id) { return "learners/" + suite().Subject(id); }
  Stub& stub() { return *stub_; }
  int http_port() { return suite_->gateway().http_port(); }
  std::string Admin() { return suite_->Bearer("county_admin", "admin-1"); }
  std::string Learner(const std::string& id) { return suite_->Bearer("learner", id); }

  // A part with one published module whose quiz is MakeQuiz(), made through the gateway.
  v1::Quiz PublishedPart(const std::string& part_id, const std::string& module_id) {
    v1::CreatePartRequest part;
    part.set_part_id(part_id);
    part.mutable_part()->set_title("Del " + part_id);
    v1::Part created_part;
    RpcResult r = Invoke(stub(), &Stub::CreatePart, Admin(), part, &created_part);
    EXPECT_TRUE(r.ok()) << r.Describe();

    v1::CreateModuleRequest module;
    module.set_parent("parts/" + part_id);
    module.set_module_id(module_id);
    module.mutable_module()->set_title("Moment " + module_id);
    v1::ContentItem* film = module.mutable_module()->add_content();
    film->set_kind(v1::CONTENT_KIND_FILM);
    film->set_title("Film");
    film->set_uri("https://video.example.se/" + module_id);
    film->set_duration_seconds(120);
    v1::Module created_module;
    r = Invoke(stub(), &Stub::CreateModule, Admin(), module, &created_module);
    EXPECT_TRUE(r.ok()) << r.Describe();

    v1::UpdateQuizRequest quiz;
    *quiz.mutable_quiz() = MakeQuiz({.questions = 2, .pass_mark_percent = 50});
    quiz.mutable_quiz()->set_name(absl::StrCat("parts/", part_id, "/modules/", module_id, "/quiz"));
    v1::Quiz stored;
    r = Invoke(stub(), &Stub::UpdateQuiz, Admin(), quiz, &stored);
    EXPECT_TRUE(r.ok()) << r.Describe();

    v1::PublishModuleRequest publish;
    publish.set_name(absl::StrCat("parts/", part_id, "/modules/", module_id));
    v1::Module published;
    r = Invoke(stub(), &Stub::PublishModule, Admin(), publish, &published);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return *quiz.mutable_quiz();
  }

  // learners/<id> enrolled in parts/<part_id> through the gateway (gRPC).
  void Enrol(const std::string& id, const std::string& part_id) {
    v1::CreateLearnerRequest req;
    req.mutable_learner()->set_name(Learners(id));
    req.mutable_learner()->set_display_name("Åsa Öberg");
    req.mutable_learner()->set_email(id + "@example.se");
    req.mutable_learner()->set_organisation_type(
        lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_ASSOCIATION);
    req.mutable_learner()->set_organisation_name("Röda Korset Uppsala");
    req.mutable_learner()->set_kommunkod(kKommun);
    req.mutable_learner()->add_parts("parts/" + part_id);
    req.set_request_id(::integration::grpc::NewRequestId());
    v1::Learner learner;
    RpcResult r = Invoke(stub(), &Stub::CreateLearner, Learner(id), req, &learner);
    ASSERT_TRUE(r.ok()) << r.Describe();
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
};

std::unique_ptr<Suite> TrainingThroughGatewayTest::suite_;
std::string TrainingThroughGatewayTest::start_error_;

// The learner's course over gRPC through the gateway: every write and read reaches the real
// service and its database, and the diploma it issues verifies publicly.
TEST_F(TrainingThroughGatewayTest, LearnerCourseOverGrpc) {
  const v1::Quiz quiz = PublishedPart("grpcdel", "m1");
  Enrol("anna", "grpcdel");

  v1::StartAttemptRequest start;
  start.set_parent(Learners("anna"));
  start.set_module("parts/grpcdel/modules/m1");
  v1::Attempt attempt;
  RpcResult r = Invoke(stub(), &Stub::StartAttempt, Learner("anna"), start, &attempt);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(attempt.state(), v1::ATTEMPT_STATE_IN_PROGRESS);
  EXPECT_FALSE(r.Header("x-request-id").empty());

  v1::SubmitAttemptRequest submit;
  submit.set_name(attempt.name());
  for (const v1::Answer& a : RightAnswers(attempt, quiz)) *submit.add_answers() = a;
  v1::Attempt scored;
  r = Invoke(stub(), &Stub::SubmitAttempt, Learner("anna"), submit, &scored);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(scored.passed());
  EXPECT_EQ(scored.score_percent(), 100);

  v1::GetProgressRequest progress_req;
  progress_req.set_name(Learners("anna") + "/progress");
  v1::Progress progress;
  r = Invoke(stub(), &Stub::GetProgress, Learner("anna"), progress_req, &progress);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(progress.completed());
  ASSERT_EQ(progress.parts_size(), 1);
  EXPECT_TRUE(progress.parts(0).completed());

  v1::ListDiplomasRequest list;
  list.set_parent(Learners("anna"));
  v1::ListDiplomasResponse diplomas;
  r = Invoke(stub(), &Stub::ListDiplomas, Learner("anna"), list, &diplomas);
  ASSERT_TRUE(r.ok()) << r.Describe();
  // The part's certificate (and, when this part is the whole course so far, the course
  // diploma too).
  const v1::Diploma* certificate = nullptr;
  for (const v1::Diploma& d : diplomas.diplomas()) {
    EXPECT_EQ(d.state(), v1::DIPLOMA_STATE_VALID);
    if (d.content().kind() == v1::DIPLOMA_KIND_PART) certificate = &d;
  }
  ASSERT_NE(certificate, nullptr) << diplomas.DebugString();
  EXPECT_THAT(certificate->parts(), ElementsAre("parts/grpcdel"));
  const v1::Diploma& diploma = *certificate;

  // Anyone can verify it, without a token.
  v1::VerifyDiplomaRequest verify;
  verify.set_code(diploma.content().code());
  v1::VerifyDiplomaResponse verdict;
  r = Invoke(stub(), &Stub::VerifyDiploma, "", verify, &verdict);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(verdict.verdict(), v1::VERDICT_VALID);
  EXPECT_EQ(verdict.content().code(), diploma.content().code());

  // The county officer of the learner's län sees the progress too.
  v1::Progress seen;
  r = Invoke(stub(), &Stub::GetProgress, suite().Bearer("county_officer", "officer-1"),
             progress_req, &seen);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(seen.completed());
}

// The same course over HTTP/JSON: routes, bodies, path variables and canonical JSON answers,
// and the diploma PDF as raw bytes.
TEST_F(TrainingThroughGatewayTest, LearnerCourseOverHttp) {
  const v1::Quiz quiz = PublishedPart("httpdel", "m1");
  const std::string bertil = Learner("bertil");

  HttpResult created = Http(http_port(), "POST",
                            "/v1/learners?requestId=" + ::integration::grpc::NewRequestId(), bertil,
                            R"({"name": "learners/me", "displayName": "Bertil Ek",
                                "email": "bertil@example.se",
                                "organisationType": "ORGANISATION_TYPE_ASSOCIATION",
                                "organisationName": "Röda Korset Uppsala",
                                "kommunkod": "0380", "parts": ["parts/httpdel"]})");
  ASSERT_EQ(created.status, 200) << created.Describe();
  EXPECT_EQ(created.Json().fields().at("name").string_value(), Learners("bertil"));
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  EXPECT_FALSE(created.Header("x-request-id").empty());

  HttpResult started = Http(http_port(), "POST", "/v1/" + Learners("bertil") + "/attempts", bertil,
                            R"({"module": "parts/httpdel/modules/m1"})");
  ASSERT_EQ(started.status, 200) << started.Describe();
  v1::Attempt attempt;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(started.body, &attempt, lenient).ok())
      << started.body;
  EXPECT_EQ(attempt.state(), v1::ATTEMPT_STATE_IN_PROGRESS);

  v1::SubmitAttemptRequest submit;
  for (const v1::Answer& a : RightAnswers(attempt, quiz)) *submit.add_answers() = a;
  std::string answers_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(submit, &answers_json).ok());
  HttpResult submitted =
      Http(http_port(), "POST", "/v1/" + attempt.name() + ":submit", bertil, answers_json);
  ASSERT_EQ(submitted.status, 200) << submitted.Describe();
  EXPECT_TRUE(submitted.Json().fields().at("passed").bool_value());

  HttpResult progress = Http(http_port(), "GET", "/v1/" + Learners("bertil") + "/progress", bertil);
  ASSERT_EQ(progress.status, 200) << progress.Describe();
  EXPECT_TRUE(progress.Json().fields().at("completed").bool_value());

  HttpResult diplomas = Http(http_port(), "GET", "/v1/" + Learners("bertil") + "/diplomas", bertil);
  ASSERT_EQ(diplomas.status, 200) << diplomas.Describe();
  const google::protobuf::Struct diplomas_json = diplomas.Json();
  const auto& list = diplomas_json.fields().at("diplomas").list_value();
  ASSERT_GE(list.values_size(), 1) << diplomas.body;
  const std::string name = list.values(0).struct_value().fields().at("name").string_value();

  HttpResult pdf = Http(http_port(), "GET", "/v1/" + name + ":pdf", bertil);
  ASSERT_EQ(pdf.status, 200) << pdf.Describe();
  EXPECT_EQ(pdf.Header("content-type"), "application/pdf");
  EXPECT_TRUE(pdf.body.starts_with("%PDF-")) << pdf.body.substr(0, 20);

  const std::string code = name.substr(name.rfind('/') + 1);
  HttpResult verified = Http(http_port(), "GET", "/v1/diplomas/" + code + ":verify");
  ASSERT_EQ(verified.status, 200) << verified.Describe();
  EXPECT_EQ(verified.Json().fields().at("verdict").string_value(), "VERDICT_VALID");
}

// Public, cacheable reads: the second identical call is served by the gateway's cache in Redis
// (x-cache), on both fronts; a change of the content (the service's
// lansstyrelsen.integration.training.v1.ContentChangedEvent event, published by its outbox relay to
// Redis) invalidates, so the next answer is fresh, well before the 30 s TTL.
TEST_F(TrainingThroughGatewayTest, PublicReadsAreCachedUntilTheContentChanges) {
  PublishedPart("cachedel", "m1");

  auto list_parts = [&] {
    v1::ListPartsResponse parts;
    RpcResult r = Invoke(stub(), &Stub::ListParts, "", v1::ListPartsRequest(), &parts);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return std::make_pair(r, parts);
  };
  v1::GetModuleRequest get_module;
  get_module.set_name("parts/cachedel/modules/m1");
  auto module = [&] {
    v1::Module m;
    RpcResult r = Invoke(stub(), &Stub::GetModule, "", get_module, &m);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return std::make_pair(r, m);
  };
  // The writes above published events of their own, and each one the gateway sees bumps the
  // cache generation. Wait until the relay has published them all, then until the gateway has
  // consumed them: a repeated read on every front is served from the cache. Retried as a whole
  // because an event consumed between two reads turns the second read into a (correct) miss.
  ASSERT_TRUE(
      gateway::testing::WaitFor([&] { return suite().OutboxDrained("training"); }, absl::Seconds(10)));
  std::string cache_trace;
  const bool cached_everywhere = gateway::testing::WaitFor(
      [&] {
        auto first = list_parts();
        auto second = list_parts();
        module();
        auto module_again = module();
        HttpResult http_first = Http(http_port(), "GET", "/v1/parts");
        HttpResult http_second = Http(http_port(), "GET", "/v1/parts");
        cache_trace = absl::StrCat("ListParts ", second.first.Header("x-cache"), ", GetModule ",
                                   module_again.first.Header("x-cache"), ", GET /v1/parts ",
                                   http_second.status, " ", http_second.Header("x-cache"));
        // A hit answers exactly what the service answered.
        return second.first.Header("x-cache") == "hit" &&
               second.second.SerializeAsString() == first.second.SerializeAsString() &&
               module_again.first.Header("x-cache") == "hit" && http_second.status == 200 &&
               http_second.Header("x-cache") == "hit" && http_second.body == http_first.body;
      },
      absl::Seconds(10));
  EXPECT_TRUE(cached_everywhere) << "last round: " << cache_trace;

  // A new part: the cached list shows it as soon as the service's event is in.
  v1::CreatePartRequest part;
  part.set_part_id("efterhandsdel");
  part.mutable_part()->set_title("Efterhand");
  v1::Part created;
  ASSERT_TRUE(Invoke(stub(), &Stub::CreatePart, Admin(), part, &created).ok());
  auto shows_new_part = [&] {
    const v1::ListPartsResponse parts = list_parts().second;
    for (const v1::Part& p : parts.parts()) {
      if (p.name() == "parts/efterhandsdel") return true;
    }
    return false;
  };
  EXPECT_TRUE(gateway::testing::WaitFor(shows_new_part, absl::Seconds(15)))
      << "the cached ListParts never showed the new part";
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] {
        return Http(http_port(), "GET", "/v1/parts").body.find("parts/efterhandsdel") !=
               std::string::npos;
      },
      absl::Seconds(15)));

  // A changed module: the cached GetModule shows the new title.
  v1::UpdateModuleRequest update;
  update.mutable_module()->set_name("parts/cachedel/modules/m1");
  update.mutable_module()->set_title("Nytt namn");
  update.mutable_update_mask()->add_paths("title");
  v1::Module updated;
  RpcResult r = Invoke(stub(), &Stub::UpdateModule, Admin(), update, &updated);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(gateway::testing::WaitFor([&] { return module().second.title() == "Nytt namn"; },
                                        absl::Seconds(15)))
      << "the cached GetModule never showed the new title";

  // It was the service's ContentChanged event.
  absl::StatusOr<std::vector<Suite::PublishedEvent>> events = suite().PublishedEvents("training");
  ASSERT_TRUE(events.ok()) << events.status();
  std::vector<std::string> changed;
  for (const Suite::PublishedEvent& e : *events) {
    if (e.type == "lansstyrelsen.integration.training.v1.ContentChangedEvent")
      changed.push_back(e.aggregate);
  }
  EXPECT_THAT(changed, ::testing::IsSupersetOf(
                           {"parts/efterhandsdel", "parts/cachedel/modules/m1"}));
}

// Tenant isolation: a learner's token on another learner's resources is refused by the gateway
// (TENANT_MISMATCH, the service never asked) on both fronts; a county officer's token for
// another län is refused by the service for that län's learners and figures.
TEST_F(TrainingThroughGatewayTest, TenantIsolationOnBothFronts) {
  PublishedPart("tenantdel", "m1");
  Enrol("david", "tenantdel");
  Enrol("erik", "tenantdel");

  v1::GetLearnerRequest get;
  get.set_name(Learners("erik"));
  v1::Learner learner;
  RpcResult r = Invoke(stub(), &Stub::GetLearner, Learner("david"), get, &learner);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::PERMISSION_DENIED) << r.Describe();
  EXPECT_EQ(r.Reason(), "TENANT_MISMATCH");

  v1::StartAttemptRequest start;
  start.set_parent(Learners("erik"));
  start.set_module("parts/tenantdel/modules/m1");
  v1::Attempt attempt;
  r = Invoke(stub(), &Stub::StartAttempt, Learner("david"), start, &attempt);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::PERMISSION_DENIED) << r.Describe();
  EXPECT_EQ(r.Reason(), "TENANT_MISMATCH");

  HttpResult http_get = Http(http_port(), "GET", "/v1/" + Learners("erik"), Learner("david"));
  EXPECT_EQ(http_get.status, 403) << http_get.Describe();
  EXPECT_EQ(http_get.Reason(), "TENANT_MISMATCH");
  EXPECT_EQ(http_get.Json().fields().at("code").number_value(), 7);  // PERMISSION_DENIED
  HttpResult http_progress =
      Http(http_port(), "GET", "/v1/" + Learners("erik") + "/progress", Learner("david"));
  EXPECT_EQ(http_progress.status, 403) << http_progress.Describe();
  HttpResult http_start = Http(http_port(), "POST", "/v1/" + Learners("erik") + "/attempts",
                               Learner("david"), R"({"module": "parts/tenantdel/modules/m1"})");
  EXPECT_EQ(http_start.status, 403) << http_start.Describe();
  EXPECT_EQ(http_start.Reason(), "TENANT_MISMATCH");
  // Its own resources still work.
  EXPECT_EQ(Http(http_port(), "GET", "/v1/" + Learners("david"), Learner("david")).status, 200);

  // County scope: an officer of another län asks for this län's figures.
  const std::string foreign = suite().Bearer("county_officer", "officer-12", kOtherLan);
  v1::GetStatisticsRequest stats;
  stats.set_lanskod(kLan);
  v1::Statistics figures;
  r = Invoke(stub(), &Stub::GetStatistics, foreign, stats, &figures);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::PERMISSION_DENIED) << r.Describe();
  EXPECT_EQ(r.Reason(), "TENANT_MISMATCH");
  HttpResult http_stats =
      Http(http_port(), "GET", absl::StrCat("/v1/statistics?lanskod=", kLan), foreign);
  EXPECT_EQ(http_stats.status, 403) << http_stats.Describe();
  EXPECT_EQ(http_stats.Reason(), "TENANT_MISMATCH");
  // The own län's officer gets them.
  HttpResult own_stats = Http(http_port(), "GET", absl::StrCat("/v1/statistics?lanskod=", kLan),
                              suite().Bearer("county_officer", "officer-1"));
  EXPECT_EQ(own_stats.status, 200) << own_stats.Describe();

  // A learner's token on the county's list of learners: the role is not allowed.
  HttpResult listed = Http(http_port(), "GET", "/v1/learners", Learner("david"));
  EXPECT_EQ(listed.status, 403) << listed.Describe();
  EXPECT_EQ(listed.Reason(), "ROLE_NOT_ALLOWED");
  // No token at all on a protected method.
  HttpResult anonymous = Http(http_port(), "GET", "/v1/" + Learners("david"));
  EXPECT_EQ(anonymous.status, 401) << anonymous.Describe();
}

// Bad requests are 400 with the offending field named, whether the gateway finds the fault
// (JSON, types, unknown fields, path variables) or the service (domain validation), and an
// oversized body is 413 before anything is parsed.
TEST_F(TrainingThroughGatewayTest, BadRequestsNameTheField) {
  const std::string admin = Admin();
  struct Case {
    std::string what;
    std::string method;
    std::string target;
    std::string body;
    std::string reason;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "POST", "/v1/parts?partId=trasig", R"({"title": "A",)", "INVALID_JSON",
       "part"},
      {"wrong type", "POST", "/v1/parts?partId=trasig", R"({"title": "A", "position": "fem"})",
       "INVALID_FIELD_VALUE", "part.position"},
      {"unknown field", "POST", "/v1/parts?partId=trasig", R"({"titel": "A"})", "UNKNOWN_FIELD",
       "part.titel"},
      {"bad path variable", "GET", "/v1/parts/a%2Fb", "", "INVALID_PATH_VARIABLE", "name"},
      {"wrong query type", "GET", "/v1/parts?pageSize=many", "", "INVALID_FIELD_VALUE",
       "page_size"},
  };
  for (const Case& c : cases) {
    HttpResult r = Http(http_port(), c.method, c.target, admin, c.body);
    EXPECT_EQ(r.status, 400) << c.what << ": " << r.Describe();
    EXPECT_EQ(r.Reason(), c.reason) << c.what << ": " << r.Describe();
    EXPECT_THAT(r.Fields(), Contains(c.field)) << c.what << ": " << r.Describe();
  }

  // The service's own validation passes through with its field: no such kommun.
  const std::string learner = Learner("fredrik");
  HttpResult domain = Http(http_port(), "POST", "/v1/learners", learner,
                           R"({"name": "learners/me", "displayName": "Fredrik",
                               "email": "fredrik@example.se",
                               "organisationType": "ORGANISATION_TYPE_ASSOCIATION",
                               "organisationName": "Förening", "kommunkod": "9999",
                               "parts": ["parts/x"]})");
  EXPECT_EQ(domain.status, 400) << domain.Describe();
  EXPECT_THAT(domain.Fields(), Contains("learner.kommunkod")) << domain.Describe();
  // The same over gRPC.
  v1::CreateLearnerRequest req;
  req.mutable_learner()->set_name(Learners("fredrik"));
  req.mutable_learner()->set_display_name("Fredrik");
  req.mutable_learner()->set_email("fredrik@example.se");
  req.mutable_learner()->set_organisation_type(
      lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_ASSOCIATION);
  req.mutable_learner()->set_organisation_name("Förening");
  req.mutable_learner()->set_kommunkod("9999");
  req.mutable_learner()->add_parts("parts/x");
  v1::Learner out;
  RpcResult rpc = Invoke(stub(), &Stub::CreateLearner, learner, req, &out);
  EXPECT_EQ(rpc.code(), ::grpc::StatusCode::INVALID_ARGUMENT) << rpc.Describe();
  EXPECT_THAT(rpc.Fields(), Contains("learner.kommunkod")) << rpc.Describe();

  // Over the configured 64 KiB: 413, the limit in the details.
  const std::string big = R"({"title": ")" + std::string(70 * 1024, 'x') + R"("})";
  HttpResult too_big = Http(http_port(), "POST", "/v1/parts?partId=stor", admin, big);
  EXPECT_EQ(too_big.status, 413) << too_big.Describe();
  EXPECT_EQ(too_big.Reason(), "REQUEST_TOO_LARGE");
  EXPECT_THAT(too_big.body, HasSubstr("65536"));

  // Nothing of the above reached the database.
  v1::GetPartRequest get;
  get.set_name("parts/trasig");
  v1::Part part;
  RpcResult missing = Invoke(stub(), &Stub::GetPart, "", get, &part);
  EXPECT_EQ(missing.code(), ::grpc::StatusCode::NOT_FOUND) << missing.Describe();
}

}  // namespace
}  // namespace integration::e2e
