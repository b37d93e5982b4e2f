// Unit tests of review_rules: checking scores against criteria, the weighted score in
// thousandths (round half up, integer arithmetic), mean scores and ranking with ties.
#include "rules/review_rules.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

google::protobuf::RepeatedPtrField<v1::Criterion> Criteria(
    const std::vector<std::pair<std::string, int>>& list) {
  google::protobuf::RepeatedPtrField<v1::Criterion> out;
  for (const auto& [id, weight] : list) {
    v1::Criterion* c = out.Add();
    c->set_id(id);
    c->set_title("T " + id);
    c->set_weight(weight);
  }
  return out;
}

v1::Review ReviewOf(const std::vector<std::pair<std::string, int>>& scores) {
  v1::Review r;
  for (const auto& [id, score] : scores) {
    v1::CriterionScore* s = r.add_scores();
    s->set_criterion_id(id);
    s->set_score(score);
  }
  return r;
}

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  if (bad) {
    for (const auto& v : bad->field_violations()) out.push_back(v.field());
  }
  return out;
}

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

TEST(WeightedScoreMilliTest, WeighsAndRoundsHalfUp) {
  // (4*2 + 3*1) / 3 = 3.6667 -> 3667
  EXPECT_EQ(*WeightedScoreMilli({{4, 2}, {3, 1}}), 3667);
  // (1*1 + 2*1) / 2 = 1.5 -> 1500 exactly
  EXPECT_EQ(*WeightedScoreMilli({{1, 1}, {2, 1}}), 1500);
  // 1000 * (1*1 + 0*1 + 0*1) / 3 = 333.33 -> 333
  EXPECT_EQ(*WeightedScoreMilli({{1, 1}, {0, 1}, {0, 1}}), 333);
  // 1000 * 2 / 3 = 666.67 -> 667
  EXPECT_EQ(*WeightedScoreMilli({{1, 1}, {1, 1}, {0, 1}}), 667);
  // 1000 * 1 / 8 = 125 exactly; 1000 * 1 / 16 = 62.5 -> 63 (half up)
  EXPECT_EQ(*WeightedScoreMilli({{1, 1}, {0, 7}}), 125);
  EXPECT_EQ(*WeightedScoreMilli({{1, 1}, {0, 15}}), 63);
  EXPECT_EQ(*WeightedScoreMilli({{5, 100}, {5, 100}}), 5000);
  EXPECT_EQ(*WeightedScoreMilli({{0, 100}}), 0);
}

TEST(WeightedScoreMilliTest, RejectsOutOfRange) {
  EXPECT_FALSE(WeightedScoreMilli({}).ok());
  EXPECT_FALSE(WeightedScoreMilli({{6, 1}}).ok());
  EXPECT_FALSE(WeightedScoreMilli({{-1, 1}}).ok());
  EXPECT_FALSE(WeightedScoreMilli({{3, 0}}).ok());
  EXPECT_FALSE(WeightedScoreMilli({{3, 101}}).ok());
}

TEST(MeanScoreMilliTest, RoundsHalfUpWithoutReviewsZero) {
  EXPECT_EQ(MeanScoreMilli(0, 0), 0);
  EXPECT_EQ(MeanScoreMilli(7000, 2), 3500);
  EXPECT_EQ(MeanScoreMilli(3001, 2), 1501);  // 1500.5 -> 1501
  EXPECT_EQ(MeanScoreMilli(3000, 3), 1000);
  EXPECT_EQ(MeanScoreMilli(1000, 3), 333);
  EXPECT_EQ(MeanScoreMilli(2000, 3), 667);
}

TEST(CheckReviewTest, ScoresEveryCriterionOnce) {
  auto criteria = Criteria({{"need", 2}, {"quality", 1}});
  absl::StatusOr<int32_t> milli = CheckReview(criteria, ReviewOf({{"quality", 3}, {"need", 4}}));
  ASSERT_TRUE(milli.ok()) << milli.status();
  EXPECT_EQ(*milli, 3667);
}

TEST(CheckReviewTest, NamesUnknownDuplicateAndMissingCriteria) {
  auto criteria = Criteria({{"need", 2}, {"quality", 1}, {"reach", 1}});
  absl::StatusOr<int32_t> r =
      CheckReview(criteria, ReviewOf({{"need", 4}, {"bogus", 3}, {"need", 2}}));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(r.status()), kReasonReviewInvalid);
  const std::vector<std::string> fields = Fields(r.status());
  EXPECT_EQ(fields, (std::vector<std::string>{"review.scores[1].criterion_id",
                                              "review.scores[2].criterion_id", "review.scores",
                                              "review.scores"}));
}

TEST(CheckReviewTest, EmptyCriterionIdAndScoreRange) {
  auto criteria = Criteria({{"need", 2}});
  absl::StatusOr<int32_t> r = CheckReview(criteria, ReviewOf({{"", 3}}));
  EXPECT_EQ(Fields(r.status()),
            (std::vector<std::string>{"review.scores[0].criterion_id", "review.scores"}));
  r = CheckReview(criteria, ReviewOf({{"need", 6}}));
  EXPECT_EQ(Fields(r.status()), (std::vector<std::string>{"review.scores[0].score"}));
  r = CheckReview(criteria, ReviewOf({{"need", -1}}));
  EXPECT_EQ(Fields(r.status()), (std::vector<std::string>{"review.scores[0].score"}));
  EXPECT_EQ(*CheckReview(criteria, ReviewOf({{"need", 0}})), 0);
  EXPECT_EQ(*CheckReview(criteria, ReviewOf({{"need", 5}})), 5000);
}

TEST(CheckReviewTest, CommentLimits) {
  auto criteria = Criteria({{"need", 1}});
  v1::Review review = ReviewOf({{"need", 3}});
  review.set_comment("Bra projekt.\nTydlig plan.");
  EXPECT_TRUE(CheckReview(criteria, review).ok());
  review.set_comment(std::string(kMaxReviewCommentBytes + 1, 'x'));
  EXPECT_EQ(Fields(CheckReview(criteria, review).status()),
            (std::vector<std::string>{"review.comment"}));
  review.set_comment("");
  review.mutable_scores(0)->set_comment(std::string("bad\x01", 4));
  EXPECT_EQ(Fields(CheckReview(criteria, review).status()),
            (std::vector<std::string>{"review.scores[0].comment"}));
}

TEST(CheckReviewTest, CallWithoutCriteriaIsAPrecondition) {
  google::protobuf::RepeatedPtrField<v1::Criterion> none;
  absl::StatusOr<int32_t> r = CheckReview(none, v1::Review());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(r.status()), kReasonCallWithoutCriteria);
}

TEST(RankByScoreTest, BestFirstTiesShareRankUnreviewedLast) {
  const std::vector<RankInput> in = {
      {.application_id = 1, .review_count = 0, .mean_score_milli = 0},
      {.application_id = 2, .review_count = 2, .mean_score_milli = 3500},
      {.application_id = 3, .review_count = 1, .mean_score_milli = 4000},
      {.application_id = 4, .review_count = 3, .mean_score_milli = 3500},
      {.application_id = 5, .review_count = 1, .mean_score_milli = 0},
      {.application_id = 6, .review_count = 0, .mean_score_milli = 0},
      {.application_id = 7, .review_count = 1, .mean_score_milli = 1000},
  };
  const std::vector<RankSlot> out = RankByScore(in);
  ASSERT_EQ(out.size(), in.size());
  std::vector<std::pair<int64_t, int32_t>> got;
  for (const RankSlot& s : out) got.emplace_back(in[s.index].application_id, s.rank);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, int32_t>>{
                     {3, 1}, {2, 2}, {4, 2}, {7, 4}, {5, 5}, {1, 6}, {6, 6}}));
}

TEST(RankByScoreTest, EmptyAndAllTied) {
  EXPECT_TRUE(RankByScore({}).empty());
  const std::vector<RankSlot> out =
      RankByScore({{.application_id = 9, .review_count = 1, .mean_score_milli = 2000},
                   {.application_id = 8, .review_count = 2, .mean_score_milli = 2000}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].index, 1u);  // id 8 before id 9
  EXPECT_EQ(out[0].rank, 1);
  EXPECT_EQ(out[1].rank, 1);
}

}  // namespace
}  // namespace integration::grants
