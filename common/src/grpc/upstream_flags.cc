// Registration and reading of the upstream and service-token settings.
#include "integration/grpc/upstream_flags.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace integration::grpc {
namespace {

absl::Status Missing(std::string_view flag) {
  return absl::FailedPreconditionError(
      absl::StrCat("--", std::string(flag), " is required to serve"));
}

}  // namespace

UpstreamFlags::UpstreamFlags(config::Flags& flags, std::string flag_prefix, std::string_view what)
    : prefix_(std::move(flag_prefix)) {
  const std::string w(what);
  addr_ = flags.String(absl::StrCat(prefix_, "-addr"), "", absl::StrCat("host:port of ", w));
  timeout_ = flags.Duration(absl::StrCat(prefix_, "-timeout"), std::chrono::seconds(2),
                            absl::StrCat("longest a call to ", w,
                                         " may take (a caller's earlier deadline wins)"));
  circuit_failures_ =
      flags.Int(absl::StrCat(prefix_, "-circuit-failures"), 5,
                absl::StrCat("consecutive failures of ", w, " that open the circuit"), 1, 1000);
  circuit_open_ = flags.Duration(
      absl::StrCat(prefix_, "-circuit-open"), std::chrono::seconds(5),
      absl::StrCat("how long an open circuit answers at once before it probes ", w, " again"));
  tls_ca_file_ = flags.String(absl::StrCat(prefix_, "-tls-ca-file"), "",
                              absl::StrCat("CA file of ", w,
                                           "'s certificate; empty: plaintext (loopback only)"));
  tls_cert_file_ = flags.String(absl::StrCat(prefix_, "-tls-cert-file"), "",
                                absl::StrCat("client certificate (PEM) for ", w,
                                             " when it requires mutual TLS (with the key file)"));
  tls_key_file_ = flags.String(absl::StrCat(prefix_, "-tls-key-file"), "",
                               absl::StrCat("private key (PEM) of that client certificate"));
}

absl::StatusOr<UpstreamOptions> UpstreamFlags::Options(std::string name) const {
  if (addr_->empty()) return Missing(absl::StrCat(prefix_, "-addr"));
  UpstreamOptions o;
  o.name = std::move(name);
  o.target = *addr_;
  o.timeout = *timeout_;
  o.breaker.failure_threshold = static_cast<int>(*circuit_failures_);
  o.breaker.open_for = absl::FromChrono(*circuit_open_);
  if (tls_cert_file_->empty() != tls_key_file_->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "setting --", prefix_, tls_cert_file_->empty() ? "-tls-cert-file" : "-tls-key-file",
        ": a client certificate needs both its certificate and key files"));
  }
  if (!tls_cert_file_->empty() && tls_ca_file_->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("setting --", prefix_,
                                                   "-tls-cert-file: needs --", prefix_,
                                                   "-tls-ca-file (mutual TLS is TLS)"));
  }
  if (!tls_ca_file_->empty()) {
    o.channel.tls.enabled = true;
    o.channel.tls.ca_file = *tls_ca_file_;
    o.channel.tls.cert_file = *tls_cert_file_;
    o.channel.tls.key_file = *tls_key_file_;
  }
  return o;
}

ServiceTokenFlags::ServiceTokenFlags(config::Flags& flags) {
  key_file_ = flags.String("service-token-key-file", "",
                           "PEM private key whose public key is in the suite's JWKS; signs the "
                           "service's own token for the services it calls");
  kid_ = flags.String("service-token-kid", "", "the key's id in the JWKS");
  issuer_ = flags.String("service-token-issuer", "", "the suite's token issuer (\"iss\")");
  audience_ = flags.String("service-token-audience", "", "the suite's token audience (\"aud\")");
}

absl::StatusOr<std::shared_ptr<auth::ServiceTokenSource>> ServiceTokenFlags::Source(
    std::string service, std::vector<std::string> scopes) const {
  for (const auto& [value, flag] :
       {std::pair{key_file_, "service-token-key-file"}, std::pair{kid_, "service-token-kid"},
        std::pair{issuer_, "service-token-issuer"},
        std::pair{audience_, "service-token-audience"}}) {
    if (value->empty()) return Missing(flag);
  }
  auth::ServiceTokenOptions options;
  options.key_file = *key_file_;
  options.kid = *kid_;
  options.issuer = *issuer_;
  options.audience = *audience_;
  options.service = std::move(service);
  options.scopes = std::move(scopes);
  absl::StatusOr<std::unique_ptr<auth::ServiceTokenSource>> source =
      auth::ServiceTokenSource::Create(std::move(options));
  if (!source.ok()) return source.status();
  return std::shared_ptr<auth::ServiceTokenSource>(*std::move(source));
}

}  // namespace integration::grpc
