// The admin HTTP endpoint: a handler on the shared HTTP server (integration/http) with one
// I/O thread.
#include "integration/metrics/admin_server.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "integration/http/server.h"
#include "integration/log/log.h"
#include "integration/text/utf8.h"

namespace integration::metrics {
namespace {

using http::Request;
using http::Response;

// An idle keep-alive connection is closed after this long (Prometheus scrapes every 15-60 s
// and reconnects cheaply); a started request must be complete within the same time.
constexpr std::chrono::seconds kIdleTimeout(75);
constexpr std::chrono::seconds kWriteTimeout(30);
// Admin requests carry no body worth reading; anything large is not ours.
constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr std::size_t kHeaderLimit = 16 * 1024;

// What the connections need to answer: alive as long as the AdminServer.
struct AdminHandler final : public http::Handler {
  std::shared_ptr<Metrics> metrics;
  std::vector<ReadinessCheck> checks;
  std::vector<ReadinessReport> reports;
  std::atomic<bool> shutting_down{false};
  // -1 unknown, 0 not ready, 1 ready: readiness changes are logged, steady state is not.
  std::atomic<int> last_ready{-1};

  void Handle(Request request, http::Responder respond) override { respond.Send(Answer(request)); }
  // Oversized or malformed requests are no kubelet's or Prometheus's: just close.
  std::optional<Response> Refuse(const http::Refusal&, const Request&) override {
    return std::nullopt;
  }

  Response Answer(const Request& request);
  Response Readiness();
};

Response MakeResponse(int status, std::string_view content_type, std::string body) {
  Response response;
  response.status = status;
  response.headers = {{"server", "integration-admin"},
                      {"content-type", std::string(content_type)},
                      {"cache-control", "no-store"}};
  response.body = std::move(body);
  return response;
}

}  // namespace

struct AdminServer::Impl {
  AdminHandler handler;

  absl::Mutex mu;  // serializes Start and Stop
  std::unique_ptr<http::Server> server ABSL_GUARDED_BY(mu);
  std::atomic<uint16_t> port{0};
};

Response AdminHandler::Answer(const Request& request) {
  std::string_view target = request.target;
  target = target.substr(0, target.find('?'));
  bool known = target == "/metrics" || target == "/healthz" || target == "/readyz";
  if (!known) return MakeResponse(404, "text/plain; charset=utf-8", "not found\n");
  if (request.method != "GET") {
    Response response = MakeResponse(405, "text/plain; charset=utf-8", "method not allowed\n");
    response.headers.emplace_back("allow", "GET");
    return response;
  }
  try {
    if (target == "/healthz") {
      return MakeResponse(200, "text/plain; charset=utf-8", "ok");
    }
    if (target == "/readyz") return Readiness();
    return MakeResponse(200, "text/plain; version=0.0.4; charset=utf-8", metrics->Serialize());
  } catch (const std::exception& e) {
    // A scrape hook or a check threw: answer, log, and keep serving.
    log::Error("admin_request_failed", {{"path", target}, {"error", e.what()}});
  } catch (...) {
    log::Error("admin_request_failed", {{"path", target}, {"error", "unknown exception"}});
  }
  return MakeResponse(500, "text/plain; charset=utf-8", "internal error\n");
}

namespace {

// One entry of the /readyz "checks" array.
nlohmann::ordered_json Check(std::string_view name, bool gating, const CheckResult& result) {
  // Texts can hold DSNs or hosts' credentials; the redacted text is enough to act on. Invalid
  // UTF-8 is replaced byte by byte, as in log lines.
  const std::string message = text::ToValidUtf8(log::Redact(result.message));
  nlohmann::ordered_json check = nlohmann::ordered_json::object();
  check["name"] = text::ToValidUtf8(name);
  check["ok"] = result.ok;
  check["gating"] = gating;
  check["message"] = message;
  if (!result.ok) check["error"] = message;
  return check;
}

// Runs `fn`, turning an exception into a failed result: a broken check must not take the admin
// thread down, and must show as failing.
template <class Fn>
CheckResult RunGuarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return CheckResult{false,
                       absl::InternalError(std::string("check threw: ") + e.what()).ToString()};
  } catch (...) {
    return CheckResult{false, absl::InternalError("check threw an unknown exception").ToString()};
  }
}

}  // namespace

Response AdminHandler::Readiness() {
  bool ready = !shutting_down.load();
  nlohmann::ordered_json checks_json = nlohmann::ordered_json::array();
  std::string failing;
  for (const ReadinessCheck& c : checks) {
    const CheckResult result = RunGuarded([&c] {
      const absl::Status status =
          c.check ? c.check() : absl::FailedPreconditionError("no check function");
      return status.ok() ? CheckResult{true, ""} : CheckResult{false, status.ToString()};
    });
    checks_json.push_back(Check(c.name, /*gating=*/true, result));
    if (result.ok) continue;
    ready = false;
    if (!failing.empty()) failing.append(",");
    failing.append(c.name);
  }
  // Reports never change `ready`: they are detail for the operator, not readiness.
  for (const ReadinessReport& r : reports) {
    const CheckResult result = RunGuarded([&r] {
      return r.report ? r.report() : CheckResult{false, "no report function"};
    });
    checks_json.push_back(Check(r.name, /*gating=*/false, result));
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  body["status"] = ready ? "ready" : "not_ready";
  if (shutting_down.load()) body["shutting_down"] = true;
  body["checks"] = std::move(checks_json);

  if (last_ready.exchange(ready ? 1 : 0) != (ready ? 1 : 0)) {
    log::Write(ready ? log::Level::kInfo : log::Level::kWarning, "readiness_changed",
               {{"ready", ready}, {"failing", failing}, {"shutting_down", shutting_down.load()}});
  }
  return MakeResponse(ready ? 200 : 503, "application/json", body.dump());
}

AdminServer::AdminServer(std::shared_ptr<Metrics> metrics, std::vector<ReadinessCheck> checks,
                         std::vector<ReadinessReport> reports)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler.metrics = metrics != nullptr ? std::move(metrics) : std::make_shared<Metrics>();
  impl_->handler.checks = std::move(checks);
  impl_->handler.reports = std::move(reports);
}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start(uint16_t port, std::string_view bind_address) {
  absl::MutexLock lock(&impl_->mu);
  if (impl_->server != nullptr) {
    return absl::FailedPreconditionError("admin server already started");
  }
  http::ServerOptions options;
  options.bind = std::string(bind_address);
  options.port = port;
  options.threads = 1;
  options.max_body_bytes = kBodyLimit;
  options.max_header_bytes = kHeaderLimit;
  // Headers within the default 10 s; scrapers keep their connection between scrapes.
  options.body_timeout = kIdleTimeout;
  options.idle_timeout = kIdleTimeout;
  options.write_timeout = kWriteTimeout;
  options.name = "admin";
  absl::StatusOr<std::unique_ptr<http::Server>> server =
      http::Server::Start(impl_->handler, std::move(options));
  if (!server.ok()) {
    return absl::Status(server.status().code(),
                        absl::StrCat("admin server: ", server.status().message()));
  }
  impl_->server = *std::move(server);
  const uint16_t bound = static_cast<uint16_t>(impl_->server->port());
  impl_->port.store(bound);
  log::Info("admin_server_started",
            {{"address", std::string(bind_address)}, {"port", static_cast<int>(bound)}});
  return absl::OkStatus();
}

void AdminServer::Stop() {
  absl::MutexLock lock(&impl_->mu);
  // Closes the listener and every connection and joins the I/O thread.
  impl_->server.reset();
  impl_->port.store(0);
}

uint16_t AdminServer::port() const { return impl_->port.load(); }

void AdminServer::SetShuttingDown() { impl_->handler.shutting_down.store(true); }

}  // namespace integration::metrics
