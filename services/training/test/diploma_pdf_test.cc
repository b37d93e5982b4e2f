// Unit tests for the diploma PDF, read back with poppler's pdftotext and pdfinfo.
#include "diploma_pdf.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"
#include "integration/testing/temp_dir.h"

namespace integration::training {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Renders into a private directory and reads the PDF back with poppler-utils.
class PdfTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Runs a poppler tool on `pdf` and returns its output (empty on failure, which the
  // assertions on the output then report).
  std::string Tool(const std::string& pdf, const std::string& command) {
    const std::string in = dir_.Write("diploma.pdf", pdf);
    const std::string out = dir_.File("out.txt");
    const std::string err = dir_.File("err");
    std::filesystem::remove(out);
    const int raw = std::system((command + " " + in + " " + out + " 2>" + err).c_str());
    EXPECT_TRUE(raw != -1 && WIFEXITED(raw) && WEXITSTATUS(raw) == 0)
        << command << ": " << ReadFile(err);
    return ReadFile(out);
  }

  std::string Text(const std::string& pdf) { return Tool(pdf, "pdftotext -enc UTF-8"); }
  std::string Info(const std::string& pdf) {
    // pdfinfo writes to stdout; the trailing argument is the redirect target.
    return Tool(pdf, "sh -c 'pdfinfo \"$0\" >\"$1\"'");
  }

  integration::testing::TempDir dir_{"diploma-pdf-test-"};
};

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

// Frees cairo's and fontconfig's process-wide caches after the last test, so that the leak
// checker of sanitizer builds sees only leaks of ours.
class FontCacheEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ReleasePdfFontCaches(); }
};
// gtest owns registered environments.
const ::testing::Environment* const kFontCaches =
    ::testing::AddGlobalTestEnvironment(new FontCacheEnvironment);

TEST(SwedishDateTest, WritesDayMonthNameAndYear) {
  lansstyrelsen::integration::type::v1::Date date;
  date.set_year(2026);
  date.set_month(3);
  date.set_day(14);
  EXPECT_EQ(SwedishDate(date), "14 mars 2026");
  date.set_month(12);
  date.set_day(1);
  EXPECT_EQ(SwedishDate(date), "1 december 2026");
}

TEST_F(PdfTest, CourseDiplomaIsOneA4PageWithSwedishTextIntact) {
  absl::StatusOr<std::string> pdf = RenderDiplomaPdf(Content());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(*pdf, StartsWith("%PDF-"));

  const std::string info = Info(*pdf);
  EXPECT_TRUE(std::regex_search(info, std::regex("Pages:\\s+1\\n"))) << info;
  EXPECT_THAT(info, HasSubstr("(A4)"));

  const std::string text = Text(*pdf);
  EXPECT_THAT(text, HasSubstr("Diplom"));
  EXPECT_THAT(text, HasSubstr("Åsa Öberg-Lindström"));
  EXPECT_THAT(text, HasSubstr("Introduktion"));
  EXPECT_THAT(text, HasSubstr("Asylprocessen"));
  EXPECT_THAT(text, HasSubstr("Kulturkunskap"));
  EXPECT_THAT(text, HasSubstr("Bättre bemötande – en basutbildning för dig som möter asylsökande"));
  EXPECT_THAT(text, HasSubstr("Utfärdat den 14 mars 2026 av Länsstyrelsen"));
  EXPECT_THAT(text, HasSubstr("7ZQ3-M9K0-D4X1-VB2T-8N6P-5R0C-AH"));
  EXPECT_THAT(text, HasSubstr("Kontrollera äktheten med koden"));
  EXPECT_THAT(text, Not(HasSubstr("Intyg")));
}

TEST_F(PdfTest, PartCertificateSaysIntygAndNamesThePart) {
  v1::DiplomaContent content = Content();
  content.set_kind(v1::DIPLOMA_KIND_PART);
  content.clear_part_titles();
  content.add_part_titles("Kulturkunskap");
  DiplomaPdfOptions options;
  options.verify_url = "https://integration.lansstyrelsen.se/verifiera";
  absl::StatusOr<std::string> pdf = RenderDiplomaPdf(content, options);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string text = Text(*pdf);
  EXPECT_THAT(text, HasSubstr("Intyg"));
  EXPECT_THAT(text, HasSubstr("har genomfört delen"));
  EXPECT_THAT(text, HasSubstr("Kulturkunskap"));
  EXPECT_THAT(text, Not(HasSubstr("Asylprocessen")));
  EXPECT_THAT(text, HasSubstr("https://integration.lansstyrelsen.se/verifiera"));
}

TEST_F(PdfTest, LongNamesAreShrunkToStayOnThePage) {
  v1::DiplomaContent content = Content();
  std::string name;
  for (int i = 0; i < 8; ++i) name += "Åsa-Maria Öberg-Lindström ";
  name += "Ängström";
  content.set_learner_name(name);
  content.set_issuer(
      "Länsstyrelsen i Västra Götalands län, enheten för integration och "
      "mänskliga rättigheter");
  absl::StatusOr<std::string> pdf = RenderDiplomaPdf(content);
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  // pdftotext -bbox gives each word's box; every word lies inside the inner frame (38 pt).
  const std::string boxes = Tool(*pdf, "pdftotext -enc UTF-8 -bbox");
  const std::regex word(
      "<word xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" xMax=\"([0-9.]+)\" yMax=\"[0-9.]+\">");
  int words = 0;
  for (auto it = std::sregex_iterator(boxes.begin(), boxes.end(), word);
       it != std::sregex_iterator(); ++it) {
    ++words;
    const double x_min = std::stod((*it)[1]);
    const double x_max = std::stod((*it)[2]);
    EXPECT_GE(x_min, 38.0) << it->str();
    EXPECT_LE(x_max, 595.276 - 38.0) << it->str();
  }
  EXPECT_GT(words, 40);
  EXPECT_THAT(boxes, HasSubstr(">Ängström</word>"));
}

TEST_F(PdfTest, RefusesContentThatCouldNotBeSigned) {
  v1::DiplomaContent content = Content();
  content.clear_learner_name();
  absl::Status status = RenderDiplomaPdf(content).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto info = integration::status::GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "DIPLOMA_CONTENT_INVALID");
}

}  // namespace
}  // namespace integration::training
