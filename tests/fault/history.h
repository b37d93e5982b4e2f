// The fault scenarios' load driver and checker: every write sent through the gateway is
// recorded with what its client was told (acknowledged with the resource, refused with a code,
// or unknown: deadline or unavailable); afterwards the checker holds that history against the
// services' tables and event streams.
#pragma once

#include <grpcpp/support/status.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace integration::fault {

// One kind of write: a create RPC of one service, and how to read its result back.
struct WriteOp {
  std::string service;  // the service's name, schema and event stream
  std::string method;   // full method name, e.g. "lansstyrelsen.integration.grants.v1.GrantsService.CreateApplication"
  // The request as proto3 JSON for sequence number `seq` with `request_id` (AIP-155) and, for an
  // op that takes an input, the resource name its producer acknowledged.
  std::function<std::string(int64_t seq, const std::string& request_id, const std::string& input)>
      request_json;
  std::function<std::string(int64_t seq)> bearer;  // "Bearer <token>" of the writer
  // A next step of another op's result (a draft submitted, a submission decided): the index of
  // the op whose acknowledged names this op takes, each `uses_per_input` times; -1: none. While
  // no name is waiting the driver sends the next op instead.
  int from_op = -1;
  int uses_per_input = 1;
  std::string get_method;  // reads the created resource by "name"; empty: not readable alone
  std::function<std::string(const std::string& name)> get_json;
  std::function<std::string()> get_bearer;  // who reads it back; empty: the writer
  // Rows one create writes with the request's x-request-id: audit rows and outbox events.
  int audit_rows = 1;
  int events = 1;
};

// The serialized request (`input`) or response of full method name `method` from proto3 JSON;
// "" when the JSON does not fit.
std::string Serialize(const std::string& method, bool input, const std::string& json);

enum class Outcome { kAcknowledged, kRefused, kUnknown };

struct Attempt {
  Outcome outcome = Outcome::kUnknown;
  ::grpc::StatusCode code = ::grpc::StatusCode::OK;
  std::string message;
  std::string name;      // of the acknowledged resource
  std::string response;  // serialized response
};

// One write and what its client learned.
struct Record {
  size_t op = 0;
  int64_t seq = 0;
  std::string input;       // the producer's resource name, for an op with from_op
  std::string request_id;  // body request_id and x-request-id alike
  std::string request;     // serialized request (retries send the same bytes)
  std::string bearer;
  Attempt first;
  absl::Time start;
  absl::Time end;
  std::vector<Attempt> retries;  // by the checker, after the fault
};

// Writes through `target` (the gateway's gRPC address) from `concurrency` threads, cycling
// through the ops, until Stop(); thread-safe Records() afterwards.
class LoadDriver {
 public:
  LoadDriver(std::string target, std::vector<WriteOp> ops, int concurrency,
             absl::Duration pause = absl::Milliseconds(20));
  ~LoadDriver();
  void Start();
  void Stop();
  std::vector<Record> Records() const;
  const std::vector<WriteOp>& ops() const { return ops_; }
  // One call of `op`'s method with `request` (serialized), as the driver makes it.
  Attempt Call(const WriteOp& op, const std::string& request, const std::string& request_id,
               const std::string& bearer) const;
  // The serialized request of op `op` for `seq` and `input` (request id made here).
  Record Prepare(size_t op, int64_t seq, const std::string& input = "") const;

 private:
  void Work();
  // The op to send for `seq` and its input: the op `seq` falls on, or the next one whose input
  // is waiting (every op without from_op always is).
  size_t Pick(int64_t seq, std::string* input);

  const std::string target_;
  const std::vector<WriteOp> ops_;
  const int concurrency_;
  const absl::Duration pause_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> next_{0};
  std::vector<std::thread> threads_;
  mutable absl::Mutex mu_;
  std::vector<Record> records_ ABSL_GUARDED_BY(mu_);
  // Per op, its acknowledged names waiting for the op that takes them, with the uses left.
  std::vector<std::deque<std::pair<std::string, int>>> inputs_ ABSL_GUARDED_BY(mu_);
};

// What the checker found, one scenario's line of the results table.
struct Verdict {
  std::string scenario;
  int64_t requests = 0;
  int64_t acknowledged = 0;
  int64_t refused = 0;
  int64_t unknown = 0;
  int64_t lost = 0;         // acknowledged but not stored once, or not readable
  int64_t duplicated = 0;   // stored (or its audit/events written) more than once
  int64_t phantom = 0;      // refused with a definite error, yet stored
  int64_t retry_mismatch = 0;  // a retry with the same request id answered differently
  int64_t invariant_violations = 0;
  int64_t events_missing = 0;     // committed events no consumer group member got
  int64_t events_redelivered = 0; // deliveries removed by de-duplication (at-least-once)
  absl::Duration recovery = absl::ZeroDuration();
  std::vector<std::string> problems;  // one line each, for the failure message

  bool ok() const {
    return lost == 0 && duplicated == 0 && phantom == 0 && retry_mismatch == 0 &&
           invariant_violations == 0 && events_missing == 0;
  }
  std::string Summary() const;
  // One tab-separated line for the results table (tests/fault/README.md).
  std::string TableRow() const;
};

// Checks `records` against the database at `admin_dsn` (a direct connection, not through any
// proxy): see Verdict. `retry` re-sends an unknown write (and a sample of acknowledged ones) with
// the same request id; `read` reads an acknowledged resource back; both through the gateway.
Verdict Check(const std::string& scenario, const std::string& admin_dsn,
              const LoadDriver& driver, std::vector<Record> records, absl::Time healed);

}  // namespace integration::fault
