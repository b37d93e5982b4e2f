// The gateway's Dispatcher: per call, ids and deadline on the caller's thread, then on the
// executor authentication, policy, tenant check, rate limit and cache, then the backend call
// (asynchronous, raw bytes) or the in-process GatewayService.
#include "dispatcher.h"

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "google/rpc/error_details.pb.h"
#include "integration/auth/auth.h"
#include "integration/auth/tenancy.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/executor.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.pb.h"
#include "overview.h"
#include "rate_limiter.h"
#include "response_cache.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::string_view kRetryInfoUrl = "type.googleapis.com/google.rpc.RetryInfo";

// Roles whose token carries a tenant claim that auth::CheckTenant compares with the request.
bool HasTenantClaim(const auth::Caller& caller) {
  const std::optional<auth::Role> role = auth::ParseRole(caller.role);
  return role == auth::Role::kMunicipalityOfficer || role == auth::Role::kOrganisationRep ||
         role == auth::Role::kLearner;
}

// gRPC status codes: OK (0) to UNAUTHENTICATED (16).
constexpr size_t kGrpcCodes = 17;

// What the gateway knows about one exposed method, resolved once.
struct MethodEntry {
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string full_name;                 // "pkg.Service/Method"
  std::string path;                      // "/pkg.Service/Method"
  std::string service;                   // stem
  const auth::Policy* policy = nullptr;  // null: deny-all
  MethodClass method_class = MethodClass::kWrite;
  bool cacheable = false;
  bool local = false;  // served in-process (GatewayService)
  // gateway_backend_calls_total{service, code} of this method's service by status code,
  // filled on first use, so that counting a forwarded call takes no lock.
  mutable std::array<std::atomic<prometheus::Counter*>, kGrpcCodes> backend_calls{};
};

using LocalHandler = std::function<void(const BackendCall& call, Done done)>;

class GatewayDispatcher final : public Dispatcher {
 public:
  explicit GatewayDispatcher(DispatcherOptions options);
  ~GatewayDispatcher() override;

  std::vector<const google::protobuf::MethodDescriptor*> Methods() const override {
    return exposed_;
  }
  void Dispatch(BackendCall call, Done done) override;

  absl::Status Init();

 private:
  // One call from Dispatch to `done`.
  struct Call {
    BackendCall call;  // request_id, traceparent and deadline replaced by the effective ones
    Done done;
    const MethodEntry* entry = nullptr;
    absl::Time start;
    std::string trace_id;
    auth::Caller caller;
    std::multimap<std::string, std::string> headers;
    std::string cache_store_key;
    std::string_view cache = "";  // "", "hit", "miss"
  };

  void Admit(const std::shared_ptr<Call>& c);
  absl::Status Authenticate(Call& c) const;
  absl::Status CheckTenant(const Call& c) const;
  // The rate-limit verdicts, before the token is verified (the client address's budget) and
  // after (the caller's budget of the method's class); an error status with RetryInfo when
  // over the limit.
  absl::Status LimitAddress(Call& c);
  absl::Status Limit(Call& c);
  void Forward(BackendCall call, Done done);
  void Complete(const std::shared_ptr<Call>& c, BackendResult result);
  void Fail(const std::shared_ptr<Call>& c, const absl::Status& st);
  void Release();
  const auth::Policy* PolicyFor(const google::protobuf::MethodDescriptor& m) const {
    return options_.policy_of ? options_.policy_of(m) : auth::PolicyOf(m);
  }
  void CountBackendCall(const MethodEntry* entry, const std::string& service,
                        ::grpc::StatusCode code);

  const DispatcherOptions options_;
  const std::string domain_;
  // Node-based: an entry holds atomics and never moves.
  absl::node_hash_map<const google::protobuf::MethodDescriptor*, MethodEntry> methods_;
  std::vector<const google::protobuf::MethodDescriptor*> exposed_;
  absl::flat_hash_map<const google::protobuf::MethodDescriptor*, LocalHandler> local_;
  std::unique_ptr<Overview> overview_;
  std::unique_ptr<grpc::BoundedExecutor> executor_;

  absl::Mutex mu_;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar idle_;
  absl::Mutex counters_mu_;
  absl::flat_hash_map<std::string, prometheus::Counter*> backend_calls_
      ABSL_GUARDED_BY(counters_mu_);
};

GatewayDispatcher::GatewayDispatcher(DispatcherOptions options)
    : options_(std::move(options)), domain_(status::DomainOf(kGatewayStem)) {}

absl::Status GatewayDispatcher::Init() {
  if (options_.backends == nullptr)
    return absl::InvalidArgumentError("DispatcherOptions.backends is null");
  if (options_.default_deadline <= absl::ZeroDuration() ||
      options_.max_deadline < options_.default_deadline) {
    return absl::InvalidArgumentError(
        "deadlines must satisfy 0 < default_deadline <= max_deadline");
  }
  if (options_.executor_threads == 0 || options_.executor_queue == 0) {
    return absl::InvalidArgumentError("the executor needs at least one thread and queue slot");
  }

  overview_ = std::make_unique<Overview>(
      OverviewSections(options_.policy_of),
      [this](BackendCall call, Done done) { Forward(std::move(call), std::move(done)); });
  // Found through a message of the same file, which also keeps that file linked in.
  const google::protobuf::MethodDescriptor* overview_method =
      ::lansstyrelsen::integration::gateway::v1::GetRegionalOverviewRequest::descriptor()
          ->file()
          ->FindServiceByName("GatewayService")
          ->FindMethodByName("GetRegionalOverview");
  local_[overview_method] = [this](const BackendCall& call, Done done) {
    overview_->Run(call, std::move(done));
  };

  for (const google::protobuf::ServiceDescriptor* service : SuiteServices()) {
    const std::string stem = ServiceStem(*service);
    const bool local = stem == kGatewayStem;
    if (!local && !options_.backends->Configured(stem)) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      const std::string full_name = absl::StrCat(service->full_name(), "/", m->name());
      if (m->client_streaming() || m->server_streaming()) {
        // The gateway's own streaming RPC (EventService.WatchEvents) has its own service.
        if (!local) log::Warn("method_not_exposed", {{"method", full_name}, {"why", "streaming"}});
        continue;
      }
      if (local && !local_.contains(m)) {
        // Every RPC of the gateway's own service has its handler above; a proto that gained
        // one without it is a build of the gateway that must not start.
        return absl::FailedPreconditionError(
            absl::StrCat(full_name, ": the gateway's own RPC has no handler in the dispatcher"));
      }
      MethodEntry& e = methods_[m];
      e.method = m;
      e.full_name = full_name;
      e.path = absl::StrCat("/", full_name);
      e.service = stem;
      e.policy = PolicyFor(*m);
      if (e.policy == nullptr) log::Warn("method_without_policy", {{"method", full_name}});
      e.method_class = ClassOf(*m, e.policy);
      e.cacheable = e.policy != nullptr && e.policy->cacheable();
      e.local = local;
      exposed_.push_back(m);
    }
  }

  grpc::ExecutorOptions executor_options;
  executor_options.name = "gateway";
  executor_options.threads = options_.executor_threads;
  executor_options.queue_capacity = options_.executor_queue;
  if (options_.metrics != nullptr) {
    absl::StatusOr<prometheus::Gauge*> depth = options_.metrics->Gauge(
        "integration_executor_queue_depth", "Calls waiting for an executor thread",
        {{"service", "gateway_dispatcher"}});
    if (!depth.ok()) return depth.status();
    executor_options.on_depth_change = [gauge = *depth](size_t d) {
      gauge->Set(static_cast<double>(d));
    };
  }
  executor_ = std::make_unique<grpc::BoundedExecutor>(std::move(executor_options));
  return absl::OkStatus();
}

GatewayDispatcher::~GatewayDispatcher() {
  {
    // Backend calls end by their deadline at the latest, so this wait is bounded.
    absl::MutexLock lock(&mu_);
    while (in_flight_ > 0) idle_.Wait(&mu_);
  }
  if (executor_ != nullptr) executor_->Stop();
}

void GatewayDispatcher::Release() {
  absl::MutexLock lock(&mu_);
  if (--in_flight_ == 0) idle_.SignalAll();
}

void GatewayDispatcher::Dispatch(BackendCall call, Done done) {
  auto c = std::make_shared<Call>();
  c->start = absl::Now();
  c->done = std::move(done);
  {
    absl::MutexLock lock(&mu_);
    ++in_flight_;
  }
  if (!grpc::IsValidRequestId(call.request_id)) call.request_id = grpc::NewRequestId();
  std::optional<grpc::TraceContext> parent = grpc::TraceContext::Parse(call.traceparent);
  // The gateway's span: the backend sees it as its parent.
  const grpc::TraceContext span =
      parent.has_value() ? parent->Child() : grpc::TraceContext::NewRoot();
  call.traceparent = span.ToTraceparent();
  c->trace_id = span.trace_id;
  call.deadline = call.deadline == absl::InfiniteFuture()
                      ? c->start + options_.default_deadline
                      : std::min(call.deadline, c->start + options_.max_deadline);
  call.client_address = ClientAddress(call.client_address, call.forwarding,
                                      options_.trusted_proxies);
  c->call = std::move(call);
  log::ScopedContext scope(c->call.request_id, c->trace_id);

  const google::protobuf::MethodDescriptor* m = c->call.method;
  if (m == nullptr) {
    Fail(c, status::Error(absl::StatusCode::kInvalidArgument, "METHOD_MISSING",
                          "the call names no method"));
    return;
  }
  auto it = methods_.find(m);
  if (it == methods_.end()) {
    const std::string stem = ServiceStem(*m->service());
    if (stem.empty() || stem == kGatewayStem || options_.backends->Configured(stem)) {
      Fail(c,
           status::Error(absl::StatusCode::kUnimplemented,
                         m->client_streaming() || m->server_streaming() ? "STREAMING_NOT_SUPPORTED"
                                                                        : "METHOD_NOT_EXPOSED",
                         absl::StrCat("the gateway does not serve ", m->full_name())));
    } else {
      Fail(c, status::Unavailable("BACKEND_NOT_CONFIGURED",
                                  absl::StrCat("no backend is configured for service ", stem)));
    }
    return;
  }
  c->entry = &it->second;
  if (!executor_->TrySubmit([this, c] { Admit(c); })) {
    Fail(c, status::ResourceExhausted("SERVER_BUSY",
                                      "the gateway is busy; retry after a short back-off"));
  }
}

absl::Status GatewayDispatcher::Authenticate(Call& c) const {
  if (options_.verifier == nullptr || c.call.authorization.empty()) return absl::OkStatus();
  const std::string_view token = auth::BearerToken(c.call.authorization);
  if (token.empty()) {
    return status::Unauthenticated("TOKEN_MALFORMED",
                                   "the authorization header must be \"Bearer <token>\"");
  }
  absl::StatusOr<auth::Caller> caller = options_.verifier->Verify(token);
  if (!caller.ok()) return caller.status();
  c.caller = *std::move(caller);
  if (c.caller.token.empty()) c.caller.token = std::string(token);
  return absl::OkStatus();
}

absl::Status GatewayDispatcher::CheckTenant(const Call& c) const {
  const auth::Policy* policy = c.entry->policy;
  if (policy == nullptr || policy->tenant_field().empty() || !HasTenantClaim(c.caller)) {
    return absl::OkStatus();
  }
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          c.entry->method->input_type());
  if (prototype == nullptr) return status::Internal("no prototype of the request type");
  std::unique_ptr<google::protobuf::Message> request(prototype->New());
  if (!request->ParseFromString(c.call.request)) {
    return status::Error(
        absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
        absl::StrCat("the request is not a valid ", c.entry->method->input_type()->full_name()));
  }
  return auth::CheckTenant(*policy, c.caller, *request);
}

// RESOURCE_EXHAUSTED RATE_LIMITED for budget `budget` ("read", "write", "public", "address")
// with RetryInfo and the retry-after header.
absl::Status RateLimited(const RateDecision& d, std::string_view budget,
                         std::multimap<std::string, std::string>& headers) {
  const int64_t micros = std::max<int64_t>(1, absl::ToInt64Microseconds(d.retry_after));
  const int64_t seconds = std::max<int64_t>(1, (micros + 999'999) / 1'000'000);
  headers.emplace("retry-after", absl::StrCat(seconds));
  absl::Status st = status::Error(
      absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
      budget == "address"
          ? absl::StrCat("too many calls from this address; retry in ", seconds, " s")
          : absl::StrCat("too many ", Av(budget), " calls; retry in ", seconds, " s"),
      {{"method_class", std::string(budget)},
       {"retry_after_ms", absl::StrCat((micros + 999) / 1000)}});
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(micros / 1'000'000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>((micros % 1'000'000) * 1000));
  st.SetPayload(Av(kRetryInfoUrl), absl::Cord(retry.SerializeAsString()));
  return st;
}

absl::Status GatewayDispatcher::LimitAddress(Call& c) {
  if (options_.rate_limiter == nullptr) return absl::OkStatus();
  const RateDecision d = options_.rate_limiter->CheckAddress(c.call.client_address);
  if (d.allowed) return absl::OkStatus();
  return RateLimited(d, "address", c.headers);
}

absl::Status GatewayDispatcher::Limit(Call& c) {
  if (options_.rate_limiter == nullptr) return absl::OkStatus();
  const RateDecision d = options_.rate_limiter->Check(
      c.entry->method_class, RateLimitCaller(c.caller, c.call.client_address));
  if (d.allowed) return absl::OkStatus();
  return RateLimited(d, ClassName(c.entry->method_class), c.headers);
}

void GatewayDispatcher::Admit(const std::shared_ptr<Call>& c) {
  log::ScopedContext scope(c->call.request_id, c->trace_id);
  if (absl::Now() >= c->call.deadline) {
    Fail(c, absl::DeadlineExceededError("the deadline passed before the call started"));
    return;
  }
  // The address's budget first: a flood of calls with bad tokens costs no signature checks
  // once it is spent.
  absl::Status st = LimitAddress(*c);
  if (st.ok()) st = Authenticate(*c);
  if (st.ok()) st = auth::Authorize(c->entry->policy, c->caller);
  if (st.ok()) st = CheckTenant(*c);
  if (st.ok()) st = Limit(*c);
  if (!st.ok()) {
    Fail(c, st);
    return;
  }
  if (c->entry->cacheable && options_.cache != nullptr) {
    const std::string visibility = CacheVisibility(*c->entry->policy, c->caller);
    ResponseCache::Lookup hit =
        options_.cache->Get(c->entry->service, c->entry->full_name, c->call.request, visibility);
    if (hit.hit) {
      c->cache = "hit";
      c->headers.emplace("x-cache", "hit");
      BackendResult result;
      result.response = std::move(hit.response);
      Complete(c, std::move(result));
      return;
    }
    c->cache = "miss";
    c->headers.emplace("x-cache", "miss");
    c->cache_store_key = std::move(hit.store_key);
  }
  Done finish = [this, c](BackendResult result) {
    if (result.status.ok() && !c->cache_store_key.empty()) {
      // The answer is stored before the caller gets it, so a caller's next identical call is
      // a hit; the store blocks on Redis, which must not happen on a gRPC thread.
      auto shared = std::make_shared<BackendResult>(std::move(result));
      if (executor_->TrySubmit([this, c, shared] {
            options_.cache->Put(c->cache_store_key, shared->response);
            Complete(c, std::move(*shared));
          })) {
        return;
      }
      result = std::move(*shared);
    }
    Complete(c, std::move(result));
  };
  if (c->entry->local) {
    local_.at(c->entry->method)(c->call, std::move(finish));
  } else {
    Forward(c->call, std::move(finish));
  }
}

void GatewayDispatcher::CountBackendCall(const MethodEntry* entry, const std::string& service,
                                         ::grpc::StatusCode code) {
  if (options_.metrics == nullptr) return;
  const auto index = static_cast<size_t>(code);
  std::atomic<prometheus::Counter*>* slot =
      entry != nullptr && index < kGrpcCodes ? &entry->backend_calls[index] : nullptr;
  if (slot != nullptr) {
    if (prometheus::Counter* known = slot->load(std::memory_order_acquire); known != nullptr) {
      known->Increment();
      return;
    }
  }
  const std::string label_key = absl::StrCat(service, "/", Av(integration::status::CodeName(code)));
  prometheus::Counter* counter = nullptr;
  {
    absl::MutexLock lock(&counters_mu_);
    auto it = backend_calls_.find(label_key);
    if (it != backend_calls_.end()) {
      counter = it->second;
    } else {
      absl::StatusOr<prometheus::Counter*> c = options_.metrics->Counter(
          "gateway_backend_calls_total", "Calls the gateway forwarded, by service and code",
          {{"service", service}, {"code", std::string(integration::status::CodeName(code))}});
      if (c.ok()) counter = backend_calls_[label_key] = *c;
    }
  }
  if (counter == nullptr) return;
  if (slot != nullptr) slot->store(counter, std::memory_order_release);
  counter->Increment();
}

void GatewayDispatcher::Forward(BackendCall call, Done done) {
  // An exposed method's stem and path were put together once; the overview's calls to methods
  // the gateway does not expose are named here.
  const auto known = methods_.find(call.method);
  const MethodEntry* entry = known != methods_.end() ? &known->second : nullptr;
  const std::string service =
      entry != nullptr ? entry->service : ServiceStem(*call.method->service());
  ::grpc::GenericStub* stub = options_.backends->Stub(service);
  if (stub == nullptr) {
    BackendResult result;
    result.request_id = call.request_id;
    result.status = status::ToGrpc(
        status::Unavailable("BACKEND_NOT_CONFIGURED",
                            absl::StrCat("no backend is configured for service ", service)),
        domain_);
    done(std::move(result));
    return;
  }
  // Everything the asynchronous call touches lives here until its completion ran.
  struct Rpc {
    ::grpc::ClientContext context;
    ::grpc::ByteBuffer request;
    ::grpc::ByteBuffer response;
    std::string path;
    std::string service;
    std::string request_id;
    const MethodEntry* entry = nullptr;
    Done done;
  };
  auto rpc = std::make_shared<Rpc>();
  rpc->path = entry != nullptr ? entry->path
                               : absl::StrCat("/", call.method->service()->full_name(), "/",
                                              call.method->name());
  rpc->entry = entry;
  rpc->service = service;
  rpc->request_id = call.request_id;
  rpc->done = std::move(done);
  // A slice even for the empty message: a ByteBuffer without slices is no message at all.
  ::grpc::Slice slice(call.request);
  rpc->request = ::grpc::ByteBuffer(&slice, 1);
  rpc->context.set_deadline(absl::ToChronoTime(call.deadline));
  // Fail fast: a down backend is UNAVAILABLE now, not a call hanging until its deadline.
  rpc->context.set_wait_for_ready(false);
  if (!call.authorization.empty()) {
    rpc->context.AddMetadata(std::string(grpc::kAuthorizationHeader), call.authorization);
  }
  rpc->context.AddMetadata(std::string(grpc::kRequestIdHeader), call.request_id);
  if (!call.traceparent.empty()) {
    rpc->context.AddMetadata(std::string(grpc::kTraceparentHeader), call.traceparent);
  }
  stub->UnaryCall(
      &rpc->context, rpc->path, ::grpc::StubOptions(), &rpc->request, &rpc->response,
      [this, rpc](::grpc::Status st) {
        BackendResult result;
        result.request_id = rpc->request_id;
        if (st.ok()) {
          ::grpc::Slice bytes;
          if (rpc->response.DumpToSingleSlice(&bytes).ok()) {
            result.response.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
          } else if (rpc->response.Valid()) {
            st = ::grpc::Status(::grpc::StatusCode::INTERNAL, "internal error");
          }
        }
        CountBackendCall(rpc->entry, rpc->service, st.error_code());
        // The backend's status passes unchanged, details included. A failure
        // without details was raised by the gateway's channel (no connection,
        // deadline on the way): its text names internal addresses, so the caller
        // gets the gateway's own error and the log keeps the original.
        if (st.error_details().empty() &&
            (st.error_code() == ::grpc::StatusCode::UNAVAILABLE ||
             st.error_code() == ::grpc::StatusCode::DEADLINE_EXCEEDED)) {
          log::ScopedContext scope(rpc->request_id, "");
          log::Warn("backend_call_failed", {{"backend", rpc->service},
                                            {"code", integration::status::CodeName(st.error_code())},
                                            {"error", st.error_message()}});
          st = status::ToGrpc(
              st.error_code() == ::grpc::StatusCode::UNAVAILABLE
                  ? status::Unavailable(
                        "BACKEND_UNAVAILABLE",
                        absl::StrCat("the ", rpc->service, " service is unavailable; retry later"))
                  : status::Error(
                        absl::StatusCode::kDeadlineExceeded, "BACKEND_DEADLINE_EXCEEDED",
                        absl::StrCat("the ", rpc->service, " service did not answer in time")),
              domain_);
        }
        result.status = std::move(st);
        Done done = std::move(rpc->done);
        done(std::move(result));
      });
}

void GatewayDispatcher::Fail(const std::shared_ptr<Call>& c, const absl::Status& st) {
  BackendResult result;
  result.status = status::ToGrpc(st, domain_);
  Complete(c, std::move(result));
}

void GatewayDispatcher::Complete(const std::shared_ptr<Call>& c, BackendResult result) {
  result.request_id = c->call.request_id;
  for (auto& [k, v] : c->headers) result.headers.emplace(k, v);
  const ::grpc::StatusCode code = result.status.error_code();
  std::string reason;
  if (!result.status.ok()) {
    if (auto info = status::GetErrorInfo(status::FromGrpc(result.status)); info.has_value()) {
      reason = info->reason();
    }
  }
  {
    log::ScopedContext scope(c->call.request_id, c->trace_id);
    const std::string_view method = c->entry != nullptr ? std::string_view(c->entry->full_name)
                                    : c->call.method != nullptr
                                        ? std::string_view(c->call.method->full_name())
                                        : std::string_view("unknown");
    const std::string_view role =
        c->caller.authenticated ? std::string_view(c->caller.role) : std::string_view("anonymous");
    const log::Level level = code == ::grpc::StatusCode::INTERNAL ||
                                     code == ::grpc::StatusCode::UNKNOWN ||
                                     code == ::grpc::StatusCode::DATA_LOSS
                                 ? log::Level::kError
                                 : log::Level::kInfo;
    log::Write(level, "rpc",
               {{"method", method},
                {"code", integration::status::CodeName(code)},
                {"latency_ms", absl::ToDoubleMilliseconds(absl::Now() - c->start)},
                {"role", role},
                {"reason", reason},
                {"cache", c->cache}});
  }
  Done done = std::move(c->done);
  done(std::move(result));
  Release();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Dispatcher>> NewDispatcher(DispatcherOptions options) {
  auto dispatcher = std::make_unique<GatewayDispatcher>(std::move(options));
  if (absl::Status st = dispatcher->Init(); !st.ok()) return st;
  return dispatcher;
}

}  // namespace integration::gateway
