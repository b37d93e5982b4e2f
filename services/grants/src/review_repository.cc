// Reviews in PostgreSQL: rows to and from v1::Review, and the ranking figures.
#include "review_repository.h"

#include <utility>

#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {

bool ReviewRepository::Exists(int64_t application_id, const std::string& reviewer) {
  return !tx_.exec_prepared("review_exists", application_id, reviewer).empty();
}

int64_t ReviewRepository::Insert(int64_t application_id, const std::string& reviewer,
                                 const v1::Review& review, absl::Time now) {
  v1::Review only_scores;
  *only_scores.mutable_scores() = review.scores();
  pqxx::result r =
      tx_.exec_prepared("review_insert", application_id, reviewer,
                        pqxx::binarystring(only_scores.SerializeAsString()), review.comment(),
                        review.weighted_score_milli(), api::ToMicros(now));
  return r[0]["review_id"].as<int64_t>();
}

bool ReviewRepository::StartReview(int64_t application_id, absl::Time now) {
  return !tx_.exec_prepared("review_start", application_id, api::ToMicros(now)).empty();
}

absl::StatusOr<std::vector<ReviewRow>> ReviewRepository::List(int64_t call_id,
                                                              int64_t application_id,
                                                              int64_t after_id, int limit) {
  pqxx::result r = tx_.exec_prepared("review_list", application_id, after_id, limit);
  std::vector<ReviewRow> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    ReviewRow rr;
    rr.review_id = row["review_id"].as<int64_t>();
    v1::Review& review = rr.review;
    const pqxx::binarystring scores(row["scores"]);
    if (!review.ParseFromArray(scores.data(), static_cast<int>(scores.size()))) {
      return status::Internal("stored review scores are corrupt");
    }
    review.set_name(ChildName(call_id, application_id, "reviews", rr.review_id));
    review.set_reviewer(row["reviewer"].as<std::string>());
    review.set_comment(row["comment"].as<std::string>());
    review.set_weighted_score_milli(row["weighted_score_milli"].as<int32_t>());
    api::SetTimestampMicros(row["create_micros"].as<int64_t>(), review.mutable_create_time());
    out.push_back(std::move(rr));
  }
  return out;
}

std::vector<RankRow> ReviewRepository::RankRows(int64_t call_id) {
  pqxx::result r = tx_.exec_prepared("review_rank", call_id);
  std::vector<RankRow> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    out.push_back(RankRow{.application_id = row["application_id"].as<int64_t>(),
                          .diarienummer = row["diarienummer"].as<std::string>(),
                          .applicant_name = row["applicant_name"].as<std::string>(),
                          .requested_ore = row["requested_ore"].as<int64_t>(),
                          .state = row["state"].as<std::string>(),
                          .review_count = row["review_count"].as<int64_t>(),
                          .score_sum_milli = row["score_sum_milli"].as<int64_t>()});
  }
  return out;
}

}  // namespace integration::grants
