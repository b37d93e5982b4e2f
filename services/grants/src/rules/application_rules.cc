// Rules of applications: applicant identity and eligibility, draft contents, completeness for
// submission, and the fit with the call's maximum and funding period.
#include "rules/application_rules.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

// Whether `text` is empty or only ASCII white space.
bool Blank(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Copies the violations of a status made by the se:: validators (which name `field`) into
// `errors`; a status without them becomes one violation on `field`.
void AddViolations(status::FieldErrors& errors, const absl::Status& st, std::string_view field) {
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  if (!bad || bad->field_violations_size() == 0) {
    errors.Add(field, std::string(st.message()));
    return;
  }
  for (const google::rpc::BadRequest::FieldViolation& v : bad->field_violations()) {
    errors.Add(v.field(), v.description());
  }
}

void CheckText(status::FieldErrors& errors, const std::string& field, std::string_view text,
               size_t max_bytes, bool required) {
  if (required && Blank(text)) {
    errors.Add(field, "required");
  } else if (text.size() > max_bytes) {
    errors.Add(field, absl::StrCat("at most ", max_bytes, " bytes"));
  }
}

std::string TypeNames(const std::vector<v1::ApplicantType>& types) {
  return absl::StrJoin(types, ", ", [](std::string* out, v1::ApplicantType t) {
    out->append(v1::ApplicantType_Name(t));
  });
}

bool Contains(const std::vector<v1::ApplicantType>& types, v1::ApplicantType type) {
  for (v1::ApplicantType t : types) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace

std::vector<v1::ApplicantType> TypesOfKommun() { return {v1::APPLICANT_TYPE_KOMMUN}; }

std::vector<v1::ApplicantType> TypesOfLegalForm(se::LegalForm form) {
  switch (form) {
    case se::LegalForm::kPublicSector:
      return {v1::APPLICANT_TYPE_KOMMUNALFORBUND};
    case se::LegalForm::kNonProfitOrFoundation:
      return {v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION, v1::APPLICANT_TYPE_FAITH_COMMUNITY,
              v1::APPLICANT_TYPE_STUDY_ASSOCIATION, v1::APPLICANT_TYPE_FOUNDATION};
    case se::LegalForm::kLimitedCompany:
    case se::LegalForm::kEconomicAssociation:
    case se::LegalForm::kPartnership:
      return {v1::APPLICANT_TYPE_COMPANY};
    case se::LegalForm::kOther:
      return {};
  }
  return {};
}

absl::StatusOr<v1::Applicant> CheckApplicant(const v1::Applicant& applicant,
                                             std::string_view field) {
  status::FieldErrors errors;
  const std::string base(field);
  v1::Applicant out;
  out.set_type(applicant.type());
  out.set_display_name(std::string(absl::StripAsciiWhitespace(applicant.display_name())));
  std::vector<v1::ApplicantType> allowed;
  switch (applicant.id_case()) {
    case v1::Applicant::kKommunkod: {
      const std::string f = base + ".kommunkod";
      if (absl::Status st = se::ValidateKommunkod(applicant.kommunkod(), f); !st.ok()) {
        AddViolations(errors, st, f);
      } else {
        out.set_kommunkod(applicant.kommunkod());
        allowed = TypesOfKommun();
      }
      break;
    }
    case v1::Applicant::kOrganisationsnummer: {
      const std::string f = base + ".organisationsnummer";
      absl::StatusOr<se::Organisationsnummer> orgnr =
          se::ParseOrganisationsnummer(applicant.organisationsnummer(), f);
      if (!orgnr.ok()) {
        AddViolations(errors, orgnr.status(), f);
      } else {
        out.set_organisationsnummer(orgnr->normalized);
        allowed = TypesOfLegalForm(orgnr->legal_form);
      }
      break;
    }
    default:
      errors.Add(base + ".kommunkod", "the applicant needs a kommunkod or an organisationsnummer");
      break;
  }
  if (applicant.type() == v1::APPLICANT_TYPE_UNSPECIFIED ||
      !v1::ApplicantType_IsValid(applicant.type())) {
    errors.Add(base + ".type", "required: the kind of applicant");
  }
  CheckText(errors, base + ".display_name", out.display_name(), kMaxShortTextBytes, true);
  if (!errors.empty()) return errors.ToStatus(kReasonApplicationInvalid);

  if (!Contains(allowed, applicant.type())) {
    const std::string identifier =
        out.id_case() == v1::Applicant::kKommunkod ? "a kommunkod" : "this organisationsnummer";
    const std::string expected =
        allowed.empty() ? std::string("no applicant type (its legal form may not apply)")
                        : TypeNames(allowed);
    return status::Error(
        absl::StatusCode::kInvalidArgument, kReasonApplicantTypeMismatch,
        absl::StrCat("applicant type ", v1::ApplicantType_Name(applicant.type()),
                     " does not agree with ", identifier, ", which allows ", expected),
        {{"applicant_type", v1::ApplicantType_Name(applicant.type())}, {"allowed_types", expected}},
        {{base + ".type", absl::StrCat("must be one of: ", expected)}});
  }
  return out;
}

absl::Status CheckEligible(const v1::Programme& programme, v1::ApplicantType type) {
  for (int t : programme.eligible_applicant_types()) {
    if (t == type) return absl::OkStatus();
  }
  std::vector<v1::ApplicantType> eligible;
  for (int t : programme.eligible_applicant_types()) {
    eligible.push_back(static_cast<v1::ApplicantType>(t));
  }
  return status::FailedPrecondition(
      kReasonApplicantNotEligible,
      absl::StrCat(v1::ApplicantType_Name(type), " may not apply in ", programme.name(),
                   "; it funds ", TypeNames(eligible)),
      {{"programme", programme.name()},
       {"applicant_type", v1::ApplicantType_Name(type)},
       {"eligible_applicant_types", TypeNames(eligible)}});
}

std::optional<int64_t> BudgetLinesSum(const v1::Application& application) {
  int64_t sum = 0;
  for (const v1::BudgetLine& line : application.budget_lines()) {
    std::optional<int64_t> next = CheckedAdd(sum, line.amount().ore());
    if (!next) return std::nullopt;
    sum = *next;
  }
  return sum;
}

absl::Status CheckApplicationContent(v1::Application& application, std::string_view field) {
  status::FieldErrors errors;
  const std::string base(field);
  CheckText(errors, base + ".project_title", application.project_title(), kMaxApplicationTitleBytes,
            false);
  CheckText(errors, base + ".description", application.description(),
            kMaxApplicationDescriptionBytes, false);
  if (application.has_project_period()) {
    CheckPeriod(application.project_period(), base + ".project_period", errors);
  }

  if (application.budget_lines_size() > kMaxBudgetLines) {
    errors.Add(base + ".budget_lines", absl::StrCat("at most ", kMaxBudgetLines, " lines"));
  }
  for (int i = 0; i < application.budget_lines_size(); ++i) {
    const v1::BudgetLine& line = application.budget_lines(i);
    const std::string f = absl::StrCat(base, ".budget_lines[", i, "]");
    if (line.category() == v1::BUDGET_CATEGORY_UNSPECIFIED ||
        !v1::BudgetCategory_IsValid(line.category())) {
      errors.Add(f + ".category", "required: PERSONNEL, PREMISES, MATERIALS, SERVICES or OTHER");
    }
    CheckText(errors, f + ".description", line.description(), kMaxShortTextBytes, true);
    if (line.amount().ore() <= 0) errors.Add(f + ".amount", "must be a positive amount in öre");
  }
  // Zero is "not given yet" (a draft); only a negative amount is wrong.
  if (application.requested_amount().ore() < 0) {
    errors.Add(base + ".requested_amount", "must be a positive amount in öre");
  }

  const v1::Applicant& applicant = application.applicant();
  if (application.partners_size() > kMaxPartners) {
    errors.Add(base + ".partners", absl::StrCat("at most ", kMaxPartners, " partners"));
  }
  std::set<std::string> partners;
  for (int i = 0; i < application.partners_size(); ++i) {
    v1::Partner* partner = application.mutable_partners(i);
    const std::string f = absl::StrCat(base, ".partners[", i, "]");
    const std::string orgnr_field = f + ".organisationsnummer";
    absl::StatusOr<se::Organisationsnummer> orgnr =
        se::ParseOrganisationsnummer(partner->organisationsnummer(), orgnr_field);
    if (!orgnr.ok()) {
      AddViolations(errors, orgnr.status(), orgnr_field);
    } else {
      partner->set_organisationsnummer(orgnr->normalized);
      if (!partners.insert(orgnr->normalized).second) {
        errors.Add(orgnr_field, absl::StrCat(orgnr->normalized, " is listed twice"));
      } else if (orgnr->normalized == applicant.organisationsnummer()) {
        errors.Add(orgnr_field, "the applicant cannot be its own partner");
      }
    }
    CheckText(errors, f + ".display_name", partner->display_name(), kMaxShortTextBytes, true);
    CheckText(errors, f + ".role", partner->role(), kMaxShortTextBytes, false);
  }

  if (application.co_applicant_kommuner_size() > kMaxCoApplicants) {
    errors.Add(base + ".co_applicant_kommuner",
               absl::StrCat("at most ", kMaxCoApplicants, " kommuner"));
  }
  std::set<std::string> kommuner;
  for (int i = 0; i < application.co_applicant_kommuner_size(); ++i) {
    const std::string& kod = application.co_applicant_kommuner(i);
    const std::string f = absl::StrCat(base, ".co_applicant_kommuner[", i, "]");
    if (absl::Status st = se::ValidateKommunkod(kod, f); !st.ok()) {
      AddViolations(errors, st, f);
    } else if (!kommuner.insert(kod).second) {
      errors.Add(f, absl::StrCat(kod, " is listed twice"));
    } else if (kod == applicant.kommunkod()) {
      errors.Add(f, "the applicant kommun cannot be its own co-applicant");
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonApplicationInvalid);

  if (application.budget_lines_size() > 0) {
    std::optional<int64_t> sum = BudgetLinesSum(application);
    if (!sum) {
      return status::Error(absl::StatusCode::kInvalidArgument, kReasonApplicationInvalid,
                           "the budget lines add up to more than an amount can hold", {},
                           {{base + ".budget_lines", "the sum of the amounts is too large"}});
    }
    const int64_t requested = application.requested_amount().ore();
    if (requested > 0 && *sum != requested) {
      return status::Error(
          absl::StatusCode::kInvalidArgument, kReasonBudgetLinesSumMismatch,
          absl::StrCat("the budget lines sum to ", FormatKronor(*sum),
                       " but the requested amount is ", FormatKronor(requested)),
          {{"budget_lines_sum_ore", absl::StrCat(*sum)},
           {"requested_amount_ore", absl::StrCat(requested)}},
          {{base + ".requested_amount",
            absl::StrCat("must equal the sum of the budget lines (", *sum, " öre)")}});
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAgainstCall(const v1::Application& application, const CallTerms& terms,
                              std::string_view field) {
  const std::string base(field);
  const int64_t requested = application.requested_amount().ore();
  if (requested > terms.max_per_application_ore) {
    return status::Error(
        absl::StatusCode::kInvalidArgument, kReasonRequestedAboveMaximum,
        absl::StrCat("the requested amount ", FormatKronor(requested),
                     " is above the call's maximum per application (",
                     FormatKronor(terms.max_per_application_ore), ")"),
        {{"max_amount_per_application_ore", absl::StrCat(terms.max_per_application_ore)}},
        {{base + ".requested_amount",
          absl::StrCat("must not exceed ", terms.max_per_application_ore, " öre")}});
  }
  const type::DatePeriod& period = application.project_period();
  if (!application.has_project_period() || !period.has_start_date() || !period.has_end_date() ||
      !IsValidDate(period.start_date()) || !IsValidDate(period.end_date())) {
    return absl::OkStatus();
  }
  const Period project{ToCivilDay(period.start_date()), ToCivilDay(period.end_date())};
  if (PeriodInside(project, terms.funding)) return absl::OkStatus();
  status::Metadata metadata;
  std::vector<status::FieldViolation> violations;
  std::vector<std::string> messages;
  if (project.start < terms.funding.start) {
    const std::string start = DayText(terms.funding.start);
    metadata["funding_period_start"] = start;
    violations.push_back(
        {base + ".project_period.start_date", absl::StrCat("must not be before ", start)});
    messages.push_back(absl::StrCat("project period starts ", DayText(project.start),
                                    ", before the call's funding period (starts ", start, ")"));
  }
  if (project.end > terms.funding.end) {
    const std::string end = DayText(terms.funding.end);
    metadata["funding_period_end"] = end;
    violations.push_back(
        {base + ".project_period.end_date", absl::StrCat("must not be after ", end)});
    messages.push_back(absl::StrCat("project period ends ", DayText(project.end),
                                    ", after the call's funding period (ends ", end, ")"));
  }
  return status::Error(absl::StatusCode::kInvalidArgument, kReasonPeriodOutsideFundingPeriod,
                       absl::StrJoin(messages, "; "), std::move(metadata), std::move(violations));
}

absl::Status CheckComplete(const v1::Application& application, std::string_view field) {
  const std::string base(field);
  std::vector<status::FieldViolation> missing;
  if (Blank(application.project_title())) {
    missing.push_back({base + ".project_title", "required before submission"});
  }
  if (!application.has_project_period() || !application.project_period().has_start_date()) {
    missing.push_back({base + ".project_period.start_date", "required before submission"});
  }
  if (!application.has_project_period() || !application.project_period().has_end_date()) {
    missing.push_back({base + ".project_period.end_date", "required before submission"});
  }
  if (application.budget_lines_size() == 0) {
    missing.push_back({base + ".budget_lines", "at least one line is required before submission"});
  }
  if (application.requested_amount().ore() <= 0) {
    missing.push_back({base + ".requested_amount", "required before submission"});
  }
  if (missing.empty()) return absl::OkStatus();
  return status::Error(
      absl::StatusCode::kFailedPrecondition, kReasonApplicationIncomplete,
      absl::StrCat("the application is not complete: ", missing.size(), " field(s) missing"), {},
      std::move(missing));
}

v1::ApplicationState ApplicationStateOf(std::string_view stored) {
  if (stored == "DRAFT") return v1::APPLICATION_STATE_DRAFT;
  if (stored == "SUBMITTED") return v1::APPLICATION_STATE_SUBMITTED;
  if (stored == "UNDER_REVIEW") return v1::APPLICATION_STATE_UNDER_REVIEW;
  if (stored == "DECIDED") return v1::APPLICATION_STATE_DECIDED;
  if (stored == "WITHDRAWN") return v1::APPLICATION_STATE_WITHDRAWN;
  return v1::APPLICATION_STATE_UNSPECIFIED;
}

bool ApplicationRecord::Approved() const {
  return stored_state == "DECIDED" &&
         (decision_outcome == "APPROVED" || decision_outcome == "PARTIALLY_APPROVED");
}

}  // namespace integration::grants
