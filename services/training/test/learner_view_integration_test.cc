// No response a learner can receive carries which options are correct: every learner-facing
// RPC's response is checked field by field (JSON keys, unknown wire fields, the served options
// against the quiz), and GetQuiz is refused to learners.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

using google::protobuf::Message;

constexpr char kIntro[] = "introduktion";
constexpr char kModule[] = "mottagande";

// Every JSON key path of `value` ("questions[].options[].text").
void CollectKeys(const google::protobuf::Value& value, const std::string& path,
                 std::vector<std::string>* out) {
  if (value.has_struct_value()) {
    for (const auto& [key, child] : value.struct_value().fields()) {
      const std::string child_path = path.empty() ? key : path + "." + key;
      out->push_back(child_path);
      CollectKeys(child, child_path, out);
    }
  } else if (value.has_list_value()) {
    for (const google::protobuf::Value& child : value.list_value().values()) {
      CollectKeys(child, path + "[]", out);
    }
  }
}

// Wire fields the client's message type does not know: what a server sending a richer message
// (say QuizOption, whose field 3 is `correct`, where ServedOption is expected) would leave.
void CollectUnknownFields(const Message& message, const std::string& path,
                          std::vector<std::string>* out) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) out->push_back(path.empty() ? "." : path);
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string child = path + "." + field->name();
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        CollectUnknownFields(reflection->GetRepeatedMessage(message, field, i), child, out);
      }
    } else {
      CollectUnknownFields(reflection->GetMessage(message, field), child, out);
    }
  }
}

// The one place "correct" may appear is the per-question outcome after submission
// (QuestionResult.correct: whether the learner's answer was right, not which option is).
void ExpectNoCorrectOptions(const Message& response, const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<std::string> unknown;
  CollectUnknownFields(response, "", &unknown);
  EXPECT_THAT(unknown, ::testing::IsEmpty()) << "fields the learner's message type lacks";

  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(response, &json, options).ok());
  google::protobuf::Value root;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &root).ok()) << json;
  std::vector<std::string> keys;
  CollectKeys(root, "", &keys);
  for (const std::string& key : keys) {
    if (absl::StrContains(absl::AsciiStrToLower(key), "correct")) {
      EXPECT_TRUE(absl::EndsWith(key, "results[].correct")) << key << " in " << json;
    }
    // A served option is its id and text, nothing else.
    if (absl::StrContains(key, "options[].")) {
      EXPECT_TRUE(absl::EndsWith(key, "options[].optionId") ||
                  absl::EndsWith(key, "options[].text"))
          << key << " in " << json;
    }
  }
}

// Each served question offers every option of the quiz's question, so nothing is hinted by
// leaving options out.
void ExpectAllOptionsServed(const v1::Attempt& attempt, const v1::Quiz& quiz) {
  for (const v1::ServedQuestion& served : attempt.questions()) {
    std::set<std::string> served_ids;
    for (const v1::ServedOption& o : served.options()) served_ids.insert(o.option_id());
    std::set<std::string> quiz_ids;
    for (const v1::QuizQuestion& q : quiz.questions()) {
      if (q.question_id() != served.question_id()) continue;
      for (const v1::QuizOption& o : q.options()) quiz_ids.insert(o.option_id());
    }
    EXPECT_EQ(served_ids, quiz_ids) << served.question_id();
  }
}

class LearnerViewTest : public TrainingTest {};

TEST_F(LearnerViewTest, NoLearnerResponseCarriesTheCorrectOptions) {
  const v1::Quiz quiz = MakeQuiz({.questions = 6, .questions_per_attempt = 4});
  ASSERT_TRUE(env().CreatePart(kIntro, "Introduktion", 1).ok());
  ASSERT_TRUE(env().PublishedModule(kIntro, kModule, quiz).ok());
  absl::StatusOr<v1::Learner> learner = env().Enrol("anna", {kIntro});
  ASSERT_TRUE(learner.ok()) << learner.status();
  ExpectNoCorrectOptions(*learner, "CreateLearner");
  const std::string token = env().LearnerToken("anna");

  for (const std::string& caller : {token, std::string()}) {
    v1::ListPartsResponse parts;
    ASSERT_TRUE(env().Call(&Stub::ListParts, caller, v1::ListPartsRequest(), &parts).ok());
    ExpectNoCorrectOptions(parts, "ListParts");
    v1::ListModulesRequest list;
    list.set_parent("parts/introduktion");
    v1::ListModulesResponse modules;
    ASSERT_TRUE(env().Call(&Stub::ListModules, caller, list, &modules).ok());
    ASSERT_EQ(modules.modules_size(), 1);
    ExpectNoCorrectOptions(modules, "ListModules");
    v1::GetModuleRequest get;
    get.set_name("parts/introduktion/modules/mottagande");
    v1::Module module;
    ASSERT_TRUE(env().Call(&Stub::GetModule, caller, get, &module).ok());
    ExpectNoCorrectOptions(module, "GetModule");
  }

  // The quiz itself: refused, with nothing in the response.
  v1::GetQuizRequest get_quiz;
  get_quiz.set_name("parts/introduktion/modules/mottagande/quiz");
  v1::Quiz leaked;
  ::grpc::Status st = env().Call(&Stub::GetQuiz, token, get_quiz, &leaked);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(leaked.questions_size(), 0);
  EXPECT_THAT(st.error_details(), ::testing::Not(::testing::HasSubstr("Alternativ")));

  // Start (and a retried start, answered from the stored first response).
  v1::StartAttemptRequest start;
  start.set_parent(env().Learners("anna"));
  start.set_module("parts/introduktion/modules/mottagande");
  start.set_request_id("9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4");
  v1::Attempt attempt;
  st = env().Call(&Stub::StartAttempt, token, start, &attempt);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(attempt.questions_size(), 4);
  ExpectNoCorrectOptions(attempt, "StartAttempt");
  ExpectAllOptionsServed(attempt, quiz);
  v1::Attempt retried;
  ASSERT_TRUE(env().Call(&Stub::StartAttempt, token, start, &retried).ok());
  ExpectNoCorrectOptions(retried, "StartAttempt (retry)");

  v1::GetAttemptRequest get_attempt;
  get_attempt.set_name(attempt.name());
  v1::Attempt read;
  ASSERT_TRUE(env().Call(&Stub::GetAttempt, token, get_attempt, &read).ok());
  ExpectNoCorrectOptions(read, "GetAttempt (in progress)");

  // A failed submission, the reads after it, then a passing one.
  absl::StatusOr<v1::Attempt> failed = env().Submit("anna", attempt, WrongAnswers(attempt, quiz));
  ASSERT_TRUE(failed.ok()) << failed.status();
  ExpectNoCorrectOptions(*failed, "SubmitAttempt (failed)");
  ASSERT_TRUE(env().Call(&Stub::GetAttempt, token, get_attempt, &read).ok());
  ExpectNoCorrectOptions(read, "GetAttempt (submitted)");

  absl::StatusOr<v1::Attempt> second = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(second.ok()) << second.status();
  ExpectAllOptionsServed(*second, quiz);
  absl::StatusOr<v1::Attempt> passed = env().Submit("anna", *second, RightAnswers(*second, quiz));
  ASSERT_TRUE(passed.ok()) << passed.status();
  EXPECT_TRUE(passed->passed());
  ExpectNoCorrectOptions(*passed, "SubmitAttempt (passed)");

  v1::ListAttemptsRequest list_attempts;
  list_attempts.set_parent(env().Learners("anna"));
  v1::ListAttemptsResponse attempts;
  ASSERT_TRUE(env().Call(&Stub::ListAttempts, token, list_attempts, &attempts).ok());
  ASSERT_EQ(attempts.attempts_size(), 2);
  ExpectNoCorrectOptions(attempts, "ListAttempts");

  v1::GetProgressRequest get_progress;
  get_progress.set_name(env().Learners("anna") + "/progress");
  v1::Progress progress;
  ASSERT_TRUE(env().Call(&Stub::GetProgress, token, get_progress, &progress).ok());
  ExpectNoCorrectOptions(progress, "GetProgress");

  v1::GetLearnerRequest get_learner;
  get_learner.set_name(env().Learners("anna"));
  v1::Learner me;
  ASSERT_TRUE(env().Call(&Stub::GetLearner, token, get_learner, &me).ok());
  ExpectNoCorrectOptions(me, "GetLearner");
}

}  // namespace
}  // namespace integration::training::testing
