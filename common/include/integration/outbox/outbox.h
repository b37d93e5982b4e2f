// The transactional outbox of a service: its tables, and writing an event in the same
// transaction as the change it announces (published later by outbox::Relay).
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace integration::outbox {

// SQL creating, in the current schema (the migration's search_path), the tables:
//  - outbox(id bigserial, event_id uuid unique, event_type, aggregate, payload bytea,
//    headers jsonb {request_id, trace_id}, created_at, published_at null) with a partial index
//    on the unpublished rows and one on published_at for pruning;
//  - handled_events(consumer, event_id, handled_at), primary key (consumer, event_id), the
//    record of a consumer group's handled events.
// Include it in the service's first migration. The text never changes once released (applied
// migrations are checksummed); a later change to these tables is a new function and migration.
// The view is NUL-terminated (static storage), so .data() can be used as a pg::SqlFile text.
std::string_view OutboxTableSql();

// The Redis stream a service's relay publishes to: "integration.events.<service>".
std::string StreamName(std::string_view service);

// One domain event: type the full name of its protobuf message (api::Change::Emit), e.g.
// "lansstyrelsen.integration.training.v1.DiplomaIssuedEvent", aggregate the resource name
// "learners/7/diplomas/3", payload the serialized message.
struct Event {
  std::string type;
  std::string aggregate;
  std::string payload;  // bytes
  std::string request_id;
  std::string trace_id;
  // A UUID (any case, canonical 8-4-4-4-12 form); generated when empty. Set it beforehand
  // (NewEventId) when the caller needs to know it.
  std::string event_id;
};

// A random (version 4) UUID in lowercase canonical form (integration::text::NewUuid).
absl::StatusOr<std::string> NewEventId();

// Inserts `event` into the outbox through `tx`, the caller's transaction, so that the event
// exists exactly when the change committed. INVALID_ARGUMENT for an empty type or aggregate or
// a malformed event_id. Database errors are not caught: like every other statement run on
// `tx` they propagate as libpqxx exceptions to pg::Pool::Transact, which rolls back, retries
// serialization failures and reconnects, and turns them into statuses.
absl::Status Enqueue(pqxx::work& tx, const Event& event);

}  // namespace integration::outbox
