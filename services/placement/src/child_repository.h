// Children in PostgreSQL: the arrival, the assignment, the locks that serialise assignments,
// the standings of an allocation key and the access log of reads. Used inside a pg::Pool
// transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"
#include "rules/arrival_rules.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// A child as stored. The proto has no dossier number: the handler decrypts `dossier_cipher`.
struct ChildRecord {
  int64_t child_id = 0;
  int64_t revision = 0;
  std::string dossier_hash;
  std::string dossier_cipher;
  v1::Child child;
};

// What is written for a new child besides the checked arrival.
struct NewChild {
  const CheckedArrival* arrival = nullptr;
  std::string dossier_hash;
  std::string dossier_cipher;
};

// The child's columns a change needs, read under its row lock.
struct LockedChild {
  int64_t revision = 0;
  std::string lanskod;
  std::string sibling_group;
};

// A state as the children table stores it ("WAITING", "ASSIGNED"); "" for UNSPECIFIED and
// values the proto does not define.
std::string StoredState(v1::ChildState state);

// Which children a list holds; empty strings match all.
struct ChildFilter {
  std::string lanskod;
  std::string kommunkod;
  std::string state;  // "WAITING", "ASSIGNED"
};

class ChildRepository {
 public:
  explicit ChildRepository(pqxx::work& tx) : tx_(tx) {}

  // The child reported with the dossier number of this keyed hash.
  std::optional<int64_t> FindByDossier(std::string_view dossier_hash);
  // The new child's id, WAITING; nullopt when the dossier number was reported already.
  std::optional<int64_t> Insert(const NewChild& child, absl::Time now);
  absl::StatusOr<std::optional<ChildRecord>> Get(int64_t child_id);
  std::optional<LockedChild> Lock(int64_t child_id);
  // Children by id after `after_id`, at most `limit`.
  absl::StatusOr<std::vector<ChildRecord>> List(const ChildFilter& filter, int64_t after_id,
                                                int limit);

  // Writes the child's assignment; `lanskod` is the assigned kommun's county.
  void SetAssignment(int64_t child_id, const v1::Assignment& assignment, std::string_view lanskod,
                     absl::Time now);
  // The first assigned sibling of `group` other than `child_id`: its id and kommun.
  std::optional<std::pair<int64_t, std::string>> AssignedSibling(std::string_view group,
                                                                 int64_t child_id);
  // Locks the assigned siblings of `group` other than `child_id`; their ids.
  std::vector<int64_t> LockAssignedSiblings(std::string_view group, int64_t child_id);

  // Waits for and takes the transaction's lock on the standings named `what`
  // ("county:03", "siblings:<group>").
  void LockStandings(std::string_view what);
  // Children assigned per kommun of county `lanskod` that arrived on or after `since`.
  std::map<std::string, int64_t> AssignedSince(std::string_view lanskod, absl::CivilDay since);

  // --- The access log ---
  void LogRead(int64_t child_id, std::string_view actor, std::string_view role,
               std::string_view purpose, absl::Time now);
  // Reads of the child by read id after `after_id`, at most `limit`, with their ids.
  std::vector<std::pair<int64_t, v1::ChildRead>> ListReads(int64_t child_id, int64_t after_id,
                                                           int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
