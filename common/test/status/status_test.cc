// Tests of the error helpers and of the absl::Status <-> grpc::Status mapping.
#include "integration/status/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/synchronization/mutex.h"
#include "google/rpc/status.pb.h"
#include "integration/log/log.h"

namespace integration::status {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";

google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details()));
  return rpc;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(StatusTest, ErrorCarriesReasonMetadataAndViolations) {
  absl::Status s = Error(absl::StatusCode::kFailedPrecondition, "CALL_CLOSED", "the call is closed",
                         {{"call", "calls/42"}}, {{"call", "must be open"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(s), "the call is closed");
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "CALL_CLOSED");
  EXPECT_EQ(info->metadata().at("call"), "calls/42");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "call");
}

TEST(StatusTest, ErrorWithoutViolationsHasNoBadRequest) {
  absl::Status s = NotFound("CALL_NOT_FOUND", "no call calls/42");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(GetBadRequest(s).has_value());
  EXPECT_FALSE(GetErrorInfo(absl::NotFoundError("plain")).has_value());
  EXPECT_TRUE(Error(absl::StatusCode::kOk, "X", "y").ok());
}

TEST(StatusTest, ShorthandsUseTheirCodes) {
  EXPECT_EQ(NotFound("R", "m").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FailedPrecondition("R", "m").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(AlreadyExists("REQUEST_ID_REUSED", "m").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Aborted("ETAG_MISMATCH", "m").code(), absl::StatusCode::kAborted);
  EXPECT_EQ(PermissionDenied("R", "m").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Unauthenticated("R", "m").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ResourceExhausted("R", "m").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Unavailable("R", "m").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Internal("m").code(), absl::StatusCode::kInternal);
  EXPECT_EQ(GetErrorInfo(Aborted("ETAG_MISMATCH", "m", {{"etag", "W/1"}}))->metadata().at("etag"),
            "W/1");
}

TEST(StatusTest, InvalidFieldIsOneViolation) {
  absl::Status s = InvalidField("project_period.end_date", "must not be before start_date");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("project_period.end_date"));
  EXPECT_EQ(GetErrorInfo(s)->reason(), "INVALID_FIELD");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "project_period.end_date");
  EXPECT_EQ(bad->field_violations(0).description(), "must not be before start_date");
  EXPECT_EQ(GetErrorInfo(InvalidField("kommun", "unknown code", "UNKNOWN_KOMMUN"))->reason(),
            "UNKNOWN_KOMMUN");
}

TEST(StatusTest, FieldErrorsCollectsEveryViolation) {
  FieldErrors errors;
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add("name", "is required");
  errors.Add("amount_ore", "must be positive");
  EXPECT_FALSE(errors.empty());
  absl::Status s = errors.ToStatus("INVALID_APPLICATION");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("name: is required"));
  EXPECT_THAT(Message(s), HasSubstr("amount_ore: must be positive"));
  EXPECT_EQ(GetErrorInfo(s)->reason(), "INVALID_APPLICATION");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "name");
  EXPECT_EQ(bad->field_violations(1).field(), "amount_ore");
  EXPECT_EQ(GetErrorInfo(errors.ToStatus())->reason(), "INVALID_FIELD");
}

TEST(StatusTest, ToGrpcCarriesRpcStatusDetails) {
  absl::Status s = Error(absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "bad input",
                         {{"k", "v"}}, {{"a.b", "wrong"}});
  grpc::Status g = ToGrpc(s, DomainOf("grants"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(g.error_message(), "bad input");
  google::rpc::Status rpc = DetailsOf(g);
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(rpc.message(), "bad input");
  ASSERT_EQ(rpc.details_size(), 2);
  EXPECT_EQ(rpc.details(0).type_url(), kErrorInfoUrl);
  EXPECT_EQ(rpc.details(1).type_url(), kBadRequestUrl);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_FIELD");
  EXPECT_EQ(info.domain(), "grants.integration.lansstyrelsen.se");
  EXPECT_EQ(info.metadata().at("k"), "v");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(rpc.details(1).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "a.b");
}

TEST(StatusTest, EveryNonOkStatusGetsAnErrorInfo) {
  grpc::Status g =
      ToGrpc(absl::NotFoundError("no such call"), "training.integration.lansstyrelsen.se");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  google::rpc::Status rpc = DetailsOf(g);
  ASSERT_EQ(rpc.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "NOT_FOUND");
  EXPECT_EQ(info.domain(), "training.integration.lansstyrelsen.se");

  auto reason_of = [](const absl::Status& s) {
    return GetErrorInfo(FromGrpc(ToGrpc(s, "d")))->reason();
  };
  EXPECT_EQ(reason_of(absl::DeadlineExceededError("x")), "DEADLINE_EXCEEDED");
  EXPECT_EQ(reason_of(absl::UnavailableError("x")), "UNAVAILABLE");
  EXPECT_EQ(reason_of(absl::PermissionDeniedError("x")), "PERMISSION_DENIED");
}

TEST(StatusTest, DomainAlreadySetIsKept) {
  // An error relayed from another service keeps that service's domain.
  absl::Status from_grants = FromGrpc(ToGrpc(NotFound("CALL_NOT_FOUND", "x"), DomainOf("grants")));
  absl::Status relayed = FromGrpc(ToGrpc(from_grants, DomainOf("early_measures")));
  EXPECT_EQ(GetErrorInfo(relayed)->domain(), "grants.integration.lansstyrelsen.se");
}

TEST(StatusTest, RoundTripKeepsEverything) {
  absl::Status original =
      Error(absl::StatusCode::kAlreadyExists, "REQUEST_ID_REUSED",
            "request id used with different content", {{"request_id", "r-1"}, {"b", "2"}},
            {{"request_id", "reused"}, {"call.name", "differs"}});
  original.SetPayload("type.googleapis.com/google.rpc.RetryInfo", absl::Cord("\x0a\x02\x08\x01"));
  absl::Status back = FromGrpc(ToGrpc(original, DomainOf("grants")));
  EXPECT_EQ(back.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Message(back), "request id used with different content");
  auto info = GetErrorInfo(back);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(info->domain(), "grants.integration.lansstyrelsen.se");
  EXPECT_EQ(info->metadata().size(), 2u);
  EXPECT_EQ(info->metadata().at("request_id"), "r-1");
  EXPECT_EQ(info->metadata().at("b"), "2");
  auto bad = GetBadRequest(back);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "request_id");
  EXPECT_EQ(bad->field_violations(0).description(), "reused");
  EXPECT_EQ(bad->field_violations(1).field(), "call.name");
  EXPECT_EQ(bad->field_violations(1).description(), "differs");
  auto retry = back.GetPayload("type.googleapis.com/google.rpc.RetryInfo");
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(std::string(*retry), "\x0a\x02\x08\x01");
}

TEST(StatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpc(absl::OkStatus(), "d").ok());
  EXPECT_TRUE(ToGrpc(absl::OkStatus(), "d").error_details().empty());
  EXPECT_TRUE(FromGrpc(grpc::Status::OK).ok());
}

TEST(StatusTest, FromGrpcToleratesMissingOrBrokenDetails) {
  absl::Status plain = FromGrpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(plain.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(plain), "down");
  EXPECT_FALSE(GetErrorInfo(plain).has_value());

  absl::Status broken =
      FromGrpc(grpc::Status(grpc::StatusCode::ABORTED, "conflict", std::string("\xff\xff\xff", 3)));
  EXPECT_EQ(broken.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Message(broken), "conflict");
  EXPECT_FALSE(GetErrorInfo(broken).has_value());
}

TEST(StatusTest, DomainOfService) {
  EXPECT_EQ(DomainOf("grants"), "grants.integration.lansstyrelsen.se");
  EXPECT_EQ(DomainOf("early_measures"), "early_measures.integration.lansstyrelsen.se");
}

// Captures log lines while it lives.
class CapturedLines {
 public:
  CapturedLines() {
    log::SetSinkForTesting([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLines() { log::SetSinkForTesting(nullptr); }
  std::vector<std::string> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

TEST(StatusTest, InternalErrorsAreLoggedButNeverSent) {
  CapturedLines captured;
  log::ScopedContext context("req-77", "");
  absl::Status secret = Error(absl::StatusCode::kInternal, "PG_BROKEN",
                              "pq: could not connect to 10.1.2.3:5432 as grants_svc",
                              {{"host", "10.1.2.3"}}, {{"x", "y"}});
  grpc::Status g = ToGrpc(secret, DomainOf("grants"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(g.error_message(), "internal error");
  EXPECT_THAT(g.error_details(), Not(HasSubstr("10.1.2.3")));
  EXPECT_THAT(g.error_details(), Not(HasSubstr("PG_BROKEN")));
  google::rpc::Status rpc = DetailsOf(g);
  EXPECT_EQ(rpc.message(), "internal error");
  ASSERT_EQ(rpc.details_size(), 1);  // no BadRequest, no metadata
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INTERNAL");
  EXPECT_EQ(info.domain(), "grants.integration.lansstyrelsen.se");
  EXPECT_TRUE(info.metadata().empty());

  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"error\""));
  EXPECT_THAT(lines[0], HasSubstr("10.1.2.3:5432"));
  EXPECT_THAT(lines[0], HasSubstr("\"request_id\":\"req-77\""));
  EXPECT_THAT(lines[0], HasSubstr("PG_BROKEN"));
}

TEST(StatusTest, UnknownAndDataLossAreHiddenToo) {
  CapturedLines captured;
  for (absl::Status s : {absl::UnknownError("boom at 0x7fff"), absl::DataLossError("page torn"),
                         Internal("null deref in repo")}) {
    grpc::Status g = ToGrpc(s, "d");
    EXPECT_EQ(static_cast<int>(g.error_code()), static_cast<int>(s.code()));
    EXPECT_EQ(g.error_message(), "internal error");
    absl::Status back = FromGrpc(g);
    EXPECT_EQ(Message(back), "internal error");
    EXPECT_EQ(GetErrorInfo(back)->reason(), "INTERNAL");
  }
  EXPECT_EQ(captured.lines().size(), 3u);
  // Codes outside the gRPC range are not passed on as they are (absl reads them as UNKNOWN).
  grpc::Status odd = ToGrpc(absl::Status(static_cast<absl::StatusCode>(99), "odd"), "d");
  EXPECT_EQ(odd.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(odd.error_message(), "internal error");
}

TEST(StatusTest, UserMistakesAreNotLogged) {
  CapturedLines captured;
  ToGrpc(InvalidField("name", "is required"), "d");
  ToGrpc(NotFound("X", "y"), "d");
  EXPECT_TRUE(captured.lines().empty());
}

}  // namespace
}  // namespace integration::status
