// IssueDueDiplomas: eligibility from the database, then sign, store, announce and audit each
// diploma the learner is due and does not hold yet.
#include "diploma_issuer.h"

#include <google/protobuf/util/time_util.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "access.h"
#include "diploma_repository.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "rules/content_rules.h"

namespace integration::training {
namespace {

// The calendar date of `t` in Sweden, where the diploma is issued.
absl::StatusOr<lansstyrelsen::integration::type::v1::Date> SwedishDateOf(absl::Time t) {
  absl::TimeZone stockholm;
  if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
    return status::Internal("time zone Europe/Stockholm is not available");
  }
  const absl::CivilDay day = absl::ToCivilDay(t, stockholm);
  lansstyrelsen::integration::type::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// The part id of "parts/{id}" (names built by the repository, so always well-formed).
std::string PartIdOf(const std::string& part_name) {
  absl::StatusOr<std::string> id = ParsePartName(part_name, "parts");
  return id.ok() ? *id : part_name;
}

}  // namespace

absl::Status IssueDueDiplomas(api::Change& change, pqxx::work& tx, const std::string& learner_id,
                              const DiplomaIssueContext& ctx) {
  if (ctx.signer == nullptr) {
    return absl::InvalidArgumentError("IssueDueDiplomas: no signing key in the context");
  }
  DiplomaRepository repo(tx);
  // First, before any read eligibility depends on: see LockLearner.
  const std::optional<DiplomaLearner> learner = repo.LockLearner(learner_id);
  if (!learner.has_value()) {
    return status::NotFound("LEARNER_NOT_FOUND",
                            absl::StrCat("learner ", LearnerName(learner_id), " does not exist"));
  }
  const std::vector<DueDiploma> due =
      DueDiplomas(repo.Course(), repo.EnrolledParts(learner_id), repo.PassedModules(learner_id));
  if (due.empty()) return absl::OkStatus();
  const std::set<std::pair<v1::DiplomaKind, std::string>> held = repo.IssuedKinds(learner_id);

  const absl::Time now = ctx.clock ? ctx.clock() : absl::Now();
  absl::StatusOr<lansstyrelsen::integration::type::v1::Date> issue_date = SwedishDateOf(now);
  if (!issue_date.ok()) return issue_date.status();

  for (const DueDiploma& diploma : due) {
    const std::string part_id = diploma.kind == v1::DIPLOMA_KIND_PART && !diploma.parts.empty()
                                    ? PartIdOf(diploma.parts.front())
                                    : std::string();
    // Revoked ones count as held: revocation is a decision a retake must not undo silently.
    if (held.contains({diploma.kind, part_id})) continue;

    absl::StatusOr<std::string> code = NewDiplomaCode();
    if (!code.ok()) return code.status();
    v1::DiplomaContent content;
    content.set_code(*code);
    content.set_kind(diploma.kind);
    content.set_learner_name(learner->display_name);
    for (const std::string& title : diploma.part_titles) content.add_part_titles(title);
    *content.mutable_issue_date() = *issue_date;
    content.set_issuer(ctx.issuer);
    absl::StatusOr<SignedDiploma> signed_diploma = ctx.signer->SignContent(std::move(content));
    if (!signed_diploma.ok()) return signed_diploma.status();

    NewDiploma row{.learner_id = learner_id,
                   .kind = diploma.kind,
                   .part_id = part_id,
                   .part_ids = {},
                   .signed_diploma = *std::move(signed_diploma),
                   .issue_time = now};
    for (const std::string& part : diploma.parts) row.part_ids.push_back(PartIdOf(part));
    // A concurrent call (another module passed at the same moment) issued it first.
    if (!repo.Insert(row)) continue;

    const std::string name = DiplomaName(learner_id, row.signed_diploma.content.code());
    v1::DiplomaIssuedEvent event;
    event.set_diploma(name);
    event.set_learner(LearnerName(learner_id));
    event.set_kind(diploma.kind);
    for (const std::string& part : diploma.parts) event.add_parts(part);
    event.set_key_id(row.signed_diploma.content.key_id());
    *event.mutable_issue_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
    if (absl::Status st =
            change.Emit(name, event, access::LearnerOwner(learner_id, learner->lanskod));
        !st.ok()) {
      return st;
    }
    change.Audit(name, "issue",
                 diploma.kind == v1::DIPLOMA_KIND_COURSE
                     ? std::string("kind=course")
                     : absl::StrCat("kind=part part=", part_id));
  }
  return absl::OkStatus();
}

}  // namespace integration::training
