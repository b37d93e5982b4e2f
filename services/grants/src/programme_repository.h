// Programmes in PostgreSQL: find, insert, lock, update and list, read in the columns of the
// programme_row view. Used inside a pg::Pool transaction; libpqxx exceptions propagate to
// Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// NOT_FOUND PROGRAMME_NOT_FOUND.
absl::Status ProgrammeNotFound(std::string_view programme_id);

// Reads a row with the columns of programme_row (by name) into its proto.
absl::StatusOr<v1::Programme> ProgrammeFromRow(const pqxx::row& row);

class ProgrammeRepository {
 public:
  explicit ProgrammeRepository(pqxx::work& tx) : tx_(tx) {}

  // The programme, or nullopt.
  absl::StatusOr<std::optional<v1::Programme>> Find(std::string_view programme_id);

  // False when the id is taken.
  bool Insert(std::string_view programme_id, const v1::Programme& programme, absl::Time now);
  // Locks the row; its revision, or nullopt when there is no such programme.
  std::optional<int64_t> Lock(std::string_view programme_id);
  // Writes the administrator's fields and moves the revision on.
  void Update(std::string_view programme_id, const v1::Programme& programme, absl::Time now);
  // Programmes by id after `after_id` ("" = from the first), at most `limit`.
  absl::StatusOr<std::vector<v1::Programme>> List(std::string_view after_id, int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
