// Closed- and open-loop load: scheduling, window accounting and the wait for the last calls.
#include "load.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace integration::bench {
namespace {

uint64_t Ns(Clock::duration d) {
  return static_cast<uint64_t>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
}

// State shared by every call of one run.
class Run {
 public:
  Run(Transport& transport, RequestSource& source, const LoadOptions& options)
      : transport_(transport), source_(source), options_(options) {
    const Clock::time_point now = Clock::now();
    window_start_ = now + options.warmup;
    window_end_ = window_start_ + options.duration;
  }

  LoadResult Closed();
  LoadResult Open();

 private:
  struct Slot {
    std::mt19937_64 rng;
  };

  // Records a finished call that was meant to start at `intended`.
  void Finish(Clock::time_point intended, const Outcome& outcome) {
    const Clock::time_point now = Clock::now();
    const bool counted = intended >= window_start_ && intended < window_end_;
    if (outcome.ok && now >= window_start_ && now < window_end_) {
      ok_in_window_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!counted) return;
    if (outcome.ok) {
      latency_.Record(Ns(now - intended));
    } else {
      error_latency_.Record(Ns(now - intended));
    }
    std::lock_guard lock(codes_mu_);
    ++codes_[outcome.code];
    if (!outcome.ok && !first_message_.contains(outcome.code)) {
      first_message_[outcome.code] = outcome.message;
    }
  }

  void CountSent(Clock::time_point intended) {
    if (intended >= window_start_ && intended < window_end_) {
      sent_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Closed loop: starts the next call of `slot`, or retires the slot after the window.
  void IssueNext(Slot* slot) {
    while (true) {
      const Clock::time_point start = Clock::now();
      if (start >= window_end_) {
        Retire();
        return;
      }
      const uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
      absl::StatusOr<std::shared_ptr<const Request>> request = source_.Make(seq, slot->rng);
      CountSent(start);
      if (!request.ok()) {
        // Counted and retried at once: a template that cannot render fails every call, and the
        // report shows it instead of a silent stop.
        Finish(start, Outcome{false, "CLIENT_ERROR", std::string(request.status().message())});
        continue;
      }
      transport_.Send(*std::move(request), [this, slot, start](Outcome outcome) {
        Finish(start, outcome);
        IssueNext(slot);
      });
      return;
    }
  }

  void Retire() {
    std::lock_guard lock(done_mu_);
    if (--active_ == 0) done_cv_.notify_all();
  }

  LoadResult Collect();

  Transport& transport_;
  RequestSource& source_;
  const LoadOptions options_;
  Clock::time_point window_start_;
  Clock::time_point window_end_;

  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> ok_in_window_{0};
  Histogram latency_;
  Histogram error_latency_;
  std::mutex codes_mu_;
  std::map<std::string, uint64_t> codes_;
  std::map<std::string, std::string> first_message_;

  std::mutex done_mu_;
  std::condition_variable done_cv_;
  int active_ = 0;          // closed loop: slots still issuing
  size_t outstanding_ = 0;  // open loop: calls started and not finished
  uint64_t unfinished_ = 0;
  double max_lag_ms_ = 0;
  uint64_t late_ = 0;
};

LoadResult Run::Closed() {
  std::vector<std::unique_ptr<Slot>> slots;
  std::random_device device;
  for (int i = 0; i < options_.concurrency; ++i) {
    slots.push_back(std::make_unique<Slot>(Slot{std::mt19937_64(device())}));
  }
  {
    std::lock_guard lock(done_mu_);
    active_ = options_.concurrency;
  }
  for (auto& slot : slots) IssueNext(slot.get());
  std::unique_lock lock(done_mu_);
  // Every slot retires after its last call, which ends by its deadline at the latest.
  const Clock::time_point give_up = window_end_ + options_.call_timeout + std::chrono::seconds(5);
  if (!done_cv_.wait_until(lock, give_up, [this] { return active_ == 0; })) {
    unfinished_ = static_cast<uint64_t>(active_);
    // The slots still reference this object from gRPC's threads: wait on (a stuck transport is
    // a bug of the transport, which must end every call by its deadline).
    done_cv_.wait(lock, [this] { return active_ == 0; });
  }
  return Collect();
}

LoadResult Run::Open() {
  std::mt19937_64 rng(std::random_device{}());
  const Clock::time_point first = Clock::now();
  const double period_ns = 1e9 / options_.rate;
  for (uint64_t i = 0;; ++i) {
    const Clock::time_point intended =
        first + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * period_ns));
    if (intended >= window_end_) break;
    Clock::time_point now = Clock::now();
    if (intended > now) {
      std::this_thread::sleep_until(intended);
      now = Clock::now();
    }
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait(lock, [this] { return outstanding_ < options_.max_outstanding; });
      ++outstanding_;
    }
    now = Clock::now();
    if (intended >= window_start_) {
      const double lag_ms = static_cast<double>(Ns(now - intended)) / 1e6;
      max_lag_ms_ = std::max(max_lag_ms_, lag_ms);
      if (lag_ms > 1.0) ++late_;
    }
    const uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
    absl::StatusOr<std::shared_ptr<const Request>> request = source_.Make(seq, rng);
    CountSent(intended);
    auto on_done = [this, intended](Outcome outcome) {
      Finish(intended, outcome);
      std::lock_guard lock(done_mu_);
      --outstanding_;
      done_cv_.notify_all();
    };
    if (!request.ok()) {
      on_done(Outcome{false, "CLIENT_ERROR", std::string(request.status().message())});
      continue;
    }
    transport_.Send(*std::move(request), std::move(on_done));
  }
  std::unique_lock lock(done_mu_);
  const Clock::time_point give_up =
      std::max(Clock::now(), window_end_) + options_.call_timeout + std::chrono::seconds(5);
  if (!done_cv_.wait_until(lock, give_up, [this] { return outstanding_ == 0; })) {
    unfinished_ = outstanding_;
    done_cv_.wait(lock, [this] { return outstanding_ == 0; });
  }
  return Collect();
}

LoadResult Run::Collect() {
  LoadResult r;
  r.open_loop = options_.open_loop;
  r.concurrency = options_.concurrency;
  r.rate = options_.rate;
  r.window_seconds = static_cast<double>(Ns(window_end_ - window_start_)) / 1e9;
  r.sent = sent_.load();
  {
    std::lock_guard lock(codes_mu_);
    r.codes = codes_;
    r.first_message = first_message_;
  }
  r.ok_completed_in_window = ok_in_window_.load();
  r.throughput = static_cast<double>(r.ok_completed_in_window) / r.window_seconds;
  r.offered_rate = static_cast<double>(r.sent) / r.window_seconds;
  r.latency = latency_.Snapshot();
  r.error_latency = error_latency_.Snapshot();
  r.max_send_lag_ms = max_lag_ms_;
  r.sends_late_1ms = late_;
  r.unfinished = unfinished_;
  r.total_calls = seq_.load();
  return r;
}

}  // namespace

uint64_t LoadResult::errors() const {
  uint64_t n = 0;
  for (const auto& [code, count] : codes) {
    if (code != "OK") n += count;
  }
  return n;
}

LoadResult RunLoad(Transport& transport, RequestSource& source, const LoadOptions& options) {
  Run run(transport, source, options);
  return options.open_loop ? run.Open() : run.Closed();
}

}  // namespace integration::bench
