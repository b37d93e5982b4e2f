// The outbox tables' SQL, event ids, and enqueueing an event in the caller's transaction.
#include "integration/outbox/outbox.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "integration/pg/prepared.h"
#include "integration/status/status.h"
#include "integration/text/uuid.h"

namespace integration::outbox {

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
  absl::StatusOr<std::string> id = text::NewUuid();
  if (!id.ok()) return status::Internal(absl::StrCat("no event id: ", id.status().message()));
  return id;
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
  } else if (std::optional<std::string> id = text::NormalizeUuid(event.event_id)) {
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
