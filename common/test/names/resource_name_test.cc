// Unit tests of resource name patterns: compiling, parsing (each malformed shape) and printing.
#include "integration/names/resource_name.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "integration/status/status.h"

namespace integration::names {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool IsDigits(std::string_view value) {
  for (char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsLowerSlug(std::string_view value) {
  for (char c : value) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  return true;
}

PatternOptions Checked(ValueCheck check) {
  PatternOptions options;
  options.check = check;
  return options;
}

ResourcePattern Application() {
  return ResourcePattern::Declare(
      "calls/{call}/applications/{application}",
      {"NAME_INVALID", IsDigits, "{call} and {application} are decimal numbers"});
}

// The field, reason and expected pattern a malformed name is reported with.
void ExpectMalformed(const absl::Status& status, std::string_view field, std::string_view reason,
                     std::string_view pattern) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(status);
  ASSERT_TRUE(info.has_value()) << status;
  EXPECT_EQ(info->reason(), reason);
  EXPECT_EQ(info->metadata().at("expected"), pattern);
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value()) << status;
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), field);
  EXPECT_THAT(bad->field_violations(0).description(), HasSubstr(std::string(pattern)));
}

TEST(ResourcePatternTest, ParsesAValidName) {
  const ResourcePattern pattern = Application();
  EXPECT_EQ(pattern.pattern(), "calls/{call}/applications/{application}");
  EXPECT_THAT(pattern.variables(), ElementsAre("call", "application"));
  absl::StatusOr<ResourceName> name = pattern.Parse("calls/7/applications/42", "name");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ((*name)["call"], "7");
  EXPECT_EQ((*name)["application"], "42");
  EXPECT_EQ((*name)["review"], "") << "no such variable";
  EXPECT_THAT(name->values(), ElementsAre("7", "42"));
  EXPECT_FALSE(name->IsWildcard("call"));
  EXPECT_TRUE(pattern.Matches("calls/1/applications/2"));
}

TEST(ResourcePatternTest, RefusesEachMalformedShape) {
  const ResourcePattern pattern = Application();
  for (std::string_view bad : {
           "",                               // nothing
           "calls",                          // too few segments
           "calls/7/applications",           // one short
           "calls/7/applications/42/x",      // extra segment
           "calls/7/applications/42/",       // trailing '/'
           "/calls/7/applications/42",       // leading '/'
           "calls//applications/42",         // empty variable
           "calls/7/applications/",          // empty last variable
           "call/7/applications/42",         // wrong first literal
           "calls/7/Applications/42",        // literals are case-sensitive
           "calls/7/reviews/42",             // wrong inner literal
           "calls/x7/applications/42",       // value fails its check
           "calls/-/applications/42",        // no wildcard unless allowed
       }) {
    SCOPED_TRACE(bad);
    absl::StatusOr<ResourceName> name = pattern.Parse(bad, "application.name");
    ASSERT_FALSE(name.ok());
    ExpectMalformed(name.status(), "application.name", "NAME_INVALID",
                    "calls/{call}/applications/{application}");
    EXPECT_FALSE(pattern.Matches(bad));
  }
}

TEST(ResourcePatternTest, DescriptionCarriesTheHintAndOtherForms) {
  const absl::Status status = Application().Malformed("parent", "calls/-");
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).description(),
            "must be a resource name of the form calls/{call}/applications/{application} or "
            "calls/-, where {call} and {application} are decimal numbers");
  EXPECT_THAT(std::string(status.message()), HasSubstr("parent: must be a resource name"));
}

// Found by tests/fuzz (resource_name_fuzz): a pattern without value checks took "-" as a plain
// value under Wildcard::kRefused, and IsWildcard then still called it a wildcard, which a caller
// that refused wildcards could have read as "every parent".
TEST(ResourcePatternTest, PlainDashIsNoWildcardWhenRefused) {
  const auto slug = ResourcePattern::Compile("offerings/{offering}");
  ASSERT_TRUE(slug.ok()) << slug.status();
  const auto plain = slug->Parse("offerings/-", "name", ResourcePattern::Wildcard::kRefused);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->IsWildcard("offering"));
  const auto every = slug->Parse("offerings/-", "name", ResourcePattern::Wildcard::kAllowed);
  ASSERT_TRUE(every.ok()) << every.status();
  EXPECT_TRUE(every->IsWildcard("offering"));
}

TEST(ResourcePatternTest, WildcardOnlyWhenAllowed) {
  const ResourcePattern call = ResourcePattern::Declare("calls/{call}", Checked(IsDigits));
  absl::StatusOr<ResourceName> every =
      call.Parse("calls/-", "parent", ResourcePattern::Wildcard::kAllowed);
  ASSERT_TRUE(every.ok()) << every.status();
  EXPECT_TRUE(every->IsWildcard("call"));
  EXPECT_FALSE(call.Parse("calls/-", "parent").ok());
  EXPECT_FALSE(call.Parse("calls/--", "parent", ResourcePattern::Wildcard::kAllowed).ok());
  ExpectMalformed(call.Parse("calls/x", "parent").status(), "parent", "RESOURCE_NAME_INVALID",
                  "calls/{call}");
}

TEST(ResourcePatternTest, ChecksPerVariableOverrideTheDefault) {
  PatternOptions options = Checked(IsDigits);
  options.checks = {{"programme", IsLowerSlug}};
  const ResourcePattern pattern =
      ResourcePattern::Declare("programmes/{programme}/calls/{call}", options);
  EXPECT_TRUE(pattern.Matches("programmes/tia/calls/3"));
  EXPECT_FALSE(pattern.Matches("programmes/3/calls/3"));
  EXPECT_FALSE(pattern.Matches("programmes/tia/calls/tia"));
  // Without checks any non-empty segment is a value.
  const ResourcePattern open = ResourcePattern::Declare("learners/{learner}");
  EXPECT_TRUE(open.Matches("learners/Any thing"));
  EXPECT_FALSE(open.Matches("learners/"));
  EXPECT_FALSE(open.Matches("learners/a/b"));
}

TEST(ResourcePatternTest, FormatsAndRoundTrips) {
  const ResourcePattern pattern = Application();
  const int64_t call = 7;
  EXPECT_EQ(pattern.Format(call, 42), "calls/7/applications/42");
  EXPECT_EQ(pattern.Format(std::string("7"), std::string_view("42")), "calls/7/applications/42");
  EXPECT_EQ(pattern.Format("7", "42"), "calls/7/applications/42");
  for (std::string_view name : {"calls/1/applications/2", "calls/900/applications/31"}) {
    absl::StatusOr<ResourceName> parsed = pattern.Parse(name, "name");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(pattern.Format((*parsed)["call"], (*parsed)["application"]), name);
  }
  const ResourcePattern singleton = ResourcePattern::Declare("learners/{learner}/progress");
  EXPECT_EQ(singleton.Format("a"), "learners/a/progress");
  EXPECT_EQ((*singleton.Parse("learners/a/progress", "name"))["learner"], "a");
}

TEST(ResourcePatternTest, CompileRefusesWhatIsNotANamePattern) {
  for (std::string_view bad : {
           "",                         // empty
           "/calls/{call}",            // a path template, not a name pattern
           "calls/{call}:publish",     // verb
           "calls/*",                  // unnamed wildcard
           "calls/**",                 // multi-segment wildcard
           "calls/{call=*/x}",         // a variable over several segments
           "calls/{call=**}",          // a variable over the rest
           "calls/{call.id}",          // a field path, not an identifier
           "calls/{call}/x/{call}",    // repeated variable
           "calls//{call}",            // empty segment
           "calls/{call",              // unclosed
       }) {
    absl::StatusOr<ResourcePattern> compiled = ResourcePattern::Compile(bad);
    EXPECT_FALSE(compiled.ok()) << "accepted " << bad;
    if (!compiled.ok()) {
      EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(compiled.status().message()), HasSubstr("name pattern"));
    }
  }
  PatternOptions misnamed;
  misnamed.checks = {{"cal", IsDigits}};
  EXPECT_FALSE(ResourcePattern::Compile("calls/{call}", misnamed).ok())
      << "a check naming no variable";
  EXPECT_TRUE(ResourcePattern::Compile("calls/{call=*}").ok()) << "the long form of {call}";
}

TEST(ResourcePatternDeathTest, DeclareAndFormatStopOnProgrammingErrors) {
  EXPECT_DEATH(ResourcePattern::Declare("calls/*"), "name pattern");
  const ResourcePattern pattern = Application();
  EXPECT_DEATH(pattern.Format(1), "2 variables, given 1 values");
}

TEST(PositiveIdTest, OnePositiveIntegerWithoutLeadingZerosPerId) {
  EXPECT_TRUE(IsPositiveId("1"));
  EXPECT_TRUE(IsPositiveId("9223372036854775807"));
  EXPECT_EQ(PositiveId("42"), 42);
  for (const std::string_view bad :
       {"0", "-1", "01", "+1", "1.0", "", "x", "9223372036854775808"}) {
    EXPECT_FALSE(IsPositiveId(bad)) << bad;
    EXPECT_EQ(PositiveId(bad), 0) << bad;
  }
}

}  // namespace
}  // namespace integration::names
