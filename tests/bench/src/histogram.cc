// Log-bucketed latency histograms: index arithmetic, lock-free recording, percentiles.
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace integration::bench {

size_t BucketLayout::IndexOf(uint64_t value) {
  value = std::min(value, kMaxValue);
  if (value < (uint64_t{1} << kSubBits)) return static_cast<size_t>(value);
  // Magnitude m >= 1: the top kSubBits bits of the value, shifted down by m, lie in
  // [kHalf, 2*kHalf); consecutive magnitudes tile the index space without gaps.
  const int msb = 63 - std::countl_zero(value);
  const int m = msb - (kSubBits - 1);
  return static_cast<size_t>(m) * kHalf + static_cast<size_t>(value >> m);
}

uint64_t BucketLayout::LowestEquivalent(size_t index) {
  if (index < (size_t{1} << kSubBits)) return index;
  const size_t m = index / kHalf - 1;
  const uint64_t sub = index % kHalf + kHalf;
  return sub << m;
}

uint64_t BucketLayout::HighestEquivalent(size_t index) {
  if (index < (size_t{1} << kSubBits)) return index;
  const size_t m = index / kHalf - 1;
  return LowestEquivalent(index) + (uint64_t{1} << m) - 1;
}

size_t BucketLayout::BucketCount() { return IndexOf(kMaxValue) + 1; }

HistogramSnapshot::HistogramSnapshot() : buckets_(BucketLayout::BucketCount(), 0) {}

void HistogramSnapshot::Add(uint64_t value, uint64_t count) {
  if (count == 0) return;
  buckets_[BucketLayout::IndexOf(value)] += count;
  count_ += count;
  const uint64_t add = value * count;
  sum_ = (UINT64_MAX - sum_ < add) ? UINT64_MAX : sum_ + add;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void HistogramSnapshot::Merge(const HistogramSnapshot& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ = (UINT64_MAX - sum_ < other.sum_) ? UINT64_MAX : sum_ + other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t HistogramSnapshot::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value asked for, 1-based: at least one value even for q = 0.
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketLayout::HighestEquivalent(i), max_);
  }
  return max_;
}

Histogram::Histogram()
    : buckets_(std::make_unique<std::atomic<uint64_t>[]>(BucketLayout::BucketCount())) {
  for (size_t i = 0; i < BucketLayout::BucketCount(); ++i) {
    buckets_[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::Record(uint64_t value) {
  value = std::min(value, BucketLayout::kMaxValue);
  buckets_[BucketLayout::IndexOf(value)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  uint64_t seen = min_.load(std::memory_order_relaxed);
  while (value < seen && !min_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
  seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  uint64_t total = 0;
  for (size_t i = 0; i < BucketLayout::BucketCount(); ++i) {
    s.buckets_[i] = buckets_[i].load(std::memory_order_relaxed);
    total += s.buckets_[i];
  }
  // Counted from the buckets so that percentiles stay consistent with the counts even while
  // other threads record.
  s.count_ = total;
  s.sum_ = sum_.load(std::memory_order_relaxed);
  s.min_ = min_.load(std::memory_order_relaxed);
  s.max_ = max_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace integration::bench
