// GrantsService review RPCs: a county officer's review of a submitted application (one per
// officer; the first moves it to UNDER_REVIEW), an application's reviews, and the ranking of
// a call's applications by mean weighted score.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "call_repository.h"
#include "child_list.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "review_repository.h"
#include "rules/review_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::Status ReviewExists(std::string_view application, std::string_view reviewer) {
  return status::AlreadyExists(
      kReasonReviewExists,
      absl::StrCat("you have reviewed ", std::string(application),
                   " already; an officer reviews once"),
      {{"application", std::string(application)}, {"reviewer", std::string(reviewer)}});
}

v1::ApplicationState StateOf(const std::string& stored) {
  v1::ApplicationState state = v1::APPLICATION_STATE_UNSPECIFIED;
  v1::ApplicationState_Parse(absl::StrCat("APPLICATION_STATE_", stored), &state);
  return state;
}

}  // namespace

absl::Status GrantsServiceImpl::DoCreateReview(const grpc::CallContext& call,
                                               const v1::CreateReviewRequest& req,
                                               v1::Review* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.parent(), "parent");
  if (!key.ok()) return key.status();
  const std::string name = ApplicationName(key->call_id, key->application_id);
  const std::string& reviewer = call.caller().subject;
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run(
      // The application's row lock orders concurrent reviews of it: the existence check below
      // then sees every committed review (the unique constraint stays the backstop).
      [&](pqxx::work& tx) {
        return ApplicationRepository(tx).Load(auth::Scope::Of(call.caller()), *key,
                                              access::Acting::kCountyOfficer,
                                              /*for_update=*/true);
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        const std::string& state = app.stored_state;
        if (state != "SUBMITTED" && state != "UNDER_REVIEW") {
          return WrongState(
              kReasonNotReviewable, name, state,
              absl::StrCat(name, " is ", state,
                           "; only SUBMITTED or UNDER_REVIEW applications are reviewed"));
        }
        absl::StatusOr<std::optional<CallRecord>> c =
            CallRepository(tx).Find(key->call_id, /*for_update=*/false, now);
        if (!c.ok()) return c.status();
        if (!*c) return status::Internal("the application's call is missing");
        absl::StatusOr<int32_t> milli = CheckReview((*c)->call.criteria(), req.review());
        if (!milli.ok()) return milli.status();

        ReviewRepository repo(tx);
        if (repo.Exists(key->application_id, reviewer)) return ReviewExists(name, reviewer);
        v1::Review review;
        *review.mutable_scores() = req.review().scores();
        review.set_comment(req.review().comment());
        review.set_weighted_score_milli(*milli);
        const int64_t review_id = repo.Insert(key->application_id, reviewer, review, now);
        const bool started = repo.StartReview(key->application_id, now);

        *resp = std::move(review);
        resp->set_name(ChildName(key->call_id, key->application_id, "reviews", review_id));
        resp->set_reviewer(reviewer);
        api::SetTimestamp(absl::FromUnixMicros(api::ToMicros(now)), resp->mutable_create_time());
        change.Audit(resp->name(), "create",
                     absl::StrCat("weighted_score_milli=", *milli,
                                  started ? "; application SUBMITTED -> UNDER_REVIEW" : ""));
        return absl::OkStatus();
      });
  if (api::IsUniqueViolation(st, "reviews_one_per_officer")) return ReviewExists(name, reviewer);
  return st;
}

absl::Status GrantsServiceImpl::DoListReviews(const grpc::CallContext& call,
                                              const v1::ListReviewsRequest& req,
                                              v1::ListReviewsResponse* resp) {
  absl::StatusOr<std::string> next = ListApplicationChildren<ReviewRow>(
      deps_.pool, call, "ListReviews", req.parent(), api::PageSize(req.page_size()),
      req.page_token(), access::Acting::kCountyOfficer,
      [](pqxx::work& tx, const ApplicationRecord& app, const api::IdPage& page) {
        return ReviewRepository(tx).List(app.call_id, app.application_id, page.after,
                                         page.size + 1);
      },
      [](const ReviewRow& row) { return row.review_id; },
      [resp](ReviewRow& row) { *resp->add_reviews() = std::move(row.review); });
  if (!next.ok()) return next.status();
  resp->set_next_page_token(*std::move(next));
  return absl::OkStatus();
}

absl::Status GrantsServiceImpl::DoRankApplications(const grpc::CallContext& call,
                                                   const v1::RankApplicationsRequest& req,
                                                   v1::RankApplicationsResponse* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.parent(), "parent");
  if (!call_id.ok()) return call_id.status();
  const absl::Time now = deps_.clock();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::optional<CallRecord>> c =
        CallRepository(tx).Find(*call_id, /*for_update=*/false, now);
    if (!c.ok()) return c.status();
    // Another county's draft is answered as a missing call.
    if (!*c || !access::CanSeeCall(auth::Scope::Of(call.caller()), **c)) {
      return CallNotFound(*call_id);
    }
    if (absl::Status s = access::CheckCountyOfficer(auth::Scope::Of(call.caller()), (*c)->lanskod);
        !s.ok())
      return s;
    const std::vector<RankRow> rows = ReviewRepository(tx).RankRows(*call_id);
    std::vector<RankInput> inputs;
    inputs.reserve(rows.size());
    for (const RankRow& row : rows) {
      inputs.push_back({.application_id = row.application_id,
                        .review_count = row.review_count,
                        .mean_score_milli = MeanScoreMilli(row.score_sum_milli, row.review_count)});
    }
    for (const RankSlot& slot : RankByScore(inputs)) {
      const RankRow& row = rows[slot.index];
      v1::RankedApplication* out = resp->add_applications();
      out->set_rank(slot.rank);
      out->set_application(ApplicationName(*call_id, row.application_id));
      out->set_diarienummer(row.diarienummer);
      out->set_applicant_display_name(row.applicant_name);
      out->mutable_requested_amount()->set_ore(row.requested_ore);
      out->set_mean_score_milli(inputs[slot.index].mean_score_milli);
      out->set_review_count(static_cast<int32_t>(row.review_count));
      out->set_state(StateOf(row.state));
    }
    return absl::OkStatus();
  });
}

}  // namespace integration::grants
