// The in-process service harness of the tests: keys, database, server thread, SQL, statuses.
#include "integration/testing/service_harness.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "integration/crypto/random.h"
#include "integration/pg/bootstrap.h"
#include "integration/status/status.h"

namespace integration::testing {
namespace {

constexpr const char* kJwtKid = kHarnessJwtKid;
constexpr char kServicePassword[] = "integration-test-password";
constexpr char kMigratorPassword[] = "integration-test-migrator-password";

absl::Status ToAbsl(const ::grpc::Status& status) { return status::FromGrpc(status); }

}  // namespace

// ---- TestClock -------------------------------------------------------------------------------

absl::Time TestClock::Now() const {
  absl::MutexLock lock(&mu_);
  return absl::Now() + offset_;
}

void TestClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  offset_ += by;
}

void TestClock::Reset() {
  absl::MutexLock lock(&mu_);
  offset_ = absl::ZeroDuration();
}

// ---- Status helpers --------------------------------------------------------------------------

std::string ReasonOf(const ::grpc::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(ToAbsl(status));
  return info ? info->reason() : "";
}

std::vector<std::string> ViolationFieldsOf(const ::grpc::Status& status) {
  std::vector<std::string> fields;
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(ToAbsl(status));
  if (!bad) return fields;
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  return fields;
}

std::map<std::string, std::string> MetadataOf(const ::grpc::Status& status) {
  std::map<std::string, std::string> out;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(ToAbsl(status));
  if (info) out.insert(info->metadata().begin(), info->metadata().end());
  return out;
}

std::string Describe(const ::grpc::Status& status) {
  return absl::StrCat(static_cast<int>(status.error_code()), ": ", status.error_message(), " [",
                      ReasonOf(status),
                      "] fields: ", absl::StrJoin(ViolationFieldsOf(status), ", "));
}

// ---- Keys and files --------------------------------------------------------------------------

absl::Status NewEd25519Key(std::string* private_pem, std::string* public_pem) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  if (key == nullptr) return absl::InternalError("Ed25519 key generation failed");
  auto to_pem = [&](bool private_part, std::string* out) -> bool {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (bio == nullptr) return false;
    const int ok = private_part ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr,
                                                           0, nullptr, nullptr)
                                : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1) return false;
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    out->assign(data, static_cast<size_t>(len));
    return true;
  };
  if (!to_pem(true, private_pem) || !to_pem(false, public_pem)) {
    return absl::InternalError("writing an Ed25519 key as PEM failed");
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// ---- ServiceHarness --------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<ServiceHarness>> ServiceHarness::Start(service::ServiceSpec spec,
                                                                      HarnessOptions options) {
  auto harness = std::make_unique<ServiceHarness>(PassKey());
  harness->options_ = std::move(options);
  harness->spec_ = std::move(spec);
  if (absl::Status st = harness->Launch(); !st.ok()) return st;
  return harness;
}

absl::Status ServiceHarness::Launch() {
  schema_ = spec_.name;
  dir_.emplace(absl::StrCat(schema_, "_test_"));
  if (!dir_->ok()) return absl::InternalError("cannot create a temporary directory");

  std::string jwt_public_pem;
  if (options_.jwt_key_pem.empty()) {
    if (absl::Status st = NewEd25519Key(&jwt_key_pem_, &jwt_public_pem); !st.ok()) return st;
  } else {
    jwt_key_pem_ = options_.jwt_key_pem;
  }
  absl::StatusOr<std::string> jwks = auth::JwksFromPrivateKey(jwt_key_pem_, kJwtKid);
  if (!jwks.ok()) return jwks.status();
  jwks_file_ = dir_->File("jwks.json");
  if (absl::Status st = WriteFile(jwks_file_, *jwks); !st.ok()) return st;
  for (const auto& [name, content] : options_.files) {
    if (absl::Status st = WriteFile(dir_->File(name), content); !st.ok()) return st;
  }
  subject_keys_ = options_.subject_keys.empty() ? NewSubjectKeyRing() : options_.subject_keys;
  absl::StatusOr<std::shared_ptr<const auth::SubjectPseudonymiser>> subjects =
      auth::SubjectPseudonymiser::Parse(subject_keys_);
  if (!subjects.ok()) return subjects.status();
  subjects_ = *std::move(subjects);
  subject_key_file_ = dir_->File("subject_keys");
  if (absl::Status st = WriteFile(subject_key_file_, subject_keys_); !st.ok()) return st;

  // Database: schema and roles of the service, as integration-dbadmin sets them up; migrated
  // by the migrator login and served by the runtime role, as deployed.
  db_ = options_.database != nullptr ? options_.database : std::make_shared<TestDatabase>();
  if (absl::Status st = pg::BootstrapService(
          db_->dsn(), schema_, {.runtime = kServicePassword, .migrator = kMigratorPassword});
      !st.ok()) {
    return st;
  }
  service_dsn_ = db_->DsnAs(pg::ServiceRole(schema_), kServicePassword);
  migrator_dsn_ = db_->DsnAs(pg::MigratorRole(schema_), kMigratorPassword);

  {
    std::ostringstream out;
    std::ostringstream err;
    service::RunOptions run;
    run.environment = &environment_;
    run.out = &out;
    run.err = &err;
    const int code = service::Run(spec_, {"migrate", "--pg-dsn=" + migrator_dsn_}, run);
    if (code != service::kExitOk) {
      return absl::InternalError(
          absl::StrCat(schema_, " migrate failed (exit ", code, "): ", err.str(), out.str()));
    }
  }
  if (absl::Status st = Serve(0); !st.ok()) return st;
  int port = 0;
  {
    absl::MutexLock lock(&mu_);
    port = grpc_port_;
  }
  target_ = absl::StrCat("127.0.0.1:", port);
  channel_ = ::grpc::CreateChannel(target_, ::grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

absl::Status ServiceHarness::Serve(int grpc_port) {
  const std::string redis_addr = options_.redis_addr.empty()
                                     ? absl::StrCat(RedisHost(), ":", RedisPort())
                                     : options_.redis_addr;
  std::vector<std::string> args = {
      "serve",
      "--pg-dsn=" + service_dsn_,
      "--redis-addr=" + redis_addr,
      "--listen-host=127.0.0.1",
      absl::StrCat("--grpc-port=", grpc_port),
      "--admin-port=0",
      "--shutdown-delay=0",
      "--drain-timeout=" + options_.drain_timeout,
      "--jwks-file=" + jwks_file_,
      "--subject-key-file=" + subject_key_file_,
      "--jwt-issuer=" + options_.issuer,
      "--jwt-audience=" + options_.audience,
      "--outbox-poll-interval=100ms",
      "--log-level=warning",
  };
  for (const std::string& arg : options_.extra_args) {
    args.push_back(absl::StrReplaceAll(arg, {{"{dir}", dir_->path()}}));
  }
  if (!options_.binary.empty()) return Spawn(grpc_port, std::move(args));
  {
    absl::MutexLock lock(&mu_);
    started_ = false;
    finished_ = false;
    exit_code_ = -1;
    shutdown_ = nullptr;
  }
  server_thread_ = std::thread([this, args = std::move(args)] {
    std::ostringstream out;
    std::ostringstream err;
    service::RunOptions run;
    run.environment = &environment_;
    run.out = &out;
    run.err = &err;
    run.on_started = [this](const service::Running& running) {
      absl::MutexLock lock(&mu_);
      started_ = true;
      grpc_port_ = running.grpc_port;
      admin_port_ = running.admin_port;
      shutdown_ = running.request_shutdown;
    };
    const int code = service::Run(spec_, args, run);
    absl::MutexLock lock(&mu_);
    out_ << out.str();
    err_ << err.str();
    exit_code_ = code;
    finished_ = true;
    shutdown_ = nullptr;
  });

  absl::MutexLock lock(&mu_);
  auto started_or_finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return started_ || finished_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&started_or_finished), absl::Seconds(30));
  if (!started_) {
    return absl::InternalError(absl::StrCat(schema_, " did not start (exit ", exit_code_,
                                            "): ", err_.str(), out_.str()));
  }
  return absl::OkStatus();
}

namespace {

// A port nothing listened on a moment ago (bound on 127.0.0.1 and released at once).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool Listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// The value of the last "--<name>=" argument (later ones win, as in the flag parser).
std::string LastFlag(const std::vector<std::string>& args, std::string_view name) {
  const std::string prefix = "--" + std::string(name) + "=";
  std::string value;
  for (const std::string& a : args) {
    if (a.rfind(prefix, 0) == 0) value = a.substr(prefix.size());
  }
  return value;
}

}  // namespace

absl::Status ServiceHarness::Spawn(int grpc_port, std::vector<std::string> args) {
  int admin_port = 0;
  {
    absl::MutexLock lock(&mu_);
    admin_port = admin_port_;
  }
  // Ports kept across restarts: the gateway and the test know the address.
  if (grpc_port == 0) grpc_port = FreePort();
  if (admin_port == 0) admin_port = FreePort();
  args.push_back(absl::StrCat("--grpc-port=", grpc_port));
  args.push_back(absl::StrCat("--admin-port=", admin_port));
  // A service whose arguments name its port (e.g. one that others call) keeps that one.
  for (const std::string& a : options_.extra_args) {
    if (a.rfind("--grpc-port=", 0) == 0) args.push_back(a);
  }
  int port = 0;
  if (!absl::SimpleAtoi(LastFlag(args, "grpc-port"), &port)) {
    return absl::InvalidArgumentError("no --grpc-port");
  }
  const std::string log_file = dir_->File("server.log");
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_strings = {options_.binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // Dies with the test process, whatever kills it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    // Nothing else of the test process: an inherited socket (another server's connection, a
    // proxy's) would outlive its owner's close, and a killed peer would never be noticed.
    ::close_range(3, ~0U, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  {
    absl::MutexLock lock(&mu_);
    child_pid_ = pid;
    grpc_port_ = port;
    admin_port_ = admin_port;
    started_ = false;
    finished_ = false;
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      absl::MutexLock lock(&mu_);
      child_pid_ = -1;
      finished_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return absl::InternalError(absl::StrCat(schema_, " (", options_.binary, ") exited with ",
                                              exit_code_, " before listening: ",
                                              ServerOutputLocked()));
    }
    if (Listening(port)) {
      absl::MutexLock lock(&mu_);
      started_ = true;
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  Kill();
  return absl::DeadlineExceededError(absl::StrCat(schema_, " did not listen on ", port));
}

void ServiceHarness::Reap(absl::Duration timeout) {
  pid_t pid = -1;
  {
    absl::MutexLock lock(&mu_);
    pid = child_pid_;
  }
  if (pid <= 0) return;
  const absl::Time give_up = absl::Now() + timeout;
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  absl::MutexLock lock(&mu_);
  child_pid_ = -1;
  finished_ = true;
  started_ = false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServiceHarness::Kill() {
  if (options_.binary.empty()) {
    ADD_FAILURE() << "ServiceHarness::Kill needs HarnessOptions::binary (a child process)";
    return;
  }
  const int child = pid();
  if (child <= 0) return;
  ::kill(child, SIGKILL);
  Reap(absl::Seconds(10));
}

void ServiceHarness::Terminate() {
  if (options_.binary.empty()) {
    ADD_FAILURE() << "ServiceHarness::Terminate needs HarnessOptions::binary (a child process)";
    return;
  }
  const int child = pid();
  if (child > 0) ::kill(child, SIGTERM);
}

int ServiceHarness::pid() const {
  absl::MutexLock lock(&mu_);
  return child_pid_;
}

void ServiceHarness::Stop() {
  if (!options_.binary.empty()) {
    Terminate();
    absl::Duration drain = absl::Seconds(5);
    if (!absl::ParseDuration(options_.drain_timeout, &drain)) drain = absl::Seconds(5);
    Reap(drain + absl::Seconds(10));
    return;
  }
  std::function<void()> shutdown;
  {
    absl::MutexLock lock(&mu_);
    shutdown = shutdown_;
  }
  if (shutdown) shutdown();
  if (server_thread_.joinable()) server_thread_.join();
}

absl::Status ServiceHarness::Restart() {
  Stop();
  int port = 0;
  {
    absl::MutexLock lock(&mu_);
    port = grpc_port_;
  }
  return Serve(port);
}

ServiceHarness::~ServiceHarness() {
  Stop();
  channel_.reset();
  db_.reset();
  dir_.reset();
}

int ServiceHarness::admin_port() const {
  absl::MutexLock lock(&mu_);
  return admin_port_;
}

absl::Status ServiceHarness::WaitServing(absl::Duration timeout,
                                         const std::string& service) const {
  // HealthCheckRequest{service} and HealthCheckResponse{status = SERVING (1)} by hand: field 1,
  // length-delimited / varint. No generated health stubs are needed for that.
  std::string request;
  if (!service.empty()) {
    request.push_back('\x0a');
    request.push_back(static_cast<char>(service.size()));
    request.append(service);
  }
  ::grpc::GenericStub stub(channel_);
  const absl::Time give_up = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < give_up) {
    ::grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    ::grpc::Slice slice(request);
    ::grpc::ByteBuffer req(&slice, 1);
    ::grpc::ByteBuffer resp;
    std::promise<::grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", ::grpc::StubOptions(), &req, &resp,
                   [&done](::grpc::Status st) { done.set_value(std::move(st)); });
    const ::grpc::Status st = done.get_future().get();
    if (st.ok()) {
      std::vector<::grpc::Slice> slices;
      std::string bytes;
      if (resp.Dump(&slices).ok()) {
        for (const ::grpc::Slice& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      if (bytes == std::string("\x08\x01", 2)) return absl::OkStatus();
      last = "NOT_SERVING";
    } else {
      last = Describe(st);
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("the server is not SERVING: ", last));
}

std::string NewSubjectKeyRing() {
  absl::StatusOr<std::string> secret = crypto::RandomBytes(32);
  EXPECT_TRUE(secret.ok()) << secret.status();
  return absl::StrCat("test-1 ", absl::BytesToHexString(secret.ok() ? *secret : ""), "\n");
}

std::string ServiceHarness::Subject(const std::string& subject, const std::string& role) const {
  absl::StatusOr<std::string> pseudonym = subjects_->Current(options_.issuer, role, subject);
  EXPECT_TRUE(pseudonym.ok()) << pseudonym.status();
  return pseudonym.ok() ? *pseudonym : "";
}

std::string ServiceHarness::Token(const std::string& role, const std::string& subject,
                                  const Claims& claims) const {
  auth::TokenClaims token_claims;
  token_claims.issuer = options_.issuer;
  token_claims.audience = options_.audience;
  token_claims.subject = subject;
  token_claims.role = role;
  token_claims.lan = claims.lan;
  token_claims.kommun = claims.kommun;
  token_claims.orgnr = claims.orgnr;
  token_claims.agency = claims.agency;
  token_claims.scopes = claims.scopes;
  token_claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  token_claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(2);
  absl::StatusOr<std::string> token = auth::SignToken(token_claims, jwt_key_pem_, kJwtKid);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::unique_ptr<::grpc::ClientContext> ServiceHarness::Context(const std::string& token) {
  auto ctx = std::make_unique<::grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

pqxx::result ServiceHarness::Query(const std::string& sql) {
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  tx.exec("SET search_path = " + tx.quote_name(schema_));
  pqxx::result r = tx.exec(sql);
  tx.commit();
  return r;
}

int64_t ServiceHarness::Count(const std::string& sql) {
  pqxx::result r = Query(sql);
  EXPECT_EQ(r.size(), 1u) << sql;
  if (r.size() != 1 || r[0][0].is_null()) return -1;
  return r[0][0].as<int64_t>();
}

void ServiceHarness::Truncate() {
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  pqxx::result tables = tx.exec_params(
      "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = $1"
      " AND tablename <> 'schema_migrations' ORDER BY tablename",
      schema_);
  std::vector<std::string> names;
  for (const pqxx::row& row : tables) {
    names.push_back(absl::StrCat(tx.quote_name(schema_), ".", row[0].as<std::string>()));
  }
  if (!names.empty()) {
    tx.exec(absl::StrCat("TRUNCATE ", absl::StrJoin(names, ", "), " RESTART IDENTITY CASCADE"));
  }
  tx.commit();
}

std::string ServiceHarness::ServerOutput() const {
  absl::MutexLock lock(&mu_);
  return ServerOutputLocked();
}

std::string ServiceHarness::ServerOutputLocked() const {
  std::string output = absl::StrCat(out_.str(), err_.str());
  if (!options_.binary.empty() && dir_.has_value()) {
    std::ifstream log(dir_->File("server.log"), std::ios::binary);
    output.append(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  }
  return output;
}

}  // namespace integration::testing
