// Settlement quotas and assignments in PostgreSQL: the SQL of sql/queries/settlement_*.sql.
#include "settlement_repository.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

// The overdue check's advisory lock key: "placement settlement overdue" as a fixed number, so
// that every replica asks for the same lock.
constexpr int64_t kOverdueLockKey = 0x706c5f7365746f64;  // "pl_setod"

constexpr std::string_view kRevisionKindPrefix = "SETTLEMENT_REVISION_KIND_";
constexpr std::string_view kQuotaStatePrefix = "SETTLEMENT_QUOTA_STATE_";

// "kommunkod:persons,..." of the revisions table.
std::string NumbersText(const std::map<std::string, int>& numbers) {
  return absl::StrJoin(numbers, ",", [](std::string* out, const std::pair<std::string, int>& n) {
    absl::StrAppend(out, n.first, ":", n.second);
  });
}

absl::Status ParseNumbers(const std::string& text,
                          google::protobuf::RepeatedPtrField<v1::KommunNumber>* out) {
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    int persons = 0;
    if (!absl::SimpleAtoi(parts.second, &persons)) {
      return status::Internal("kommun number unreadable");
    }
    v1::KommunNumber* n = out->Add();
    n->set_kommunkod(std::string(parts.first));
    n->set_persons(persons);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BasisText(const v1::SettlementBasis& basis) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(basis, &json).ok()) {
    return status::Internal("decision basis could not be written");
  }
  return json;
}

absl::Status ParseBasis(const std::string& text, v1::SettlementBasis* out) {
  if (text.empty()) return absl::OkStatus();
  if (!google::protobuf::util::JsonStringToMessage(text, out).ok()) {
    return status::Internal("decision basis unreadable");
  }
  return absl::OkStatus();
}

// The kommun_numbers and basis columns of a decision (empty for a county number revision).
absl::Status ReadDecision(const pqxx::row& row,
                          google::protobuf::RepeatedPtrField<v1::KommunNumber>* numbers,
                          v1::SettlementBasis* basis) {
  if (absl::Status st = ParseNumbers(row["kommun_numbers"].as<std::string>(), numbers); !st.ok()) {
    return st;
  }
  return ParseBasis(row["basis"].as<std::string>(), basis);
}

absl::StatusOr<v1::SettlementQuota> QuotaFromRow(const pqxx::row& row) {
  v1::SettlementQuota q;
  const std::string lanskod = row["lanskod"].as<std::string>();
  const int year = row["year"].as<int>();
  q.set_name(SettlementQuotaName(lanskod, year));
  q.set_year(year);
  q.set_county_number(row["county_number"].as<int>());
  v1::SettlementQuotaState state = v1::SETTLEMENT_QUOTA_STATE_UNSPECIFIED;
  if (!v1::SettlementQuotaState_Parse(
          absl::StrCat(std::string(kQuotaStatePrefix), row["state"].as<std::string>()), &state)) {
    return status::Internal("settlement quota with an unreadable state");
  }
  q.set_state(state);
  const int revision = row["revision"].as<int>();
  q.set_revision(revision);
  q.set_etag(api::EtagOf(revision));
  if (absl::Status st = ReadDecision(row, q.mutable_kommun_numbers(), q.mutable_basis());
      !st.ok()) {
    return st;
  }
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), q.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), q.mutable_update_time());
  return q;
}

absl::StatusOr<v1::SettlementQuotaRevision> RevisionFromRow(const pqxx::row& row) {
  v1::SettlementQuotaRevision r;
  r.set_name(SettlementRevisionName(row["lanskod"].as<std::string>(), row["year"].as<int>(),
                                    row["revision"].as<int>()));
  v1::SettlementRevisionKind kind = v1::SETTLEMENT_REVISION_KIND_UNSPECIFIED;
  if (!v1::SettlementRevisionKind_Parse(
          absl::StrCat(std::string(kRevisionKindPrefix), row["kind"].as<std::string>()), &kind)) {
    return status::Internal("settlement revision with an unreadable kind");
  }
  r.set_kind(kind);
  r.set_county_number(row["county_number"].as<int>());
  if (absl::Status st = ReadDecision(row, r.mutable_kommun_numbers(), r.mutable_basis());
      !st.ok()) {
    return st;
  }
  r.set_reason(row["reason"].as<std::string>());
  r.set_actor(row["actor"].as<std::string>());
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), r.mutable_create_time());
  return r;
}

absl::StatusOr<absl::CivilDay> Day(const pqxx::row& row, const char* column) {
  std::optional<absl::CivilDay> day = dates::ParseDayText(row[column].as<std::string>());
  if (!day)
    return status::Internal(absl::StrCat("settlement assignment with an unreadable ", column));
  return *day;
}

absl::StatusOr<SettlementAssignmentRecord> AssignmentFromRow(const pqxx::row& row,
                                                             absl::CivilDay today) {
  SettlementAssignmentRecord out;
  out.assignment_id = row["assignment_id"].as<int64_t>();
  out.lanskod = row["lanskod"].as<std::string>();
  v1::SettlementAssignment& a = out.assignment;
  const std::string kommunkod = row["kommunkod"].as<std::string>();
  a.set_name(SettlementAssignmentName(kommunkod, out.assignment_id));
  a.set_household_reference(row["household_reference"].as<std::string>());
  a.set_persons(row["persons"].as<int>());
  a.set_kommunkod(kommunkod);
  absl::StatusOr<absl::CivilDay> assigned = Day(row, "assignment_date");
  if (!assigned.ok()) return assigned.status();
  absl::StatusOr<absl::CivilDay> due = Day(row, "due_date");
  if (!due.ok()) return due.status();
  out.assignment_date = *assigned;
  *a.mutable_assignment_date() = dates::DateOf(*assigned);
  *a.mutable_due_date() = dates::DateOf(*due);
  std::optional<absl::CivilDay> received;
  if (!row["reception_date"].as<std::string>().empty()) {
    absl::StatusOr<absl::CivilDay> r = Day(row, "reception_date");
    if (!r.ok()) return r.status();
    received = *r;
    *a.mutable_reception_date() = dates::DateOf(*r);
  }
  a.set_state(SettlementStateOn(*due, received, today));
  a.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), a.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), a.mutable_update_time());
  return out;
}

std::string StateText(v1::SettlementState state) {
  switch (state) {
    case v1::SETTLEMENT_STATE_ASSIGNED:
      return "ASSIGNED";
    case v1::SETTLEMENT_STATE_RECEIVED:
      return "RECEIVED";
    case v1::SETTLEMENT_STATE_OVERDUE:
      return "OVERDUE";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<std::optional<v1::SettlementQuota>> SettlementRepository::GetQuota(
    std::string_view lanskod, int year) {
  pqxx::result r = tx_.exec_prepared("settlement_quota_get", std::string(lanskod), year);
  if (r.empty()) return std::nullopt;
  absl::StatusOr<v1::SettlementQuota> q = QuotaFromRow(r[0]);
  if (!q.ok()) return q.status();
  return std::optional<v1::SettlementQuota>(*std::move(q));
}

std::optional<int> SettlementRepository::LockQuota(std::string_view lanskod, int year) {
  pqxx::result r = tx_.exec_prepared("settlement_quota_lock", std::string(lanskod), year);
  if (r.empty()) return std::nullopt;
  return r[0]["revision"].as<int>();
}

bool SettlementRepository::InsertQuota(std::string_view lanskod, int year, int county_number,
                                       absl::Time now) {
  return !tx_.exec_prepared("settlement_quota_insert", std::string(lanskod), year, county_number,
                            api::ToMicros(now))
              .empty();
}

absl::Status SettlementRepository::AddRevision(std::string_view lanskod, int year,
                                               const QuotaRevision& revision, absl::Time now,
                                               bool first) {
  const bool decision = revision.kind == v1::SETTLEMENT_REVISION_KIND_KOMMUN_NUMBERS;
  std::string basis;
  if (decision) {
    absl::StatusOr<std::string> text = BasisText(revision.basis);
    if (!text.ok()) return text.status();
    basis = *std::move(text);
  }
  const std::string kind(
      v1::SettlementRevisionKind_Name(revision.kind).substr(kRevisionKindPrefix.size()));
  tx_.exec_prepared("settlement_revision_insert", std::string(lanskod), year, revision.revision,
                    kind, revision.county_number, NumbersText(revision.kommun_numbers), basis,
                    revision.reason, revision.actor, api::ToMicros(now));
  if (first) return absl::OkStatus();
  const std::optional<int> decision_revision =
      decision ? std::optional<int>(revision.revision) : std::nullopt;
  tx_.exec_prepared("settlement_quota_revise", std::string(lanskod), year, revision.revision,
                    revision.county_number,
                    decision ? "KOMMUN_NUMBERS_DECIDED" : "COUNTY_NUMBER_SET", decision_revision,
                    api::ToMicros(now));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::SettlementQuotaRevision>> SettlementRepository::ListRevisions(
    std::string_view lanskod, int year, int after, int limit) {
  pqxx::result r =
      tx_.exec_prepared("settlement_revision_list", std::string(lanskod), year, after, limit);
  std::vector<v1::SettlementQuotaRevision> out;
  for (const pqxx::row& row : r) {
    absl::StatusOr<v1::SettlementQuotaRevision> rev = RevisionFromRow(row);
    if (!rev.ok()) return rev.status();
    out.push_back(*std::move(rev));
  }
  return out;
}

std::optional<int64_t> SettlementRepository::InsertAssignment(const CheckedSettlementAssignment& a,
                                                              absl::Time now) {
  pqxx::result r = tx_.exec_prepared(
      "settlement_assignment_insert", a.household_reference, a.lanskod, a.kommunkod, a.persons,
      dates::DayText(a.assignment_date), dates::DayText(a.due_date), api::ToMicros(now));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

std::optional<int64_t> SettlementRepository::FindByHousehold(std::string_view household_reference) {
  pqxx::result r =
      tx_.exec_prepared("settlement_assignment_find", std::string(household_reference));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

absl::StatusOr<std::optional<SettlementAssignmentRecord>> SettlementRepository::GetAssignment(
    int64_t id, absl::CivilDay today) {
  pqxx::result r = tx_.exec_prepared("settlement_assignment_get", id);
  if (r.empty()) return std::nullopt;
  absl::StatusOr<SettlementAssignmentRecord> a = AssignmentFromRow(r[0], today);
  if (!a.ok()) return a.status();
  return std::optional<SettlementAssignmentRecord>(*std::move(a));
}

bool SettlementRepository::LockAssignment(int64_t id) {
  return !tx_.exec_prepared("settlement_assignment_lock", id).empty();
}

void SettlementRepository::RecordReception(int64_t id, absl::CivilDay reception_date,
                                           absl::Time now) {
  tx_.exec_prepared("settlement_assignment_receive", id, dates::DayText(reception_date),
                    api::ToMicros(now));
}

absl::StatusOr<std::vector<SettlementAssignmentRecord>> SettlementRepository::ListAssignments(
    std::string_view lanskod, std::string_view kommunkod, int year, v1::SettlementState state,
    absl::CivilDay today, int64_t after_id, int limit) {
  pqxx::result r =
      tx_.exec_prepared("settlement_assignment_list", after_id, limit, std::string(lanskod),
                        std::string(kommunkod), year, StateText(state), dates::DayText(today));
  std::vector<SettlementAssignmentRecord> out;
  for (const pqxx::row& row : r) {
    absl::StatusOr<SettlementAssignmentRecord> a = AssignmentFromRow(row, today);
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  return out;
}

std::map<std::string, SettlementCounts> SettlementRepository::FollowUpCounts(
    std::string_view lanskod, int year, std::string_view kommunkod, absl::CivilDay today) {
  pqxx::result r = tx_.exec_prepared("settlement_follow_up", std::string(lanskod), year,
                                     std::string(kommunkod), dates::DayText(today));
  std::map<std::string, SettlementCounts> out;
  for (const pqxx::row& row : r) {
    out[row["kommunkod"].as<std::string>()] = {.assigned = row["assigned"].as<int>(),
                                               .received = row["received"].as<int>(),
                                               .overdue = row["overdue"].as<int>()};
  }
  return out;
}

absl::StatusOr<v1::SettlementFollowUp> SettlementRepository::FollowUp(std::string_view lanskod,
                                                                      int year,
                                                                      std::string_view only_kommun,
                                                                      absl::CivilDay today) {
  absl::StatusOr<std::optional<v1::SettlementQuota>> quota = GetQuota(lanskod, year);
  if (!quota.ok()) return quota.status();
  std::map<std::string, int> numbers;
  std::string quota_name;
  int county_number = 0;
  if (*quota) {
    quota_name = (*quota)->name();
    county_number = (*quota)->county_number();
    for (const v1::KommunNumber& n : (*quota)->kommun_numbers())
      numbers[n.kommunkod()] = n.persons();
  }
  return BuildSettlementFollowUp(lanskod, year, quota_name, county_number, numbers,
                                 FollowUpCounts(lanskod, year, only_kommun, today), only_kommun);
}

bool SettlementRepository::TryLockOverdueCheck() {
  return tx_.exec_prepared("settlement_overdue_lock", kOverdueLockKey)[0][0].as<bool>();
}

absl::StatusOr<std::vector<OverdueMark>> SettlementRepository::MarkOverdue(absl::CivilDay today,
                                                                           absl::Time now,
                                                                           int limit) {
  pqxx::result r = tx_.exec_prepared("settlement_overdue_mark", dates::DayText(today),
                                     api::ToMicros(now), limit);
  std::vector<OverdueMark> out;
  for (const pqxx::row& row : r) {
    absl::StatusOr<absl::CivilDay> due = Day(row, "due_date");
    if (!due.ok()) return due.status();
    out.push_back({.assignment_id = row["assignment_id"].as<int64_t>(),
                   .kommunkod = row["kommunkod"].as<std::string>(),
                   .persons = row["persons"].as<int>(),
                   .due_date = *due});
  }
  return out;
}

}  // namespace integration::placement
