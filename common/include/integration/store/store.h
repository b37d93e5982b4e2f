// The runtime tables every service schema has besides the outbox: the audit trail of state
// changes and the record of request ids that makes Create and transition calls idempotent, and
// what api::Change needs to write and read them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace integration::store {

// SQL creating, in the migration's schema, the tables
//  - audit_log(id, occurred_at, actor, role, action, resource, request_id, trace_id, detail)
//  - request_ids(scope, request_id, fingerprint, response, created_at), primary key
//    (scope, request_id).
// The service runtime applies it as part of migration 0000 together with the outbox tables.
// Never edited once released (applied migrations are checksummed).
std::string_view RuntimeTablesSql();

// The audit trail's table: the runtime role may only read and append to it (`migrate` revokes
// UPDATE, DELETE and TRUNCATE, see pg::RuntimeAccessSql()).
inline constexpr char kAuditTable[] = "audit_log";

// One audited action, written in the same transaction as the change it records (api::Change
// writes those of the services' changes; Audit is for code outside a Change).
struct AuditEntry {
  std::string actor;       // token subject, or "system" for background jobs
  std::string role;        // the caller's role
  std::string action;      // "<resource type>.<verb>", e.g. "attempt.submit" (api::AuditAction)
  std::string resource;    // resource name, e.g. "learners/u1/attempts/42"
  std::string request_id;  // the call's request id
  std::string trace_id;
  std::string detail;  // short free text without personal data (e.g. a reason code)
};
void Audit(pqxx::work& tx, const AuditEntry& entry);

// Idempotency of a call carrying a client request_id (AIP-155). api::Change claims
// (scope, request_id) by inserting its record, with the fingerprint of the request and the
// response, in the statement that ends the change (so a concurrent retry waits on the primary
// key until the first call's transaction ends, and a rollback releases the id); a retry that
// finds the id taken reads the record back with RecordedResponse.
// `scope` separates callers and methods, e.g. "learner:u1/CreateLearner".

// INVALID_ARGUMENT (reason INVALID_REQUEST_ID, a violation on `request_id_field`) unless
// `request_id` is a UUID.
absl::Status CheckRequestId(std::string_view request_id,
                            std::string_view request_id_field = "request_id");
// The SHA-256 of the request's deterministic serialization with `request_id_field` cleared:
// equal for a retry, different for another request under the same id.
std::string RequestFingerprint(const google::protobuf::Message& request,
                               std::string_view request_id_field = "request_id");
// The bytes recorded as a call's response: its deterministic serialization.
std::string ResponseBytes(const google::protobuf::Message& response);
// The response recorded for (scope, request_id), read in a statement of its own (so that it
// sees a record whose transaction committed while the caller waited for it); nullopt when
// there is none. ALREADY_EXISTS (reason REQUEST_ID_REUSED) when the id was recorded for a
// request with another fingerprint.
absl::StatusOr<std::optional<std::string>> RecordedResponse(pqxx::transaction_base& tx,
                                                            std::string_view scope,
                                                            std::string_view request_id,
                                                            std::string_view fingerprint);

// A request id is a UUID in canonical form (any case).
bool IsValidRequestId(std::string_view request_id);

}  // namespace integration::store
