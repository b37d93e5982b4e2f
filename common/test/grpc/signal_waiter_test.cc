// SignalWaiter: a SIGTERM sent to the whole process reaches the handler on its own thread.
// Its own binary: the mask must be set before any other thread exists.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "integration/grpc/signals.h"

namespace integration::grpc {
namespace {

TEST(SignalWaiterTest, ProcessSignalRunsHandlerOnce) {
  SignalWaiter waiter;
  absl::Notification handled;
  std::atomic<int> got{0};
  std::atomic<bool> on_main_thread{true};
  const std::thread::id main_id = std::this_thread::get_id();
  waiter.Start([&](int signal) {
    got = signal;
    on_main_thread = std::this_thread::get_id() == main_id;
    handled.Notify();
  });
  EXPECT_EQ(waiter.received(), 0);
  // The whole process, as kubelet does: only the waiting thread may take it.
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_TRUE(handled.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(got.load(), SIGTERM);
  EXPECT_FALSE(on_main_thread.load());
  EXPECT_EQ(waiter.received(), SIGTERM);
}

TEST(SignalWaiterTest, DestructorWithoutSignalStopsTheThread) {
  std::atomic<bool> called{false};
  {
    SignalWaiter waiter;
    waiter.Start([&](int) { called = true; });
  }
  EXPECT_FALSE(called.load());
  // The mask is restored: the process still has SIGINT blocked only if it had it before.
  sigset_t current;
  pthread_sigmask(SIG_SETMASK, nullptr, &current);
  EXPECT_EQ(sigismember(&current, SIGINT), 0);
}

}  // namespace
}  // namespace integration::grpc
