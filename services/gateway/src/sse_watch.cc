// Server-Sent Events of the event feed: request parsing, message framing, and the writer that
// takes the next delivery only when the previous one was sent (bounded by the feed's queue).
#include "sse_watch.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/rpc/status.pb.h"
#include "integration/names/path_template.h"
#include "integration/status/status.h"
#include "transcoder.h"
#include "watch_events.h"

namespace integration::gateway {
namespace {

// EventSource waits this long before it reconnects.
constexpr char kRetry[] = "retry: 2000\n\n";

google::protobuf::util::JsonPrintOptions Json() {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = false;
  return o;
}

// Keeps itself alive from ServeSseWatch until the connection closed.
class SseWatch final : public WatchSink, public std::enable_shared_from_this<SseWatch> {
 public:
  explicit SseWatch(EventFeed& feed) : feed_(feed) {}

  absl::Status Start(const auth::Scope& scope, SseWatchRequest request,
                     const http::Responder& respond, const http::Response& head) {
    absl::StatusOr<std::shared_ptr<Watch>> watch =
        feed_.Open(scope, std::move(request.filter), request.start_cursor, weak_from_this());
    if (!watch.ok()) return watch.status();
    self_ = shared_from_this();
    std::weak_ptr<SseWatch> weak = weak_from_this();
    http::StreamCallbacks callbacks;
    callbacks.on_drained = [weak] {
      if (std::shared_ptr<SseWatch> w = weak.lock()) w->Drained();
    };
    callbacks.on_closed = [weak] {
      if (std::shared_ptr<SseWatch> w = weak.lock()) w->Closed();
    };
    {
      absl::MutexLock lock(&mu_);
      watch_ = *watch;
    }
    http::StreamWriter writer = respond.Stream(head, std::move(callbacks));
    {
      absl::MutexLock lock(&mu_);
      writer_.emplace(writer);
    }
    writer.Write(kRetry);
    return absl::OkStatus();
  }

  void Wake() override { Pump(); }

 private:
  void Drained() {
    {
      absl::MutexLock lock(&mu_);
      drained_ = true;
    }
    Pump();
  }

  void Closed() {
    std::shared_ptr<Watch> watch;
    {
      absl::MutexLock lock(&mu_);
      ended_ = true;
      watch = std::move(watch_);
    }
    feed_.Close(watch);
    self_.reset();  // may delete this once the caller's reference goes
  }

  // Sends the next delivery when the previous one has gone out.
  void Pump() {
    absl::MutexLock lock(&mu_);
    if (!drained_ || ended_ || watch_ == nullptr || !writer_.has_value()) return;
    Delivery d;
    absl::Status end;
    switch (watch_->Take(&d, &end)) {
      case Watch::Next::kEmpty:
        return;
      case Watch::Next::kItem:
        drained_ = false;
        writer_->Write(SseMessage(d));
        return;
      case Watch::Next::kEnded:
        ended_ = true;
        writer_->Write(SseEnd(end));
        writer_->End();
        return;
    }
  }

  EventFeed& feed_;
  std::shared_ptr<SseWatch> self_;
  absl::Mutex mu_;
  std::shared_ptr<Watch> watch_ ABSL_GUARDED_BY(mu_);
  std::optional<http::StreamWriter> writer_ ABSL_GUARDED_BY(mu_);
  bool drained_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<SseWatchRequest> ParseSseWatchRequest(std::string_view query,
                                                     std::string_view last_event_id) {
  SseWatchRequest out;
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    const std::vector<absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> key =
        names::PercentDecode(std::string_view(kv[0].data(), kv[0].size()), true);
    absl::StatusOr<std::string> value =
        kv.size() == 2 ? names::PercentDecode(std::string_view(kv[1].data(), kv[1].size()), true)
                       : absl::StatusOr<std::string>("");
    if (!key.ok() || !value.ok()) {
      return status::InvalidField("query", "malformed percent-encoding");
    }
    if (*key == "event_types" || *key == "eventTypes") {
      for (absl::string_view v : absl::StrSplit(*value, ',', absl::SkipEmpty())) {
        out.filter.event_types.emplace_back(v);
      }
    } else if (*key == "services") {
      for (absl::string_view v : absl::StrSplit(*value, ',', absl::SkipEmpty())) {
        out.filter.services.emplace_back(v);
      }
    } else if (*key == "start_cursor" || *key == "startCursor") {
      out.start_cursor = *std::move(value);
    } else if (*key == "access_token") {
      out.access_token = *std::move(value);
    } else {
      return status::InvalidField(*key, "not a parameter of /v1/events:watch");
    }
  }
  if (!last_event_id.empty()) out.start_cursor = std::string(last_event_id);
  return out;
}

std::string SseMessage(const Delivery& d) {
  const ::lansstyrelsen::integration::gateway::v1::WatchEventsResponse r = ToResponse(d);
  std::string json;
  if (d.entry == nullptr) {
    if (!google::protobuf::util::MessageToJsonString(r.heartbeat(), &json, Json()).ok())
      json = "{}";
    return absl::StrCat("id: ", d.cursor, "\nevent: heartbeat\ndata: ", json, "\n\n");
  }
  if (!google::protobuf::util::MessageToJsonString(r.event(), &json, Json()).ok()) {
    // The event's message is not compiled into this gateway: everything but its content.
    ::lansstyrelsen::integration::gateway::v1::WatchedEvent without = r.event();
    without.clear_event();
    json.clear();
    if (!google::protobuf::util::MessageToJsonString(without, &json, Json()).ok()) json = "{}";
  }
  return absl::StrCat("id: ", d.cursor, "\ndata: ", json, "\n\n");
}

std::string SseEnd(const absl::Status& status) {
  std::string json = ErrorResponse(status).body;
  json.erase(std::remove(json.begin(), json.end(), '\n'), json.end());  // one data line
  return absl::StrCat("event: end\ndata: ", json, "\n\n");
}

absl::Status ServeSseWatch(EventFeed& feed, const auth::Scope& scope, SseWatchRequest request,
                           const http::Responder& respond, http::Response head) {
  auto watch = std::make_shared<SseWatch>(feed);
  absl::Status started = watch->Start(scope, std::move(request), respond, head);
  if (started.code() != absl::StatusCode::kUnavailable) return started;
  // EventSource gives up for good on any answer but a 200 event stream, so a gateway that cannot
  // serve the watch right now (still starting, draining, Redis away) answers with a stream that
  // ends at once with the `end` event: EventSource retries by itself with its Last-Event-ID.
  http::StreamWriter writer = respond.Stream(std::move(head), {});
  writer.Write(absl::StrCat(kRetry, SseEnd(started)));
  writer.End();
  return absl::OkStatus();
}

}  // namespace integration::gateway
