// The suite's own identity when one service calls another: a short-lived bearer token signed
// with a key of the suite's JWKS, role agency_system, agency = the calling service, and the
// scopes the callee's policies name (e.g. "grants.funding.read"). The callee verifies it like
// any token, so no forwarded header is trusted and the callee's policy says exactly which
// methods the calling service may use.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "integration/auth/auth.h"

namespace integration::auth {

struct ServiceTokenOptions {
  std::string key_file;  // PEM private key (Ed25519 or P-256) whose public key is in the JWKS
  std::string kid;       // its key id in the JWKS
  std::string issuer;    // the suite's "iss"
  std::string audience;  // the suite's "aud"
  std::string service;   // the calling service's stem: "agency" claim and subject "svc:<stem>"
  std::vector<std::string> scopes;
  std::chrono::seconds ttl{300};
  // The current time; tests replace it. Defaults to system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

// Signs the service's token and keeps it until a fifth of its lifetime is left, so that a
// busy service signs a few tokens an hour, and a token a callee receives is never about to
// expire. Thread-safe.
class ServiceTokenSource {
 public:
  // FAILED_PRECONDITION naming the file when the key cannot be read; INVALID_ARGUMENT when a
  // setting is missing.
  static absl::StatusOr<std::unique_ptr<ServiceTokenSource>> Create(ServiceTokenOptions options);

  // The current token (without "Bearer ").
  absl::StatusOr<std::string> Token();
  const ServiceTokenOptions& options() const { return options_; }

 private:
  ServiceTokenSource(ServiceTokenOptions options, TokenSigner signer);
  std::chrono::system_clock::time_point Now() const;

  const ServiceTokenOptions options_;
  const TokenSigner signer_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  std::chrono::system_clock::time_point renew_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace integration::auth
