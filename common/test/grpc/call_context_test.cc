// W3C traceparent parsing and generation, request ids, CallContext basics.
#include "integration/grpc/call_context.h"

#include <regex>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace integration::grpc {
namespace {

TEST(TraceContextTest, ParsesValidVersion00) {
  auto t = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, 1);
  EXPECT_EQ(t->ToTraceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_EQ(unsampled->flags, 0);
}

TEST(TraceContextTest, ReadsFutureVersionsByTheirPrefix) {
  auto t = TraceContext::Parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->flags, 9);
  EXPECT_FALSE(
      TraceContext::Parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09x").has_value());
}

TEST(TraceContextTest, RejectsInvalidHeaders) {
  for (const char* bad : {
           "", "garbage",
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // v00 with extra
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // separators
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01",   // non-hex
       }) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
}

TEST(TraceContextTest, NewRootAndChild) {
  const std::regex header("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");
  TraceContext root = TraceContext::NewRoot();
  EXPECT_TRUE(std::regex_match(root.ToTraceparent(), header)) << root.ToTraceparent();
  EXPECT_TRUE(TraceContext::Parse(root.ToTraceparent()).has_value());
  TraceContext child = root.Child();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.flags, root.flags);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_NE(TraceContext::NewRoot().trace_id, root.trace_id);
}

TEST(RequestIdTest, NewIdsAreDistinctUuidV4) {
  const std::regex uuid_v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_TRUE(std::regex_match(id, uuid_v4)) << id;
    ASSERT_TRUE(IsValidRequestId(id));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(RequestIdTest, ValidatesClientIds) {
  EXPECT_TRUE(IsValidRequestId("abc-123_x.y:z"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidRequestId("with space"));
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId("quote\""));
  EXPECT_FALSE(IsValidRequestId("åäö"));
}

TEST(CallContextTest, RemainingAndCancelledFollowTheDeadline) {
  auth::Caller caller;
  caller.role = "county_officer";
  CallContext live(caller, "r", TraceContext::NewRoot(), absl::Now() + absl::Seconds(5));
  EXPECT_EQ(live.caller().role, "county_officer");
  EXPECT_GT(live.remaining(), absl::Seconds(4));
  EXPECT_FALSE(live.cancelled());
  EXPECT_EQ(live.server_context(), nullptr);
  CallContext expired(caller, "r", TraceContext::NewRoot(), absl::Now() - absl::Milliseconds(1));
  EXPECT_LE(expired.remaining(), absl::ZeroDuration());
  EXPECT_TRUE(expired.cancelled());
}

}  // namespace
}  // namespace integration::grpc
