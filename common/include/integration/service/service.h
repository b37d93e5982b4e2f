// The one entry point of every service binary: flags, `migrate`, and `serve` (pools, outbox
// relay, gRPC runtime, admin port, graceful shutdown), so that a service's main.cc is wiring only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/config/flags.h"
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "integration/pg/sql_file.h"
#include "integration/redis/client.h"

namespace integration::service {

// Process exit codes of Main() and Run().
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // migration failed, port taken, factory failed, ...
inline constexpr int kExitUsage = 2;    // a bad or missing setting, an unknown command

// The objects a service's factory builds: the callback services registered with the runtime
// and whatever they use (repositories, clients, consumers). Destroyed after the server has
// stopped and the close hooks ran, and before the outbox relay, the Redis client and the
// PostgreSQL pool: services first, then the kept objects in reverse order of Keep().
// A service may also derive from it and hold its objects as members.
class ServiceHandle {
 public:
  ServiceHandle() = default;
  virtual ~ServiceHandle();
  ServiceHandle(const ServiceHandle&) = delete;
  ServiceHandle& operator=(const ServiceHandle&) = delete;

  // Registers `service` with `runtime` under GeneratedService's full name (whose descriptor
  // supplies the methods and access policies) and owns it. Returns the service, or the
  // runtime's error (no compiled descriptor, added twice, after Start).
  template <class GeneratedService, class Impl>
  absl::StatusOr<Impl*> AddService(grpc::Runtime& runtime, std::unique_ptr<Impl> service) {
    Impl* raw = service.get();
    absl::Status st = runtime.AddService<GeneratedService>(raw);
    if (!st.ok()) return st;
    services_.push_back(std::move(service));
    return raw;
  }

  // Keeps `object` alive as long as the services that use it.
  template <class T>
  T* Keep(std::unique_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::shared_ptr<void>(std::move(object)));
    return raw;
  }
  template <class T>
  T* Keep(std::shared_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::move(object));
    return raw;
  }

  size_t service_count() const { return services_.size(); }

 private:
  std::vector<std::unique_ptr<::grpc::Service>> services_;
  std::vector<std::shared_ptr<void>> kept_;
};

struct ServiceSpec;

// What the factory gets. spec, pool, redis and flags stay valid until the handle has been
// destroyed. The runtime is destroyed just before the handle (its services must outlive it), so
// destructors of the handle's objects must not use it.
struct Dependencies {
  const ServiceSpec& spec;
  // search_path = the service schema, the spec's queries prepared on every connection.
  pg::Pool& pool;
  // The service's Redis (also used by the outbox relay). Calls fail with UNAVAILABLE while
  // Redis is down; the service must keep serving (cache bypass, events wait in the outbox).
  redis::Client& redis;
  // Not started yet: register services (ServiceHandle::AddService), readiness checks and
  // close hooks. Close hooks added here run before the relay stops and the pools close.
  grpc::Runtime& runtime;
  // Parsed; the values of the settings registered by spec.register_flags are set.
  const config::Flags& flags;
  // Asks the outbox relay to publish now instead of at its next poll; call after committing
  // a transaction that enqueued events. Cheap, thread-safe, and safe to copy and call at any
  // time (a no-op before the relay started and after it stopped).
  std::function<void()> nudge_outbox;
};

using Factory = std::function<absl::StatusOr<std::unique_ptr<ServiceHandle>>(const Dependencies&)>;

// Everything that differs between service binaries.
struct ServiceSpec {
  // The stem ("training", "early_measures"): PostgreSQL schema, log "service" field, error
  // domain (status::DomainOf), metric label, Redis stream integration.events.<name>, and
  // upper-cased the environment prefix (TRAINING_PG_DSN, EARLY_MEASURES_PG_DSN). The DSN names
  // the login: pg::ServiceRole(name) ("training_svc") for `serve`, pg::MigratorRole(name)
  // ("training_migrator") for `migrate`, which acts as pg::OwnerRole(name) (pg/bootstrap.h).
  std::string name;
  // The binary ("training-server"): usage text and PostgreSQL application_name.
  std::string binary;
  // One line for --help.
  std::string description;
  // Local defaults of --grpc-port and --admin-port (README port table, services.tsv);
  // Kubernetes overrides them through the environment.
  int default_grpc_port = 0;
  int default_admin_port = 0;
  // The service's migrations, "0001_…" onwards (integration_embed_sql of
  // sql/migrations); `migrate` applies RuntimeMigration() ("0000_runtime") before them.
  std::span<const pg::SqlFile> migrations;
  // Tables of the service's own migrations the server may only read and append to, like the
  // audit log (store::kAuditTable, always append-only): `migrate` revokes UPDATE, DELETE and
  // TRUNCATE on them from the runtime role after every run.
  std::vector<std::string> append_only_tables;
  // Named prepared statements (integration_embed_sql of sql/queries).
  std::span<const pg::SqlFile> queries;
  // Whether the service uses Redis itself (cache, rate limits) and not only through the
  // outbox relay: sizes the Redis pool (--redis-pool-size default 8 instead of 2). Redis never
  // gates readiness either way: a service keeps serving while Redis is down.
  bool uses_redis = false;
  // Registers the service's own settings on the program's flags; keep the returned pointers
  // (e.g. in a struct shared with the factory) and read them in the factory.
  std::function<void(config::Flags&)> register_flags;
  // Builds the service objects and registers them with deps.runtime. An error stops start-up
  // (exit 1) with its message.
  Factory factory;
};

// The environment prefix of a service stem: "early_measures" -> "EARLY_MEASURES".
std::string EnvPrefix(std::string_view name);

// The synthetic first migration of every service schema: "0000_runtime", the outbox tables
// (outbox::OutboxTableSql) followed by the audit and request-id tables
// (store::RuntimeTablesSql). Its text never changes once released.
pg::SqlFile RuntimeMigration();

// RuntimeMigration() followed by `service_migrations`, as `migrate` applies them.
// INVALID_ARGUMENT (reason MIGRATION_RESERVED_VERSION) when a service migration uses version
// 0000, which belongs to the runtime.
absl::StatusOr<std::vector<pg::SqlFile>> AllMigrations(
    std::span<const pg::SqlFile> service_migrations);

// The running server, handed to RunOptions::on_started.
struct Running {
  int grpc_port = 0;   // the bound port (the picked one for --grpc-port=0)
  int admin_port = 0;  // 0 when the admin server is off (--admin-port=0)
  grpc::Runtime& runtime;
  pg::Pool& pool;
  redis::Client& redis;
  ServiceHandle& handle;
  // Starts the graceful shutdown a SIGTERM starts (NOT_SERVING, notice delay, drain, close
  // hooks), after which Run() returns kExitOk. Copyable, thread-safe, idempotent, and safe to
  // call even after Run() returned.
  std::function<void()> request_shutdown;
};

struct RunOptions {
  // Replaces the process environment when parsing the flags (tests); null reads the real one.
  const std::map<std::string, std::string>* environment = nullptr;
  // `serve` only: called on Run()'s thread once the server listens and the relay runs; Run()
  // then waits for request_shutdown. The Running object lives until Run() returns.
  std::function<void(const Running&)> on_started;
  // Help text and migration results; null: stdout.
  std::ostream* out = nullptr;
  // Start-up errors; null: stderr.
  std::ostream* err = nullptr;
};

// Runs one command of a service binary; `args` are the command-line arguments without the
// program name. Commands:
//   serve (default)  listen until request_shutdown (Main(): SIGTERM/SIGINT), then exit 0.
//   migrate          apply AllMigrations(spec.migrations) to schema spec.name over --pg-dsn
//                    (the migrator login) as the owner role, then give the runtime role its
//                    rights (pg::RuntimeAccessSql, the audit log append-only), print
//                    "applied <name>" / "skipped <name>" lines, exit 0. Exit 1 when the login
//                    may not act as the owner (e.g. the runtime role's DSN).
// --help prints every setting with its environment variable and exits 0. A bad or missing
// setting exits 2 with a message naming the flag and its variable; other failures exit 1.
// Settings (besides those of grpc::ServerFlags and spec.register_flags): --pg-dsn (required,
// secret), --pg-migrate-user (the login of `migrate` when the DSN names another),
// --pg-pool-size, --pg-acquire-timeout, --redis-addr, --redis-password-file, --redis-pool-size,
// --outbox-poll-interval, --request-id-retention, --log-level.
int Run(const ServiceSpec& spec, const std::vector<std::string>& args,
        const RunOptions& options = {});

// main() of a service binary: blocks SIGTERM/SIGINT before any thread starts, runs Run() with
// the process's arguments and environment, and turns the first signal into request_shutdown
// (a second one exits at once). Usage:
//   int main(int argc, char** argv) { return integration::service::Main(argc, argv, Spec()); }
int Main(int argc, char** argv, const ServiceSpec& spec);

}  // namespace integration::service
