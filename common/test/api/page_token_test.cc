// Page sizes and page tokens of the List methods: round trips, and every way a token is
// rejected (another list, damage, a hand-made key, garbage).
#include "integration/api/page_token.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "integration/auth/base64url.h"
#include "integration/status/status.h"

namespace integration::api {
namespace {

std::string ReasonOf(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

TEST(PageSizeTest, DefaultsCapsAndRejectsNegative) {
  EXPECT_EQ(*PageSize(0), 50);
  EXPECT_EQ(*PageSize(7), 7);
  EXPECT_EQ(*PageSize(500), 500);
  EXPECT_EQ(*PageSize(501), 500);
  absl::StatusOr<int> negative = PageSize(-1);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(negative.status()), kReasonPageSizeInvalid);
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(negative.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_size");
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  absl::StatusOr<std::optional<PageKey>> key = DecodePageToken("", "ListParts|all", 1);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_FALSE(key->has_value());
}

TEST(PageTokenTest, RoundTripsTheKey) {
  const PageKey last = {"1735689600000000", "learner-7", ""};
  const std::string token = EncodePageToken("ListLearners|03|0380", last);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << "must be URL-safe: " << token;
  absl::StatusOr<std::optional<PageKey>> key = DecodePageToken(token, "ListLearners|03|0380", 3);
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ(**key, last);
}

TEST(PageTokenTest, TokenOfAnotherListIsRejected) {
  const std::string token = EncodePageToken("ListAttempts|learners/anna", {"17"});
  absl::StatusOr<std::optional<PageKey>> key =
      DecodePageToken(token, "ListAttempts|learners/bertil", 1, "page_token");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(key.status()), kReasonPageTokenInvalid);
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(key.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_token");
}

TEST(PageTokenTest, DamagedTokenIsRejected) {
  const std::string token = EncodePageToken("ListParts|all", {"3"});
  std::optional<std::string> raw = auth::Base64UrlDecode(token);
  ASSERT_TRUE(raw.has_value());
  // Change the key "3" to "9" (the byte before the 8-byte checksum) and re-encode.
  std::string edited = *raw;
  edited[edited.size() - 9] = '9';
  absl::StatusOr<std::optional<PageKey>> key =
      DecodePageToken(auth::Base64UrlEncode(edited), "ListParts|all", 1);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(ReasonOf(key.status()), kReasonPageTokenInvalid);
}

TEST(PageTokenTest, KeyOfAnotherShapeIsRejected) {
  const std::string token = EncodePageToken("ListParts|all", {"3", "x"});
  EXPECT_EQ(ReasonOf(DecodePageToken(token, "ListParts|all", 1).status()), kReasonPageTokenInvalid);
}

TEST(PageTokenTest, GarbageIsRejected) {
  for (const std::string& garbage : {std::string("not a token"), std::string("AAAA"),
                                     std::string("abc="), std::string(2000, 'A')}) {
    absl::StatusOr<std::optional<PageKey>> key = DecodePageToken(garbage, "ListParts|all", 1);
    ASSERT_FALSE(key.ok()) << garbage;
    EXPECT_EQ(ReasonOf(key.status()), kReasonPageTokenInvalid) << garbage;
  }
}

TEST(PageTokenTest, InvalidPageTokenNamesTheField) {
  const absl::Status st = InvalidPageToken("page_token");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(st), kReasonPageTokenInvalid);
}

}  // namespace
}  // namespace integration::api
