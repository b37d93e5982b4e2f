// The WatchEvents reactor: opens a watch for the verified caller, then writes one delivery at a
// time (the next is taken when the previous write completed), ends with the watch's status.
#include "watch_events.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/server_context.h>

#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "integration/grpc/call_context.h"
#include "integration/log/log.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

namespace v1 = ::lansstyrelsen::integration::gateway::v1;
using google::protobuf::util::TimeUtil;

const google::protobuf::MethodDescriptor& WatchMethod() {
  static const google::protobuf::MethodDescriptor* const kMethod =
      v1::WatchEventsRequest::descriptor()
          ->file()
          ->FindServiceByName("EventService")
          ->FindMethodByName("WatchEvents");
  return *kMethod;
}

const std::string& Domain() {
  static const std::string* const kDomain = new std::string(status::DomainOf(kGatewayStem));
  return *kDomain;
}

std::string Header(const ::grpc::CallbackServerContext& ctx, std::string_view key) {
  auto it = ctx.client_metadata().find(::grpc::string_ref(key.data(), key.size()));
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Owned by itself from the start until OnDone, and by whoever wakes it meanwhile (the watch
// holds it weakly), so a late Wake never finds it gone.
class WatchReactor final : public ::grpc::ServerWriteReactor<v1::WatchEventsResponse>,
                           public WatchSink,
                           public std::enable_shared_from_this<WatchReactor> {
 public:
  explicit WatchReactor(EventFeed& feed) : feed_(feed), start_(absl::Now()) {}

  // Refuses the call.
  void Refuse(const absl::Status& st) {
    self_ = shared_from_this();
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    Log(st);
    Finish(status::ToGrpc(st, Domain()));
  }

  // Opens the watch and starts writing.
  void Begin(const auth::Scope& scope, WatchFilter filter, const std::string& cursor) {
    self_ = shared_from_this();
    absl::StatusOr<std::shared_ptr<Watch>> watch =
        feed_.Open(scope, std::move(filter), cursor, weak_from_this());
    if (!watch.ok()) {
      Refuse(watch.status());
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      watch_ = *std::move(watch);
    }
    // Headers now, so that the client knows the watch is open before the first event.
    StartSendInitialMetadata();
    Pump();
  }

  void Wake() override { Pump(); }

  void OnSendInitialMetadataDone(bool /*ok*/) override {}

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok && !finished_) {
        // The client is gone; OnCancel follows or came already.
        finished_ = true;
        ended_ = absl::CancelledError("the client went away");
      } else if (!ok) {
        return;
      }
    }
    if (!ok) {
      FinishWith(::grpc::Status::CANCELLED);
      return;
    }
    Pump();
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (!finished_) {
        finished_ = true;
        ended_ = absl::CancelledError("cancelled by the client");
        finish = true;
      }
    }
    feed_.Close(watch_snapshot());
    if (finish) FinishWith(::grpc::Status::CANCELLED);
  }

  void OnDone() override {
    feed_.Close(watch_snapshot());
    absl::Status ended;
    {
      absl::MutexLock lock(&mu_);
      ended = ended_;
    }
    Log(ended);
    self_.reset();  // may delete this
  }

 private:
  std::shared_ptr<Watch> watch_snapshot() {
    absl::MutexLock lock(&mu_);
    return watch_;
  }

  // Writes the next delivery unless a write is in flight; finishes when the watch ended.
  void Pump() {
    absl::Status end;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || finished_ || watch_ == nullptr) return;
      Delivery d;
      switch (watch_->Take(&d, &end)) {
        case Watch::Next::kEmpty:
          return;
        case Watch::Next::kItem:
          response_ = ToResponse(d);
          writing_ = true;
          ++sent_;
          break;
        case Watch::Next::kEnded:
          finished_ = true;
          ended_ = end;
          break;
      }
    }
    // Outside the lock: gRPC may run OnWriteDone on this thread before returning.
    if (!end.ok()) {
      FinishWith(status::ToGrpc(end, Domain()));
      return;
    }
    StartWrite(&response_);
  }

  void FinishWith(const ::grpc::Status& st) { Finish(st); }

  void Log(const absl::Status& st) {
    log::Info("watch_ended",
              {{"method", "lansstyrelsen.integration.gateway.v1.EventService/WatchEvents"},
               {"code", std::string(status::CodeName(static_cast<::grpc::StatusCode>(st.code())))},
               {"sent", sent_},
               {"seconds", absl::ToDoubleSeconds(absl::Now() - start_)}});
  }

  EventFeed& feed_;
  const absl::Time start_;
  std::shared_ptr<WatchReactor> self_;
  absl::Mutex mu_;
  std::shared_ptr<Watch> watch_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status ended_ ABSL_GUARDED_BY(mu_);
  int64_t sent_ = 0;                  // written by the one Pump holding a write
  v1::WatchEventsResponse response_;  // owned by the write in flight
};

}  // namespace

absl::StatusOr<auth::Scope> WatchCaller(const auth::Verifier* verifier,
                                        std::string_view authorization) {
  auth::Caller caller;
  const std::string_view token = auth::BearerToken(authorization);
  if (!token.empty()) {
    if (verifier == nullptr) {
      return status::Unauthenticated("TOKEN_NOT_ACCEPTED", "this gateway verifies no tokens");
    }
    absl::StatusOr<auth::Caller> verified = verifier->Verify(token);
    if (!verified.ok()) return verified.status();
    caller = *std::move(verified);
  }
  if (absl::Status st = auth::Authorize(auth::PolicyOf(WatchMethod()), caller); !st.ok()) {
    return st;
  }
  return auth::Scope::Of(caller);
}

v1::WatchEventsResponse ToResponse(const Delivery& d) {
  v1::WatchEventsResponse r;
  if (d.entry == nullptr) {
    v1::Heartbeat* h = r.mutable_heartbeat();
    h->set_cursor(d.cursor);
    *h->mutable_send_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(d.time));
    return r;
  }
  const FeedEntry& e = *d.entry;
  v1::WatchedEvent* out = r.mutable_event();
  out->set_event_id(e.event_id);
  out->set_type(e.type);
  out->set_service(e.service);
  out->set_resource(e.aggregate);
  google::protobuf::Timestamp created;
  if (TimeUtil::FromString(e.created_at, &created)) *out->mutable_create_time() = created;
  out->mutable_event()->set_type_url(absl::StrCat("type.googleapis.com/", e.type));
  out->mutable_event()->set_value(e.payload);
  out->set_cursor(d.cursor);
  return r;
}

EventServiceImpl::EventServiceImpl(EventFeed& feed, std::shared_ptr<auth::Verifier> verifier)
    : feed_(feed), verifier_(std::move(verifier)) {}

::grpc::ServerWriteReactor<v1::WatchEventsResponse>* EventServiceImpl::WatchEvents(
    ::grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) {
  auto reactor = std::make_shared<WatchReactor>(feed_);
  absl::StatusOr<auth::Scope> scope =
      WatchCaller(verifier_.get(), Header(*context, grpc::kAuthorizationHeader));
  if (!scope.ok()) {
    reactor->Refuse(scope.status());
    return reactor.get();
  }
  WatchFilter filter;
  filter.event_types.assign(request->event_types().begin(), request->event_types().end());
  filter.services.assign(request->services().begin(), request->services().end());
  reactor->Begin(*scope, std::move(filter), request->start_cursor());
  return reactor.get();
}

}  // namespace integration::gateway
