// The gateway's settings: registration with defaults and help, validation into GatewaySettings.
#include "gateway_flags.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "integration/config/host_port.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

GatewayFlags::GatewayFlags(config::Flags& flags) : flags_(flags) {
  backends_ = flags.String(
      "backends", "",
      "the services behind the gateway: <service>=<host:port>,… e.g. "
      "\"training=127.0.0.1:50055,grants=127.0.0.1:50051\"; a service without a backend is "
      "not exposed");
  backend_tls_ = flags.Bool("backend-tls", false,
                            "TLS to the backends (plaintext is for loopback development only)");
  backend_ca_file_ = flags.String("backend-ca-file", "",
                                  "CA certificates (PEM) of the backends; empty: system roots");
  backend_cert_file_ =
      flags.String("backend-cert-file", "", "client certificate (PEM) for mutual TLS to backends");
  backend_key_file_ = flags.String("backend-key-file", "", "its private key (PEM)");
  backend_server_name_ = flags.String("backend-server-name", "",
                                      "name to verify in backend certificates instead of the host");
  redis_addr_ = flags.String("redis-addr", "127.0.0.1:6379",
                             "Redis host:port (rate limits, response cache, event streams)");
  redis_password_file_ =
      flags.String("redis-password-file", "", "file holding the Redis password (none: no AUTH)");
  redis_user_ = flags.String("redis-user", "",
                             "Redis ACL user of --redis-password-file (empty: the default user)");
  redis_timeout_ = flags.Duration(
      "redis-timeout", std::chrono::milliseconds(50),
      "connect and command timeout of the rate limit and cache look-ups; when Redis does not "
      "answer within it, the in-process limiter takes over and the cache is bypassed");
  redis_pool_size_ =
      flags.Int("redis-pool-size", 16, "most Redis connections open at once", 1, 1000);
  rate_read_ = flags.String("rate-read", "100/s burst 200",
                            "limit per caller of READ methods: \"<n>/<s|m|h> [burst <b>]\" "
                            "or \"off\"");
  rate_write_ = flags.String("rate-write", "20/s burst 40",
                             "limit per caller of WRITE methods (same format)");
  rate_public_ = flags.String("rate-public", "50/s burst 100",
                              "limit per caller (subject, or IP address without a token) of "
                              "PUBLIC methods (same format)");
  rate_address_ = flags.String(
      "rate-address", "200/s burst 400",
      "limit per client address of all calls, applied before the token is verified (same "
      "format); bounds what calls with bad tokens cost");
  trusted_proxies_ = flags.String(
      "trusted-proxies", "",
      "networks of the proxies in front of the gateway, comma separated (e.g. "
      "\"10.244.0.0/16,fd00::/8\"): only a peer in them may name the client in "
      "X-Forwarded-For or Forwarded; empty: the peer is the client");
  cache_ttl_ = flags.Duration("cache-ttl", std::chrono::seconds(30),
                              "lifetime of cached responses of cacheable methods; 0s: no cache");
  events_retention_ = flags.Duration(
      "events-retention", std::chrono::hours(24 * 7),
      "how long an event feed cursor stays valid (older: OUT_OF_RANGE CURSOR_EXPIRED); at most "
      "what the services' outboxes and the Redis streams keep");
  events_heartbeat_ = flags.Duration("events-heartbeat", std::chrono::seconds(15),
                                     "heartbeat of an idle event watch (keeps proxies from "
                                     "closing it, and moves its cursor on)");
  events_max_pending_ = flags.Int(
      "events-max-pending", 1000,
      "events a watch may hold unsent; one more ends it with RESOURCE_EXHAUSTED WATCH_TOO_SLOW", 2,
      1000000);
  http_host_ = flags.String("http-host", "0.0.0.0", "address of the HTTP/JSON listener");
  http_port_ = flags.Int("http-port", 8080, "HTTP/JSON port; 0 turns the HTTP front off", 0, 65535);
  http_threads_ = flags.Int("http-threads", 2, "I/O threads of the HTTP/JSON front", 1, 64);
  http_max_body_bytes_ = flags.Int("http-max-body-bytes", 1024 * 1024,
                                   "largest accepted HTTP request body", 1, 64 * 1024 * 1024);
  http_max_connections_ = flags.Int(
      "http-max-connections", 1024,
      "most HTTP client connections open at once; one more is answered 503 and closed (0: no "
      "cap)",
      0, 1000000);
  http_header_timeout_ = flags.Duration(
      "http-header-timeout", std::chrono::seconds(10),
      "time an HTTP client has to send a request's line and headers (from the accept, or from "
      "the first byte on a kept-alive connection); then the connection is closed");
  http_body_timeout_ = flags.Duration(
      "http-body-timeout", std::chrono::seconds(30),
      "time an HTTP client has to send a request's body once the headers are in");
  http_idle_timeout_ = flags.Duration(
      "http-idle-timeout", std::chrono::seconds(60),
      "time a kept-alive HTTP connection may wait for its next request");
  cors_origins_ =
      flags.String("cors-origins", "",
                   "browser origins allowed to call the HTTP API, comma separated, e.g. "
                   "\"https://kurs.lansstyrelsen.se\"; empty: no CORS");
  public_base_url_ = flags.String("public-base-url", "",
                                  "absolute base URL listed in /openapi.json; empty: \"/\"");
  http_tls_cert_file_ = flags.String("http-tls-cert-file", "",
                                     "certificate chain (PEM) of the HTTPS listener; empty: HTTP");
  http_tls_key_file_ = flags.String("http-tls-key-file", "", "its private key (PEM)");
  http_tls_client_ca_file_ = flags.String(
      "http-tls-client-ca-file", "", "CA (PEM) HTTPS clients' certificates must chain to (mTLS)");
  web_dir_ = flags.String("web-dir", "",
                          "built web application (web/dist) served under / on the HTTP front; "
                          "empty: none");
  web_oidc_authority_ =
      flags.String("web-oidc-authority", "",
                   "issuer URL of the OpenID provider the web application signs in with "
                   "(published in /config.json, allowed by its Content-Security-Policy)");
  web_oidc_client_id_ = flags.String("web-oidc-client-id", "",
                                     "the web application's client id at that provider");
  log_level_ = flags.String("log-level", "info",
                            "least severe log lines written: debug, info, warning or error");
}

std::string GatewayFlags::Label(std::string_view name) const {
  return absl::StrCat("setting --", Av(name), " (env ", flags_.EnvName(name), ")");
}

absl::StatusOr<GatewaySettings> GatewayFlags::Settings() const {
  GatewaySettings s;
  auto invalid = [this](std::string_view name, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(Label(name), ": ", why));
  };

  absl::StatusOr<std::vector<BackendTarget>> backends = ParseBackends(*backends_);
  if (!backends.ok()) return invalid("backends", backends.status().message());
  s.backends = *std::move(backends);

  s.channel.tls.enabled = *backend_tls_;
  s.channel.tls.ca_file = *backend_ca_file_;
  s.channel.tls.cert_file = *backend_cert_file_;
  s.channel.tls.key_file = *backend_key_file_;
  s.channel.tls.server_name_override = *backend_server_name_;
  if (!*backend_tls_ &&
      (!backend_ca_file_->empty() || !backend_cert_file_->empty() || !backend_key_file_->empty())) {
    return invalid("backend-tls", "TLS files are given but --backend-tls is off");
  }
  if (backend_cert_file_->empty() != backend_key_file_->empty()) {
    return invalid("backend-cert-file", "a client certificate needs --backend-key-file too");
  }

  if (!config::ParseHostPort(*redis_addr_, &s.redis.host, &s.redis.port)) {
    return invalid("redis-addr", absl::StrCat("\"", *redis_addr_, "\" is not host:port"));
  }
  if (!redis_password_file_->empty()) {
    std::ifstream in(*redis_password_file_, std::ios::binary);
    if (!in) {
      return invalid("redis-password-file",
                     absl::StrCat("cannot read \"", *redis_password_file_, "\""));
    }
    std::stringstream content;
    content << in.rdbuf();
    // Secret files usually end with a newline that is not part of the password.
    std::string password(absl::StripTrailingAsciiWhitespace(content.str()));
    if (password.empty()) {
      return invalid("redis-password-file",
                     absl::StrCat("\"", *redis_password_file_, "\" is empty"));
    }
    s.redis.password = std::move(password);
  }
  if (!redis_user_->empty()) {
    if (!s.redis.password.has_value()) {
      return invalid("redis-user", "needs --redis-password-file");
    }
    s.redis.username = *redis_user_;
  }
  if (*redis_timeout_ <= std::chrono::milliseconds::zero()) {
    return invalid("redis-timeout", "must be > 0");
  }
  s.redis.connect_timeout = *redis_timeout_;
  s.redis.command_timeout = *redis_timeout_;
  s.redis.acquire_timeout = *redis_timeout_;
  s.redis.pool_size = static_cast<int>(*redis_pool_size_);

  struct RateFlag {
    std::string_view name;
    const std::string* value;
    Rate* out;
  };
  for (const RateFlag& f : {RateFlag{"rate-read", rate_read_, &s.limits.read},
                            RateFlag{"rate-write", rate_write_, &s.limits.write},
                            RateFlag{"rate-public", rate_public_, &s.limits.public_},
                            RateFlag{"rate-address", rate_address_, &s.limits.address}}) {
    absl::StatusOr<Rate> rate = ParseRate(*f.value);
    if (!rate.ok()) return invalid(f.name, rate.status().message());
    *f.out = *rate;
  }

  absl::StatusOr<TrustedProxies> trusted = TrustedProxies::Parse(*trusted_proxies_);
  if (!trusted.ok()) return invalid("trusted-proxies", trusted.status().message());
  s.trusted_proxies = *std::move(trusted);

  if (*cache_ttl_ < std::chrono::milliseconds::zero()) return invalid("cache-ttl", "must be >= 0");
  s.cache_ttl = *cache_ttl_;
  if (*events_retention_ <= std::chrono::milliseconds::zero()) {
    return invalid("events-retention", "must be > 0");
  }
  s.events_retention = *events_retention_;
  if (*events_heartbeat_ <= std::chrono::milliseconds::zero()) {
    return invalid("events-heartbeat", "must be > 0");
  }
  s.events_heartbeat = *events_heartbeat_;
  s.events_max_pending = *events_max_pending_;

  s.http_enabled = *http_port_ != 0;
  s.http.bind = *http_host_;
  s.http.port = static_cast<int>(*http_port_);
  s.http.threads = static_cast<int>(*http_threads_);
  s.http.max_body_bytes = static_cast<size_t>(*http_max_body_bytes_);
  s.http.max_connections = static_cast<int>(*http_max_connections_);
  struct Timeout {
    std::string_view name;
    const std::chrono::milliseconds* value;
    std::chrono::milliseconds* out;
  };
  for (const Timeout& t :
       {Timeout{"http-header-timeout", http_header_timeout_, &s.http.header_timeout},
        Timeout{"http-body-timeout", http_body_timeout_, &s.http.body_timeout},
        Timeout{"http-idle-timeout", http_idle_timeout_, &s.http.idle_timeout}}) {
    if (*t.value <= std::chrono::milliseconds::zero()) return invalid(t.name, "must be > 0");
    *t.out = *t.value;
  }
  for (absl::string_view origin : absl::StrSplit(*cors_origins_, ',', absl::SkipWhitespace())) {
    std::string o(absl::StripAsciiWhitespace(origin));
    if (!(o.starts_with("https://") || o.starts_with("http://")) || o.ends_with("/")) {
      return invalid("cors-origins",
                     absl::StrCat("\"", o, "\" is not an origin like https://host[:port]"));
    }
    s.http.cors_origins.push_back(std::move(o));
  }
  s.http.public_base_url = *public_base_url_;
  s.http.tls.cert_file = *http_tls_cert_file_;
  s.http.tls.key_file = *http_tls_key_file_;
  s.http.tls.client_ca_file = *http_tls_client_ca_file_;
  if (s.http.tls.cert_file.empty() &&
      (!s.http.tls.key_file.empty() || !s.http.tls.client_ca_file.empty())) {
    return invalid("http-tls-cert-file", "a key or client CA file is given without a certificate");
  }
  if (!s.http.tls.cert_file.empty() && s.http.tls.key_file.empty()) {
    return invalid("http-tls-key-file", "required with --http-tls-cert-file");
  }

  s.web.directory = *web_dir_;
  s.web.oidc_authority = *web_oidc_authority_;
  s.web.oidc_client_id = *web_oidc_client_id_;
  if (!s.web.directory.empty() &&
      (s.web.oidc_authority.empty() || s.web.oidc_client_id.empty())) {
    return invalid(s.web.oidc_authority.empty() ? "web-oidc-authority" : "web-oidc-client-id",
                   "required with --web-dir (learners sign in through it)");
  }

  const std::string level = absl::AsciiStrToLower(*log_level_);
  if (level == "debug") {
    s.log_level = log::Level::kDebug;
  } else if (level == "info") {
    s.log_level = log::Level::kInfo;
  } else if (level == "warning" || level == "warn") {
    s.log_level = log::Level::kWarning;
  } else if (level == "error") {
    s.log_level = log::Level::kError;
  } else {
    return invalid("log-level",
                   absl::StrCat("\"", *log_level_, "\" is not debug, info, warning or error"));
  }
  return s;
}

}  // namespace integration::gateway
