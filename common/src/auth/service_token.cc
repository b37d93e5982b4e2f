// Signing and caching the service's own token.
#include "integration/auth/service_token.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/auth/tenancy.h"

namespace integration::auth {

absl::StatusOr<std::unique_ptr<ServiceTokenSource>> ServiceTokenSource::Create(
    ServiceTokenOptions options) {
  for (const auto& [value, what] : {std::pair{&options.key_file, "a key file"},
                                    std::pair{&options.kid, "a key id"},
                                    std::pair{&options.issuer, "an issuer"},
                                    std::pair{&options.audience, "an audience"},
                                    std::pair{&options.service, "the service's name"}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("a service token needs ", what));
    }
  }
  if (options.ttl < std::chrono::seconds(10)) {
    return absl::InvalidArgumentError("a service token must live at least 10 s");
  }
  std::ifstream in(options.key_file, std::ios::binary);
  std::ostringstream pem;
  if (!in || !(pem << in.rdbuf())) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the service token key file ", options.key_file));
  }
  absl::StatusOr<TokenSigner> signer = TokenSigner::Create(pem.str(), options.kid);
  if (!signer.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the service token key file ", options.key_file, " holds no usable private key: ",
        signer.status().message()));
  }
  return std::unique_ptr<ServiceTokenSource>(
      new ServiceTokenSource(std::move(options), *std::move(signer)));
}

ServiceTokenSource::ServiceTokenSource(ServiceTokenOptions options, TokenSigner signer)
    : options_(std::move(options)), signer_(std::move(signer)) {}

std::chrono::system_clock::time_point ServiceTokenSource::Now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

absl::StatusOr<std::string> ServiceTokenSource::Token() {
  const auto now = Now();
  absl::MutexLock lock(&mu_);
  if (!token_.empty() && now < renew_at_) return token_;
  TokenClaims claims;
  claims.issuer = options_.issuer;
  claims.audience = options_.audience;
  claims.subject = absl::StrCat("svc:", options_.service);
  claims.role = std::string(RoleName(Role::kAgencySystem));
  claims.agency = options_.service;
  claims.scopes = options_.scopes;
  // A little back-dated, for callees whose clocks run behind.
  claims.not_before = now - std::chrono::seconds(30);
  claims.expires_at = now + options_.ttl;
  absl::StatusOr<std::string> token = signer_.Sign(claims);
  if (!token.ok()) return token.status();
  token_ = *std::move(token);
  renew_at_ = now + options_.ttl * 4 / 5;
  return token_;
}

}  // namespace integration::auth
