// TrainingService learner RPCs: enrolment (a learner enrols itself, learners/{token subject}),
// details and parts, and the county officers' list.
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "rules/content_rules.h"
#include "diploma_issuer.h"
#include "integration/api/change.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"
#include "learner_repository.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "service_util.h"
#include "training_service.h"

namespace integration::training {
namespace {

namespace type = ::lansstyrelsen::integration::type::v1;

constexpr std::string_view kReasonLearnerInvalid = "LEARNER_INVALID";
constexpr std::string_view kReasonLearnerExists = "LEARNER_EXISTS";
constexpr std::string_view kReasonUnknownPart = "PART_NOT_FOUND";

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxOrganisationBytes = 300;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxEmailLocalBytes = 64;

bool HasControl(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// A plausible address: one '@', a local part of 1-64 visible characters, a domain of dot
// separated non-empty labels with at least one dot. Whether it reaches anyone is not ours to
// check.
bool PlausibleEmail(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return false;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > kMaxEmailLocalBytes) return false;
  for (char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == ',' || c == ';' || c == '<' || c == '>') return false;
  }
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    const size_t dot = domain.find('.', start);
    const size_t end = dot == std::string_view::npos ? domain.size() : dot;
    if (end == start) return false;  // empty label: "a..b", ".a", "a."
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// The learner's details as stored: names trimmed of surrounding blanks.
v1::Learner Normalised(const v1::Learner& in) {
  v1::Learner out = in;
  out.set_display_name(std::string(absl::StripAsciiWhitespace(in.display_name())));
  out.set_organisation_name(std::string(absl::StripAsciiWhitespace(in.organisation_name())));
  out.set_email(std::string(absl::StripAsciiWhitespace(in.email())));
  return out;
}

// Checks every editable field of `l` (fields named "learner.<field>") and returns the part
// ids. Only a bad kommunkod: its own status (KOMMUNKOD_INVALID_FORMAT / KOMMUNKOD_UNKNOWN);
// otherwise INVALID_ARGUMENT LEARNER_INVALID with every violation.
absl::StatusOr<std::vector<std::string>> ValidateLearner(const v1::Learner& l) {
  status::FieldErrors errors;
  if (l.display_name().empty()) {
    errors.Add("learner.display_name", "required: the full name printed on the diploma");
  } else if (l.display_name().size() > kMaxNameBytes || HasControl(l.display_name())) {
    errors.Add("learner.display_name",
               absl::StrCat("at most ", kMaxNameBytes, " bytes without control characters"));
  }
  if (!PlausibleEmail(l.email())) {
    errors.Add("learner.email", "must be an e-mail address such as namn@example.se");
  }
  if (l.organisation_type() == type::ORGANISATION_TYPE_UNSPECIFIED ||
      !type::OrganisationType_IsValid(l.organisation_type())) {
    errors.Add("learner.organisation_type",
               "required: KOMMUN, AUTHORITY, ASSOCIATION, COMPANY or OTHER");
  }
  if (l.organisation_name().empty()) {
    errors.Add("learner.organisation_name", "required");
  } else if (l.organisation_name().size() > kMaxOrganisationBytes ||
             HasControl(l.organisation_name())) {
    errors.Add("learner.organisation_name", absl::StrCat("at most ", kMaxOrganisationBytes,
                                                         " bytes without control characters"));
  }
  std::vector<std::string> part_ids;
  if (l.parts_size() == 0) {
    errors.Add("learner.parts", "choose at least one part (\"parts/{part}\")");
  }
  std::set<std::string> seen;
  for (int i = 0; i < l.parts_size(); ++i) {
    const std::string field = absl::StrCat("learner.parts[", i, "]");
    absl::StatusOr<std::string> id = ParsePartName(l.parts(i), field);
    if (!id.ok()) {
      errors.Add(field, "must be a part name \"parts/{part}\"");
    } else if (!seen.insert(*id).second) {
      errors.Add(field, absl::StrCat(l.parts(i), " is listed twice"));
    } else {
      part_ids.push_back(*id);
    }
  }
  const absl::Status kommun = se::ValidateKommunkod(l.kommunkod(), "learner.kommunkod");
  if (!kommun.ok()) {
    if (errors.empty()) return kommun;
    std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(kommun);
    if (bad && bad->field_violations_size() > 0) {
      for (const auto& v : bad->field_violations()) errors.Add(v.field(), v.description());
    } else {
      errors.Add("learner.kommunkod", std::string(kommun.message()));
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonLearnerInvalid);
  return part_ids;
}

// INVALID_ARGUMENT PART_NOT_FOUND naming every requested part that does not exist.
absl::Status CheckPartsExist(LearnerRepository& repo, const v1::Learner& l,
                             const std::vector<std::string>& part_ids) {
  const std::vector<std::string> existing = repo.ExistingParts(part_ids);
  const std::set<std::string> found(existing.begin(), existing.end());
  std::vector<status::FieldViolation> violations;
  for (int i = 0; i < l.parts_size(); ++i) {
    absl::StatusOr<std::string> id = ParsePartName(l.parts(i), "learner.parts");
    if (id.ok() && found.count(*id) == 0) {
      violations.push_back(
          {absl::StrCat("learner.parts[", i, "]"), absl::StrCat("there is no part ", l.parts(i))});
    }
  }
  if (violations.empty()) return absl::OkStatus();
  return status::Error(absl::StatusCode::kInvalidArgument, kReasonUnknownPart,
                       "the learner names a part the course does not have", {},
                       std::move(violations));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Handlers

absl::Status TrainingServiceImpl::DoCreateLearner(const grpc::CallContext& call,
                                                  const v1::CreateLearnerRequest& req,
                                                  v1::Learner* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.learner().name(), "learner.name");
  if (!learner_id.ok()) return learner_id.status();
  // Only a learner enrols, and only itself: the id is the pseudonym of the token's subject
  // under the current key (learners/me), never one of a former key.
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckIsLearner(scope, *learner_id,
                                               "learner.name must be learners/me (your own id)");
      !st.ok()) {
    return st;
  }
  if (*learner_id != scope.subject) {
    return auth::TenantMismatch(
        "a new enrolment takes your current learner id: learner.name must be learners/me");
  }
  const v1::Learner details = Normalised(req.learner());
  absl::StatusOr<std::vector<std::string>> part_ids = ValidateLearner(details);
  if (!part_ids.ok()) return part_ids.status();
  absl::StatusOr<se::Kommun> kommun = se::LookupKommun(details.kommunkod(), "learner.kommunkod");
  if (!kommun.ok()) return kommun.status();

  const std::string name = LearnerName(*learner_id);
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    LearnerRepository repo(tx);
    if (absl::Status st = CheckPartsExist(repo, details, *part_ids); !st.ok()) return st;
    absl::StatusOr<std::optional<LearnerRow>> row =
        repo.Insert(*learner_id, details, kommun->lanskod, *part_ids);
    if (!row.ok()) return row.status();
    if (!*row) {
      return status::AlreadyExists(kReasonLearnerExists,
                                   absl::StrCat(name,
                                                " has enrolled already; change the "
                                                "enrolment with UpdateLearner"),
                                   {{"learner", name}});
    }
    *resp = (*row)->learner;

    v1::LearnerEnrolledEvent event;
    event.set_learner(name);
    *event.mutable_parts() = resp->parts();
    event.set_whole_course(resp->whole_course());
    event.set_organisation_type(resp->organisation_type());
    event.set_kommunkod(resp->kommunkod());
    *event.mutable_enrol_time() = resp->enrol_time();
    change.Audit(name, "create", absl::StrCat("parts=", (*row)->part_ids.size()));
    return change.Emit(name, event, access::LearnerOwner(*learner_id, kommun->lanskod));
  });
}

absl::Status TrainingServiceImpl::DoGetLearner(const grpc::CallContext& call,
                                               const v1::GetLearnerRequest& req,
                                               v1::Learner* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.name(), "name");
  if (!learner_id.ok()) return learner_id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckCanReadLearner(scope, *learner_id); !st.ok()) return st;
  // One statement: no transaction around it (saves the BEGIN and COMMIT round trips).
  return deps_.pool.Autocommit(call.deadline(), [&](pqxx::nontransaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<LearnerRow>> row = LearnerRepository(tx).Get(*learner_id);
    if (!row.ok()) return row.status();
    if (!*row) return LearnerNotFound(*learner_id);
    if (absl::Status st = access::CheckLearnerCounty(scope, (*row)->lanskod); !st.ok()) return st;
    *resp = std::move((*row)->learner);
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoUpdateLearner(const grpc::CallContext& call,
                                                  const v1::UpdateLearnerRequest& req,
                                                  v1::Learner* resp) {
  absl::StatusOr<std::string> learner_id = LearnerIdOf(call, req.learner().name(), "learner.name");
  if (!learner_id.ok()) return learner_id.status();
  if (absl::Status st = access::CheckIsLearner(auth::Scope::Of(call.caller()), *learner_id,
                                               "a learner may only change its own learners/me");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::set<std::string>> paths = MaskPaths(
      req.update_mask(),
      {"display_name", "email", "organisation_type", "organisation_name", "kommunkod", "parts"});
  if (!paths.ok()) return paths.status();
  const v1::Learner given = Normalised(req.learner());
  const DiplomaIssueContext issue{.signer = deps_.signer, .clock = deps_.clock};
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    LearnerRepository repo(tx);
    std::optional<LearnerLock> lock = repo.Lock(*learner_id);
    if (!lock) return LearnerNotFound(*learner_id);
    if (absl::Status st = CheckEtag(given.etag(), EtagOf(lock->revision), given.name()); !st.ok()) {
      return st;
    }
    absl::StatusOr<std::optional<LearnerRow>> current = repo.Get(*learner_id);
    if (!current.ok()) return current.status();
    if (!*current) return LearnerNotFound(*learner_id);
    v1::Learner merged = (*current)->learner;
    if (paths->count("display_name")) merged.set_display_name(given.display_name());
    if (paths->count("email")) merged.set_email(given.email());
    if (paths->count("organisation_type")) merged.set_organisation_type(given.organisation_type());
    if (paths->count("organisation_name")) merged.set_organisation_name(given.organisation_name());
    if (paths->count("kommunkod")) merged.set_kommunkod(given.kommunkod());
    if (paths->count("parts")) *merged.mutable_parts() = given.parts();
    absl::StatusOr<std::vector<std::string>> part_ids = ValidateLearner(merged);
    if (!part_ids.ok()) return part_ids.status();
    absl::StatusOr<se::Kommun> kommun = se::LookupKommun(merged.kommunkod(), "learner.kommunkod");
    if (!kommun.ok()) return kommun.status();
    repo.Update(*learner_id, merged, kommun->lanskod);
    if (paths->count("parts")) {
      if (absl::Status st = CheckPartsExist(repo, merged, *part_ids); !st.ok()) return st;
      repo.SetParts(*learner_id, *part_ids);
      // Parts taken again may complete an enrolment whose modules were passed before.
      if (absl::Status st = IssueDueDiplomas(change, tx, *learner_id, issue); !st.ok()) return st;
    }
    absl::StatusOr<std::optional<LearnerRow>> updated = repo.Get(*learner_id);
    if (!updated.ok()) return updated.status();
    if (!*updated) return LearnerNotFound(*learner_id);
    *resp = std::move((*updated)->learner);
    change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
    return absl::OkStatus();
  });
}

absl::Status TrainingServiceImpl::DoListLearners(const grpc::CallContext& call,
                                                 const v1::ListLearnersRequest& req,
                                                 v1::ListLearnersResponse* resp) {
  absl::StatusOr<std::string> county = access::LearnerListCounty(auth::Scope::Of(call.caller()));
  if (!county.ok()) return county.status();
  if (!req.kommunkod().empty()) {
    if (absl::Status st = se::ValidateKommunkod(req.kommunkod(), "kommunkod"); !st.ok()) {
      return st;
    }
  }
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const std::string query = absl::StrCat("ListLearners|", *county, "|", req.kommunkod());
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 2);
  if (!key.ok()) return key.status();
  std::optional<std::pair<int64_t, std::string>> after;
  if (*key) {
    int64_t us = 0;
    if (!absl::SimpleAtoi((**key)[0], &us) || !IsValidId((**key)[1]))
      return api::InvalidPageToken();
    after.emplace(us, (**key)[1]);
  }
  // One statement: no transaction around it (saves the BEGIN and COMMIT round trips).
  return deps_.pool.Autocommit(call.deadline(), [&](pqxx::nontransaction& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<LearnerRow>> rows =
        LearnerRepository(tx).List(*county, req.kommunkod(), after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (const LearnerRow& row : *rows) *resp->add_learners() = row.learner;
    if (more) {
      const LearnerRow& last = rows->back();
      resp->set_next_page_token(
          api::EncodePageToken(query, {absl::StrCat(last.enrol_micros), last.learner_id}));
    }
    return absl::OkStatus();
  });
}

}  // namespace integration::training
