// The event feed's cursor: where a watcher stands in every service's event stream, as an
// opaque string the client passes back to resume (WatchEvents start_cursor, SSE Last-Event-ID).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "integration/outbox/outbox.h"

namespace integration::gateway {

// The watcher has seen every entry up to `positions[service]` (inclusive) of each service's
// stream, and nothing after them had been read when `time` came; a stream missing from the
// map (a service added since) is taken from `time` on.
struct EventCursor {
  absl::Time time = absl::UnixEpoch();
  std::map<std::string, outbox::StreamId> positions;  // by service stem

  friend bool operator==(const EventCursor&, const EventCursor&) = default;
};

// "1." + base64url("<unix ms>;<service>=<ms>-<seq>;..."), services in name order: short enough
// for a header, and one cursor has one spelling.
std::string EncodeCursor(const EventCursor& cursor);

// The inverse. INVALID_ARGUMENT (reason INVALID_CURSOR, field violation `field`) for anything
// EncodeCursor does not produce.
absl::StatusOr<EventCursor> ParseCursor(std::string_view text, std::string_view field);

}  // namespace integration::gateway
