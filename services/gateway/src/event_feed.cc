// The event feed: the follower thread (XREAD on every service's stream), the buffer of recent
// entries, the watches with their positions and bounded queues, catch-up reads for resumes,
// heartbeats and draining.
#include "event_feed.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backends.h"
#include "integration/grpc/executor.h"
#include "integration/log/log.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

// Event ids a watch remembers to drop a republished duplicate (the relay's at-least-once).
constexpr size_t kRecentIds = 512;
// Entries per XREAD of the follower.
constexpr int kReadCount = 500;
// How often the follower looks for watches due a heartbeat or a catch-up retry.
constexpr absl::Duration kRound = absl::Seconds(1);
// A catching-up watch that found Redis behind the feed (a restarted Redis not yet rebuilt by
// the relays) reads again after this.
constexpr absl::Duration kGapRetry = absl::Milliseconds(500);

std::string Field(const std::vector<redis::Reply>& kv, std::string_view name) {
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    if (kv[i].str() == name) return kv[i + 1].str();
  }
  return "";
}

// An entry of an XREAD or XRANGE reply ([id, [field, value, ...]]); nullopt when it has no
// valid id. An entry without the relay's fields keeps its id (so positions move past it) and
// an empty event id (so nobody gets it).
std::optional<FeedEntry> ParseEntry(const std::string& service, const redis::Reply& item,
                                    const EventReadRoles& read_roles) {
  if (!item.is_array() || item.elements().size() != 2) return std::nullopt;
  std::optional<outbox::StreamId> id = outbox::StreamId::Parse(item.elements()[0].str());
  if (!id.has_value()) return std::nullopt;
  FeedEntry e;
  e.service = service;
  e.id = *id;
  const std::vector<redis::Reply>& kv = item.elements()[1].elements();
  e.event_id = Field(kv, "event_id");
  e.type = Field(kv, "type");
  e.aggregate = Field(kv, "aggregate");
  e.payload = Field(kv, "payload");
  e.created_at = Field(kv, "created_at");
  absl::StatusOr<outbox::Tenant> tenant = outbox::ParseTenantJson(Field(kv, "tenant"));
  if (tenant.ok()) {
    e.tenant = *std::move(tenant);
  } else {
    e.event_id.clear();  // a tenant we cannot read is shown to nobody
  }
  if (e.type.empty()) e.event_id.clear();
  e.readers = read_roles.Of(e.service, e.aggregate);
  return e;
}

}  // namespace

std::string EventScope(std::string_view service) {
  return absl::StrCat(absl::string_view(service.data(), service.size()), ".events.read");
}

bool MaySee(const auth::Scope& scope, const FeedEntry& entry) {
  if (!scope.role.has_value()) return false;
  if (scope.Is(auth::Role::kAgencySystem)) {
    return std::find(scope.scopes.begin(), scope.scopes.end(), EventScope(entry.service)) !=
           scope.scopes.end();
  }
  if ((entry.readers & RoleBit(*scope.role)) == 0) return false;
  const outbox::Tenant& t = entry.tenant;
  if (t.is_public) return true;
  // auth::CheckInScope's rules, without building an error per refused event.
  if (scope.IsCounty()) return !scope.lan.empty() && scope.lan == t.lan;
  if (scope.Is(auth::Role::kMunicipalityOfficer)) {
    return !scope.kommun.empty() &&
           std::find(t.kommuner.begin(), t.kommuner.end(), scope.kommun) != t.kommuner.end();
  }
  if (scope.Is(auth::Role::kOrganisationRep)) return !scope.orgnr.empty() && scope.orgnr == t.orgnr;
  if (scope.Is(auth::Role::kLearner)) return scope.IsSubject(t.learner);
  return false;
}

// A queued delivery: the entry (null: heartbeat) and the position it leaves the watch at.
struct Queued {
  std::shared_ptr<const FeedEntry> entry;
  std::vector<outbox::StreamId> positions;
  absl::Time cursor_time;
  absl::Time time;
};

// Lets a watch ask the feed for a catch-up read without outliving it.
struct FeedLink {
  absl::Mutex mu;
  EventFeed::Impl* impl ABSL_GUARDED_BY(mu) = nullptr;
};

struct Watch::State {
  enum class Phase { kCatchUp, kLive, kEnded };

  // Set at Open, then read-only.
  std::shared_ptr<FeedLink> link;
  const std::vector<std::string>* services = nullptr;  // the feed's, by stream index
  auth::Scope scope;
  absl::flat_hash_set<std::string> types;  // empty: all
  std::vector<bool> wanted_streams;        // by stream index
  std::weak_ptr<WatchSink> sink;
  std::weak_ptr<Watch> self;
  size_t max_pending = 0;
  absl::Duration heartbeat;
  std::function<absl::Time()> clock;

  absl::Mutex mu;
  Phase phase ABSL_GUARDED_BY(mu) = Phase::kCatchUp;
  absl::Status end ABSL_GUARDED_BY(mu);
  std::vector<outbox::StreamId> positions ABSL_GUARDED_BY(mu);  // by stream index
  absl::Time cursor_time ABSL_GUARDED_BY(mu);
  std::deque<Queued> queue ABSL_GUARDED_BY(mu);
  absl::Time last_activity ABSL_GUARDED_BY(mu);
  bool fetching ABSL_GUARDED_BY(mu) = false;
  absl::Time retry_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  std::deque<std::string> recent ABSL_GUARDED_BY(mu);
  absl::flat_hash_set<std::string> recent_set ABSL_GUARDED_BY(mu);

  void EndLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (phase == Phase::kEnded) return;
    phase = Phase::kEnded;
    end = std::move(status);
    queue.clear();
  }

  // Moves the position past `e` and queues it when the watch wants it and may see it. True
  // when something was queued (the sink should be woken).
  bool OfferLocked(size_t stream, const std::shared_ptr<const FeedEntry>& e, bool deliverable,
                   absl::Time at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (phase == Phase::kEnded || !(positions[stream] < e->id)) return false;
    positions[stream] = e->id;
    if (!deliverable || e->event_id.empty() || !wanted_streams[stream]) return false;
    if (!types.empty() && !types.contains(e->type)) return false;
    if (!MaySee(scope, *e)) return false;
    if (!recent_set.insert(e->event_id).second) return false;
    recent.push_back(e->event_id);
    if (recent.size() > kRecentIds) {
      recent_set.erase(recent.front());
      recent.pop_front();
    }
    queue.push_back({e, positions, cursor_time, at});
    if (phase == Phase::kLive && queue.size() > max_pending) {
      EndLocked(status::ResourceExhausted(
          kReasonWatchTooSlow,
          absl::StrCat("more than ", max_pending,
                       " events waited for the client; resume from the last cursor processed")));
    }
    return true;
  }

  void WakeSink() {
    if (std::shared_ptr<WatchSink> s = sink.lock()) s->Wake();
  }
};

Watch::Watch(std::unique_ptr<State> state) : state_(std::move(state)) {}
Watch::~Watch() = default;

struct EventFeed::Impl {
  Impl(redis::Client& t, redis::Client& r, EventFeedOptions o)
      : tail(t),
        reads(r),
        options(std::move(o)),
        link(std::make_shared<FeedLink>()),
        catch_up(grpc::ExecutorOptions{.name = "event_catch_up",
                                       .threads = options.catch_up_threads,
                                       .queue_capacity = 4096,
                                       .on_depth_change = {}}),
        delivery(grpc::ExecutorOptions{.name = "event_delivery",
                                       .threads = options.delivery_threads,
                                       .queue_capacity = 4096,
                                       .on_depth_change = {}}) {
    for (const std::string& s : options.services) streams.push_back(outbox::StreamName(s));
    last.assign(streams.size(), outbox::StreamId{});
    covered_from = last;
  }

  absl::Time Now() const { return options.clock(); }

  // --- The follower ---

  // The streams' last ids: where "from now" starts and what the buffer covers.
  absl::Status Init() {
    std::vector<std::vector<std::string>> cmds;
    for (const std::string& s : streams) cmds.push_back({"XINFO", "STREAM", s});
    absl::StatusOr<std::vector<redis::Reply>> replies = tail.Pipeline(cmds);
    if (!replies.ok()) return replies.status();
    std::vector<outbox::StreamId> ids(streams.size());
    for (size_t i = 0; i < streams.size(); ++i) {
      const redis::Reply& r = (*replies)[i];
      if (r.is_error()) continue;  // no such key yet: from 0-0
      const std::optional<outbox::StreamId> id =
          outbox::StreamId::Parse(Field(r.elements(), "last-generated-id"));
      if (id.has_value()) ids[i] = *id;
    }
    absl::MutexLock lock(&mu);
    last = ids;
    covered_from = ids;
    last_read_time = Now();
    started = true;
    return absl::OkStatus();
  }

  void Run() {
    bool failing = false;
    absl::Time next_round = Now() + kRound;
    while (!Stopping()) {
      absl::Status st = started_snapshot() ? Read() : Init();
      if (!st.ok()) {
        if (!failing) {
          log::Warn("event_feed_read_failed", {{"error", std::string(st.message())}});
          failing = true;
        }
        WaitFor(absl::Milliseconds(500));
      } else if (failing) {
        log::Info("event_feed_read_recovered", {});
        failing = false;
      }
      if (Now() >= next_round) {
        next_round = Now() + kRound;
        Round();
      }
    }
  }

  bool started_snapshot() {
    absl::MutexLock lock(&mu);
    return started;
  }

  absl::Status Read() {
    std::vector<std::string> cmd = {
        "XREAD",  "COUNT", absl::StrCat(kReadCount), "BLOCK", absl::StrCat(options.block.count()),
        "STREAMS"};
    cmd.insert(cmd.end(), streams.begin(), streams.end());
    {
      absl::MutexLock lock(&mu);
      for (const outbox::StreamId& id : last) cmd.push_back(id.ToString());
    }
    const absl::Time read_time = Now();
    absl::StatusOr<redis::Reply> reply = tail.Command(cmd);
    if (!reply.ok()) return reply.status();
    std::vector<std::pair<size_t, FeedEntry>> entries;
    for (const redis::Reply& per_stream : reply->elements()) {  // nil (timeout): none
      if (per_stream.elements().size() != 2) continue;
      const auto it = std::find(streams.begin(), streams.end(), per_stream.elements()[0].str());
      if (it == streams.end()) continue;
      const size_t index = static_cast<size_t>(it - streams.begin());
      for (const redis::Reply& item : per_stream.elements()[1].elements()) {
        if (std::optional<FeedEntry> e =
                ParseEntry(options.services[index], item, *options.read_roles)) {
          entries.emplace_back(index, *std::move(e));
        }
      }
    }
    Deliver(std::move(entries), read_time);
    return absl::OkStatus();
  }

  // Appends what the follower read to the buffer and offers it to the live watches.
  void Deliver(std::vector<std::pair<size_t, FeedEntry>> entries, absl::Time read_time) {
    std::vector<std::shared_ptr<Watch>> wake;
    {
      absl::MutexLock lock(&mu);
      last_read_time = read_time;
      absl::flat_hash_set<Watch*> woken;
      for (auto& [index, entry] : entries) {
        if (!(last[index] < entry.id)) continue;
        last[index] = entry.id;
        ++stats.entries_read;
        const bool fresh = entry.event_id.empty() || !buffered_ids.contains(entry.event_id);
        if (!fresh) ++stats.duplicates_dropped;
        auto shared = std::make_shared<const FeedEntry>(std::move(entry));
        if (fresh && !shared->event_id.empty()) buffered_ids.insert(shared->event_id);
        buffer.push_back({index, shared});
        while (buffer.size() > options.buffer_entries) {
          const Buffered& old = buffer.front();
          covered_from[old.stream] = old.entry->id;
          buffered_ids.erase(old.entry->event_id);
          buffer.pop_front();
        }
        for (auto& [raw, watch] : watches) {
          Watch::State& w = *watch->state_;
          absl::MutexLock wl(&w.mu);
          if (w.phase != Watch::State::Phase::kLive) continue;
          w.cursor_time = std::max(w.cursor_time, read_time);
          if (w.OfferLocked(index, shared, fresh, read_time) && woken.insert(raw).second) {
            wake.push_back(watch);
          }
          if (w.phase == Watch::State::Phase::kEnded) ++stats.ended_too_slow;
        }
      }
      // Ended (too slow) watches stay until their front closes them: the end must be seen.
    }
    WakeAll(std::move(wake));
  }

  // Wakes the watches' fronts in slices on the delivery threads (inline when they are busy).
  void WakeAll(std::vector<std::shared_ptr<Watch>> wake) {
    constexpr size_t kSlice = 32;
    for (size_t begin = 0; begin < wake.size(); begin += kSlice) {
      std::vector<std::shared_ptr<Watch>> slice(
          wake.begin() + static_cast<std::ptrdiff_t>(begin),
          wake.begin() + static_cast<std::ptrdiff_t>(std::min(wake.size(), begin + kSlice)));
      auto run = [slice]() {
        for (const std::shared_ptr<Watch>& w : slice) w->state_->WakeSink();
      };
      if (!delivery.TrySubmit(run)) run();
    }
  }

  // Heartbeats for idle watches, the live watches' cursor time, catch-up retries.
  void Round() {
    std::vector<std::shared_ptr<Watch>> wake;
    std::vector<std::shared_ptr<Watch>> retry;
    {
      absl::MutexLock lock(&mu);
      const absl::Time now = Now();
      for (auto& [raw, watch] : watches) {
        Watch::State& w = *watch->state_;
        absl::MutexLock wl(&w.mu);
        if (w.phase == Watch::State::Phase::kEnded) continue;
        if (w.phase == Watch::State::Phase::kLive) {
          w.cursor_time = std::max(w.cursor_time, last_read_time);
        } else if (!w.fetching && w.queue.empty() && now >= w.retry_at) {
          w.fetching = true;
          retry.push_back(watch);
        }
        if (w.queue.empty() && now - w.last_activity >= w.heartbeat) {
          w.queue.push_back({nullptr, w.positions, w.cursor_time, now});
          w.last_activity = now;
          wake.push_back(watch);
        }
      }
    }
    for (const std::shared_ptr<Watch>& w : retry) Schedule(w);
    WakeAll(std::move(wake));
  }

  // --- Catching up ---

  // Queues a catch-up read for `watch` (whose `fetching` the caller set).
  void Schedule(const std::shared_ptr<Watch>& watch) {
    if (!catch_up.TrySubmit([this, watch] { CatchUp(watch); })) {
      Watch::State& w = *watch->state_;
      absl::MutexLock wl(&w.mu);
      w.fetching = false;
      w.retry_at = Now() + kRound;  // the next round tries again
    }
  }

  // With the feed's and the watch's locks: when the buffer holds everything after the watch's
  // positions, hands it the buffered entries and makes it live.
  bool TryJoinLive(Watch::State& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu, w.mu) {
    for (size_t i = 0; i < streams.size(); ++i) {
      if (w.positions[i] < covered_from[i]) return false;
    }
    for (const Buffered& b : buffer) {
      const bool fresh = b.entry->event_id.empty() || !w.recent_set.contains(b.entry->event_id);
      w.OfferLocked(b.stream, b.entry, fresh, Now());
    }
    w.phase = Watch::State::Phase::kLive;
    w.cursor_time = std::max(w.cursor_time, last_read_time);
    return true;
  }

  // Reads pages of the streams the watch is behind on until it can join the live flow, its
  // queue is half full (Take schedules the rest), or Redis lacks what the feed had read.
  void CatchUp(const std::shared_ptr<Watch>& watch) {
    Watch::State& w = *watch->state_;
    for (;;) {
      size_t stream = 0;
      outbox::StreamId from;
      outbox::StreamId covered;
      {
        absl::MutexLock lock(&mu);
        absl::MutexLock wl(&w.mu);
        if (w.phase != Watch::State::Phase::kCatchUp) {
          w.fetching = false;
          return;
        }
        if (TryJoinLive(w)) {
          w.fetching = false;
          stream = streams.size();  // live: wake below, without the locks
        } else {
          for (size_t i = 0; i < streams.size(); ++i) {
            if (w.positions[i] < covered_from[i]) {
              stream = i;
              from = w.positions[i];
              covered = covered_from[i];
              break;
            }
          }
        }
      }
      if (stream == streams.size()) {
        w.WakeSink();
        return;
      }
      // With the page, what the stream lost: when its first entry comes after the position
      // (trimmed by MAXLEN, or older than what a rebuilt stream holds) or entries after it
      // were deleted, events after the cursor cannot be delivered: the cursor has expired. A
      // position of 0-0 (the stream was empty) has lost nothing to trimming.
      absl::StatusOr<std::vector<redis::Reply>> replies =
          reads.Pipeline({{"XINFO", "STREAM", streams[stream]},
                          {"XRANGE", streams[stream], absl::StrCat("(", from.ToString()), "+",
                           "COUNT", absl::StrCat(options.catch_up_page)}});
      bool wake = false;
      {
        absl::MutexLock wl(&w.mu);
        if (!replies.ok() || replies->size() != 2 || (*replies)[1].is_error()) {
          w.fetching = false;
          w.retry_at = Now() + kRound;
          return;
        }
        const redis::Reply& info = (*replies)[0];
        std::optional<outbox::StreamId> deleted;
        std::optional<outbox::StreamId> first;
        if (!info.is_error()) {
          deleted = outbox::StreamId::Parse(Field(info.elements(), "max-deleted-entry-id"));
          first = outbox::StreamId::Parse(Field(info.elements(), "recorded-first-entry-id"));
        }
        const bool trimmed = first.has_value() && from != outbox::StreamId{} && from < *first;
        if (trimmed || (deleted.has_value() && from < *deleted)) {
          w.fetching = false;
          w.EndLocked(status::Error(
              absl::StatusCode::kOutOfRange, kReasonCursorExpired,
              absl::StrCat("events of ", options.services[stream],
                           " after the cursor are no longer kept; resynchronise through the List "
                           "methods, then watch from now"),
              {{"service", options.services[stream]}}));
          wake = true;
        }
        static const std::vector<redis::Reply> kNone;
        const std::vector<redis::Reply>& items =
            w.phase == Watch::State::Phase::kEnded ? kNone : (*replies)[1].elements();
        for (const redis::Reply& item : items) {
          std::optional<FeedEntry> e =
              ParseEntry(options.services[stream], item, *options.read_roles);
          if (!e.has_value()) continue;
          auto shared = std::make_shared<const FeedEntry>(*std::move(e));
          wake |= w.OfferLocked(stream, shared, true, Now());
        }
        if (w.phase != Watch::State::Phase::kCatchUp) {
          w.fetching = false;
        } else if (items.size() < options.catch_up_page && w.positions[stream] < covered) {
          // Redis ends before entries the feed read: it restarted and the relays have not
          // rebuilt the stream yet. Nothing is skipped; read again shortly.
          w.fetching = false;
          w.retry_at = Now() + kGapRetry;
        } else if (w.queue.size() * 2 > w.max_pending) {
          w.fetching = false;  // Take asks for more once the client has taken half
        }
      }
      if (wake) w.WakeSink();
      absl::MutexLock wl(&w.mu);
      if (!w.fetching) return;
    }
  }

  bool Stopping() {
    absl::MutexLock lock(&mu);
    return stopping;
  }

  void WaitFor(absl::Duration d) {
    absl::MutexLock lock(&mu);
    auto stop = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping; };
    mu.AwaitWithTimeout(absl::Condition(&stop), d);
  }

  struct Buffered {
    size_t stream = 0;
    std::shared_ptr<const FeedEntry> entry;
  };

  redis::Client& tail;
  redis::Client& reads;
  const EventFeedOptions options;
  std::vector<std::string> streams;  // by index, as options.services
  std::shared_ptr<FeedLink> link;
  grpc::BoundedExecutor catch_up;
  grpc::BoundedExecutor delivery;

  mutable absl::Mutex mu;
  bool started ABSL_GUARDED_BY(mu) = false;
  bool draining ABSL_GUARDED_BY(mu) = false;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  std::vector<outbox::StreamId> last ABSL_GUARDED_BY(mu);          // the follower's positions
  std::vector<outbox::StreamId> covered_from ABSL_GUARDED_BY(mu);  // buffer holds all after
  absl::Time last_read_time ABSL_GUARDED_BY(mu);
  std::deque<Buffered> buffer ABSL_GUARDED_BY(mu);
  absl::flat_hash_set<std::string> buffered_ids ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<Watch*, std::shared_ptr<Watch>> watches ABSL_GUARDED_BY(mu);
  EventFeedStats stats ABSL_GUARDED_BY(mu);
  absl::Mutex join_mu;
  std::thread thread;
};

Watch::Next Watch::Take(Delivery* out, absl::Status* end) {
  State& w = *state_;
  bool schedule = false;
  Next result = Next::kEmpty;
  {
    absl::MutexLock lock(&w.mu);
    if (w.phase == State::Phase::kEnded) {
      *end = w.end;
      return Next::kEnded;
    }
    if (!w.queue.empty()) {
      Queued q = std::move(w.queue.front());
      w.queue.pop_front();
      EventCursor cursor;
      cursor.time = q.cursor_time;
      for (size_t i = 0; i < q.positions.size(); ++i) {
        cursor.positions.emplace((*w.services)[i], q.positions[i]);
      }
      out->entry = std::move(q.entry);
      out->cursor = EncodeCursor(cursor);
      out->time = q.time;
      w.last_activity = w.clock();
      result = Next::kItem;
    }
    if (w.phase == State::Phase::kCatchUp && !w.fetching && w.queue.size() * 2 <= w.max_pending &&
        w.clock() >= w.retry_at) {
      w.fetching = true;
      schedule = true;
    }
  }
  if (schedule) {
    std::shared_ptr<Watch> self = w.self.lock();
    absl::MutexLock lock(&w.link->mu);
    if (self != nullptr && w.link->impl != nullptr) {
      w.link->impl->Schedule(self);
    } else {
      absl::MutexLock wl(&w.mu);
      w.fetching = false;
    }
  }
  return result;
}

absl::StatusOr<std::unique_ptr<EventFeed>> EventFeed::Start(redis::Client& tail,
                                                            redis::Client& reads,
                                                            EventFeedOptions options) {
  status::FieldErrors errors;
  if (options.services.empty()) errors.Add("services", "name at least one service");
  if (options.retention <= absl::ZeroDuration()) errors.Add("retention", "must be positive");
  if (options.heartbeat <= absl::ZeroDuration()) errors.Add("heartbeat", "must be positive");
  if (options.max_pending < 2) errors.Add("max_pending", "must be at least 2");
  if (options.catch_up_page < 1 || options.catch_up_page * 2 > options.max_pending) {
    errors.Add("catch_up_page", "must be between 1 and half of max_pending");
  }
  if (options.buffer_entries < 1) errors.Add("buffer_entries", "must be positive");
  if (options.catch_up_threads < 1) errors.Add("catch_up_threads", "must be positive");
  if (options.delivery_threads < 1) errors.Add("delivery_threads", "must be positive");
  if (options.block.count() <= 0 || options.block >= tail.options().command_timeout) {
    errors.Add("block", "must be positive and shorter than the follower's command timeout");
  }
  if (absl::Status st = errors.ToStatus(); !st.ok()) return st;
  if (!options.clock) options.clock = [] { return absl::Now(); };
  if (options.read_roles == nullptr)
    options.read_roles = EventReadRoles::FromServices(SuiteServices());
  auto impl = std::make_unique<Impl>(tail, reads, std::move(options));
  Impl* raw = impl.get();
  {
    absl::MutexLock lock(&raw->link->mu);
    raw->link->impl = raw;
  }
  std::unique_ptr<EventFeed> feed = absl::WrapUnique(new EventFeed(std::move(impl)));
  raw->thread = std::thread([raw] { raw->Run(); });
  return feed;
}

EventFeed::EventFeed(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventFeed::~EventFeed() { Stop(); }

absl::StatusOr<std::shared_ptr<Watch>> EventFeed::Open(const auth::Scope& scope, WatchFilter filter,
                                                       std::string_view start_cursor,
                                                       std::weak_ptr<WatchSink> sink) {
  Impl& f = *impl_;
  auto state = std::make_unique<Watch::State>();
  state->link = f.link;
  state->services = &f.options.services;
  state->scope = scope;
  state->types.insert(filter.event_types.begin(), filter.event_types.end());
  state->wanted_streams.assign(f.streams.size(), filter.services.empty());
  for (const std::string& s : filter.services) {
    const auto it = std::find(f.options.services.begin(), f.options.services.end(), s);
    if (it == f.options.services.end()) {
      return status::InvalidField("services",
                                  absl::StrCat("no service \"", s, "\" publishes events here"));
    }
    state->wanted_streams[static_cast<size_t>(it - f.options.services.begin())] = true;
  }
  state->sink = std::move(sink);
  state->max_pending = f.options.max_pending;
  state->heartbeat = f.options.heartbeat;
  state->clock = f.options.clock;

  std::optional<EventCursor> cursor;
  if (!start_cursor.empty()) {
    absl::StatusOr<EventCursor> parsed = ParseCursor(start_cursor, "start_cursor");
    if (!parsed.ok()) return parsed.status();
    const absl::Time now = f.Now();
    if (parsed->time > now + absl::Minutes(5)) {
      return status::InvalidField("start_cursor", "a cursor from the future", "INVALID_CURSOR");
    }
    if (parsed->time < now - f.options.retention) {
      return status::Error(
          absl::StatusCode::kOutOfRange, kReasonCursorExpired,
          "the cursor is older than the events are kept; resynchronise through the List "
          "methods, then watch from now",
          {{"retention_hours", absl::StrCat(absl::ToInt64Hours(f.options.retention))}});
    }
    cursor = *std::move(parsed);
  }

  auto watch = std::shared_ptr<Watch>(new Watch(std::move(state)));
  Watch::State& w = *watch->state_;
  w.self = watch;
  bool schedule = false;
  {
    absl::MutexLock lock(&f.mu);
    if (f.draining) {
      return status::Unavailable(kReasonFeedUnavailable, "the gateway is shutting down");
    }
    if (!f.started) {
      return status::Unavailable(kReasonFeedUnavailable,
                                 "the event streams cannot be read right now; retry shortly");
    }
    absl::MutexLock wl(&w.mu);
    w.last_activity = f.Now();
    if (cursor.has_value()) {
      w.cursor_time = cursor->time;
      w.positions.reserve(f.streams.size());
      for (const std::string& service : f.options.services) {
        const auto it = cursor->positions.find(service);
        w.positions.push_back(it != cursor->positions.end()
                                  ? it->second
                                  : outbox::StreamId{.ms = static_cast<uint64_t>(std::max<int64_t>(
                                                         0, absl::ToUnixMillis(cursor->time))),
                                                     .seq = 0});
      }
    } else {
      w.positions = f.last;
      w.cursor_time = f.last_read_time;
    }
    if (!f.TryJoinLive(w)) {
      w.fetching = true;
      schedule = true;
    }
    f.watches.emplace(watch.get(), watch);
  }
  if (schedule) f.Schedule(watch);
  return watch;
}

void EventFeed::Close(const std::shared_ptr<Watch>& watch) {
  if (watch == nullptr) return;
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->watches.erase(watch.get());
  }
  absl::MutexLock wl(&watch->state_->mu);
  watch->state_->EndLocked(absl::CancelledError("closed"));
}

void EventFeed::Drain() {
  std::vector<std::shared_ptr<Watch>> wake;
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->draining = true;
    for (auto& [raw, watch] : impl_->watches) {
      absl::MutexLock wl(&watch->state_->mu);
      watch->state_->EndLocked(status::Unavailable(
          kReasonFeedUnavailable,
          "the gateway is shutting down; resume from the last cursor on another one"));
      wake.push_back(watch);
    }
  }
  for (const std::shared_ptr<Watch>& w : wake) w->state_->WakeSink();
}

void EventFeed::Stop() {
  Drain();
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
  }
  absl::MutexLock join(&impl_->join_mu);
  if (impl_->thread.joinable()) impl_->thread.join();
  {
    absl::MutexLock lock(&impl_->link->mu);
    impl_->link->impl = nullptr;
  }
  impl_->catch_up.Stop();
  impl_->delivery.Stop();
}

EventFeedStats EventFeed::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  EventFeedStats s = impl_->stats;
  s.watches = impl_->watches.size();
  s.buffered = impl_->buffer.size();
  for (const auto& [raw, watch] : impl_->watches) {
    absl::MutexLock wl(&watch->state_->mu);
    if (watch->state_->phase == Watch::State::Phase::kLive) ++s.live;
  }
  return s;
}

const EventFeedOptions& EventFeed::options() const { return impl_->options; }

}  // namespace integration::gateway
