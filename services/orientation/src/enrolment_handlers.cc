// OrientationService enrolment and attendance RPCs: a kommun's officers enrol its participants
// in offerings it takes part in (after the eligibility check, or with a recorded exception) and
// record their attendance; progress and completion follow from the attendance.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/orientation/v1/events.pb.h"
#include "offering_repository.h"
#include "orientation_service.h"
#include "participant_repository.h"
#include "rules/eligibility.h"
#include "rules/names.h"

namespace integration::orientation {
namespace {

constexpr std::string_view kReasonOfferingNotFound = "OFFERING_NOT_FOUND";
constexpr std::string_view kReasonParticipantNotFound = "PARTICIPANT_NOT_FOUND";
constexpr std::string_view kReasonEnrolmentNotFound = "ENROLMENT_NOT_FOUND";
constexpr std::string_view kReasonSessionNotFound = "SESSION_NOT_FOUND";
constexpr std::string_view kReasonOfferingFull = "OFFERING_FULL";
constexpr std::string_view kReasonOfferingEnded = "OFFERING_ENDED";
constexpr std::string_view kReasonAlreadyEnrolled = "ALREADY_ENROLLED";
constexpr std::string_view kReasonExceptionNotNeeded = "EXCEPTION_NOT_NEEDED";
constexpr std::string_view kReasonSessionCancelled = "SESSION_CANCELLED";
constexpr std::string_view kReasonSessionInFuture = "SESSION_IN_FUTURE";
constexpr std::string_view kReasonEnrolmentNotInOffering = "ENROLMENT_NOT_IN_OFFERING";
constexpr size_t kMaxExceptionBytes = 2000;
constexpr int kMaxAttendanceLines = 500;

absl::Status EnrolmentNotFound(std::string_view name) {
  return status::NotFound(kReasonEnrolmentNotFound,
                          absl::StrCat(std::string(name), " does not exist"),
                          {{"enrolment", std::string(name)}});
}

// The enrolment `id` names with its progress, or NOT_FOUND (also under another name).
absl::StatusOr<v1::Enrolment> LoadEnrolment(ParticipantRepository& repo, const EnrolmentId& id) {
  const std::string name =
      EnrolmentName(id.participant.kommunkod, id.participant.participant_id, id.enrolment_id);
  absl::StatusOr<std::optional<EnrolmentRecord>> record = repo.GetEnrolment(id.enrolment_id);
  if (!record.ok()) return record.status();
  if (!*record || (*record)->enrolment.name() != name) return EnrolmentNotFound(name);
  absl::StatusOr<Progress> progress = repo.LoadProgress(id.enrolment_id);
  if (!progress.ok()) return progress.status();
  ApplyProgress(*progress, (*record)->enrolment);
  return std::move((*record)->enrolment);
}

// What enrolling checks under the offering's lock.
struct EnrolTarget {
  LockedOffering offering;
  ParticipantRecord participant;
};

}  // namespace

absl::Status OrientationServiceImpl::DoCreateEnrolment(const grpc::CallContext& call,
                                                       const v1::CreateEnrolmentRequest& req,
                                                       v1::Enrolment* resp) {
  absl::StatusOr<ParticipantId> participant_id = ParseParticipantName(req.parent(), "parent");
  if (!participant_id.ok()) return participant_id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckParticipantKeeper(scope, participant_id->kommunkod);
      !st.ok()) {
    return st;
  }
  const v1::Enrolment& given = req.enrolment();
  absl::StatusOr<int64_t> offering_id = ParseOfferingName(given.offering(), "enrolment.offering");
  if (!offering_id.ok()) return offering_id.status();
  absl::CivilDay enrol_date = Today();
  if (given.has_enrol_date()) {
    std::optional<absl::CivilDay> day = dates::DayOf(given.enrol_date());
    if (!day) return status::InvalidField("enrolment.enrol_date", "a real calendar date");
    enrol_date = *day;
  }
  if (given.exception_reason().size() > kMaxExceptionBytes) {
    return status::InvalidField("enrolment.exception_reason",
                                absl::StrCat("at most ", kMaxExceptionBytes, " bytes"));
  }
  const std::string name_of_offering = OfferingName(*offering_id);
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<EnrolTarget> {
        absl::StatusOr<std::optional<LockedOffering>> offering =
            OfferingRepository(tx).Lock(*offering_id);
        if (!offering.ok()) return offering.status();
        // An offering the kommun does not take part in is not there for it.
        if (!*offering ||
            std::find((*offering)->kommunkoder.begin(), (*offering)->kommunkoder.end(),
                      participant_id->kommunkod) == (*offering)->kommunkoder.end()) {
          return status::Error(absl::StatusCode::kNotFound, kReasonOfferingNotFound,
                               absl::StrCat(name_of_offering, " is not an offering of kommun ",
                                            participant_id->kommunkod),
                               {{"offering", name_of_offering}},
                               {{"enrolment.offering", "an offering the kommun takes part in"}});
        }
        ParticipantRepository repo(tx);
        absl::StatusOr<std::optional<ParticipantRecord>> participant =
            repo.Get(participant_id->participant_id);
        if (!participant.ok()) return participant.status();
        if (!*participant || (*participant)->kommunkod != participant_id->kommunkod) {
          return status::NotFound(kReasonParticipantNotFound,
                                  absl::StrCat(req.parent(), " does not exist"));
        }
        return EnrolTarget{**std::move(offering), **std::move(participant)};
      },
      [&](pqxx::work& tx, const EnrolTarget& target) -> absl::Status {
        const v1::Participant& p = target.participant.participant;
        EligibilityFacts facts{
            .birth_date = target.participant.birth_date,
            .enrol_date = enrol_date,
            .pension_reference_age = PensionReferenceAgeIn(deps_.pension_reference_ages,
                                                           static_cast<int>(enrol_date.year())),
            .permit = p.permit_type(),
            .first_registration_date = target.participant.first_registration_date,
            .registration_date = target.participant.registration_date,
            .citizenships = {p.citizenships().begin(), p.citizenships().end()},
            .registered_kommunkod = p.registered_kommunkod(),
            .enrolling_kommunkod = participant_id->kommunkod,
        };
        const std::vector<Ineligibility> failures = CheckEligibility(facts);
        if (!failures.empty() && given.exception_reason().empty()) {
          return NotEligibleStatus(failures);
        }
        if (failures.empty() && !given.exception_reason().empty()) {
          return status::InvalidField("enrolment.exception_reason",
                                      "the participant is eligible; no exception is needed",
                                      kReasonExceptionNotNeeded);
        }
        if (enrol_date > target.offering.end) {
          return status::FailedPrecondition(
              kReasonOfferingEnded,
              absl::StrCat(name_of_offering, " ended on ", dates::DayText(target.offering.end)));
        }
        if (target.offering.enrolled >= target.offering.capacity) {
          return status::FailedPrecondition(kReasonOfferingFull,
                                            absl::StrCat(name_of_offering, " has all its ",
                                                         target.offering.capacity, " places taken"),
                                            {{"capacity", absl::StrCat(target.offering.capacity)}});
        }
        NewEnrolment enrolment{
            .participant_id = participant_id->participant_id,
            .offering_id = *offering_id,
            .kommunkod = participant_id->kommunkod,
            .enrol_date = enrol_date,
            .exception_reason = given.exception_reason(),
            .overridden = {},
        };
        for (const Ineligibility& f : failures) enrolment.overridden.push_back(f.reason);
        ParticipantRepository repo(tx);
        const absl::Time now = deps_.clock();
        std::optional<int64_t> id = repo.InsertEnrolment(enrolment, now);
        if (!id) {
          return status::AlreadyExists(
              kReasonAlreadyEnrolled,
              absl::StrCat(req.parent(), " is enrolled in ", name_of_offering, " already"));
        }
        absl::StatusOr<v1::Enrolment> created = LoadEnrolment(repo, {*participant_id, *id});
        if (!created.ok()) return created.status();
        *resp = *std::move(created);
        std::vector<std::string> overridden;
        for (const Ineligibility& f : failures) {
          overridden.push_back(v1::IneligibilityReason_Name(f.reason));
        }
        change.Audit(resp->name(), "create",
                     overridden.empty() ? name_of_offering
                                        : absl::StrCat(name_of_offering, "; exception for ",
                                                       absl::StrJoin(overridden, ",")));
        v1::ParticipantEnrolledEvent event;
        event.set_enrolment(resp->name());
        event.set_offering(name_of_offering);
        api::SetTimestamp(now, event.mutable_enrol_time());
        return change.Emit(resp->name(), event,
                           access::ParticipantOwner(participant_id->kommunkod));
      });
}

absl::Status OrientationServiceImpl::DoGetEnrolment(const grpc::CallContext& call,
                                                    const v1::GetEnrolmentRequest& req,
                                                    v1::Enrolment* resp) {
  absl::StatusOr<EnrolmentId> id = ParseEnrolmentName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckParticipantReader(auth::Scope::Of(call.caller()), id->participant.kommunkod);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    ParticipantRepository repo(tx);
    absl::StatusOr<v1::Enrolment> enrolment = LoadEnrolment(repo, *id);
    if (!enrolment.ok()) return enrolment.status();
    *resp = *std::move(enrolment);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoListEnrolments(const grpc::CallContext& call,
                                                      const v1::ListEnrolmentsRequest& req,
                                                      v1::ListEnrolmentsResponse* resp) {
  absl::StatusOr<ParticipantId> id = ParseParticipantName(req.parent(), "parent");
  if (!id.ok()) return id.status();
  if (absl::Status st =
          access::CheckParticipantReader(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListEnrolments|", req.parent()), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    ParticipantRepository repo(tx);
    absl::StatusOr<std::optional<ParticipantRecord>> participant = repo.Get(id->participant_id);
    if (!participant.ok()) return participant.status();
    if (!*participant || (*participant)->kommunkod != id->kommunkod) {
      return status::NotFound(kReasonParticipantNotFound,
                              absl::StrCat(req.parent(), " does not exist"));
    }
    absl::StatusOr<std::vector<EnrolmentRecord>> enrolments =
        repo.ListEnrolments(id->participant_id, page->after, page->size + 1);
    if (!enrolments.ok()) return enrolments.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *enrolments, [](const EnrolmentRecord& e) { return e.enrolment_id; }));
    for (EnrolmentRecord& e : *enrolments) {
      absl::StatusOr<Progress> progress = repo.LoadProgress(e.enrolment_id);
      if (!progress.ok()) return progress.status();
      ApplyProgress(*progress, e.enrolment);
      *resp->add_enrolments() = std::move(e.enrolment);
    }
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoRecordAttendance(const grpc::CallContext& call,
                                                        const v1::RecordAttendanceRequest& req,
                                                        v1::RecordAttendanceResponse* resp) {
  absl::StatusOr<SessionId> session_id = ParseSessionName(req.session(), "session");
  if (!session_id.ok()) return session_id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (req.attendances_size() < 1 || req.attendances_size() > kMaxAttendanceLines) {
    return status::InvalidField("attendances", absl::StrCat("1-", kMaxAttendanceLines, " lines"));
  }
  std::vector<EnrolmentId> ids;
  std::set<int64_t> seen;
  status::FieldErrors errors;
  for (int i = 0; i < req.attendances_size(); ++i) {
    const v1::Attendance& line = req.attendances(i);
    const std::string at = absl::StrCat("attendances[", i, "]");
    absl::StatusOr<EnrolmentId> id =
        ParseEnrolmentName(line.enrolment(), absl::StrCat(at, ".enrolment"));
    if (!id.ok()) return id.status();
    if (!seen.insert(id->enrolment_id).second) {
      errors.Add(absl::StrCat(at, ".enrolment"), "each enrolment once");
    }
    if (line.status() == v1::ATTENDANCE_STATUS_UNSPECIFIED ||
        !v1::AttendanceStatus_IsValid(line.status())) {
      errors.Add(absl::StrCat(at, ".status"), "PRESENT, ABSENT or EXCUSED");
    }
    // Only the kommun's own participants, whichever kommuner share the offering.
    if (absl::Status st = access::CheckParticipantKeeper(scope, id->participant.kommunkod);
        !st.ok()) {
      return st;
    }
    ids.push_back(*std::move(id));
  }
  if (!errors.empty()) return errors.ToStatus();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<SessionRecord> {
        OfferingRepository repo(tx);
        absl::StatusOr<std::optional<LockedOffering>> offering = repo.Lock(session_id->offering_id);
        if (!offering.ok()) return offering.status();
        if (!*offering) {
          return status::NotFound(kReasonSessionNotFound,
                                  absl::StrCat(req.session(), " does not exist"));
        }
        if (absl::Status st = access::CheckOfferingKeeper(scope, (*offering)->kommunkoder);
            !st.ok()) {
          return st;
        }
        absl::StatusOr<std::optional<LockedSession>> locked =
            repo.LockSession(session_id->session_id);
        if (!locked.ok()) return locked.status();
        absl::StatusOr<std::optional<SessionRecord>> session =
            repo.GetSession(session_id->session_id);
        if (!session.ok()) return session.status();
        if (!*session || (*session)->offering_id != session_id->offering_id) {
          return status::NotFound(kReasonSessionNotFound,
                                  absl::StrCat(req.session(), " does not exist"));
        }
        return **std::move(session);
      },
      [&](pqxx::work& tx, const SessionRecord& session) -> absl::Status {
        if (session.session.state() != v1::Session::STATE_SCHEDULED) {
          return status::FailedPrecondition(
              kReasonSessionCancelled,
              absl::StrCat(req.session(), " is cancelled; nobody attends it"));
        }
        const std::optional<absl::CivilDay> date = dates::DayOf(session.session.date());
        if (!date || *date > Today()) {
          return status::FailedPrecondition(
              kReasonSessionInFuture, absl::StrCat(req.session(), " has not taken place yet"));
        }
        ParticipantRepository repo(tx);
        const absl::Time now = deps_.clock();
        v1::AttendanceRecordedEvent recorded;
        recorded.set_session(req.session());
        api::SetTimestamp(now, recorded.mutable_record_time());
        std::vector<v1::ParticipantCompletedEvent> completions;
        std::vector<std::string> completion_kommuner;  // of each completion's participant
        for (size_t i = 0; i < ids.size(); ++i) {
          const EnrolmentId& id = ids[i];
          const std::string name = EnrolmentName(id.participant.kommunkod,
                                                 id.participant.participant_id, id.enrolment_id);
          absl::StatusOr<std::optional<LockedEnrolment>> locked =
              repo.LockEnrolment(id.enrolment_id);
          if (!locked.ok()) return locked.status();
          if (!*locked || (*locked)->kommunkod != id.participant.kommunkod ||
              (*locked)->participant_id != id.participant.participant_id) {
            return EnrolmentNotFound(name);
          }
          if ((*locked)->offering_id != session.offering_id) {
            return status::Error(
                absl::StatusCode::kFailedPrecondition, kReasonEnrolmentNotInOffering,
                absl::StrCat(name, " is not an enrolment in ", OfferingName(session.offering_id)),
                {},
                {{absl::StrCat("attendances[", i, "].enrolment"),
                  "an enrolment in the session's offering"}});
          }
          repo.RecordAttendance(session.session_id, id.enrolment_id,
                                req.attendances(static_cast<int>(i)).status(),
                                call.caller().subject, now);
          absl::StatusOr<Progress> progress = repo.LoadProgress(id.enrolment_id);
          if (!progress.ok()) return progress.status();
          repo.SetProgress(id.enrolment_id, *progress, now);
          if (progress->completed() && (*locked)->state != v1::Enrolment::STATE_COMPLETED) {
            v1::ParticipantCompletedEvent completed;
            completed.set_enrolment(name);
            api::SetTimestamp(now, completed.mutable_complete_time());
            completions.push_back(std::move(completed));
            completion_kommuner.push_back(id.participant.kommunkod);
          }
          absl::StatusOr<v1::Enrolment> enrolment = LoadEnrolment(repo, id);
          if (!enrolment.ok()) return enrolment.status();
          *resp->add_enrolments() = *std::move(enrolment);
          recorded.add_enrolments(name);
        }
        change.Audit(req.session(), "recordAttendance", absl::StrCat(ids.size(), " enrolments"));
        // The event names enrolments: it goes to the readers of their participants.
        auth::Owner owner;
        for (const EnrolmentId& id : ids) {
          const auth::Owner one = access::ParticipantOwner(id.participant.kommunkod);
          owner.lan = one.lan;
          if (std::find(owner.kommuner.begin(), owner.kommuner.end(), one.kommuner.front()) ==
              owner.kommuner.end()) {
            owner.kommuner.push_back(one.kommuner.front());
          }
        }
        if (absl::Status st = change.Emit(req.session(), recorded, owner); !st.ok()) return st;
        for (size_t i = 0; i < completions.size(); ++i) {
          const v1::ParticipantCompletedEvent& completed = completions[i];
          change.Audit(completed.enrolment(), "complete");
          if (absl::Status st = change.Emit(completed.enrolment(), completed,
                                            access::ParticipantOwner(completion_kommuner[i]));
              !st.ok()) {
            return st;
          }
        }
        return absl::OkStatus();
      });
}

}  // namespace integration::orientation
