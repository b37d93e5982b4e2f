// The unit of work of write handlers: transaction, request-id replay, audit rows, outbox events
// and the nudge after the commit. The bookkeeping goes to PostgreSQL in one statement at the
// end of the change; see Change::Record.
#include "integration/api/change.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "integration/api/handler.h"
#include "integration/outbox/outbox.h"
#include "integration/status/status.h"
#include "integration/store/store.h"

namespace integration::api {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The method of a request type by the API's naming (AIP-131 and on): "<Method>Request".
std::string MethodOf(const google::protobuf::Message& request) {
  const std::string& name = request.GetDescriptor()->name();
  absl::string_view method = name;
  absl::ConsumeSuffix(&method, "Request");
  return std::string(method);
}

// The request's `request_id`, or "" when it has none.
std::string RequestIdOf(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  return request.GetReflection()->GetString(request, field);
}

// Errors that say nothing about the data a retry met: no point (or no time) to look for a
// recorded response.
bool IsTransient(const absl::Status& st) {
  return st.code() == absl::StatusCode::kUnavailable ||
         st.code() == absl::StatusCode::kDeadlineExceeded ||
         st.code() == absl::StatusCode::kCancelled;
}

// Failures that deny the caller the target (checked by the work itself, or a target outside the
// caller's scope answered as missing): never answered by a recorded response, since the
// caller may no longer see what it holds. The suite deletes no rows, so a retry never finds
// its own target gone.
bool DeniesAccess(const absl::Status& st) {
  return st.code() == absl::StatusCode::kPermissionDenied ||
         st.code() == absl::StatusCode::kUnauthenticated ||
         st.code() == absl::StatusCode::kNotFound;
}

std::string Hex(std::string_view bytes) { return absl::BytesToHexString(AV(bytes)); }

// The parameters of a statement built at run time; each Add returns its placeholder.
class Params {
 public:
  std::string Add(std::string value) {
    values_.push_back(std::move(value));
    return absl::StrCat("$", values_.size());
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
};

// The singular of an English collection name as AIP-122 collections are spelled: the suite's
// irregular plurals, "-ies" (activities), "-ches"/"-shes"/"-sses"/"-xes"/"-zzes" (matches,
// addresses, quizzes), else the final "s".
std::string Singular(absl::string_view collection) {
  static constexpr std::pair<std::string_view, std::string_view> kIrregular[] = {
      {"children", "child"}, {"people", "person"}, {"kommuner", "kommun"}};
  for (const auto& [plural, singular] : kIrregular) {
    if (AV(plural) == collection) return std::string(singular);
  }
  if (absl::ConsumeSuffix(&collection, "ies")) return absl::StrCat(collection, "y");
  for (absl::string_view es : {"ches", "shes", "sses", "xes", "zzes"}) {
    if (absl::EndsWith(collection, es)) {
      collection.remove_suffix(es == "zzes" ? 3 : 2);
      return std::string(collection);
    }
  }
  absl::ConsumeSuffix(&collection, "s");
  return std::string(collection);
}

}  // namespace

std::string ResourceType(std::string_view name) {
  const std::vector<absl::string_view> segments = absl::StrSplit(AV(name), '/');
  if (segments.size() % 2 == 1) return std::string(segments.back());  // a singleton
  return Singular(segments[segments.size() - 2]);
}

std::string AuditAction(std::string_view resource, std::string_view verb) {
  return absl::StrCat(ResourceType(resource), ".", AV(verb));
}

Change::Change(pg::Pool& pool, const grpc::CallContext& call,
               const google::protobuf::Message& request, google::protobuf::Message* response,
               std::function<void()> nudge_outbox)
    : pool_(pool),
      call_(call),
      request_(request),
      response_(response),
      nudge_outbox_(std::move(nudge_outbox)),
      request_id_(RequestIdOf(request)) {
  if (!request_id_.empty()) scope_ = RequestScope(call_, MethodOf(request));
}

absl::Status Change::Run(const Work& work) { return Execute(nullptr, work); }

void Change::Audit(std::string_view resource, std::string_view verb, std::string_view detail) {
  audit_.push_back({.action = AuditAction(resource, verb),
                    .resource = std::string(resource),
                    .detail = std::string(detail)});
}

absl::Status Change::Emit(std::string_view aggregate, const google::protobuf::Message& event,
                          const auth::Owner& owner) {
  outbox::Tenant tenant;
  tenant.lan = owner.lan;
  tenant.kommuner = owner.kommuner;
  tenant.orgnr = owner.orgnr;
  tenant.learner = owner.subject;
  return Add(aggregate, event, std::move(tenant));
}

absl::Status Change::EmitPublic(std::string_view aggregate, const google::protobuf::Message& event,
                                std::string_view lan) {
  outbox::Tenant tenant;
  tenant.is_public = true;
  tenant.lan = std::string(lan);
  return Add(aggregate, event, std::move(tenant));
}

absl::Status Change::Add(std::string_view aggregate, const google::protobuf::Message& event,
                         outbox::Tenant tenant) {
  if (aggregate.empty()) return status::Internal("an event needs the resource it is about");
  absl::StatusOr<std::string> id = outbox::NewEventId();
  if (!id.ok()) return id.status();
  events_.push_back({.id = *std::move(id),
                     .type = event.GetDescriptor()->full_name(),
                     .aggregate = std::string(aggregate),
                     .payload = event.SerializeAsString(),
                     .tenant = std::move(tenant)});
  return absl::OkStatus();
}

absl::Status Change::Execute(const Work* authorize, const Work& work) {
  if (ran_) return status::Internal("a Change runs once");
  ran_ = true;
  std::string fingerprint;
  if (!request_id_.empty()) {
    if (absl::Status st = store::CheckRequestId(request_id_); !st.ok()) return st;
    fingerprint = store::RequestFingerprint(request_);
  }
  // Set by the current attempt: whether the caller's access was checked, and whether another
  // call had recorded the request id by the time this one tried to.
  bool authorized = false;
  bool taken = false;
  const absl::Status st = pool_.Transact(call_.deadline(), [&](pqxx::work& tx) -> absl::Status {
    audit_.clear();
    events_.clear();
    authorized = false;
    taken = false;
    response_->Clear();
    if (authorize != nullptr) {
      if (absl::Status checked = (*authorize)(tx); !checked.ok()) return checked;
    }
    authorized = true;
    if (absl::Status done = work(tx); !done.ok()) return done;
    taken = !Record(tx, fingerprint);
    // The work is undone; the recorded response answers (below).
    if (taken) return status::Aborted("REQUEST_ID_TAKEN", "the request id was recorded first");
    return absl::OkStatus();
  });
  if (st.ok()) {
    if (!events_.empty() && nudge_outbox_) nudge_outbox_();
    return st;
  }
  // A retry of a committed call: the work found the state the first call left (a wrong state,
  // an existing row, a changed etag) or went through and found the id taken. Either way the
  // first response answers, once the caller's access has been checked.
  if (request_id_.empty() || !authorized || (!taken && (IsTransient(st) || DeniesAccess(st)))) {
    return st;
  }
  absl::StatusOr<std::optional<std::string>> recorded;
  const absl::Status read =
      pool_.Autocommit(call_.deadline(), [&](pqxx::nontransaction& tx) -> absl::Status {
        recorded = store::RecordedResponse(tx, scope_, request_id_, fingerprint);
        return absl::OkStatus();
      });
  if (!read.ok()) return taken ? read : st;
  if (!recorded.ok()) return recorded.status();  // REQUEST_ID_REUSED
  if (!recorded->has_value()) {
    if (!taken) return st;
    // Only when the record was removed between the claim and the read (retention clean-up).
    return status::Error(absl::StatusCode::kAborted, "REQUEST_ID_CONTENDED",
                         "the request_id was being recorded concurrently; retry the call",
                         {{"request_id", request_id_}});
  }
  response_->Clear();
  if (!response_->ParseFromString(**recorded)) {
    return status::Internal("stored response is corrupt");
  }
  return absl::OkStatus();
}

bool Change::Record(pqxx::work& tx, const std::string& fingerprint) {
  const bool claim = !request_id_.empty();
  if (!claim && audit_.empty() && events_.empty()) return true;
  // One data-modifying statement whose shape (claim or not, how many audit and outbox rows)
  // names it: prepared once per connection and shape. Bytes travel as hex text.
  Params params;
  std::vector<std::string> parts;
  if (claim) {
    const std::string scope = params.Add(scope_);
    const std::string id = params.Add(request_id_);
    const std::string fp = params.Add(Hex(fingerprint));
    const std::string response = params.Add(Hex(store::ResponseBytes(*response_)));
    parts.push_back(absl::StrCat(
        "claim AS (INSERT INTO request_ids (scope, request_id, fingerprint, response) VALUES (",
        scope, ", ", id, "::uuid, decode(", fp, ", 'hex'), decode(", response,
        ", 'hex')) ON CONFLICT (scope, request_id) DO NOTHING RETURNING 1)"));
  }
  std::string request_id;
  std::string trace_id;
  if (!audit_.empty() || !events_.empty()) {
    request_id = params.Add(call_.request_id());
    trace_id = params.Add(call_.trace_id());
  }
  if (!audit_.empty()) {
    const std::string actor = params.Add(call_.caller().subject);
    const std::string role = params.Add(call_.caller().role);
    std::vector<std::string> rows;
    for (const AuditRow& row : audit_) {
      rows.push_back(absl::StrCat("(", actor, ", ", role, ", ", params.Add(row.action), ", ",
                                  params.Add(row.resource), ", ", request_id, ", ", trace_id, ", ",
                                  params.Add(row.detail), ")"));
    }
    parts.push_back(absl::StrCat(
        "audit AS (INSERT INTO audit_log (actor, role, action, resource, request_id, trace_id, "
        "detail) VALUES ",
        absl::StrJoin(rows, ", "), ")"));
  }
  if (!events_.empty()) {
    std::vector<std::string> rows;
    for (const Event& event : events_) {
      rows.push_back(absl::StrCat("(", params.Add(event.id), "::uuid, ", params.Add(event.type),
                                  ", ", params.Add(event.aggregate), ", decode(",
                                  params.Add(Hex(event.payload)),
                                  ", 'hex'), jsonb_build_object('request_id', ", request_id,
                                  "::text, 'trace_id', ", trace_id, "::text, 'tenant', ",
                                  params.Add(outbox::TenantJson(event.tenant)), "::jsonb))"));
    }
    parts.push_back(absl::StrCat(
        "events AS (INSERT INTO outbox (event_id, event_type, aggregate, payload, headers) VALUES ",
        absl::StrJoin(rows, ", "), ")"));
  }
  const std::string sql = absl::StrCat("WITH ", absl::StrJoin(parts, ", "),
                                       claim ? " SELECT count(*) FROM claim" : " SELECT 1");
  const std::string name = absl::StrCat("integration_api_change_", claim ? "c" : "n", "_a",
                                        audit_.size(), "_e", events_.size());
  tx.conn().prepare(name, sql);
  const pqxx::result r =
      tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params.values()));
  return !claim || r[0][0].as<int64_t>() == 1;
}

}  // namespace integration::api
