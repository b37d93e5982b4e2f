// PlacementService settlement RPCs (lag 2016:38): a national administrator sets each county's
// county number, the county board proposes and decides kommun numbers that sum to it (every
// change a revision), Migrationsverket's system reports assignments of newly arrived
// households, the kommun records their reception, and the county and its kommuner follow it up.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/dates/day.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_service.h"
#include "rules/names.h"
#include "rules/settlement_rules.h"
#include "settlement_repository.h"

namespace integration::placement {
namespace {

constexpr std::string_view kReasonQuotaNotFound = "SETTLEMENT_QUOTA_NOT_FOUND";
constexpr std::string_view kReasonCountyNumberUnchanged = "COUNTY_NUMBER_UNCHANGED";
constexpr std::string_view kReasonAssignmentNotFound = "SETTLEMENT_ASSIGNMENT_NOT_FOUND";
constexpr std::string_view kReasonAlreadyReceived = "SETTLEMENT_ALREADY_RECEIVED";
constexpr size_t kMinReasonBytes = 3;
constexpr size_t kMaxReasonBytes = 1000;

absl::Status QuotaNotFound(const std::string& name) {
  return status::NotFound(kReasonQuotaNotFound, absl::StrCat(name, " does not exist"),
                          {{"settlement_quota", name}});
}

absl::Status AssignmentNotFound(const std::string& name) {
  return status::NotFound(kReasonAssignmentNotFound, absl::StrCat(name, " does not exist"),
                          {{"settlement_assignment", name}});
}

absl::Status CheckReason(const std::string& reason) {
  if (reason.size() < kMinReasonBytes || reason.size() > kMaxReasonBytes) {
    return status::InvalidField(
        "reason", absl::StrCat("say why, ", kMinReasonBytes, "-", kMaxReasonBytes, " bytes"),
        kReasonQuotaInvalid);
  }
  return absl::OkStatus();
}

// `requested` or, when 0, the current year; INVALID_ARGUMENT outside the years names allow.
absl::StatusOr<int> YearOf(int requested, absl::CivilDay today) {
  const int year = requested == 0 ? static_cast<int>(today.year()) : requested;
  if (year < kMinKeyYear || year > kMaxKeyYear) {
    return status::InvalidField("year", absl::StrCat("must be ", kMinKeyYear, "-", kMaxKeyYear,
                                                     ", or 0 for the current year"));
  }
  return year;
}

}  // namespace

absl::Status PlacementServiceImpl::DoSetCountyNumber(const grpc::CallContext& call,
                                                     const v1::SetCountyNumberRequest& req,
                                                     v1::SettlementQuota* resp) {
  absl::StatusOr<SettlementQuotaId> id = ParseSettlementQuotaName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckCountyNumberSetter(auth::Scope::Of(call.caller())); !st.ok()) {
    return st;
  }
  if (req.county_number() < 0 || req.county_number() > kMaxCountyNumber) {
    return status::InvalidField("county_number", absl::StrCat("must be 0-", kMaxCountyNumber),
                                kReasonQuotaInvalid);
  }
  if (absl::Status st = CheckReason(req.reason()); !st.ok()) return st;
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    SettlementRepository repo(tx);
    const absl::Time now = deps_.clock();
    QuotaRevision revision;
    revision.kind = v1::SETTLEMENT_REVISION_KIND_COUNTY_NUMBER;
    revision.county_number = req.county_number();
    revision.reason = req.reason();
    revision.actor = call.caller().subject;
    std::optional<int> current = repo.LockQuota(id->lanskod, id->year);
    bool first = false;
    if (!current) {
      // A concurrent first setting inserts too: this insert waits for it and then finds it.
      first = repo.InsertQuota(id->lanskod, id->year, req.county_number(), now);
      if (!first) current = repo.LockQuota(id->lanskod, id->year);
      if (!first && !current) return status::Internal("a settlement quota vanished");
    }
    if (first) {
      revision.revision = 1;
    } else {
      absl::StatusOr<std::optional<v1::SettlementQuota>> quota =
          repo.GetQuota(id->lanskod, id->year);
      if (!quota.ok()) return quota.status();
      if (!*quota) return status::Internal("a locked settlement quota vanished");
      if (absl::Status st = api::CheckEtag(req.etag(), (*quota)->etag(), req.name()); !st.ok()) {
        return st;
      }
      if ((*quota)->county_number() == req.county_number()) {
        return status::FailedPrecondition(
            kReasonCountyNumberUnchanged,
            absl::StrCat(req.name(), " has the county number ", req.county_number(), " already"));
      }
      revision.revision = *current + 1;
    }
    if (absl::Status st = repo.AddRevision(id->lanskod, id->year, revision, now, first); !st.ok()) {
      return st;
    }
    absl::StatusOr<std::optional<v1::SettlementQuota>> quota = repo.GetQuota(id->lanskod, id->year);
    if (!quota.ok()) return quota.status();
    if (!*quota) return status::Internal("a written settlement quota vanished");
    *resp = std::move(**quota);
    change.Audit(
        req.name(), "setCountyNumber",
        absl::StrCat("revision ", revision.revision, ": ", req.county_number(), " persons"));
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoGetSettlementQuota(const grpc::CallContext& call,
                                                        const v1::GetSettlementQuotaRequest& req,
                                                        v1::SettlementQuota* resp) {
  absl::StatusOr<SettlementQuotaId> id = ParseSettlementQuotaName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckQuotaReader(auth::Scope::Of(call.caller()), id->lanskod);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::SettlementQuota>> quota =
        SettlementRepository(tx).GetQuota(id->lanskod, id->year);
    if (!quota.ok()) return quota.status();
    if (!*quota) return QuotaNotFound(req.name());
    *resp = std::move(**quota);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListSettlementQuotaRevisions(
    const grpc::CallContext& call, const v1::ListSettlementQuotaRevisionsRequest& req,
    v1::ListSettlementQuotaRevisionsResponse* resp) {
  absl::StatusOr<SettlementQuotaId> id = ParseSettlementQuotaName(req.parent(), "parent");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckQuotaReader(auth::Scope::Of(call.caller()), id->lanskod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page = api::ReadIdPage(
      absl::StrCat("ListSettlementQuotaRevisions|", req.parent()), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    SettlementRepository repo(tx);
    absl::StatusOr<std::optional<v1::SettlementQuota>> quota = repo.GetQuota(id->lanskod, id->year);
    if (!quota.ok()) return quota.status();
    if (!*quota) return QuotaNotFound(req.parent());
    absl::StatusOr<std::vector<v1::SettlementQuotaRevision>> rows =
        repo.ListRevisions(id->lanskod, id->year, static_cast<int>(page->after), page->size + 1);
    if (!rows.ok()) return rows.status();
    // The revision number is the page key. Revisions are numbered 1, 2, ... without gaps (each
    // written under the quota's lock), so the page's last is `after` plus its length.
    std::vector<v1::SettlementQuotaRevision>& kept = *rows;
    resp->set_next_page_token(
        api::NextIdPageToken(*page, kept, [&](const v1::SettlementQuotaRevision&) {
          return page->after + static_cast<int64_t>(kept.size());
        }));
    for (v1::SettlementQuotaRevision& r : *rows) *resp->add_revisions() = std::move(r);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoProposeKommunNumbers(
    const grpc::CallContext& call, const v1::ProposeKommunNumbersRequest& req,
    v1::KommunNumbersProposal* resp) {
  absl::StatusOr<SettlementQuotaId> id = ParseSettlementQuotaName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckQuotaProposer(auth::Scope::Of(call.caller()), id->lanskod);
      !st.ok()) {
    return st;
  }
  std::optional<CheckedBasis> given;
  if (req.has_basis()) {
    absl::StatusOr<CheckedBasis> checked = CheckBasis(req.basis(), id->lanskod, "basis");
    if (!checked.ok()) return checked.status();
    given = *std::move(checked);
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::SettlementQuota>> quota =
        SettlementRepository(tx).GetQuota(id->lanskod, id->year);
    if (!quota.ok()) return quota.status();
    if (!*quota) return QuotaNotFound(req.name());
    v1::SettlementBasis basis;
    if (given) {
      basis = given->basis;
    } else if ((*quota)->basis().kommuner_size() > 0) {
      basis = (*quota)->basis();
    } else {
      return status::InvalidField("basis", "is required: the quota has no decided basis yet",
                                  kReasonBasisInvalid);
    }
    absl::StatusOr<std::vector<v1::KommunNumber>> numbers =
        SplitCountyNumber((*quota)->county_number(), basis);
    if (!numbers.ok()) return numbers.status();
    resp->Clear();
    resp->set_settlement_quota((*quota)->name());
    resp->set_county_number((*quota)->county_number());
    for (v1::KommunNumber& n : *numbers) *resp->add_kommun_numbers() = std::move(n);
    *resp->mutable_basis() = std::move(basis);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoDecideKommunNumbers(const grpc::CallContext& call,
                                                         const v1::DecideKommunNumbersRequest& req,
                                                         v1::SettlementQuota* resp) {
  absl::StatusOr<SettlementQuotaId> id = ParseSettlementQuotaName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckQuotaDecider(auth::Scope::Of(call.caller()), id->lanskod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::map<std::string, int>> numbers =
      CheckKommunNumbers(req.kommun_numbers(), id->lanskod, "kommun_numbers");
  if (!numbers.ok()) return numbers.status();
  v1::SettlementBasis basis;
  if (req.has_basis()) {
    absl::StatusOr<CheckedBasis> checked = CheckBasis(req.basis(), id->lanskod, "basis");
    if (!checked.ok()) return checked.status();
    basis = std::move(checked->basis);
  }
  if (absl::Status st = CheckReason(req.reason()); !st.ok()) return st;
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    SettlementRepository repo(tx);
    std::optional<int> current = repo.LockQuota(id->lanskod, id->year);
    if (!current) return QuotaNotFound(req.name());
    absl::StatusOr<std::optional<v1::SettlementQuota>> quota = repo.GetQuota(id->lanskod, id->year);
    if (!quota.ok()) return quota.status();
    if (!*quota) return status::Internal("a locked settlement quota vanished");
    if (absl::Status st = api::CheckEtag(req.etag(), (*quota)->etag(), req.name()); !st.ok()) {
      return st;
    }
    // The invariant of every decision: the kommun numbers sum to the county number in force.
    if (absl::Status st = CheckSumEquals(*numbers, (*quota)->county_number()); !st.ok()) return st;
    const absl::Time now = deps_.clock();
    const QuotaRevision revision{.revision = *current + 1,
                                 .kind = v1::SETTLEMENT_REVISION_KIND_KOMMUN_NUMBERS,
                                 .county_number = (*quota)->county_number(),
                                 .kommun_numbers = *numbers,
                                 .basis = basis,
                                 .reason = req.reason(),
                                 .actor = call.caller().subject};
    if (absl::Status st = repo.AddRevision(id->lanskod, id->year, revision, now, false); !st.ok()) {
      return st;
    }
    absl::StatusOr<std::optional<v1::SettlementQuota>> decided =
        repo.GetQuota(id->lanskod, id->year);
    if (!decided.ok()) return decided.status();
    if (!*decided) return status::Internal("a decided settlement quota vanished");
    *resp = std::move(**decided);
    change.Audit(req.name(), "decideKommunNumbers",
                 absl::StrCat("revision ", revision.revision, ": ", numbers->size(), " kommuner"));
    v1::KommunNumbersDecidedEvent event;
    event.set_settlement_quota(resp->name());
    event.set_revision(revision.revision);
    event.set_county_number(resp->county_number());
    *event.mutable_kommun_numbers() = resp->kommun_numbers();
    api::SetTimestamp(now, event.mutable_decide_time());
    // Read by the county and the officers of its kommuner (access::CheckQuotaReader).
    auth::Owner owner = auth::Owner::County(id->lanskod);
    for (const v1::KommunNumber& k : resp->kommun_numbers())
      owner.kommuner.push_back(k.kommunkod());
    return change.Emit(resp->name(), event, owner);
  });
}

absl::Status PlacementServiceImpl::DoReportSettlementAssignment(
    const grpc::CallContext& call, const v1::ReportSettlementAssignmentRequest& req,
    v1::SettlementAssignment* resp) {
  if (absl::Status st = access::CheckSettlementReporter(auth::Scope::Of(call.caller())); !st.ok()) {
    return st;
  }
  const absl::CivilDay today = Today();
  absl::StatusOr<CheckedSettlementAssignment> checked =
      CheckSettlementAssignment(req.settlement_assignment(), today, "settlement_assignment");
  if (!checked.ok()) return checked.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    SettlementRepository repo(tx);
    // A re-sent household (also one sent twice at once: the insert waits for the other and
    // finds it) answers with the assignment reported first, changing nothing.
    std::optional<int64_t> id = repo.FindByHousehold(checked->household_reference);
    if (!id) {
      id = repo.InsertAssignment(*checked, deps_.clock());
      if (id) {
        const std::string name = SettlementAssignmentName(checked->kommunkod, *id);
        change.Audit(name, "report", absl::StrCat(checked->persons, " persons"));
        v1::SettlementAssignedEvent event;
        event.set_settlement_assignment(name);
        event.set_kommunkod(checked->kommunkod);
        event.set_persons(checked->persons);
        *event.mutable_assignment_date() = dates::DateOf(checked->assignment_date);
        *event.mutable_due_date() = dates::DateOf(checked->due_date);
        if (absl::Status st = change.Emit(name, event, access::KommunOwner(checked->kommunkod));
            !st.ok()) {
          return st;
        }
      } else {
        id = repo.FindByHousehold(checked->household_reference);
        if (!id) return status::Internal("a reported settlement assignment vanished");
      }
    }
    absl::StatusOr<std::optional<SettlementAssignmentRecord>> record =
        repo.GetAssignment(*id, today);
    if (!record.ok()) return record.status();
    if (!*record) return status::Internal("a reported settlement assignment vanished");
    *resp = std::move((*record)->assignment);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoGetSettlementAssignment(
    const grpc::CallContext& call, const v1::GetSettlementAssignmentRequest& req,
    v1::SettlementAssignment* resp) {
  absl::StatusOr<SettlementAssignmentId> id = ParseSettlementAssignmentName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckSettlementReader(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  const absl::CivilDay today = Today();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<SettlementAssignmentRecord>> record =
        SettlementRepository(tx).GetAssignment(id->assignment_id, today);
    if (!record.ok()) return record.status();
    // Under another kommun's name it does not exist.
    if (!*record || (*record)->assignment.name() != req.name())
      return AssignmentNotFound(req.name());
    *resp = std::move((*record)->assignment);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListSettlementAssignments(
    const grpc::CallContext& call, const v1::ListSettlementAssignmentsRequest& req,
    v1::ListSettlementAssignmentsResponse* resp) {
  absl::StatusOr<auth::Tenant> tenant = access::SettlementScope(auth::Scope::Of(call.caller()));
  if (!tenant.ok()) return tenant.status();
  std::string lanskod;
  std::string kommunkod = req.kommunkod();
  if (tenant->kind == auth::Tenant::Kind::kLan) {
    lanskod = tenant->value;
    if (!kommunkod.empty()) {
      if (absl::Status st = se::ValidateKommunkod(kommunkod, "kommunkod"); !st.ok()) return st;
      if (kommunkod.substr(0, 2) != lanskod) {
        return auth::LanMismatch("the kommun lies in another county");
      }
    }
  } else {
    if (!kommunkod.empty() && kommunkod != tenant->value) {
      return auth::TenantMismatch("a kommun lists its own assignments only");
    }
    kommunkod = tenant->value;
  }
  if (req.year() != 0 && (req.year() < kMinKeyYear || req.year() > kMaxKeyYear)) {
    return status::InvalidField(
        "year", absl::StrCat("must be ", kMinKeyYear, "-", kMaxKeyYear, ", or 0 for every year"));
  }
  if (!v1::SettlementState_IsValid(req.state()))
    return status::InvalidField("state", "unknown state");
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  const absl::CivilDay today = Today();
  // The state depends on today: a token of yesterday's list may skip or repeat nothing, as
  // the ids only grow, but the rows' states are today's.
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListSettlementAssignments|", lanskod, "|", kommunkod, "|",
                                   req.year(), "|", req.state()),
                      *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<SettlementAssignmentRecord>> rows =
        SettlementRepository(tx).ListAssignments(lanskod, kommunkod, req.year(), req.state(), today,
                                                 page->after, page->size + 1);
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *rows, [](const SettlementAssignmentRecord& r) { return r.assignment_id; }));
    for (SettlementAssignmentRecord& r : *rows) {
      *resp->add_settlement_assignments() = std::move(r.assignment);
    }
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoRecordSettlementReception(
    const grpc::CallContext& call, const v1::RecordSettlementReceptionRequest& req,
    v1::SettlementAssignment* resp) {
  absl::StatusOr<SettlementAssignmentId> id = ParseSettlementAssignmentName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckSettlementReceiver(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  const absl::CivilDay today = Today();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<SettlementAssignmentRecord> {
        SettlementRepository repo(tx);
        if (!repo.LockAssignment(id->assignment_id)) return AssignmentNotFound(req.name());
        absl::StatusOr<std::optional<SettlementAssignmentRecord>> record =
            repo.GetAssignment(id->assignment_id, today);
        if (!record.ok()) return record.status();
        if (!*record || (*record)->assignment.name() != req.name()) {
          return AssignmentNotFound(req.name());
        }
        return **std::move(record);
      },
      [&](pqxx::work& tx, SettlementAssignmentRecord& record) -> absl::Status {
        const v1::SettlementAssignment& a = record.assignment;
        if (a.has_reception_date()) {
          return status::FailedPrecondition(
              kReasonAlreadyReceived,
              absl::StrCat(req.name(), " was received on ",
                           dates::DayText(*dates::DayOf(a.reception_date()))));
        }
        if (absl::Status st = api::CheckEtag(req.etag(), a.etag(), req.name()); !st.ok()) return st;
        absl::StatusOr<absl::CivilDay> received =
            CheckReceptionDate(req.has_reception_date() ? &req.reception_date() : nullptr,
                               record.assignment_date, today);
        if (!received.ok()) return received.status();
        SettlementRepository repo(tx);
        repo.RecordReception(record.assignment_id, *received, deps_.clock());
        absl::StatusOr<std::optional<SettlementAssignmentRecord>> after =
            repo.GetAssignment(record.assignment_id, today);
        if (!after.ok()) return after.status();
        if (!*after) return status::Internal("a received settlement assignment vanished");
        *resp = std::move((*after)->assignment);
        const bool late = *received > *dates::DayOf(resp->due_date());
        change.Audit(req.name(), "recordReception", late ? "after the due date" : "");
        v1::SettlementReceivedEvent event;
        event.set_settlement_assignment(resp->name());
        event.set_kommunkod(resp->kommunkod());
        *event.mutable_reception_date() = resp->reception_date();
        event.set_late(late);
        return change.Emit(resp->name(), event, access::KommunOwner(resp->kommunkod()));
      });
}

absl::Status PlacementServiceImpl::LoadSettlementFollowUp(const grpc::CallContext& call,
                                                          int requested_year,
                                                          v1::SettlementFollowUp* out) {
  absl::StatusOr<auth::Tenant> tenant = access::SettlementScope(auth::Scope::Of(call.caller()));
  if (!tenant.ok()) return tenant.status();
  const absl::CivilDay today = Today();
  absl::StatusOr<int> year = YearOf(requested_year, today);
  if (!year.ok()) return year.status();
  const bool county = tenant->kind == auth::Tenant::Kind::kLan;
  const std::string lanskod = county ? tenant->value : tenant->value.substr(0, 2);
  const std::string only_kommun = county ? "" : tenant->value;
  return deps_.pool.Transact(
      call.deadline(),
      [&](pqxx::work& tx) -> absl::Status {
        absl::StatusOr<v1::SettlementFollowUp> follow_up =
            SettlementRepository(tx).FollowUp(lanskod, *year, only_kommun, today);
        if (!follow_up.ok()) return follow_up.status();
        *out = *std::move(follow_up);
        api::SetTimestamp(deps_.clock(), out->mutable_compute_time());
        return absl::OkStatus();
      },
      pg::Isolation::kRepeatableRead);
}

absl::Status PlacementServiceImpl::DoGetSettlementFollowUp(
    const grpc::CallContext& call, const v1::GetSettlementFollowUpRequest& req,
    v1::SettlementFollowUp* resp) {
  return LoadSettlementFollowUp(call, req.year(), resp);
}

absl::Status PlacementServiceImpl::DoExportSettlementFollowUp(
    const grpc::CallContext& call, const v1::ExportSettlementFollowUpRequest& req,
    v1::SettlementFollowUpExport* resp) {
  v1::SettlementFollowUp follow_up;
  if (absl::Status st = LoadSettlementFollowUp(call, req.year(), &follow_up); !st.ok()) return st;
  const auth::Scope scope = auth::Scope::Of(call.caller());
  const std::string whose = scope.IsCounty() ? follow_up.lanskod() : scope.kommun;
  resp->set_filename(absl::StrCat("settlement-follow-up-", whose, "-", follow_up.year(), ".csv"));
  resp->set_data(SettlementFollowUpCsv(follow_up));
  return absl::OkStatus();
}

}  // namespace integration::placement
