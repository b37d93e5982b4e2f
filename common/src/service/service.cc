// Main() and Run(): flags, the `migrate` command, and `serve` with its start-up and shutdown
// order (pool, Redis, runtime, factory, start, relay ... shutdown, hooks, teardown).
#include "integration/service/service.h"

#include <grpcpp/impl/service_type.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "integration/grpc/process.h"
#include "integration/grpc/server_flags.h"
#include "integration/grpc/signals.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/outbox/outbox.h"
#include "integration/outbox/relay.h"
#include "integration/pg/bootstrap.h"
#include "integration/pg/dsn.h"
#include "integration/pg/migrate.h"
#include "integration/status/status.h"
#include "integration/store/store.h"
#include "process_metrics.h"
#include "settings.h"

// Read by LeakSanitizer in the dev (ASan) build only, and defined here because every service
// binary links this file. gRPC 1.51's c-ares resolver leaks a few bytes per resolved name,
// which would otherwise turn every clean exit of a dev build into exit status 1. Weak, so that
// a binary may define its own.
extern "C" __attribute__((weak)) const char* __lsan_default_suppressions() {
  return "leak:libcares.so\n";
}
extern "C" __attribute__((weak)) const char* __lsan_default_options() {
  return "print_suppressions=0";
}

namespace integration::service {
namespace {

constexpr std::string_view kRuntimeMigrationName = "0000_runtime";

// This Abseil's string_view is its own type, not std::string_view.
std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The outbox relay, once started. Shared with every nudge_outbox copy, which may outlive the
// relay; those calls then do nothing.
class RelayHolder {
 public:
  void Set(std::unique_ptr<outbox::Relay> relay) {
    absl::MutexLock lock(&mu_);
    relay_ = std::move(relay);
  }
  void Nudge() {
    absl::MutexLock lock(&mu_);
    if (relay_ != nullptr) relay_->Nudge();
  }
  std::optional<outbox::RelayStats> Stats() {
    absl::MutexLock lock(&mu_);
    if (relay_ == nullptr) return std::nullopt;
    return relay_->Stats();
  }
  // Finishes the batch in progress and stops publishing; the relay object stays (Nudge and
  // Stats remain valid) until Reset().
  void Stop() {
    outbox::Relay* relay;
    {
      absl::MutexLock lock(&mu_);
      relay = relay_.get();
    }
    // Not under mu_: joining may take a batch's time and Nudge() must not wait for it. Only
    // Reset() destroys the relay, and it runs after every close hook.
    if (relay != nullptr) relay->Stop();
  }
  void Reset() {
    std::unique_ptr<outbox::Relay> relay;
    {
      absl::MutexLock lock(&mu_);
      relay.swap(relay_);
    }
  }

 private:
  absl::Mutex mu_;
  std::unique_ptr<outbox::Relay> relay_ ABSL_GUARDED_BY(mu_);
};

// request_shutdown's target: a latch that Run() waits on.
class ShutdownLatch {
 public:
  void Trigger() {
    absl::MutexLock lock(&mu_);
    triggered_ = true;
  }
  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&triggered_));
  }

 private:
  absl::Mutex mu_;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
};

// Everything `serve` builds, torn down in the one safe order: the server (whose services must
// outlive it) first, then the services, the relay, Redis, and the pool they all used.
struct Process {
  std::shared_ptr<internal::ProcessMetrics> process_metrics;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<redis::Client> redis;
  std::shared_ptr<RelayHolder> relay = std::make_shared<RelayHolder>();
  std::unique_ptr<ServiceHandle> handle;
  std::unique_ptr<grpc::Runtime> runtime;

  Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    if (process_metrics != nullptr) process_metrics->Detach();
    // A runtime still running (a start-up failure after Start) stops here without drain.
    runtime.reset();
    handle.reset();
    relay->Stop();
    relay->Reset();
    redis.reset();
    if (pool != nullptr) {
      pool.reset();
      log::Info("postgres_pool_closed");
    }
  }
};

bool IsServiceName(std::string_view name) {
  if (name.empty() || !absl::ascii_islower(name.front()) || name.back() == '_') return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

absl::Status ValidateSpec(const ServiceSpec& spec) {
  if (!IsServiceName(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServiceSpec.name \"", spec.name, "\" must be a lower-case name ([a-z][a-z0-9_]*)"));
  }
  if (spec.binary.empty()) return absl::InvalidArgumentError("ServiceSpec.binary is empty");
  if (spec.default_grpc_port < 1 || spec.default_grpc_port > 65535 || spec.default_admin_port < 1 ||
      spec.default_admin_port > 65535) {
    return absl::InvalidArgumentError(
        "ServiceSpec.default_grpc_port and default_admin_port must be ports (1-65535)");
  }
  if (!spec.factory) return absl::InvalidArgumentError("ServiceSpec.factory is not set");
  return absl::OkStatus();
}

// The readiness check "schema": the schema's recorded migrations must reach the newest one this
// build contains. Once they do, it stays satisfied without asking again (migrations are never
// rolled back); while they do not, each change of the applied version is logged once.
class SchemaVersionCheck {
 public:
  SchemaVersionCheck(std::string schema, int required)
      : schema_(std::move(schema)), required_(required) {}

  absl::Status Check(pg::Pool& pool, std::chrono::milliseconds timeout) {
    if (satisfied_.load()) return absl::OkStatus();
    absl::StatusOr<int> applied = pool.TransactFor<int>(
        absl::Now() + absl::FromChrono(timeout),
        [&](pqxx::work& tx) { return pg::AppliedSchemaVersion(tx, schema_); });
    if (!applied.ok()) return applied.status();
    if (*applied >= required_) {
      satisfied_.store(true);
      log::Info("schema_version_ok", {{"schema", schema_}, {"version", *applied}});
      return absl::OkStatus();
    }
    const std::string message =
        *applied < 0
            ? absl::StrCat("schema ", schema_,
                           " has never been migrated; this build needs version ", required_,
                           ": run `migrate` first")
            : absl::StrCat("schema ", schema_, " is at version ", *applied, ", older than version ",
                           required_, " this build needs: run `migrate` first");
    if (last_logged_.exchange(*applied) != *applied) {
      log::Error("schema_too_old", {{"schema", schema_},
                                    {"applied", *applied},
                                    {"required", required_},
                                    {"error", message}});
    }
    return absl::FailedPreconditionError(message);
  }

 private:
  const std::string schema_;
  const int required_;
  std::atomic<bool> satisfied_{false};
  std::atomic<int> last_logged_{-2};
};

int MigrateCommand(const ServiceSpec& spec, const internal::Settings& settings, std::ostream& out,
                   std::ostream& err) {
  absl::StatusOr<std::vector<pg::SqlFile>> migrations = AllMigrations(spec.migrations);
  if (!migrations.ok()) {
    err << spec.binary << " migrate: " << migrations.status().message() << "\n";
    return kExitFailure;
  }
  std::map<std::string, std::string> extra = {{"application_name", spec.binary + " migrate"}};
  // Kubernetes shares one DSN between the server and the migration Job; the Job names its
  // own login (the migrator) and password.
  if (!settings.pg_migrate_user().empty()) extra["user"] = settings.pg_migrate_user();
  // An unreachable server must fail the Job instead of hanging it.
  if (auto parsed = pg::ParseDsn(settings.pg_dsn());
      parsed.ok() && !parsed->contains("connect_timeout")) {
    extra["connect_timeout"] = "10";
  }
  absl::StatusOr<std::string> dsn = pg::DsnWith(settings.pg_dsn(), extra);
  if (dsn.ok()) dsn = pg::DsnWithPasswordFile(*dsn, settings.pg_password_file());
  if (!dsn.ok()) {
    err << spec.binary << ": " << settings.Label("pg-dsn") << ": " << dsn.status().message()
        << "\n";
    return kExitUsage;
  }
  log::Info("migrate_started", {{"schema", spec.name}, {"database", pg::DescribeDsn(*dsn)}});
  // Objects are created by the schema's owner role, whatever login --pg-dsn names (the
  // migrator); the runtime role then gets its DML rights, the audit log append-only.
  pg::MigrateOptions options;
  options.owner_role = pg::OwnerRole(spec.name);
  options.lock_timeout = settings.pg_migrate_lock_timeout();
  std::vector<std::string> append_only = spec.append_only_tables;
  append_only.push_back(store::kAuditTable);
  options.finally_sql = pg::RuntimeAccessSql(spec.name, append_only);
  absl::StatusOr<pg::MigrationResult> result =
      pg::Migrate(*dsn, spec.name, *migrations, options);
  if (!result.ok()) {
    err << spec.binary << " migrate: " << result.status().message() << "\n";
    log::Error("migrate_failed", {{"schema", spec.name}, {"error", Sv(result.status().message())}});
    return kExitFailure;
  }
  for (const std::string& name : result->skipped) out << "skipped " << name << "\n";
  for (const std::string& name : result->applied) out << "applied " << name << "\n";
  out << "schema " << spec.name << ": " << result->applied.size() << " applied, "
      << result->skipped.size() << " already applied\n";
  out.flush();
  log::Info("migrate_finished", {{"schema", spec.name},
                                 {"applied", result->applied.size()},
                                 {"skipped", result->skipped.size()}});
  return kExitOk;
}

int ServeCommand(const ServiceSpec& spec, const config::Flags& flags,
                 const internal::Settings& settings, const grpc::ServerFlags& server_flags,
                 const RunOptions& run_options, std::ostream& err) {
  const absl::Time start = absl::Now();
  const auto fail = [&](int code, std::string_view message) {
    err << spec.binary << ": " << message << "\n";
    err.flush();
    log::Error("start_failed", {{"error", message}});
    return code;
  };

  absl::StatusOr<redis::ClientOptions> redis_options = settings.RedisOptions();
  if (!redis_options.ok()) return fail(kExitUsage, Sv(redis_options.status().message()));
  absl::StatusOr<grpc::ServerOptions> server_options = server_flags.Options(spec.name);
  if (!server_options.ok()) return fail(kExitUsage, Sv(server_options.status().message()));
  auto registry = std::make_shared<metrics::Metrics>();
  server_options->metrics = registry;

  Process p;
  pg::PoolOptions pool_options;
  pool_options.dsn = settings.pg_dsn();
  pool_options.size = settings.pg_pool_size();
  pool_options.acquire_timeout = settings.pg_acquire_timeout();
  pool_options.search_path = spec.name;
  pool_options.queries = spec.queries;
  pool_options.application_name = spec.binary;
  pool_options.password_file = settings.pg_password_file();
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(std::move(pool_options));
  if (!pool.ok()) {
    return fail(kExitUsage, absl::StrCat(settings.Label("pg-dsn"), ": ", pool.status().message()));
  }
  p.pool = *std::move(pool);
  absl::StatusOr<std::unique_ptr<redis::Client>> redis =
      redis::Client::Create(*std::move(redis_options));
  if (!redis.ok()) {
    return fail(kExitUsage,
                absl::StrCat(settings.Label("redis-addr"), ": ", redis.status().message()));
  }
  p.redis = *std::move(redis);

  absl::StatusOr<std::shared_ptr<internal::ProcessMetrics>> process_metrics =
      internal::ProcessMetrics::Register(*registry, spec.name);
  if (!process_metrics.ok()) return fail(kExitFailure, Sv(process_metrics.status().message()));
  p.process_metrics = *std::move(process_metrics);
  p.process_metrics->Attach(p.pool.get(), p.redis.get(),
                            [relay = p.relay] { return relay->Stats(); });

  absl::StatusOr<std::vector<pg::SqlFile>> migrations = AllMigrations(spec.migrations);
  if (!migrations.ok()) return fail(kExitFailure, Sv(migrations.status().message()));
  absl::StatusOr<int> required_version = pg::RequiredSchemaVersion(*migrations);
  if (!required_version.ok()) return fail(kExitFailure, Sv(required_version.status().message()));

  p.runtime = std::make_unique<grpc::Runtime>(*std::move(server_options));
  // New code never serves on an old schema: until `migrate` has applied every migration this
  // build has, the server stays unready (and says why), however healthy the database is.
  p.runtime->AddReadinessCheck(
      "schema", [check = std::make_shared<SchemaVersionCheck>(spec.name, *required_version),
                 pool = p.pool.get(),
                 timeout = settings.pg_acquire_timeout()] { return check->Check(*pool, timeout); });
  // Only PostgreSQL gates SERVING: without Redis the service still answers (events wait in
  // the outbox, caches are bypassed), so Redis trouble shows in the relay metrics instead.
  p.runtime->AddReadinessCheck("postgres",
                               [pool = p.pool.get(), timeout = settings.pg_acquire_timeout()] {
                                 return pool->Ping(timeout);
                               });
  // Registered before the factory runs, so the service's own close hooks (which run in
  // reverse order) finish before the relay stops.
  p.runtime->AddCloseHook("outbox_relay", [relay = p.relay] { relay->Stop(); });

  const Dependencies deps{spec,       *p.pool, *p.redis,
                          *p.runtime, flags,   [relay = p.relay] { relay->Nudge(); }};
  absl::StatusOr<std::unique_ptr<ServiceHandle>> handle = spec.factory(deps);
  if (!handle.ok()) {
    return fail(kExitFailure,
                absl::StrCat("cannot build the service: ", handle.status().message()));
  }
  if (*handle == nullptr) return fail(kExitFailure, "the service factory returned no handle");
  p.handle = *std::move(handle);

  if (absl::Status st = p.runtime->Start(); !st.ok()) {
    return fail(kExitFailure, absl::StrCat("cannot start the server: ", st.message()));
  }
  outbox::RelayOptions relay_options;
  relay_options.service = spec.name;
  relay_options.poll_interval = settings.outbox_poll_interval();
  relay_options.request_id_retention =
      std::chrono::duration_cast<std::chrono::seconds>(settings.request_id_retention());
  absl::StatusOr<std::unique_ptr<outbox::Relay>> relay =
      outbox::Relay::Start(*p.pool, *p.redis, std::move(relay_options));
  if (!relay.ok()) {
    return fail(kExitUsage, absl::StrCat(settings.Label("outbox-poll-interval"), ": ",
                                         relay.status().message()));
  }
  p.relay->Set(*std::move(relay));

  log::Info("serving", {{"grpc_port", p.runtime->port()},
                        {"admin_port", p.runtime->admin_port()},
                        {"schema", spec.name},
                        {"database", pg::DescribeDsn(settings.pg_dsn())},
                        {"redis", settings.redis_addr()},
                        {"stream", outbox::StreamName(spec.name)},
                        {"start_ms", absl::ToInt64Milliseconds(absl::Now() - start)}});

  auto latch = std::make_shared<ShutdownLatch>();
  const Running running{
      p.runtime->port(), p.runtime->admin_port(),      *p.runtime, *p.pool, *p.redis,
      *p.handle,         [latch] { latch->Trigger(); }};
  if (run_options.on_started) run_options.on_started(running);
  latch->Wait();
  // On this thread rather than the signal's, so nothing of the runtime is still in use when
  // Process tears it down.
  p.runtime->Shutdown(server_flags.drain_timeout());
  return kExitOk;
}

}  // namespace

ServiceHandle::~ServiceHandle() {
  // Services use the kept objects, so they go first; kept objects go in reverse order.
  services_.clear();
  while (!kept_.empty()) kept_.pop_back();
}

std::string EnvPrefix(std::string_view name) { return absl::AsciiStrToUpper(Av(name)); }

pg::SqlFile RuntimeMigration() {
  // Built once; the text is checksummed when applied, so its composition never changes.
  static const std::string kText =
      absl::StrCat(Av(outbox::OutboxTableSql()), "\n", Av(store::RuntimeTablesSql()));
  return pg::SqlFile{kRuntimeMigrationName.data(), kText.c_str()};
}

absl::StatusOr<std::vector<pg::SqlFile>> AllMigrations(
    std::span<const pg::SqlFile> service_migrations) {
  std::vector<pg::SqlFile> all;
  all.reserve(service_migrations.size() + 1);
  all.push_back(RuntimeMigration());
  for (const pg::SqlFile& file : service_migrations) {
    const std::string_view name = file.name != nullptr ? file.name : "";
    if (name.starts_with("0000")) {
      return status::InvalidField(
          "migrations",
          absl::StrCat("migration \"", Av(name),
                       "\" uses version 0000, which belongs to the runtime tables; number the "
                       "service's migrations from 0001"),
          "MIGRATION_RESERVED_VERSION");
    }
    all.push_back(file);
  }
  return all;
}

int Run(const ServiceSpec& spec, const std::vector<std::string>& args, const RunOptions& options) {
  std::ostream& out = options.out != nullptr ? *options.out : std::cout;
  std::ostream& err = options.err != nullptr ? *options.err : std::cerr;
  if (absl::Status st = ValidateSpec(spec); !st.ok()) {
    err << (spec.binary.empty() ? "service" : spec.binary) << ": " << st.message() << "\n";
    return kExitFailure;
  }
  log::SetService(spec.name);

  std::string description = spec.description.empty() ? "" : spec.description + "\n";
  absl::StrAppend(&description,
                  "Commands: serve (default) runs the server; migrate applies the migrations of "
                  "schema ",
                  spec.name, ".");
  config::Flags flags(spec.binary, EnvPrefix(spec.name), description);
  const grpc::ServerFlags server_flags(flags, spec.default_grpc_port, spec.default_admin_port);
  const internal::Settings settings(flags, spec.uses_redis);
  if (spec.register_flags) spec.register_flags(flags);

  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  argv.push_back(spec.binary.c_str());
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::vector<std::string> positional;
  absl::Status parsed =
      flags.Parse(static_cast<int>(argv.size()), argv.data(), &positional, options.environment);
  if (parsed.code() == absl::StatusCode::kCancelled) {  // --help
    out << parsed.message();
    out.flush();
    return kExitOk;
  }
  const auto usage_error = [&](std::string_view message) {
    err << spec.binary << ": " << message << "\n(run " << spec.binary
        << " --help for the list of settings)\n";
    err.flush();
    return kExitUsage;
  };
  if (!parsed.ok()) return usage_error(Sv(parsed.message()));
  if (positional.size() > 1) {
    return usage_error(absl::StrCat("expected at most one command, got ", positional.size()));
  }
  const std::string command = positional.empty() ? "serve" : positional.front();
  if (command != "serve" && command != "migrate") {
    return usage_error(
        absl::StrCat("unknown command \"", command, "\" (commands: serve, migrate)"));
  }
  absl::StatusOr<log::Level> level = settings.LogLevel();
  if (!level.ok()) return usage_error(Sv(level.status().message()));
  log::SetMinLevel(*level);
  if (absl::Status st = settings.ValidatePg(); !st.ok()) return usage_error(Sv(st.message()));

  if (command == "migrate") return MigrateCommand(spec, settings, out, err);
  return ServeCommand(spec, flags, settings, server_flags, options, err);
}

int Main(int argc, char** argv, const ServiceSpec& spec) {
  grpc::ConfigureProcess();
  // Before any thread exists, so that every thread inherits the blocked signals.
  grpc::SignalWaiter signals;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i] != nullptr ? argv[i] : "");
  RunOptions options;
  options.on_started = [&signals](const Running& running) {
    signals.Start([shutdown = running.request_shutdown](int) { shutdown(); });
  };
  return Run(spec, args, options);
}

}  // namespace integration::service
