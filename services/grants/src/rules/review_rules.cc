// Review rules: checking scores against criteria, weighted and mean scores, ranking.
#include "rules/review_rules.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

// round_half_up(num / den) for num >= 0, den > 0.
int64_t DivideHalfUp(int64_t num, int64_t den) { return (2 * num + den) / (2 * den); }

bool HasControl(std::string_view text, bool allow_newlines) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<int32_t> WeightedScoreMilli(const std::vector<WeightedScore>& scores) {
  int64_t weighted = 0;
  int64_t weights = 0;
  for (const WeightedScore& s : scores) {
    if (s.score < kMinScore || s.score > kMaxScore) {
      return absl::InvalidArgumentError(absl::StrCat("score ", s.score, " is outside 0-5"));
    }
    if (s.weight < 1 || s.weight > 100) {
      return absl::InvalidArgumentError(absl::StrCat("weight ", s.weight, " is outside 1-100"));
    }
    weighted += int64_t{s.score} * s.weight;
    weights += s.weight;
  }
  if (weights == 0) return absl::InvalidArgumentError("nothing to weigh");
  return static_cast<int32_t>(DivideHalfUp(1000 * weighted, weights));
}

int32_t MeanScoreMilli(int64_t sum_milli, int64_t count) {
  if (count <= 0 || sum_milli <= 0) return 0;
  return static_cast<int32_t>(DivideHalfUp(sum_milli, count));
}

absl::StatusOr<int32_t> CheckReview(
    const google::protobuf::RepeatedPtrField<v1::Criterion>& criteria, const v1::Review& review) {
  std::map<std::string, int32_t> weight_of;
  for (const v1::Criterion& c : criteria) {
    if (c.weight() >= 1 && c.weight() <= 100) weight_of.emplace(c.id(), c.weight());
  }
  if (weight_of.empty() || static_cast<int>(weight_of.size()) != criteria.size()) {
    return status::FailedPrecondition(kReasonCallWithoutCriteria,
                                      "the call has no valid assessment criteria to score");
  }
  status::FieldErrors errors;
  std::set<std::string> seen;
  std::vector<WeightedScore> weighted;
  for (int i = 0; i < review.scores_size(); ++i) {
    const v1::CriterionScore& s = review.scores(i);
    const std::string field = absl::StrCat("review.scores[", i, "]");
    auto it = weight_of.find(s.criterion_id());
    if (s.criterion_id().empty()) {
      errors.Add(absl::StrCat(field, ".criterion_id"),
                 "required: the id of a criterion of the call");
    } else if (it == weight_of.end()) {
      errors.Add(absl::StrCat(field, ".criterion_id"),
                 absl::StrCat("the call has no criterion \"", s.criterion_id(), "\""));
    } else if (!seen.insert(s.criterion_id()).second) {
      errors.Add(absl::StrCat(field, ".criterion_id"),
                 absl::StrCat("criterion \"", s.criterion_id(), "\" is scored twice"));
    }
    if (s.score() < kMinScore || s.score() > kMaxScore) {
      errors.Add(absl::StrCat(field, ".score"), "must be 0-5");
    } else if (it != weight_of.end()) {
      weighted.push_back({s.score(), it->second});
    }
    if (s.comment().size() > kMaxScoreCommentBytes || HasControl(s.comment(), true)) {
      errors.Add(
          absl::StrCat(field, ".comment"),
          absl::StrCat("at most ", kMaxScoreCommentBytes, " bytes without control characters"));
    }
  }
  for (const v1::Criterion& c : criteria) {
    if (seen.count(c.id()) == 0) {
      errors.Add("review.scores",
                 absl::StrCat("criterion \"", c.id(), "\" (", c.title(), ") is not scored"));
    }
  }
  if (review.comment().size() > kMaxReviewCommentBytes || HasControl(review.comment(), true)) {
    errors.Add("review.comment", absl::StrCat("at most ", kMaxReviewCommentBytes,
                                              " bytes without control characters"));
  }
  if (!errors.empty()) return errors.ToStatus(kReasonReviewInvalid);
  // Duplicates were rejected above, so `weighted` now holds each criterion exactly once.
  absl::StatusOr<int32_t> milli = WeightedScoreMilli(weighted);
  if (!milli.ok())
    return status::InvalidField("review.scores", std::string(milli.status().message()),
                                kReasonReviewInvalid);
  return *milli;
}

std::vector<RankSlot> RankByScore(const std::vector<RankInput>& inputs) {
  std::vector<size_t> order(inputs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // The ranking key: reviewed first, then the higher mean; the id only orders equal places.
  auto key = [&](size_t i) {
    const RankInput& in = inputs[i];
    const bool reviewed = in.review_count > 0;
    return std::make_tuple(!reviewed, reviewed ? -int64_t{in.mean_score_milli} : 0);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto ka = key(a);
    const auto kb = key(b);
    if (ka != kb) return ka < kb;
    return inputs[a].application_id < inputs[b].application_id;
  });
  std::vector<RankSlot> out;
  out.reserve(order.size());
  for (size_t pos = 0; pos < order.size(); ++pos) {
    int32_t rank = static_cast<int32_t>(pos + 1);
    if (pos > 0 && key(order[pos]) == key(order[pos - 1])) rank = out.back().rank;
    out.push_back({order[pos], rank});
  }
  return out;
}

}  // namespace integration::grants
