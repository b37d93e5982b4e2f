// Integration tests of certificates of completion: only a completed enrolment gets one, it is
// signed over its canonical text with the key GetCertificatePublicKey publishes (checked with
// the key alone and with `openssl pkeyutl`), a changed text does not verify, and the PDF holds
// the holder's name and the eight themes.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/document/signing.h"
#include "integration/testing/temp_dir.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CertificateTest : public OrientationTest {
 protected:
  // An enrolment of 0380 with `sessions` weekly 4-hour sessions of all eight themes attended.
  std::string Attended(int sessions) {
    env().SetToday(absl::CivilDay(2027, 1, 1));
    const v1::Offering offering = env().CreateOffering({"0380"}, "ti");
    const v1::Enrolment enrolment = env().Enrol(env().CreateParticipant("0380", kPnr), offering);
    const std::vector<v1::Theme> all = OrientationTestEnv::AllThemes();
    std::vector<v1::Session> held;
    for (int i = 0; i < sessions; ++i) {
      held.push_back(env().CreateSession(offering, absl::CivilDay(2027, 1, 3) + 7 * i, all, 30));
    }
    env().SetToday(absl::CivilDay(2027, 7, 1));
    for (const v1::Session& s : held) EXPECT_TRUE(env().Attend("0380", s, {enrolment.name()}).ok());
    return enrolment.name();
  }

  ::grpc::Status Issue(const std::string& enrolment, v1::CompletionCertificate* out,
                       const std::string& kommun = "0380") {
    v1::IssueCompletionCertificateRequest req;
    req.set_name(enrolment);
    req.set_holder_name("Yohannes Tesfamariam");
    return env().Call(&Stub::IssueCompletionCertificate, env().KommunToken(kommun), req, out);
  }
};

TEST_F(CertificateTest, OnlyACompletedEnrolmentGetsOne) {
  const std::string enrolment = Attended(24);
  v1::CompletionCertificate certificate;
  ::grpc::Status st = Issue(enrolment, &certificate);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "NOT_COMPLETED");
  st = Issue(enrolment, &certificate, "0381");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CertificateTest, TheSignatureVerifiesWithThePublishedKeyAndTheTextOnly) {
  const std::string enrolment = Attended(25);
  v1::CompletionCertificate certificate;
  ::grpc::Status st = Issue(enrolment, &certificate);
  ASSERT_TRUE(st.ok()) << Describe(st);
  const v1::CertificateContent& content = certificate.content();
  EXPECT_EQ(content.enrolment(), enrolment);
  EXPECT_EQ(content.holder_name(), "Yohannes Tesfamariam");
  EXPECT_EQ(content.issuer(), "Uppsala kommun");
  EXPECT_EQ(content.language(), "ti");
  EXPECT_EQ(content.themes_size(), 8);
  EXPECT_EQ(content.attended_minutes(), 6000);
  EXPECT_EQ(content.issue_date().month(), 7);
  EXPECT_THAT(certificate.signed_text(),
              HasSubstr("\nholder_name: Yohannes Tesfamariam\nkommunkod: 0380\n"));
  EXPECT_EQ(
      env().Count("SELECT count(*) FROM audit_log WHERE action = 'enrolment.issueCertificate'"), 1);

  // The public key needs no token.
  v1::CertificatePublicKey key;
  ASSERT_TRUE(
      env()
          .Call(&Stub::GetCertificatePublicKey, "", v1::GetCertificatePublicKeyRequest(), &key)
          .ok());
  EXPECT_EQ(key.key_id(), content.key_id());
  const document::DocumentKind kind{"certificate", "CERTIFICATE_KEY_INVALID",
                                    "CERTIFICATE_SIGNATURE_INVALID"};
  absl::StatusOr<document::VerifyKey> verify =
      document::VerifyKey::FromPem(key.public_key_pem(), kind);
  ASSERT_TRUE(verify.ok()) << verify.status();
  EXPECT_TRUE(verify->Verify(certificate.signed_text(), certificate.signature()).ok());
  std::string forged = certificate.signed_text();
  forged.replace(forged.find("Yohannes"), 8, "Johannes");
  EXPECT_FALSE(verify->Verify(forged, certificate.signature()).ok());

  // An independent check: OpenSSL's own Ed25519 verification of the same bytes.
  integration::testing::TempDir dir;
  dir.Write("key.pem", key.public_key_pem());
  dir.Write("text", certificate.signed_text());
  dir.Write("sig", certificate.signature());
  dir.Write("forged", forged);
  const std::string verify_cmd =
      absl::StrCat("openssl pkeyutl -verify -pubin -inkey ", dir.File("key.pem"), " -rawin -in ");
  EXPECT_EQ(std::system(absl::StrCat(verify_cmd, dir.File("text"), " -sigfile ", dir.File("sig"),
                                     " >", dir.File("out"), " 2>&1")
                            .c_str()),
            0)
      << ReadAll(dir.File("out"));
  EXPECT_NE(std::system(absl::StrCat(verify_cmd, dir.File("forged"), " -sigfile ", dir.File("sig"),
                                     " >", dir.File("out"), " 2>&1")
                            .c_str()),
            0);

  // The PDF: one A4 page with the name and the themes.
  ASSERT_THAT(certificate.pdf(), ::testing::StartsWith("%PDF-"));
  dir.Write("c.pdf", certificate.pdf());
  ASSERT_EQ(
      std::system(absl::StrCat("pdftotext ", dir.File("c.pdf"), " ", dir.File("c.txt")).c_str()),
      0);
  const std::string text = ReadAll(dir.File("c.txt"));
  EXPECT_THAT(text, HasSubstr("Yohannes Tesfamariam"));
  EXPECT_THAT(text, HasSubstr("Att åldras i Sverige"));
  EXPECT_THAT(text, HasSubstr("100 timmar"));
  EXPECT_THAT(text, HasSubstr("Uppsala kommun"));
}

}  // namespace
}  // namespace integration::orientation::testing
