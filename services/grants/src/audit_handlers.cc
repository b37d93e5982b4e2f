// GrantsService ListAuditEvents: the audit trail of an application and of everything below it
// (reviews, disbursements, reports, reclaims, amendments) — who changed what, in which role,
// when and with which request id — for the county's officers, and the part of it that concerns
// the applicant for the applicant (rules/audit_rules.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "audit_repository.h"
#include "child_list.h"
#include "grants_service.h"
#include "integration/api/page_token.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

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
  absl::StatusOr<std::string> next = ListApplicationChildren<AuditRow>(
      deps_.pool, call, "ListAuditEvents", req.parent(), AuditPageSize(req.page_size()),
      req.page_token(), access::Acting::kReader,
      [applicant = !auth::Scope::Of(call.caller()).IsCounty()](
          pqxx::work& tx, const ApplicationRecord& app,
          const api::IdPage& page) -> absl::StatusOr<std::vector<AuditRow>> {
        return AuditRepository(tx).ListUnder(app.Name(), page.after, page.size + 1, applicant);
      },
      [](const AuditRow& row) { return row.id; },
      [resp](AuditRow& row) { *resp->add_events() = std::move(row.event); });
  if (!next.ok()) return next.status();
  resp->set_next_page_token(*std::move(next));
  return absl::OkStatus();
}

}  // namespace integration::grants
