// Integration tests of the review RPCs against a real PostgreSQL: CreateReview (weighted
// score, SUBMITTED -> UNDER_REVIEW, one review per officer also under concurrency, rejections,
// request_id replays), ListReviews and RankApplications (ties share a rank, unreviewed last).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"

namespace integration::grants::testing {
namespace {

std::string AppName(int64_t call_id, int64_t app_id) {
  return absl::StrCat("calls/", call_id, "/applications/", app_id);
}

v1::CreateReviewRequest ReviewRequest(const std::string& parent, int need, int quality,
                                      const std::string& request_id = "") {
  v1::CreateReviewRequest req;
  req.set_parent(parent);
  v1::CriterionScore* s = req.mutable_review()->add_scores();
  s->set_criterion_id("need");
  s->set_score(need);
  s->set_comment("Stort behov i kommunen");
  s = req.mutable_review()->add_scores();
  s->set_criterion_id("quality");
  s->set_score(quality);
  req.mutable_review()->set_comment("Genomtänkt projekt");
  req.set_request_id(request_id);
  return req;
}

class ReviewTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
    call_id_ = env().SeedCall();  // criteria need (weight 2), quality (weight 1)
  }

  int64_t Seed(const std::string& state = "SUBMITTED", const std::string& outcome = "",
               int64_t approved = 0) {
    SeedApplicationSpec spec;
    spec.call_id = call_id_;
    spec.state = state;
    spec.decision_outcome = outcome;
    spec.approved_ore = approved;
    return env().SeedApplication(spec);
  }

  ::grpc::Status Review(const std::string& officer, const v1::CreateReviewRequest& req,
                        v1::Review* out) {
    return env().Call(&Stub::CreateReview, env().OfficerToken(officer), req, out);
  }

  std::string StateOf(int64_t app_id) {
    return env()
        .Query(absl::StrCat("SELECT state FROM applications WHERE application_id = ", app_id))[0][0]
        .as<std::string>();
  }

  int64_t call_id_ = 0;
};

TEST_F(ReviewTest, FirstReviewScoresAndMovesToUnderReview) {
  const int64_t app = Seed();
  v1::Review review;
  ::grpc::Status st = Review("officer-1", ReviewRequest(AppName(call_id_, app), 4, 3), &review);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(review.name(), absl::StrCat(AppName(call_id_, app), "/reviews/1"));
  EXPECT_EQ(review.reviewer(), env().Subject("officer-1"));
  EXPECT_EQ(review.weighted_score_milli(), 3667);  // (4*2 + 3*1) / 3 = 3.6667
  ASSERT_EQ(review.scores_size(), 2);
  EXPECT_EQ(review.scores(0).comment(), "Stort behov i kommunen");
  EXPECT_EQ(review.comment(), "Genomtänkt projekt");
  EXPECT_TRUE(review.has_create_time());
  EXPECT_EQ(StateOf(app), "UNDER_REVIEW");
  EXPECT_EQ(
      env().Count(absl::StrCat("SELECT revision FROM applications WHERE application_id = ", app)),
      2);
  EXPECT_EQ(
      env().Count(absl::StrCat("SELECT count(*) FROM audit_log WHERE action = "
                               "'review.create' AND resource = '",
                               review.name(), "' AND actor = '", env().Subject("officer-1"), "'")),
      1);

  // A second officer's review leaves the state and revision alone.
  v1::Review second;
  st = Review("officer-2", ReviewRequest(AppName(call_id_, app), 5, 5), &second);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(second.weighted_score_milli(), 5000);
  EXPECT_EQ(StateOf(app), "UNDER_REVIEW");
  EXPECT_EQ(
      env().Count(absl::StrCat("SELECT revision FROM applications WHERE application_id = ", app)),
      2);

  v1::ListReviewsRequest list;
  list.set_parent(AppName(call_id_, app));
  v1::ListReviewsResponse listed;
  st = env().Call(&Stub::ListReviews, env().OfficerToken("officer-3"), list, &listed);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(listed.reviews_size(), 2);
  EXPECT_EQ(listed.reviews(0).reviewer(), env().Subject("officer-1"));
  EXPECT_EQ(listed.reviews(0).weighted_score_milli(), 3667);
  EXPECT_EQ(listed.reviews(0).scores(0).criterion_id(), "need");
  EXPECT_EQ(listed.reviews(1).reviewer(), env().Subject("officer-2"));
  EXPECT_TRUE(listed.next_page_token().empty());
}

TEST_F(ReviewTest, OneReviewPerOfficer) {
  const int64_t app = Seed();
  v1::Review review;
  ASSERT_TRUE(Review("officer-1", ReviewRequest(AppName(call_id_, app), 1, 1), &review).ok());
  ::grpc::Status st = Review("officer-1", ReviewRequest(AppName(call_id_, app), 2, 2), &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "REVIEW_EXISTS");
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 1);
}

TEST_F(ReviewTest, ConcurrentReviewsOfOneOfficerKeepOne) {
  const int64_t app = Seed();
  std::atomic<int> ok{0};
  std::atomic<int> exists{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::Review out;
      ::grpc::Status st =
          Review("officer-1", ReviewRequest(AppName(call_id_, app), i % 6, 2), &out);
      if (st.ok()) ++ok;
      if (ReasonOf(st) == "REVIEW_EXISTS") ++exists;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(exists.load(), 7);
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 1);
}

TEST_F(ReviewTest, RequestIdReplaysTheFirstResponse) {
  const int64_t app = Seed();
  const std::string id = "0b7f3a8e-5a51-4d0f-9d6e-6c1f2a3b4c5d";
  v1::Review first;
  v1::Review again;
  ASSERT_TRUE(Review("officer-1", ReviewRequest(AppName(call_id_, app), 3, 3, id), &first).ok());
  ::grpc::Status st = Review("officer-1", ReviewRequest(AppName(call_id_, app), 3, 3, id), &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.weighted_score_milli(), first.weighted_score_milli());
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 1);
  st = Review("officer-1", ReviewRequest(AppName(call_id_, app), 4, 3, id), &again);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
}

TEST_F(ReviewTest, OnlySubmittedOrUnderReviewApplicationsAreReviewed) {
  for (const auto& [state, outcome] : std::vector<std::pair<std::string, std::string>>{
           {"DRAFT", ""}, {"WITHDRAWN", ""}, {"DECIDED", "REJECTED"}}) {
    const int64_t app = Seed(state, outcome);
    v1::Review review;
    ::grpc::Status st = Review("officer-1", ReviewRequest(AppName(call_id_, app), 3, 3), &review);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << state;
    EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_REVIEWABLE") << state;
    EXPECT_EQ(MetadataOf(st)["state"], state);
    EXPECT_EQ(StateOf(app), state);
  }
  const int64_t under_review = Seed("UNDER_REVIEW");
  v1::Review review;
  EXPECT_TRUE(
      Review("officer-1", ReviewRequest(AppName(call_id_, under_review), 3, 3), &review).ok());
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 1);
}

TEST_F(ReviewTest, ScoresMustMatchTheCriteria) {
  const int64_t app = Seed();
  v1::Review review;
  // Unknown and duplicate criteria, a score out of range, a missing criterion.
  v1::CreateReviewRequest req = ReviewRequest(AppName(call_id_, app), 3, 3);
  req.mutable_review()->mutable_scores(1)->set_criterion_id("reach");
  v1::CriterionScore* dup = req.mutable_review()->add_scores();
  dup->set_criterion_id("need");
  dup->set_score(9);
  ::grpc::Status st = Review("officer-1", req, &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "REVIEW_INVALID");
  EXPECT_EQ(
      ViolationFieldsOf(st),
      (std::vector<std::string>{"review.scores[1].criterion_id", "review.scores[2].criterion_id",
                                "review.scores[2].score", "review.scores"}))
      << Describe(st);
  // No scores at all.
  v1::CreateReviewRequest empty;
  empty.set_parent(AppName(call_id_, app));
  st = Review("officer-1", empty, &review);
  EXPECT_EQ(ReasonOf(st), "REVIEW_INVALID");
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 0);
  EXPECT_EQ(StateOf(app), "SUBMITTED");
}

TEST_F(ReviewTest, AccessIsTheCountysOfficers) {
  const int64_t app = Seed();
  v1::Review review;
  ::grpc::Status st = env().Call(&Stub::CreateReview, env().OfficerToken("officer-x", kOtherLan),
                                 ReviewRequest(AppName(call_id_, app), 3, 3), &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << "another county's: as if missing";
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::CreateReview, env().KommunToken(),
                  ReviewRequest(AppName(call_id_, app), 3, 3), &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  st = env().Call(&Stub::CreateReview, env().OfficerToken(),
                  ReviewRequest(AppName(call_id_, app + 100), 3, 3), &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::CreateReview, env().OfficerToken(), ReviewRequest("calls/x", 3, 3),
                  &review);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListReviewsRequest list;
  list.set_parent(AppName(call_id_, app));
  v1::ListReviewsResponse listed;
  st = env().Call(&Stub::ListReviews, env().OfficerToken("officer-x", kOtherLan), list, &listed);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  EXPECT_EQ(env().Count("SELECT count(*) FROM reviews"), 0);
}

TEST_F(ReviewTest, ListReviewsPages) {
  const int64_t app = Seed();
  for (int i = 0; i < 3; ++i) {
    v1::Review review;
    ASSERT_TRUE(
        Review(absl::StrCat("officer-", i), ReviewRequest(AppName(call_id_, app), i, i), &review)
            .ok());
  }
  v1::ListReviewsRequest req;
  req.set_parent(AppName(call_id_, app));
  req.set_page_size(2);
  v1::ListReviewsResponse page;
  ASSERT_TRUE(env().Call(&Stub::ListReviews, env().OfficerToken(), req, &page).ok());
  ASSERT_EQ(page.reviews_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  v1::ListReviewsResponse rest;
  ASSERT_TRUE(env().Call(&Stub::ListReviews, env().OfficerToken(), req, &rest).ok());
  ASSERT_EQ(rest.reviews_size(), 1);
  EXPECT_EQ(rest.reviews(0).reviewer(), env().Subject("officer-2"));
  EXPECT_TRUE(rest.next_page_token().empty());
  // A token of another application's list is refused.
  req.set_parent(AppName(call_id_, Seed()));
  ::grpc::Status st = env().Call(&Stub::ListReviews, env().OfficerToken(), req, &rest);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");
}

TEST_F(ReviewTest, RankSharesTiesAndPutsUnreviewedLast) {
  const int64_t a = Seed();                                  // 4000 and 3000: mean 3500
  const int64_t b = Seed();                                  // 3333 and 3000: mean 3167
  const int64_t c = Seed();                                  // unreviewed
  const int64_t d = Seed("DECIDED", "APPROVED", 1'000'000);  // decided, unreviewed
  const int64_t e = Seed();                                  // 5000
  Seed("DRAFT");                                             // not ranked
  Seed("WITHDRAWN");                                         // not ranked
  auto review = [&](int64_t app, const std::string& officer, int need, int quality) {
    v1::Review out;
    ::grpc::Status st = Review(officer, ReviewRequest(AppName(call_id_, app), need, quality), &out);
    ASSERT_TRUE(st.ok()) << Describe(st);
  };
  review(a, "officer-1", 4, 4);  // 4000
  review(a, "officer-2", 3, 3);  // 3000
  review(b, "officer-1", 4, 2);  // (8 + 2) / 3 = 3.3333 -> 3333
  review(b, "officer-2", 4, 1);  // (8 + 1) / 3 = 3000; mean 3166.5 -> 3167
  review(e, "officer-1", 5, 5);

  v1::RankApplicationsRequest req;
  req.set_parent(absl::StrCat("calls/", call_id_));
  v1::RankApplicationsResponse resp;
  ::grpc::Status st = env().Call(&Stub::RankApplications, env().OfficerToken(), req, &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.applications_size(), 5);
  auto at = [&](int i) { return resp.applications(i); };
  EXPECT_EQ(at(0).application(), AppName(call_id_, e));
  EXPECT_EQ(at(0).rank(), 1);
  EXPECT_EQ(at(0).mean_score_milli(), 5000);
  EXPECT_EQ(at(1).application(), AppName(call_id_, a));
  EXPECT_EQ(at(1).rank(), 2);
  EXPECT_EQ(at(1).mean_score_milli(), 3500);
  EXPECT_EQ(at(1).review_count(), 2);
  EXPECT_EQ(at(2).application(), AppName(call_id_, b));
  EXPECT_EQ(at(2).rank(), 3);
  EXPECT_EQ(at(2).mean_score_milli(), 3167);
  EXPECT_EQ(at(2).state(), v1::APPLICATION_STATE_UNDER_REVIEW);
  EXPECT_EQ(at(3).application(), AppName(call_id_, c));
  EXPECT_EQ(at(3).rank(), 4);
  EXPECT_EQ(at(3).review_count(), 0);
  EXPECT_EQ(at(4).application(), AppName(call_id_, d));
  EXPECT_EQ(at(4).rank(), 4);  // unreviewed applications share the last rank
  EXPECT_EQ(at(4).state(), v1::APPLICATION_STATE_DECIDED);
  EXPECT_EQ(at(0).requested_amount().ore(), 1'000'000);
  EXPECT_FALSE(at(0).diarienummer().empty());
  EXPECT_EQ(at(0).applicant_display_name(), "Uppsala kommun");

  // An exact tie: a second application scored like `e`.
  review(c, "officer-3", 5, 5);
  ASSERT_TRUE(env().Call(&Stub::RankApplications, env().OfficerToken(), req, &resp).ok());
  EXPECT_EQ(resp.applications(0).rank(), 1);
  EXPECT_EQ(resp.applications(1).rank(), 1);
  EXPECT_EQ(resp.applications(1).application(), AppName(call_id_, e));
  EXPECT_EQ(resp.applications(2).rank(), 3);

  st = env().Call(&Stub::RankApplications, env().OfficerToken("officer-x", kOtherLan), req, &resp);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  req.set_parent("calls/999");
  st = env().Call(&Stub::RankApplications, env().OfficerToken(), req, &resp);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_FOUND");
}

}  // namespace
}  // namespace integration::grants::testing
