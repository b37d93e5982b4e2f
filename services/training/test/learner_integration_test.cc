// Learners through the real server and PostgreSQL: enrolment of oneself only, validation,
// duplicates and request ids, the LearnerEnrolled event, updates with masks and etags, and the
// county officers' keyset-paged list limited to their county.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

namespace type = ::lansstyrelsen::integration::type::v1;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsSupersetOf;

constexpr char kRequestId[] = "3d9f4a10-2b7c-4e1d-8f6a-9c0b1e2d3f4a";

class LearnerTest : public TrainingTest {
 protected:
  void SetUp() override {
    TrainingTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
    ASSERT_TRUE(env().CreatePart("asylprocessen", "Asylprocessen", 2).ok());
  }

  // Learner name -> the token subject it is the pseudonym of.
  static std::map<std::string, std::string>& Subjects() {
    static std::map<std::string, std::string> subjects;
    return subjects;
  }

  static v1::CreateLearnerRequest Request(const std::string& id,
                                          const std::string& kommunkod = kTestKommun) {
    v1::CreateLearnerRequest req;
    v1::Learner* l = req.mutable_learner();
    l->set_name(env().Learners(id));
    Subjects()[l->name()] = id;
    l->set_display_name("Åsa Öberg");
    l->set_email(id + "@example.se");
    l->set_organisation_type(type::ORGANISATION_TYPE_KOMMUN);
    l->set_organisation_name("Uppsala kommun");
    l->set_kommunkod(kommunkod);
    l->add_parts("parts/introduktion");
    return req;
  }

  ::grpc::Status Create(const v1::CreateLearnerRequest& req, v1::Learner* out) {
    // The name holds the pseudonym of the subject Request() was given.
    const std::string id = Subjects()[req.learner().name()];
    return env().Call(&Stub::CreateLearner, env().LearnerToken(id), req, out);
  }
};

TEST_F(LearnerTest, ALearnerEnrolsItselfAndTheEventIsWritten) {
  v1::CreateLearnerRequest req = Request("anna");
  v1::Learner learner;
  ::grpc::Status st = Create(req, &learner);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(learner.name(), env().Learners("anna"));
  EXPECT_EQ(learner.display_name(), "Åsa Öberg");
  EXPECT_THAT(learner.parts(), ElementsAre("parts/introduktion"));
  EXPECT_FALSE(learner.whole_course());
  EXPECT_FALSE(learner.etag().empty());
  EXPECT_GT(learner.enrol_time().seconds(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM learners WHERE lanskod = '03'"), 1);

  // Content set up for the test publishes lansstyrelsen.integration.training.v1.ContentChangedEvent
  // events of its own.
  pqxx::result events = env().Query(
      "SELECT event_type, aggregate, payload FROM outbox"
      " WHERE event_type = 'lansstyrelsen.integration.training.v1.LearnerEnrolledEvent' ORDER BY "
      "id");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0][0].as<std::string>(),
            "lansstyrelsen.integration.training.v1.LearnerEnrolledEvent");
  EXPECT_EQ(events[0][1].as<std::string>(), env().Learners("anna"));
  v1::LearnerEnrolledEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(events[0][2]).str()));
  EXPECT_EQ(event.learner(), env().Learners("anna"));
  EXPECT_THAT(event.parts(), ElementsAre("parts/introduktion"));
  EXPECT_EQ(event.kommunkod(), "0380");
  EXPECT_EQ(event.organisation_type(), type::ORGANISATION_TYPE_KOMMUN);
  EXPECT_EQ(
      env().Count("SELECT count(*) FROM audit_log WHERE action = 'learner.create'"
                  " AND actor = '" +
                  env().Subject("anna") + "' AND resource = '" + env().Learners("anna") + "'"),
      1);

  // Every part: the whole course.
  v1::CreateLearnerRequest all = Request("bertil");
  all.mutable_learner()->add_parts("parts/asylprocessen");
  ASSERT_TRUE(Create(all, &learner).ok());
  EXPECT_TRUE(learner.whole_course());
  EXPECT_THAT(learner.parts(), ElementsAre("parts/introduktion", "parts/asylprocessen"));
}

TEST_F(LearnerTest, ALearnerCannotEnrolSomeoneElse) {
  v1::Learner learner;
  ::grpc::Status st =
      env().Call(&Stub::CreateLearner, env().LearnerToken("anna"), Request("bertil"), &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::CreateLearner, env().OfficerToken(), Request("bertil"), &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::CreateLearner, env().AdminToken(), Request("bertil"), &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(env().Count("SELECT count(*) FROM learners"), 0);
}

TEST_F(LearnerTest, EnrolmentIsValidatedFieldByField) {
  v1::CreateLearnerRequest req = Request("anna");
  req.mutable_learner()->set_display_name("  ");
  req.mutable_learner()->set_email("anna.example.se");
  req.mutable_learner()->set_organisation_type(type::ORGANISATION_TYPE_UNSPECIFIED);
  req.mutable_learner()->set_organisation_name("");
  req.mutable_learner()->clear_parts();
  v1::Learner learner;
  ::grpc::Status st = Create(req, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "LEARNER_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st),
              IsSupersetOf({"learner.display_name", "learner.email", "learner.organisation_type",
                            "learner.organisation_name", "learner.parts"}));

  for (const char* email :
       {"a@b", "a b@example.se", "@example.se", "a@@example.se", "a@example..se"}) {
    req = Request("anna");
    req.mutable_learner()->set_email(email);
    st = Create(req, &learner);
    EXPECT_EQ(ReasonOf(st), "LEARNER_INVALID") << email;
    EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("learner.email")) << email;
  }

  req = Request("anna", "0399");  // four digits, but no such kommun
  st = Create(req, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "KOMMUNKOD_UNKNOWN");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("learner.kommunkod"));
  req = Request("anna", "38");
  EXPECT_EQ(ReasonOf(Create(req, &learner)), "KOMMUNKOD_INVALID_FORMAT");

  req = Request("anna");
  req.mutable_learner()->add_parts("parts/finns-inte");
  st = Create(req, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PART_NOT_FOUND");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("learner.parts[1]"));

  req = Request("anna");
  req.mutable_learner()->add_parts("parts/introduktion");
  req.mutable_learner()->add_parts("introduktion");
  st = Create(req, &learner);
  EXPECT_EQ(ReasonOf(st), "LEARNER_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("learner.parts[1]", "learner.parts[2]"));

  req = Request("anna");
  req.mutable_learner()->set_name("learner/anna");
  st = env().Call(&Stub::CreateLearner, env().LearnerToken("anna"), req, &learner);
  EXPECT_NE(st.error_code(), ::grpc::StatusCode::OK);
  EXPECT_EQ(env().Count("SELECT count(*) FROM learners"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.LearnerEnrolledEvent'"),
            0);
}

TEST_F(LearnerTest, EnrollingTwiceIsRefusedUnlessItIsARetry) {
  v1::CreateLearnerRequest req = Request("anna");
  req.set_request_id(kRequestId);
  v1::Learner first;
  v1::Learner again;
  ASSERT_TRUE(Create(req, &first).ok());
  ::grpc::Status st = Create(req, &again);
  ASSERT_TRUE(st.ok()) << "the same request id is a retry: " << Describe(st);
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());

  req.clear_request_id();
  st = Create(req, &again);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "LEARNER_EXISTS");
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.LearnerEnrolledEvent'"),
            1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'learner.create'"), 1);
}

TEST_F(LearnerTest, LearnersReadThemselvesAndOfficersTheirCounty) {
  v1::Learner learner;
  ASSERT_TRUE(Create(Request("anna"), &learner).ok());
  ASSERT_TRUE(Create(Request("sthlm", "0180"), &learner).ok());

  v1::GetLearnerRequest get;
  get.set_name(env().Learners("anna"));
  ::grpc::Status st = env().Call(&Stub::GetLearner, env().LearnerToken("anna"), get, &learner);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(learner.email(), "anna@example.se");
  st = env().Call(&Stub::GetLearner, env().LearnerToken("bertil"), get, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::GetLearner, env().OfficerToken("03"), get, &learner);
  ASSERT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::GetLearner, env().OfficerToken("01"), get, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = env().Call(&Stub::GetLearner, env().AdminToken(), get, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  get.set_name(env().Learners("sthlm"));
  st = env().Call(&Stub::GetLearner, env().OfficerToken("01"), get, &learner);
  ASSERT_TRUE(st.ok()) << Describe(st);
  get.set_name(env().Learners("okand"));
  st = env().Call(&Stub::GetLearner, env().LearnerToken("okand"), get, &learner);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "LEARNER_NOT_FOUND");
}

TEST_F(LearnerTest, UpdateLearnerAppliesTheMaskAndChecksTheEtag) {
  v1::Learner learner;
  ASSERT_TRUE(Create(Request("anna"), &learner).ok());
  v1::UpdateLearnerRequest req;
  *req.mutable_learner() = learner;
  req.mutable_learner()->set_email("asa.oberg@example.se");
  req.mutable_learner()->set_display_name("ignored: not in the mask");
  req.mutable_learner()->add_parts("parts/asylprocessen");
  req.mutable_update_mask()->add_paths("email");
  req.mutable_update_mask()->add_paths("parts");
  v1::Learner updated;
  ::grpc::Status st = env().Call(&Stub::UpdateLearner, env().LearnerToken("anna"), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.email(), "asa.oberg@example.se");
  EXPECT_EQ(updated.display_name(), "Åsa Öberg");
  EXPECT_THAT(updated.parts(), ElementsAre("parts/introduktion", "parts/asylprocessen"));
  EXPECT_TRUE(updated.whole_course());
  EXPECT_NE(updated.etag(), learner.etag());

  st = env().Call(&Stub::UpdateLearner, env().LearnerToken("anna"), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.mutable_learner()->clear_etag();
  req.mutable_update_mask()->add_paths("enrol_time");
  st = env().Call(&Stub::UpdateLearner, env().LearnerToken("anna"), req, &updated);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("update_mask"));

  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("parts");
  req.mutable_learner()->clear_parts();
  st = env().Call(&Stub::UpdateLearner, env().LearnerToken("anna"), req, &updated);
  EXPECT_EQ(ReasonOf(st), "LEARNER_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("learner.parts"));

  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("kommunkod");
  req.mutable_learner()->set_kommunkod("1480");
  st = env().Call(&Stub::UpdateLearner, env().LearnerToken("bertil"), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::UpdateLearner, env().LearnerToken("anna"), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.kommunkod(), "1480");
  EXPECT_EQ(env().Count("SELECT count(*) FROM learners WHERE lanskod = '14'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'learner.update'"), 2);
}

TEST_F(LearnerTest, OfficersListTheirCountysLearnersPageByPage) {
  v1::Learner learner;
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(Create(Request("uppsala-" + std::to_string(i)), &learner).ok());
  }
  ASSERT_TRUE(Create(Request("enkoping", "0381"), &learner).ok());
  ASSERT_TRUE(Create(Request("sthlm", "0180"), &learner).ok());

  std::vector<std::string> seen;
  v1::ListLearnersRequest req;
  req.set_page_size(2);
  int pages = 0;
  do {
    v1::ListLearnersResponse resp;
    ::grpc::Status st = env().Call(&Stub::ListLearners, env().OfficerToken("03"), req, &resp);
    ASSERT_TRUE(st.ok()) << Describe(st);
    for (const v1::Learner& l : resp.learners()) seen.push_back(l.name());
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre(env().Learners("uppsala-1"), env().Learners("uppsala-2"),
                                env().Learners("uppsala-3"), env().Learners("uppsala-4"),
                                env().Learners("uppsala-5"), env().Learners("enkoping")));

  req.clear_page_token();
  req.set_kommunkod("0381");
  v1::ListLearnersResponse resp;
  ASSERT_TRUE(env().Call(&Stub::ListLearners, env().OfficerToken("03"), req, &resp).ok());
  ASSERT_EQ(resp.learners_size(), 1);
  EXPECT_EQ(resp.learners(0).name(), env().Learners("enkoping"));

  // A token is bound to its filter.
  req.set_kommunkod("");
  ASSERT_TRUE(env().Call(&Stub::ListLearners, env().OfficerToken("03"), req, &resp).ok());
  req.set_page_token(resp.next_page_token());
  req.set_kommunkod("0380");
  ::grpc::Status st = env().Call(&Stub::ListLearners, env().OfficerToken("03"), req, &resp);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");

  req.clear_page_token();
  req.set_kommunkod("9999");
  st = env().Call(&Stub::ListLearners, env().OfficerToken("03"), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), Contains("kommunkod"));

  req.clear_kommunkod();
  st = env().Call(&Stub::ListLearners, env().LearnerToken("uppsala-1"), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(env().Call(&Stub::ListLearners, env().OfficerToken("01"), req, &resp).ok());
  ASSERT_EQ(resp.learners_size(), 1);
  EXPECT_EQ(resp.learners(0).name(), env().Learners("sthlm"));
}

}  // namespace
}  // namespace integration::training::testing
