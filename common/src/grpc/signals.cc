// SignalWaiter: sigwait on a dedicated thread, the handler on another.
#include "integration/grpc/signals.h"

#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "integration/log/log.h"

namespace integration::grpc {

SignalWaiter::SignalWaiter() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
}

SignalWaiter::~SignalWaiter() {
  if (thread_.joinable()) {
    // Wake the sigwait with a signal aimed at that thread only; the flag tells it to leave
    // instead of treating it as an operator's signal.
    stopping_.store(true);
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }
  // thread_ is joined, so handler_ is no longer written.
  if (handler_.joinable()) handler_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void SignalWaiter::Start(std::function<void(int)> on_signal) {
  on_signal_ = std::move(on_signal);
  thread_ = std::thread([this] { Loop(); });
}

void SignalWaiter::Loop() {
  while (true) {
    int signal = 0;
    if (sigwait(&signals_, &signal) != 0) continue;
    if (stopping_.load()) return;
    if (received_.load() != 0) {
      log::Warn("signal_received", {{"signal", signal}, {"action", "immediate exit"}});
      std::_Exit(128 + signal);
    }
    received_.store(signal);
    log::Info("signal_received", {{"signal", signal}, {"action", "graceful shutdown"}});
    // The handler may take the whole drain time; this thread keeps listening meanwhile.
    handler_ = std::thread([this, signal] {
      if (on_signal_) on_signal_(signal);
    });
  }
}

}  // namespace integration::grpc
