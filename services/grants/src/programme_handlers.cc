// GrantsService programme RPCs: public reads, and creation and change by county_admin: of a
// national programme only with the national scope, of a county's only by that county
// (access::CheckProgrammeAdmin). Every change is audited and announced as a
// ProgrammeChangedEvent.
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "programme_repository.h"
#include "rules/programme_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

constexpr std::string_view kReasonProgrammeExists = "PROGRAMME_EXISTS";

// Announces the programme as it is after the change.
absl::Status EmitProgrammeChanged(api::Change& change, const v1::Programme& programme,
                                  absl::Time now) {
  v1::ProgrammeChangedEvent event;
  event.set_programme(programme.name());
  api::SetTimestamp(now, event.mutable_change_time());
  // Programmes are public to read.
  return change.EmitPublic(programme.name(), event, programme.lanskod());
}

}  // namespace

absl::Status GrantsServiceImpl::DoListProgrammes(const grpc::CallContext& call,
                                                 const v1::ListProgrammesRequest& req,
                                                 v1::ListProgrammesResponse* resp) {
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  constexpr std::string_view kQuery = "ListProgrammes";
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), kQuery, 1);
  if (!key.ok()) return key.status();
  std::string after;
  if (*key) {
    after = (**key)[0];
    if (!IsValidProgrammeId(after)) return api::InvalidPageToken();
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<v1::Programme>> rows =
        ProgrammeRepository(tx).List(after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (v1::Programme& p : *rows) *resp->add_programmes() = std::move(p);
    if (more) {
      // The repository printed the name, so a failure here is a bug, not bad input.
      absl::StatusOr<std::string> last =
          ParseProgrammeName(resp->programmes(resp->programmes_size() - 1).name(), "name");
      if (!last.ok()) return status::Internal(last.status().ToString());
      resp->set_next_page_token(api::EncodePageToken(kQuery, {*last}));
    }
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoGetProgramme(const grpc::CallContext& call,
                                               const v1::GetProgrammeRequest& req,
                                               v1::Programme* resp) {
  absl::StatusOr<std::string> id = ParseProgrammeName(req.name(), "name");
  if (!id.ok()) return id.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::Programme>> programme = ProgrammeRepository(tx).Find(*id);
    if (!programme.ok()) return programme.status();
    if (!*programme) return ProgrammeNotFound(*id);
    *resp = std::move(**programme);
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoCreateProgramme(const grpc::CallContext& call,
                                                  const v1::CreateProgrammeRequest& req,
                                                  v1::Programme* resp) {
  absl::StatusOr<std::string> id = ParseProgrammeName(req.programme().name(), "programme.name");
  if (!id.ok()) return id.status();
  if (absl::Status st = ValidateProgramme(req.programme(), "programme"); !st.ok()) return st;
  if (absl::Status st =
          access::CheckProgrammeAdmin(auth::Scope::Of(call.caller()), req.programme().lanskod());
      !st.ok()) {
    return st;
  }
  const std::string name = ProgrammeName(*id);
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    const absl::Time now = deps_.clock();
    if (!ProgrammeRepository(tx).Insert(*id, req.programme(), now)) {
      return status::AlreadyExists(kReasonProgrammeExists, absl::StrCat(name, " exists already"),
                                   {{"programme", name}});
    }
    absl::StatusOr<std::optional<v1::Programme>> created = ProgrammeRepository(tx).Find(*id);
    if (!created.ok()) return created.status();
    if (!*created) return status::Internal("inserted programme not found");
    *resp = std::move(**created);
    change.Audit(name, "create");
    return EmitProgrammeChanged(change, *resp, now);
  });
}

absl::Status GrantsServiceImpl::DoUpdateProgramme(const grpc::CallContext& call,
                                                  const v1::UpdateProgrammeRequest& req,
                                                  v1::Programme* resp) {
  absl::StatusOr<std::string> id = ParseProgrammeName(req.programme().name(), "programme.name");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::set<std::string>> paths =
      api::MaskPaths(req.update_mask(), {"display_name", "legal_basis", "description",
                                         "eligible_applicant_types", "required_reports"});
  if (!paths.ok()) return paths.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ProgrammeRepository repo(tx);
    // Who owns the programme (never changed) decides who may change it, before any lock.
    absl::StatusOr<std::optional<v1::Programme>> owner = repo.Find(*id);
    if (!owner.ok()) return owner.status();
    if (!*owner) return ProgrammeNotFound(*id);
    if (absl::Status e =
            access::CheckProgrammeAdmin(auth::Scope::Of(call.caller()), (*owner)->lanskod());
        !e.ok()) {
      return e;
    }
    std::optional<int64_t> revision = repo.Lock(*id);
    if (!revision) return ProgrammeNotFound(*id);
    if (absl::Status e =
            api::CheckEtag(req.programme().etag(), api::EtagOf(*revision), ProgrammeName(*id));
        !e.ok()) {
      return e;
    }
    absl::StatusOr<std::optional<v1::Programme>> current = ProgrammeRepository(tx).Find(*id);
    if (!current.ok()) return current.status();
    if (!*current) return ProgrammeNotFound(*id);
    v1::Programme merged = std::move(**current);
    const v1::Programme& given = req.programme();
    if (paths->count("display_name")) merged.set_display_name(given.display_name());
    if (paths->count("legal_basis")) merged.set_legal_basis(given.legal_basis());
    if (paths->count("description")) merged.set_description(given.description());
    if (paths->count("eligible_applicant_types")) {
      *merged.mutable_eligible_applicant_types() = given.eligible_applicant_types();
    }
    if (paths->count("required_reports")) {
      *merged.mutable_required_reports() = given.required_reports();
    }
    if (absl::Status e = ValidateProgramme(merged, "programme"); !e.ok()) return e;
    const absl::Time now = deps_.clock();
    repo.Update(*id, merged, now);
    absl::StatusOr<std::optional<v1::Programme>> updated = ProgrammeRepository(tx).Find(*id);
    if (!updated.ok()) return updated.status();
    if (!*updated) return ProgrammeNotFound(*id);
    *resp = std::move(**updated);
    change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
    return EmitProgrammeChanged(change, *resp, now);
  });
}

}  // namespace integration::grants
