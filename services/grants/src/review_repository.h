// SQL of reviews: recording an officer's review, listing an application's reviews, moving
// an application to UNDER_REVIEW, and the per-application review figures a ranking needs.
// Runs on the caller's transaction; libpqxx errors propagate to pg::Pool::Transact.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// A stored review with its id (the proto's name is filled in).
struct ReviewRow {
  int64_t review_id = 0;
  v1::Review review;
};

// One rankable application with its reviews' count and sum of weighted scores.
struct RankRow {
  int64_t application_id = 0;
  std::string diarienummer;
  std::string applicant_name;
  int64_t requested_ore = 0;
  std::string state;
  int64_t review_count = 0;
  int64_t score_sum_milli = 0;
};

class ReviewRepository {
 public:
  explicit ReviewRepository(pqxx::work& tx) : tx_(tx) {}

  bool Exists(int64_t application_id, const std::string& reviewer);
  // Inserts the review (scores, comment, weighted score of `review`) and returns its id.
  int64_t Insert(int64_t application_id, const std::string& reviewer, const v1::Review& review,
                 absl::Time now);
  // SUBMITTED → UNDER_REVIEW; false when the application was in another state.
  bool StartReview(int64_t application_id, absl::Time now);
  // Reviews of the application after `after_id`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<ReviewRow>> List(int64_t call_id, int64_t application_id,
                                              int64_t after_id, int limit);
  std::vector<RankRow> RankRows(int64_t call_id);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
