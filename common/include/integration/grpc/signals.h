// SIGTERM/SIGINT handling for graceful shutdown: the signals are blocked in every thread and
// received by one dedicated thread with sigwait, so shutdown code runs as ordinary code.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there

namespace integration::grpc {

class SignalWaiter {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread; threads started afterwards inherit the
  // mask. Create it first in main(), before anything starts a thread (gRPC, pools, loggers).
  SignalWaiter();
  // Stops the waiting thread if no signal came and restores the calling thread's mask.
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Starts the waiting thread. The first SIGTERM or SIGINT runs `on_signal(signal)` on a
  // thread of its own (typically Runtime::Shutdown); a second one exits the process at once
  // with status 128 + signal, as an operator pressing Ctrl-C twice expects. Call once.
  void Start(std::function<void(int signal)> on_signal);

  // The signal received, 0 while none was.
  int received() const { return received_.load(); }

 private:
  void Loop();

  sigset_t signals_;
  sigset_t previous_mask_;
  std::function<void(int)> on_signal_;
  std::atomic<int> received_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;   // sigwait loop
  std::thread handler_;  // runs on_signal_; started by thread_, joined by the destructor
};

}  // namespace integration::grpc
