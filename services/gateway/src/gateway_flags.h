// The gateway's own settings (backends, Redis, rate limits, cache, HTTP front, log level),
// registered on the program's config::Flags beside grpc::ServerFlags and validated into one
// struct.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "backends.h"
#include "client_address.h"
#include "http_front.h"
#include "integration/config/flags.h"
#include "integration/grpc/client.h"
#include "integration/log/log.h"
#include "integration/redis/client.h"
#include "rate_limiter.h"
#include "static_site.h"

namespace integration::gateway {

struct GatewaySettings {
  std::vector<BackendTarget> backends;
  grpc::ChannelOptions channel;  // TLS of the backend channels
  // The client for rate limits and cache: short timeouts, because a call waits for it.
  redis::ClientOptions redis;
  RateLimits limits;
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For / Forwarded name the client
  std::chrono::milliseconds cache_ttl{30000};  // 0: no response cache
  // The event feed (WatchEvents, GET /v1/events:watch): how long a cursor stays valid, the
  // heartbeat of an idle watch, and how many events a watch may hold unsent.
  std::chrono::milliseconds events_retention{std::chrono::hours(24 * 7)};
  std::chrono::milliseconds events_heartbeat{15000};
  int64_t events_max_pending = 1000;
  bool http_enabled = true;                    // --http-port 0 turns the HTTP front off
  HttpFrontOptions http;
  // The web application; served when web.directory is set (and the HTTP front is on).
  StaticSiteOptions web;
  log::Level log_level = log::Level::kInfo;
};

// Registers --backends, --backend-tls, --backend-ca-file, --backend-cert-file,
// --backend-key-file, --backend-server-name, --redis-addr, --redis-password-file,
// --redis-timeout, --redis-pool-size, --rate-read, --rate-write, --rate-public, --rate-address,
// --trusted-proxies, --cache-ttl, --events-retention, --events-heartbeat, --events-max-pending,
// --http-host, --http-port, --http-threads, --http-max-body-bytes, --http-max-connections,
// --http-header-timeout, --http-body-timeout, --http-idle-timeout, --cors-origins,
// --public-base-url, --http-tls-cert-file, --http-tls-key-file, --http-tls-client-ca-file,
// --web-dir, --web-oidc-authority, --web-oidc-client-id and --log-level (each with its GATEWAY_* environment variable).
class GatewayFlags {
 public:
  explicit GatewayFlags(config::Flags& flags);

  // After flags.Parse(): the validated settings; errors name the setting and its variable.
  absl::StatusOr<GatewaySettings> Settings() const;

 private:
  std::string Label(std::string_view name) const;

  const config::Flags& flags_;
  std::string* backends_;
  bool* backend_tls_;
  std::string* backend_ca_file_;
  std::string* backend_cert_file_;
  std::string* backend_key_file_;
  std::string* backend_server_name_;
  std::string* redis_addr_;
  std::string* redis_password_file_;
  std::string* redis_user_;
  std::chrono::milliseconds* redis_timeout_;
  int64_t* redis_pool_size_;
  std::string* rate_read_;
  std::string* rate_write_;
  std::string* rate_public_;
  std::string* rate_address_;
  std::string* trusted_proxies_;
  std::chrono::milliseconds* cache_ttl_;
  std::chrono::milliseconds* events_retention_;
  std::chrono::milliseconds* events_heartbeat_;
  int64_t* events_max_pending_;
  std::string* http_host_;
  int64_t* http_port_;
  int64_t* http_threads_;
  int64_t* http_max_body_bytes_;
  int64_t* http_max_connections_;
  std::chrono::milliseconds* http_header_timeout_;
  std::chrono::milliseconds* http_body_timeout_;
  std::chrono::milliseconds* http_idle_timeout_;
  std::string* cors_origins_;
  std::string* public_base_url_;
  std::string* http_tls_cert_file_;
  std::string* http_tls_key_file_;
  std::string* http_tls_client_ca_file_;
  std::string* web_dir_;
  std::string* web_oidc_authority_;
  std::string* web_oidc_client_id_;
  std::string* log_level_;
};

}  // namespace integration::gateway
