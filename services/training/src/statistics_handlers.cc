// GetStatistics of TrainingServiceImpl: enrolments, attempts, pass rates and diplomas by
// organisation type, kommun and month, scoped to the county officer's län.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "access.h"
#include "integration/auth/tenancy.h"
#include "rules/content_rules.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"
#include "statistics_repository.h"
#include "training_service.h"

namespace integration::training {
namespace {

using lansstyrelsen::integration::type::v1::Date;
using lansstyrelsen::integration::type::v1::OrganisationType;

// "2026-03-14" when `date` is a real calendar date; empty otherwise.
std::string IsoDate(const Date& date) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return "";
  }
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

// Labels as a Swedish report shows them.
std::string OrganisationTypeLabel(std::string_view enum_name) {
  OrganisationType type;
  if (!lansstyrelsen::integration::type::v1::OrganisationType_Parse(std::string(enum_name),
                                                                    &type)) {
    return std::string(enum_name);
  }
  switch (type) {
    case lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_KOMMUN:
      return "Kommun";
    case lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_AUTHORITY:
      return "Myndighet";
    case lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_ASSOCIATION:
      return "Förening";
    case lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_COMPANY:
      return "Företag";
    case lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_OTHER:
      return "Annan";
    default:
      return "Ej angiven";
  }
}

int OrganisationTypeOrder(std::string_view enum_name) {
  OrganisationType type;
  return lansstyrelsen::integration::type::v1::OrganisationType_Parse(std::string(enum_name), &type)
             ? static_cast<int>(type)
             : 1000;
}

std::string KommunLabel(const std::string& kommunkod) {
  absl::StatusOr<se::Kommun> kommun = se::LookupKommun(kommunkod);
  return kommun.ok() ? kommun->name : kommunkod;
}

// "2026-03" -> "mars 2026".
std::string MonthLabel(const std::string& month) {
  static constexpr std::array<const char*, 12> kMonths = {
      "januari", "februari", "mars",      "april",   "maj",      "juni",
      "juli",    "augusti",  "september", "oktober", "november", "december"};
  int m = 0;
  if (month.size() != 7 || !absl::SimpleAtoi(month.substr(5, 2), &m) || m < 1 || m > 12) {
    return month;
  }
  return absl::StrCat(kMonths[m - 1], " ", month.substr(0, 4));
}

// passed / attempts in per mille, rounded half up; 0 without attempts.
int32_t PerMille(int64_t passed, int64_t attempts) {
  if (attempts <= 0) return 0;
  return static_cast<int32_t>((passed * 1000 + attempts / 2) / attempts);
}

void FillRow(const StatisticsCounts& c, std::string key, std::string label,
             v1::StatisticsRow* row) {
  row->set_key(std::move(key));
  row->set_label(std::move(label));
  row->set_enrolments(c.enrolments);
  row->set_attempts(c.attempts);
  row->set_passed_attempts(c.passed_attempts);
  row->set_pass_rate_permille(PerMille(c.passed_attempts, c.attempts));
  row->set_course_diplomas(c.course_diplomas);
  row->set_part_certificates(c.part_certificates);
}

}  // namespace

absl::Status TrainingServiceImpl::DoGetStatistics(const grpc::CallContext& call,
                                                  const v1::GetStatisticsRequest& req,
                                                  v1::Statistics* resp) {
  StatisticsScope scope;
  status::FieldErrors errors;
  if (!req.lanskod().empty()) {
    if (absl::Status st = se::ValidateLanskod(req.lanskod(), "lanskod"); !st.ok()) return st;
  }
  if (req.has_period()) {
    if (req.period().has_start_date()) {
      scope.first_day = IsoDate(req.period().start_date());
      if (scope.first_day.empty()) errors.Add("period.start_date", "not a calendar date");
    }
    if (req.period().has_end_date()) {
      scope.last_day = IsoDate(req.period().end_date());
      if (scope.last_day.empty()) errors.Add("period.end_date", "not a calendar date");
    }
    // ISO dates compare as strings.
    if (!scope.first_day.empty() && !scope.last_day.empty() && scope.last_day < scope.first_day) {
      errors.Add("period.end_date", absl::StrCat("must not be before the start date ",
                                                 scope.first_day));
    }
  }
  if (!errors.empty()) return errors.ToStatus("PERIOD_INVALID");

  // A county officer's token naming a län sees that län's learners only; asking for another
  // län is refused rather than silently answered with the own län's figures.
  absl::StatusOr<std::string> county =
      access::StatisticsCounty(auth::Scope::Of(call.caller()), req.lanskod());
  if (!county.ok()) return county.status();
  scope.lanskod = *county;

  struct Result {
    std::vector<StatisticsGroup> groups;
    std::vector<ModuleCounts> modules;
  };
  // One snapshot for both statements, so that totals and module figures agree.
  absl::StatusOr<Result> result = deps_.pool.TransactFor<Result>(
      call.deadline(),
      [&](pqxx::work& tx) -> absl::StatusOr<Result> {
        StatisticsRepository repo(tx);
        Result r;
        r.groups = repo.Groups(scope);
        r.modules = repo.Modules(scope);
        return r;
      },
      pg::Isolation::kRepeatableRead);
  if (!result.ok()) return result.status();

  std::vector<const StatisticsGroup*> by_type;
  for (const StatisticsGroup& g : result->groups) {
    switch (g.dimension) {
      case StatisticsDimension::kTotal:
        FillRow(g.counts, "total", "Totalt", resp->mutable_total());
        break;
      case StatisticsDimension::kOrganisationType:
        by_type.push_back(&g);
        break;
      case StatisticsDimension::kKommun:
        FillRow(g.counts, g.key, KommunLabel(g.key), resp->add_by_kommun());
        break;
      case StatisticsDimension::kMonth:
        FillRow(g.counts, g.key, MonthLabel(g.key), resp->add_by_month());
        break;
    }
  }
  // In the enum's order (kommun, authority, association, …), as forms list them.
  std::stable_sort(by_type.begin(), by_type.end(),
                   [](const StatisticsGroup* a, const StatisticsGroup* b) {
                     return OrganisationTypeOrder(a->key) < OrganisationTypeOrder(b->key);
                   });
  for (const StatisticsGroup* g : by_type) {
    FillRow(g->counts, g->key, OrganisationTypeLabel(g->key), resp->add_by_organisation_type());
  }
  if (!resp->has_total()) FillRow(StatisticsCounts{}, "total", "Totalt", resp->mutable_total());
  for (const ModuleCounts& m : result->modules) {
    v1::ModuleStatistics* out = resp->add_modules();
    out->set_module(ModuleName(m.part_id, m.module_id));
    out->set_title(m.title);
    out->set_attempts(m.attempts);
    out->set_passed_attempts(m.passed_attempts);
    out->set_pass_rate_permille(PerMille(m.passed_attempts, m.attempts));
  }
  *resp->mutable_compute_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(deps_.clock()));
  return absl::OkStatus();
}

}  // namespace integration::training
