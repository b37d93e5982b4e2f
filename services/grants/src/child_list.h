// One page of the records below an application (reviews, reclaims, amendments, audit events),
// listed oldest first by id: the shape every such List method of the grants service shares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/grpc/call_context.h"
#include "integration/pg/pool.h"
#include "rules/values_rules.h"

namespace integration::grants {

// Parses `parent` ("calls/{call}/applications/{application}") and the page request (`size` is
// the method's validated page size), loads the application for a caller `acting` so on it,
// and reads the page with `fetch(tx, application, page)`, which returns at most page.size + 1
// rows (StatusOr<std::vector<Row>>). After the commit each row of the page goes to `emit` and
// the next page's token (or "") is returned. `method` names the list in its page tokens.
template <typename Row, typename Fetch, typename IdOf, typename Emit>
absl::StatusOr<std::string> ListApplicationChildren(
    pg::Pool& pool, const grpc::CallContext& call, std::string_view method,
    const std::string& parent, absl::StatusOr<int> size, const std::string& page_token,
    access::Acting acting, Fetch fetch, IdOf id_of, Emit emit) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(parent, "parent");
  if (!key.ok()) return key.status();
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat(std::string(method), "|", parent), *size, page_token);
  if (!page.ok()) return page.status();
  std::vector<Row> rows;
  absl::Status st = pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<ApplicationRecord> app = ApplicationRepository(tx).Load(
        auth::Scope::Of(call.caller()), *key, acting, /*for_update=*/false);
    if (!app.ok()) return app.status();
    absl::StatusOr<std::vector<Row>> fetched = fetch(tx, *app, *page);
    if (!fetched.ok()) return fetched.status();
    rows = *std::move(fetched);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  std::string next = api::NextIdPageToken(*page, rows, id_of);
  for (Row& row : rows) emit(row);
  return next;
}

}  // namespace integration::grants
