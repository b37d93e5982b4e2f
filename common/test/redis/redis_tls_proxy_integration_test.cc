// Integration test of Redis's encryption in transit as k8s/ deploys it (k8s/README.md, "TLS
// inside the cluster"): Debian's redis-server runs k8s/base/platform/redis.conf (TLS only,
// client certificates required) and the sidecar runs k8s/base/platform/redis-tls-proxy.sh with
// redis-tls-proxy.conf (stunnel), both with only paths and ports rewritten for this machine.
// The suite's redis::Client works through the sidecar, plaintext and certificate-less TLS
// connections to Redis are refused, and a change of certificates and CA is picked up by both
// sides (redis-tls-reload.sh, the sidecar's reload) without a restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "integration/redis/client.h"
#include "integration/testing/free_port.h"
#include "integration/testing/temp_dir.h"

namespace integration::redis {
namespace {

namespace fs = std::filesystem;

const std::string kPlatform = std::string(INTEGRATION_SOURCE_DIR) + "/k8s/base/platform";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with each `from` replaced by its `to`; a `from` that does not occur is a test failure
// (the deployed file changed shape, so the test would no longer run what k8s/ runs).
std::string Rewrite(std::string text,
                    const std::vector<std::pair<std::string, std::string>>& edits) {
  for (const auto& [from, to] : edits) {
    EXPECT_NE(text.find(from), std::string::npos) << "'" << from << "' not found";
    text = absl::StrReplaceAll(text, {{from, to}});
  }
  return text;
}

// The exit status and combined output of a shell command.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(absl::StrCat("(", command, ") 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A child process in its own process group (so that stopping it stops what it started: the
// sidecar script's stunnel, the reload loop's sleep), output appended to `log`, killed with
// the test process if that dies first.
class Process {
 public:
  Process(std::vector<std::string> argv, std::vector<std::string> env, const std::string& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      FILE* out = ::freopen(log.c_str(), "a", stdout);
      if (out == nullptr || ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) ::_exit(127);
      for (auto& e : env) ::putenv(e.data());
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        ::kill(-pid_, SIGKILL);  // what the group leader left behind (a sleep)
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

std::unique_ptr<Client> NewClient(int port) {
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.pool_size = 1;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.command_timeout = std::chrono::milliseconds(1000);
  o.acquire_timeout = std::chrono::milliseconds(500);
  auto c = Client::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// A fresh client (new connections) through the sidecar answers PING.
bool PingsThrough(int port) {
  auto client = NewClient(port);
  return client != nullptr && client->Ping().ok();
}

class RedisTlsProxyTest : public ::testing::Test {
 protected:
  static constexpr char kAdminPassword[] = "tls-reload-test";

  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_EQ(Shell("redis-server --version | grep -q 'v=7'").first, 0)
        << "Debian's redis-server 7 is needed (scripts/deps.sh)";
    ASSERT_EQ(Shell("command -v stunnel").first, 0) << "stunnel4 is needed (scripts/deps.sh)";
    ASSERT_TRUE(MakeCa("ca1") && MakeCa("ca2"));
    ASSERT_TRUE(MakeCert("ca1", "redis1", "redis") && MakeCert("ca1", "client1", "training"));
    ASSERT_TRUE(MakeCert("ca2", "redis2", "redis") && MakeCert("ca2", "client2", "training"));
    // Both sides trust both CAs at first, as during the CA rotation the README describes.
    const std::string bundle = ReadFile(dir_.File("ca1.crt")) + ReadFile(dir_.File("ca2.crt"));
    dir_.Write("bundle.crt", bundle);
    // Mounted Secrets as the kubelet updates them: a symbolic link swapped in one rename.
    ASSERT_TRUE(Mount("redis-tls", "redis1", "bundle"));
    ASSERT_TRUE(Mount("client-tls", "client1", "bundle"));

    tls_port_ = testing::FreePort();
    proxy_port_ = testing::FreePort();
    ASSERT_TRUE(tls_port_ != 0 && proxy_port_ != 0);
    const std::string redis_conf =
        Rewrite(ReadFile(kPlatform + "/redis.conf"),
                {{"\ndir /data\n", absl::StrCat("\ndir ", dir_.path(), "\n")},
                 {"\nbind * -::*\n", "\nbind 127.0.0.1\n"},
                 {"\ntls-port 6380\n", absl::StrCat("\ntls-port ", tls_port_, "\n")},
                 {"/etc/redis-tls/", dir_.File("redis-tls/")}});
    // The admin user the reload script logs in as (redis-start.sh defines it in k8s).
    dir_.Write("redis.conf",
               absl::StrCat(redis_conf, "\nuser admin on >", kAdminPassword, " ~* &* +@all\n"));
    dir_.Write(
        "stunnel.conf",
        Rewrite(ReadFile(kPlatform + "/redis-tls-proxy.conf"),
                {{"accept = 127.0.0.1:6379", absl::StrCat("accept = 127.0.0.1:", proxy_port_)},
                 {"connect = redis:6380", absl::StrCat("connect = 127.0.0.1:", tls_port_)},
                 {"/etc/integration/tls/", dir_.File("client-tls/")}}));

    redis_ =
        std::make_unique<Process>(std::vector<std::string>{"redis-server", dir_.File("redis.conf")},
                                  std::vector<std::string>{}, dir_.File("redis.log"));
    proxy_ = std::make_unique<Process>(
        std::vector<std::string>{"sh", kPlatform + "/redis-tls-proxy.sh",
                                 dir_.File("stunnel.conf")},
        std::vector<std::string>{"REDIS_TLS_PROXY_RELOAD_INTERVAL=1"}, dir_.File("proxy.log"));
    reload_ = std::make_unique<Process>(
        std::vector<std::string>{"sh", kPlatform + "/redis-tls-reload.sh"},
        std::vector<std::string>{"REDIS_TLS_RELOAD_INTERVAL=1",
                                 absl::StrCat("REDIS_TLS_DIR=", dir_.File("redis-tls")),
                                 absl::StrCat("REDIS_TLS_PORT=", tls_port_),
                                 absl::StrCat("REDISCLI_AUTH=", kAdminPassword)},
        dir_.File("reload.log"));
    ASSERT_TRUE(WaitFor([&] { return PingsThrough(proxy_port_); }, std::chrono::seconds(10)))
        << Logs();
  }

  void TearDown() override {
    reload_.reset();
    proxy_.reset();
    redis_.reset();
  }

  bool MakeCa(const std::string& name) {
    return Shell(absl::StrCat("cd ", dir_.path(),
                              " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                              "-nodes -days 1 -subj /CN=",
                              name, " -keyout ", name, ".key -out ", name, ".crt"))
               .first == 0;
  }

  // A certificate for `dns` (server and client auth, like the Certificates in k8s/).
  bool MakeCert(const std::string& ca, const std::string& name, const std::string& dns) {
    dir_.Write(name + ".ext", absl::StrCat("subjectAltName=DNS:", dns,
                                           "\nextendedKeyUsage=serverAuth,clientAuth\n"));
    return Shell(absl::StrCat("cd ", dir_.path(), " && openssl req -newkey ec -pkeyopt ",
                              "ec_paramgen_curve:P-256 -nodes -subj /CN=", dns, " -keyout ", name,
                              ".key -out ", name, ".csr && openssl x509 -req -in ", name,
                              ".csr -CA ", ca, ".crt -CAkey ", ca,
                              ".key -CAcreateserial -days 1 -extfile ", name, ".ext -out ", name,
                              ".crt"))
               .first == 0;
  }

  // Points the directory `mount` at a new folder with tls.crt/tls.key of `cert` and ca.crt of
  // `ca`, in one rename (what the kubelet does when a Secret changes).
  bool Mount(const std::string& mount, const std::string& cert, const std::string& ca) {
    const std::string folder = dir_.File(absl::StrCat(mount, "-", ++mounts_));
    std::error_code ec;
    fs::create_directory(folder, ec);
    if (ec) return false;
    fs::copy_file(dir_.File(cert + ".crt"), folder + "/tls.crt", ec);
    if (!ec) fs::copy_file(dir_.File(cert + ".key"), folder + "/tls.key", ec);
    if (!ec) fs::copy_file(dir_.File(ca + ".crt"), folder + "/ca.crt", ec);
    if (!ec) fs::create_symlink(folder, dir_.File(mount + ".new"), ec);
    if (!ec) fs::rename(dir_.File(mount + ".new"), dir_.File(mount), ec);
    return !ec;
  }

  // PING sent straight to Redis's TLS port with openssl, presenting `cert` (or no certificate)
  // and verifying Redis against `ca`: whether PONG came back.
  bool TlsPing(const std::string& cert, const std::string& ca) {
    std::string command =
        absl::StrCat("printf 'PING\\r\\nQUIT\\r\\n' | timeout 5 openssl s_client -quiet ",
                     "-connect 127.0.0.1:", tls_port_, " -CAfile ", dir_.File(ca + ".crt"),
                     " -verify_return_error");
    if (!cert.empty()) {
      absl::StrAppend(&command, " -cert ", dir_.File(cert + ".crt"), " -key ",
                      dir_.File(cert + ".key"));
    }
    return Shell(command).second.find("+PONG") != std::string::npos;
  }

  std::string Logs() {
    return absl::StrCat("redis:\n", ReadFile(dir_.File("redis.log")), "\nproxy:\n",
                        ReadFile(dir_.File("proxy.log")), "\nreload:\n",
                        ReadFile(dir_.File("reload.log")));
  }

  testing::TempDir dir_{"redis_tls_proxy_test_"};
  int tls_port_ = 0;
  int proxy_port_ = 0;
  int mounts_ = 0;
  std::unique_ptr<Process> redis_, proxy_, reload_;
};

TEST_F(RedisTlsProxyTest, TheSuitesClientWorksThroughTheSidecarAndRedisHasNoPlaintextPort) {
  auto client = NewClient(proxy_port_);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Command({"SET", "tls:key", "hej"}).ok());
  auto get = client->Command({"GET", "tls:key"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(*get, Reply::String("hej"));
  auto added = client->Command({"XADD", "integration.events.tls", "*", "type", "test"});
  ASSERT_TRUE(added.ok()) << added.status();
  auto len = client->Command({"XLEN", "integration.events.tls"});
  ASSERT_TRUE(len.ok()) << len.status();
  EXPECT_EQ(*len, Reply::Integer(1));

  // What k8s's redis.conf says: no plaintext port, client certificates required.
  auto port = client->Command({"CONFIG", "GET", "port"});
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(*port, Reply::Array({Reply::String("port"), Reply::String("0")}));
  auto auth = client->Command({"CONFIG", "GET", "tls-auth-clients"});
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(*auth, Reply::Array({Reply::String("tls-auth-clients"), Reply::String("yes")}));
}

TEST_F(RedisTlsProxyTest, PlaintextAndClientsWithoutACertificateAreRefused) {
  // The suite's client straight to the TLS port: no answer in plaintext, within its timeouts.
  auto direct = NewClient(tls_port_);
  ASSERT_NE(direct, nullptr);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(direct->Ping().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // TLS: a certificate of the CA gets in (so the probe can tell), none or a stranger's not.
  EXPECT_TRUE(TlsPing("client1", "bundle"));
  EXPECT_FALSE(TlsPing("", "bundle"));
  ASSERT_TRUE(MakeCa("stranger") && MakeCert("stranger", "intruder", "training"));
  EXPECT_FALSE(TlsPing("intruder", "bundle"));
}

TEST_F(RedisTlsProxyTest, ACertificateAndCaChangeIsPickedUpByRedisAndTheSidecar) {
  // The last step of a CA rotation: Redis's certificate from the new CA, which alone it trusts
  // from now on; the pod's client certificate from the new CA. Works only when Redis reloaded
  // (else it still serves redis1) and the sidecar reloaded (else it presents client1, which
  // Redis no longer trusts).
  ASSERT_TRUE(Mount("redis-tls", "redis2", "ca2"));
  ASSERT_TRUE(Mount("client-tls", "client2", "bundle"));
  EXPECT_TRUE(WaitFor([&] { return TlsPing("client2", "ca2") && !TlsPing("client1", "bundle"); },
                      std::chrono::seconds(10)))
      << "Redis did not load its new files\n"
      << Logs();
  EXPECT_TRUE(WaitFor([&] { return PingsThrough(proxy_port_); }, std::chrono::seconds(10)))
      << "the sidecar did not load its new files\n"
      << Logs();
  EXPECT_TRUE(redis_->running() && proxy_->running() && reload_->running()) << Logs();
}

}  // namespace
}  // namespace integration::redis
