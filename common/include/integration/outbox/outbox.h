// The transactional outbox of a service: its tables, and writing an event in the same
// transaction as the change it announces (published later by outbox::Relay).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

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

// A Redis stream entry id "<milliseconds>-<sequence>", ordered as Redis orders them.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "1700000000000-3"; nullopt for anything else (also a bare "1700000000000").
  static std::optional<StreamId> Parse(std::string_view text);
  std::string ToString() const;
  friend auto operator<=>(const StreamId&, const StreamId&) = default;
};

// Whose record an event is about: the tenant attributes that the gateway's event feed
// (WatchEvents) authorizes each event by, set by the owning service from the record's owners
// (the same ones its RPCs check). Identifiers only, never personal data: a county code,
// kommunkoder, an organisationsnummer, a learner's pseudonymous id.
struct Tenant {
  // A record every caller may read through the RPCs (an open call, a programme, course
  // content); the other fields are then informative only.
  bool is_public = false;
  std::string lan;                    // the county whose board handles the record
  std::vector<std::string> kommuner;  // the kommuner it belongs to
  std::string orgnr;                  // the organisation it belongs to, "NNNNNN-NNNN"
  std::string learner;                // the learner it belongs to (pseudonymous id)

  friend bool operator==(const Tenant&, const Tenant&) = default;
};

// The tenant as the compact JSON object stored in the outbox row's headers ("tenant") and
// carried by the relay into the stream entry's "tenant" field, e.g.
// {"lan":"12","kommuner":["1280"]}; {"public":true} for a public record; empty fields left out.
std::string TenantJson(const Tenant& tenant);
// The inverse; INVALID_ARGUMENT for text that is not such an object. "" parses as a tenant
// with nothing set (an event written before tenants existed: visible to no tenant role).
absl::StatusOr<Tenant> ParseTenantJson(std::string_view json);

// One domain event: type the full name of its protobuf message (api::Change::Emit), e.g.
// "lansstyrelsen.integration.training.v1.DiplomaIssuedEvent", aggregate the resource name
// "learners/7/diplomas/3", payload the serialized message.
struct Event {
  std::string type;
  std::string aggregate;
  std::string payload;  // bytes
  std::string request_id;
  std::string trace_id;
  Tenant tenant;
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
