// Participants, enrolments and attendance in PostgreSQL: the SQL of sql/queries/participant_*,
// enrolment_* and attendance_*. The identity number arrives here only encrypted and hashed.
// Used inside a pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"
#include "rules/offering_rules.h"
#include "rules/progress.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

struct ParticipantRecord {
  int64_t participant_id = 0;
  std::string kommunkod;
  // The facts the eligibility check reads, beside the proto.
  absl::CivilDay birth_date;
  absl::CivilDay registration_date;
  absl::CivilDay first_registration_date;
  v1::Participant participant;
};

struct EnrolmentRecord {
  int64_t enrolment_id = 0;
  int64_t participant_id = 0;
  int64_t offering_id = 0;
  std::string kommunkod;
  v1::Enrolment enrolment;  // without its progress (LoadProgress)
};

struct LockedEnrolment {
  int64_t participant_id = 0;
  int64_t offering_id = 0;
  std::string kommunkod;
  v1::Enrolment::State state = v1::Enrolment::STATE_UNSPECIFIED;
};

// What CreateEnrolment writes.
struct NewEnrolment {
  int64_t participant_id = 0;
  int64_t offering_id = 0;
  std::string kommunkod;
  absl::CivilDay enrol_date;
  std::string exception_reason;
  std::vector<v1::IneligibilityReason> overridden;
};

class ParticipantRepository {
 public:
  explicit ParticipantRepository(pqxx::work& tx) : tx_(tx) {}

  // The new participant's id, or nullopt when the kommun has the number (hash) already.
  std::optional<int64_t> Insert(std::string_view kommunkod, const CheckedParticipant& checked,
                                std::string_view pnr_hash, std::string_view pnr_cipher,
                                absl::Time now);
  std::optional<int64_t> Find(std::string_view kommunkod, std::string_view pnr_hash);
  absl::StatusOr<std::optional<ParticipantRecord>> Get(int64_t participant_id);
  absl::StatusOr<std::vector<ParticipantRecord>> List(std::string_view kommunkod, int64_t after_id,
                                                      int limit);

  // The new enrolment's id, or nullopt when the participant is in the offering already.
  std::optional<int64_t> InsertEnrolment(const NewEnrolment& enrolment, absl::Time now);
  absl::StatusOr<std::optional<EnrolmentRecord>> GetEnrolment(int64_t enrolment_id);
  absl::StatusOr<std::vector<EnrolmentRecord>> ListEnrolments(int64_t participant_id,
                                                              int64_t after_id, int limit);
  absl::StatusOr<std::optional<LockedEnrolment>> LockEnrolment(int64_t enrolment_id);
  // The enrolment's attendance lines with their sessions, added up (rules/progress.h).
  absl::StatusOr<Progress> LoadProgress(int64_t enrolment_id);
  void SetProgress(int64_t enrolment_id, const Progress& progress, absl::Time now);
  void RecordAttendance(int64_t session_id, int64_t enrolment_id, v1::AttendanceStatus status,
                        std::string_view recorded_by, absl::Time now);

 private:
  pqxx::work& tx_;
};

// Writes `progress` into `enrolment` (state, minutes, themes, start and completion dates).
void ApplyProgress(const Progress& progress, v1::Enrolment& enrolment);

}  // namespace integration::orientation
