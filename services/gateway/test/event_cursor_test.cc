// The event feed's cursor: what it encodes, that it round-trips, and that anything else (a
// tampered, truncated or non-canonical cursor) is refused as INVALID_ARGUMENT on its field.
#include "event_cursor.h"

#include <gtest/gtest.h>

#include <string>

#include "integration/auth/base64url.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

TEST(EventCursorTest, RoundTripsAndIsOpaqueButCanonical) {
  EventCursor c;
  c.time = absl::FromUnixMillis(1'765'000'000'123);
  c.positions["grants"] = {.ms = 1'765'000'000'100, .seq = 2};
  c.positions["early_measures"] = {.ms = 0, .seq = 0};
  const std::string text = EncodeCursor(c);
  EXPECT_EQ(text.substr(0, 2), "1.");
  EXPECT_EQ(*auth::Base64UrlDecode(text.substr(2)),
            "1765000000123;early_measures=0-0;grants=1765000000100-2");
  absl::StatusOr<EventCursor> back = ParseCursor(text, "start_cursor");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, c);
  EXPECT_TRUE(ParseCursor(EncodeCursor(EventCursor{}), "f").ok()) << "no positions at all";
}

TEST(EventCursorTest, RefusesAnythingElseOnItsField) {
  auto encoded = [](const std::string& plain) { return "1." + auth::Base64UrlEncode(plain); };
  for (const std::string& bad :
       {std::string(""), std::string("1."), std::string("2.") + auth::Base64UrlEncode("1"),
        std::string("1.!!"), encoded("x"), encoded("-5"), encoded("1;grants"),
        encoded("1;grants=1"), encoded("1;Grants=1-0"), encoded("1;grants=1-0;grants=2-0"),
        encoded("1;placement=1-0;grants=1-0"),  // not in name order
        encoded("01;grants=1-0"), encoded("1;grants=01-0"), encoded("1;;grants=1-0"),
        std::string(5000, 'a')}) {
    absl::StatusOr<EventCursor> c = ParseCursor(bad, "start_cursor");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    std::optional<google::rpc::BadRequest> violations = status::GetBadRequest(c.status());
    ASSERT_TRUE(violations.has_value()) << bad;
    EXPECT_EQ(violations->field_violations(0).field(), "start_cursor");
    EXPECT_EQ(status::GetErrorInfo(c.status())->reason(), "INVALID_CURSOR");
  }
}

}  // namespace
}  // namespace integration::gateway
