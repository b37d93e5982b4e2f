// OrientationService participant RPCs: a kommun's officers register its participants (the
// identity number encrypted, found again by its keyed hash) and find them by number; the
// kommun and its county read them. The number is never logged, audited or returned.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "orientation_service.h"
#include "participant_repository.h"
#include "rules/names.h"
#include "rules/offering_rules.h"

namespace integration::orientation {
namespace {

constexpr std::string_view kReasonParticipantNotFound = "PARTICIPANT_NOT_FOUND";
constexpr std::string_view kReasonParticipantExists = "PARTICIPANT_EXISTS";

absl::Status ParticipantNotFound(std::string_view name) {
  return status::NotFound(kReasonParticipantNotFound,
                          absl::StrCat(std::string(name), " does not exist"),
                          {{"participant", std::string(name)}});
}

// The participant `id` names, or NOT_FOUND also when it belongs to another kommun.
absl::StatusOr<ParticipantRecord> FindParticipant(ParticipantRepository& repo,
                                                  const ParticipantId& id) {
  absl::StatusOr<std::optional<ParticipantRecord>> record = repo.Get(id.participant_id);
  if (!record.ok()) return record.status();
  if (!*record || (*record)->kommunkod != id.kommunkod) {
    return ParticipantNotFound(ParticipantName(id.kommunkod, id.participant_id));
  }
  return **std::move(record);
}

}  // namespace

absl::Status OrientationServiceImpl::DoCreateParticipant(const grpc::CallContext& call,
                                                         const v1::CreateParticipantRequest& req,
                                                         v1::Participant* resp) {
  absl::StatusOr<std::string> kommunkod = ParseKommunName(req.parent(), "parent");
  if (!kommunkod.ok()) return kommunkod.status();
  if (absl::Status st = access::CheckParticipantKeeper(auth::Scope::Of(call.caller()), *kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<CheckedParticipant> checked =
      CheckParticipant(req.participant(), Today(), "participant");
  if (!checked.ok()) return checked.status();
  absl::StatusOr<std::string> hash = deps_.protector->LookupKey(checked->pnr);
  if (!hash.ok()) return status::Internal("the look-up key of a personnummer failed");
  // Bound to its hash (associated data), so the cipher cannot be moved to another row.
  absl::StatusOr<std::string> cipher = deps_.protector->Encrypt(checked->pnr, *hash);
  if (!cipher.ok()) return status::Internal("a personnummer could not be encrypted");

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository repo(tx);
    std::optional<int64_t> id = repo.Insert(*kommunkod, *checked, *hash, *cipher, deps_.clock());
    if (!id) {
      std::optional<int64_t> existing = repo.Find(*kommunkod, *hash);
      const std::string name = existing ? ParticipantName(*kommunkod, *existing) : "";
      return status::AlreadyExists(kReasonParticipantExists,
                                   "the kommun has registered this person already",
                                   {{"participant", name}});
    }
    absl::StatusOr<ParticipantRecord> created = FindParticipant(repo, {*kommunkod, *id});
    if (!created.ok()) return created.status();
    *resp = std::move(created->participant);
    change.Audit(resp->name(), "create", v1::PermitType_Name(resp->permit_type()));
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoGetParticipant(const grpc::CallContext& call,
                                                      const v1::GetParticipantRequest& req,
                                                      v1::Participant* resp) {
  absl::StatusOr<ParticipantId> id = ParseParticipantName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckParticipantReader(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository repo(tx);
    absl::StatusOr<ParticipantRecord> record = FindParticipant(repo, *id);
    if (!record.ok()) return record.status();
    *resp = std::move(record->participant);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoListParticipants(const grpc::CallContext& call,
                                                        const v1::ListParticipantsRequest& req,
                                                        v1::ListParticipantsResponse* resp) {
  absl::StatusOr<std::string> kommunkod = ParseKommunName(req.parent(), "parent");
  if (!kommunkod.ok()) return kommunkod.status();
  if (absl::Status st = access::CheckParticipantReader(auth::Scope::Of(call.caller()), *kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListParticipants|", *kommunkod), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<ParticipantRecord>> participants =
        ParticipantRepository(tx).List(*kommunkod, page->after, page->size + 1);
    if (!participants.ok()) return participants.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *participants, [](const ParticipantRecord& p) { return p.participant_id; }));
    for (ParticipantRecord& p : *participants) *resp->add_participants() = std::move(p.participant);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoLookupParticipant(const grpc::CallContext& call,
                                                         const v1::LookupParticipantRequest& req,
                                                         v1::Participant* resp) {
  absl::StatusOr<std::string> kommunkod = ParseKommunName(req.parent(), "parent");
  if (!kommunkod.ok()) return kommunkod.status();
  if (absl::Status st = access::CheckParticipantKeeper(auth::Scope::Of(call.caller()), *kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<se::Personnummer> pnr = se::ParsePersonnummer(req.personnummer(), Today());
  if (!pnr.ok()) return pnr.status();
  absl::StatusOr<std::string> hash = deps_.protector->LookupKey(*pnr);
  if (!hash.ok()) return status::Internal("the look-up key of a personnummer failed");
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository repo(tx);
    std::optional<int64_t> id = repo.Find(*kommunkod, *hash);
    if (!id) {
      return status::NotFound(kReasonParticipantNotFound,
                              "the kommun has no participant with this number");
    }
    absl::StatusOr<ParticipantRecord> record = FindParticipant(repo, {*kommunkod, *id});
    if (!record.ok()) return record.status();
    *resp = std::move(record->participant);
    return absl::OkStatus();
  });
}

}  // namespace integration::orientation
