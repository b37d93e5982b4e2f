// BoundedExecutor: runs work, refuses beyond its queue, drains on Stop, survives throwing tasks.
#include "integration/grpc/executor.h"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace integration::grpc {
namespace {

ExecutorOptions Options(size_t threads, size_t queue) {
  ExecutorOptions o;
  o.name = "test";
  o.threads = threads;
  o.queue_capacity = queue;
  return o;
}

bool Eventually(const std::function<bool()>& condition) {
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (!condition()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(BoundedExecutorTest, RunsEveryTaskOnItsThreads) {
  BoundedExecutor executor(Options(3, 100));
  std::atomic<int> done{0};
  absl::Mutex mu;
  std::vector<std::thread::id> ids;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&] {
      {
        absl::MutexLock lock(&mu);
        ids.push_back(std::this_thread::get_id());
      }
      ++done;
    }));
  }
  ASSERT_TRUE(Eventually([&] { return done.load() == 50; }));
  absl::MutexLock lock(&mu);
  for (std::thread::id id : ids) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(BoundedExecutorTest, RefusesWhenThreadsBusyAndQueueFull) {
  std::vector<size_t> depths;
  ExecutorOptions options = Options(2, 3);
  options.on_depth_change = [&depths](size_t d) { depths.push_back(d); };  // under the lock
  BoundedExecutor executor(std::move(options));
  absl::Notification release;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  auto blocking = [&] {
    ++started;
    release.WaitForNotification();
    ++finished;
  };
  ASSERT_TRUE(executor.TrySubmit(blocking));
  ASSERT_TRUE(executor.TrySubmit(blocking));
  ASSERT_TRUE(Eventually([&] { return started.load() == 2; }));
  EXPECT_EQ(executor.running(), 2u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(executor.TrySubmit(blocking));
  EXPECT_EQ(executor.queue_depth(), 3u);
  EXPECT_FALSE(executor.TrySubmit(blocking));
  EXPECT_EQ(executor.queue_depth(), 3u);
  release.Notify();
  ASSERT_TRUE(Eventually([&] { return finished.load() == 5; }));
  EXPECT_EQ(executor.queue_depth(), 0u);
  // Space again once drained.
  EXPECT_TRUE(executor.TrySubmit([] {}));
  executor.Stop();
  ASSERT_FALSE(depths.empty());
  EXPECT_EQ(depths.back(), 0u);
  size_t max_depth = 0;
  for (size_t d : depths) max_depth = std::max(max_depth, d);
  EXPECT_EQ(max_depth, 3u);
}

TEST(BoundedExecutorTest, DeepQueueKeepsOrderAndItsBound) {
  // More tasks than the ring's first slots: it grows on the way, in order, up to the capacity.
  BoundedExecutor executor(Options(1, 100));
  absl::Notification release;
  ASSERT_TRUE(executor.TrySubmit([&] { release.WaitForNotification(); }));
  ASSERT_TRUE(Eventually([&] { return executor.running() == 1; }));
  absl::Mutex mu;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&, i] {
      absl::MutexLock lock(&mu);
      order.push_back(i);
    })) << i;
  }
  EXPECT_EQ(executor.queue_depth(), 100u);
  EXPECT_FALSE(executor.TrySubmit([] {}));
  release.Notify();
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return order.size() == 100;
  }));
  {
    absl::MutexLock lock(&mu);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  }
  // Drained (the ring back to its first size): a second burst queues as deep again.
  absl::Notification release_again;
  ASSERT_TRUE(executor.TrySubmit([&] { release_again.WaitForNotification(); }));
  ASSERT_TRUE(Eventually([&] { return executor.running() == 1; }));
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(executor.TrySubmit([&] { ++done; })) << i;
  EXPECT_FALSE(executor.TrySubmit([] {}));
  release_again.Notify();
  ASSERT_TRUE(Eventually([&] { return done.load() == 100; }));
}

TEST(BoundedExecutorTest, StopRunsQueuedTasksThenRefuses) {
  BoundedExecutor executor(Options(1, 10));
  absl::Notification release;
  std::atomic<int> done{0};
  ASSERT_TRUE(executor.TrySubmit([&] { release.WaitForNotification(); }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(executor.TrySubmit([&] { ++done; }));
  std::thread stopper([&] { executor.Stop(); });
  absl::SleepFor(absl::Milliseconds(20));
  release.Notify();
  stopper.join();
  EXPECT_EQ(done.load(), 5);  // everything queued before Stop ran
  EXPECT_FALSE(executor.TrySubmit([&] { ++done; }));
  executor.Stop();  // idempotent
  EXPECT_EQ(done.load(), 5);
}

TEST(BoundedExecutorTest, ThrowingTaskDoesNotKillItsThread) {
  BoundedExecutor executor(Options(1, 4));
  std::atomic<bool> ran{false};
  ASSERT_TRUE(executor.TrySubmit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(executor.TrySubmit([&] { ran = true; }));
  ASSERT_TRUE(Eventually([&] { return ran.load(); }));
}

TEST(BoundedExecutorTest, MoveOnlyTasksAndReleasedCaptures) {
  BoundedExecutor executor(Options(1, 4));
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  std::atomic<int> seen{0};
  auto unique = std::make_unique<int>(3);
  ASSERT_TRUE(
      executor.TrySubmit([p = std::move(owned), u = std::move(unique), &seen] { seen = *p + *u; }));
  executor.Stop();
  EXPECT_EQ(seen.load(), 10);
  EXPECT_TRUE(watch.expired());  // the task's captures are gone once Stop returned
}

TEST(BoundedExecutorTest, ZeroSizesAreRaisedToOne) {
  BoundedExecutor executor(Options(0, 0));
  EXPECT_EQ(executor.threads(), 1u);
  EXPECT_EQ(executor.queue_capacity(), 1u);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(executor.TrySubmit([&] { ran = true; }));
  ASSERT_TRUE(Eventually([&] { return ran.load(); }));
}

}  // namespace
}  // namespace integration::grpc
