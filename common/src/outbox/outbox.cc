// The outbox tables' SQL, event ids, and enqueueing an event in the caller's transaction.
#include "integration/outbox/outbox.h"

#include <openssl/rand.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "integration/pg/prepared.h"
#include "integration/status/status.h"
#include "uuid.h"

namespace integration::outbox {
namespace internal {

std::optional<std::string> NormalizeUuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (out[i] != '-') return std::nullopt;
    } else if (!absl::ascii_isxdigit(out[i])) {
      return std::nullopt;
    } else {
      out[i] = absl::ascii_tolower(out[i]);
    }
  }
  return out;
}

}  // namespace internal

std::string_view OutboxTableSql() {
  // published_at doubles as the relay's work queue marker: the partial index keeps the scan
  // for unpublished rows proportional to the backlog, not to the table.
  static constexpr std::string_view kSql = R"sql(
CREATE TABLE outbox (
  id           bigserial   PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  event_type   text        NOT NULL CHECK (event_type <> ''),
  aggregate    text        NOT NULL CHECK (aggregate <> ''),
  payload      bytea       NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE handled_events (
  consumer   text        NOT NULL,
  event_id   uuid        NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
)sql";
  return kSql;
}

std::string StreamName(std::string_view service) {
  return absl::StrCat("integration.events.", absl::string_view(service.data(), service.size()));
}

absl::StatusOr<std::string> NewEventId() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    return status::Internal("the random number generator failed to produce an event id");
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

absl::Status Enqueue(pqxx::work& tx, const Event& event) {
  status::FieldErrors errors;
  if (event.type.empty()) errors.Add("type", "must name the event: its message's full name");
  if (event.aggregate.empty()) errors.Add("aggregate", "must be the resource name");
  std::string event_id;
  if (event.event_id.empty()) {
    absl::StatusOr<std::string> id = NewEventId();
    if (!id.ok()) return id.status();
    event_id = *std::move(id);
  } else if (std::optional<std::string> id = internal::NormalizeUuid(event.event_id)) {
    event_id = *std::move(id);
  } else {
    errors.Add("event_id", "must be a UUID in 8-4-4-4-12 hex form");
  }
  if (absl::Status st = errors.ToStatus(); !st.ok()) return st;

  pg::ExecPrepared(
      tx, "integration_outbox_enqueue",
      "INSERT INTO outbox (event_id, event_type, aggregate, payload, headers) "
      "VALUES ($1::uuid, $2, $3, $4, jsonb_build_object('request_id', $5::text, "
      "'trace_id', $6::text))",
      event_id, event.type, event.aggregate, pqxx::binarystring(event.payload), event.request_id,
      event.trace_id);
  return absl::OkStatus();
}

}  // namespace integration::outbox
