// What the fault scenarios break: a PostgreSQL server of their own (so that kill -9 of its
// postmaster harms no other test) and a TCP proxy that can stall, delay and cut connections
// (a network partition or a slow link between two components).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace integration::fault {

// A PostgreSQL cluster (initdb, trust authentication on 127.0.0.1) in `dir`, its postmaster a
// child of this process on a free port.
class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(const std::string& dir);
  ~PostgresServer();  // fast shutdown
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // kill -9 of the postmaster (its backends notice and exit), then a start on the same data
  // directory and port once they are gone: crash recovery replays the WAL. Returns once it
  // accepts connections again, with how long it was down.
  absl::StatusOr<absl::Duration> KillAndRestart();
  int port() const { return port_; }
  // The superuser's DSN at `port` (another port: through a proxy), database `database`.
  std::string Dsn(int port, const std::string& database = "postgres") const;

 private:
  PostgresServer() = default;
  absl::Status Launch();
  absl::Status WaitAccepting(absl::Duration timeout);
  void StopPostmaster(int signal);

  std::string dir_;
  std::string bin_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP proxy on a free 127.0.0.1 port in front of 127.0.0.1:`upstream_port`: one thread per
// connection copying both ways. The fault is switched at any time and applies to every
// connection, open or new.
class TcpProxy {
 public:
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int upstream_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // Partition: nothing is forwarded any more and new connections are accepted but never
  // reach the upstream — the peers see silence, not a refusal.
  void Stall(bool stalled) { stalled_ = stalled; }
  // Every chunk waits this long before it is forwarded (0: none).
  void SetDelay(absl::Duration delay) { delay_ms_ = absl::ToInt64Milliseconds(delay); }
  // Each forwarded chunk cuts its connection (RST both ways) with this probability (0-1000 per
  // mille).
  void SetCutPerMille(int per_mille) { cut_per_mille_ = per_mille; }
  // Resets every open connection (both sides see a RST), as a partition that outlived the
  // peers' timeouts does.
  void CutAll();
  int64_t connections() const { return accepted_; }

 private:
  TcpProxy() = default;
  void AcceptLoop();
  void Serve(int client);

  int listener_ = -1;
  int port_ = 0;
  int upstream_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stalled_{false};
  std::atomic<int64_t> delay_ms_{0};
  std::atomic<int> cut_per_mille_{0};
  std::atomic<int64_t> accepted_{0};
  std::atomic<uint64_t> generation_{0};  // bumped by CutAll; connections of older ones close
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
};

}  // namespace integration::fault
