// Shared pieces of the gateway's tests: a signing key with its verifier, scriptable in-process
// backends (raw services on a real server), a gateway (dispatcher + gRPC front on a Runtime)
// on port 0, and a generic client that shows what came back (status, bytes, metadata).
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/server_context.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends.h"
#include "dispatcher.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc_front.h"
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/runtime.h"
#include "integration/testing/temp_dir.h"
#include "rate_limiter.h"
#include "response_cache.h"

namespace integration::gateway::testing {

inline constexpr char kIssuer[] = "https://issuer.test";
inline constexpr char kAudience[] = "gateway-test";
inline constexpr char kEchoService[] = "lansstyrelsen.integration.echo.v1.EchoService";
inline constexpr char kTrainingService[] = "lansstyrelsen.integration.training.v1.TrainingService";
inline constexpr char kGatewayService[] = "lansstyrelsen.integration.gateway.v1.GatewayService";

// Polls `done` every 10 ms until it holds or `timeout` passed.
// Sets the string field at dotted `path` of `message` (e.g. a policy's tenant_field), creating
// the messages on the way; false when the path names no singular string field.
inline bool SetPath(google::protobuf::Message* message, const std::string& path,
                    const std::string& value) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const google::protobuf::FieldDescriptor* f =
        message->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->is_repeated()) return false;
    const google::protobuf::Reflection* r = message->GetReflection();
    if (i + 1 == parts.size()) {
      if (f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return false;
      r->SetString(message, f, value);
      return true;
    }
    if (f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) return false;
    message = r->MutableMessage(message, f);
  }
  return false;
}

inline bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

using ::integration::testing::TempDir;

// Claims of a test token beyond issuer and audience.
struct Claims {
  std::string role;
  std::string subject = "user-1";
  std::string lan = "12";
  std::string kommun;
  std::string orgnr;
  std::string agency;
  std::vector<std::string> scopes;  // agency_system: the policy's agency_scopes it was granted
};

// The claims a role would carry in production: tenant roles get their tenant.
inline Claims ClaimsFor(const std::string& role, const std::string& subject = "user-1") {
  Claims c;
  c.role = role;
  c.subject = subject;
  if (role == "municipality_officer") c.kommun = "1280";
  if (role == "organisation_rep") c.orgnr = "5560360793";
  if (role == "agency_system") c.agency = "migrationsverket";
  if (role == "learner") c.lan.clear();
  return c;
}

// A P-256 signing key, its JWKS file and a Verifier reading it.
class TokenIssuer {
 public:
  TokenIssuer() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    BIO* bio = BIO_new(BIO_s_mem());
    if (key != nullptr &&
        PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
      char* data = nullptr;
      long len = BIO_get_mem_data(bio, &data);
      key_pem_.assign(data, static_cast<size_t>(len));
    }
    BIO_free(bio);
    EVP_PKEY_free(key);
    absl::StatusOr<std::string> jwks = auth::JwksFromPrivateKey(key_pem_, "test-key");
    EXPECT_TRUE(jwks.ok()) << jwks.status();
    auth::VerifierOptions options;
    jwks_file_ = dir_.Write("jwks.json", jwks.ok() ? *jwks : "");
    options.jwks_file = jwks_file_;
    options.issuer = kIssuer;
    options.audience = kAudience;
    // A fixed test key ("k" is 0x6b): pseudonyms are stable across the issuers of one test,
    // and servers started with --subject-key-file=subject_key_file() name callers alike.
    subject_key_file_ =
        dir_.Write("subject_keys", "test-1 " + absl::BytesToHexString(std::string(32, 'k')) + "\n");
    absl::StatusOr<std::shared_ptr<const auth::SubjectPseudonymiser>> subjects =
        auth::SubjectPseudonymiser::Create({{"test-1", std::string(32, 'k')}});
    EXPECT_TRUE(subjects.ok()) << subjects.status();
    if (subjects.ok()) subjects_ = *subjects;
    options.subjects = subjects_;
    absl::StatusOr<std::unique_ptr<auth::Verifier>> verifier = auth::Verifier::Create(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    if (verifier.ok()) verifier_ = std::shared_ptr<auth::Verifier>(*std::move(verifier));
  }

  std::string Token(const Claims& c) const {
    auth::TokenClaims claims;
    claims.issuer = kIssuer;
    claims.audience = kAudience;
    claims.subject = c.subject;
    claims.role = c.role;
    claims.lan = c.lan;
    claims.kommun = c.kommun;
    claims.orgnr = c.orgnr;
    claims.agency = c.agency;
    claims.scopes = c.scopes;
    claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
    claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(1);
    absl::StatusOr<std::string> token = auth::SignToken(claims, key_pem_, "test-key");
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }
  std::string Bearer(const Claims& c) const { return "Bearer " + Token(c); }
  std::string Bearer(const std::string& role) const { return Bearer(ClaimsFor(role)); }

  const std::shared_ptr<auth::Verifier>& verifier() const { return verifier_; }
  // The pseudonym a verified token for `subject` carries as Caller::subject.
  std::string Subject(const std::string& subject, const std::string& role = "") const {
    absl::StatusOr<std::string> pseudonym = subjects_->Current(kIssuer, role, subject);
    return pseudonym.ok() ? *pseudonym : "";
  }
  // The JWKS with the public key, for servers that read it themselves (--jwks-file).
  const std::string& jwks_file() const { return jwks_file_; }
  const std::string& subject_key_file() const { return subject_key_file_; }

 private:
  TempDir dir_;
  std::string jwks_file_;
  std::string key_pem_;
  std::shared_ptr<auth::Verifier> verifier_;
  std::shared_ptr<const auth::SubjectPseudonymiser> subjects_;
  std::string subject_key_file_;
};

// What a test backend saw of one call.
struct SeenCall {
  std::string method;  // "pkg.Service/Method"
  std::string request;
  std::map<std::string, std::string> metadata;
  absl::Duration deadline_left = absl::InfiniteDuration();  // from arrival
};

// What a test backend answers.
struct BackendReply {
  ::grpc::Status status = ::grpc::Status::OK;
  std::string response;
  absl::Duration delay = absl::ZeroDuration();  // answer after this long (without a thread held)
};

using BackendScript = std::function<BackendReply(const SeenCall&)>;

// Answers the request bytes back: a valid echo, since EchoRequest and EchoResponse share
// their fields, and an empty answer for empty requests.
inline BackendReply EchoBytes(const SeenCall& call) {
  BackendReply r;
  r.response = call.request;
  return r;
}

// A backend serving every unary method of the given services on 127.0.0.1:<port 0> with raw
// handlers run by `script`; records each call. `readiness`, when given, is the runtime's
// readiness check (checked every 50 ms): its health turns NOT_SERVING while it fails.
class TestBackend {
 public:
  TestBackend(const std::vector<std::string>& service_names, BackendScript script,
              std::function<absl::Status()> readiness = nullptr)
      : script_(std::move(script)) {
    grpc::ServerOptions options;
    options.service_name = "testbackend";
    options.listen_address = "127.0.0.1:0";
    options.shutdown_notice_delay = std::chrono::milliseconds(0);
    options.executor_threads = 1;
    options.readiness_interval = std::chrono::milliseconds(50);
    runtime_ = std::make_unique<grpc::Runtime>(options);
    if (readiness) runtime_->AddReadinessCheck("test", std::move(readiness));
    for (const std::string& name : service_names) {
      const google::protobuf::ServiceDescriptor* s =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      EXPECT_NE(s, nullptr) << name;
      if (s == nullptr) continue;
      std::vector<const google::protobuf::MethodDescriptor*> methods;
      for (int i = 0; i < s->method_count(); ++i) {
        if (!s->method(i)->client_streaming() && !s->method(i)->server_streaming()) {
          methods.push_back(s->method(i));
        }
      }
      services_.push_back(std::make_unique<RawUnaryService>(
          *s, methods,
          [this](const google::protobuf::MethodDescriptor& m, ::grpc::CallbackServerContext* ctx,
                 const ::grpc::ByteBuffer* request,
                 ::grpc::ByteBuffer* response) { return Handle(m, ctx, request, response); }));
      EXPECT_TRUE(runtime_->AddService(services_.back().get(), name).ok());
    }
    absl::Status st = runtime_->Start();
    EXPECT_TRUE(st.ok()) << st;
    port_ = runtime_->port();
  }
  ~TestBackend() { Stop(); }
  TestBackend(const TestBackend&) = delete;
  TestBackend& operator=(const TestBackend&) = delete;

  // Stays valid after Stop(): a stopped backend is still configured at its address.
  std::string target() const { return absl::StrCat("127.0.0.1:", port_); }

  // Stops the server: delayed answers are sent at once, new calls are refused.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    runtime_->Shutdown(std::chrono::milliseconds(0));
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      threads.swap(delayed_);
    }
    for (std::thread& t : threads) t.join();
  }

  std::vector<SeenCall> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  int count(const std::string& method) const {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const SeenCall& c : calls_) n += c.method == method ? 1 : 0;
    return n;
  }
  SeenCall last() const {
    absl::MutexLock lock(&mu_);
    return calls_.empty() ? SeenCall{} : calls_.back();
  }

 private:
  ::grpc::ServerUnaryReactor* Handle(const google::protobuf::MethodDescriptor& m,
                                     ::grpc::CallbackServerContext* ctx,
                                     const ::grpc::ByteBuffer* request,
                                     ::grpc::ByteBuffer* response) {
    SeenCall seen;
    seen.method = absl::StrCat(m.service()->full_name(), "/", m.name());
    ::grpc::Slice bytes;
    if (request->Valid() && request->DumpToSingleSlice(&bytes).ok()) {
      seen.request.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    }
    for (const auto& [k, v] : ctx->client_metadata()) {
      seen.metadata[std::string(k.data(), k.size())] = std::string(v.data(), v.size());
    }
    if (ctx->deadline() != std::chrono::system_clock::time_point::max()) {
      seen.deadline_left = absl::FromChrono(ctx->deadline()) - absl::Now();
    }
    BackendReply reply = script_(seen);
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(seen);
    }
    ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    auto finish = [reactor, response, reply] {
      if (reply.status.ok()) {
        ::grpc::Slice slice(reply.response);
        ::grpc::ByteBuffer buffer(&slice, 1);
        response->Swap(&buffer);
      }
      reactor->Finish(reply.status);
    };
    if (reply.delay <= absl::ZeroDuration()) {
      finish();
      return reactor;
    }
    absl::MutexLock lock(&mu_);
    delayed_.emplace_back([this, finish, delay = reply.delay] {
      {
        absl::MutexLock inner(&mu_);
        const absl::Time until = absl::Now() + delay;
        mu_.AwaitWithDeadline(absl::Condition(&stopped_), until);
      }
      finish();
    });
    return reactor;
  }

  BackendScript script_;
  std::unique_ptr<grpc::Runtime> runtime_;
  std::vector<std::unique_ptr<RawUnaryService>> services_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::vector<SeenCall> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> delayed_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

// The parts of a gateway a test may set.
struct GatewayParts {
  std::vector<BackendTarget> backends;
  std::shared_ptr<auth::Verifier> verifier;
  RateLimiter* rate_limiter = nullptr;
  TrustedProxies trusted_proxies;
  ResponseCache* cache = nullptr;
  absl::Duration default_deadline = absl::Seconds(10);
  absl::Duration max_deadline = absl::Seconds(60);
  PolicyLookup policy_of;
};

// Dispatcher + gRPC front on a Runtime listening on 127.0.0.1:<port 0>.
class TestGateway {
 public:
  explicit TestGateway(GatewayParts parts) {
    absl::StatusOr<std::unique_ptr<Backends>> backends = Backends::Create(
        parts.backends, grpc::ChannelOptions{}, nullptr, std::chrono::milliseconds(100));
    EXPECT_TRUE(backends.ok()) << backends.status();
    backends_ = *std::move(backends);
    DispatcherOptions core;
    core.verifier = parts.verifier;
    core.backends = backends_.get();
    core.rate_limiter = parts.rate_limiter;
    core.trusted_proxies = parts.trusted_proxies;
    core.cache = parts.cache;
    core.default_deadline = parts.default_deadline;
    core.max_deadline = parts.max_deadline;
    core.executor_threads = 4;
    core.policy_of = parts.policy_of;
    absl::StatusOr<std::unique_ptr<Dispatcher>> dispatcher = NewDispatcher(std::move(core));
    EXPECT_TRUE(dispatcher.ok()) << dispatcher.status();
    dispatcher_ = *std::move(dispatcher);
    front_ = std::make_unique<GrpcFront>(*dispatcher_);
    grpc::ServerOptions options;
    options.service_name = "gateway";
    options.listen_address = "127.0.0.1:0";
    options.shutdown_notice_delay = std::chrono::milliseconds(0);
    options.executor_threads = 1;
    options.verifier = parts.verifier;
    runtime_ = std::make_unique<grpc::Runtime>(options);
    absl::Status st = front_->AddTo(*runtime_);
    EXPECT_TRUE(st.ok()) << st;
    st = runtime_->Start();
    EXPECT_TRUE(st.ok()) << st;
  }
  ~TestGateway() {
    runtime_.reset();
    front_.reset();
    dispatcher_.reset();
    backends_.reset();
  }

  std::string target() const { return absl::StrCat("127.0.0.1:", runtime_->port()); }
  Dispatcher& dispatcher() { return *dispatcher_; }
  Backends& backends() { return *backends_; }
  grpc::Runtime& runtime() { return *runtime_; }

 private:
  std::unique_ptr<Backends> backends_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<GrpcFront> front_;
  std::unique_ptr<grpc::Runtime> runtime_;
};

// What a client got back.
struct CallResult {
  ::grpc::Status status;
  std::string response;
  std::multimap<std::string, std::string> initial;
  std::multimap<std::string, std::string> trailing;
  absl::Duration elapsed;

  std::string Header(const std::string& key) const {
    if (auto it = initial.find(key); it != initial.end()) return it->second;
    if (auto it = trailing.find(key); it != trailing.end()) return it->second;
    return "";
  }
  // ErrorInfo.reason of the status details, "" without one.
  std::string Reason() const {
    google::rpc::Status rpc;
    if (!rpc.ParseFromString(status.error_details())) return "";
    for (const auto& any : rpc.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) return info.reason();
    }
    return "";
  }
  std::optional<google::rpc::RetryInfo> Retry() const {
    google::rpc::Status rpc;
    if (!rpc.ParseFromString(status.error_details())) return std::nullopt;
    for (const auto& any : rpc.details()) {
      google::rpc::RetryInfo info;
      if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&info)) return info;
    }
    return std::nullopt;
  }
};

struct CallOptions {
  std::map<std::string, std::string> metadata;
  std::optional<absl::Duration> timeout = absl::Seconds(10);  // nullopt: no deadline
};

// A unary call of `path` ("/pkg.Service/Method") with raw bytes.
inline CallResult CallRaw(const std::string& target, const std::string& path,
                          const std::string& request, const CallOptions& options = {}) {
  auto channel = ::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials());
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext ctx;
  for (const auto& [k, v] : options.metadata) ctx.AddMetadata(k, v);
  if (options.timeout.has_value())
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + *options.timeout));
  ::grpc::Slice slice(request);
  ::grpc::ByteBuffer req(&slice, 1);
  ::grpc::ByteBuffer resp;
  std::promise<::grpc::Status> done;
  const absl::Time start = absl::Now();
  stub.UnaryCall(&ctx, path, ::grpc::StubOptions(), &req, &resp,
                 [&done](::grpc::Status st) { done.set_value(std::move(st)); });
  CallResult out;
  out.status = done.get_future().get();
  out.elapsed = absl::Now() - start;
  if (out.status.ok()) {
    ::grpc::Slice bytes;
    if (resp.DumpToSingleSlice(&bytes).ok()) {
      out.response.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    }
  }
  for (const auto& [k, v] : ctx.GetServerInitialMetadata()) {
    out.initial.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    out.trailing.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

inline CallResult Call(const std::string& target, const std::string& path,
                       const google::protobuf::Message& request, const CallOptions& options = {}) {
  return CallRaw(target, path, request.SerializeAsString(), options);
}

inline CallOptions WithAuth(const std::string& bearer) {
  CallOptions o;
  o.metadata["authorization"] = bearer;
  return o;
}

// Dispatch() and wait for its result.
inline BackendResult DispatchSync(Dispatcher& dispatcher, BackendCall call) {
  std::promise<BackendResult> done;
  dispatcher.Dispatch(std::move(call), [&done](BackendResult r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

inline const google::protobuf::MethodDescriptor* FindMethod(const std::string& service,
                                                            const std::string& method) {
  const google::protobuf::ServiceDescriptor* s =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  return s == nullptr ? nullptr : s->FindMethodByName(method);
}

}  // namespace integration::gateway::testing
