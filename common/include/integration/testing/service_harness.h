// An in-process service for service, integration and e2e tests: a fresh (or shared) test
// database with the service's schema and role, a JWKS and a signing key for tokens, `migrate`,
// then `serve` on a free port (service::Run on a thread) that can be stopped and restarted on
// the same port, a movable clock and direct SQL; plus the status helpers every test uses to
// look at a failed call.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/auth/subject_pseudonym.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"
#include "integration/testing/temp_dir.h"

namespace integration::testing {

// A service's "now" in tests: real time plus an offset the test moves forward. Thread-safe.
class TestClock {
 public:
  absl::Time Now() const;
  void Advance(absl::Duration by);
  void Reset();

 private:
  mutable absl::Mutex mu_;
  absl::Duration offset_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
};

// The ErrorInfo reason of a failed call ("" when none), the fields of its BadRequest and the
// ErrorInfo metadata.
std::string ReasonOf(const ::grpc::Status& status);
std::vector<std::string> ViolationFieldsOf(const ::grpc::Status& status);
std::map<std::string, std::string> MetadataOf(const ::grpc::Status& status);
// Printed in assertion messages: "CODE: message [REASON] fields: ...".
std::string Describe(const ::grpc::Status& status);

// A fresh Ed25519 key: its PKCS#8 private PEM and SubjectPublicKeyInfo public PEM.
absl::Status NewEd25519Key(std::string* private_pem, std::string* public_pem);
absl::Status WriteFile(const std::string& path, const std::string& content);
// A subject key ring (SubjectPseudonymiser::Parse) with one fresh random key, id "test-1".
std::string NewSubjectKeyRing();

// The tenant claims of a test token.
struct Claims {
  std::string lan;     // county roles
  std::string kommun;  // municipality_officer
  std::string orgnr;   // organisation_rep
  std::string agency;  // agency_system
  std::vector<std::string> scopes;  // agency_system: the scopes it was granted
};

// The key id of the harness's signing key in the JWKS it writes (for services that sign
// tokens of their own with HarnessOptions::jwt_key_pem, e.g. a service token).
inline constexpr char kHarnessJwtKid[] = "integration-test-key";

struct HarnessOptions {
  std::string issuer = "https://issuer.integration.test";
  std::string audience = "integration-test";
  // Files written into the temporary directory before the server starts (name -> content).
  std::map<std::string, std::string> files;
  // Service-specific `serve` arguments; "{dir}" is replaced by the temporary directory.
  std::vector<std::string> extra_args;
  // The database to bootstrap the service's schema and role in, shared with other harnesses
  // (several services in one database, as in production); null: a fresh one of its own. It is
  // dropped when its last holder lets go.
  std::shared_ptr<TestDatabase> database;
  // "host:port" of the Redis the service uses; empty: the test Redis (RedisHost/RedisPort).
  std::string redis_addr;
  // The PKCS#8 PEM key tokens are signed with (e.g. another harness's jwt_key_pem(), so that
  // several services accept the same tokens); empty: a fresh Ed25519 key.
  std::string jwt_key_pem;
  // `serve`'s --drain-timeout.
  std::string drain_timeout = "5s";
  // The key ring of the subjects' pseudonyms (--subject-key-file), shared by every service
  // (and the gateway) that must name one caller alike; empty: NewSubjectKeyRing().
  std::string subject_keys;
  // The service's binary (e.g. build/dev/services/grants/grants-server): `serve` then runs as a
  // child process of it rather than on a thread, so that a test can kill it as an orchestrator
  // or the kernel would (Kill, Terminate); its output goes to <temp dir>/server.log. `migrate`
  // still runs in-process. Empty: in-process.
  std::string binary;
};

class ServiceHarness {
  struct PassKey {};

 public:
  explicit ServiceHarness(PassKey) {}
  // Creates the database (TestDatabase; or takes options.database), bootstraps schema and
  // role `spec.name`, writes the JWKS, runs `migrate` and then `serve` with the test Redis (or
  // options.redis_addr), and returns once the server listens (on_started). Readiness of the
  // service's own checks is the caller's to wait for (WaitServing).
  static absl::StatusOr<std::unique_ptr<ServiceHarness>> Start(service::ServiceSpec spec,
                                                               HarnessOptions options = {});
  // Stops the server (graceful shutdown) and drops the database (unless shared and still held).
  ~ServiceHarness();
  ServiceHarness(const ServiceHarness&) = delete;
  ServiceHarness& operator=(const ServiceHarness&) = delete;

  // Graceful shutdown (as on SIGTERM), joined. Idempotent; the database stays. A child process
  // (HarnessOptions::binary) gets SIGTERM and, should it not exit within its drain timeout and
  // 10 s more, SIGKILL.
  void Stop();
  // Child process only: SIGKILL (no drain, nothing flushed) and reaped. Idempotent; Restart
  // starts it again. In-process servers cannot be killed: a failed test assertion.
  void Kill();
  // Child process only: SIGTERM, returning at once (Stop waits for the exit); the server drains
  // as deployed. The pid, -1 when no child runs.
  void Terminate();
  int pid() const;
  // `serve` again (after Stop) on the gRPC port it had, so that channel() and whoever was
  // given target() reach it again; returns once it listens (see WaitServing for readiness).
  absl::Status Restart();

  // The service's name (and schema).
  const std::string& name() const { return schema_; }
  const std::string& target() const { return target_; }
  std::shared_ptr<::grpc::Channel> channel() const { return channel_; }
  int admin_port() const;
  // Waits until grpc.health.v1.Health/Check for `service` (the overall "" by default) answers
  // SERVING; the last answer as an error after `timeout`.
  absl::Status WaitServing(absl::Duration timeout, const std::string& service = "") const;

  // A bearer token of `role` for `subject` with `claims`, valid for two hours.
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const;
  // What the service names the caller of a token for `subject` (and `role`): the pseudonym
  // under the current key of the harness's key ring, as in its records and responses.
  std::string Subject(const std::string& subject, const std::string& role = "") const;
  // A client context with a 20 s deadline and, when given, the token.
  static std::unique_ptr<::grpc::ClientContext> Context(const std::string& token);

  // Runs `sql` as superuser with search_path = the service's schema.
  pqxx::result Query(const std::string& sql);
  // The single value of a one-row, one-column query; -1 when NULL or not one row.
  int64_t Count(const std::string& sql);
  // Empties every table of the schema (except schema_migrations), identities restarted.
  void Truncate();

  const std::string& temp_dir() const { return dir_->path(); }
  const std::string& admin_dsn() const { return db_->dsn(); }
  // The logins the server runs as (<schema>_svc) and its migrations ran as (<schema>_migrator).
  const std::string& service_dsn() const { return service_dsn_; }
  const std::string& migrator_dsn() const { return migrator_dsn_; }
  const std::string& jwks_file() const { return jwks_file_; }
  const std::string& jwt_key_pem() const { return jwt_key_pem_; }
  const std::string& subject_keys() const { return subject_keys_; }
  const HarnessOptions& options() const { return options_; }
  // Start-up errors and output so far (for assertion messages).
  std::string ServerOutput() const;

 private:
  absl::Status Launch();
  // `serve` on `grpc_port` (0: a free one) on server_thread_; returns once it listens.
  absl::Status Serve(int grpc_port);
  // Serve for HarnessOptions::binary: the child process, on `grpc_port` (0: a free one).
  absl::Status Spawn(int grpc_port, std::vector<std::string> args);
  // Waits for the child to exit (SIGKILL after `timeout`); reaped.
  void Reap(absl::Duration timeout);
  std::string ServerOutputLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  HarnessOptions options_;
  service::ServiceSpec spec_;
  std::string schema_;
  std::optional<TempDir> dir_;  // made by Launch()
  std::shared_ptr<TestDatabase> db_;
  std::string service_dsn_;
  std::string migrator_dsn_;
  std::string jwt_key_pem_;
  std::string jwks_file_;
  std::string subject_keys_;
  std::string subject_key_file_;
  std::shared_ptr<const auth::SubjectPseudonymiser> subjects_;
  std::map<std::string, std::string> environment_;  // empty: the process env is not read

  mutable absl::Mutex mu_;
  std::ostringstream out_ ABSL_GUARDED_BY(mu_);
  std::ostringstream err_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int exit_code_ ABSL_GUARDED_BY(mu_) = -1;
  int grpc_port_ ABSL_GUARDED_BY(mu_) = 0;
  int admin_port_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void()> shutdown_ ABSL_GUARDED_BY(mu_);
  std::thread server_thread_;
  int child_pid_ ABSL_GUARDED_BY(mu_) = -1;  // HarnessOptions::binary: the running child

  std::string target_;
  std::shared_ptr<::grpc::Channel> channel_;
};

}  // namespace integration::testing
