// Latency histograms of the load generator: log-bucketed like HdrHistogram (under 0.8 %
// relative error from 1 ns to 18 minutes), recorded lock-free from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace integration::bench {

// Bucket layout shared by the recorder and its snapshots. Values below 2^kSubBits are exact;
// above, each power of two is split into 2^(kSubBits-1) equal buckets, so a bucket is never
// wider than 1/128 of its lower bound.
class BucketLayout {
 public:
  static constexpr int kSubBits = 8;
  static constexpr uint64_t kHalf = uint64_t{1} << (kSubBits - 1);  // buckets per power of two
  // Largest recordable value (2^40 ns ~ 18 min); larger values are clamped to it.
  static constexpr uint64_t kMaxValue = (uint64_t{1} << 40) - 1;

  static size_t IndexOf(uint64_t value);
  // The largest value that falls into bucket `index` (what a percentile reports, so reported
  // latencies never understate).
  static uint64_t HighestEquivalent(size_t index);
  // The smallest value of bucket `index`.
  static uint64_t LowestEquivalent(size_t index);
  static size_t BucketCount();
};

// A frozen copy of a histogram: percentiles, mean, merge.
class HistogramSnapshot {
 public:
  HistogramSnapshot();

  void Add(uint64_t value, uint64_t count = 1);
  void Merge(const HistogramSnapshot& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The smallest recorded bucket value v such that at least q (0..1] of the values are <= v,
  // reported as the bucket's highest equivalent value (capped by the true maximum). 0 when
  // empty.
  uint64_t Percentile(double q) const;

 private:
  friend class Histogram;
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;  // saturating: overflows only after ~584 years of recorded latency
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

// The recorder: Record() is wait-free and safe from any number of threads; Snapshot() may run
// concurrently and sees each recorded value at most once.
class Histogram {
 public:
  Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Record(uint64_t value);
  HistogramSnapshot Snapshot() const;

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_{UINT64_MAX};
  std::atomic<uint64_t> max_{0};
};

}  // namespace integration::bench
