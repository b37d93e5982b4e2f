// The load loops of the generator, independent of the transport: closed loop (N calls in
// flight, each finished call starts the next) and open loop (calls started on a fixed
// schedule; latency counted from the INTENDED start, so a stalled server cannot hide its
// stall by slowing the client down — no coordinated omission).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "histogram.h"

namespace integration::bench {

using Clock = std::chrono::steady_clock;

// One rendered request.
struct Request {
  std::string body;        // gRPC: the request message's wire bytes; HTTP: the body (may be empty)
  std::string path;        // HTTP: the request target ("/v1/parts?page_size=5"); unused by gRPC
  std::string token;       // sent as "authorization: Bearer <token>" when not empty
  std::string request_id;  // sent as "x-request-id" when not empty
};

// How one call ended.
struct Outcome {
  bool ok = false;
  std::string code;     // "OK", a gRPC code name ("UNAVAILABLE"), "HTTP 404", "IO_ERROR", ...
  std::string message;  // why, for errors (the report keeps the first one per code)
};

// Sends requests. Send() must not block and must call `done` exactly once, from any thread,
// never from inside Send() itself.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(std::shared_ptr<const Request> request,
                    std::function<void(Outcome)> done) = 0;
};

// Renders the request with sequence number `seq`; `rng` belongs to the caller (one issuer at
// a time). Errors are counted as CLIENT_ERROR outcomes.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual absl::StatusOr<std::shared_ptr<const Request>> Make(uint64_t seq,
                                                              std::mt19937_64& rng) = 0;
};

struct LoadOptions {
  bool open_loop = false;
  int concurrency = 16;  // closed loop: calls in flight
  double rate = 0;       // open loop: calls started per second
  std::chrono::nanoseconds warmup{std::chrono::seconds(1)};
  std::chrono::nanoseconds duration{std::chrono::seconds(5)};
  // Open loop: with this many calls outstanding the scheduler waits for one to finish. The
  // waiting shows up as latency, since latency is counted from the intended start.
  size_t max_outstanding = 20000;
  // The longest a call can take (its deadline); bounds the wait for the last calls.
  std::chrono::nanoseconds call_timeout{std::chrono::seconds(5)};
};

struct LoadResult {
  bool open_loop = false;
  int concurrency = 0;
  double rate = 0;
  double window_seconds = 0;
  // Calls whose (intended) start fell into the measured window, and how they ended.
  uint64_t sent = 0;
  std::map<std::string, uint64_t> codes;
  std::map<std::string, std::string> first_message;  // per error code
  uint64_t ok_completed_in_window = 0;               // OK answers that arrived in the window
  double throughput = 0;                             // ok_completed_in_window / window
  double offered_rate = 0;                           // sent / window
  HistogramSnapshot latency;                         // ns, OK calls started in the window
  HistogramSnapshot error_latency;                   // ns, failed calls started in the window
  // Open loop: how far behind schedule the client started calls (its own saturation).
  double max_send_lag_ms = 0;
  uint64_t sends_late_1ms = 0;
  uint64_t unfinished = 0;  // calls still outstanding when the run gave up waiting
  uint64_t total_calls = 0;  // every call made, warm-up and the wait for the last included

  uint64_t errors() const;
};

// Runs warm-up then the measured window, and waits for the calls started in it.
LoadResult RunLoad(Transport& transport, RequestSource& source, const LoadOptions& options);

}  // namespace integration::bench
