// PlacementService allocation-key RPCs: a county_admin enters a county's key for a year; the
// county and its kommuner read them. Afterwards only share transfers change it: agreed between
// two kommuner, registered, and confirmed (the shares move) or refused by a county officer.
#include <map>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "allocation_key_repository.h"
#include "child_repository.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "placement_service.h"
#include "rules/allocation_rules.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

constexpr std::string_view kReasonKeyExists = "ALLOCATION_KEY_EXISTS";
constexpr std::string_view kReasonKeyNotFound = "ALLOCATION_KEY_NOT_FOUND";
constexpr std::string_view kReasonTransferNotFound = "TRANSFER_NOT_FOUND";
constexpr std::string_view kReasonTransferDecided = "TRANSFER_DECIDED";

absl::Status KeyNotFound(const std::string& name) {
  return status::NotFound(kReasonKeyNotFound, absl::StrCat(name, " does not exist"),
                          {{"allocation_key", name}});
}

}  // namespace

absl::Status PlacementServiceImpl::DoCreateAllocationKey(const grpc::CallContext& call,
                                                         const v1::CreateAllocationKeyRequest& req,
                                                         v1::AllocationKey* resp) {
  absl::StatusOr<std::string> lanskod = ParseCountyName(req.parent(), "parent");
  if (!lanskod.ok()) return lanskod.status();
  absl::StatusOr<AllocationKeyId> id =
      ParseAllocationKeyName(req.allocation_key().name(), "allocation_key.name");
  if (!id.ok()) return id.status();
  if (id->lanskod != *lanskod) {
    return status::InvalidField("allocation_key.name", "must lie below the parent county",
                                kReasonNameInvalid);
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckKeyAdmin(scope, *lanskod); !st.ok()) return st;
  absl::StatusOr<KeyDefinition> key =
      CheckAllocationKey(req.allocation_key(), id->lanskod, id->year, "allocation_key");
  if (!key.ok()) return key.status();
  const std::string name = AllocationKeyName(id->lanskod, id->year);
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    AllocationKeyRepository repo(tx);
    if (!repo.Insert(*key, deps_.clock())) {
      return status::AlreadyExists(
          kReasonKeyExists,
          absl::StrCat(name, " exists already; its shares move by share transfers"),
          {{"allocation_key", name}});
    }
    absl::StatusOr<std::optional<v1::AllocationKey>> created = repo.Get(id->lanskod, id->year);
    if (!created.ok()) return created.status();
    if (!*created) return status::Internal("inserted allocation key not found");
    *resp = std::move(**created);
    change.Audit(name, "create", absl::StrCat(key->shares.size(), " kommuner"));
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoGetAllocationKey(const grpc::CallContext& call,
                                                      const v1::GetAllocationKeyRequest& req,
                                                      v1::AllocationKey* resp) {
  absl::StatusOr<AllocationKeyId> id = ParseAllocationKeyName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckKeyReader(auth::Scope::Of(call.caller()), id->lanskod);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::AllocationKey>> key =
        AllocationKeyRepository(tx).Get(id->lanskod, id->year);
    if (!key.ok()) return key.status();
    if (!*key) return KeyNotFound(req.name());
    *resp = std::move(**key);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListAllocationKeys(const grpc::CallContext& call,
                                                        const v1::ListAllocationKeysRequest& req,
                                                        v1::ListAllocationKeysResponse* resp) {
  absl::StatusOr<std::string> lanskod = ParseCountyName(req.parent(), "parent");
  if (!lanskod.ok()) return lanskod.status();
  if (absl::Status st = access::CheckKeyReader(auth::Scope::Of(call.caller()), *lanskod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const std::string query = absl::StrCat("ListAllocationKeys|", *lanskod);
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 1);
  if (!key.ok()) return key.status();
  // Newest first: the page starts below the last year served.
  int before = kMaxKeyYear + 1;
  if (*key && !absl::SimpleAtoi((**key)[0], &before)) return api::InvalidPageToken();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<v1::AllocationKey>> keys =
        AllocationKeyRepository(tx).List(*lanskod, before, *page_size + 1);
    if (!keys.ok()) return keys.status();
    const bool more = static_cast<int>(keys->size()) > *page_size;
    if (more) keys->pop_back();
    for (v1::AllocationKey& k : *keys) *resp->add_allocation_keys() = std::move(k);
    if (more) {
      const int last = resp->allocation_keys(resp->allocation_keys_size() - 1).year();
      resp->set_next_page_token(api::EncodePageToken(query, {absl::StrCat(last)}));
    }
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoCreateShareTransfer(const grpc::CallContext& call,
                                                         const v1::CreateShareTransferRequest& req,
                                                         v1::ShareTransfer* resp) {
  absl::StatusOr<AllocationKeyId> key = ParseAllocationKeyName(req.parent(), "parent");
  if (!key.ok()) return key.status();
  if (absl::Status st = access::CheckTransferRegistrar(auth::Scope::Of(call.caller()), key->lanskod,
                                                       req.share_transfer().from_kommunkod());
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckShareTransfer(req.share_transfer(), key->lanskod, "share_transfer");
      !st.ok()) {
    return st;
  }
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    AllocationKeyRepository repo(tx);
    if (!repo.Lock(key->lanskod, key->year)) return KeyNotFound(req.parent());
    const int64_t id =
        repo.InsertTransfer(key->lanskod, key->year, req.share_transfer(), deps_.clock());
    absl::StatusOr<std::optional<v1::ShareTransfer>> created =
        repo.GetTransfer(key->lanskod, key->year, id);
    if (!created.ok()) return created.status();
    if (!*created) return status::Internal("inserted share transfer not found");
    *resp = std::move(**created);
    change.Audit(resp->name(), "create",
                 absl::StrCat(resp->per_mille(), " per mille from kommun ", resp->from_kommunkod(),
                              " to kommun ", resp->to_kommunkod()));
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListShareTransfers(const grpc::CallContext& call,
                                                        const v1::ListShareTransfersRequest& req,
                                                        v1::ListShareTransfersResponse* resp) {
  absl::StatusOr<AllocationKeyId> key = ParseAllocationKeyName(req.parent(), "parent");
  if (!key.ok()) return key.status();
  if (absl::Status st = access::CheckKeyReader(auth::Scope::Of(call.caller()), key->lanskod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListShareTransfers|", req.parent()), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<std::pair<int64_t, v1::ShareTransfer>>> rows =
        AllocationKeyRepository(tx).ListTransfers(key->lanskod, key->year, page->after,
                                                  page->size + 1);
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *rows, [](const std::pair<int64_t, v1::ShareTransfer>& r) { return r.first; }));
    for (auto& [id, transfer] : *rows) *resp->add_share_transfers() = std::move(transfer);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoDecideShareTransfer(const grpc::CallContext& call,
                                                         const v1::DecideShareTransferRequest& req,
                                                         v1::ShareTransfer* resp) {
  absl::StatusOr<TransferId> id = ParseTransferName(req.name(), "name");
  if (!id.ok()) return id.status();
  const AllocationKeyId& key = id->key;
  if (absl::Status st = access::CheckCountyOfficer(auth::Scope::Of(call.caller()), key.lanskod);
      !st.ok()) {
    return st;
  }
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    // The county's assignments read the shares: they wait while the shares move.
    ChildRepository(tx).LockStandings(absl::StrCat("county:", key.lanskod));
    AllocationKeyRepository repo(tx);
    if (!repo.Lock(key.lanskod, key.year))
      return KeyNotFound(AllocationKeyName(key.lanskod, key.year));
    absl::StatusOr<std::optional<v1::TransferState>> state =
        repo.LockTransfer(key.lanskod, key.year, id->transfer_id);
    if (!state.ok()) return state.status();
    if (!*state) {
      return status::NotFound(kReasonTransferNotFound, absl::StrCat(req.name(), " does not exist"));
    }
    if (**state != v1::TRANSFER_STATE_AGREED) {
      return status::FailedPrecondition(kReasonTransferDecided,
                                        absl::StrCat(req.name(), " is decided already"),
                                        {{"state", v1::TransferState_Name(**state)}});
    }
    absl::StatusOr<std::optional<v1::ShareTransfer>> transfer =
        repo.GetTransfer(key.lanskod, key.year, id->transfer_id);
    if (!transfer.ok()) return transfer.status();
    if (!*transfer) return status::Internal("a locked share transfer vanished");
    const absl::Time now = deps_.clock();
    if (req.confirm()) {
      absl::StatusOr<std::optional<v1::AllocationKey>> current = repo.Get(key.lanskod, key.year);
      if (!current.ok()) return current.status();
      if (!*current) return KeyNotFound(AllocationKeyName(key.lanskod, key.year));
      std::map<std::string, int> shares;
      for (const v1::KommunShare& s : (*current)->shares()) shares[s.kommunkod()] = s.per_mille();
      absl::StatusOr<std::map<std::string, int>> moved =
          ApplyShareTransfer(shares, (*transfer)->from_kommunkod(), (*transfer)->to_kommunkod(),
                             (*transfer)->per_mille());
      if (!moved.ok()) return moved.status();
      repo.SetShares(key.lanskod, key.year, *moved);
    }
    repo.DecideTransfer(id->transfer_id,
                        req.confirm() ? v1::TRANSFER_STATE_CONFIRMED : v1::TRANSFER_STATE_REFUSED,
                        now);
    absl::StatusOr<std::optional<v1::ShareTransfer>> decided =
        repo.GetTransfer(key.lanskod, key.year, id->transfer_id);
    if (!decided.ok()) return decided.status();
    if (!*decided) return status::Internal("a decided share transfer vanished");
    *resp = std::move(**decided);
    change.Audit(req.name(), req.confirm() ? "confirm" : "refuse");
    return absl::OkStatus();
  });
}

}  // namespace integration::placement
