// Shared pieces of the grpc concern's tests: a signing key with its JWKS, an
// EchoService served through Serve(), and a running Runtime around it.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/server_context.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/client.h"
#include "integration/grpc/runtime.h"
#include "integration/grpc/serve.h"
#include "integration/log/log.h"
#include "integration/testing/temp_dir.h"
#include "lansstyrelsen/integration/echo/v1/echo.adapter.h"

namespace integration::grpc::testing {

namespace echo = ::lansstyrelsen::integration::echo::v1;

inline constexpr char kEchoService[] = "lansstyrelsen.integration.echo.v1.EchoService";
inline constexpr char kEchoMethod[] = "lansstyrelsen.integration.echo.v1.EchoService/Echo";
inline constexpr char kIssuer[] = "https://issuer.test";
inline constexpr char kAudience[] = "integration-test";

using ::integration::testing::TempDir;

// A fresh P-256 private key as PKCS#8 PEM, or "" on failure.
inline std::string NewEcKeyPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

// A signing key, its JWKS file and a Verifier reading it.
class TokenIssuer {
 public:
  explicit TokenIssuer(const TempDir& dir) {
    key_pem_ = NewEcKeyPem();
    absl::StatusOr<std::string> jwks = auth::JwksFromPrivateKey(key_pem_, "test-key");
    EXPECT_TRUE(jwks.ok()) << jwks.status();
    jwks_file_ = dir.Write("jwks.json", jwks.ok() ? *jwks : "");
    auth::VerifierOptions options;
    options.jwks_file = jwks_file_;
    options.issuer = kIssuer;
    options.audience = kAudience;
    // A fixed test key ("k" is 0x6b): pseudonyms are stable across the issuers of one test,
    // and servers started with --subject-key-file=subject_key_file() name callers alike.
    subject_key_file_ =
        dir.Write("subject_keys", "test-1 " + absl::BytesToHexString(std::string(32, 'k')) + "\n");
    absl::StatusOr<std::shared_ptr<const auth::SubjectPseudonymiser>> subjects =
        auth::SubjectPseudonymiser::Create({{"test-1", std::string(32, 'k')}});
    EXPECT_TRUE(subjects.ok()) << subjects.status();
    if (subjects.ok()) subjects_ = *subjects;
    options.subjects = subjects_;
    absl::StatusOr<std::unique_ptr<auth::Verifier>> verifier = auth::Verifier::Create(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    if (verifier.ok()) verifier_ = std::shared_ptr<auth::Verifier>(*std::move(verifier));
  }

  std::string Token(const std::string& role, const std::string& subject = "user-1") const {
    auth::TokenClaims claims;
    claims.issuer = kIssuer;
    claims.audience = kAudience;
    claims.subject = subject;
    claims.role = role;
    claims.lan = "12";
    claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
    claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(1);
    absl::StatusOr<std::string> token = auth::SignToken(claims, key_pem_, "test-key");
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  const std::shared_ptr<auth::Verifier>& verifier() const { return verifier_; }
  // The pseudonym a verified token for `subject` carries as Caller::subject.
  std::string Subject(const std::string& subject, const std::string& role = "") const {
    absl::StatusOr<std::string> pseudonym = subjects_->Current(kIssuer, role, subject);
    return pseudonym.ok() ? *pseudonym : "";
  }
  const std::string& jwks_file() const { return jwks_file_; }
  const std::string& subject_key_file() const { return subject_key_file_; }
  const std::string& key_pem() const { return key_pem_; }

 private:
  std::string key_pem_;
  std::string jwks_file_;
  std::shared_ptr<auth::Verifier> verifier_;
  std::shared_ptr<const auth::SubjectPseudonymiser> subjects_;
  std::string subject_key_file_;
};

using EchoHandler =
    std::function<absl::Status(const CallContext&, const echo::EchoRequest&, echo::EchoResponse*)>;

// Echoes the request back.
inline absl::Status PlainEcho(const CallContext&, const echo::EchoRequest& req,
                              echo::EchoResponse* resp) {
  resp->set_message(req.message());
  resp->set_payload(req.payload());
  return absl::OkStatus();
}

// The EchoService of the tests, written like a real service: the generated adapter serves
// every RPC through Serve() with Do<Method>.
class EchoServiceImpl final : public echo::EchoServiceAdapter<EchoServiceImpl> {
 public:
  EchoServiceImpl(Runtime& rt, EchoHandler handler)
      : EchoServiceAdapter(rt), handler_(std::move(handler)) {}

 private:
  friend class echo::EchoServiceAdapter<EchoServiceImpl>;
  absl::Status DoEcho(const CallContext& call, const echo::EchoRequest& req,
                      echo::EchoResponse* resp) {
    return handler_(call, req, resp);
  }

  EchoHandler handler_;
};

// Options of a test server: loopback, port 0, no delays.
inline ServerOptions TestOptions() {
  ServerOptions o;
  o.service_name = "echo";
  o.listen_address = "127.0.0.1:0";
  o.executor_threads = 4;
  o.executor_queue = 16;
  o.readiness_interval = std::chrono::milliseconds(20);
  o.shutdown_notice_delay = std::chrono::milliseconds(0);
  return o;
}

// A started Runtime serving EchoServiceImpl; shut down (service still alive) on destruction.
// Without a verifier in the options it verifies tokens of its own issuer, which Prepare()
// attaches (role county_officer, allowed by Echo's policy).
class EchoServer {
 public:
  explicit EchoServer(EchoHandler handler = PlainEcho, ServerOptions options = TestOptions(),
                      std::function<void(Runtime&)> before_start = nullptr)
      : issuer_(dir_) {
    if (options.verifier == nullptr) options.verifier = issuer_.verifier();
    token_ = issuer_.Token("county_officer");
    runtime_ = std::make_unique<Runtime>(std::move(options));
    service_ = std::make_unique<EchoServiceImpl>(*runtime_, std::move(handler));
    EXPECT_TRUE(runtime_->AddService<echo::EchoService>(service_.get()).ok());
    if (before_start) before_start(*runtime_);
    start_status_ = runtime_->Start();
    EXPECT_TRUE(start_status_.ok()) << start_status_;
  }
  ~EchoServer() {
    runtime_->Shutdown(std::chrono::seconds(5));
    runtime_.reset();
    service_.reset();
  }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  // Deadline and the bearer token of an allowed caller.
  void Prepare(::grpc::ClientContext& ctx,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    AddToken(ctx);
  }
  void AddToken(::grpc::ClientContext& ctx) const {
    ctx.AddMetadata("authorization", "Bearer " + token_);
  }
  const TokenIssuer& issuer() const { return issuer_; }

  Runtime& runtime() { return *runtime_; }
  const absl::Status& start_status() const { return start_status_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(runtime_->port()); }

  std::shared_ptr<::grpc::Channel> Channel(ChannelOptions options = {}) const {
    absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel = MakeChannel(target(), options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return channel.ok() ? *channel : nullptr;
  }
  std::unique_ptr<echo::EchoService::Stub> Stub(ChannelOptions options = {}) const {
    return echo::EchoService::NewStub(Channel(std::move(options)));
  }

 private:
  TempDir dir_;
  TokenIssuer issuer_;
  std::string token_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<EchoServiceImpl> service_;
  absl::Status start_status_;
};

// Captures log lines for the life of the object.
class LogCapture {
 public:
  LogCapture() {
    log::SetSinkForTesting([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { log::SetSinkForTesting(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Lines containing every one of `needles`.
  std::vector<std::string> Matching(const std::vector<std::string>& needles) const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const std::string& line : lines_) {
      bool all = true;
      for (const std::string& n : needles) all = all && line.find(n) != std::string::npos;
      if (all) out.push_back(line);
    }
    return out;
  }
  std::vector<std::string> All() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_;
};

// A client context with a deadline, so a broken server fails the test instead of hanging it.
inline void WithDeadline(::grpc::ClientContext& ctx,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace integration::grpc::testing
