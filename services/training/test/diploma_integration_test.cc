// Diplomas end to end against a real server and PostgreSQL: automatic and idempotent issue,
// part certificates, public verification, signatures checked with the openssl CLI, the PDF read
// back with pdftotext, revocation and who may see which diploma.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "diploma_pdf.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLearnerName[] = "Åsa Öberg-Ädelsköld";

// The in-process server renders PDFs: free cairo's and fontconfig's process-wide caches after
// the last suite stopped it, so the leak checker of sanitizer builds reports only our leaks.
class FontCacheEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ReleasePdfFontCaches(); }
};
// gtest owns registered environments.
const ::testing::Environment* const kFontCaches =
    ::testing::AddGlobalTestEnvironment(new FontCacheEnvironment);

// Runs a shell command; its exit status (-1 when it could not run).
int Shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class DiplomaTest : public TrainingTest {
 protected:
  // The course: Introduktion (two modules) and Asylprocessen (one module), all published.
  void SetUp() override {
    TrainingTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
    ASSERT_TRUE(env().CreatePart("asylprocessen", "Asylprocessen", 2).ok());
    ASSERT_TRUE(env().PublishedModule("introduktion", "mottagande", MakeQuiz()).ok());
    ASSERT_TRUE(env().PublishedModule("introduktion", "tolk", MakeQuiz({.questions = 4})).ok());
    ASSERT_TRUE(env().PublishedModule("asylprocessen", "ansokan", MakeQuiz()).ok());
  }

  // Passes a module through the real RPCs: starts an attempt, reads the quiz's correct options
  // as county_admin and answers every served question right.
  void Pass(const std::string& learner, const std::string& part, const std::string& module) {
    absl::StatusOr<v1::Attempt> attempt = env().Start(learner, part, module);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    v1::GetQuizRequest get;
    get.set_name(absl::StrCat("parts/", part, "/modules/", module, "/quiz"));
    v1::Quiz quiz;
    ::grpc::Status st = env().Call(&Stub::GetQuiz, env().AdminToken(), get, &quiz);
    ASSERT_TRUE(st.ok()) << Describe(st);
    absl::StatusOr<v1::Attempt> scored =
        env().Submit(learner, *attempt, RightAnswers(*attempt, quiz));
    ASSERT_TRUE(scored.ok()) << scored.status();
    ASSERT_TRUE(scored->passed()) << scored->DebugString();
  }

  void PassWholeCourse(const std::string& learner) {
    Pass(learner, "introduktion", "mottagande");
    Pass(learner, "introduktion", "tolk");
    Pass(learner, "asylprocessen", "ansokan");
  }

  std::vector<v1::Diploma> List(const std::string& learner) {
    v1::ListDiplomasRequest req;
    req.set_parent(env().Learners(learner));
    v1::ListDiplomasResponse resp;
    ::grpc::Status st = env().Call(&Stub::ListDiplomas, env().LearnerToken(learner), req, &resp);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return {resp.diplomas().begin(), resp.diplomas().end()};
  }

  // The learner's diploma of `kind` (fails the test when there is not exactly one).
  v1::Diploma Only(const std::string& learner, v1::DiplomaKind kind) {
    std::vector<v1::Diploma> found;
    for (const v1::Diploma& d : List(learner)) {
      if (d.content().kind() == kind) found.push_back(d);
    }
    EXPECT_EQ(found.size(), 1u) << "diplomas of kind " << v1::DiplomaKind_Name(kind);
    return found.empty() ? v1::Diploma() : found.front();
  }

  ::grpc::Status Verify(const std::string& code, v1::VerifyDiplomaResponse* resp) {
    v1::VerifyDiplomaRequest req;
    req.set_code(code);
    return env().Call(&Stub::VerifyDiploma, "", req, resp);
  }

  ::grpc::Status Revoke(const std::string& name, const std::string& reason,
                        v1::Diploma* resp, const std::string& token = "") {
    v1::RevokeDiplomaRequest req;
    req.set_name(name);
    req.set_reason(reason);
    return env().Call(&Stub::RevokeDiploma, token.empty() ? env().AdminToken() : token, req,
                      resp);
  }
};

TEST_F(DiplomaTest, CourseDiplomaIsIssuedOnceWhenEveryModuleOfEveryPartIsPassed) {
  ASSERT_TRUE(env().Enrol("anna", {"introduktion", "asylprocessen"}, kLearnerName).ok());
  Pass("anna", "introduktion", "mottagande");
  EXPECT_TRUE(List("anna").empty()) << "one module of two passed: nothing is due yet";

  Pass("anna", "introduktion", "tolk");
  std::vector<v1::Diploma> after_part = List("anna");
  ASSERT_EQ(after_part.size(), 1u);
  EXPECT_EQ(after_part[0].content().kind(), v1::DIPLOMA_KIND_PART);
  EXPECT_THAT(after_part[0].parts(), ElementsAre("parts/introduktion"));

  Pass("anna", "asylprocessen", "ansokan");
  const v1::Diploma course = Only("anna", v1::DIPLOMA_KIND_COURSE);
  EXPECT_EQ(List("anna").size(), 3u) << "the course diploma and one certificate per part";
  EXPECT_EQ(course.name(), env().Learners("anna") + "/diplomas/" + course.content().code());
  EXPECT_EQ(course.state(), v1::DIPLOMA_STATE_VALID);
  EXPECT_EQ(course.content().learner_name(), kLearnerName);
  EXPECT_THAT(course.content().part_titles(), ElementsAre("Introduktion", "Asylprocessen"));
  EXPECT_THAT(course.parts(), ElementsAre("parts/introduktion", "parts/asylprocessen"));
  EXPECT_EQ(course.content().code().size(), 26u);
  EXPECT_EQ(course.content().issuer(), "Länsstyrelsen");
  EXPECT_EQ(course.signature().size(), 64u);
  // Issue date in Swedish time.
  absl::TimeZone stockholm;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &stockholm));
  const absl::CivilDay today = absl::ToCivilDay(env().clock().Now(), stockholm);
  EXPECT_EQ(course.content().issue_date().year(), today.year());
  EXPECT_EQ(course.content().issue_date().month(), today.month());
  EXPECT_EQ(course.content().issue_date().day(), today.day());

  // A module published later and passed issues nothing new: every diploma is held already.
  ASSERT_TRUE(env().PublishedModule("introduktion", "extra", MakeQuiz()).ok());
  Pass("anna", "introduktion", "extra");
  EXPECT_EQ(List("anna").size(), 3u);
  EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas"), 3);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.DiplomaIssuedEvent'"),
            3);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'diploma.issue'"), 3);

  // The event names the diploma and carries no personal data.
  pqxx::result rows = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.training.v1.DiplomaIssuedEvent' AND aggregate = '" +
      course.name() + "'");
  ASSERT_EQ(rows.size(), 1u);
  const std::string payload = pqxx::binarystring(rows[0][0]).str();
  v1::DiplomaIssuedEvent event;
  ASSERT_TRUE(event.ParseFromString(payload));
  EXPECT_EQ(event.diploma(), course.name());
  EXPECT_EQ(event.learner(), env().Learners("anna"));
  EXPECT_EQ(event.kind(), v1::DIPLOMA_KIND_COURSE);
  EXPECT_THAT(event.parts(), ElementsAre("parts/introduktion", "parts/asylprocessen"));
  EXPECT_EQ(event.key_id(), course.content().key_id());
  EXPECT_THAT(payload, Not(HasSubstr("Öberg")));
  EXPECT_THAT(payload, Not(HasSubstr("@example.se")));
}

TEST_F(DiplomaTest, LastTwoModulesPassedConcurrentlyStillIssueTheCourseDiplomaOnce) {
  // Each round: the last modules of both parts are submitted at the same moment. Neither
  // submission alone completes the course; whichever commits second must see the other's pass.
  for (int round = 0; round < 4; ++round) {
    const std::string learner = absl::StrCat("samtidig-", round);
    ASSERT_TRUE(env().Enrol(learner, {"introduktion", "asylprocessen"}, kLearnerName).ok());
    Pass(learner, "introduktion", "mottagande");
    absl::StatusOr<v1::Attempt> tolk = env().Start(learner, "introduktion", "tolk");
    absl::StatusOr<v1::Attempt> ansokan = env().Start(learner, "asylprocessen", "ansokan");
    ASSERT_TRUE(tolk.ok() && ansokan.ok()) << tolk.status() << ansokan.status();
    v1::Quiz tolk_quiz;
    v1::Quiz ansokan_quiz;
    v1::GetQuizRequest get;
    get.set_name("parts/introduktion/modules/tolk/quiz");
    ASSERT_TRUE(env().Call(&Stub::GetQuiz, env().AdminToken(), get, &tolk_quiz).ok());
    get.set_name("parts/asylprocessen/modules/ansokan/quiz");
    ASSERT_TRUE(env().Call(&Stub::GetQuiz, env().AdminToken(), get, &ansokan_quiz).ok());
    const std::vector<v1::Answer> tolk_answers = RightAnswers(*tolk, tolk_quiz);
    const std::vector<v1::Answer> ansokan_answers = RightAnswers(*ansokan, ansokan_quiz);

    absl::StatusOr<v1::Attempt> first = absl::UnknownError("not run");
    absl::StatusOr<v1::Attempt> second = absl::UnknownError("not run");
    std::thread a([&] { first = env().Submit(learner, *tolk, tolk_answers); });
    std::thread b([&] { second = env().Submit(learner, *ansokan, ansokan_answers); });
    a.join();
    b.join();
    ASSERT_TRUE(first.ok() && second.ok()) << first.status() << second.status();
    ASSERT_TRUE(first->passed() && second->passed());

    EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas WHERE kind = 'COURSE' AND learner_id = '" +
                          env().Subject(learner) + "'"),
              1)
        << "round " << round;
    EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas WHERE learner_id = '" +
                          env().Subject(learner) + "'"),
              3)
        << "round " << round;
  }
}

TEST_F(DiplomaTest, PartCertificateForASinglePartAndNoCourseDiploma) {
  ASSERT_TRUE(env().Enrol("bertil", {"asylprocessen"}, "Bertil Åkesson").ok());
  Pass("bertil", "asylprocessen", "ansokan");
  std::vector<v1::Diploma> diplomas = List("bertil");
  ASSERT_EQ(diplomas.size(), 1u);
  EXPECT_EQ(diplomas[0].content().kind(), v1::DIPLOMA_KIND_PART);
  EXPECT_THAT(diplomas[0].content().part_titles(), ElementsAre("Asylprocessen"));
  EXPECT_THAT(diplomas[0].parts(), ElementsAre("parts/asylprocessen"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas WHERE kind = 'COURSE'"), 0);
}

TEST_F(DiplomaTest, VerifyWithoutTokenSaysValidRevokedOrUnknown) {
  ASSERT_TRUE(env().Enrol("anna", {"asylprocessen"}, kLearnerName).ok());
  Pass("anna", "asylprocessen", "ansokan");
  const v1::Diploma diploma = Only("anna", v1::DIPLOMA_KIND_PART);

  // As printed (groups of four) and in lower case: the code is normalised.
  v1::VerifyDiplomaResponse valid;
  ::grpc::Status st =
      Verify(absl::AsciiStrToLower(FormatCodeForDisplay(diploma.content().code())), &valid);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(valid.verdict(), v1::VERDICT_VALID);
  EXPECT_EQ(valid.content().SerializeAsString(), diploma.content().SerializeAsString());
  EXPECT_EQ(valid.signature(), diploma.signature());
  EXPECT_EQ(valid.signed_text(), diploma.signed_text());
  EXPECT_THAT(valid.signed_text(), HasSubstr(std::string("learner_name: ") + kLearnerName));

  // Well-formed but issued to nobody.
  std::string other = diploma.content().code();
  other[0] = other[0] == '0' ? '1' : '0';
  v1::VerifyDiplomaResponse unknown;
  st = Verify(other, &unknown);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(unknown.verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_FALSE(unknown.has_content());
  EXPECT_TRUE(unknown.signature().empty());

  // Not a code at all.
  v1::VerifyDiplomaResponse malformed;
  st = Verify("ABC-123", &malformed);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "DIPLOMA_CODE_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("code"));

  v1::Diploma revoked;
  st = Revoke(diploma.name(), "Utfärdat på felaktiga uppgifter", &revoked);
  ASSERT_TRUE(st.ok()) << Describe(st);
  v1::VerifyDiplomaResponse after;
  st = Verify(diploma.content().code(), &after);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(after.verdict(), v1::VERDICT_REVOKED);
  EXPECT_EQ(after.revoke_reason(), "Utfärdat på felaktiga uppgifter");
  EXPECT_TRUE(after.has_revoke_time());
  EXPECT_EQ(after.content().code(), diploma.content().code());
}

TEST_F(DiplomaTest, VerifyRefusesToVouchForATamperedRow) {
  ASSERT_TRUE(env().Enrol("anna", {"asylprocessen"}, kLearnerName).ok());
  Pass("anna", "asylprocessen", "ansokan");
  const v1::Diploma diploma = Only("anna", v1::DIPLOMA_KIND_PART);
  // Someone with database access changes the name in the signed text.
  env().Query("UPDATE diplomas SET signed_text = replace(signed_text, 'Åsa', 'Eva')");
  v1::VerifyDiplomaResponse resp;
  ::grpc::Status st = Verify(diploma.content().code(), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(resp.verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_FALSE(resp.has_content());
}

TEST_F(DiplomaTest, SignatureVerifiesWithOpensslAndATamperedTextFails) {
  ASSERT_TRUE(env().Enrol("anna", {"introduktion", "asylprocessen"}, kLearnerName).ok());
  PassWholeCourse("anna");
  const v1::Diploma course = Only("anna", v1::DIPLOMA_KIND_COURSE);

  v1::GetDiplomaPublicKeyResponse keys;
  ::grpc::Status st =
      env().Call(&Stub::GetDiplomaPublicKey, "", v1::GetDiplomaPublicKeyRequest(), &keys);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_GE(keys.keys_size(), 1);
  EXPECT_EQ(keys.keys(0).key_id(), course.content().key_id());
  EXPECT_EQ(keys.keys(0).algorithm(), "Ed25519");
  EXPECT_EQ(keys.keys(0).public_key().size(), 32u);
  EXPECT_EQ(keys.keys(0).public_key_pem(), env().signing_public_key_pem());

  v1::VerifyDiplomaResponse verified;
  st = Verify(course.content().code(), &verified);
  ASSERT_TRUE(st.ok()) << Describe(st);

  const std::string dir = env().temp_dir();
  WriteFile(dir + "/pub.pem", keys.keys(0).public_key_pem());
  WriteFile(dir + "/text", verified.signed_text());
  WriteFile(dir + "/sig", verified.signature());
  const std::string verify_cmd = absl::StrCat(
      "openssl pkeyutl -verify -pubin -inkey ", dir, "/pub.pem -rawin -in ", dir,
      "/TEXT -sigfile ", dir, "/sig >", dir, "/openssl.out 2>&1");
  EXPECT_EQ(Shell(absl::StrReplaceAll(verify_cmd, {{"TEXT", "text"}})), 0)
      << ReadFile(dir + "/openssl.out");
  EXPECT_THAT(ReadFile(dir + "/openssl.out"), HasSubstr("Signature Verified Successfully"));

  WriteFile(dir + "/tampered",
            absl::StrReplaceAll(verified.signed_text(), {{"Åsa Öberg", "Åsa Öhberg"}}));
  ASSERT_NE(ReadFile(dir + "/tampered"), verified.signed_text());
  EXPECT_NE(Shell(absl::StrReplaceAll(verify_cmd, {{"TEXT", "tampered"}})), 0)
      << ReadFile(dir + "/openssl.out");
}

TEST_F(DiplomaTest, PdfShowsTheNameWithSwedishLettersAndTheCode) {
  ASSERT_TRUE(env().Enrol("anna", {"introduktion", "asylprocessen"}, kLearnerName).ok());
  PassWholeCourse("anna");
  const v1::Diploma course = Only("anna", v1::DIPLOMA_KIND_COURSE);

  v1::RenderDiplomaPdfRequest req;
  req.set_name(course.name());
  v1::RenderDiplomaPdfResponse pdf;
  ::grpc::Status st =
      env().Call(&Stub::RenderDiplomaPdf, env().LearnerToken("anna"), req, &pdf);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(pdf.content_type(), "application/pdf");
  ASSERT_EQ(pdf.data().rfind("%PDF-", 0), 0u);

  const std::string dir = env().temp_dir();
  WriteFile(dir + "/diploma.pdf", pdf.data());
  ASSERT_EQ(Shell(absl::StrCat("pdftotext -enc UTF-8 ", dir, "/diploma.pdf ", dir,
                               "/diploma.txt")),
            0);
  const std::string text = ReadFile(dir + "/diploma.txt");
  EXPECT_THAT(text, HasSubstr(kLearnerName));
  EXPECT_THAT(text, HasSubstr(FormatCodeForDisplay(course.content().code())));
  EXPECT_THAT(text, HasSubstr("Asylprocessen"));
}

TEST_F(DiplomaTest, RevokeNeedsAReasonAndHappensOnce) {
  ASSERT_TRUE(env().Enrol("anna", {"asylprocessen"}, kLearnerName).ok());
  Pass("anna", "asylprocessen", "ansokan");
  const v1::Diploma diploma = Only("anna", v1::DIPLOMA_KIND_PART);
  v1::Diploma resp;

  ::grpc::Status st = Revoke(diploma.name(), "", &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "REVOKE_REASON_MISSING");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("reason"));
  st = Revoke(diploma.name(), "  \t ", &resp);
  EXPECT_EQ(ReasonOf(st), "REVOKE_REASON_MISSING") << Describe(st);
  st = Revoke(diploma.name(), std::string(1001, 'x'), &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("reason"));

  st = Revoke(env().Learners("anna") + "/diplomas/not-a-code", "fel", &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("name"));
  std::string other = diploma.content().code();
  other[0] = other[0] == '0' ? '1' : '0';
  st = Revoke(env().Learners("anna") + "/diplomas/" + other, "fel", &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "DIPLOMA_NOT_FOUND");

  // Only the county_admin role may revoke.
  st = Revoke(diploma.name(), "fel", &resp, env().LearnerToken("anna"));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = Revoke(diploma.name(), "fel", &resp, env().OfficerToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  // Only an admin of the learner's county (Anna works in Uppsala län, 03): not Skåne's (12),
  // not one whose token names no county.
  st = Revoke(diploma.name(), "fel", &resp, env().Token("county_admin", "admin-skane", "12"));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = Revoke(diploma.name(), "fel", &resp, env().Token("county_admin", "admin-nowhere", ""));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas WHERE state = 'REVOKED'"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'diploma.revoke'"), 0);

  st = Revoke(diploma.name(), "  Deltagaren har inte genomfört kursen själv ", &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(resp.state(), v1::DIPLOMA_STATE_REVOKED);
  EXPECT_EQ(resp.revoke_reason(), "Deltagaren har inte genomfört kursen själv");
  EXPECT_TRUE(resp.has_revoke_time());
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.DiplomaRevokedEvent'"),
            1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'diploma.revoke' AND "
                        "actor = '" +
                        env().Subject("admin-1") + "' AND resource = '" + diploma.name() + "'"),
            1);
  pqxx::result rows = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.training.v1.DiplomaRevokedEvent'");
  ASSERT_EQ(rows.size(), 1u);
  v1::DiplomaRevokedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(rows[0][0]).str()));
  EXPECT_EQ(event.diploma(), diploma.name());
  EXPECT_EQ(event.kind(), v1::DIPLOMA_KIND_PART);

  st = Revoke(diploma.name(), "igen", &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "DIPLOMA_ALREADY_REVOKED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.DiplomaRevokedEvent'"),
            1);

  // Neither the PDF of a revoked diploma nor a new one when the part is completed again.
  v1::RenderDiplomaPdfRequest pdf_req;
  pdf_req.set_name(diploma.name());
  v1::RenderDiplomaPdfResponse pdf;
  st = env().Call(&Stub::RenderDiplomaPdf, env().LearnerToken("anna"), pdf_req, &pdf);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "DIPLOMA_REVOKED");
  ASSERT_TRUE(env().PublishedModule("asylprocessen", "overklagande", MakeQuiz()).ok());
  Pass("anna", "asylprocessen", "overklagande");
  EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM diplomas WHERE state = 'REVOKED'"), 1);
}

TEST_F(DiplomaTest, LearnersSeeOnlyTheirOwnDiplomasAndOfficersTheirOwnLan) {
  ASSERT_TRUE(env().Enrol("anna", {"asylprocessen"}, kLearnerName).ok());
  ASSERT_TRUE(env().Enrol("bertil", {"asylprocessen"}, "Bertil Åkesson").ok());
  Pass("anna", "asylprocessen", "ansokan");
  const v1::Diploma annas = Only("anna", v1::DIPLOMA_KIND_PART);
  const std::string bertil = env().LearnerToken("bertil");

  v1::GetDiplomaRequest get;
  get.set_name(annas.name());
  v1::Diploma diploma;
  ::grpc::Status st = env().Call(&Stub::GetDiploma, bertil, get, &diploma);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);

  v1::RenderDiplomaPdfRequest pdf_req;
  pdf_req.set_name(annas.name());
  v1::RenderDiplomaPdfResponse pdf;
  st = env().Call(&Stub::RenderDiplomaPdf, bertil, pdf_req, &pdf);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_TRUE(pdf.data().empty());

  v1::ListDiplomasRequest list;
  list.set_parent(env().Learners("anna"));
  v1::ListDiplomasResponse listed;
  st = env().Call(&Stub::ListDiplomas, bertil, list, &listed);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);

  // Anna's code under Bertil's own name is simply not Bertil's diploma.
  get.set_name(env().Learners("bertil") + "/diplomas/" + annas.content().code());
  st = env().Call(&Stub::GetDiploma, bertil, get, &diploma);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "DIPLOMA_NOT_FOUND");

  // Anna herself, and a county officer of her län (Uppsala, 03), but not one of Skåne (12).
  get.set_name(annas.name());
  st = env().Call(&Stub::GetDiploma, env().LearnerToken("anna"), get, &diploma);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(diploma.content().code(), annas.content().code());
  st = env().Call(&Stub::GetDiploma, env().OfficerToken(kTestLan), get, &diploma);
  EXPECT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::GetDiploma, env().OfficerToken("12"), get, &diploma);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::ListDiplomas, env().OfficerToken("12"), list, &listed);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::ListDiplomas, env().OfficerToken(kTestLan), list, &listed);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(listed.diplomas_size(), 1);
  // A county officer whose token names no county sees no county's diplomas.
  st = env().Call(&Stub::GetDiploma, env().OfficerToken(""), get, &diploma);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  st = env().Call(&Stub::ListDiplomas, env().OfficerToken(""), list, &listed);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING") << Describe(st);

  // Without a token only the public methods answer.
  st = env().Call(&Stub::GetDiploma, "", get, &diploma);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED) << Describe(st);
}

TEST_F(DiplomaTest, ListingDiplomasOfSomeoneNotEnrolledIsNotFound) {
  v1::ListDiplomasRequest list;
  list.set_parent(env().Learners("nobody"));
  v1::ListDiplomasResponse listed;
  ::grpc::Status st = env().Call(&Stub::ListDiplomas, env().LearnerToken("nobody"), list, &listed);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LEARNER_NOT_FOUND");
}

TEST_F(DiplomaTest, ArchivedContentIsNotRequiredOfNewLearnersAndIssuedDiplomasStillVerify) {
  ASSERT_TRUE(env().Enrol("anna", {"introduktion", "asylprocessen"}, kLearnerName).ok());
  PassWholeCourse("anna");
  const v1::Diploma before = Only("anna", v1::DIPLOMA_KIND_COURSE);

  v1::ArchiveModuleRequest archive;
  archive.set_name("parts/introduktion/modules/tolk");
  v1::Module archived;
  ::grpc::Status st = env().Call(&Stub::ArchiveModule, env().AdminToken(), archive, &archived);
  ASSERT_TRUE(st.ok()) << Describe(st);

  // A new learner is done without the archived module, and cannot start it.
  ASSERT_TRUE(env().Enrol("bert", {"introduktion", "asylprocessen"}).ok());
  absl::StatusOr<v1::Attempt> refused = env().Start("bert", "introduktion", "tolk");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("archived"));
  Pass("bert", "introduktion", "mottagande");
  Pass("bert", "asylprocessen", "ansokan");
  const v1::Diploma bert = Only("bert", v1::DIPLOMA_KIND_COURSE);
  EXPECT_THAT(bert.parts(), ElementsAre("parts/introduktion", "parts/asylprocessen"));
  v1::GetProgressRequest progress_req;
  progress_req.set_name(env().Learners("bert") + "/progress");
  v1::Progress progress;
  st = env().Call(&Stub::GetProgress, env().LearnerToken("bert"), progress_req, &progress);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_TRUE(progress.completed());
  ASSERT_EQ(progress.parts_size(), 2);
  ASSERT_EQ(progress.parts(0).modules_size(), 1);
  EXPECT_EQ(progress.parts(0).modules(0).module(), "parts/introduktion/modules/mottagande");

  // Archiving a whole part: a course diploma no longer requires it.
  v1::ArchivePartRequest archive_part;
  archive_part.set_name("parts/asylprocessen");
  v1::Part part;
  st = env().Call(&Stub::ArchivePart, env().AdminToken(), archive_part, &part);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_TRUE(env().Enrol("cecilia", {"introduktion"}).ok());
  Pass("cecilia", "introduktion", "mottagande");
  const v1::Diploma cecilia = Only("cecilia", v1::DIPLOMA_KIND_COURSE);
  EXPECT_THAT(cecilia.content().part_titles(), ElementsAre("Introduktion"));

  // What was issued before the archiving still verifies, unchanged.
  for (const v1::Diploma& issued : {before, bert}) {
    v1::VerifyDiplomaResponse verified;
    st = Verify(issued.content().code(), &verified);
    ASSERT_TRUE(st.ok()) << Describe(st);
    EXPECT_EQ(verified.verdict(), v1::VERDICT_VALID);
    EXPECT_THAT(verified.content().part_titles(), ElementsAre("Introduktion", "Asylprocessen"));
    EXPECT_EQ(verified.signed_text(), issued.signed_text());
  }
  EXPECT_EQ(Only("anna", v1::DIPLOMA_KIND_COURSE).state(), v1::DIPLOMA_STATE_VALID);
}

}  // namespace
}  // namespace integration::training::testing
