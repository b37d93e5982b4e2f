// Channel construction (TLS, keepalive, retry service config) and outgoing client contexts.
#include "integration/grpc/client.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/validate_service_config.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "files.h"
#include "integration/grpc/call_context.h"
#include "text.h"

namespace integration::grpc {
namespace {

bool IsIdentifier(std::string_view s, bool dots_allowed) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || (dots_allowed && c == '.');
    if (!ok) return false;
  }
  return s.front() != '.' && s.back() != '.';
}

absl::StatusOr<std::shared_ptr<::grpc::ChannelCredentials>> Credentials(const ChannelTls& tls) {
  if (!tls.enabled) return ::grpc::InsecureChannelCredentials();
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both cert_file and key_file, or neither");
  }
  if (!tls.ca_file.empty()) {
    if (auto st = internal::CheckReadableFile(tls.ca_file, "TLS CA file"); !st.ok()) return st;
  }
  if (!tls.cert_file.empty()) {
    if (auto st = internal::CheckReadableFile(tls.cert_file, "TLS certificate file"); !st.ok()) {
      return st;
    }
    if (auto st = internal::CheckReadableFile(tls.key_file, "TLS key file"); !st.ok()) return st;
  }
  ::grpc::experimental::TlsChannelCredentialsOptions options;
  const auto interval =
      static_cast<unsigned int>(std::max<int64_t>(tls.reload_interval.count(), 1));
  if (!tls.ca_file.empty() || !tls.cert_file.empty()) {
    options.set_certificate_provider(
        std::make_shared<::grpc::experimental::FileWatcherCertificateProvider>(
            tls.key_file, tls.cert_file, tls.ca_file, interval));
    if (!tls.ca_file.empty()) options.watch_root_certs();
    if (!tls.cert_file.empty()) options.watch_identity_key_cert_pairs();
  }
  options.set_verify_server_certs(true);
  // Explicit: the server's certificate must name the host we dialled.
  options.set_certificate_verifier(
      std::make_shared<::grpc::experimental::HostNameCertificateVerifier>());
  return ::grpc::experimental::TlsCredentials(options);
}

}  // namespace

absl::StatusOr<std::string> RetryServiceConfig(const std::vector<std::string>& retry_methods,
                                               int max_attempts) {
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (const std::string& m : retry_methods) {
    const size_t slash = m.find('/');
    const std::string_view service = std::string_view(m).substr(0, slash);
    const std::string_view method =
        slash == std::string::npos ? std::string_view() : std::string_view(m).substr(slash + 1);
    // Checked character by character: a typo must fail here, not leave a method unretried.
    if (!IsIdentifier(service, true) ||
        (slash != std::string::npos && !IsIdentifier(method, false))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "retry method \"", m, "\" is not \"pkg.Service/Method\" or \"pkg.Service\""));
    }
    nlohmann::ordered_json name = nlohmann::ordered_json::object();
    name["service"] = service;
    if (slash != std::string::npos) name["method"] = method;
    names.push_back(std::move(name));
  }
  if (names.empty()) return std::string("{}");
  if (max_attempts < 2 || max_attempts > 5) {
    return absl::InvalidArgumentError("max_attempts must be between 2 and 5 (gRPC's limit)");
  }
  nlohmann::ordered_json policy = nlohmann::ordered_json::object();
  policy["maxAttempts"] = max_attempts;
  policy["initialBackoff"] = "0.05s";
  policy["maxBackoff"] = "1s";
  policy["backoffMultiplier"] = 2;
  policy["retryableStatusCodes"] = nlohmann::ordered_json::array({"UNAVAILABLE"});
  nlohmann::ordered_json method_config = nlohmann::ordered_json::object();
  method_config["name"] = std::move(names);
  method_config["retryPolicy"] = std::move(policy);
  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  config["methodConfig"] = nlohmann::ordered_json::array();
  config["methodConfig"].push_back(std::move(method_config));
  const std::string json = config.dump();
  std::string error = ::grpc::experimental::ValidateServiceConfigJSON(json);
  if (!error.empty()) {
    return absl::InternalError(absl::StrCat("generated service config is invalid: ", error));
  }
  return json;
}

absl::StatusOr<std::string> ChannelServiceConfig(const ChannelOptions& options) {
  absl::StatusOr<std::string> retry =
      RetryServiceConfig(options.retry_methods, options.max_attempts);
  if (!retry.ok()) return retry.status();
  if (options.load_balancing_policy.empty()) return retry;
  nlohmann::ordered_json config = nlohmann::ordered_json::parse(*retry);
  nlohmann::ordered_json policy = nlohmann::ordered_json::object();
  policy[options.load_balancing_policy] = nlohmann::ordered_json::object();
  config["loadBalancingConfig"] = nlohmann::ordered_json::array({std::move(policy)});
  const std::string json = config.dump();
  // An unknown policy name is refused here rather than making every call fail later.
  std::string error = ::grpc::experimental::ValidateServiceConfigJSON(json);
  if (!error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("load balancing policy \"", options.load_balancing_policy, "\": ", error));
  }
  return json;
}

absl::StatusOr<std::shared_ptr<::grpc::Channel>> MakeChannel(std::string_view target,
                                                             const ChannelOptions& options) {
  if (target.empty()) return absl::InvalidArgumentError("channel target is empty");
  absl::StatusOr<std::string> service_config = ChannelServiceConfig(options);
  if (!service_config.ok()) return service_config.status();
  absl::StatusOr<std::shared_ptr<::grpc::ChannelCredentials>> creds = Credentials(options.tls);
  if (!creds.ok()) return creds.status();

  ::grpc::ChannelArguments args;
  args.SetServiceConfigJSON(*service_config);
  // Our config is the whole truth; a name resolver must not replace the retry policy.
  args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive_time.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options.keepalive_timeout.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  if (options.initial_reconnect_backoff.count() > 0) {
    const int ms = static_cast<int>(options.initial_reconnect_backoff.count());
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, ms);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, ms);
  }
  if (options.max_reconnect_backoff.count() > 0) {
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                static_cast<int>(options.max_reconnect_backoff.count()));
  }
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  if (options.tls.enabled && !options.tls.server_name_override.empty()) {
    args.SetSslTargetNameOverride(options.tls.server_name_override);
  }
  return ::grpc::CreateCustomChannel(std::string(target), *creds, args);
}

void PrepareClientContext(::grpc::ClientContext& context, const CallContext* parent,
                          std::chrono::milliseconds default_timeout) {
  PrepareClientContext(context, parent, default_timeout,
                       parent != nullptr ? std::string_view(parent->caller().token) : "");
}

absl::Time PrepareClientContext(::grpc::ClientContext& context, const CallContext* parent,
                                std::chrono::milliseconds default_timeout,
                                std::string_view bearer_token) {
  absl::Time deadline = absl::Now() + absl::FromChrono(default_timeout);
  if (!bearer_token.empty()) {
    context.AddMetadata(std::string(kAuthorizationHeader), "Bearer " + std::string(bearer_token));
  }
  if (parent != nullptr) {
    deadline = std::min(deadline, parent->deadline() - kDeadlineMargin);
    if (!parent->request_id().empty()) {
      context.AddMetadata(std::string(kRequestIdHeader), parent->request_id());
    }
    if (!parent->trace().trace_id.empty()) {
      context.AddMetadata(std::string(kTraceparentHeader), parent->trace().Child().ToTraceparent());
    }
  }
  context.set_deadline(absl::ToChronoTime(deadline));
  return deadline;
}

}  // namespace integration::grpc
