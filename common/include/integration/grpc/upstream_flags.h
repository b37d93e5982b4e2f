// The settings of a service's calls to other services, registered the same way by every
// caller: per upstream --<name>-addr, --<name>-timeout, --<name>-circuit-failures,
// --<name>-circuit-open, --<name>-tls-ca-file; once per service the key and claims of its own
// token, --service-token-key-file, --service-token-kid, --service-token-issuer,
// --service-token-audience (each with its environment override, e.g. GRANTS_EARLY_MEASURES_ADDR).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "integration/auth/service_token.h"
#include "integration/config/flags.h"
#include "integration/grpc/upstream.h"

namespace integration::grpc {

class UpstreamFlags {
 public:
  // `flag_prefix` is the upstream's stem with '-' for '_' ("grants", "early-measures").
  UpstreamFlags(config::Flags& flags, std::string flag_prefix, std::string_view what);

  // Whether --<prefix>-addr is set.
  bool configured() const { return !addr_->empty(); }
  // After parsing: the options with name, target, timeout, breaker and TLS set (token,
  // reason, retry methods and metrics are the caller's). FAILED_PRECONDITION naming the flag
  // when the address is missing.
  absl::StatusOr<UpstreamOptions> Options(std::string name) const;

 private:
  std::string prefix_;
  std::string* addr_;
  std::chrono::milliseconds* timeout_;
  int64_t* circuit_failures_;
  std::chrono::milliseconds* circuit_open_;
  std::string* tls_ca_file_;
  std::string* tls_cert_file_;
  std::string* tls_key_file_;
};

class ServiceTokenFlags {
 public:
  explicit ServiceTokenFlags(config::Flags& flags);

  // After parsing: the token source of `service` with `scopes`; FAILED_PRECONDITION naming the
  // missing flag, or the key file's error.
  absl::StatusOr<std::shared_ptr<auth::ServiceTokenSource>> Source(
      std::string service, std::vector<std::string> scopes) const;

 private:
  std::string* key_file_;
  std::string* kid_;
  std::string* issuer_;
  std::string* audience_;
};

}  // namespace integration::grpc
