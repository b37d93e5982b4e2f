// The event feed over HTTP as Server-Sent Events (GET /v1/events:watch), so that a browser's
// EventSource follows it with no library: each event an SSE message whose id is its cursor
// (EventSource sends it back as Last-Event-ID when it reconnects).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "event_feed.h"
#include "integration/http/server.h"

namespace integration::gateway {

// What a watch request asks for, from the query (repeated `event_types` and `services`, also
// comma separated; `start_cursor`) and the Last-Event-ID header, which wins over start_cursor.
// `access_token` in the query stands for the Authorization header, which EventSource cannot
// send. INVALID_ARGUMENT for a malformed query.
struct SseWatchRequest {
  WatchFilter filter;
  std::string start_cursor;
  std::string access_token;
};
absl::StatusOr<SseWatchRequest> ParseSseWatchRequest(std::string_view query,
                                                     std::string_view last_event_id);

// One delivery as an SSE message: "id: <cursor>" and "data: <WatchedEvent JSON>"; a heartbeat
// as the event "heartbeat" (it moves EventSource's last event id without reaching onmessage).
std::string SseMessage(const Delivery& d);
// The message that ends a stream with `status` (event "end", data the JSON google.rpc.Status
// whose ErrorInfo reason says why); EventSource reconnects after it with the last id.
std::string SseEnd(const absl::Status& status);

// Opens the watch (errors are answered by the caller, before anything was sent) and then
// streams it on `respond` with `head` (status and headers of the answer). The stream ends when
// the watch ends (draining, too slow), the client goes away or the server stops. A watch the
// feed cannot open right now (UNAVAILABLE: starting, draining) is answered as a stream that ends
// at once with the `end` event, since EventSource retries only after a stream, never after an
// HTTP error.
absl::Status ServeSseWatch(EventFeed& feed, const auth::Scope& scope, SseWatchRequest request,
                           const http::Responder& respond, http::Response head);

}  // namespace integration::gateway
