// The runtime tables every service schema has besides the outbox: the audit trail of state
// changes and the record of request ids that makes Create and transition calls idempotent.
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

// One audited action, written in the same transaction as the change it records.
struct AuditEntry {
  std::string actor;       // token subject, or "system" for background jobs
  std::string role;        // the caller's role
  std::string action;      // method or transition, e.g. "SubmitAttempt", "RevokeDiploma"
  std::string resource;    // resource name, e.g. "learners/u1/attempts/42"
  std::string request_id;  // the call's request id
  std::string trace_id;
  std::string detail;      // short free text without personal data (e.g. a reason code)
};
void Audit(pqxx::work& tx, const AuditEntry& entry);

// Idempotency of a call carrying a client request_id (AIP-155). Use inside the call's
// transaction:
//   auto prior = store::BeginRequest(tx, scope, request_id, request);
//   if (!prior.ok()) return prior.status();        // same id, different request
//   if (*prior) return parse(**prior);             // a retry: the first response
//   ... do the work ... ; store::FinishRequest(tx, scope, request_id, response);
// BeginRequest claims (scope, request_id) by inserting its record, which FinishRequest
// completes with the response, so a concurrent retry waits for the first call's transaction and
// then sees its response; a transaction that rolls back releases the id. A transaction that
// called BeginRequest and got no prior response must call FinishRequest before it commits. The
// fingerprint is a SHA-256 of the request's deterministic serialization with
// `request_id_field` cleared.
// `scope` separates callers and methods, e.g. "<subject>/CreateLearner".
// Errors: INVALID_ARGUMENT (reason INVALID_REQUEST_ID) for a malformed id, ALREADY_EXISTS
// (reason REQUEST_ID_REUSED) when the id was used with a different request, ABORTED (reason
// REQUEST_ID_CONTENDED, retryable) if the record vanished between claim and read.
absl::StatusOr<std::optional<std::string>> BeginRequest(pqxx::work& tx, std::string_view scope,
                                                        std::string_view request_id,
                                                        const google::protobuf::Message& request,
                                                        std::string_view request_id_field =
                                                            "request_id");
// Completes the record that BeginRequest claimed with the call's response.
void FinishRequest(pqxx::work& tx, std::string_view scope, std::string_view request_id,
                   const google::protobuf::Message& response);

// A request id is a UUID in canonical form (any case).
bool IsValidRequestId(std::string_view request_id);

}  // namespace integration::store
