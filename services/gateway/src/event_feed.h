// The gateway's event feed behind WatchEvents and GET /v1/events:watch: one thread follows
// every service's event stream on a dedicated Redis connection and hands each entry to the
// watchers allowed to see it; a watcher resuming from a cursor first catches up with XRANGE
// reads, then joins the live flow. The fronts (gRPC, SSE) only pull deliveries from a Watch.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "event_access.h"
#include "event_cursor.h"
#include "integration/auth/tenancy.h"
#include "integration/outbox/outbox.h"

namespace integration::redis {
class Client;
}  // namespace integration::redis

namespace integration::gateway {

// ErrorInfo reasons of the feed.
inline constexpr std::string_view kReasonCursorExpired = "CURSOR_EXPIRED";
inline constexpr std::string_view kReasonWatchTooSlow = "WATCH_TOO_SLOW";
inline constexpr std::string_view kReasonFeedUnavailable = "EVENT_FEED_UNAVAILABLE";

// One stream entry as the feed keeps it, shared by every watcher that gets it.
struct FeedEntry {
  std::string service;  // the stem whose stream it came from
  outbox::StreamId id;
  std::string event_id;
  std::string type;
  std::string aggregate;
  std::string payload;
  std::string created_at;  // RFC 3339, UTC
  outbox::Tenant tenant;
  // The roles whose callers may read the record through the service's read RPCs
  // (EventReadRoles::Of the aggregate); zero: no tenant role sees the event.
  RoleMask readers = 0;
};

// The scope an agency_system needs for the events of `service`: "<service>.events.read".
std::string EventScope(std::string_view service);

// Whether a caller may see the event: what it could read of the record through the RPCs.
// Agency systems: the events of the services whose event scope their token carries (also
// events no read RPC exposes). The other roles: only when the policy of a read RPC of the
// record lets the role in (entry.readers), and then public records, or records within their
// tenant (auth::CheckInScope: county, kommun, organisation, learner). An event without tenant
// attributes is shown to no tenant role.
bool MaySee(const auth::Scope& scope, const FeedEntry& entry);

// What a watcher asks for; empty lists match everything.
struct WatchFilter {
  std::vector<std::string> event_types;  // full message names
  std::vector<std::string> services;     // stems
};

// One thing for the client: an event with the cursor after it, or a heartbeat (entry null).
struct Delivery {
  std::shared_ptr<const FeedEntry> entry;
  std::string cursor;
  absl::Time time;  // when queued
};

// Told (on any thread, with no lock of the feed held) that the watch may have something to
// take; the front then calls Watch::Next until it reports kEmpty.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual void Wake() = 0;
};

class EventFeed;

// One watcher's state. Created by EventFeed::Open; thread-safe.
class Watch {
 public:
  enum class Next { kItem, kEmpty, kEnded };
  // The next delivery (kItem), nothing for now (kEmpty; a Wake follows when there is), or the
  // end of the watch with its status in `*end` (kEnded; every later call says so too).
  Next Take(Delivery* out, absl::Status* end);

  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;
  ~Watch();

 private:
  friend class EventFeed;
  struct State;
  explicit Watch(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct EventFeedOptions {
  std::vector<std::string> services;  // the stems whose streams to follow
  // Who may read which record of those services; null: EventReadRoles::FromServices of the
  // suite's services (the read RPCs' access policies).
  std::shared_ptr<const EventReadRoles> read_roles;
  // How long a cursor stays valid (the outbox and the streams keep at least as long).
  absl::Duration retention = absl::Hours(24 * 7);
  // A watch with nothing to send for this long gets a heartbeat.
  absl::Duration heartbeat = absl::Seconds(15);
  // Deliveries a watch may hold unsent; one more ends it with RESOURCE_EXHAUSTED.
  size_t max_pending = 1000;
  // Recent entries kept in memory, from which resuming watchers join without Redis reads.
  size_t buffer_entries = 10'000;
  size_t catch_up_page = 200;   // entries per XRANGE of a catching-up watch
  size_t catch_up_threads = 2;  // threads doing those reads
  // Threads that hand new entries to the fronts (which serialize them and start the writes),
  // so that a thousand watchers do not wait for each other behind the follower.
  size_t delivery_threads = 4;
  std::chrono::milliseconds block{1000};  // XREAD BLOCK of the follower
  std::function<absl::Time()> clock;      // defaults to absl::Now
};

struct EventFeedStats {
  size_t watches = 0;
  size_t live = 0;
  size_t buffered = 0;
  int64_t entries_read = 0;
  int64_t duplicates_dropped = 0;
  int64_t ended_too_slow = 0;
};

class EventFeed {
 public:
  // `tail` is the follower's own client (one connection; its command timeout longer than
  // `block`); `reads` serves the catch-up XRANGEs. Both outlive the feed. INVALID_ARGUMENT for
  // bad options.
  static absl::StatusOr<std::unique_ptr<EventFeed>> Start(redis::Client& tail, redis::Client& reads,
                                                          EventFeedOptions options);
  ~EventFeed();  // Stop()
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // A watch for `scope` (the caller) from `start_cursor` ("" = from now), telling `sink` when
  // there is something to take. INVALID_ARGUMENT for a malformed cursor (field start_cursor)
  // or an unknown service (field services); OUT_OF_RANGE CURSOR_EXPIRED for a cursor older
  // than the retention; UNAVAILABLE while the streams have not been read yet or after Drain.
  absl::StatusOr<std::shared_ptr<Watch>> Open(const auth::Scope& scope, WatchFilter filter,
                                              std::string_view start_cursor,
                                              std::weak_ptr<WatchSink> sink);
  // Forgets a watch (the client went away). Idempotent.
  void Close(const std::shared_ptr<Watch>& watch);
  // Ends every watch with UNAVAILABLE (clients resume elsewhere) and refuses new ones.
  void Drain();
  // Drain, then stops the threads. Idempotent.
  void Stop();

  EventFeedStats Stats() const;
  const EventFeedOptions& options() const;

  struct Impl;  // event_feed.cc

 private:
  explicit EventFeed(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::gateway
