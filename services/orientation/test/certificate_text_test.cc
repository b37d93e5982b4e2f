// Unit tests of the certificate's canonical text: its exact form, and refusal of what could
// make two contents read alike (a line break, an empty value, an impossible date).
#include "gtest/gtest.h"
#include "integration/dates/day.h"
#include "rules/certificate.h"

namespace integration::orientation {
namespace {

v1::CertificateContent Content() {
  v1::CertificateContent c;
  c.set_enrolment("kommuner/0380/participants/4/enrolments/9");
  c.set_holder_name("Åsa Öberg");
  c.set_kommunkod("0380");
  c.set_language("prs");
  c.add_themes(v1::THEME_COMING_TO_SWEDEN);
  c.add_themes(v1::THEME_AGEING);
  c.set_attended_minutes(6030);
  *c.mutable_completion_date() = dates::DateOf(absl::CivilDay(2027, 6, 20));
  *c.mutable_issue_date() = dates::DateOf(absl::CivilDay(2027, 7, 1));
  c.set_issuer("Uppsala kommun");
  c.set_key_id("0123456789abcdef");
  return c;
}

TEST(CertificateTextTest, OneLinePerFieldInOrder) {
  absl::StatusOr<std::string> text = CertificateText(Content());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "lansstyrelsen.integration.orientation.v1.CertificateContent\n"
            "enrolment: kommuner/0380/participants/4/enrolments/9\n"
            "holder_name: Åsa Öberg\n"
            "kommunkod: 0380\n"
            "language: prs\n"
            "themes: THEME_COMING_TO_SWEDEN,THEME_AGEING\n"
            "attended_minutes: 6030\n"
            "completion_date: 2027-06-20\n"
            "issue_date: 2027-07-01\n"
            "issuer: Uppsala kommun\n"
            "key_id: 0123456789abcdef\n");
}

TEST(CertificateTextTest, RefusesLineBreaksEmptyValuesAndBadDates) {
  v1::CertificateContent c = Content();
  c.set_holder_name("Åsa\nkommunkod: 0180");
  EXPECT_FALSE(CertificateText(c).ok());
  c = Content();
  c.clear_key_id();
  EXPECT_FALSE(CertificateText(c).ok());
  c = Content();
  c.mutable_issue_date()->set_month(13);
  EXPECT_FALSE(CertificateText(c).ok());
}

}  // namespace
}  // namespace integration::orientation
