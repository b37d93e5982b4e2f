// GrantsService ListAuditEvents: the audit trail of an application and of everything below it
// (reviews, disbursements, reports, reclaims, amendments) — who changed what, in which role,
// when and with which request id — for the applicant and the county's officers.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "audit_repository.h"
#include "grants_service.h"
#include "integration/api/page_token.h"
#include "integration/status/status.h"
#include "records.h"
#include "values_rules.h"

namespace integration::grants {
namespace {

// An audit trail is read in longer pages than other lists (default 100, at most 1000).
constexpr int kDefaultAuditPageSize = 100;
constexpr int kMaxAuditPageSize = 1000;

absl::StatusOr<int> AuditPageSize(int32_t requested) {
  if (requested < 0) {
    return status::Error(absl::StatusCode::kInvalidArgument, api::kReasonPageSizeInvalid,
                         "page_size must not be negative", {},
                         {{"page_size", "must not be negative"}});
  }
  if (requested == 0) return kDefaultAuditPageSize;
  return requested > kMaxAuditPageSize ? kMaxAuditPageSize : static_cast<int>(requested);
}

}  // namespace

absl::Status GrantsServiceImpl::DoListAuditEvents(const grpc::CallContext& call,
                                                  const v1::ListAuditEventsRequest& req,
                                                  v1::ListAuditEventsResponse* resp) {
  absl::StatusOr<ApplicationKey> parent = ParseApplicationName(req.parent(), "parent");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<int> page_size = AuditPageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListAuditEvents|", req.parent()), *page_size, req.page_token());
  if (!page.ok()) return page.status();

  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<ApplicationRecord> app =
        LoadApplication(tx, call.caller(), *parent, Access::kRead, /*for_update=*/false);
    if (!app.ok()) return app.status();
    std::vector<AuditRow> rows =
        AuditRepository(tx).ListUnder(app->Name(), page->after, page->size + 1);
    resp->set_next_page_token(
        api::NextIdPageToken(*page, rows, [](const AuditRow& row) { return row.id; }));
    for (AuditRow& row : rows) *resp->add_events() = std::move(row.event);
    return absl::OkStatus();
  });
}

}  // namespace integration::grants
