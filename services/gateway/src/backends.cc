// Backends: suite service discovery from the compiled descriptors, --backends parsing, one
// channel per backend and the connectivity watcher behind /readyz detail and backend_up.
#include "backends.h"

#include <google/protobuf/descriptor_database.h>
#include <grpcpp/channel.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsStem(std::string_view s) {
  if (s.empty() || !absl::ascii_islower(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::string ServiceStem(const google::protobuf::ServiceDescriptor& service) {
  std::string_view package = service.file()->package();
  if (!package.starts_with(kSuitePackagePrefix)) return "";
  package.remove_prefix(kSuitePackagePrefix.size());
  const size_t dot = package.find('.');
  if (dot == std::string_view::npos) return "";
  const std::string_view stem = package.substr(0, dot);
  const std::string_view version = package.substr(dot + 1);
  // Only versioned packages (v1, v2, v1beta1) of one segment are services of the suite;
  // lansstyrelsen.integration.auth.v1 has no service, type.v1 neither.
  if (!IsStem(stem) || version.size() < 2 || version.front() != 'v' ||
      !absl::ascii_isdigit(static_cast<unsigned char>(version[1])) ||
      version.find('.') != std::string_view::npos) {
    return "";
  }
  return std::string(stem);
}

std::vector<const google::protobuf::ServiceDescriptor*> SuiteServices() {
  // The generated pool offers no enumeration; its backing database (every file registered by
  // the linked generated code) does.
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const std::string& name : files) {
    if (!name.starts_with("lansstyrelsen/integration/")) continue;
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->service_count(); ++i) {
      if (!ServiceStem(*file->service(i)).empty()) services.push_back(file->service(i));
    }
  }
  std::sort(services.begin(), services.end(),
            [](const auto* a, const auto* b) { return a->full_name() < b->full_name(); });
  return services;
}

absl::StatusOr<std::vector<BackendTarget>> ParseBackends(std::string_view spec) {
  std::vector<BackendTarget> out;
  std::set<std::string> seen;
  for (absl::string_view raw : absl::StrSplit(Av(spec), ',', absl::SkipWhitespace())) {
    const absl::string_view item = absl::StripAsciiWhitespace(raw);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("backend \"", item, "\" is not <service>=<host:port>"));
    }
    std::string name(absl::StripAsciiWhitespace(item.substr(0, eq)));
    std::string target(absl::StripAsciiWhitespace(item.substr(eq + 1)));
    if (!IsStem(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "backend \"", item, "\": the service must be a package stem like \"training\""));
    }
    if (target.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("backend \"", item, "\" has no target"));
    }
    if (name == kGatewayStem) {
      return absl::InvalidArgumentError("the gateway serves its own service; it is no backend");
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("backend \"", name, "\" is given twice"));
    }
    out.push_back({std::move(name), std::move(target)});
  }
  return out;
}

std::string_view StateName(grpc_connectivity_state state) {
  switch (state) {
    case GRPC_CHANNEL_IDLE:
      return "IDLE";
    case GRPC_CHANNEL_CONNECTING:
      return "CONNECTING";
    case GRPC_CHANNEL_READY:
      return "READY";
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
      return "TRANSIENT_FAILURE";
    case GRPC_CHANNEL_SHUTDOWN:
      return "SHUTDOWN";
  }
  return "UNKNOWN";
}

struct Backends::Backend {
  BackendTarget target;
  bool known = false;
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::grpc::GenericStub> stub;
  prometheus::Gauge* up_gauge = nullptr;  // owned by the Metrics registry
  // Written by the watcher, read by States().
  mutable absl::Mutex mu;
  grpc_connectivity_state state ABSL_GUARDED_BY(mu) = GRPC_CHANNEL_IDLE;
  absl::Time since ABSL_GUARDED_BY(mu);
  bool observed ABSL_GUARDED_BY(mu) = false;
  // The last READY/failure state logged.
  grpc_connectivity_state logged ABSL_GUARDED_BY(mu) = GRPC_CHANNEL_IDLE;
  bool logged_once ABSL_GUARDED_BY(mu) = false;
};

absl::StatusOr<std::unique_ptr<Backends>> Backends::Create(
    std::vector<BackendTarget> targets, const grpc::ChannelOptions& channel_options,
    std::shared_ptr<metrics::Metrics> metrics, std::chrono::milliseconds watch_interval) {
  if (watch_interval <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("the backend watch interval must be > 0");
  }
  std::set<std::string> known;
  for (const auto* service : SuiteServices()) known.insert(ServiceStem(*service));
  std::vector<std::unique_ptr<Backend>> backends;
  for (BackendTarget& t : targets) {
    auto b = std::make_unique<Backend>();
    absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel =
        grpc::MakeChannel(t.target, channel_options);
    if (!channel.ok()) {
      return absl::Status(channel.status().code(),
                          absl::StrCat("backend ", t.service, ": ", channel.status().message()));
    }
    b->channel = *std::move(channel);
    b->stub = std::make_unique<::grpc::GenericStub>(b->channel);
    b->known = known.contains(t.service);
    if (!b->known) {
      // Tolerated so that a deployment can list a backend before this build knows its proto;
      // its methods are simply not exposed.
      log::Warn("backend_without_proto", {{"backend", t.service}, {"target", t.target}});
    }
    if (metrics != nullptr) {
      absl::StatusOr<prometheus::Gauge*> gauge =
          metrics->Gauge("backend_up", "1 while the gateway's channel to the backend is connected",
                         {{"service", t.service}});
      if (!gauge.ok()) return gauge.status();
      b->up_gauge = *gauge;
      b->up_gauge->Set(0);
    }
    {
      absl::MutexLock lock(&b->mu);
      b->since = absl::Now();
    }
    b->target = std::move(t);
    backends.push_back(std::move(b));
  }
  // Not make_unique: the constructor is private.
  std::unique_ptr<Backends> out(new Backends(std::move(backends), watch_interval));
  out->watcher_ = std::thread([raw = out.get()] { raw->WatchLoop(); });
  return out;
}

Backends::Backends(std::vector<std::unique_ptr<Backend>> backends,
                   std::chrono::milliseconds interval)
    : backends_(std::move(backends)), interval_(interval) {}

Backends::~Backends() { Stop(); }

void Backends::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (watcher_.joinable() && watcher_.get_id() != std::this_thread::get_id()) watcher_.join();
}

::grpc::GenericStub* Backends::Stub(std::string_view service) const {
  for (const auto& b : backends_) {
    if (b->target.service == service) return b->stub.get();
  }
  return nullptr;
}

std::vector<std::string> Backends::Services() const {
  std::vector<std::string> out;
  for (const auto& b : backends_) out.push_back(b->target.service);
  return out;
}

std::vector<BackendState> Backends::States() const {
  std::vector<BackendState> out;
  for (const auto& b : backends_) {
    BackendState s;
    s.service = b->target.service;
    s.target = b->target.target;
    s.known = b->known;
    absl::MutexLock lock(&b->mu);
    s.state = b->state;
    s.up = b->state == GRPC_CHANNEL_READY;
    s.since = b->since;
    out.push_back(std::move(s));
  }
  return out;
}

std::string Backends::Summary() const {
  std::string out;
  for (const BackendState& s : States()) {
    if (!out.empty()) out.append(" ");
    absl::StrAppend(&out, s.service, "=", Av(StateName(s.state)));
  }
  return out;
}

void Backends::Observe(Backend& b) {
  // try_to_connect: an idle channel (never used, or idle for long) starts connecting, so the
  // state shown is the backend's, not the gateway's traffic pattern.
  const grpc_connectivity_state state = b.channel->GetState(/*try_to_connect=*/true);
  if (state == GRPC_CHANNEL_TRANSIENT_FAILURE) {
    // gRPC's exponential backoff grows to two minutes; a backend that restarted must be used
    // again promptly, so the next attempt is at most one watch interval away.
    ::grpc::experimental::ChannelResetConnectionBackoff(b.channel.get());
  }
  // CONNECTING and IDLE come and go between attempts; what operators need is the move between
  // READY and a failure, once, not every reconnect cycle of a backend that stays down.
  const bool settled = state != GRPC_CHANNEL_CONNECTING && state != GRPC_CHANNEL_IDLE;
  bool log_it = false;
  grpc_connectivity_state previous;
  {
    absl::MutexLock lock(&b.mu);
    if (!b.observed || b.state != state) {
      b.state = state;
      b.since = absl::Now();
    }
    b.observed = true;
    previous = b.logged;
    if (settled && (!b.logged_once || b.logged != state)) {
      log_it = true;
      b.logged = state;
      b.logged_once = true;
    }
  }
  if (b.up_gauge != nullptr) b.up_gauge->Set(state == GRPC_CHANNEL_READY ? 1 : 0);
  if (log_it) {
    const log::Level level = state == GRPC_CHANNEL_READY ? log::Level::kInfo : log::Level::kWarning;
    log::Write(level, "backend_state",
               {{"backend", b.target.service},
                {"target", b.target.target},
                {"state", StateName(state)},
                {"previous", StateName(previous)}});
  }
}

void Backends::WatchLoop() {
  while (true) {
    for (const auto& b : backends_) Observe(*b);
    absl::MutexLock lock(&mu_);
    const absl::Time wake = absl::Now() + absl::FromChrono(interval_);
    while (!stopping_ && absl::Now() < wake) wake_.WaitWithDeadline(&mu_, wake);
    if (stopping_) return;
  }
}

}  // namespace integration::gateway
