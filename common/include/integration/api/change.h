// The unit of work of a write handler: one transaction that owns the request-id replay
// (AIP-155), the audit rows, the outbox events and the outbox nudge after the commit. Every
// Create, Update and transition of a service runs through one, so that none of them spells
// its own bookkeeping.
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/outbox/outbox.h"
#include "integration/pg/pool.h"

namespace integration::api {

// The type of a resource, from its name: the singular of its last collection
// ("calls/1/applications/2" → "application", "programmes/p" → "programme"), or, for a singleton
// below a resource, the singleton's own name ("parts/p/modules/m/quiz" → "quiz"). Collection
// ids are the English plural of the type (AIP-122), so the singular is the id without its "s".
std::string ResourceType(std::string_view name);

// The audit action of `verb` done to `resource` (a resource name): "<resource type>.<verb>",
// e.g. "application.submit" for "calls/1/applications/2". The one naming rule of audit actions.
std::string AuditAction(std::string_view resource, std::string_view verb);

// One change of `call` in one transaction of `pool`:
//
//   api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
//   return change.Run(
//       [&](pqxx::work& tx) { return LoadForUpdate(tx, ...); },      // the caller's access
//       [&](pqxx::work& tx, Record& record) -> absl::Status {         // the change itself
//         ... write, fill *resp ...
//         change.Audit(resp->name(), "submit", detail);
//         return change.Emit(resp->name(), submitted_event);
//       });
//
// The request-id replay is consulted only once the caller's access to the target has been
// checked: by the policy and the handler's checks before the change (Run with one function),
// or by `authorize`, the first step inside the transaction (Run with two). A work that fails
// with PERMISSION_DENIED, UNAUTHENTICATED or NOT_FOUND (its own access checks) is not replayed
// either. A caller who lost access to a record therefore gets the access error, not the stored
// response, even though the scope (RequestScope: issuer, subject, method) no longer changes
// with the token's role or tenant claims.
//
// Round trips: the audit rows, the outbox rows and the request-id record (claim and response
// together) are written in one statement after the work, so a change costs BEGIN, its own
// statements, one more and COMMIT. The id is claimed optimistically: a retry runs the work
// again, which either fails on what the first call left (a wrong state, an existing row, a
// changed etag) or goes through and finds the id taken (a concurrent first call is waited
// for); either way its transaction rolls back and the first response answers. A retry costs
// one more read; a first call nothing.
//
// Not thread-safe; one Change per call, Run at most once.
class Change {
 public:
  // The change `request` asks for; the work fills `response`, which is cleared before each
  // attempt. `nudge_outbox` (may be empty) is called after a commit that emitted events, so
  // that the relay publishes them without waiting for its poll.
  //
  // A request with a non-empty `request_id` field makes the change idempotent (AIP-155) in the
  // scope of the caller and the method (RequestScope; the method is the request type's name
  // without "Request"): a retry of a committed change gets the first response unchanged, the
  // same id with a different request ALREADY_EXISTS REQUEST_ID_REUSED, a malformed id
  // INVALID_ARGUMENT INVALID_REQUEST_ID. Without one the change runs every time.
  Change(pg::Pool& pool, const grpc::CallContext& call, const google::protobuf::Message& request,
         google::protobuf::Message* response, std::function<void()> nudge_outbox = {});
  Change(const Change&) = delete;
  Change& operator=(const Change&) = delete;

  using Work = std::function<absl::Status(pqxx::work&)>;

  // Runs `work` as the change: the caller's access was decided before (the method's policy and
  // checks of the token against the request). Commits when it returns OK, with the audit rows
  // and events it recorded; rolls everything back otherwise. `work` may run more than once
  // (pg::Pool::Transact retries serialization failures): it must start from its inputs.
  absl::Status Run(const Work& work);

  // Runs `authorize` first: it loads (and usually locks) the target and checks the caller's
  // access to it. Returns absl::Status, or absl::StatusOr<T> whose value `work` then gets as its
  // second argument. Only after it succeeded is the request id's replay consulted.
  template <typename Authorize, typename WorkOn>
  absl::Status Run(Authorize&& authorize, WorkOn&& work);

  // --- Inside the work ---

  // An audit row of the change: action AuditAction(resource, verb), the caller as actor and
  // role, the call's request and trace ids. `detail` is short and free of personal data.
  void Audit(std::string_view resource, std::string_view verb, std::string_view detail = "");

  // An outbox event of the change, published after the commit: type the message's full
  // protobuf name (e.g. "lansstyrelsen.integration.grants.v1.CallChangedEvent"), `aggregate`
  // the resource name it is about, payload the serialized message, and as its tenant (whom the
  // event feed shows it to) `owner`, the owners of the record as the service's reads check
  // them: its county, kommuner, organisation and learner (Owner::subject).
  absl::Status Emit(std::string_view aggregate, const google::protobuf::Message& event,
                    const auth::Owner& owner);
  // The same for an event about a record every caller may read (a published call, a
  // programme, course content); `lan` (may be empty) says whose county it is.
  absl::Status EmitPublic(std::string_view aggregate, const google::protobuf::Message& event,
                          std::string_view lan = "");

  const grpc::CallContext& call() const { return call_; }

 private:
  absl::Status Execute(const Work* authorize, const Work& work);
  // Writes the bookkeeping of the change in one statement: the request-id claim with the
  // response (when the request has an id), the audit rows and the outbox rows. False when the
  // id was recorded by another call first (which the claim waited for, if it was in flight).
  bool Record(pqxx::work& tx, const std::string& fingerprint);
  absl::Status Add(std::string_view aggregate, const google::protobuf::Message& event,
                   outbox::Tenant tenant);

  struct Event {
    std::string id;
    std::string type;
    std::string aggregate;
    std::string payload;
    outbox::Tenant tenant;
  };
  struct AuditRow {
    std::string action;
    std::string resource;
    std::string detail;
  };

  pg::Pool& pool_;
  const grpc::CallContext& call_;
  const google::protobuf::Message& request_;
  google::protobuf::Message* response_;
  std::function<void()> nudge_outbox_;
  std::string scope_;       // the request id's scope; empty when not idempotent
  std::string request_id_;  // empty when not idempotent
  // Of the current attempt.
  std::vector<AuditRow> audit_;
  std::vector<Event> events_;
  bool ran_ = false;
};

template <typename Authorize, typename WorkOn>
absl::Status Change::Run(Authorize&& authorize, WorkOn&& work) {
  using Checked = std::invoke_result_t<Authorize&, pqxx::work&>;
  if constexpr (std::is_same_v<Checked, absl::Status>) {
    const Work check = [&](pqxx::work& tx) { return authorize(tx); };
    return Execute(&check, [&](pqxx::work& tx) { return work(tx); });
  } else {
    using Target = typename Checked::value_type;
    std::optional<Target> target;
    const Work check = [&](pqxx::work& tx) -> absl::Status {
      target.reset();
      Checked checked = authorize(tx);
      if (!checked.ok()) return checked.status();
      target.emplace(*std::move(checked));
      return absl::OkStatus();
    };
    return Execute(&check, [&](pqxx::work& tx) { return work(tx, *target); });
  }
}

}  // namespace integration::api
