// Tests of the benchmark harness itself: histogram precision, request templates, and that the
// open loop counts a server stall in full (no coordinated omission) while the closed loop
// keeps the configured number of calls in flight.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "histogram.h"
#include "load.h"
#include "request_template.h"

namespace integration::bench {
namespace {

using std::chrono::milliseconds;

TEST(HistogramTest, SmallValuesAreExact) {
  HistogramSnapshot h;
  for (uint64_t v = 1; v <= 100; ++v) h.Add(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.Percentile(0.5), 50u);
  EXPECT_EQ(h.Percentile(0.99), 99u);
  EXPECT_EQ(h.Percentile(1.0), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(HistogramTest, LargeValuesStayWithinOnePercentAndNeverUnderstate) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> dist(1000, 5'000'000'000ULL);
  std::vector<uint64_t> values;
  Histogram h;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(dist(rng));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  const HistogramSnapshot s = h.Snapshot();
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const uint64_t exact = values[static_cast<size_t>(q * values.size()) - 1];
    const uint64_t reported = s.Percentile(q);
    EXPECT_GE(reported, exact) << q;
    EXPECT_LE(static_cast<double>(reported), static_cast<double>(exact) * 1.01) << q;
  }
  EXPECT_EQ(s.max(), values.back());
  EXPECT_EQ(s.Percentile(1.0), values.back());
}

TEST(HistogramTest, BucketsTileTheRange) {
  for (size_t i = 1; i < BucketLayout::BucketCount(); ++i) {
    ASSERT_EQ(BucketLayout::LowestEquivalent(i), BucketLayout::HighestEquivalent(i - 1) + 1) << i;
    ASSERT_EQ(BucketLayout::IndexOf(BucketLayout::LowestEquivalent(i)), i);
    ASSERT_EQ(BucketLayout::IndexOf(BucketLayout::HighestEquivalent(i)), i);
  }
  EXPECT_EQ(BucketLayout::IndexOf(UINT64_MAX), BucketLayout::BucketCount() - 1);
}

TEST(HistogramTest, MergeAddsCounts) {
  HistogramSnapshot a, b;
  a.Add(10, 3);
  b.Add(1'000'000, 1);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.Percentile(0.75), 10u);
  EXPECT_GE(a.Percentile(1.0), 1'000'000u);
}

TEST(RequestTemplateTest, RendersPlaceholdersFromOneSetOfValues) {
  auto t = RequestTemplate::Parse(
      R"({"learner":{"name":"learners/b-{{run}}-{{seq}}"},"request_id":"{{uuid}}","n":{{rand:3}}})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->constant());
  EXPECT_TRUE(t->uses_uuid());
  std::mt19937_64 rng(1);
  RequestVars vars{42, "u-u-i-d", "abcd0123", &rng};
  const std::string out = t->Render(vars);
  EXPECT_TRUE(out.starts_with(R"({"learner":{"name":"learners/b-abcd0123-42"},"request_id":"u-u-i-d","n":)"))
      << out;
  const char n = out[out.size() - 2];
  EXPECT_TRUE(n == '0' || n == '1' || n == '2') << out;
}

TEST(RequestTemplateTest, ConstantTextIsRecognised) {
  auto t = RequestTemplate::Parse(R"({"page_size": 5})");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->constant());
  EXPECT_EQ(t->Render(RequestVars{}), R"({"page_size": 5})");
}

TEST(RequestTemplateTest, RejectsUnknownAndUnclosedPlaceholders) {
  EXPECT_FALSE(RequestTemplate::Parse("{{nope}}").ok());
  EXPECT_FALSE(RequestTemplate::Parse("x {{seq").ok());
  EXPECT_FALSE(RequestTemplate::Parse("{{rand:0}}").ok());
  EXPECT_FALSE(RequestTemplate::Parse("{{rand:x}}").ok());
  EXPECT_FALSE(RequestTemplate::Parse("{{seq:0}}").ok());
  EXPECT_FALSE(RequestTemplate::Parse("{{seq:21}}").ok());
  EXPECT_FALSE(RequestTemplate::Parse("{{seq:-3}}").ok());
}

TEST(RequestTemplateTest, PaddedSequenceHasAFixedWidthAndKnowsItsLimit) {
  auto t = RequestTemplate::Parse("9{{seq:7}}|{{seq}}");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->max_seq(), 9'999'999u);
  RequestVars vars;
  vars.seq = 42;
  EXPECT_EQ(t->Render(vars), "90000042|42");
  vars.seq = 9'999'999;
  EXPECT_EQ(t->Render(vars), "99999999|9999999");
  // The narrowest placeholder sets the limit; a text without one has none.
  auto narrow = RequestTemplate::Parse("{{seq:8}}-{{seq:2}}");
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(narrow->max_seq(), 99u);
  EXPECT_EQ(RequestTemplate::Parse("{{seq}}")->max_seq(), UINT64_MAX);
  vars.seq = 7;
  EXPECT_EQ(RequestTemplate::Parse("{{seq:20}}")->Render(vars), "00000000000000000007");
}

TEST(RequestTemplateTest, UuidsAreVersion4AndDistinct) {
  std::mt19937_64 rng(3);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = RandomUuid(rng);
    ASSERT_EQ(u.size(), 36u);
    ASSERT_EQ(u[14], '4');
    ASSERT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// One server that handles one call at a time with a fixed service time, and can be told to
// stall: calls wait in its queue, as they would behind a stuck server.
class SlowServer final : public Transport {
 public:
  explicit SlowServer(milliseconds service_time) : service_time_(service_time) {
    worker_ = std::thread([this] { Loop(); });
  }
  ~SlowServer() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  void Send(std::shared_ptr<const Request>, std::function<void(Outcome)> done) override {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(done));
    in_flight_max_ = std::max(in_flight_max_, queue_.size());
    cv_.notify_all();
  }

  void StallFor(milliseconds d) {
    std::lock_guard lock(mu_);
    stall_until_ = Clock::now() + d;
  }
  size_t in_flight_max() {
    std::lock_guard lock(mu_);
    return in_flight_max_;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      const Clock::time_point resume = std::max(stall_until_, Clock::now() + service_time_);
      lock.unlock();
      std::this_thread::sleep_until(resume);
      lock.lock();
      auto done = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      done(Outcome{true, "OK", ""});
      lock.lock();
    }
  }

  const milliseconds service_time_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(Outcome)>> queue_;
  Clock::time_point stall_until_{};
  size_t in_flight_max_ = 0;
  bool stop_ = false;
  std::thread worker_;
};

class FixedSource final : public RequestSource {
 public:
  absl::StatusOr<std::shared_ptr<const Request>> Make(uint64_t, std::mt19937_64&) override {
    return request_;
  }

 private:
  std::shared_ptr<const Request> request_ = std::make_shared<Request>();
};

TEST(LoadTest, OpenLoopCountsAStallForEveryCallScheduledDuringIt) {
  SlowServer server(milliseconds(1));
  FixedSource source;
  LoadOptions options;
  options.open_loop = true;
  options.rate = 200;  // one call every 5 ms
  options.warmup = milliseconds(200);
  options.duration = milliseconds(1500);
  // One call at a time, like a client with a single connection: during the stall the
  // schedule falls behind and the late calls then go out in a burst, each answered in 1 ms.
  options.max_outstanding = 1;
  std::thread staller([&] {
    std::this_thread::sleep_for(milliseconds(700));
    server.StallFor(milliseconds(300));
  });
  const LoadResult r = RunLoad(server, source, options);
  staller.join();
  EXPECT_EQ(r.errors(), 0u);
  EXPECT_NEAR(static_cast<double>(r.sent), 300.0, 3.0);
  // ~60 of ~300 calls were due while the server stalled, waiting 0..300 ms: a tool that times
  // calls from when it actually sent them (coordinated omission) would see one slow call and a
  // p90 of ~1 ms.
  EXPECT_GT(r.latency.Percentile(0.90), 50'000'000u);
  EXPECT_GE(r.latency.max(), 250'000'000u);
  EXPECT_LT(r.latency.Percentile(0.50), 20'000'000u);
}

TEST(LoadTest, ClosedLoopKeepsTheConfiguredCallsInFlight) {
  SlowServer server(milliseconds(2));
  FixedSource source;
  LoadOptions options;
  options.concurrency = 4;
  options.warmup = milliseconds(100);
  options.duration = milliseconds(500);
  const LoadResult r = RunLoad(server, source, options);
  EXPECT_EQ(server.in_flight_max(), 4u);
  // One call every 2 ms: about 250 in the window whatever the concurrency.
  EXPECT_GT(r.throughput, 150.0);
  EXPECT_LT(r.throughput, 600.0);
  // Each call waits behind the other three.
  EXPECT_GE(r.latency.Percentile(0.5), 6'000'000u);
  EXPECT_EQ(r.codes.at("OK"), r.sent);
}

}  // namespace
}  // namespace integration::bench
