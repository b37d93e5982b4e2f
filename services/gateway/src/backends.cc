// Backends: suite service discovery from the compiled descriptors, --backends parsing, one
// channel per backend and the connectivity watcher behind /readyz detail and backend_up.
#include "backends.h"

#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

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
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr char kHealthCheckMethod[] = "/grpc.health.v1.Health/Check";

// The status of a grpc.health.v1.HealthCheckResponse (field 1, an enum): "SERVING",
// "NOT_SERVING", "SERVICE_UNKNOWN" or "UNKNOWN". The health proto is not installed with gRPC,
// so the one field is read from the wire format.
std::string HealthStatusName(const std::string& response) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(response)) return "MALFORMED_RESPONSE";
  uint64_t status = 0;
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& f = fields.field(i);
    if (f.number() == 1 && f.type() == google::protobuf::UnknownField::TYPE_VARINT) {
      status = f.varint();
    }
  }
  switch (status) {
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

// "12s", "250ms", "3m" — short enough for a /readyz line.
std::string Age(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  if (d < absl::Seconds(1)) return absl::StrCat(absl::ToInt64Milliseconds(d), "ms");
  if (d < absl::Minutes(2)) return absl::StrCat(absl::ToInt64Seconds(d), "s");
  if (d < absl::Hours(2)) return absl::StrCat(absl::ToInt64Minutes(d), "m");
  return absl::StrCat(absl::ToInt64Hours(d), "h");
}

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

std::string DescribeBackend(const BackendState& s, absl::Time now) {
  std::string out = absl::StrCat("target ", s.target, "; channel ", Av(StateName(s.state)), " for ",
                                 Age(now - s.since), "; health ");
  if (s.health.empty()) {
    absl::StrAppend(&out, "not asked yet");
  } else {
    absl::StrAppend(&out, s.health, " ", Age(now - s.health_at), " ago");
  }
  if (!s.known) absl::StrAppend(&out, "; no proto compiled in, nothing exposed");
  return out;
}

// One health probe in flight: what its callback needs, alive until the callback ran.
struct Backends::Probe {
  ::grpc::ClientContext context;
  ::grpc::ByteBuffer request;
  ::grpc::ByteBuffer response;
};

struct Backends::Backend {
  BackendTarget target;
  bool known = false;
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::grpc::GenericStub> stub;
  prometheus::Gauge* up_gauge = nullptr;       // owned by the Metrics registry
  prometheus::Gauge* serving_gauge = nullptr;  // owned by the Metrics registry
  // Written by the watcher, read by States().
  mutable absl::Mutex mu;
  grpc_connectivity_state state ABSL_GUARDED_BY(mu) = GRPC_CHANNEL_IDLE;
  absl::Time since ABSL_GUARDED_BY(mu);
  bool observed ABSL_GUARDED_BY(mu) = false;
  // The last READY/failure state logged.
  grpc_connectivity_state logged ABSL_GUARDED_BY(mu) = GRPC_CHANNEL_IDLE;
  bool logged_once ABSL_GUARDED_BY(mu) = false;
  // Health probing: the last answer, and the probe in flight (null when none).
  std::string health ABSL_GUARDED_BY(mu);
  absl::Time health_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  std::shared_ptr<Probe> probe ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

absl::StatusOr<std::unique_ptr<Backends>> Backends::Create(
    std::vector<BackendTarget> targets, const grpc::ChannelOptions& channel_options,
    std::shared_ptr<metrics::Metrics> metrics, std::chrono::milliseconds watch_interval,
    std::chrono::milliseconds health_timeout) {
  if (watch_interval <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("the backend watch interval must be > 0");
  }
  if (health_timeout <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("the backend health timeout must be > 0");
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
      absl::StatusOr<prometheus::Gauge*> serving = metrics->Gauge(
          "backend_serving",
          "1 while the backend's last grpc.health.v1 answer to the gateway was SERVING",
          {{"service", t.service}});
      if (!serving.ok()) return serving.status();
      b->serving_gauge = *serving;
      b->serving_gauge->Set(0);
    }
    {
      absl::MutexLock lock(&b->mu);
      b->since = absl::Now();
    }
    b->target = std::move(t);
    backends.push_back(std::move(b));
  }
  // Not make_unique: the constructor is private.
  std::unique_ptr<Backends> out(new Backends(std::move(backends), watch_interval, health_timeout));
  out->watcher_ = std::thread([raw = out.get()] { raw->WatchLoop(); });
  return out;
}

Backends::Backends(std::vector<std::unique_ptr<Backend>> backends,
                   std::chrono::milliseconds interval, std::chrono::milliseconds health_timeout)
    : backends_(std::move(backends)), interval_(interval), health_timeout_(health_timeout) {}

Backends::~Backends() { Stop(); }

void Backends::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (watcher_.joinable() && watcher_.get_id() != std::this_thread::get_id()) watcher_.join();
  // The watcher is gone, so no new probe starts; the ones in flight are cancelled and their
  // callbacks (which touch the Backend) must have run before the Backend may go.
  for (const auto& b : backends_) {
    std::shared_ptr<Probe> in_flight;
    {
      absl::MutexLock lock(&b->mu);
      b->stopping = true;
      in_flight = b->probe;
    }
    // Unlocked: gRPC may run the probe's callback, which takes the lock, inside TryCancel.
    if (in_flight != nullptr) in_flight->context.TryCancel();
    in_flight.reset();
    absl::MutexLock lock(&b->mu);
    b->mu.Await(absl::Condition(
        +[](std::shared_ptr<Probe>* probe) { return *probe == nullptr; }, &b->probe));
  }
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

BackendState Backends::Snapshot(const Backend& b) {
  BackendState s;
  s.service = b.target.service;
  s.target = b.target.target;
  s.known = b.known;
  absl::MutexLock lock(&b.mu);
  s.state = b.state;
  s.up = b.state == GRPC_CHANNEL_READY;
  s.since = b.since;
  s.health = b.health;
  s.health_at = b.health_at;
  return s;
}

std::vector<BackendState> Backends::States() const {
  std::vector<BackendState> out;
  for (const auto& b : backends_) out.push_back(Snapshot(*b));
  return out;
}

std::optional<BackendState> Backends::State(std::string_view service) const {
  for (const auto& b : backends_) {
    if (b->target.service == service) return Snapshot(*b);
  }
  return std::nullopt;
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
  // Only a connected channel is worth asking: otherwise the probe would fail at once with what
  // the channel state already says, and the last real answer is more useful to keep.
  if (state == GRPC_CHANNEL_READY) StartProbe(b);
  if (log_it) {
    const log::Level level = state == GRPC_CHANNEL_READY ? log::Level::kInfo : log::Level::kWarning;
    log::Write(level, "backend_state",
               {{"backend", b.target.service},
                {"target", b.target.target},
                {"state", StateName(state)},
                {"previous", StateName(previous)}});
  }
}

void Backends::StartProbe(Backend& b) {
  auto probe = std::make_shared<Probe>();
  {
    absl::MutexLock lock(&b.mu);
    if (b.probe != nullptr || b.stopping) return;  // one at a time; none after Stop
    b.probe = probe;
  }
  probe->context.set_deadline(std::chrono::system_clock::now() + health_timeout_);
  // HealthCheckRequest{service: ""}: the empty message asks about the whole server.
  ::grpc::Slice empty("");
  probe->request = ::grpc::ByteBuffer(&empty, 1);
  // The callback runs on a gRPC thread; `b` outlives it because Stop() waits for the probe.
  b.stub->UnaryCall(&probe->context, kHealthCheckMethod, ::grpc::StubOptions(), &probe->request,
                    &probe->response, [&b, probe](::grpc::Status status) {
                      std::string bytes;
                      ::grpc::Slice slice;
                      if (status.ok() && probe->response.DumpToSingleSlice(&slice).ok()) {
                        bytes.assign(reinterpret_cast<const char*>(slice.begin()), slice.size());
                      }
                      FinishProbe(b, status, bytes);
                    });
}

void Backends::FinishProbe(Backend& b, const ::grpc::Status& status, const std::string& response) {
  const std::string health =
      status.ok() ? HealthStatusName(response) : std::string(status::CodeName(status.error_code()));
  const std::string service = b.target.service;
  std::string previous;
  bool first = false;
  {
    absl::MutexLock lock(&b.mu);
    previous = b.health;
    first = b.health.empty();
    b.health = health;
    b.health_at = absl::Now();
    b.probe.reset();  // last: Stop() may destroy `b` as soon as it sees no probe
    if (b.serving_gauge != nullptr) b.serving_gauge->Set(health == "SERVING" ? 1 : 0);
  }
  // `b` may be gone from here on: only locals below.
  if (health != previous && !(first && health == "SERVING")) {
    log::Write(health == "SERVING" ? log::Level::kInfo : log::Level::kWarning, "backend_health",
               {{"backend", service},
                {"health", health},
                {"previous", previous.empty() ? std::string("none") : previous}});
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
