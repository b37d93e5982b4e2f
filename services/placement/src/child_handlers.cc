// PlacementService child RPCs: Migrationsverket's system reports arrivals (assigned at once
// when something decides), the county and the assigned kommun read children (every read of a
// record logged with its purpose), and a county admin reads that log.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "assignment.h"
#include "child_repository.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/se/lma_number.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_service.h"
#include "rules/arrival_rules.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

constexpr size_t kMinPurposeBytes = 3;
constexpr size_t kMaxPurposeBytes = 200;

// What a list shows of a child: no dossier number, needs or explanation (GetChild, which is
// logged, has them).
void ListView(v1::Child& child) {
  child.mutable_arrival()->clear_dossier_number();
  child.mutable_arrival()->clear_needs();
  if (child.has_assignment()) child.mutable_assignment()->clear_explanation();
}

}  // namespace

absl::Status PlacementServiceImpl::DoReportArrival(const grpc::CallContext& call,
                                                   const v1::ReportArrivalRequest& req,
                                                   v1::Child* resp) {
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckArrivalReporter(scope); !st.ok()) return st;
  absl::StatusOr<CheckedArrival> checked = CheckArrival(req.arrival(), Today(), "arrival");
  if (!checked.ok()) return checked.status();
  absl::StatusOr<se::LmaNumber> lma = se::ParseLmaNumber(checked->dossier_number);
  if (!lma.ok()) return lma.status();
  absl::StatusOr<std::string> hash = deps_.protector->LmaLookupKey(*lma);
  if (!hash.ok()) return status::Internal("the dossier number's look-up key failed");
  // Bound to its hash (associated data), so the cipher cannot be moved to another child.
  absl::StatusOr<std::string> cipher = deps_.protector->EncryptText(checked->dossier_number, *hash);
  if (!cipher.ok()) return status::Internal("the dossier number could not be encrypted");

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ChildRepository repo(tx);
    const absl::Time now = deps_.clock();
    // A re-sent dossier number (or one sent twice at once: the insert waits for the other
    // and finds it) answers with the child reported first, changing nothing.
    std::optional<int64_t> id = repo.FindByDossier(*hash);
    if (!id) {
      id = repo.Insert(NewChild{&*checked, *hash, *cipher}, now);
      if (id) {
        const std::string name = ChildName(*id);
        change.Audit(name, "report");
        v1::ChildArrivedEvent event;
        event.set_child(name);
        event.set_lanskod(checked->lanskod);
        api::SetTimestamp(now, event.mutable_report_time());
        if (absl::Status st = change.Emit(name, event, auth::Owner::County(checked->lanskod));
            !st.ok()) {
          return st;
        }
        absl::StatusOr<std::optional<v1::Assignment>> assigned =
            AssignWaitingChild(tx, change, *id, checked->arrival, checked->lanskod, now);
        if (!assigned.ok()) return assigned.status();
      } else {
        id = repo.FindByDossier(*hash);
        if (!id) return status::Internal("a reported child vanished");
      }
    }
    absl::StatusOr<std::optional<ChildRecord>> record = LoadChild(repo, *deps_.protector, *id);
    if (!record.ok()) return record.status();
    if (!*record) return ChildNotFound(*id);
    *resp = std::move((*record)->child);
    access::RestrictChild(scope, *resp);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoGetChild(const grpc::CallContext& call,
                                              const v1::GetChildRequest& req, v1::Child* resp) {
  absl::StatusOr<int64_t> id = ParseChildName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (req.purpose().size() < kMinPurposeBytes || req.purpose().size() > kMaxPurposeBytes) {
    return status::InvalidField("purpose",
                                absl::StrCat("say why the record is read, ", kMinPurposeBytes, "-",
                                             kMaxPurposeBytes, " bytes"));
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    ChildRepository repo(tx);
    absl::StatusOr<std::optional<ChildRecord>> record = LoadChild(repo, *deps_.protector, *id);
    if (!record.ok()) return record.status();
    if (!*record) return ChildNotFound(*id);
    if (absl::Status st = access::CheckChildReader(scope, OwnersOf((*record)->child)); !st.ok()) {
      return st;
    }
    // Logged in the transaction that reads: no read without its log row.
    repo.LogRead(*id, call.caller().subject, call.caller().role, req.purpose(), deps_.clock());
    *resp = std::move((*record)->child);
    access::RestrictChild(scope, *resp);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListChildren(const grpc::CallContext& call,
                                                  const v1::ListChildrenRequest& req,
                                                  v1::ListChildrenResponse* resp) {
  absl::StatusOr<auth::Tenant> tenant = access::ChildListScope(auth::Scope::Of(call.caller()));
  if (!tenant.ok()) return tenant.status();
  ChildFilter filter;
  if (tenant->kind == auth::Tenant::Kind::kLan) {
    filter.lanskod = tenant->value;
  } else {
    filter.kommunkod = tenant->value;
  }
  if (req.state() != v1::CHILD_STATE_UNSPECIFIED) {
    filter.state = StoredState(req.state());
    if (filter.state.empty()) return status::InvalidField("state", "unknown state");
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page = api::ReadIdPage(
      absl::StrCat("ListChildren|", filter.lanskod, "|", filter.kommunkod, "|", filter.state),
      *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<ChildRecord>> rows =
        ChildRepository(tx).List(filter, page->after, page->size + 1);
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(
        api::NextIdPageToken(*page, *rows, [](const ChildRecord& r) { return r.child_id; }));
    for (ChildRecord& r : *rows) {
      ListView(r.child);
      *resp->add_children() = std::move(r.child);
    }
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListChildReads(const grpc::CallContext& call,
                                                    const v1::ListChildReadsRequest& req,
                                                    v1::ListChildReadsResponse* resp) {
  absl::StatusOr<int64_t> id = ParseChildName(req.parent(), "parent");
  if (!id.ok()) return id.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListChildReads|", *id), *size, req.page_token());
  if (!page.ok()) return page.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    ChildRepository repo(tx);
    absl::StatusOr<std::optional<ChildRecord>> child = repo.Get(*id);
    if (!child.ok()) return child.status();
    if (!*child) return ChildNotFound(*id);
    if (absl::Status st = access::CheckAccessLogReader(scope, (*child)->child.lanskod());
        !st.ok()) {
      return st;
    }
    std::vector<std::pair<int64_t, v1::ChildRead>> reads =
        repo.ListReads(*id, page->after, page->size + 1);
    resp->set_next_page_token(api::NextIdPageToken(
        *page, reads, [](const std::pair<int64_t, v1::ChildRead>& r) { return r.first; }));
    for (auto& [read_id, read] : reads) *resp->add_reads() = std::move(read);
    return absl::OkStatus();
  });
}

}  // namespace integration::placement
