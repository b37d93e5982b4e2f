// Unit tests of SubjectPseudonymiser: stable, keyed, prefixed by the key id, rotatable, and
// never containing the subject it stands for.
#include "integration/auth/subject_pseudonym.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "integration/status/status.h"
#include "integration/testing/temp_dir.h"

namespace integration::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "https://login.test";
constexpr char kPnr[] = "196602031343";
const std::string kSecretA(32, 'a');
const std::string kSecretB(32, 'b');

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

std::shared_ptr<const SubjectPseudonymiser> Make(std::vector<SubjectPseudonymiser::Key> keys) {
  auto made = SubjectPseudonymiser::Create(std::move(keys));
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : nullptr;
}

std::string Current(const SubjectPseudonymiser& p, const std::string& subject,
                    const std::string& role = "learner", const std::string& issuer = kIssuer) {
  absl::StatusOr<std::string> pseudonym = p.Current(issuer, role, subject);
  EXPECT_TRUE(pseudonym.ok()) << pseudonym.status();
  return pseudonym.ok() ? *pseudonym : "";
}

TEST(SubjectPseudonymTest, IsStableKeyedAndPrefixedByTheKeyId) {
  const auto a = Make({{"k1", kSecretA}});
  const std::string pseudonym = Current(*a, kPnr);
  // "<kid>-" and 16 bytes of HMAC as 26 lower-case base32 characters: a valid resource id.
  ASSERT_EQ(pseudonym.size(), 3u + 26u);
  EXPECT_EQ(pseudonym.substr(0, 3), "k1-");
  EXPECT_EQ(pseudonym.substr(3).find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"),
            std::string::npos);
  // Pinned: a change of the derivation would orphan every stored record (HMAC-SHA256 over
  // issuer, NUL, subject; computed independently with Python's hmac and base64 modules).
  EXPECT_EQ(pseudonym, "k1-nae5l5zgwbbxed5gp4khybj2ya");
  EXPECT_THAT(pseudonym, Not(HasSubstr("1966")));
  EXPECT_THAT(pseudonym, Not(HasSubstr("1343")));

  // The same subject, key and issuer always give the same pseudonym (records stay findable),
  // also from another instance with the same key (every service computes it alike).
  EXPECT_EQ(Current(*a, kPnr), pseudonym);
  EXPECT_EQ(Current(*Make({{"k1", kSecretA}}), kPnr), pseudonym);
  // The role does not change whom a person is.
  EXPECT_EQ(Current(*a, kPnr, "county_officer"), pseudonym);

  // Another key, another subject or another issuer: another pseudonym.
  const std::string other_key = Current(*Make({{"k1", kSecretB}}), kPnr);
  EXPECT_NE(other_key.substr(3), pseudonym.substr(3));
  EXPECT_NE(Current(*a, "196602031344"), pseudonym);
  EXPECT_NE(Current(*a, kPnr, "learner", "https://other-idp.test"), pseudonym);
  // Issuer and subject are separated: moving a character across the boundary changes it.
  EXPECT_NE(Current(*a, "1" + std::string(kPnr), "learner", "https://login.tes"),
            Current(*a, kPnr, "learner", "https://login.tes1"));
}

TEST(SubjectPseudonymTest, RotationKeepsFormerPseudonyms) {
  const auto before = Make({{"k1", kSecretA}});
  const auto after = Make({{"k2", kSecretB}, {"k1", kSecretA}});
  EXPECT_EQ(after->current_key_id(), "k2");
  const std::string old_pseudonym = Current(*before, kPnr);
  const std::string new_pseudonym = Current(*after, kPnr);
  EXPECT_EQ(new_pseudonym.substr(0, 3), "k2-");
  EXPECT_NE(new_pseudonym, old_pseudonym);
  absl::StatusOr<std::vector<std::string>> former = after->Former(kIssuer, "learner", kPnr);
  ASSERT_TRUE(former.ok()) << former.status();
  EXPECT_EQ(*former, std::vector<std::string>{old_pseudonym});
  absl::StatusOr<std::vector<std::string>> none = before->Former(kIssuer, "learner", kPnr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SubjectPseudonymTest, ServiceSubjectsPassUnchanged) {
  const auto p = Make({{"k2", kSecretB}, {"k1", kSecretA}});
  EXPECT_EQ(Current(*p, "svc:early_measures", "agency_system"), "svc:early_measures");
  EXPECT_TRUE(p->Former(kIssuer, "agency_system", "svc:grants")->empty());
  // Only the suite's own services' form, and only as an agency system: a person whose
  // subject happens to start with "svc:" is still pseudonymised.
  EXPECT_NE(Current(*p, "svc:grants", "learner"), "svc:grants");
  EXPECT_NE(Current(*p, "svc:196602031343", "agency_system"), "svc:196602031343");
  EXPECT_NE(Current(*p, "svc:", "agency_system"), "svc:");
  EXPECT_NE(Current(*p, "migrationsverket-1", "agency_system"), "migrationsverket-1");
}

TEST(SubjectPseudonymTest, KeyRingParsing) {
  const std::string hex_a(64, 'a');  // 32 bytes 0xaa
  auto ring = SubjectPseudonymiser::Parse("# rotated 2026-12\n\nk2 " + hex_a + "\n  k1\t" +
                                          hex_a.substr(0, 62) + "bb  \n");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->current_key_id(), "k2");
  EXPECT_EQ((*ring)->Former(kIssuer, "learner", kPnr)->size(), 1u);
  // Base64 secrets of 32 bytes or more.
  auto b64 = SubjectPseudonymiser::Parse("b1 YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=\n");
  ASSERT_TRUE(b64.ok()) << b64.status();
  EXPECT_EQ(Current(**b64, kPnr), "b1-" + Current(*Make({{"x", kSecretA}}), kPnr).substr(2));

  for (const std::string& bad : std::vector<std::string>{
           std::string(""),                     // no key
           std::string("# only a comment\n"),   // no key
           std::string("k1\n"),                 // no secret
           "k1 " + hex_a + " extra\n",          // three fields
           "K1 " + hex_a + "\n",                // upper-case id
           "k.1 " + hex_a + "\n",               // not a resource id character
           "key-id-of-13c " + hex_a + "\n",     // > 12 characters
           "k1 " + hex_a.substr(0, 62) + "\n",  // 31 bytes
           std::string("k1 c2hvcnQ=\n"),        // base64 of 5 bytes
           std::string("k1 !!notbase64!!\n"),
           "k1 " + hex_a + "\nk1 " + hex_a + "\n",  // repeated id
       }) {
    auto parsed = SubjectPseudonymiser::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(Reason(parsed.status()), "SUBJECT_KEY_INVALID") << bad;
    // Errors never repeat a secret.
    EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr(hex_a.substr(0, 62))));
  }
}

TEST(SubjectPseudonymTest, FromKeyFileNamesTheSetting) {
  testing::TempDir dir("subject_keys_test_");
  const std::string file = dir.Write("keys", "k1 " + std::string(64, 'c') + "\n");
  auto from_file = SubjectPseudonymiser::FromKeyFile(file);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_EQ((*from_file)->current_key_id(), "k1");

  auto missing = SubjectPseudonymiser::FromKeyFile("");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("--subject-key-file"));
  auto unreadable = SubjectPseudonymiser::FromKeyFile(dir.File("nope"));
  EXPECT_EQ(unreadable.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace integration::auth
