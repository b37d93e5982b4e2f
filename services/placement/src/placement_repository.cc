// Placements in PostgreSQL: the SQL of sql/queries/placement_*.sql.
#include "placement_repository.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

constexpr std::string_view kStatePrefix = "PLACEMENT_STATE_";
constexpr std::string_view kEndReasonPrefix = "END_REASON_";

// The stored names are the enums' without their prefixes ("CONFIRMED", "MOVED").
std::string Stored(std::string_view name, std::string_view prefix) {
  return std::string(name.substr(prefix.size()));
}

absl::StatusOr<v1::PlacementState> StateOf(const std::string& stored) {
  v1::PlacementState state = v1::PLACEMENT_STATE_UNSPECIFIED;
  if (!v1::PlacementState_Parse(absl::StrCat(std::string(kStatePrefix), stored), &state)) {
    return status::Internal("placement with an unreadable state");
  }
  return state;
}

absl::StatusOr<PlacementRecord> PlacementFromRow(const pqxx::row& row) {
  PlacementRecord out;
  out.placement_id = row["placement_id"].as<int64_t>();
  out.unit_id = row["unit_id"].as<int64_t>();
  v1::Placement& p = out.placement;
  p.set_name(PlacementName(row["child_id"].as<int64_t>(), out.placement_id));
  p.set_unit(UnitName(row["kommunkod"].as<std::string>(), out.unit_id));
  absl::StatusOr<v1::PlacementState> state = StateOf(row["state"].as<std::string>());
  if (!state.ok()) return state.status();
  p.set_state(*state);
  p.set_sibling_override_reason(row["sibling_override_reason"].as<std::string>());
  const std::string end_reason = row["end_reason"].as<std::string>();
  if (!end_reason.empty()) {
    v1::EndReason reason = v1::END_REASON_UNSPECIFIED;
    if (!v1::EndReason_Parse(absl::StrCat(std::string(kEndReasonPrefix), end_reason), &reason)) {
      return status::Internal("placement with an unreadable end reason");
    }
    p.set_end_reason(reason);
  }
  api::SetTimestampMicros(row["propose_us"].as<int64_t>(), p.mutable_propose_time());
  // The times of states not reached yet stay unset.
  if (!row["confirm_us"].is_null()) {
    api::SetTimestampMicros(row["confirm_us"].as<int64_t>(), p.mutable_confirm_time());
  }
  if (!row["start_us"].is_null()) {
    api::SetTimestampMicros(row["start_us"].as<int64_t>(), p.mutable_start_time());
  }
  if (!row["end_us"].is_null()) {
    api::SetTimestampMicros(row["end_us"].as<int64_t>(), p.mutable_end_time());
  }
  p.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return out;
}

}  // namespace

std::optional<int64_t> PlacementRepository::Insert(int64_t child_id, int64_t unit_id,
                                                   std::string_view sibling_override_reason,
                                                   absl::Time now) {
  pqxx::result r = tx_.exec_prepared("placement_insert", child_id, unit_id,
                                     std::string(sibling_override_reason), api::ToMicros(now));
  if (r.empty()) return std::nullopt;
  return r[0]["placement_id"].as<int64_t>();
}

absl::StatusOr<std::optional<LockedPlacement>> PlacementRepository::Lock(int64_t child_id,
                                                                         int64_t placement_id) {
  pqxx::result r = tx_.exec_prepared("placement_lock", child_id, placement_id);
  if (r.empty()) return std::optional<LockedPlacement>();
  absl::StatusOr<v1::PlacementState> state = StateOf(r[0]["state"].as<std::string>());
  if (!state.ok()) return state.status();
  return std::optional<LockedPlacement>(
      LockedPlacement{r[0]["unit_id"].as<int64_t>(), *state, r[0]["revision"].as<int64_t>()});
}

void PlacementRepository::SetState(int64_t placement_id, v1::PlacementState state,
                                   v1::EndReason end_reason, absl::Time now) {
  tx_.exec_prepared("placement_set_state", placement_id,
                    Stored(v1::PlacementState_Name(state), kStatePrefix), api::ToMicros(now),
                    end_reason == v1::END_REASON_UNSPECIFIED
                        ? std::string()
                        : Stored(v1::EndReason_Name(end_reason), kEndReasonPrefix));
}

absl::StatusOr<std::optional<PlacementRecord>> PlacementRepository::Get(int64_t child_id,
                                                                        int64_t placement_id) {
  pqxx::result r = tx_.exec_prepared("placement_get", child_id, placement_id);
  if (r.empty()) return std::optional<PlacementRecord>();
  absl::StatusOr<PlacementRecord> record = PlacementFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<PlacementRecord>(*std::move(record));
}

absl::StatusOr<std::vector<PlacementRecord>> PlacementRepository::List(int64_t child_id,
                                                                       int64_t after_id,
                                                                       int limit) {
  std::vector<PlacementRecord> out;
  for (const pqxx::row& row : tx_.exec_prepared("placement_list", child_id, after_id, limit)) {
    absl::StatusOr<PlacementRecord> record = PlacementFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

std::vector<int64_t> PlacementRepository::SiblingUnits(std::string_view sibling_group,
                                                       int64_t child_id) {
  std::vector<int64_t> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("placement_sibling_units", std::string(sibling_group), child_id)) {
    out.push_back(row["unit_id"].as<int64_t>());
  }
  return out;
}

}  // namespace integration::placement
