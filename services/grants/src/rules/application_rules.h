// Rules of applications: who the applicant is and whether it may apply, what a draft may
// hold, what a submission needs, and how an application must fit its call. Pure functions,
// no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/se/organisationsnummer.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonApplicationInvalid = "APPLICATION_INVALID";
inline constexpr std::string_view kReasonApplicantTypeMismatch = "APPLICANT_TYPE_MISMATCH";
inline constexpr std::string_view kReasonApplicantNotEligible = "APPLICANT_NOT_ELIGIBLE";
inline constexpr std::string_view kReasonBudgetLinesSumMismatch = "BUDGET_LINES_SUM_MISMATCH";
inline constexpr std::string_view kReasonRequestedAboveMaximum = "REQUESTED_ABOVE_MAXIMUM";
inline constexpr std::string_view kReasonPeriodOutsideFundingPeriod =
    "PERIOD_OUTSIDE_FUNDING_PERIOD";
inline constexpr std::string_view kReasonApplicationIncomplete = "APPLICATION_INCOMPLETE";

inline constexpr size_t kMaxApplicationTitleBytes = 300;
inline constexpr size_t kMaxApplicationDescriptionBytes = 20000;
inline constexpr size_t kMaxShortTextBytes = 300;
inline constexpr int kMaxBudgetLines = 100;
inline constexpr int kMaxPartners = 50;
inline constexpr int kMaxCoApplicants = 50;

// The applicant types an identifier allows: a kommunkod is a KOMMUN; an organisationsnummer's
// legal form 2 a KOMMUNALFORBUND, 8 a NON_PROFIT_ASSOCIATION, FAITH_COMMUNITY,
// STUDY_ASSOCIATION or FOUNDATION, 5, 7 and 9 a COMPANY; other legal forms none.
std::vector<v1::ApplicantType> TypesOfKommun();
std::vector<v1::ApplicantType> TypesOfLegalForm(se::LegalForm form);

// Checks the applicant of a new application and returns it normalised (organisationsnummer as
// "NNNNNN-NNNN", display name trimmed): exactly one identifier, a kommunkod of the official
// list or a valid organisationsnummer, a type and a display name (INVALID_ARGUMENT
// APPLICATION_INVALID, violations on "<field>.kommunkod", ...); the type agreeing with the
// identifier (INVALID_ARGUMENT APPLICANT_TYPE_MISMATCH, violation on "<field>.type").
absl::StatusOr<v1::Applicant> CheckApplicant(const v1::Applicant& applicant,
                                             std::string_view field);

// FAILED_PRECONDITION APPLICANT_NOT_ELIGIBLE unless `type` may apply in the programme; metadata
// {programme, applicant_type, eligible_applicant_types}.
absl::Status CheckEligible(const v1::Programme& programme, v1::ApplicantType type);

// Checks, and normalises in place (partners' organisationsnummer), what an applicant writes, as
// far as it is present: a draft may be incomplete (CheckComplete is the submission's rule).
// - texts within their limits; a project period, when given, complete, real and ordered;
// - budget lines: category, description and a positive amount each;
// - requested_amount not negative (0 = not given yet);
// - partners: valid organisationsnummer, a name, no partner twice, not the applicant;
// - co-applicant kommuner: kommunkoder of the official list, not the applicant, no repetition;
// INVALID_ARGUMENT APPLICATION_INVALID with a violation per bad field ("<field>.budget_lines[2]
// .amount"). Then, when there are both lines and a requested amount, the lines must sum to it:
// INVALID_ARGUMENT BUDGET_LINES_SUM_MISMATCH, violation on "<field>.requested_amount", metadata
// {budget_lines_sum_ore, requested_amount_ore}.
absl::Status CheckApplicationContent(v1::Application& application, std::string_view field);

// The sum of the budget lines; nullopt on int64 overflow.
std::optional<int64_t> BudgetLinesSum(const v1::Application& application);

// The call's terms an application must fit.
struct CallTerms {
  int64_t max_per_application_ore = 0;
  Period funding;
};

// The application against its call, as far as the fields are present: requested amount at most
// the call's maximum (INVALID_ARGUMENT REQUESTED_ABOVE_MAXIMUM, violation on
// "<field>.requested_amount", metadata {max_amount_per_application_ore}); project period inside
// the funding period (INVALID_ARGUMENT PERIOD_OUTSIDE_FUNDING_PERIOD, violations on
// "<field>.project_period.start_date" / ".end_date", metadata {funding_period_start} /
// {funding_period_end}).
absl::Status CheckAgainstCall(const v1::Application& application, const CallTerms& terms,
                              std::string_view field);

// What a submission needs besides the checks above: project title, project period, at least one
// budget line and a positive requested amount. FAILED_PRECONDITION APPLICATION_INCOMPLETE with a
// violation per missing field.
absl::Status CheckComplete(const v1::Application& application, std::string_view field);

// The state of the stored form ("DRAFT", "SUBMITTED", ...); UNSPECIFIED for anything else.
v1::ApplicationState ApplicationStateOf(std::string_view stored);

// An application as stored (application_repository.h reads it) with its proto.
struct ApplicationRecord {
  int64_t call_id = 0;
  int64_t application_id = 0;
  std::string lanskod;
  std::string programme_id;
  std::string applicant_kommunkod;  // empty for organisations
  std::string applicant_orgnr;      // empty for kommuner
  std::string stored_state;         // "DRAFT", "SUBMITTED", "UNDER_REVIEW", "DECIDED", ...
  std::string decision_outcome;     // "", "APPROVED", "PARTIALLY_APPROVED", "REJECTED"
  std::optional<Period> period;     // unset while a draft has none
  int64_t requested_ore = 0;
  int64_t approved_ore = 0;
  int64_t paid_ore = 0;
  int64_t revision = 0;
  v1::Application application;  // the proto

  // DECIDED with APPROVED or PARTIALLY_APPROVED.
  bool Approved() const;
  std::string Name() const { return ApplicationName(call_id, application_id); }
};

}  // namespace integration::grants
