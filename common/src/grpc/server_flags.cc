// ServerFlags: shared server settings and their validation.
#include "integration/grpc/server_flags.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/auth/auth.h"
#include "text.h"

namespace integration::grpc {

ServerFlags::ServerFlags(config::Flags& flags, int default_grpc_port, int default_admin_port)
    : flags_(flags) {
  listen_host_ =
      flags.String("listen-host", "0.0.0.0", "address the gRPC and admin listeners bind to");
  grpc_port_ =
      flags.Int("grpc-port", default_grpc_port, "gRPC port (0 picks a free one)", 0, 65535);
  admin_port_ =
      flags.Int("admin-port", default_admin_port,
                "admin HTTP port for /metrics, /healthz, /readyz (0: no admin server)", 0, 65535);
  max_message_bytes_ = flags.Int("max-message-bytes", 4 * 1024 * 1024,
                                 "largest request or response message", 1024, 64 * 1024 * 1024);
  executor_threads_ =
      flags.Int("executor-threads", 8,
                "threads for blocking handler work (match the database pool)", 1, 1024);
  // The queue bounds memory (a waiting call holds a few KiB: its request, caller and gRPC
  // state), not time: a call whose deadline passed while it waited is answered
  // DEADLINE_EXCEEDED without running (Serve), so a deep queue wastes no work. It must hold the
  // largest burst the service is to absorb: 4 096 takes a class of 2 000 learners starting a
  // quiz in the same second twice over, where 256 turned most of them away at once.
  executor_queue_ = flags.Int("executor-queue", 4096,
                              "calls waiting for a thread before RESOURCE_EXHAUSTED (a call whose "
                              "deadline passes while it waits is not run)",
                              1, 100000);
  default_deadline_ = flags.Duration("default-deadline", std::chrono::seconds(10),
                                     "deadline of calls that bring none");
  max_deadline_ = flags.Duration("max-deadline", std::chrono::seconds(60),
                                 "the longest deadline a caller may ask for");
  shutdown_delay_ = flags.Duration("shutdown-delay", std::chrono::seconds(5),
                                   "NOT_SERVING before draining, so load balancers notice");
  drain_timeout_ = flags.Duration("drain-timeout", std::chrono::seconds(20),
                                  "how long in-flight calls may finish at shutdown");
  max_connection_age_ = flags.Duration(
      "max-connection-age", std::chrono::minutes(5),
      "connections older than this are closed gracefully (calls get --max-deadline to finish), "
      "so clients re-resolve and spread over new pods; 0s: never");
  tls_cert_file_ = flags.String("tls-cert-file", "", "PEM certificate chain of the gRPC listener");
  tls_key_file_ = flags.String("tls-key-file", "", "PEM private key of the gRPC listener");
  tls_client_ca_file_ = flags.String("tls-client-ca-file", "",
                                     "PEM CA of client certificates; set to require mutual TLS");
  jwks_file_ = flags.String("jwks-file", "", "JWKS file with the token verification keys");
  subject_key_file_ = flags.String(
      auth::kSubjectKeyFileFlag, "",
      "key ring of the token subjects' pseudonyms: lines \"<key id> <64 hex digits>\", the "
      "current key first, older keys after it (see SubjectPseudonymiser)");
  jwt_issuer_ = flags.String("jwt-issuer", "https://auth.integration.lansstyrelsen.se",
                             "required token issuer (iss)");
  jwt_audience_ = flags.String("jwt-audience", "integration", "required token audience (aud)");
  grpc_reflection_ = flags.Bool(
      "grpc-reflection", false,
      "serve gRPC server reflection (lists every service and message type; for client tools "
      "such as grpcurl, off in production)");
}

std::string ServerFlags::Setting(std::string_view name) const {
  return absl::StrCat("setting --", internal::Av(name), " (env ", flags_.EnvName(name), ")");
}

absl::StatusOr<ServerOptions> ServerFlags::Options(std::string service_name) const {
  if (*max_deadline_ < *default_deadline_) {
    return absl::InvalidArgumentError(
        absl::StrCat(Setting("max-deadline"), ": must not be shorter than --default-deadline"));
  }
  if (*default_deadline_ <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError(absl::StrCat(Setting("default-deadline"), ": must be > 0"));
  }
  if (*max_connection_age_ < std::chrono::milliseconds::zero() ||
      *max_connection_age_ > std::chrono::hours(24)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Setting("max-connection-age"), ": must be between 0s and 24h"));
  }
  if (tls_cert_file_->empty() != tls_key_file_->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Setting(tls_cert_file_->empty() ? "tls-cert-file" : "tls-key-file"),
                     ": --tls-cert-file and --tls-key-file go together"));
  }
  if (!tls_client_ca_file_->empty() && tls_cert_file_->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Setting("tls-client-ca-file"), ": mutual TLS needs --tls-cert-file"));
  }
  if (jwks_file_->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Setting("jwks-file"), ": is required"));
  }
  if (jwt_issuer_->empty() || jwt_audience_->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Setting(jwt_issuer_->empty() ? "jwt-issuer" : "jwt-audience"), ": must not be empty"));
  }
  // Read here rather than by the flag parser, because `migrate` needs no keys.
  absl::StatusOr<std::shared_ptr<const auth::SubjectPseudonymiser>> subjects =
      auth::SubjectPseudonymiser::FromKeyFile(*subject_key_file_);
  if (!subjects.ok()) {
    return absl::Status(subjects.status().code(), absl::StrCat(Setting(auth::kSubjectKeyFileFlag),
                                                               ": ", subjects.status().message()));
  }
  auth::VerifierOptions verifier_options;
  verifier_options.subjects = *std::move(subjects);
  verifier_options.jwks_file = *jwks_file_;
  verifier_options.issuer = *jwt_issuer_;
  verifier_options.audience = *jwt_audience_;
  absl::StatusOr<std::unique_ptr<auth::Verifier>> verifier =
      auth::Verifier::Create(std::move(verifier_options));
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Setting("jwks-file"), ": ", verifier.status().message()));
  }

  ServerOptions o;
  o.service_name = std::move(service_name);
  // IPv6 literals need brackets in a host:port address.
  const bool ipv6 = listen_host_->find(':') != std::string::npos;
  o.listen_address = ipv6 ? absl::StrCat("[", *listen_host_, "]:", *grpc_port_)
                          : absl::StrCat(*listen_host_, ":", *grpc_port_);
  o.admin_port = *admin_port_ == 0 ? -1 : static_cast<int>(*admin_port_);
  o.admin_bind_address = *listen_host_;
  o.max_message_bytes = static_cast<int>(*max_message_bytes_);
  o.executor_threads = static_cast<size_t>(*executor_threads_);
  o.executor_queue = static_cast<size_t>(*executor_queue_);
  o.default_deadline = *default_deadline_;
  o.max_deadline = *max_deadline_;
  o.shutdown_notice_delay = *shutdown_delay_;
  o.max_connection_age = *max_connection_age_;
  // A call may run as long as the longest deadline a client may ask for.
  o.max_connection_age_grace = *max_deadline_;
  o.tls.cert_file = *tls_cert_file_;
  o.tls.key_file = *tls_key_file_;
  o.tls.client_ca_file = *tls_client_ca_file_;
  o.verifier = std::shared_ptr<auth::Verifier>(*std::move(verifier));
  o.reflection = *grpc_reflection_;
  return o;
}

}  // namespace integration::grpc
