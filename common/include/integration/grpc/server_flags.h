// The settings every server binary shares (ports, TLS, JWKS, executor, deadlines, shutdown),
// registered on the program's config::Flags and turned into ServerOptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "integration/config/flags.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there
#include "integration/grpc/runtime.h"

namespace integration::grpc {

// Registers: --listen-host, --grpc-port, --admin-port (0 disables the admin server),
// --max-message-bytes, --executor-threads, --executor-queue, --default-deadline,
// --max-deadline, --shutdown-delay, --drain-timeout, --tls-cert-file, --tls-key-file,
// --tls-client-ca-file, --jwks-file, --subject-key-file, --jwt-issuer, --jwt-audience,
// --grpc-reflection (each with its environment override, e.g. TRAINING_GRPC_PORT).
class ServerFlags {
 public:
  ServerFlags(config::Flags& flags, int default_grpc_port, int default_admin_port);

  // After flags.Parse(): the options, with a Verifier loaded from the JWKS and subject key
  // settings. Errors
  // name the setting and its environment variable (missing JWKS file, cert without key, ...).
  absl::StatusOr<ServerOptions> Options(std::string service_name) const;
  // How long Shutdown() lets in-flight calls finish (--drain-timeout).
  std::chrono::milliseconds drain_timeout() const { return *drain_timeout_; }

 private:
  std::string Setting(std::string_view name) const;

  const config::Flags& flags_;
  std::string* listen_host_;
  int64_t* grpc_port_;
  int64_t* admin_port_;
  int64_t* max_message_bytes_;
  int64_t* executor_threads_;
  int64_t* executor_queue_;
  std::chrono::milliseconds* default_deadline_;
  std::chrono::milliseconds* max_deadline_;
  std::chrono::milliseconds* shutdown_delay_;
  std::chrono::milliseconds* drain_timeout_;
  std::chrono::milliseconds* max_connection_age_;
  std::string* tls_cert_file_;
  std::string* tls_key_file_;
  std::string* tls_client_ca_file_;
  std::string* jwks_file_;
  std::string* subject_key_file_;
  std::string* jwt_issuer_;
  std::string* jwt_audience_;
  bool* grpc_reflection_;
};

}  // namespace integration::grpc
