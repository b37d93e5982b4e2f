// Helpers of the service runtime's integration tests: Run() on a thread of its own with a
// shutdown trigger, a gRPC health probe, a tiny HTTP GET for the admin port, free ports.
#pragma once

#include <arpa/inet.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "integration/service/service.h"
#include "integration/testing/free_port.h"

namespace integration::service::testing {

// Polls `done` every 20 ms until it holds or `timeout` passed.
inline bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// A TCP port that was free a moment ago, for settings where 0 means "off" rather than "pick
// one"; a test failure when none could be had.
inline int FreePort() {
  const int port = integration::testing::FreePort();
  EXPECT_NE(port, 0) << "no free port";
  return port;
}

// grpc.health.v1.Health/Check for the whole server (service ""): 1 SERVING, 2 NOT_SERVING,
// -1 when the call failed. The health proto is not installed, so the tiny messages are
// encoded by hand: an empty request, and field 1 (enum) of the response.
inline int HealthStatus(const std::string& target) {
  auto channel = ::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials());
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  // A ByteBuffer without slices is no message at all; the empty message is one empty slice.
  ::grpc::Slice empty("");
  ::grpc::ByteBuffer request(&empty, 1);
  ::grpc::ByteBuffer response;
  std::promise<::grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", ::grpc::StubOptions(), &request, &response,
                 [&done](::grpc::Status st) { done.set_value(std::move(st)); });
  ::grpc::Status st = done.get_future().get();
  if (!st.ok()) return -1;
  std::vector<::grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const ::grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) return static_cast<int>(fields.field(i).varint());
  }
  return 0;  // UNKNOWN, the proto3 default, is not on the wire
}
inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

struct HttpReply {
  int status = 0;
  std::string body;
};

// GET http://127.0.0.1:<port><path> with "Connection: close"; status 0 when unreachable.
inline HttpReply HttpGet(int port, const std::string& path) {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return reply;
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return reply;
  }
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\n<body>"
  if (raw.size() > 12 && raw.starts_with("HTTP/1.")) reply.status = std::stoi(raw.substr(9, 3));
  if (size_t end = raw.find("\r\n\r\n"); end != std::string::npos) reply.body = raw.substr(end + 4);
  return reply;
}

// Run(spec, args) on its own thread, with an empty environment; Stop() triggers the graceful
// shutdown (as a SIGTERM would) and returns Run()'s exit code.
class InProcessServer {
 public:
  InProcessServer(ServiceSpec spec, std::vector<std::string> args)
      : spec_(std::move(spec)), args_(std::move(args)), run_started_(absl::Now()) {
    thread_ = std::thread([this] {
      RunOptions options;
      options.environment = &environment_;
      options.out = &out_;
      options.err = &err_;
      options.on_started = [this](const Running& running) {
        absl::MutexLock lock(&mu_);
        started_ = true;
        started_at_ = absl::Now();
        grpc_port_ = running.grpc_port;
        admin_port_ = running.admin_port;
        shutdown_ = running.request_shutdown;
      };
      const int code = Run(spec_, args_, options);
      absl::MutexLock lock(&mu_);
      exit_code_ = code;
      finished_ = true;
    });
  }
  ~InProcessServer() { Stop(); }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  // Whether on_started ran within `timeout` (false when Run() returned first).
  bool WaitStarted(absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &InProcessServer::StartedOrFinished), timeout);
    return started_;
  }

  // Triggers the shutdown (if the server started) and waits for Run(); its exit code.
  int Stop() {
    std::function<void()> shutdown;
    {
      absl::MutexLock lock(&mu_);
      shutdown = shutdown_;
    }
    if (shutdown) shutdown();
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&mu_);
    return exit_code_;
  }

  std::string target() const { return "127.0.0.1:" + std::to_string(grpc_port()); }
  int grpc_port() const {
    absl::MutexLock lock(&mu_);
    return grpc_port_;
  }
  int admin_port() const {
    absl::MutexLock lock(&mu_);
    return admin_port_;
  }
  // When Run() was called and when on_started ran.
  absl::Time run_started() const { return run_started_; }
  absl::Time started_at() const {
    absl::MutexLock lock(&mu_);
    return started_at_;
  }
  // Run()'s output; read after Stop().
  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }

 private:
  bool StartedOrFinished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return started_ || finished_;
  }

  const ServiceSpec spec_;
  const std::vector<std::string> args_;
  const std::map<std::string, std::string> environment_;
  const absl::Time run_started_;
  std::ostringstream out_;
  std::ostringstream err_;
  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time started_at_ ABSL_GUARDED_BY(mu_);
  int grpc_port_ ABSL_GUARDED_BY(mu_) = 0;
  int admin_port_ ABSL_GUARDED_BY(mu_) = 0;
  int exit_code_ ABSL_GUARDED_BY(mu_) = -1;
  std::function<void()> shutdown_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: started once every other member exists
};

}  // namespace integration::service::testing
