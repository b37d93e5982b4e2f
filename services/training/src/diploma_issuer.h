// Issuing the diplomas and part certificates a learner has become due, inside the transaction
// that changed the learner's progress (called by SubmitAttempt after a module is passed).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "integration/api/change.h"

namespace integration::training {

// How diplomas are issued: the key to sign with, the time and the issuer.
struct DiplomaIssueContext {
  std::shared_ptr<const DiplomaSigner> signer;  // required
  std::function<absl::Time()> clock;            // empty: absl::Now
  std::string issuer = "Länsstyrelsen";         // printed on and signed into the diploma
};

// Issues, through `tx` of `change` (the call that made them due), every diploma `learner_id`
// (the id of "learners/{id}") is due and does not have yet: DueDiplomas over the published
// modules of the whole course, the learner's enrolled parts and passed modules. Each new
// diploma gets a fresh code, is signed with ctx.signer, stored, announced by a
// DiplomaIssuedEvent and audited ("diploma.issue"). The learner row is locked first, so concurrent
// calls for one learner run one after the other and the later one sees the earlier one's passes and
// diplomas (with READ COMMITTED, the isolation of the caller's transaction); a unique index on
// learner, kind and part with ON CONFLICT DO NOTHING backs this up. A revoked diploma is not issued
// again. Calling it again with nothing new due does nothing. NOT_FOUND for an unknown learner;
// INVALID_ARGUMENT without a signer. Database errors propagate as libpqxx exceptions to
// pg::Pool::Transact, like every statement on `tx`.
absl::Status IssueDueDiplomas(api::Change& change, pqxx::work& tx, const std::string& learner_id,
                              const DiplomaIssueContext& ctx);

}  // namespace integration::training
