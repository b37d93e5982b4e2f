// Participants in PostgreSQL: registered by the keyed hash of their LMA number (never the
// number), listed with their attendance. Used inside a pg::Pool transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/early_measures/v1/resources.pb.h"

namespace integration::early_measures {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;

struct ParticipantRecord {
  int64_t participant_id = 0;
  v1::Participant participant;  // lma_number never set
};

class ParticipantRepository {
 public:
  explicit ParticipantRepository(pqxx::work& tx) : tx_(tx) {}

  // The organisation's participant with LMA key `lma_key`, registered now with `sex` and
  // `birth_year` unless it was already; its id.
  int64_t FindOrInsert(std::string_view orgnr, std::string_view lma_key,
                       const v1::Participant& participant, absl::Time now);
  // Participants of the organisation after `after_id`, at most `limit`, with attendance; the
  // age band of `year`.
  absl::StatusOr<std::vector<ParticipantRecord>> List(std::string_view orgnr, int64_t after_id,
                                                      int limit, int year);
  // Exactly those of `ids` that belong to the organisation.
  absl::StatusOr<std::vector<ParticipantRecord>> Of(std::string_view orgnr,
                                                    const std::vector<int64_t>& ids, int year);

 private:
  absl::StatusOr<std::vector<ParticipantRecord>> Read(const pqxx::result& r,
                                                      std::string_view orgnr, int year);
  pqxx::work& tx_;
};

}  // namespace integration::early_measures
