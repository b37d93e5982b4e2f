// The outbox tables' SQL, event ids, and enqueueing an event in the caller's transaction.
#include "integration/outbox/outbox.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "integration/pg/prepared.h"
#include "integration/status/status.h"
#include "integration/text/uuid.h"

namespace integration::outbox {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

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
  return absl::StrCat("integration.events.", AV(service));
}

std::string TenantJson(const Tenant& tenant) {
  nlohmann::json j = nlohmann::json::object();
  if (tenant.is_public) j["public"] = true;
  if (!tenant.lan.empty()) j["lan"] = tenant.lan;
  if (!tenant.kommuner.empty()) j["kommuner"] = tenant.kommuner;
  if (!tenant.orgnr.empty()) j["orgnr"] = tenant.orgnr;
  if (!tenant.learner.empty()) j["learner"] = tenant.learner;
  return j.dump();
}

absl::StatusOr<Tenant> ParseTenantJson(std::string_view json) {
  Tenant tenant;
  if (json.empty()) return tenant;
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return status::InvalidField("tenant", "must be a JSON object");
  auto text = [&](const char* key, std::string* out) -> bool {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  bool ok =
      text("lan", &tenant.lan) && text("orgnr", &tenant.orgnr) && text("learner", &tenant.learner);
  if (auto it = j.find("public"); it != j.end()) {
    ok = ok && it->is_boolean();
    if (ok) tenant.is_public = it->get<bool>();
  }
  if (auto it = j.find("kommuner"); it != j.end()) {
    ok = ok && it->is_array();
    for (size_t i = 0; ok && i < it->size(); ++i) {
      ok = (*it)[i].is_string();
      if (ok) tenant.kommuner.push_back((*it)[i].get<std::string>());
    }
  }
  if (!ok) return status::InvalidField("tenant", "has a field of the wrong type");
  return tenant;
}

std::optional<StreamId> StreamId::Parse(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamId id;
  if (!absl::SimpleAtoi(AV(text.substr(0, dash)), &id.ms) ||
      !absl::SimpleAtoi(AV(text.substr(dash + 1)), &id.seq)) {
    return std::nullopt;
  }
  // SimpleAtoi accepts signs and spaces, which Redis ids never have.
  for (char c : text) {
    if (c != '-' && !absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return id;
}

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

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

  pg::ExecPrepared(tx, "integration_outbox_enqueue",
                   "INSERT INTO outbox (event_id, event_type, aggregate, payload, headers) "
                   "VALUES ($1::uuid, $2, $3, $4, jsonb_build_object('request_id', $5::text, "
                   "'trace_id', $6::text, 'tenant', $7::jsonb))",
                   event_id, event.type, event.aggregate, pqxx::binarystring(event.payload),
                   event.request_id, event.trace_id, TenantJson(event.tenant));
  return absl::OkStatus();
}

}  // namespace integration::outbox
