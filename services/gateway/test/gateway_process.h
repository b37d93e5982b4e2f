// The gateway as its binary runs it (RunGateway), in-process on a thread of its own, for tests
// that need the whole process: flags, both fronts, the admin port, shutdown. Also a free-port
// helper for the settings where 0 means "off" rather than "pick one".
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway_server.h"

namespace integration::gateway::testing {

// A port nothing listened on a moment ago (bound on 127.0.0.1 and released at once).
inline int UnusedPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// RunGateway(args) on its own thread; the constructor returns once it listens (or failed, see
// started() and output()); the destructor shuts it down and joins.
class InProcessGateway {
 public:
  explicit InProcessGateway(std::vector<std::string> args,
                            absl::Duration start_timeout = absl::Seconds(30)) {
    thread_ = std::thread([this, args = std::move(args)] {
      std::ostringstream out;
      GatewayRunOptions options;
      options.environment = &environment_;
      options.out = &out;
      options.err = &out;
      options.on_started = [this](const GatewayRunning& running) {
        absl::MutexLock lock(&mu_);
        running_ = running;
        started_ = true;
      };
      const int code = RunGateway(args, options);
      absl::MutexLock lock(&mu_);
      output_ = out.str();
      exit_code_ = code;
      finished_ = true;
    });
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return started_ || finished_; };
    mu_.AwaitWithTimeout(absl::Condition(&done), start_timeout);
  }
  ~InProcessGateway() {
    Stop();
    if (thread_.joinable()) thread_.join();
  }
  InProcessGateway(const InProcessGateway&) = delete;
  InProcessGateway& operator=(const InProcessGateway&) = delete;

  bool started() const {
    absl::MutexLock lock(&mu_);
    return started_;
  }
  GatewayRunning running() const {
    absl::MutexLock lock(&mu_);
    return running_;
  }
  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(running().grpc_port); }
  int http_port() const { return running().http_port; }
  int admin_port() const { return running().admin_port; }

  // Starts the graceful shutdown (as SIGTERM); returns at once.
  void Stop() {
    std::function<void()> stop;
    {
      absl::MutexLock lock(&mu_);
      stop = running_.request_shutdown;
    }
    if (stop) stop();
  }
  // Waits for RunGateway to return: its exit code, or -1 on timeout.
  int Join(absl::Duration timeout = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&finished_), timeout);
    return finished_ ? exit_code_ : -1;
  }
  // What RunGateway printed (start-up errors); complete once it returned.
  std::string output() const {
    absl::MutexLock lock(&mu_);
    return output_;
  }

 private:
  const std::map<std::string, std::string> environment_;  // the process env is not read
  mutable absl::Mutex mu_;
  GatewayRunning running_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int exit_code_ ABSL_GUARDED_BY(mu_) = -1;
  std::string output_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace integration::gateway::testing
