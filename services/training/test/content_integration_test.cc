// Course content through the real server and PostgreSQL: parts, modules and quizzes, who may
// write and see what (drafts, quizzes), etags, update masks, request ids, pagination, audit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/status/status.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kRequestId[] = "6f1c2b1e-8a43-4c56-9d0e-3b2a1f7e9c10";
constexpr char kOtherRequestId[] = "0b5e7d2a-1c3f-4e8b-a9d6-5f4e3c2b1a09";

class ContentTest : public TrainingTest {
 protected:
  int64_t AuditCount(const std::string& action) {
    return env().Count("SELECT count(*) FROM audit_log WHERE action = '" + action + "'");
  }
};

TEST_F(ContentTest, AdminCreatesPartsThatAnyoneListsInOrder) {
  ASSERT_TRUE(env().CreatePart("asylprocessen", "Asylprocessen", 2).ok());
  absl::StatusOr<v1::Part> intro = env().CreatePart("introduktion", "Introduktion", 1);
  ASSERT_TRUE(intro.ok()) << intro.status();
  EXPECT_EQ(intro->name(), "parts/introduktion");
  EXPECT_EQ(intro->position(), 1);
  EXPECT_FALSE(intro->etag().empty());
  EXPECT_GT(intro->create_time().seconds(), 0);
  // Position 0 appends after the last part.
  absl::StatusOr<v1::Part> kultur = env().CreatePart("kulturkunskap", "Kulturkunskap");
  ASSERT_TRUE(kultur.ok()) << kultur.status();
  EXPECT_EQ(kultur->position(), 3);

  v1::ListPartsResponse list;
  ::grpc::Status st = env().Call(&Stub::ListParts, "", v1::ListPartsRequest(), &list);
  ASSERT_TRUE(st.ok()) << Describe(st);
  std::vector<std::string> names;
  for (const v1::Part& p : list.parts()) names.push_back(p.name());
  EXPECT_THAT(names,
              ElementsAre("parts/introduktion", "parts/asylprocessen", "parts/kulturkunskap"));
  EXPECT_TRUE(list.next_page_token().empty());

  v1::GetPartRequest get;
  get.set_name("parts/asylprocessen");
  v1::Part part;
  st = env().Call(&Stub::GetPart, env().LearnerToken("anna"), get, &part);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(part.title(), "Asylprocessen");
  EXPECT_EQ(AuditCount("part.create"), 3);
}

TEST_F(ContentTest, OnlyCountyAdminWritesContent) {
  v1::CreatePartRequest req;
  req.set_part_id("introduktion");
  req.mutable_part()->set_title("Introduktion");
  v1::Part part;
  ::grpc::Status st = env().Call(&Stub::CreatePart, env().LearnerToken("anna"), req, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::CreatePart, env().OfficerToken(), req, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::CreatePart, "", req, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED) << Describe(st);
  EXPECT_EQ(env().Count("SELECT count(*) FROM parts"), 0);
}

TEST_F(ContentTest, CreatePartRejectsInvalidInput) {
  v1::CreatePartRequest req;
  req.set_part_id("Intro Duktion");
  req.mutable_part()->set_title("Introduktion");
  v1::Part part;
  ::grpc::Status st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "ID_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("part_id"));

  req.set_part_id("introduktion");
  req.mutable_part()->set_title("");
  st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PART_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("part.title"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM parts"), 0);
}

TEST_F(ContentTest, DuplicatePartIdOrPositionIsRejected) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  absl::StatusOr<v1::Part> again = env().CreatePart("introduktion", "Igen", 2);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status::GetErrorInfo(again.status())->reason(), "PART_EXISTS");

  absl::StatusOr<v1::Part> same_position = env().CreatePart("asylprocessen", "Asyl", 1);
  ASSERT_FALSE(same_position.ok());
  EXPECT_EQ(same_position.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status::GetErrorInfo(same_position.status())->reason(), "POSITION_TAKEN");
  EXPECT_EQ(env().Count("SELECT count(*) FROM parts"), 1);
}

TEST_F(ContentTest, CreatePartWithRequestIdIsIdempotent) {
  v1::CreatePartRequest req;
  req.set_part_id("introduktion");
  req.mutable_part()->set_title("Introduktion");
  req.set_request_id(kRequestId);
  v1::Part first;
  v1::Part second;
  ::grpc::Status st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &first);
  ASSERT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &second);
  ASSERT_TRUE(st.ok()) << "a retry returns the first result: " << Describe(st);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(env().Count("SELECT count(*) FROM parts"), 1);
  EXPECT_EQ(AuditCount("part.create"), 1);

  // The same id with another request is refused.
  req.mutable_part()->set_title("Något annat");
  st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &second);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
  // Without the id the duplicate is a duplicate.
  req.set_request_id(kOtherRequestId);
  req.mutable_part()->set_title("Introduktion");
  st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &second);
  EXPECT_EQ(ReasonOf(st), "PART_EXISTS");
  req.set_request_id("not-a-uuid");
  st = env().Call(&Stub::CreatePart, env().AdminToken(), req, &second);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContentTest, UpdatePartAppliesTheMaskAndChecksTheEtag) {
  absl::StatusOr<v1::Part> part = env().CreatePart("introduktion", "Introduktion", 1);
  ASSERT_TRUE(part.ok());
  v1::UpdatePartRequest req;
  req.mutable_part()->set_name("parts/introduktion");
  req.mutable_part()->set_title("Introduktion till kursen");
  req.mutable_part()->set_description("ignored: not in the mask");
  req.mutable_part()->set_etag(part->etag());
  req.mutable_update_mask()->add_paths("title");
  v1::Part updated;
  ::grpc::Status st = env().Call(&Stub::UpdatePart, env().AdminToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.title(), "Introduktion till kursen");
  EXPECT_EQ(updated.description(), "");
  EXPECT_NE(updated.etag(), part->etag());

  // The old etag is stale now.
  st = env().Call(&Stub::UpdatePart, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.mutable_part()->clear_etag();
  req.mutable_update_mask()->add_paths("module_count");
  st = env().Call(&Stub::UpdatePart, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("update_mask"));

  req.mutable_part()->set_name("parts/okand");
  req.mutable_update_mask()->clear_paths();
  st = env().Call(&Stub::UpdatePart, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AuditCount("part.update"), 1);
}

TEST_F(ContentTest, ListPartsPagesWithTokensThatCannotBeEdited) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(env().CreatePart("del-" + std::to_string(i), "Del " + std::to_string(i), i).ok());
  }
  std::vector<std::string> seen;
  v1::ListPartsRequest req;
  req.set_page_size(2);
  int pages = 0;
  do {
    v1::ListPartsResponse resp;
    ::grpc::Status st = env().Call(&Stub::ListParts, "", req, &resp);
    ASSERT_TRUE(st.ok()) << Describe(st);
    for (const v1::Part& p : resp.parts()) seen.push_back(p.name());
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(
      seen, ElementsAre("parts/del-1", "parts/del-2", "parts/del-3", "parts/del-4", "parts/del-5"));

  v1::ListPartsResponse first;
  req.clear_page_token();
  ASSERT_TRUE(env().Call(&Stub::ListParts, "", req, &first).ok());
  std::string token = first.next_page_token();
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  req.set_page_token(token);
  v1::ListPartsResponse resp;
  ::grpc::Status st = env().Call(&Stub::ListParts, "", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("page_token"));

  // A token of the admin's view is not one of the public view.
  req.set_page_token(first.next_page_token());
  st = env().Call(&Stub::ListParts, env().AdminToken(), req, &resp);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");

  req.clear_page_token();
  req.set_page_size(-1);
  st = env().Call(&Stub::ListParts, "", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContentTest, DraftModulesAreVisibleToCountyAdminOnly) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  absl::StatusOr<v1::Module> draft = env().CreateModule("introduktion", "mottagande", "Mottagande");
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->state(), v1::CONTENT_STATE_DRAFT);
  EXPECT_FALSE(draft->has_quiz());
  EXPECT_EQ(draft->position(), 1);
  ASSERT_EQ(draft->content_size(), 1);
  EXPECT_EQ(draft->content(0).uri(), "https://video.example.se/mottagande");

  v1::GetModuleRequest get;
  get.set_name("parts/introduktion/modules/mottagande");
  v1::Module module;
  ::grpc::Status st = env().Call(&Stub::GetModule, env().AdminToken(), get, &module);
  ASSERT_TRUE(st.ok()) << Describe(st);
  for (const std::string& token :
       {std::string(), env().LearnerToken("anna"), env().OfficerToken()}) {
    st = env().Call(&Stub::GetModule, token, get, &module);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
    EXPECT_EQ(ReasonOf(st), "MODULE_NOT_FOUND");
  }

  v1::ListModulesRequest list;
  list.set_parent("parts/introduktion");
  v1::ListModulesResponse modules;
  ASSERT_TRUE(env().Call(&Stub::ListModules, "", list, &modules).ok());
  EXPECT_EQ(modules.modules_size(), 0);
  ASSERT_TRUE(env().Call(&Stub::ListModules, env().AdminToken(), list, &modules).ok());
  EXPECT_EQ(modules.modules_size(), 1);

  v1::GetPartRequest get_part;
  get_part.set_name("parts/introduktion");
  v1::Part part;
  ASSERT_TRUE(env().Call(&Stub::GetPart, "", get_part, &part).ok());
  EXPECT_EQ(part.module_count(), 0);
  ASSERT_TRUE(env().Call(&Stub::GetPart, env().AdminToken(), get_part, &part).ok());
  EXPECT_EQ(part.module_count(), 1);

  list.set_parent("parts/okand");
  st = env().Call(&Stub::ListModules, "", list, &modules);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "PART_NOT_FOUND");
}

TEST_F(ContentTest, PublishingNeedsAQuizAndMakesTheModulePublic) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  ASSERT_TRUE(env().CreateModule("introduktion", "mottagande", "Mottagande").ok());
  absl::StatusOr<v1::Module> early = env().Publish("introduktion", "mottagande");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status::GetErrorInfo(early.status())->reason(), "MODULE_HAS_NO_QUIZ");

  ASSERT_TRUE(env().SetQuiz("introduktion", "mottagande", MakeQuiz()).ok());
  absl::StatusOr<v1::Module> published = env().Publish("introduktion", "mottagande");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->state(), v1::CONTENT_STATE_PUBLISHED);
  EXPECT_TRUE(published->has_quiz());
  // Publishing again changes nothing.
  absl::StatusOr<v1::Module> again = env().Publish("introduktion", "mottagande");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->etag(), published->etag());
  EXPECT_EQ(AuditCount("module.publish"), 1);

  // A stale etag is refused.
  v1::PublishModuleRequest req;
  req.set_name("parts/introduktion/modules/mottagande");
  req.set_etag("r1");
  v1::Module module;
  ::grpc::Status st = env().Call(&Stub::PublishModule, env().AdminToken(), req, &module);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  v1::GetModuleRequest get;
  get.set_name("parts/introduktion/modules/mottagande");
  st = env().Call(&Stub::GetModule, "", get, &module);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(module.state(), v1::CONTENT_STATE_PUBLISHED);
}

TEST_F(ContentTest, UpdateModuleAppliesTheMaskValidatesAndChecksTheEtag) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  absl::StatusOr<v1::Module> created =
      env().CreateModule("introduktion", "mottagande", "Mottagande");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(env().CreateModule("introduktion", "bemotande", "Bemötande").ok());

  v1::UpdateModuleRequest req;
  *req.mutable_module() = *created;
  req.mutable_module()->set_title("Mottagandet");
  v1::ContentItem* lecture = req.mutable_module()->add_content();
  lecture->set_kind(v1::CONTENT_KIND_LECTURE);
  lecture->set_title("Föreläsning");
  lecture->set_text("Om mottagandet av asylsökande.");
  req.mutable_update_mask()->add_paths("title");
  req.mutable_update_mask()->add_paths("content");
  v1::Module updated;
  ::grpc::Status st = env().Call(&Stub::UpdateModule, env().AdminToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.title(), "Mottagandet");
  EXPECT_EQ(updated.content_size(), 2);
  EXPECT_NE(updated.etag(), created->etag());

  st = env().Call(&Stub::UpdateModule, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.mutable_module()->clear_etag();
  req.mutable_module()->mutable_content(0)->clear_uri();
  st = env().Call(&Stub::UpdateModule, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "MODULE_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("module.content[0].uri"));

  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("state");
  st = env().Call(&Stub::UpdateModule, env().AdminToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("update_mask"));

  // Moving onto another module's position is refused.
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("position");
  req.mutable_module()->set_position(2);
  st = env().Call(&Stub::UpdateModule, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "POSITION_TAKEN");

  st = env().Call(&Stub::UpdateModule, env().LearnerToken("anna"), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AuditCount("module.update"), 1);
}

TEST_F(ContentTest, CreateModuleChecksParentIdsAndRequestId) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  v1::CreateModuleRequest req;
  req.set_parent("parts/okand");
  req.set_module_id("mottagande");
  req.mutable_module()->set_title("Mottagande");
  req.set_request_id(kRequestId);
  v1::Module module;
  ::grpc::Status st = env().Call(&Stub::CreateModule, env().AdminToken(), req, &module);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "PART_NOT_FOUND");

  req.set_parent("parts/introduktion");
  v1::Module first;
  st = env().Call(&Stub::CreateModule, env().AdminToken(), req, &first);
  ASSERT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::CreateModule, env().AdminToken(), req, &module);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(module.name(), first.name());
  EXPECT_EQ(env().Count("SELECT count(*) FROM modules"), 1);

  req.clear_request_id();
  st = env().Call(&Stub::CreateModule, env().AdminToken(), req, &module);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "MODULE_EXISTS");

  req.set_module_id("Fel_Id");
  st = env().Call(&Stub::CreateModule, env().AdminToken(), req, &module);
  EXPECT_EQ(ReasonOf(st), "ID_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("module_id"));
}

TEST_F(ContentTest, QuizzesAreReadByCountyAdminOnly) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  ASSERT_TRUE(env().PublishedModule("introduktion", "mottagande", MakeQuiz()).ok());
  v1::GetQuizRequest req;
  req.set_name("parts/introduktion/modules/mottagande/quiz");
  v1::Quiz quiz;
  ::grpc::Status st = env().Call(&Stub::GetQuiz, env().LearnerToken("anna"), req, &quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::GetQuiz, env().OfficerToken(), req, &quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::GetQuiz, "", req, &quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);

  st = env().Call(&Stub::GetQuiz, env().AdminToken(), req, &quiz);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(quiz.name(), "parts/introduktion/modules/mottagande/quiz");
  EXPECT_EQ(quiz.version(), 1);
  ASSERT_EQ(quiz.questions_size(), 3);
  EXPECT_TRUE(quiz.questions(0).options(0).correct());
  EXPECT_EQ(quiz.time_limit_seconds(), 3600);  // the default filled in

  req.set_name("parts/introduktion/modules/okand/quiz");
  st = env().Call(&Stub::GetQuiz, env().AdminToken(), req, &quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(env().CreateModule("introduktion", "utan-quiz", "Utan quiz").ok());
  req.set_name("parts/introduktion/modules/utan-quiz/quiz");
  st = env().Call(&Stub::GetQuiz, env().AdminToken(), req, &quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "QUIZ_NOT_FOUND");
}

TEST_F(ContentTest, UpdateQuizWritesANewVersion) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  ASSERT_TRUE(env().CreateModule("introduktion", "mottagande", "Mottagande").ok());
  absl::StatusOr<v1::Quiz> v1_quiz = env().SetQuiz("introduktion", "mottagande", MakeQuiz());
  ASSERT_TRUE(v1_quiz.ok()) << v1_quiz.status();
  EXPECT_EQ(v1_quiz->version(), 1);

  v1::UpdateQuizRequest req;
  *req.mutable_quiz() = *v1_quiz;
  req.mutable_quiz()->set_pass_mark_percent(80);
  req.set_etag(v1_quiz->etag());
  v1::Quiz v2_quiz;
  ::grpc::Status st = env().Call(&Stub::UpdateQuiz, env().AdminToken(), req, &v2_quiz);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(v2_quiz.version(), 2);
  EXPECT_EQ(v2_quiz.pass_mark_percent(), 80);
  EXPECT_NE(v2_quiz.etag(), v1_quiz->etag());
  EXPECT_EQ(env().Count("SELECT count(*) FROM quiz_versions"), 2);
  EXPECT_EQ(env().Count("SELECT quiz_version FROM modules"), 2);

  // The etag of version 1 is stale now.
  st = env().Call(&Stub::UpdateQuiz, env().AdminToken(), req, &v2_quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.clear_etag();
  req.mutable_quiz()->clear_etag();
  req.mutable_quiz()->mutable_questions(0)->mutable_options(0)->set_correct(false);
  st = env().Call(&Stub::UpdateQuiz, env().AdminToken(), req, &v2_quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "QUIZ_INVALID");
  EXPECT_EQ(env().Count("SELECT count(*) FROM quiz_versions"), 2);

  req.mutable_quiz()->set_name("parts/introduktion/modules/okand/quiz");
  req.mutable_quiz()->mutable_questions(0)->mutable_options(0)->set_correct(true);
  st = env().Call(&Stub::UpdateQuiz, env().AdminToken(), req, &v2_quiz);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AuditCount("quiz.update"), 2);
  EXPECT_EQ(ReasonOf(st), "MODULE_NOT_FOUND");
}

// The module names a learner (or anyone without the admin's view) gets from ListModules.
std::vector<std::string> ListedModules(TrainingTestEnv& env, const std::string& token,
                                       const std::string& part) {
  v1::ListModulesRequest req;
  req.set_parent(part);
  v1::ListModulesResponse resp;
  const ::grpc::Status st = env.Call(&Stub::ListModules, token, req, &resp);
  EXPECT_TRUE(st.ok()) << Describe(st);
  std::vector<std::string> names;
  for (const v1::Module& m : resp.modules()) names.push_back(m.name());
  return names;
}

TEST_F(ContentTest, ArchivedModuleIsHiddenFromLearnersUntilPublishedAgain) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  ASSERT_TRUE(env().PublishedModule("introduktion", "mottagande", MakeQuiz()).ok());
  ASSERT_TRUE(env().PublishedModule("introduktion", "tolk", MakeQuiz()).ok());
  ASSERT_TRUE(env().CreateModule("introduktion", "utkast", "Utkast").ok());

  v1::ArchiveModuleRequest req;
  req.set_name("parts/introduktion/modules/tolk");
  v1::Module archived;
  ::grpc::Status st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(archived.state(), v1::CONTENT_STATE_ARCHIVED);
  EXPECT_GT(archived.archive_time().seconds(), 0);

  EXPECT_THAT(ListedModules(env(), "", "parts/introduktion"),
              ElementsAre("parts/introduktion/modules/mottagande"));
  EXPECT_THAT(ListedModules(env(), env().LearnerToken("anna"), "parts/introduktion"),
              ElementsAre("parts/introduktion/modules/mottagande"));
  // The admin still sees it, marked archived.
  EXPECT_THAT(ListedModules(env(), env().AdminToken(), "parts/introduktion"),
              ElementsAre("parts/introduktion/modules/mottagande",
                          "parts/introduktion/modules/tolk", "parts/introduktion/modules/utkast"));
  v1::GetModuleRequest get;
  get.set_name(req.name());
  v1::Module module;
  st = env().Call(&Stub::GetModule, env().LearnerToken("anna"), get, &module);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  // The part's learner-facing module count follows.
  v1::GetPartRequest get_part;
  get_part.set_name("parts/introduktion");
  v1::Part part;
  ASSERT_TRUE(env().Call(&Stub::GetPart, "", get_part, &part).ok());
  EXPECT_EQ(part.module_count(), 1);

  // A retried archive succeeds and changes nothing: one audit row, one event.
  st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(AuditCount("module.archive"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE aggregate = "
                        "'parts/introduktion/modules/tolk' AND event_type = "
                        "'lansstyrelsen.integration.training.v1.ContentChangedEvent'"),
            3) << "created, published, archived";

  // PublishModule brings it back.
  absl::StatusOr<v1::Module> again = env().Publish("introduktion", "tolk");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->state(), v1::CONTENT_STATE_PUBLISHED);
  EXPECT_FALSE(again->has_archive_time());
  EXPECT_THAT(ListedModules(env(), "", "parts/introduktion"),
              ElementsAre("parts/introduktion/modules/mottagande",
                          "parts/introduktion/modules/tolk"));
}

TEST_F(ContentTest, ArchiveModuleRefusesBadInputDraftsStaleEtagsAndOtherRoles) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  absl::StatusOr<v1::Module> published =
      env().PublishedModule("introduktion", "mottagande", MakeQuiz());
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(env().CreateModule("introduktion", "utkast", "Utkast").ok());
  v1::ArchiveModuleRequest req;
  v1::Module out;

  req.set_name("parts/introduktion/moduler/x");
  ::grpc::Status st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "RESOURCE_NAME_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("name"));

  req.set_name("parts/introduktion/modules/okand");
  st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "MODULE_NOT_FOUND");

  req.set_name("parts/introduktion/modules/utkast");
  st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "MODULE_NOT_PUBLISHED");

  req.set_name(published->name());
  req.set_etag("\"stale\"");
  st = env().Call(&Stub::ArchiveModule, env().AdminToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.clear_etag();
  st = env().Call(&Stub::ArchiveModule, env().LearnerToken("anna"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::ArchiveModule, env().OfficerToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::ArchiveModule, "", req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED) << Describe(st);
  EXPECT_EQ(env().Count("SELECT count(*) FROM modules WHERE state = 'ARCHIVED'"), 0);
  EXPECT_EQ(AuditCount("module.archive"), 0);
}

TEST_F(ContentTest, ArchivedPartIsUnlistedAndClosedForEnrolment) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
  ASSERT_TRUE(env().CreatePart("asylprocessen", "Asylprocessen", 2).ok());
  v1::ArchivePartRequest req;
  req.set_name("parts/asylprocessen");
  v1::Part archived;
  ::grpc::Status st = env().Call(&Stub::ArchivePart, env().AdminToken(), req, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(archived.state(), v1::CONTENT_STATE_ARCHIVED);
  EXPECT_GT(archived.archive_time().seconds(), 0);

  auto listed = [&](const std::string& token) {
    v1::ListPartsResponse list;
    const ::grpc::Status list_st =
        env().Call(&Stub::ListParts, token, v1::ListPartsRequest(), &list);
    EXPECT_TRUE(list_st.ok()) << Describe(list_st);
    std::vector<std::string> names;
    for (const v1::Part& p : list.parts()) {
      names.push_back(p.name() + (p.state() == v1::CONTENT_STATE_ARCHIVED ? " (archived)" : ""));
    }
    return names;
  };
  EXPECT_THAT(listed(""), ElementsAre("parts/introduktion"));
  EXPECT_THAT(listed(env().AdminToken()),
              ElementsAre("parts/introduktion", "parts/asylprocessen (archived)"));
  // Still readable by name (diplomas issued earlier name it).
  v1::GetPartRequest get;
  get.set_name("parts/asylprocessen");
  v1::Part part;
  ASSERT_TRUE(env().Call(&Stub::GetPart, "", get, &part).ok());
  EXPECT_EQ(part.state(), v1::CONTENT_STATE_ARCHIVED);

  absl::StatusOr<v1::Learner> refused = env().Enrol("anna", {"introduktion", "asylprocessen"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  // The whole course is what is left of it.
  absl::StatusOr<v1::Learner> enrolled = env().Enrol("anna", {"introduktion"});
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  EXPECT_TRUE(enrolled->whole_course());

  // Archiving twice is a no-op; unknown parts and bad names are refused.
  st = env().Call(&Stub::ArchivePart, env().AdminToken(), req, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(AuditCount("part.archive"), 1);
  req.set_name("parts/okand");
  st = env().Call(&Stub::ArchivePart, env().AdminToken(), req, &archived);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "PART_NOT_FOUND");
  req.set_name("delar/introduktion");
  st = env().Call(&Stub::ArchivePart, env().AdminToken(), req, &archived);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  req.set_name("parts/introduktion");
  st = env().Call(&Stub::ArchivePart, env().LearnerToken("anna"), req, &archived);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(env().Count("SELECT count(*) FROM parts WHERE archive_time IS NOT NULL"), 1);

  // Unarchiving takes it back: listed, open for enrolment, and the whole course again.
  v1::UnarchivePartRequest unarchive;
  unarchive.set_name("parts/asylprocessen");
  unarchive.set_etag("\"stale\"");
  st = env().Call(&Stub::UnarchivePart, env().AdminToken(), unarchive, &archived);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED) << Describe(st);
  unarchive.clear_etag();
  st = env().Call(&Stub::UnarchivePart, env().LearnerToken("anna"), unarchive, &archived);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::UnarchivePart, env().AdminToken(), unarchive, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(archived.state(), v1::CONTENT_STATE_PUBLISHED);
  EXPECT_FALSE(archived.has_archive_time());
  st = env().Call(&Stub::UnarchivePart, env().AdminToken(), unarchive, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st) << " (a part that is not archived is returned as is)";
  EXPECT_EQ(AuditCount("part.unarchive"), 1);
  EXPECT_THAT(listed(""), ElementsAre("parts/introduktion", "parts/asylprocessen"));
  EXPECT_TRUE(env().Enrol("bert", {"introduktion", "asylprocessen"}).ok());
  v1::GetLearnerRequest get_anna;
  get_anna.set_name(env().Learners("anna"));
  v1::Learner anna;
  ASSERT_TRUE(env().Call(&Stub::GetLearner, env().LearnerToken("anna"), get_anna, &anna).ok());
  EXPECT_FALSE(anna.whole_course()) << "the course has Asylprocessen again";
}

}  // namespace
}  // namespace integration::training::testing
