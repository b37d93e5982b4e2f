// PlacementService allocation-key RPCs: a county_admin enters a county's key for a year; the
// county and its kommuner read them. A key is never changed once entered.
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "allocation_key_repository.h"
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
          absl::StrCat(name, " exists already; a key is not changed once entered"),
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
  absl::StatusOr<std::optional<api::PageKey>> key = api::DecodePageToken(req.page_token(), query, 1);
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

}  // namespace integration::placement
