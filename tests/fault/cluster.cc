// PostgreSQL as a child process and the fault-injecting TCP proxy of the fault scenarios.
#include "cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace integration::fault {
namespace {

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

// PostgreSQL refuses to run as root: as root, its programs run as the "postgres" user (uid and
// gid; -1 when not root or no such user).
struct Owner {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  bool drop() const { return uid != static_cast<uid_t>(-1); }
};
Owner PostgresOwner() {
  Owner owner;
  if (::getuid() != 0) return owner;
  if (const passwd* pw = ::getpwnam("postgres"); pw != nullptr) {
    owner.uid = pw->pw_uid;
    owner.gid = pw->pw_gid;
  }
  return owner;
}

// In a forked child before exec: become `owner` (if root), send output to `log`.
void PrepareChild(const Owner& owner, const char* log) {
  if (owner.drop()) {
    ::setgroups(0, nullptr);
    if (::setgid(owner.gid) != 0 || ::setuid(owner.uid) != 0) ::_exit(126);
  }
  const int fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
  }
  // None of the test's descriptors: a proxy socket held by PostgreSQL would keep a connection
  // open after the proxy closed it.
  ::close_range(3, ~0U, 0);
}

// Runs `argv` to completion with its output in `log`; its exit status.
int RunToCompletion(std::vector<std::string> argv, const std::string& log, const Owner& owner) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    PrepareChild(owner, log.c_str());
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// PostgreSQL's programs: the newest /usr/lib/postgresql/<major>/bin.
std::string PostgresBin() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = entry.path().string() + "/bin";
    if (std::filesystem::exists(bin + "/postgres") && bin > best) best = bin;
  }
  return best;
}

void ResetAndClose(int fd) {
  linger l{1, 0};  // close sends RST: the peer sees the connection cut, not closed
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

// Ends a connection in both directions now, whoever else may hold the descriptor.
void ShutAndClose(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(const std::string& dir) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  // A directory of its own that the cluster's owner may enter.
  server->dir_ = dir + "/pg";
  const Owner owner = PostgresOwner();
  if (::mkdir(server->dir_.c_str(), 0700) != 0) {
    return absl::InternalError("cannot create " + server->dir_);
  }
  if (owner.drop()) {
    ::chmod(dir.c_str(), 0711);
    if (::chown(server->dir_.c_str(), owner.uid, owner.gid) != 0) {
      return absl::InternalError("cannot give " + server->dir_ + " to postgres");
    }
  }
  server->bin_ = PostgresBin();
  if (server->bin_.empty()) return absl::FailedPreconditionError("PostgreSQL is not installed");
  server->port_ = FreePort();
  const std::string log = server->dir_ + "/initdb.log";
  if (RunToCompletion({server->bin_ + "/initdb", "-D", server->dir_ + "/data", "-U", "postgres",
                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
                      log, owner) != 0) {
    return absl::InternalError("initdb failed (see " + log + ")");
  }
  if (absl::Status st = server->Launch(); !st.ok()) return st;
  return server;
}

absl::Status PostgresServer::Launch() {
  std::vector<std::string> argv = {
      bin_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k", dir_,
      "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
      "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning"};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string log = dir_ + "/postgres.log";
  const Owner owner = PostgresOwner();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    PrepareChild(owner, log.c_str());
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // setuid clears it
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
  return WaitAccepting(absl::Seconds(30));
}

absl::Status PostgresServer::WaitAccepting(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < give_up) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError("postgres exited at start (see " + dir_ + "/postgres.log)");
    }
    try {
      pqxx::connection c(Dsn(port_));
      pqxx::nontransaction(c).exec("SELECT 1");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      last = e.what();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("PostgreSQL does not accept connections: " + last);
}

std::string PostgresServer::Dsn(int port, const std::string& database) const {
  return absl::StrCat("host=127.0.0.1 port=", port, " user=postgres dbname=", database,
                      " connect_timeout=3");
}

absl::StatusOr<absl::Duration> PostgresServer::KillAndRestart() {
  const absl::Time start = absl::Now();
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // The orphaned backends exit once they notice the postmaster is gone; until then the shared
  // memory is in use and a new postmaster refuses to start. So: try until it starts.
  absl::Status st;
  for (int attempt = 0; attempt < 60; ++attempt) {
    st = Launch();
    if (st.ok()) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(250));
  }
  return st;
}

void PostgresServer::StopPostmaster(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

PostgresServer::~PostgresServer() { StopPostmaster(SIGINT); }

// ---- TcpProxy ---------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int upstream_port) {
  std::unique_ptr<TcpProxy> proxy(new TcpProxy());
  proxy->upstream_port_ = upstream_port;
  proxy->listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(proxy->listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(proxy->listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(proxy->listener_, 128) != 0 ||
      ::getsockname(proxy->listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return absl::InternalError("proxy: cannot listen");
  }
  proxy->port_ = ntohs(addr.sin_port);
  proxy->acceptor_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listener_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(connections_);
  }
  for (std::thread& t : threads) t.join();
}

void TcpProxy::CutAll() { ++generation_; }

void TcpProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++accepted_;
    std::lock_guard<std::mutex> lock(mu_);
    connections_.emplace_back([this, client] { Serve(client); });
  }
}

void TcpProxy::Serve(int client) {
  const uint64_t generation = generation_;
  int upstream = -1;
  auto cut = [&] {
    ResetAndClose(client);
    if (upstream >= 0) ResetAndClose(upstream);
  };
  // A connection made during a partition waits (silently) for the partition to end.
  while (stalled_ && !stopping_ && generation == generation_) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (stopping_ || generation != generation_) return cut();
  upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return cut();
  std::minstd_rand random(static_cast<unsigned>(client * 7919 + upstream));
  char buffer[16384];
  while (!stopping_) {
    if (generation != generation_) return cut();
    if (stalled_) {
      absl::SleepFor(absl::Milliseconds(20));
      continue;
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(fds, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int from = fds[i].fd;
      const int to = i == 0 ? upstream : client;
      const ssize_t n = ::read(from, buffer, sizeof(buffer));
      if (n <= 0) {
        // An orderly close or a reset on one side ends both.
        ShutAndClose(client);
        ShutAndClose(upstream);
        return;
      }
      if (const int64_t delay = delay_ms_; delay > 0) absl::SleepFor(absl::Milliseconds(delay));
      if (const int per_mille = cut_per_mille_;
          per_mille > 0 && static_cast<int>(random() % 1000) < per_mille) {
        return cut();
      }
      for (ssize_t sent = 0; sent < n;) {
        const ssize_t w = ::send(to, buffer + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) return cut();
        sent += w;
      }
    }
  }
  cut();
}

}  // namespace integration::fault
