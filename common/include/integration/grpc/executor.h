// A fixed pool of worker threads with a bounded queue, where blocking work of RPC handlers runs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there

namespace integration::grpc {

struct ExecutorOptions {
  std::string name = "executor";  // used in log lines
  size_t threads = 8;             // sized to the connection pool the work uses
  size_t queue_capacity = 256;    // tasks waiting for a thread; more are refused
  // Called with the number of waiting tasks whenever it changes (a metrics gauge). Runs under
  // the queue lock, so it must be cheap and must not call back into the executor.
  std::function<void(size_t depth)> on_depth_change;
};

// Runs submitted tasks on a fixed set of threads. Submission never blocks: when every thread
// is busy and the queue is full, TrySubmit refuses the task so that the caller (a gRPC thread)
// can answer RESOURCE_EXHAUSTED instead of piling up work it cannot finish in time.
// Thread-safe.
class BoundedExecutor {
 public:
  using Task = absl::AnyInvocable<void() &&>;

  explicit BoundedExecutor(ExecutorOptions options);
  // Stop()s.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; false (task dropped unrun) when the queue is full or Stop() was called.
  // A task that throws is logged and does not take its thread down.
  bool TrySubmit(Task task);

  // Refuses new tasks, runs every task already queued, then joins the threads. Idempotent;
  // must not be called from a task of this executor.
  void Stop();

  // Tasks waiting for a thread (not counting running ones).
  size_t queue_depth() const;
  // Tasks running right now.
  size_t running() const;
  size_t queue_capacity() const { return options_.queue_capacity; }
  size_t threads() const { return options_.threads; }

 private:
  void WorkerLoop();

  const ExecutorOptions options_;
  mutable absl::Mutex mu_;
  absl::CondVar work_available_;
  std::vector<Task> queue_ ABSL_GUARDED_BY(mu_);  // ring: 16 slots, doubled up to queue_capacity in a burst
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex join_mu_;  // serialises concurrent Stop() calls around the join
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(join_mu_);
};

}  // namespace integration::grpc
