// Allocation keys in PostgreSQL: the SQL of sql/queries/allocation_key_*.sql.
#include "allocation_key_repository.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "integration/dates/day.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

// A row of allocation_key_get.sql into its proto.
absl::StatusOr<v1::AllocationKey> KeyFromRow(const pqxx::row& row) {
  v1::AllocationKey key;
  const std::string lanskod = row["lanskod"].as<std::string>();
  const int year = row["year"].as<int>();
  key.set_name(AllocationKeyName(lanskod, year));
  key.set_year(year);
  key.set_county_total_per_mille(row["county_total_per_mille"].as<int>());
  std::optional<absl::CivilDay> base = dates::ParseDayText(row["base_date"].as<std::string>());
  if (!base) return status::Internal("allocation key with an unreadable base date");
  *key.mutable_base_date() = dates::DateOf(*base);
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), key.mutable_create_time());
  const std::string shares = row["shares"].is_null() ? "" : row["shares"].as<std::string>();
  for (absl::string_view item : absl::StrSplit(shares, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    int per_mille = 0;
    if (!absl::SimpleAtoi(parts.second, &per_mille)) {
      return status::Internal("allocation key share unreadable");
    }
    v1::KommunShare* share = key.add_shares();
    share->set_kommunkod(std::string(parts.first));
    share->set_per_mille(per_mille);
  }
  return key;
}

constexpr std::string_view kTransferStatePrefix = "TRANSFER_STATE_";

absl::StatusOr<v1::ShareTransfer> TransferFromRow(const pqxx::row& row) {
  v1::ShareTransfer t;
  t.set_name(TransferName(row["lanskod"].as<std::string>(), row["year"].as<int>(),
                          row["transfer_id"].as<int64_t>()));
  t.set_from_kommunkod(row["from_kommunkod"].as<std::string>());
  t.set_to_kommunkod(row["to_kommunkod"].as<std::string>());
  t.set_per_mille(row["per_mille"].as<int>());
  t.set_agreement(row["agreement"].as<std::string>());
  v1::TransferState state = v1::TRANSFER_STATE_UNSPECIFIED;
  if (!v1::TransferState_Parse(
          absl::StrCat(std::string(kTransferStatePrefix), row["state"].as<std::string>()),
          &state)) {
    return status::Internal("share transfer with an unreadable state");
  }
  t.set_state(state);
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), t.mutable_create_time());
  if (!row["decide_us"].is_null()) {
    api::SetTimestampMicros(row["decide_us"].as<int64_t>(), t.mutable_decide_time());
  }
  return t;
}

}  // namespace

bool AllocationKeyRepository::Insert(const KeyDefinition& key, absl::Time now) {
  pqxx::result r =
      tx_.exec_prepared("allocation_key_insert", key.lanskod, key.year, key.county_total_per_mille,
                        dates::DayText(key.base_date), api::ToMicros(now));
  if (r.empty()) return false;
  const std::string kommuner = absl::StrJoin(
      key.shares, ",", [](std::string* out, const KeyShare& s) { out->append(s.kommunkod); });
  const std::string per_mille =
      absl::StrJoin(key.shares, ",",
                    [](std::string* out, const KeyShare& s) { absl::StrAppend(out, s.per_mille); });
  tx_.exec_prepared("allocation_key_insert_shares", key.lanskod, key.year, kommuner, per_mille);
  return true;
}

absl::StatusOr<std::optional<v1::AllocationKey>> AllocationKeyRepository::Get(
    std::string_view lanskod, int year) {
  pqxx::result r = tx_.exec_prepared("allocation_key_get", std::string(lanskod), year);
  if (r.empty()) return std::optional<v1::AllocationKey>();
  absl::StatusOr<v1::AllocationKey> key = KeyFromRow(r[0]);
  if (!key.ok()) return key.status();
  return std::optional<v1::AllocationKey>(*std::move(key));
}

absl::StatusOr<std::vector<v1::AllocationKey>> AllocationKeyRepository::List(
    std::string_view lanskod, int before_year, int limit) {
  std::vector<v1::AllocationKey> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("allocation_key_list", std::string(lanskod), before_year, limit)) {
    absl::StatusOr<v1::AllocationKey> key = KeyFromRow(row);
    if (!key.ok()) return key.status();
    out.push_back(*std::move(key));
  }
  return out;
}

bool AllocationKeyRepository::Lock(std::string_view lanskod, int year) {
  return !tx_.exec_prepared("allocation_key_lock", std::string(lanskod), year).empty();
}

void AllocationKeyRepository::SetShares(std::string_view lanskod, int year,
                                        const std::map<std::string, int>& shares) {
  for (const auto& [kommunkod, per_mille] : shares) {
    tx_.exec_prepared("allocation_key_set_share", std::string(lanskod), year, kommunkod, per_mille);
  }
}

int64_t AllocationKeyRepository::InsertTransfer(std::string_view lanskod, int year,
                                                const v1::ShareTransfer& transfer, absl::Time now) {
  return tx_
      .exec_prepared("transfer_insert", std::string(lanskod), year, transfer.from_kommunkod(),
                     transfer.to_kommunkod(), transfer.per_mille(), transfer.agreement(),
                     api::ToMicros(now))[0]["transfer_id"]
      .as<int64_t>();
}

absl::StatusOr<std::optional<v1::ShareTransfer>> AllocationKeyRepository::GetTransfer(
    std::string_view lanskod, int year, int64_t transfer_id) {
  pqxx::result r = tx_.exec_prepared("transfer_get", std::string(lanskod), year, transfer_id);
  if (r.empty()) return std::optional<v1::ShareTransfer>();
  absl::StatusOr<v1::ShareTransfer> t = TransferFromRow(r[0]);
  if (!t.ok()) return t.status();
  return std::optional<v1::ShareTransfer>(*std::move(t));
}

absl::StatusOr<std::optional<v1::TransferState>> AllocationKeyRepository::LockTransfer(
    std::string_view lanskod, int year, int64_t transfer_id) {
  pqxx::result r = tx_.exec_prepared("transfer_lock", std::string(lanskod), year, transfer_id);
  if (r.empty()) return std::optional<v1::TransferState>();
  v1::TransferState state = v1::TRANSFER_STATE_UNSPECIFIED;
  if (!v1::TransferState_Parse(
          absl::StrCat(std::string(kTransferStatePrefix), r[0]["state"].as<std::string>()),
          &state)) {
    return status::Internal("share transfer with an unreadable state");
  }
  return std::optional<v1::TransferState>(state);
}

void AllocationKeyRepository::DecideTransfer(int64_t transfer_id, v1::TransferState state,
                                             absl::Time now) {
  tx_.exec_prepared("transfer_decide", transfer_id,
                    v1::TransferState_Name(state).substr(kTransferStatePrefix.size()),
                    api::ToMicros(now));
}

absl::StatusOr<std::vector<std::pair<int64_t, v1::ShareTransfer>>>
AllocationKeyRepository::ListTransfers(std::string_view lanskod, int year, int64_t after_id,
                                       int limit) {
  std::vector<std::pair<int64_t, v1::ShareTransfer>> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("transfer_list", std::string(lanskod), year, after_id, limit)) {
    absl::StatusOr<v1::ShareTransfer> t = TransferFromRow(row);
    if (!t.ok()) return t.status();
    out.emplace_back(row["transfer_id"].as<int64_t>(), *std::move(t));
  }
  return out;
}

}  // namespace integration::placement
