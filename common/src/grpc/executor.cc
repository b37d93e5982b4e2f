// BoundedExecutor: fixed worker threads draining a bounded ring buffer of tasks.
#include "integration/grpc/executor.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "integration/log/log.h"

namespace integration::grpc {
namespace {

ExecutorOptions Normalized(ExecutorOptions options) {
  // Zero threads would never run anything and a zero-slot queue could not hand a task over.
  options.threads = std::max<size_t>(options.threads, 1);
  options.queue_capacity = std::max<size_t>(options.queue_capacity, 1);
  return options;
}

// The ring starts this small and doubles up to the queue's capacity when a burst needs it,
// and goes back to this size once drained: an empty queue of several thousand slots would be
// resident memory of every idle service.
constexpr size_t kInitialSlots = 16;

// Moves the `size` tasks from `head` on, in order, into a ring of `slots` slots starting at 0.
void Resize(std::vector<BoundedExecutor::Task>& ring, size_t head, size_t size, size_t slots) {
  std::vector<BoundedExecutor::Task> next(slots);
  for (size_t i = 0; i < size; ++i) next[i] = std::move(ring[(head + i) % ring.size()]);
  ring.swap(next);
}

}  // namespace

BoundedExecutor::BoundedExecutor(ExecutorOptions options)
    : options_(Normalized(std::move(options))) {
  {
    absl::MutexLock lock(&mu_);
    queue_.resize(std::min(options_.queue_capacity, kInitialSlots));
  }
  absl::MutexLock lock(&join_mu_);
  workers_.reserve(options_.threads);
  for (size_t i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

BoundedExecutor::~BoundedExecutor() { Stop(); }

bool BoundedExecutor::TrySubmit(Task task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || size_ == options_.queue_capacity) return false;
  if (size_ == queue_.size()) {
    Resize(queue_, head_, size_, std::min(options_.queue_capacity, 2 * queue_.size()));
    head_ = 0;
  }
  queue_[(head_ + size_) % queue_.size()] = std::move(task);
  ++size_;
  if (options_.on_depth_change) options_.on_depth_change(size_);
  work_available_.Signal();
  return true;
}

void BoundedExecutor::WorkerLoop() {
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      while (size_ == 0 && !stopping_) work_available_.Wait(&mu_);
      // Stop() drains: a worker leaves only once nothing is queued.
      if (size_ == 0) return;
      task = std::move(queue_[head_]);
      queue_[head_] = nullptr;
      head_ = (head_ + 1) % queue_.size();
      --size_;
      ++running_;
      if (size_ == 0 && queue_.size() > kInitialSlots) {
        Resize(queue_, head_, 0, kInitialSlots);
        head_ = 0;
      }
      if (options_.on_depth_change) options_.on_depth_change(size_);
    }
    try {
      std::move(task)();
    } catch (const std::exception& e) {
      log::Error("executor_task_threw", {{"executor", options_.name}, {"error", e.what()}});
    } catch (...) {
      log::Error("executor_task_threw",
                 {{"executor", options_.name}, {"error", "unknown exception"}});
    }
    // Captures are released before the task counts as finished, so Stop() returning means no
    // task state of this executor is alive any more.
    task = nullptr;
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

void BoundedExecutor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    work_available_.SignalAll();
  }
  absl::MutexLock lock(&join_mu_);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

size_t BoundedExecutor::queue_depth() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

size_t BoundedExecutor::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

}  // namespace integration::grpc
