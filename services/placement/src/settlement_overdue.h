// The scheduled check that raises SettlementOverdueEvent once for every settlement assignment
// not received within 2 months. Every replica runs it; PostgreSQL makes it happen once:
//  - each round runs in one transaction that first takes a transaction-scoped advisory lock
//    (pg_try_advisory_xact_lock); a replica that does not get it skips the round, so one
//    replica at a time does the work;
//  - the rows are marked by UPDATE ... SET overdue_raise_time WHERE overdue_raise_time IS NULL
//    RETURNING in the same transaction that writes the events to the outbox: an event exists
//    exactly when its row is marked, and a row once marked is never returned again, even if
//    two rounds did run at once (the second waits on the row lock and re-checks the WHERE).
#pragma once

#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/pg/pool.h"

namespace integration::placement {

struct OverdueCheckOptions {
  // The board's calendar (Europe/Stockholm): "today" decides what is overdue.
  absl::TimeZone zone = absl::UTCTimeZone();
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Called after a round that wrote events (the outbox relay's nudge); may be empty.
  std::function<void()> nudge_outbox;
  // Time between rounds of the background thread.
  absl::Duration interval = absl::Minutes(1);
  // Assignments marked per transaction; a round repeats until fewer are left.
  int batch = 500;
};

class SettlementOverdueCheck {
 public:
  SettlementOverdueCheck(pg::Pool& pool, OverdueCheckOptions options);
  // Stops the background thread, if started, and waits for it.
  ~SettlementOverdueCheck();
  SettlementOverdueCheck(const SettlementOverdueCheck&) = delete;
  SettlementOverdueCheck& operator=(const SettlementOverdueCheck&) = delete;

  // One round: the events raised (0 also when another replica held the lock).
  absl::StatusOr<int> RunOnce();

  // Runs a round now and then every interval on a thread of its own until destroyed.
  void Start();

 private:
  void Loop();

  pg::Pool& pool_;
  OverdueCheckOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace integration::placement
