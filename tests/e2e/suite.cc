// The e2e suite: private Redis child process, in-process services on fixed ports, the gateway,
// tokens, and the small gRPC/HTTP client helpers the tests share.
#include "suite.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "http_test_client.h"
#include "integration/crypto/random.h"
#include "integration/log/log.h"
#include "integration/outbox/outbox.h"
#include "integration/redis/client.h"
#include "integration/se/luhn.h"
#include "integration/status/status.h"

namespace integration::e2e {

bool PersonalSubjectMode() {
  const char* value = std::getenv("INTEGRATION_E2E_PERSONAL_SUBJECTS");
  return value != nullptr && std::string_view(value) == "1";
}

namespace {

// The subjects given personnummer so far, in order: subject i is 19660203-(134+i)<check>, the
// first being the example 196602031343.
struct PersonalNumbers {
  absl::Mutex mu;
  std::map<std::string, std::string> by_subject ABSL_GUARDED_BY(mu);
};
PersonalNumbers& Numbers() {
  static PersonalNumbers numbers;
  return numbers;
}

// Every log line of the process (services and gateway run in it) in personal-subject mode.
struct LogCapture {
  absl::Mutex mu;
  std::string lines ABSL_GUARDED_BY(mu);
};
LogCapture& Logs() {
  static LogCapture capture;
  return capture;
}

// The spellings a number may take: 12 and 10 digits, each with and without the hyphen.
std::vector<std::string> Spellings(const std::string& pnr) {
  const std::string digits = absl::StrReplaceAll(pnr, {{"-", ""}});
  const std::string hyphen = digits.substr(0, 8) + "-" + digits.substr(8);
  return {digits, hyphen, digits.substr(2), hyphen.substr(2)};
}

// Every string of a Redis reply, nested arrays flattened.
void AppendReply(const redis::Reply& reply, std::string* out) {
  out->append(reply.str()).push_back('\n');
  for (const redis::Reply& element : reply.elements()) AppendReply(element, out);
}

}  // namespace

std::string PersonalNumberOf(const std::string& subject) {
  if (!PersonalSubjectMode()) return subject;
  PersonalNumbers& numbers = Numbers();
  absl::MutexLock lock(&numbers.mu);
  auto it = numbers.by_subject.find(subject);
  if (it != numbers.by_subject.end()) return it->second;
  const size_t index = numbers.by_subject.size();
  const std::string ten = absl::StrCat("660203", 134 + index);
  const std::optional<int> check = se::LuhnCheckDigit(ten);
  EXPECT_TRUE(check.has_value());
  const std::string serial = absl::StrCat(134 + index, check.value_or(0));
  const std::string pnr =
      index % 2 == 0 ? absl::StrCat("19660203", serial) : absl::StrCat("19660203-", serial);
  numbers.by_subject.emplace(subject, pnr);
  return pnr;
}

std::string RandomKeyHex() {
  absl::StatusOr<std::string> bytes = crypto::RandomBytes(32);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? absl::BytesToHexString(*bytes) : "";
}
namespace {

namespace gwt = integration::gateway::testing;

// Whether something on 127.0.0.1:`port` answers a Redis PING.
bool RedisAnswers(int port) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<unsigned short>(port)),
                 ec);
  if (ec) return false;
  boost::asio::write(socket, boost::asio::buffer(std::string("PING\r\n")), ec);
  if (ec) return false;
  boost::asio::streambuf reply;
  boost::asio::read_until(socket, reply, "\r\n", ec);
  if (ec) return false;
  std::string line(boost::asio::buffers_begin(reply.data()),
                   boost::asio::buffers_end(reply.data()));
  return line.starts_with("+PONG");
}

// Finds `name` in PATH (resolved before fork: only exec runs in the child).
std::string FindInPath(const std::string& name) {
  const char* path = getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RedisServer

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(const std::string& dir) {
  std::unique_ptr<RedisServer> server(new RedisServer(dir));
  server->binary_ = FindInPath("redis-server");
  if (server->binary_.empty()) return absl::NotFoundError("redis-server is not in PATH");
  absl::Status last;
  // The free port can be taken between the check and redis-server's bind: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = gwt::UnusedPort();
    last = server->Launch();
    if (last.ok()) return server;
  }
  return last;
}

RedisServer::~RedisServer() { Stop(); }

absl::Status RedisServer::Launch() {
  const std::string port = std::to_string(port_);
  const std::string logfile = dir_ + "/redis-" + port + ".log";
  std::vector<std::string> args = {
      binary_, "--port",       port,    "--bind",           "127.0.0.1", "--save",
      "",      "--appendonly", "no",    "--daemonize",      "no",        "--dir",
      dir_,    "--logfile",    logfile, "--protected-mode", "yes"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // Child: die with the test process, which may be killed by a timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    if (RedisAnswers(port_)) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("redis-server on port ", port_, " exited at start (see ", logfile, ")"));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Stop();
  return absl::DeadlineExceededError(
      absl::StrCat("redis-server on port ", port_, " never answered"));
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::Status RedisServer::Restart() {
  Stop();
  return Launch();
}

// ---------------------------------------------------------------------------------------------
// Suite

int ReservedPort(std::string_view name) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* ports = new std::map<std::string, int, std::less<>>();
  absl::MutexLock lock(&mu);
  auto it = ports->find(name);
  if (it != ports->end()) return it->second;
  // A port the kernel hands out as free; closed again at once for the service to take.
  int port = 0;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  ports->emplace(std::string(name), port);
  return port;
}

std::vector<std::string> ServiceTokenArgs() {
  return {absl::StrCat("--service-token-key-file={dir}/", kServiceTokenKeyFile),
          absl::StrCat("--service-token-kid=", integration::testing::kHarnessJwtKid),
          absl::StrCat("--service-token-issuer=", gwt::kIssuer),
          absl::StrCat("--service-token-audience=", gwt::kAudience)};
}

absl::StatusOr<std::unique_ptr<Suite>> Suite::Start(
    std::vector<SuiteService> services, const GatewayConfig& gateway,
    const std::map<std::string, std::string>& binaries) {
  if (services.empty()) return absl::InvalidArgumentError("a suite needs a service");
  auto suite = std::make_unique<Suite>(PassKey());
  suite->dir_.emplace("e2e_suite_");
  if (!suite->dir_->ok()) return absl::InternalError("cannot create a temporary directory");

  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start(suite->dir_->path());
  if (!redis.ok()) return redis.status();
  suite->redis_ = *std::move(redis);

  // One database, one schema and login role per service in it, as in production; one token
  // key for all of them and the gateway.
  suite->db_ = std::make_shared<integration::testing::TestDatabase>();
  const std::string subject_keys = integration::testing::NewSubjectKeyRing();
  suite->subject_key_file_ = suite->dir_->Write("subject_keys", subject_keys);
  if (PersonalSubjectMode()) {
    log::SetSinkForTesting([](std::string_view line) {
      std::cerr << line << '\n';
      LogCapture& logs = Logs();
      absl::MutexLock lock(&logs.mu);
      logs.lines.append(line).push_back('\n');
    });
  }
  std::string key_pem, public_pem;
  if (absl::Status st = integration::testing::NewEd25519Key(&key_pem, &public_pem); !st.ok()) {
    return st;
  }
  for (SuiteService& s : services) {
    integration::testing::HarnessOptions options;
    options.issuer = gwt::kIssuer;
    options.audience = gwt::kAudience;
    options.files = std::move(s.files);
    options.files[kServiceTokenKeyFile] = key_pem;
    options.extra_args = std::move(s.args);
    options.database = suite->db_;
    options.redis_addr = suite->redis_->address();
    options.drain_timeout = "2s";
    options.jwt_key_pem = key_pem;
    options.subject_keys = subject_keys;
    if (const auto binary = binaries.find(s.spec.name); binary != binaries.end()) {
      options.binary = binary->second;
    }
    const std::string name = s.spec.name;
    absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
        integration::testing::ServiceHarness::Start(std::move(s.spec), std::move(options));
    if (!harness.ok()) return harness.status();
    // Health turns SERVING once its database answered.
    if (absl::Status st = (*harness)->WaitServing(absl::Seconds(20)); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat(name, ": ", st.message(), " ",
                                                  (*harness)->ServerOutput()));
    }
    suite->services_.push_back(*std::move(harness));
  }

  absl::StatusOr<std::unique_ptr<gwt::InProcessGateway>> gw = suite->StartGateway(gateway);
  if (!gw.ok()) return gw.status();
  suite->gateway_ = *std::move(gw);
  suite->gateway_config_ = gateway;
  // Ready when the gateway's /readyz shows every backend connected and SERVING.
  const int admin_port = suite->gateway_->admin_port();
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  std::string last;
  while (absl::Now() < give_up) {
    HttpResult readyz = Http(admin_port, "GET", "/readyz");
    last = readyz.body;
    const google::protobuf::Struct json = readyz.Json();
    size_t healthy = 0;
    if (json.fields().contains("checks")) {
      for (const auto& v : json.fields().at("checks").list_value().values()) {
        const auto& f = v.struct_value().fields();
        if (f.at("name").string_value().starts_with("backend:") && f.at("ok").bool_value()) {
          ++healthy;
        }
      }
    }
    if (readyz.status == 200 && healthy == suite->services_.size()) {
      // Every line, request logs included, is scanned in personal-subject mode.
      if (PersonalSubjectMode()) log::SetMinLevel(log::Level::kDebug);
      return suite;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the gateway never saw every backend SERVING: " + last);
}

Suite::~Suite() {
  if (PersonalSubjectMode() && redis_ != nullptr && db_ != nullptr) ScanForPersonalNumbers();
  gateway_.reset();
  services_.clear();
  // The capture lives no longer than the suite whose servers log into it.
  if (PersonalSubjectMode()) log::SetSinkForTesting(nullptr);
  redis_.reset();
  db_.reset();
  dir_.reset();
}

std::vector<std::string> Suite::GatewayArgs(const GatewayConfig& config) const {
  std::vector<std::string> backends;
  for (const auto& s : services_) {
    const auto address = config.backend_addresses.find(s->name());
    backends.push_back(s->name() + "=" +
                       (address != config.backend_addresses.end() ? address->second : s->target()));
  }
  std::vector<std::string> args = {
      "--listen-host=127.0.0.1",
      absl::StrCat("--grpc-port=", config.grpc_port),
      absl::StrCat("--admin-port=", config.admin_port != 0 ? config.admin_port : gwt::UnusedPort()),
      "--http-host=127.0.0.1",
      absl::StrCat("--http-port=", config.http_port != 0 ? config.http_port : gwt::UnusedPort()),
      "--shutdown-delay=0",
      "--drain-timeout=2s",
      "--jwks-file=" + services_.front()->jwks_file(),
      "--subject-key-file=" + subject_key_file_,
      absl::StrCat("--jwt-issuer=", gwt::kIssuer),
      absl::StrCat("--jwt-audience=", gwt::kAudience),
      "--backends=" + absl::StrJoin(backends, ","),
      "--redis-addr=" + redis_->address(),
      "--rate-read=" + config.rate_read,
      "--rate-write=" + config.rate_write,
      "--rate-public=" + config.rate_public,
      "--rate-address=" + config.rate_address,
      absl::StrCat("--http-max-body-bytes=", config.http_max_body_bytes),
      "--cache-ttl=" + config.cache_ttl,
      "--log-level=warning",
  };
  if (!config.cors_origins.empty()) args.push_back("--cors-origins=" + config.cors_origins);
  return args;
}

absl::StatusOr<std::unique_ptr<gwt::InProcessGateway>> Suite::StartGateway(
    const GatewayConfig& config) const {
  std::string output;
  // Its HTTP and admin ports are picked free just before: another process may take one first.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto gw = std::make_unique<gwt::InProcessGateway>(GatewayArgs(config));
    if (gw->started()) return gw;
    gw->Join();
    output = gw->output();
  }
  return absl::InternalError("the gateway did not start: " + output);
}

absl::Status Suite::RestartGateway() {
  GatewayConfig config = gateway_config_;
  const gateway::GatewayRunning running = gateway_->running();
  config.grpc_port = running.grpc_port;
  config.http_port = running.http_port;
  config.admin_port = running.admin_port;
  gateway_.reset();  // graceful shutdown, joined: the ports are free again
  absl::StatusOr<std::unique_ptr<gwt::InProcessGateway>> gateway = StartGateway(config);
  if (!gateway.ok()) return gateway.status();
  gateway_ = *std::move(gateway);
  return absl::OkStatus();
}

integration::testing::ServiceHarness& Suite::service(std::string_view name) {
  for (auto& s : services_) {
    if (s->name() == name) return *s;
  }
  ADD_FAILURE() << "no service " << name << " in the suite";
  return *services_.front();
}

absl::StatusOr<std::vector<Suite::PublishedEvent>> Suite::PublishedEvents(
    const std::string& service) const {
  redis::ClientOptions options;
  options.port = redis_->port();
  options.pool_size = 1;
  absl::StatusOr<std::unique_ptr<redis::Client>> client = redis::Client::Create(options);
  if (!client.ok()) return client.status();
  absl::StatusOr<redis::Reply> entries =
      (*client)->Command({"XRANGE", outbox::StreamName(service), "-", "+"});
  if (!entries.ok()) return entries.status();
  std::vector<PublishedEvent> events;
  // Each entry: [id, [field, value, field, value, ...]].
  for (const redis::Reply& entry : entries->elements()) {
    if (entry.elements().size() != 2) continue;
    const std::vector<redis::Reply>& fields = entry.elements()[1].elements();
    PublishedEvent event;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str() == "type") event.type = fields[i + 1].str();
      if (fields[i].str() == "aggregate") event.aggregate = fields[i + 1].str();
    }
    events.push_back(std::move(event));
  }
  return events;
}

bool Suite::OutboxDrained(const std::string& service_name) {
  return service(service_name)
             .Count("SELECT count(*) FROM " + service_name +
                    ".outbox WHERE published_at IS NULL") == 0;
}

std::string Suite::Bearer(const std::string& role, const std::string& subject,
                          const std::string& lan) const {
  integration::testing::Claims claims;
  if (role == "county_officer" || role == "county_admin") claims.lan = lan;
  return Bearer(role, subject, claims);
}

std::string Suite::Bearer(const std::string& role, const std::string& subject,
                          const integration::testing::Claims& claims) const {
  return "Bearer " + services_.front()->Token(role, PersonalNumberOf(subject), claims);
}

std::string Suite::Subject(const std::string& subject) const {
  return services_.front()->Subject(PersonalNumberOf(subject));
}

void Suite::ScanForPersonalNumbers() {
  // Whatever the outbox relays have yet to publish would reach Redis after the scan.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  for (const auto& s : services_) {
    while (s->Count("SELECT count(*) FROM " + s->name() + ".outbox WHERE published_at IS NULL") >
               0 &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  std::map<std::string, std::string> sources;  // where -> text

  // The whole database: every schema, table, row and sequence.
  {
    std::string dump;
    // The DSN in single quotes for the shell; a quote inside it closes, escapes and reopens.
    const std::string command = absl::StrCat(
        "pg_dump --no-owner -d '", absl::StrReplaceAll(db_->dsn(), {{"'", "'\\''"}}), "'");
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "cannot run pg_dump";
    } else {
      char buffer[65536];
      size_t n = 0;
      while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) dump.append(buffer, n);
      const int rc = pclose(pipe);
      EXPECT_EQ(rc, 0) << "pg_dump failed";
    }
    EXPECT_THAT(dump, ::testing::HasSubstr("CREATE TABLE")) << "pg_dump printed no schema";
    sources["pg_dump"] = std::move(dump);
  }

  // Every Redis key and its value: event streams, rate limits, caches, request ids.
  {
    std::string text;
    redis::ClientOptions options;
    options.port = redis_->port();
    options.pool_size = 1;
    absl::StatusOr<std::unique_ptr<redis::Client>> client = redis::Client::Create(options);
    absl::StatusOr<redis::Reply> keys =
        client.ok() ? (*client)->Command({"KEYS", "*"}) : client.status();
    EXPECT_TRUE(keys.ok()) << keys.status();
    for (const redis::Reply& key : keys.ok() ? keys->elements() : std::vector<redis::Reply>{}) {
      text.append(key.str()).push_back('\n');
      absl::StatusOr<redis::Reply> type = (*client)->Command({"TYPE", key.str()});
      if (!type.ok()) continue;
      const std::string kind = type->str();
      std::vector<std::string> read;
      if (kind == "stream") {
        read = {"XRANGE", key.str(), "-", "+"};
      } else if (kind == "string") {
        read = {"GET", key.str()};
      } else if (kind == "hash") {
        read = {"HGETALL", key.str()};
      } else if (kind == "list") {
        read = {"LRANGE", key.str(), "0", "-1"};
      } else if (kind == "set") {
        read = {"SMEMBERS", key.str()};
      } else if (kind == "zset") {
        read = {"ZRANGE", key.str(), "0", "-1", "WITHSCORES"};
      }
      if (read.empty()) continue;
      absl::StatusOr<redis::Reply> value = (*client)->Command(read);
      if (value.ok()) AppendReply(*value, &text);
    }
    sources["redis"] = std::move(text);
  }

  {
    LogCapture& logs = Logs();
    absl::MutexLock lock(&logs.mu);
    sources["logs"] = logs.lines;
    logs.lines.clear();
  }

  std::vector<std::pair<std::string, std::string>> numbers;  // subject, personnummer
  {
    PersonalNumbers& all = Numbers();
    absl::MutexLock lock(&all.mu);
    numbers.assign(all.by_subject.begin(), all.by_subject.end());
  }
  bool any_pseudonym = false;
  for (const auto& [subject, pnr] : numbers) {
    const std::string pseudonym = services_.front()->Subject(pnr);
    for (const auto& [where, text] : sources) {
      if (text.find(pseudonym) != std::string::npos) any_pseudonym = true;
      for (const std::string& spelling : Spellings(pnr)) {
        const size_t at = text.find(spelling);
        if (at == std::string::npos) continue;
        const size_t from = at < 120 ? 0 : at - 120;
        ADD_FAILURE() << where << " holds the personnummer " << spelling << " of token subject \""
                      << subject << "\": …" << text.substr(from, 240) << "…";
      }
    }
  }
  // The scan looked at the right things: the callers' records are there, under pseudonyms.
  EXPECT_TRUE(numbers.empty() || any_pseudonym)
      << "no pseudonym of the " << numbers.size() << " token subjects in the database, Redis "
      << "or the logs: nothing was written by them, so the scan proves nothing";
}

// ---------------------------------------------------------------------------------------------
// RpcResult

std::string RpcResult::Reason() const { return integration::testing::ReasonOf(status); }

std::vector<std::string> RpcResult::Fields() const {
  return integration::testing::ViolationFieldsOf(status);
}

std::string RpcResult::Header(const std::string& key) const {
  auto it = metadata.find(key);
  return it == metadata.end() ? "" : it->second;
}

std::string RpcResult::Describe() const {
  const std::string_view code = status::CodeName(status.error_code());
  return absl::StrCat(absl::string_view(code.data(), code.size()), ": ", status.error_message(),
                      " [", Reason(), "] fields: ", absl::StrJoin(Fields(), ", "));
}

// ---------------------------------------------------------------------------------------------
// HTTP

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

google::protobuf::Struct HttpResult::Json() const {
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) parsed.Clear();
  return parsed;
}

std::string HttpResult::Reason() const {
  const google::protobuf::Struct json = Json();
  if (!json.fields().contains("details")) return "";
  for (const auto& d : json.fields().at("details").list_value().values()) {
    const auto& f = d.struct_value().fields();
    if (f.contains("@type") && f.at("@type").string_value().ends_with("google.rpc.ErrorInfo")) {
      return f.contains("reason") ? f.at("reason").string_value() : "";
    }
  }
  return "";
}

std::vector<std::string> HttpResult::Fields() const {
  std::vector<std::string> out;
  const google::protobuf::Struct json = Json();
  if (!json.fields().contains("details")) return out;
  for (const auto& d : json.fields().at("details").list_value().values()) {
    const auto& f = d.struct_value().fields();
    if (!f.contains("@type") || !f.at("@type").string_value().ends_with("google.rpc.BadRequest")) {
      continue;
    }
    if (!f.contains("fieldViolations")) continue;
    for (const auto& v : f.at("fieldViolations").list_value().values()) {
      const auto& vf = v.struct_value().fields();
      if (vf.contains("field")) out.push_back(vf.at("field").string_value());
    }
  }
  return out;
}

std::string HttpResult::Describe() const {
  return absl::StrCat(status, " [", Reason(), "] fields: ", absl::StrJoin(Fields(), ", "), " ",
                      body.substr(0, 400));
}

HttpResult Http(int port, const std::string& method, const std::string& target,
                const std::string& bearer, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> all = headers;
  if (!bearer.empty()) all.emplace_back("authorization", bearer);
  gwt::HttpClient client(port);
  const absl::Time start = absl::Now();
  gwt::HttpResponse response =
      client.Send(boost::beast::http::string_to_verb(method), target, body, all);
  HttpResult out;
  out.elapsed = absl::Now() - start;
  out.status = static_cast<int>(response.result_int());
  out.body = response.body();
  for (const auto& field : response) {
    out.headers[absl::AsciiStrToLower(std::string(field.name_string()))] =
        std::string(field.value());
  }
  return out;
}

}  // namespace integration::e2e
