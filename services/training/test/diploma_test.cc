// Unit tests for diploma codes, eligibility, the canonical text and Ed25519 signatures,
// including verification by the openssl command-line tool as an independent implementation.
#include "diploma.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"
#include "integration/testing/temp_dir.h"

namespace integration::training {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  if (auto bad = integration::status::GetBadRequest(status)) {
    for (const auto& violation : bad->field_violations()) fields.push_back(violation.field());
  }
  return fields;
}

using ::integration::testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` through the shell with its output captured in `dir`.
CommandResult RunCommand(const TempDir& dir, const std::string& command) {
  const std::string out = dir.File("command-output");
  const int raw = std::system((command + " >" + out + " 2>&1").c_str());
  CommandResult result;
  result.exit_code = raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.output = ReadFile(out);
  return result;
}

v1::DiplomaContent Content() {
  v1::DiplomaContent content;
  content.set_code("7ZQ3M9K0D4X1VB2T8N6P5R0CAH");
  content.set_kind(v1::DIPLOMA_KIND_COURSE);
  content.set_learner_name("Åsa Öberg-Lindström");
  content.add_part_titles("Introduktion");
  content.add_part_titles("Asylprocessen");
  content.add_part_titles("Kulturkunskap");
  content.mutable_issue_date()->set_year(2026);
  content.mutable_issue_date()->set_month(3);
  content.mutable_issue_date()->set_day(14);
  content.set_issuer("Länsstyrelsen");
  content.set_key_id("0123456789abcdef");
  return content;
}

// ---- codes ----------------------------------------------------------------------------------

TEST(DiplomaCodeTest, TwentySixCrockfordCharactersUniqueAndUsingAll130Bits) {
  const std::string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::set<std::string> codes;
  std::vector<std::set<char>> seen_at(kDiplomaCodeLength);
  for (int i = 0; i < 10000; ++i) {
    absl::StatusOr<std::string> code = NewDiplomaCode();
    ASSERT_TRUE(code.ok()) << code.status();
    ASSERT_EQ(code->size(), 26u);
    for (size_t p = 0; p < code->size(); ++p) {
      ASSERT_NE(alphabet.find((*code)[p]), std::string::npos) << *code;
      seen_at[p].insert((*code)[p]);
    }
    EXPECT_EQ(NormalizeCode(*code).value(), *code);
    codes.insert(*std::move(code));
  }
  EXPECT_EQ(codes.size(), 10000u);
  // Every position, the last included, takes all 32 values: no position is padding.
  for (int p = 0; p < kDiplomaCodeLength; ++p) EXPECT_EQ(seen_at[p].size(), 32u) << p;
}

TEST(DiplomaCodeTest, NormalisesWhatPeopleType) {
  const std::string code = "7ZQ3M9K0D4X1VB2T8N6P5R0CAH";
  EXPECT_EQ(NormalizeCode("7zq3m9k0d4x1vb2t8n6p5r0cah").value(), code);
  EXPECT_EQ(NormalizeCode("7ZQ3-M9K0-D4X1-VB2T-8N6P-5R0C-AH").value(), code);
  EXPECT_EQ(NormalizeCode(" 7zq3 m9kO d4xl vb2t 8n6p 5rOc ah").value(), code);  // O->0, l->1
  EXPECT_EQ(NormalizeCode("7ZQ3M9K0D4XIVB2T8N6P5R0CAH").value(), code);         // I->1
  EXPECT_EQ(FormatCodeForDisplay(code), "7ZQ3-M9K0-D4X1-VB2T-8N6P-5R0C-AH");
  EXPECT_EQ(NormalizeCode(FormatCodeForDisplay(code)).value(), code);
}

TEST(DiplomaCodeTest, RejectsWhatCannotBeACode) {
  for (const std::string& text :
       {std::string(), std::string("7ZQ3M9K0D4X1VB2T8N6P5R0CA"),
        std::string("7ZQ3M9K0D4X1VB2T8N6P5R0CAHH"), std::string("7ZQ3M9K0D4X1VB2T8N6P5R0CAU"),
        std::string("7ZQ3M9K0D4X1VB2T8N6P5R0CA*"), std::string("7ZQ3M9K0D4X1VB2T8N6P5R0CAÅ"),
        std::string("7ZQ3_M9K0D4X1VB2T8N6P5R0CAH"), std::string(500, '-')}) {
    SCOPED_TRACE(text);
    absl::Status status = NormalizeCode(text, "code").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "DIPLOMA_CODE_INVALID");
    EXPECT_THAT(Fields(status), ElementsAre("code"));
  }
}

// ---- eligibility ----------------------------------------------------------------------------

std::vector<CoursePart> Course() {
  return {
      {"parts/introduktion",
       "Introduktion",
       {"parts/introduktion/modules/m1", "parts/introduktion/modules/m2"}},
      {"parts/asylprocessen", "Asylprocessen", {"parts/asylprocessen/modules/m1"}},
      {"parts/kulturkunskap",
       "Kulturkunskap",
       {"parts/kulturkunskap/modules/m1", "parts/kulturkunskap/modules/m2"}},
  };
}

const std::vector<std::string> kAllParts = {"parts/introduktion", "parts/asylprocessen",
                                            "parts/kulturkunskap"};

std::set<std::string> AllModules() {
  std::set<std::string> modules;
  for (const CoursePart& part : Course()) {
    modules.insert(part.published_modules.begin(), part.published_modules.end());
  }
  return modules;
}

DueDiploma PartCertificate(std::string name, std::string title) {
  return {v1::DIPLOMA_KIND_PART, {std::move(name)}, {std::move(title)}};
}

TEST(EligibilityTest, NothingPassedNothingDue) {
  EXPECT_THAT(DueDiplomas(Course(), kAllParts, {}), IsEmpty());
}

TEST(EligibilityTest, PartCertificateForEachCompletedEnrolledPart) {
  std::set<std::string> passed = {"parts/introduktion/modules/m1", "parts/introduktion/modules/m2",
                                  "parts/kulturkunskap/modules/m1"};
  EXPECT_THAT(DueDiplomas(Course(), kAllParts, passed),
              ElementsAre(PartCertificate("parts/introduktion", "Introduktion")));
  passed.insert("parts/kulturkunskap/modules/m2");
  EXPECT_THAT(DueDiplomas(Course(), kAllParts, passed),
              ElementsAre(PartCertificate("parts/introduktion", "Introduktion"),
                          PartCertificate("parts/kulturkunskap", "Kulturkunskap")));
}

TEST(EligibilityTest, CourseDiplomaWhenTheWholeCourseIsEnrolledAndPassed) {
  std::vector<DueDiploma> due = DueDiplomas(Course(), kAllParts, AllModules());
  ASSERT_EQ(due.size(), 4u);
  EXPECT_EQ(due[0], (DueDiploma{v1::DIPLOMA_KIND_COURSE,
                                kAllParts,
                                {"Introduktion", "Asylprocessen", "Kulturkunskap"}}));
  EXPECT_EQ(due[1], PartCertificate("parts/introduktion", "Introduktion"));
  EXPECT_EQ(due[2], PartCertificate("parts/asylprocessen", "Asylprocessen"));
  EXPECT_EQ(due[3], PartCertificate("parts/kulturkunskap", "Kulturkunskap"));
  // Enrolment order does not matter; course order is used.
  EXPECT_EQ(DueDiplomas(Course(), {kAllParts[2], kAllParts[0], kAllParts[1]}, AllModules()), due);
}

TEST(EligibilityTest, NoCourseDiplomaWithoutEnrolmentInEveryPart) {
  // Passed modules of a part the learner left are not certified.
  EXPECT_THAT(DueDiplomas(Course(), {"parts/introduktion", "parts/kulturkunskap"}, AllModules()),
              ElementsAre(PartCertificate("parts/introduktion", "Introduktion"),
                          PartCertificate("parts/kulturkunskap", "Kulturkunskap")));
}

TEST(EligibilityTest, ANewPublishedModuleMustBePassedToo) {
  std::vector<CoursePart> course = Course();
  course[1].published_modules.push_back("parts/asylprocessen/modules/m2");
  EXPECT_THAT(DueDiplomas(course, kAllParts, AllModules()),
              ElementsAre(PartCertificate("parts/introduktion", "Introduktion"),
                          PartCertificate("parts/kulturkunskap", "Kulturkunskap")));
}

TEST(EligibilityTest, APartWithoutPublishedModulesIsNeverCompleted) {
  std::vector<CoursePart> course = Course();
  course.push_back({"parts/fordjupning", "Fördjupning", {}});
  EXPECT_FALSE(PartCompleted(course.back(), AllModules()));
  std::vector<std::string> enrolled = kAllParts;
  enrolled.push_back("parts/fordjupning");
  std::vector<DueDiploma> due = DueDiplomas(course, enrolled, AllModules());
  ASSERT_EQ(due.size(), 3u);
  for (const DueDiploma& diploma : due) EXPECT_EQ(diploma.kind, v1::DIPLOMA_KIND_PART);
  EXPECT_THAT(DueDiplomas({}, {}, {}), IsEmpty());
}

// ---- canonical text -------------------------------------------------------------------------

TEST(CanonicalTextTest, FixedLinesInAFixedOrder) {
  absl::StatusOr<std::string> text = CanonicalText(Content());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "Bättre bemötande diploma v1\n"
            "code: 7ZQ3M9K0D4X1VB2T8N6P5R0CAH\n"
            "kind: course\n"
            "learner_name: Åsa Öberg-Lindström\n"
            "parts: Introduktion; Asylprocessen; Kulturkunskap\n"
            "issue_date: 2026-03-14\n"
            "issuer: Länsstyrelsen\n"
            "key_id: 0123456789abcdef\n");
  EXPECT_EQ(CanonicalText(Content()).value(), *text);  // stable

  v1::DiplomaContent part = Content();
  part.set_kind(v1::DIPLOMA_KIND_PART);
  part.clear_part_titles();
  part.add_part_titles("Kulturkunskap");
  part.mutable_issue_date()->set_month(1);
  part.mutable_issue_date()->set_day(5);
  EXPECT_THAT(CanonicalText(part).value(),
              HasSubstr("kind: part\nlearner_name: Åsa Öberg-Lindström\n"
                        "parts: Kulturkunskap\nissue_date: 2026-01-05\n"));
}

TEST(CanonicalTextTest, EscapesSoThatEveryValueStaysOnItsLine) {
  v1::DiplomaContent content = Content();
  content.set_learner_name("Anna\nkind: part\\x\tY\x01\x7f\r");
  content.clear_part_titles();
  content.add_part_titles("Del A; Del B");
  content.add_part_titles("Del C");
  std::string text = CanonicalText(content).value();
  EXPECT_THAT(text, HasSubstr("\nlearner_name: Anna\\nkind: part\\\\x\\tY\\x01\\x7f\\r\n"));
  EXPECT_THAT(text, HasSubstr("\nparts: Del A\\; Del B; Del C\n"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 8);

  // Two titles and one title holding "; " differ.
  v1::DiplomaContent joined = Content();
  joined.clear_part_titles();
  joined.add_part_titles("Del A");
  joined.add_part_titles("Del B");
  v1::DiplomaContent single = Content();
  single.clear_part_titles();
  single.add_part_titles("Del A; Del B");
  EXPECT_NE(CanonicalText(joined).value(), CanonicalText(single).value());
}

TEST(CanonicalTextTest, RejectsContentThatCannotBeSigned) {
  v1::DiplomaContent content = Content();
  content.set_code("7zq3m9k0d4x1vb2t8n6p5r0cah");  // not normalised
  content.clear_kind();
  content.set_learner_name(" ");
  content.mutable_issue_date()->set_month(2);
  content.mutable_issue_date()->set_day(30);
  content.set_issuer("");
  content.clear_key_id();
  content.set_part_titles(1, "Asyl\xff");
  absl::Status status = CanonicalText(content).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "DIPLOMA_CONTENT_INVALID");
  EXPECT_THAT(Fields(status),
              UnorderedElementsAre("content.code", "content.kind", "content.learner_name",
                                   "content.part_titles[1]", "content.issue_date", "content.issuer",
                                   "content.key_id"));

  v1::DiplomaContent no_parts = Content();
  no_parts.clear_part_titles();
  EXPECT_THAT(Fields(CanonicalText(no_parts).status()), ElementsAre("content.part_titles"));
  v1::DiplomaContent leap = Content();
  leap.mutable_issue_date()->set_year(2028);
  leap.mutable_issue_date()->set_month(2);
  leap.mutable_issue_date()->set_day(29);
  EXPECT_TRUE(CanonicalText(leap).ok());
}

// ---- signatures -----------------------------------------------------------------------------

TEST(SignatureTest, SignsAndVerifies) {
  absl::StatusOr<DiplomaSigner> signer = DiplomaSigner::Generate();
  ASSERT_TRUE(signer.ok()) << signer.status();
  absl::StatusOr<SignedDiploma> signed_diploma = signer->SignContent(Content());
  ASSERT_TRUE(signed_diploma.ok()) << signed_diploma.status();
  EXPECT_EQ(signed_diploma->content.key_id(), signer->key_id());
  EXPECT_EQ(signed_diploma->signature.size(), 64u);
  EXPECT_EQ(signed_diploma->signed_text, CanonicalText(signed_diploma->content).value());
  EXPECT_THAT(signed_diploma->signed_text, HasSubstr("\nkey_id: " + signer->key_id() + "\n"));

  const DiplomaVerifyKey& key = signer->verify_key();
  EXPECT_TRUE(key.Verify(signed_diploma->signed_text, signed_diploma->signature).ok());
  EXPECT_TRUE(key.VerifyContent(signed_diploma->content, signed_diploma->signature).ok());
}

TEST(SignatureTest, TamperingAndOtherKeysFail) {
  DiplomaSigner signer = DiplomaSigner::Generate().value();
  DiplomaSigner other = DiplomaSigner::Generate().value();
  EXPECT_NE(signer.key_id(), other.key_id());
  SignedDiploma d = signer.SignContent(Content()).value();

  auto expect_invalid = [](const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(Reason(status), "DIPLOMA_SIGNATURE_INVALID");
  };
  std::string tampered_text = d.signed_text;
  tampered_text.replace(tampered_text.find("Åsa"), 4, "Anna");
  expect_invalid(signer.verify_key().Verify(tampered_text, d.signature));
  std::string tampered_signature = d.signature;
  tampered_signature[10] = static_cast<char>(tampered_signature[10] ^ 0x01);
  expect_invalid(signer.verify_key().Verify(d.signed_text, tampered_signature));
  expect_invalid(signer.verify_key().Verify(d.signed_text, d.signature.substr(0, 63)));
  expect_invalid(other.verify_key().Verify(d.signed_text, d.signature));

  v1::DiplomaContent changed = d.content;
  changed.set_learner_name("Anna Andersson");
  expect_invalid(signer.verify_key().VerifyContent(changed, d.signature));
  expect_invalid(other.verify_key().VerifyContent(d.content, d.signature));  // key id differs
}

TEST(SignatureTest, PublicKeyFormsAgree) {
  DiplomaSigner signer = DiplomaSigner::Generate().value();
  EXPECT_EQ(signer.RawPublicKey().size(), 32u);
  EXPECT_THAT(signer.PublicKeyPem(), HasSubstr("-----BEGIN PUBLIC KEY-----"));
  ASSERT_EQ(signer.key_id().size(), 16u);
  EXPECT_EQ(signer.key_id().find_first_not_of("0123456789abcdef"), std::string::npos);

  absl::StatusOr<DiplomaVerifyKey> from_pem = DiplomaVerifyKey::FromPem(signer.PublicKeyPem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.status();
  absl::StatusOr<DiplomaVerifyKey> from_raw = DiplomaVerifyKey::FromRaw(signer.RawPublicKey());
  ASSERT_TRUE(from_raw.ok()) << from_raw.status();
  EXPECT_EQ(from_pem->key_id(), signer.key_id());
  EXPECT_EQ(from_raw->key_id(), signer.key_id());
  EXPECT_EQ(from_raw->PublicKeyPem(), signer.PublicKeyPem());

  SignedDiploma d = signer.SignContent(Content()).value();
  EXPECT_TRUE(from_raw->Verify(d.signed_text, d.signature).ok());

  v1::DiplomaPublicKey proto = signer.verify_key().ToProto();
  EXPECT_EQ(proto.key_id(), signer.key_id());
  EXPECT_EQ(proto.algorithm(), "Ed25519");
  EXPECT_EQ(proto.public_key_pem(), signer.PublicKeyPem());
  EXPECT_EQ(proto.public_key(), signer.RawPublicKey());

  EXPECT_EQ(Reason(DiplomaVerifyKey::FromRaw("short").status()), "DIPLOMA_KEY_INVALID");
  EXPECT_EQ(Reason(DiplomaVerifyKey::FromPem("not pem").status()), "DIPLOMA_KEY_INVALID");
}

class OpenSslToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    key_file_ = dir_.File("key.pem");
    CommandResult made = RunCommand(dir_, "openssl genpkey -algorithm ed25519 -out " + key_file_);
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }

  TempDir dir_{"diploma-test-"};
  std::string key_file_;
};

TEST_F(OpenSslToolTest, LoadsAKeyFileWrittenByOpenSsl) {
  absl::StatusOr<DiplomaSigner> signer = DiplomaSigner::FromPemFile(key_file_);
  ASSERT_TRUE(signer.ok()) << signer.status();
  absl::StatusOr<DiplomaSigner> from_text = DiplomaSigner::FromPem(ReadFile(key_file_));
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  EXPECT_EQ(from_text->key_id(), signer->key_id());

  // Same public key as openssl derives, and the key id is SHA-256 of its raw 32 bytes.
  CommandResult pub = RunCommand(dir_, "openssl pkey -in " + key_file_ + " -pubout");
  ASSERT_EQ(pub.exit_code, 0) << pub.output;
  EXPECT_EQ(pub.output, signer->PublicKeyPem());
  CommandResult digest = RunCommand(dir_, "openssl pkey -in " + key_file_ +
                                              " -pubout -outform DER | tail -c 32 | "
                                              "openssl dgst -sha256 -r");
  ASSERT_EQ(digest.exit_code, 0) << digest.output;
  EXPECT_EQ(digest.output.substr(0, 16), signer->key_id());
}

TEST_F(OpenSslToolTest, OpenSslVerifiesOurSignatureAndRejectsATamperedText) {
  DiplomaSigner signer = DiplomaSigner::FromPemFile(key_file_).value();
  SignedDiploma d = signer.SignContent(Content()).value();
  dir_.Write("pub.pem", signer.PublicKeyPem());
  dir_.Write("text", d.signed_text);
  dir_.Write("sig", d.signature);
  const std::string verify = "openssl pkeyutl -verify -pubin -inkey " + dir_.File("pub.pem") +
                             " -rawin -sigfile " + dir_.File("sig") + " -in ";

  CommandResult good = RunCommand(dir_, verify + dir_.File("text"));
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_THAT(good.output, HasSubstr("Signature Verified Successfully"));

  std::string tampered = d.signed_text;
  tampered.replace(tampered.find("2026-03-14"), 10, "2026-03-15");
  dir_.Write("tampered", tampered);
  CommandResult bad = RunCommand(dir_, verify + dir_.File("tampered"));
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_THAT(bad.output, ::testing::Not(HasSubstr("Signature Verified Successfully")));
}

TEST_F(OpenSslToolTest, WeVerifyASignatureMadeByOpenSsl) {
  DiplomaSigner signer = DiplomaSigner::FromPemFile(key_file_).value();
  const std::string text = CanonicalText([&] {
                             v1::DiplomaContent c = Content();
                             c.set_key_id(signer.key_id());
                             return c;
                           }())
                               .value();
  dir_.Write("text", text);
  CommandResult sign =
      RunCommand(dir_, "openssl pkeyutl -sign -inkey " + key_file_ + " -rawin -in " +
                           dir_.File("text") + " -out " + dir_.File("sig"));
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  const std::string signature = ReadFile(dir_.File("sig"));
  EXPECT_TRUE(signer.verify_key().Verify(text, signature).ok());
  // Ed25519 is deterministic: the same key and text give the same signature.
  EXPECT_EQ(signer.Sign(text).value(), signature);
}

TEST_F(OpenSslToolTest, BadKeyFilesAreRefusedWithAClearMessage) {
  struct Case {
    std::string name;
    std::string path;
    std::string message;
  };
  dir_.Write("empty.pem", "");
  dir_.Write("garbage.pem", "this is not a key\n");
  dir_.Write("broken.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ASSERT_EQ(
      RunCommand(dir_, "openssl pkey -in " + key_file_ + " -pubout -out " + dir_.File("pub.pem"))
          .exit_code,
      0);
  ASSERT_EQ(
      RunCommand(dir_, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                           dir_.File("ec.pem"))
          .exit_code,
      0);
  ASSERT_EQ(
      RunCommand(dir_, "openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:secret -out " +
                           dir_.File("encrypted.pem"))
          .exit_code,
      0);
  const std::vector<Case> cases = {
      {"missing", dir_.File("missing.pem"), "cannot be opened"},
      {"empty", dir_.File("empty.pem"), "is empty"},
      {"garbage", dir_.File("garbage.pem"), "is not PEM"},
      {"broken", dir_.File("broken.pem"), "is not a readable PEM private key"},
      {"public", dir_.File("pub.pem"), "public key"},
      {"ec", dir_.File("ec.pem"), "not Ed25519"},
      {"encrypted", dir_.File("encrypted.pem"), "encrypted"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::Status status = DiplomaSigner::FromPemFile(c.path).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "DIPLOMA_KEY_INVALID");
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.path));
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace integration::training
