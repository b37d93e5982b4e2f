// The unit of work of write handlers: transaction, request-id replay, audit rows, outbox events
// and the nudge after the commit.
#include "integration/api/change.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

}  // namespace

std::string ResourceType(std::string_view name) {
  const std::vector<absl::string_view> segments = absl::StrSplit(AV(name), '/');
  if (segments.size() % 2 == 1) return std::string(segments.back());  // a singleton
  absl::string_view collection = segments[segments.size() - 2];
  absl::ConsumeSuffix(&collection, "s");
  return std::string(collection);
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

absl::Status Change::Emit(std::string_view aggregate, const google::protobuf::Message& event) {
  if (aggregate.empty()) return status::Internal("an event needs the resource it is about");
  events_.push_back({.type = event.GetDescriptor()->full_name(),
                     .aggregate = std::string(aggregate),
                     .payload = event.SerializeAsString()});
  return absl::OkStatus();
}

absl::Status Change::Execute(const Work* authorize, const Work& work) {
  if (ran_) return status::Internal("a Change runs once");
  ran_ = true;
  absl::Status st = pool_.Transact(call_.deadline(),
                                   [&](pqxx::work& tx) { return Attempt(tx, authorize, work); });
  if (st.ok() && !replayed_ && !events_.empty() && nudge_outbox_) nudge_outbox_();
  return st;
}

absl::Status Change::Attempt(pqxx::work& tx, const Work* authorize, const Work& work) {
  audit_.clear();
  events_.clear();
  replayed_ = false;
  response_->Clear();
  if (authorize != nullptr) {
    if (absl::Status st = (*authorize)(tx); !st.ok()) return st;
  }
  if (!request_id_.empty()) {
    absl::StatusOr<std::optional<std::string>> prior =
        store::BeginRequest(tx, scope_, request_id_, request_);
    if (!prior.ok()) return prior.status();
    if (*prior) {
      if (!response_->ParseFromString(**prior)) {
        return status::Internal("stored response is corrupt");
      }
      replayed_ = true;
      return absl::OkStatus();
    }
  }
  if (absl::Status st = work(tx); !st.ok()) return st;
  return Flush(tx);
}

absl::Status Change::Flush(pqxx::work& tx) {
  const auth::Caller& caller = call_.caller();
  for (const AuditRow& row : audit_) {
    store::Audit(tx, {.actor = caller.subject,
                      .role = caller.role,
                      .action = row.action,
                      .resource = row.resource,
                      .request_id = call_.request_id(),
                      .trace_id = call_.trace_id(),
                      .detail = row.detail});
  }
  for (const Event& event : events_) {
    if (absl::Status st = outbox::Enqueue(tx, {.type = event.type,
                                               .aggregate = event.aggregate,
                                               .payload = event.payload,
                                               .request_id = call_.request_id(),
                                               .trace_id = call_.trace_id(),
                                               .event_id = ""});
        !st.ok()) {
      return st;
    }
  }
  if (!request_id_.empty()) store::FinishRequest(tx, scope_, request_id_, *response_);
  return absl::OkStatus();
}

}  // namespace integration::api
