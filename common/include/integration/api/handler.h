// What the handlers of every service share: times between absl, protobuf and SQL, update masks
// (AIP-134), etags (AIP-154), request-id scopes (AIP-155; the replay itself is api::Change's)
// and unique-violation checks.
#pragma once

#include "integration/grpc/names.h"  // first: see there

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "integration/grpc/call_context.h"
#include "integration/status/status.h"

namespace integration::api {

// ErrorInfo reasons shared by the handlers.
inline constexpr std::string_view kReasonEtagMismatch = "ETAG_MISMATCH";
inline constexpr std::string_view kReasonUpdateMaskInvalid = "UPDATE_MASK_INVALID";
inline constexpr std::string_view kReasonConcurrentUpdate = "CONCURRENT_UPDATE";

// Times travel to and from SQL as microseconds since the Unix epoch (exact both ways: a
// query reads `(extract(epoch FROM t) * 1000000)::bigint` and writes
// `timestamptz 'epoch' + $n * interval '1 microsecond'`).
inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }
inline void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  int64_t seconds = us / 1000000;
  int64_t micros = us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(micros * 1000));
}
inline void SetTimestampMicros(int64_t us, google::protobuf::Timestamp* out) {
  SetTimestamp(FromMicros(us), out);
}

// The paths of an update mask, checked against the fields a method may change. An empty mask
// or "*" means every allowed field (AIP-134). An unknown path is INVALID_ARGUMENT,
// UPDATE_MASK_INVALID, with a violation on "update_mask" naming it and the allowed ones.
inline absl::StatusOr<std::set<std::string>> MaskPaths(
    const google::protobuf::FieldMask& mask, std::initializer_list<std::string_view> allowed) {
  std::set<std::string> all(allowed.begin(), allowed.end());
  if (mask.paths_size() == 0 || (mask.paths_size() == 1 && mask.paths(0) == "*")) return all;
  std::set<std::string> paths;
  status::FieldErrors errors;
  for (const std::string& path : mask.paths()) {
    if (all.count(path) == 0) {
      errors.Add("update_mask", absl::StrCat("unknown or read-only path \"", path,
                                             "\"; allowed: ", absl::StrJoin(all, ", ")));
    } else {
      paths.insert(path);
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonUpdateMaskInvalid);
  return paths;
}

// The etag of a row revision; opaque to clients, it changes on every update.
inline std::string EtagOf(int64_t revision) { return absl::StrCat("r", revision); }

// OK when the client sent no etag or the current one; ABORTED ETAG_MISMATCH otherwise.
inline absl::Status CheckEtag(std::string_view given, std::string_view current,
                              std::string_view resource) {
  if (given.empty() || given == current) return absl::OkStatus();
  return status::Aborted(kReasonEtagMismatch,
                         absl::StrCat(std::string(resource),
                                      " was changed since it was read; read it again and "
                                      "reapply the change"),
                         {{"resource", std::string(resource)}});
}

// Whether `st` is pg::Pool's unique violation of `constraint`.
inline bool IsUniqueViolation(const absl::Status& st, std::string_view constraint) {
  if (st.code() != absl::StatusCode::kAlreadyExists) return false;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  if (!info || info->reason() != "UNIQUE_VIOLATION") return false;
  auto it = info->metadata().find("constraint");
  return it != info->metadata().end() && it->second == constraint;
}

// The scope of a request id (api::Change): the caller's identity, i.e. the token's issuer and
// subject, and the method, so that two callers can never see each other's responses by
// reusing an id. Not the role or tenant claims: one person stays one scope whatever the token
// says about them, and api::Change checks their access before it replays anything. The method
// stays, since the request fingerprint does not name the request type. "<issuer length>:<issuer>
// <subject>/<method>": the length ends the issuer, and a method name has no "/", so no two
// callers share a scope.
inline std::string RequestScope(const grpc::CallContext& call, std::string_view method) {
  const auth::Caller& caller = call.caller();
  return absl::StrCat(caller.issuer.size(), ":", caller.issuer, " ", caller.subject, "/",
                      std::string(method));
}

}  // namespace integration::api
