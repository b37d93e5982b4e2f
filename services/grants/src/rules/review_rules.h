// Review rules of the grants service: a county officer's scores checked against the call's
// assessment criteria, the weighted score in thousandths, and the ranking of a call's
// applications by mean score. Pure functions, no I/O; integer arithmetic only, so that a
// ranking never depends on floating-point rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonReviewInvalid = "REVIEW_INVALID";               // 400
inline constexpr std::string_view kReasonReviewExists = "REVIEW_EXISTS";                 // 409
inline constexpr std::string_view kReasonNotReviewable = "APPLICATION_NOT_REVIEWABLE";   // 412
inline constexpr std::string_view kReasonCallWithoutCriteria = "CALL_WITHOUT_CRITERIA";  // 412

inline constexpr int32_t kMinScore = 0;
inline constexpr int32_t kMaxScore = 5;
inline constexpr size_t kMaxReviewCommentBytes = 10000;
inline constexpr size_t kMaxScoreCommentBytes = 4000;

// Checks a review against the call's criteria: exactly one score per criterion (a missing,
// unknown or repeated criterion is a violation on "review.scores[i].criterion_id", a missing
// one on "review.scores"), each score 0-5, comments within their limits. Returns the weighted
// score in thousandths; INVALID_ARGUMENT REVIEW_INVALID with every violation otherwise, and
// FAILED_PRECONDITION CALL_WITHOUT_CRITERIA when the call has no usable criteria.
absl::StatusOr<int32_t> CheckReview(
    const google::protobuf::RepeatedPtrField<v1::Criterion>& criteria, const v1::Review& review);

// One score with the weight of its criterion.
struct WeightedScore {
  int32_t score = 0;   // 0-5
  int32_t weight = 0;  // 1-100
};
// 1000 × Σ(score × weight) / Σ(weight), rounded half up, in 0-5000. INVALID_ARGUMENT when a
// score or weight is out of range or there is nothing to weigh.
absl::StatusOr<int32_t> WeightedScoreMilli(const std::vector<WeightedScore>& scores);

// The mean of `count` weighted scores that sum to `sum_milli`, rounded half up; 0 without
// reviews.
int32_t MeanScoreMilli(int64_t sum_milli, int64_t count);

// An application to rank.
struct RankInput {
  int64_t application_id = 0;
  int64_t review_count = 0;
  int32_t mean_score_milli = 0;
};
// Its place: the index into the input and the 1-based rank.
struct RankSlot {
  size_t index = 0;
  int32_t rank = 0;
};
// Best mean first; reviewed applications before unreviewed ones; equal means share a rank and
// the next rank skips (1, 1, 3: "standard competition ranking"); unreviewed applications share
// the rank after the last reviewed one. Equal places are ordered by application id, so the
// answer is stable.
std::vector<RankSlot> RankByScore(const std::vector<RankInput>& inputs);

}  // namespace integration::grants
