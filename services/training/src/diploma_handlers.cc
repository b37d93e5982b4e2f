// The diploma RPCs of TrainingServiceImpl: list, get, PDF, revoke, public verification and the
// public keys.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "rules/content_rules.h"
#include "diploma.h"
#include "diploma_pdf.h"
#include "diploma_repository.h"
#include "integration/api/change.h"
#include "integration/auth/tenancy.h"
#include "integration/log/log.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "service_util.h"
#include "training_service.h"

namespace integration::training {
namespace {

using google::protobuf::util::TimeUtil;

constexpr std::string_view kReasonLearnerNotFound = "LEARNER_NOT_FOUND";
constexpr std::string_view kReasonDiplomaNotFound = "DIPLOMA_NOT_FOUND";
constexpr std::string_view kReasonDiplomaRevoked = "DIPLOMA_REVOKED";
constexpr std::string_view kReasonAlreadyRevoked = "DIPLOMA_ALREADY_REVOKED";
constexpr std::string_view kReasonRevokeReasonMissing = "REVOKE_REASON_MISSING";
constexpr std::string_view kReasonRevokeReasonTooLong = "REVOKE_REASON_TOO_LONG";
// Shown by VerifyDiploma to anyone: a short explanation, not a case file.
constexpr size_t kMaxRevokeReasonBytes = 1000;

absl::Status LearnerNotFound(const std::string& learner_id) {
  return status::NotFound(kReasonLearnerNotFound,
                          absl::StrCat(LearnerName(learner_id), " has not enrolled"),
                          {{"learner", LearnerName(learner_id)}});
}

absl::Status DiplomaNotFound(const DiplomaRef& ref) {
  const std::string name = DiplomaName(ref.learner_id, ref.code);
  return status::NotFound(kReasonDiplomaNotFound, absl::StrCat("no diploma ", name),
                          {{"diploma", name}});
}

// Reads one diploma of a learner the caller may see.
absl::StatusOr<v1::Diploma> ReadDiploma(pg::Pool& pool, const grpc::CallContext& call,
                                        const DiplomaRef& ref) {
  return pool.TransactFor<v1::Diploma>(
      call.deadline(), [&](pqxx::work& tx) -> absl::StatusOr<v1::Diploma> {
        DiplomaRepository repo(tx);
        const std::optional<DiplomaLearner> learner = repo.FindLearner(ref.learner_id);
        if (!learner.has_value()) return DiplomaNotFound(ref);
        if (absl::Status st = access::CheckCanSeeDiplomas(auth::Scope::Of(call.caller()),
                                                          ref.learner_id, learner->lanskod);
            !st.ok()) {
          return st;
        }
        absl::StatusOr<std::optional<v1::Diploma>> diploma = repo.Get(ref.learner_id, ref.code);
        if (!diploma.ok()) return diploma.status();
        if (!diploma->has_value()) return DiplomaNotFound(ref);
        return **std::move(diploma);
      });
}

}  // namespace

absl::Status TrainingServiceImpl::DoListDiplomas(const grpc::CallContext& call,
                                                 const v1::ListDiplomasRequest& req,
                                                 v1::ListDiplomasResponse* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.parent(), "parent");
  if (!learner_id.ok()) return learner_id.status();
  absl::StatusOr<std::vector<v1::Diploma>> diplomas =
      deps_.pool.TransactFor<std::vector<v1::Diploma>>(
          call.deadline(), [&](pqxx::work& tx) -> absl::StatusOr<std::vector<v1::Diploma>> {
            DiplomaRepository repo(tx);
            const std::optional<DiplomaLearner> learner = repo.FindLearner(*learner_id);
            if (!learner.has_value()) return LearnerNotFound(*learner_id);
            if (absl::Status st = access::CheckCanSeeDiplomas(auth::Scope::Of(call.caller()),
                                                              *learner_id, learner->lanskod);
                !st.ok()) {
              return st;
            }
            return repo.List(*learner_id);
          });
  if (!diplomas.ok()) return diplomas.status();
  for (v1::Diploma& d : *diplomas) *resp->add_diplomas() = std::move(d);
  return absl::OkStatus();
}

absl::Status TrainingServiceImpl::DoGetDiploma(const grpc::CallContext& call,
                                               const v1::GetDiplomaRequest& req,
                                               v1::Diploma* resp) {
  absl::StatusOr<DiplomaRef> ref = ParseDiplomaName(req.name(), "name");
  if (ref.ok()) ResolveSelf(call, ref->learner_id);
  if (!ref.ok()) return ref.status();
  absl::StatusOr<v1::Diploma> diploma = ReadDiploma(deps_.pool, call, *ref);
  if (!diploma.ok()) return diploma.status();
  *resp = *std::move(diploma);
  return absl::OkStatus();
}

absl::Status TrainingServiceImpl::DoRenderDiplomaPdf(const grpc::CallContext& call,
                                                     const v1::RenderDiplomaPdfRequest& req,
                                                     v1::RenderDiplomaPdfResponse* resp) {
  absl::StatusOr<DiplomaRef> ref = ParseDiplomaName(req.name(), "name");
  if (ref.ok()) ResolveSelf(call, ref->learner_id);
  if (!ref.ok()) return ref.status();
  absl::StatusOr<v1::Diploma> diploma = ReadDiploma(deps_.pool, call, *ref);
  if (!diploma.ok()) return diploma.status();
  // A printed diploma carries no state: printing a revoked one would make a valid-looking
  // document of a withdrawn decision.
  if (diploma->state() == v1::DIPLOMA_STATE_REVOKED) {
    return status::FailedPrecondition(kReasonDiplomaRevoked,
                                      absl::StrCat(diploma->name(), " has been revoked"),
                                      {{"diploma", diploma->name()}});
  }
  // Rendered outside the transaction: no connection is held while cairo works.
  absl::StatusOr<std::string> pdf = training::RenderDiplomaPdf(diploma->content(), deps_.pdf);
  if (!pdf.ok()) return pdf.status();
  resp->set_content_type("application/pdf");
  resp->set_data(*std::move(pdf));
  return absl::OkStatus();
}

absl::Status TrainingServiceImpl::DoRevokeDiploma(const grpc::CallContext& call,
                                                  const v1::RevokeDiplomaRequest& req,
                                                  v1::Diploma* resp) {
  absl::StatusOr<DiplomaRef> ref = ParseDiplomaName(req.name(), "name");
  if (ref.ok()) ResolveSelf(call, ref->learner_id);
  if (!ref.ok()) return ref.status();
  const std::string reason(absl::StripAsciiWhitespace(req.reason()));
  if (reason.empty()) {
    return status::InvalidField("reason", "say why the diploma is revoked (shown when verified)",
                                kReasonRevokeReasonMissing);
  }
  if (reason.size() > kMaxRevokeReasonBytes) {
    return status::InvalidField("reason", absl::StrCat("at most ", kMaxRevokeReasonBytes, " bytes"),
                                kReasonRevokeReasonTooLong);
  }
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  // Only an admin of the learner's county, checked before a retry may replay the first answer.
  std::string learner_lanskod;
  auto authorize = [&](pqxx::work& tx) -> absl::Status {
    const std::optional<DiplomaLearner> learner =
        DiplomaRepository(tx).FindLearner(ref->learner_id);
    if (!learner.has_value()) return DiplomaNotFound(*ref);
    learner_lanskod = learner->lanskod;
    return access::CheckCanRevokeDiploma(auth::Scope::Of(call.caller()), learner->lanskod);
  };
  return change.Run(authorize, [&](pqxx::work& tx) -> absl::Status {
    DiplomaRepository repo(tx);
    absl::StatusOr<std::optional<v1::Diploma>> current =
        repo.GetForUpdate(ref->learner_id, ref->code);
    if (!current.ok()) return current.status();
    if (!current->has_value()) return DiplomaNotFound(*ref);
    const v1::Diploma& diploma = **current;
    if (diploma.state() == v1::DIPLOMA_STATE_REVOKED) {
      return status::FailedPrecondition(
          kReasonAlreadyRevoked,
          absl::StrCat(diploma.name(), " was already revoked at ",
                       TimeUtil::ToString(diploma.revoke_time())),
          {{"diploma", diploma.name()},
           {"revoke_time", TimeUtil::ToString(diploma.revoke_time())}});
    }
    if (!repo.Revoke(ref->code, reason, now)) {
      return status::Internal(absl::StrCat(diploma.name(), ": locked valid row not updated"));
    }
    v1::DiplomaRevokedEvent event;
    event.set_diploma(diploma.name());
    event.set_learner(LearnerName(ref->learner_id));
    event.set_kind(diploma.content().kind());
    *event.mutable_revoke_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
    if (absl::Status st = change.Emit(diploma.name(), event,
                                      access::LearnerOwner(ref->learner_id, learner_lanskod));
        !st.ok()) {
      return st;
    }
    // The reason is free text that may name people: it stays in the diploma row only.
    change.Audit(diploma.name(), "revoke",
                 diploma.content().kind() == v1::DIPLOMA_KIND_COURSE ? "kind=course" : "kind=part");
    absl::StatusOr<std::optional<v1::Diploma>> after = repo.Get(ref->learner_id, ref->code);
    if (!after.ok()) return after.status();
    if (!after->has_value()) return DiplomaNotFound(*ref);
    *resp = **std::move(after);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoVerifyDiploma(const grpc::CallContext& call,
                                                  const v1::VerifyDiplomaRequest& req,
                                                  v1::VerifyDiplomaResponse* resp) {
  // Malformed input is the caller's typo (INVALID_ARGUMENT naming "code"); a well-formed code
  // that matches nothing is an answer (UNKNOWN).
  absl::StatusOr<std::string> code = NormalizeCode(req.code(), "code");
  if (!code.ok()) return code.status();
  absl::StatusOr<std::optional<v1::Diploma>> found =
      deps_.pool.TransactFor<std::optional<v1::Diploma>>(
          call.deadline(), [&](pqxx::work& tx) { return DiplomaRepository(tx).FindByCode(*code); });
  if (!found.ok()) return found.status();
  resp->set_verdict(v1::VERDICT_UNKNOWN);
  if (!found->has_value()) return absl::OkStatus();
  const v1::Diploma& diploma = **found;

  // Never vouch for a row on the database's word alone: the stored text must be the content's
  // canonical text and carry a good signature of a key we publish.
  const std::string& key_id = diploma.content().key_id();
  const DiplomaVerifyKey* key = nullptr;
  if (deps_.signer->key_id() == key_id) key = &deps_.signer->verify_key();
  for (const DiplomaVerifyKey& previous : deps_.previous_keys) {
    if (key == nullptr && previous.key_id() == key_id) key = &previous;
  }
  absl::Status verified =
      key == nullptr ? absl::NotFoundError(absl::StrCat("no published key has id ", key_id))
                     : key->VerifyContent(diploma.content(), diploma.signature());
  if (verified.ok()) {
    absl::StatusOr<std::string> text = CanonicalText(diploma.content());
    if (!text.ok() || *text != diploma.signed_text()) {
      verified = absl::DataLossError("stored signed_text differs from the canonical text");
    }
  }
  if (!verified.ok()) {
    // An operator must look at this row (tampering, or a signing key dropped from the
    // published ones); the caller learns only that the code cannot be confirmed.
    log::Error("diploma_verification_failed", {{"diploma", diploma.name()},
                                               {"key_id", key_id},
                                               {"error", std::string(verified.message())}});
    return absl::OkStatus();
  }

  *resp->mutable_content() = diploma.content();
  resp->set_signature(diploma.signature());
  resp->set_signed_text(diploma.signed_text());
  if (diploma.state() == v1::DIPLOMA_STATE_REVOKED) {
    resp->set_verdict(v1::VERDICT_REVOKED);
    resp->set_revoke_reason(diploma.revoke_reason());
    *resp->mutable_revoke_time() = diploma.revoke_time();
  } else {
    resp->set_verdict(v1::VERDICT_VALID);
  }
  return absl::OkStatus();
}

absl::Status TrainingServiceImpl::DoGetDiplomaPublicKey(const grpc::CallContext& /*call*/,
                                                        const v1::GetDiplomaPublicKeyRequest&,
                                                        v1::GetDiplomaPublicKeyResponse* resp) {
  *resp->add_keys() = deps_.signer->verify_key().ToProto();
  for (const DiplomaVerifyKey& key : deps_.previous_keys) *resp->add_keys() = key.ToProto();
  return absl::OkStatus();
}

}  // namespace integration::training
