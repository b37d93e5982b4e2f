// OrientationService certificate RPCs: a kommun's officers issue the signed certificate of a
// completed enrolment; anyone reads the public key that verifies it.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "certificate.h"
#include "integration/api/change.h"
#include "integration/auth/tenancy.h"
#include "integration/dates/day.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "offering_repository.h"
#include "orientation_service.h"
#include "participant_repository.h"
#include "rules/certificate.h"
#include "rules/names.h"

namespace integration::orientation {
namespace {

constexpr size_t kMaxHolderNameBytes = 200;

}  // namespace

absl::Status OrientationServiceImpl::DoIssueCompletionCertificate(
    const grpc::CallContext& call, const v1::IssueCompletionCertificateRequest& req,
    v1::CompletionCertificate* resp) {
  absl::StatusOr<EnrolmentId> id = ParseEnrolmentName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckParticipantKeeper(auth::Scope::Of(call.caller()), id->participant.kommunkod);
      !st.ok()) {
    return st;
  }
  if (req.holder_name().empty() || req.holder_name().size() > kMaxHolderNameBytes) {
    return status::InvalidField("holder_name", absl::StrCat("the name on the certificate, 1-",
                                                            kMaxHolderNameBytes, " bytes"));
  }
  absl::StatusOr<se::Kommun> kommun = se::LookupKommun(id->participant.kommunkod);
  if (!kommun.ok()) return kommun.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository participants(tx);
    absl::StatusOr<std::optional<EnrolmentRecord>> record =
        participants.GetEnrolment(id->enrolment_id);
    if (!record.ok()) return record.status();
    if (!*record || (*record)->enrolment.name() != req.name()) {
      return status::NotFound("ENROLMENT_NOT_FOUND", absl::StrCat(req.name(), " does not exist"),
                              {{"enrolment", req.name()}});
    }
    absl::StatusOr<Progress> progress = participants.LoadProgress(id->enrolment_id);
    if (!progress.ok()) return progress.status();
    if (!progress->completed()) {
      return status::FailedPrecondition(
          kReasonNotCompleted,
          absl::StrCat(req.name(), " has ", progress->attended_minutes,
                       " minutes; a certificate needs 100 hours and all eight themes"));
    }
    absl::StatusOr<std::optional<OfferingRecord>> offering =
        OfferingRepository(tx).Get((*record)->offering_id);
    if (!offering.ok()) return offering.status();
    if (!*offering) return status::Internal("an enrolment's offering is missing");

    v1::CertificateContent content;
    content.set_enrolment(req.name());
    content.set_holder_name(req.holder_name());
    content.set_kommunkod(id->participant.kommunkod);
    content.set_language((*offering)->offering.language());
    for (const v1::ThemeMinutes& t : progress->ThemeList()) content.add_themes(t.theme());
    content.set_attended_minutes(progress->attended_minutes);
    *content.mutable_completion_date() = dates::DateOf(*progress->completion_date);
    *content.mutable_issue_date() = dates::DateOf(Today());
    content.set_issuer(absl::StrCat(kommun->name, " kommun"));
    absl::StatusOr<v1::CompletionCertificate> certificate =
        IssueCertificate(std::move(content), *deps_.certificate_signer);
    if (!certificate.ok()) return certificate.status();
    *resp = *std::move(certificate);
    change.Audit(req.name(), "issueCertificate", resp->content().key_id());
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoGetCertificatePublicKey(
    const grpc::CallContext&, const v1::GetCertificatePublicKeyRequest&,
    v1::CertificatePublicKey* resp) {
  const document::VerifyKey& key = deps_.certificate_signer->verify_key();
  resp->set_key_id(key.key_id());
  resp->set_algorithm("Ed25519");
  resp->set_public_key_pem(key.PublicKeyPem());
  return absl::OkStatus();
}

}  // namespace integration::orientation
