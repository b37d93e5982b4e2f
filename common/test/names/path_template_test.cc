// Unit tests of path template parsing (google.api.http paths and bare name patterns),
// matching and percent-decoding.
#include "integration/names/path_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace integration::names {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = TemplateSegment::Kind;

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

TEST(PathTemplateTest, ParsesLiteralsAndSimpleVariable) {
  auto parsed = PathTemplate::Parse("/v1/diplomas/{code}:verify");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->segments().size(), 3u);
  EXPECT_EQ(parsed->segments()[0].kind, Kind::kLiteral);
  EXPECT_EQ(parsed->segments()[0].literal, "v1");
  EXPECT_EQ(parsed->segments()[1].literal, "diplomas");
  EXPECT_EQ(parsed->segments()[2].kind, Kind::kSingle);
  EXPECT_EQ(parsed->verb(), "verify");
  ASSERT_EQ(parsed->variables().size(), 1u);
  EXPECT_THAT(parsed->variables()[0].field_path, ElementsAre("code"));
  EXPECT_EQ(parsed->variables()[0].pattern, "*");
  EXPECT_EQ(parsed->variables()[0].begin, 2u);
  EXPECT_EQ(parsed->variables()[0].end, 3u);
}

TEST(PathTemplateTest, ParsesNestedFieldPathWithPattern) {
  auto parsed = PathTemplate::Parse("/v1/{part.name=parts/*}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->variables().size(), 1u);
  const TemplateVariable& variable = parsed->variables()[0];
  EXPECT_THAT(variable.field_path, ElementsAre("part", "name"));
  EXPECT_EQ(variable.FieldPathString(), "part.name");
  EXPECT_EQ(variable.pattern, "parts/*");
  EXPECT_EQ(variable.begin, 1u);
  EXPECT_EQ(variable.end, 3u);
  EXPECT_TRUE(parsed->verb().empty());
}

TEST(PathTemplateTest, ParsesMultiSegmentPatternFollowedByLiteralAndVerb) {
  auto parsed = PathTemplate::Parse("/v1/{name=learners/*/diplomas/*}:pdf");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->segments().size(), 5u);
  EXPECT_EQ(parsed->verb(), "pdf");
  auto with_tail = PathTemplate::Parse("/v1/{parent=parts/*}/modules");
  ASSERT_TRUE(with_tail.ok());
  EXPECT_EQ(with_tail->segments().back().literal, "modules");
  EXPECT_EQ(with_tail->variables()[0].end, 3u);
}

TEST(PathTemplateTest, ParsesDoubleWildcardAtTheEnd) {
  auto parsed = PathTemplate::Parse("/v1/{name=files/**}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->ends_with_multi());
  EXPECT_EQ(parsed->variables()[0].pattern, "files/**");
}

TEST(PathTemplateTest, RejectsMalformedTemplates) {
  for (std::string_view bad :
       {"", "v1/parts", "/v1//parts", "/v1/{name", "/v1/{=parts/*}", "/v1/{name=}", "/v1/{a={b}}",
        "/v1/**/x", "/v1/{name=**}/x", "/v1/*x", "/v1/parts:", "/v1/{1abc}", "/v1/{a}/{a}",
        "/v1/a:b/c", "/v1/{a.}", "/v1/%zz"}) {
    auto parsed = PathTemplate::Parse(bad);
    EXPECT_FALSE(parsed.ok()) << "accepted " << bad;
    if (!parsed.ok()) {
      EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("template"));
    }
  }
}

TEST(PathTemplateTest, MatchesAndCapturesRawSegments) {
  auto parsed = PathTemplate::Parse("/v1/{name=parts/*/modules/*}");
  ASSERT_TRUE(parsed.ok());
  std::vector<std::vector<std::string_view>> values;
  ASSERT_TRUE(parsed->Match(Split("v1/parts/intro/modules/m%201"), "", &values));
  ASSERT_EQ(values.size(), 1u);
  EXPECT_THAT(values[0], ElementsAre("parts", "intro", "modules", "m%201"));

  EXPECT_FALSE(parsed->Match(Split("v1/parts/intro/modules"), "", &values));
  EXPECT_FALSE(parsed->Match(Split("v1/parts/intro/lessons/m1"), "", &values));
  EXPECT_FALSE(parsed->Match(Split("v1/parts//modules/m1"), "", &values)) << "empty '*' value";
  EXPECT_FALSE(parsed->Match(Split("v1/parts/intro/modules/m1"), "publish", &values));
}

TEST(PathTemplateTest, LiteralsMatchPercentEncodedForms) {
  auto parsed = PathTemplate::Parse("/v1/parts");
  ASSERT_TRUE(parsed.ok());
  std::vector<std::vector<std::string_view>> values;
  EXPECT_TRUE(parsed->Match(Split("v1/%70arts"), "", &values));
  EXPECT_FALSE(parsed->Match(Split("v1/Parts"), "", &values));
}

TEST(PathTemplateTest, DoubleWildcardTakesTheRest) {
  auto parsed = PathTemplate::Parse("/v1/{name=files/**}");
  ASSERT_TRUE(parsed.ok());
  std::vector<std::vector<std::string_view>> values;
  ASSERT_TRUE(parsed->Match(Split("v1/files/a/b/c"), "", &values));
  EXPECT_THAT(values[0], ElementsAre("files", "a", "b", "c"));
  ASSERT_TRUE(parsed->Match(Split("v1/files"), "", &values));
  EXPECT_THAT(values[0], ElementsAre("files"));
  EXPECT_FALSE(parsed->Match(Split("v1/other/a"), "", &values));
}

TEST(PathTemplateTest, SameShapeIgnoresVariableNames) {
  auto a = PathTemplate::Parse("/v1/{name=parts/*}");
  auto b = PathTemplate::Parse("/v1/parts/{id}");
  auto c = PathTemplate::Parse("/v1/{name=learners/*}");
  auto d = PathTemplate::Parse("/v1/{name=parts/*}:publish");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_TRUE(a->SameShape(*b));
  EXPECT_FALSE(a->SameShape(*c));
  EXPECT_FALSE(a->SameShape(*d));
}

TEST(PathTemplateTest, ParsesBareSegmentsOfANamePattern) {
  auto parsed = PathTemplate::ParseSegments("calls/{call}/applications/{application}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->segments().size(), 4u);
  EXPECT_EQ(parsed->segments()[0].literal, "calls");
  EXPECT_EQ(parsed->segments()[1].kind, Kind::kSingle);
  ASSERT_EQ(parsed->variables().size(), 2u);
  EXPECT_EQ(parsed->variables()[1].FieldPathString(), "application");
  EXPECT_EQ(parsed->variables()[1].begin, 3u);
  // No leading '/' and no verb in a name pattern.
  for (std::string_view bad : {"/calls/{call}", "calls/{call}:publish", "", "calls//x"}) {
    auto rejected = PathTemplate::ParseSegments(bad);
    EXPECT_FALSE(rejected.ok()) << "accepted " << bad;
    if (!rejected.ok()) {
      EXPECT_THAT(std::string(rejected.status().message()), HasSubstr("name pattern"));
    }
  }
}

TEST(PercentDecodeTest, DecodesAndRejectsBadEscapes) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%C3%A5", false), "\xC3\xA5");
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%4", false).ok());
  EXPECT_FALSE(PercentDecode("%zz", false).ok());
}

}  // namespace
}  // namespace integration::names
