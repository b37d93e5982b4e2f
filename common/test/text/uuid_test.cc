// Unit tests of UUID generation and of the canonical-form check used for event and request ids.
#include "integration/text/uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace integration::text {
namespace {

TEST(UuidTest, NewUuidIsRandomVersion4InLowercaseCanonicalForm) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<std::string> id = NewUuid();
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_EQ(id->size(), 36u) << *id;
    EXPECT_EQ(NormalizeUuid(*id), *id) << "canonical and lowercase: " << *id;
    EXPECT_EQ((*id)[14], '4') << "version 4: " << *id;
    EXPECT_NE(std::string("89ab").find((*id)[19]), std::string::npos)
        << "RFC 4122 variant: " << *id;
    seen.insert(*id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(UuidTest, NormalizeAcceptsCanonicalFormOfEitherCase) {
  EXPECT_EQ(NormalizeUuid("123e4567-e89b-12d3-a456-426614174000"),
            "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(NormalizeUuid("123E4567-E89B-12D3-A456-426614174ABC"),
            "123e4567-e89b-12d3-a456-426614174abc");
  EXPECT_EQ(NormalizeUuid("00000000-0000-0000-0000-000000000000"),
            "00000000-0000-0000-0000-000000000000");
  EXPECT_TRUE(IsCanonicalUuid("123e4567-e89b-12d3-a456-426614174000"));
}

TEST(UuidTest, NormalizeRejectsEverythingElse) {
  for (const char* bad : {
           "",
           "not-a-uuid",
           "123e4567e89b12d3a456426614174000",        // no dashes
           "{123e4567-e89b-12d3-a456-426614174000}",  // braces
           "123e4567-e89b-12d3-a456-42661417400",     // one digit short
           "123e4567-e89b-12d3-a456-4266141740000",   // one digit too many
           "123e4567-e89b-12d3-a456-42661417400g",    // not hex
           "123e4567-e89b-12d3-a4564-26614174000",    // dash in the wrong place
           "123e4567+e89b-12d3-a456-426614174000",    // not a dash
           " 23e4567-e89b-12d3-a456-426614174000",    // space
           "123e4567-e89b-12d3-a456-42661417400\n",
       }) {
    EXPECT_EQ(NormalizeUuid(bad), std::nullopt) << bad;
    EXPECT_FALSE(IsCanonicalUuid(bad)) << bad;
  }
}

}  // namespace
}  // namespace integration::text
