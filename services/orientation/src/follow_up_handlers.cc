// OrientationService follow-up RPCs: the county board's figures per kommun and survey year, as
// a message (also for the gateway's regional overview) and as CSV.
#include <string>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "follow_up_repository.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "orientation_service.h"
#include "rules/follow_up.h"

namespace integration::orientation {
namespace {

// Survey years the follow-up answers for (a sanity bound, not a rule).
constexpr int kMinSurveyYear = 2000;
constexpr int kMaxSurveyYear = 2100;

}  // namespace

absl::Status OrientationServiceImpl::FollowUpOf(const grpc::CallContext& call, int survey_year,
                                                v1::FollowUp* out) {
  absl::StatusOr<std::string> lanskod = access::FollowUpCounty(auth::Scope::Of(call.caller()));
  if (!lanskod.ok()) return lanskod.status();
  const int year = survey_year == 0 ? SurveyYearOf(Today()) : survey_year;
  if (year < kMinSurveyYear || year > kMaxSurveyYear) {
    return status::InvalidField("survey_year",
                                absl::StrCat(kMinSurveyYear, "-", kMaxSurveyYear, ", or 0"));
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    const RawFollowUp raw =
        LoadFollowUp(tx, *lanskod, SurveyPeriodOf(year), deps_.start_window_days);
    *out = BuildFollowUp(*lanskod, year, deps_.start_window_days, raw);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoGetFollowUp(const grpc::CallContext& call,
                                                   const v1::GetFollowUpRequest& req,
                                                   v1::FollowUp* resp) {
  return FollowUpOf(call, req.survey_year(), resp);
}

absl::Status OrientationServiceImpl::DoExportFollowUp(const grpc::CallContext& call,
                                                      const v1::ExportFollowUpRequest& req,
                                                      v1::FollowUpExport* resp) {
  v1::FollowUp follow_up;
  if (absl::Status st = FollowUpOf(call, req.survey_year(), &follow_up); !st.ok()) return st;
  resp->set_filename(absl::StrCat("orientation-follow-up-", follow_up.lanskod(), "-",
                                  follow_up.survey_year(), ".csv"));
  resp->set_data(FollowUpCsv(follow_up));
  return absl::OkStatus();
}

}  // namespace integration::orientation
