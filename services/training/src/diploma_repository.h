// Diplomas in PostgreSQL: the facts eligibility needs, storing issued diplomas, reading them
// back as v1::Diploma, revocation. The only code with diploma SQL (sql/queries/diploma_*.sql).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"

namespace integration::training {

// The learner facts diplomas need.
struct DiplomaLearner {
  std::string display_name;  // printed on the diploma
  std::string lanskod;       // county scope of county officers
};

// A diploma ready to store.
struct NewDiploma {
  std::string learner_id;
  v1::DiplomaKind kind = v1::DIPLOMA_KIND_UNSPECIFIED;
  std::string part_id;                // the certified part of a PART certificate, else empty
  std::vector<std::string> part_ids;  // every certified part, in course order
  SignedDiploma signed_diploma;
  absl::Time issue_time;
};

// Works inside the caller's transaction, so that a diploma, its outbox event and its audit
// row commit together. libpqxx exceptions propagate to pg::Pool::Transact, which turns them
// into statuses; a row that cannot be decoded (a corrupt content column) is INTERNAL.
class DiplomaRepository {
 public:
  explicit DiplomaRepository(pqxx::work& tx) : tx_(tx) {}

  std::optional<DiplomaLearner> FindLearner(const std::string& learner_id);
  // Same, locking the learner row until the transaction ends: issuing for one learner is
  // serialised, and each issuer sees the passes the one before it committed (READ COMMITTED
  // takes a fresh snapshot per statement).
  std::optional<DiplomaLearner> LockLearner(const std::string& learner_id);
  // Names of the learner's enrolled parts ("parts/{id}").
  std::vector<std::string> EnrolledParts(const std::string& learner_id);
  // Every part in course order with its published modules in order.
  std::vector<CoursePart> Course();
  // Names of the modules the learner has passed ("parts/{p}/modules/{m}").
  std::set<std::string> PassedModules(const std::string& learner_id);
  // What the learner holds already, revoked or not: (kind, part id or "").
  std::set<std::pair<v1::DiplomaKind, std::string>> IssuedKinds(const std::string& learner_id);

  // Stores the diploma; false when the learner already holds one of that kind and part (a
  // concurrent issue won), in which case nothing was written.
  bool Insert(const NewDiploma& diploma);

  // Newest first.
  absl::StatusOr<std::vector<v1::Diploma>> List(const std::string& learner_id);
  absl::StatusOr<std::optional<v1::Diploma>> Get(const std::string& learner_id,
                                                 const std::string& code);
  // Same, with the row locked until the transaction ends.
  absl::StatusOr<std::optional<v1::Diploma>> GetForUpdate(const std::string& learner_id,
                                                          const std::string& code);
  absl::StatusOr<std::optional<v1::Diploma>> FindByCode(const std::string& code);
  // Marks a valid diploma revoked; false when it was not valid (unknown or already revoked).
  bool Revoke(const std::string& code, const std::string& reason, absl::Time revoke_time);

 private:
  absl::StatusOr<std::optional<v1::Diploma>> One(const pqxx::result& rows);

  pqxx::work& tx_;
};

}  // namespace integration::training
