// EarlyMeasuresService participant RPCs: an organisation registers its participants by LMA
// number, which is turned into a keyed hash at once and never stored, logged or returned.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "early_measures_service.h"
#include "integration/api/change.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/se/lma_number.h"
#include "integration/status/status.h"
#include "participant_repository.h"
#include "rules/names.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {

absl::Status EarlyMeasuresServiceImpl::DoRegisterParticipant(
    const grpc::CallContext& call, const v1::RegisterParticipantRequest& req,
    v1::Participant* resp) {
  absl::StatusOr<std::string> orgnr = ParseOrganisationName(req.parent(), "parent");
  if (!orgnr.ok()) return orgnr.status();
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), *orgnr);
      !st.ok()) {
    return st;
  }
  const int year = ThisYear();
  if (absl::Status st = CheckParticipant(req.participant(), year, "participant"); !st.ok()) {
    return st;
  }
  absl::StatusOr<se::LmaNumber> lma =
      se::ParseLmaNumber(req.participant().lma_number(), "participant.lma_number");
  if (!lma.ok()) return lma.status();
  absl::StatusOr<std::string> key = deps_.protector->LmaLookupKey(*lma);
  if (!key.ok()) return key.status();

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository repo(tx);
    const int64_t id = repo.FindOrInsert(*orgnr, *key, req.participant(), deps_.clock());
    absl::StatusOr<std::vector<ParticipantRecord>> found = repo.Of(*orgnr, {id}, year);
    if (!found.ok()) return found.status();
    if (found->size() != 1) return status::Internal("registered participant not found");
    *resp = std::move(found->front().participant);
    change.Audit(resp->name(), "register");
    return absl::OkStatus();
  });
}

absl::Status EarlyMeasuresServiceImpl::DoListParticipants(const grpc::CallContext& call,
                                                          const v1::ListParticipantsRequest& req,
                                                          v1::ListParticipantsResponse* resp) {
  absl::StatusOr<std::string> orgnr = ParseOrganisationName(req.parent(), "parent");
  if (!orgnr.ok()) return orgnr.status();
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), *orgnr);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListParticipants|", *orgnr), *size, req.page_token());
  if (!page.ok()) return page.status();
  const int year = ThisYear();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<ParticipantRecord>> list =
        ParticipantRepository(tx).List(*orgnr, page->after, page->size + 1, year);
    if (!list.ok()) return list.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *list, [](const ParticipantRecord& p) { return p.participant_id; }));
    for (ParticipantRecord& p : *list) *resp->add_participants() = std::move(p.participant);
    return absl::OkStatus();
  });
}

}  // namespace integration::early_measures
