// Participants, sessions and attendance: the LMA number is never in any table or log line, one
// person registers once (with or without the card serial), 18+ is enforced, hours per
// participant follow the sessions attended, the report figures equal the attendance recorded,
// the statistics withhold groups below 5 and stay within the caller's county/organisation, and
// sessions of one activity are added without waiting for each other.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "early_measures_test_env.h"
#include "gtest/gtest.h"
#include "integration/log/log.h"
#include "rules/tia_rules.h"

namespace integration::early_measures::testing {
namespace {

using integration::testing::ReasonOf;

constexpr char kApp[] = "calls/3/applications/11";

class ParticipantTest : public EarlyMeasuresTest {
 protected:
  void SetUp() override {
    EarlyMeasuresTest::SetUp();
    if (HasFatalFailure()) return;
    env().grants().SetDecisions(kOrgA, {{kApp, "851-11-2026", "2026-01-01", "2027-12-31"}});
    // Organisation B works in Malmö: its grant is Skåne's.
    env().grants().SetDecisions(kOrgB, {{"calls/3/applications/12", "851-12-2026",
                                         "2026-01-01", "2027-12-31"}}, "12");
  }

  v1::Activity Activity(const std::string& orgnr, const std::string& org_digits,
                        const std::string& kommun, v1::ActivityType type) {
    v1::CreateActivityRequest req;
    req.set_parent(absl::StrCat("organisations/", org_digits));
    v1::Activity* a = req.mutable_activity();
    a->set_display_name("Hälsa och vardag");
    a->set_type(type);
    a->set_kommunkod(kommun);
    const int year = ThisYear();
    *a->mutable_period() = PeriodOf(Period{absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)});
    a->set_planned_sessions(10);
    a->set_planned_hours(20);
    v1::Activity out;
    ::grpc::Status st = env().Call(&Stub::CreateActivity, env().OrgToken(orgnr), req, &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  v1::Participant Register(const std::string& orgnr, const std::string& org_digits,
                           const std::string& lma, type::Sex sex, int birth_year,
                           ::grpc::Status* status = nullptr) {
    v1::RegisterParticipantRequest req;
    req.set_parent(absl::StrCat("organisations/", org_digits));
    req.mutable_participant()->set_lma_number(lma);
    req.mutable_participant()->set_sex(sex);
    req.mutable_participant()->set_birth_year(birth_year);
    v1::Participant out;
    ::grpc::Status st = env().Call(&Stub::RegisterParticipant, env().OrgToken(orgnr), req, &out);
    if (status != nullptr) {
      *status = st;
    } else {
      EXPECT_TRUE(st.ok()) << Describe(st);
    }
    return out;
  }

  v1::Session Session(const std::string& orgnr, const v1::Activity& activity, int month,
                      int minutes, const std::vector<std::string>& present) {
    v1::CreateSessionRequest req;
    req.set_parent(activity.name());
    *req.mutable_session()->mutable_date() = DateOf(absl::CivilDay(ThisYear(), month, 10));
    req.mutable_session()->set_duration_minutes(minutes);
    v1::Session session;
    ::grpc::Status st = env().Call(&Stub::CreateSession, env().OrgToken(orgnr), req, &session);
    EXPECT_TRUE(st.ok()) << Describe(st);
    v1::RecordAttendanceRequest rec;
    rec.set_name(session.name());
    for (const std::string& p : present) rec.add_participants(p);
    st = env().Call(&Stub::RecordAttendance, env().OrgToken(orgnr), rec, &session);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return session;
  }

  static int ThisYear() {
    return static_cast<int>(
        absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(3600)).year());
  }
};

// Every text value of every table of the service's schema, as one string per row.
std::vector<std::string> AllRows(EarlyMeasuresTestEnv& env) {
  std::vector<std::string> out;
  pqxx::result tables = env.Query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'early_measures'");
  for (const pqxx::row& t : tables) {
    pqxx::result rows = env.Query(
        absl::StrCat("SELECT t::text FROM early_measures.", t[0].c_str(), " t"));
    for (const pqxx::row& r : rows) out.push_back(r[0].c_str());
  }
  // Payloads are protobuf bytes: decode them as text too.
  for (const pqxx::row& r : env.Query("SELECT encode(payload, 'escape') FROM outbox")) {
    out.push_back(r[0].c_str());
  }
  return out;
}

TEST_F(ParticipantTest, TheLmaNumberIsNeverStoredNorLogged) {
  absl::Mutex mu;
  std::vector<std::string> lines;
  log::SetSinkForTesting([&](std::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  });
  log::SetMinLevel(log::Level::kDebug);  // every line the server writes, access log included
  const int year = ThisYear();
  v1::Participant p = Register(kOrgA, kOrgANameDigits, "73-418290/2", type::SEX_FEMALE, year - 30);
  // The same person with another card, and without the dash: the same participant.
  v1::Participant again = Register(kOrgA, kOrgANameDigits, "73418290/3", type::SEX_FEMALE, year - 30);
  EXPECT_EQ(again.name(), p.name());
  EXPECT_TRUE(p.lma_number().empty());
  EXPECT_EQ(p.age_band(), v1::AGE_BAND_25_34);
  const v1::Activity a = Activity(kOrgA, kOrgANameDigits, "0180", v1::ACTIVITY_TYPE_HEALTH);
  Session(kOrgA, a, 2, 90, {p.name()});
  // A malformed number is refused without being echoed.
  ::grpc::Status st;
  Register(kOrgA, kOrgANameDigits, "73-41829", type::SEX_FEMALE, year - 30, &st);
  EXPECT_EQ(ReasonOf(st), "LMA_NUMBER_INVALID_FORMAT");
  EXPECT_EQ(st.error_message().find("73-41829"), std::string::npos);
  log::SetSinkForTesting(nullptr);
  log::SetMinLevel(log::Level::kInfo);

  EXPECT_EQ(env().Count("SELECT count(*) FROM participants"), 1);
  for (const std::string& row : AllRows(env())) {
    for (const char* needle : {"73-418290", "73418290", "418290"}) {
      EXPECT_EQ(row.find(needle), std::string::npos) << row;
    }
  }
  absl::MutexLock lock(&mu);
  EXPECT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("418290"), std::string::npos) << line;
  }
}

TEST_F(ParticipantTest, EighteenOrOlderOnly) {
  const int year = ThisYear();
  ::grpc::Status st;
  Register(kOrgA, kOrgANameDigits, "11-111111", type::SEX_MALE, year - 17, &st);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PARTICIPANT_UNDER_18");
  v1::Participant p = Register(kOrgA, kOrgANameDigits, "11-111112", type::SEX_MALE, year - 18, &st);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(p.age_band(), v1::AGE_BAND_18_24);
  p = Register(kOrgA, kOrgANameDigits, "11-111113", type::SEX_MALE, year - 65);
  EXPECT_EQ(p.age_band(), v1::AGE_BAND_65_PLUS);
  p = Register(kOrgA, kOrgANameDigits, "11-111114", type::SEX_MALE, year - 64);
  EXPECT_EQ(p.age_band(), v1::AGE_BAND_50_64);
  EXPECT_EQ(env().Count("SELECT count(*) FROM participants"), 3);
}

TEST_F(ParticipantTest, SessionsAreAddedWhileAnotherAdditionHoldsTheActivity) {
  const v1::Activity a = Activity(kOrgA, kOrgANameDigits, "0180", v1::ACTIVITY_TYPE_HEALTH);
  const v1::Session first = Session(kOrgA, a, 2, 60, {});
  const std::string activity_id(a.name().substr(a.name().rfind('/') + 1));
  // Another addition in progress: its transaction holds the activity's share lock.
  pqxx::connection holder(env().harness().admin_dsn());
  pqxx::work held(holder);
  held.exec("SET search_path = early_measures");
  ASSERT_EQ(held.exec("SELECT 1 FROM activities WHERE activity_id = " + held.quote(activity_id) +
                      " FOR SHARE")
                .size(),
            1u);

  // A new session does not wait for it.
  v1::CreateSessionRequest add;
  add.set_parent(a.name());
  *add.mutable_session()->mutable_date() = DateOf(absl::CivilDay(ThisYear(), 3, 10));
  add.mutable_session()->set_duration_minutes(45);
  v1::Session second;
  std::unique_ptr<::grpc::ClientContext> ctx =
      integration::testing::ServiceHarness::Context(env().OrgToken(kOrgA));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  ::grpc::Status st = env().stub().CreateSession(ctx.get(), add, &second);
  EXPECT_TRUE(st.ok()) << Describe(st);

  // A change of attendance still waits until the activity is free.
  v1::RecordAttendanceRequest rec;
  rec.set_name(first.name());
  v1::Session out;
  ctx = integration::testing::ServiceHarness::Context(env().OrgToken(kOrgA));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  st = env().stub().RecordAttendance(ctx.get(), rec, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(st);
  held.abort();
  EXPECT_EQ(env().Count("SELECT count(*) FROM sessions WHERE activity_id = " + activity_id), 2);
}

TEST_F(ParticipantTest, FiguresForTheGrantReportEqualTheAttendanceRecorded) {
  const int year = ThisYear();
  const v1::Activity a = Activity(kOrgA, kOrgANameDigits, "0180", v1::ACTIVITY_TYPE_HEALTH);
  const v1::Activity b =
      Activity(kOrgA, kOrgANameDigits, "0180", v1::ACTIVITY_TYPE_SWEDISH_LANGUAGE);
  std::vector<std::string> women, men;
  for (int i = 0; i < 6; ++i) {
    women.push_back(
        Register(kOrgA, kOrgANameDigits, absl::StrCat("20-10000", i), type::SEX_FEMALE, year - 30)
            .name());
  }
  for (int i = 0; i < 2; ++i) {
    men.push_back(
        Register(kOrgA, kOrgANameDigits, absl::StrCat("30-10000", i), type::SEX_MALE, year - 40)
            .name());
  }
  const v1::Participant absent =
      Register(kOrgA, kOrgANameDigits, "40-100000", type::SEX_OTHER, year - 50);
  std::vector<std::string> all = women;
  all.insert(all.end(), men.begin(), men.end());
  Session(kOrgA, a, 2, 120, all);            // 8 present, 2 h each
  Session(kOrgA, b, 3, 60, {women[0], men[0]});  // 2 present, 1 h each
  // Recorded again (corrected): only the last list counts.
  v1::Session s = Session(kOrgA, b, 4, 90, {women[1]});
  v1::RecordAttendanceRequest fix;
  fix.set_name(s.name());
  fix.add_participants(women[1]);
  fix.add_participants(men[1]);
  ASSERT_TRUE(env().Call(&Stub::RecordAttendance, env().OrgToken(kOrgA), fix, &s).ok());
  EXPECT_EQ(s.attendees(), 2);

  v1::GetParticipantFiguresRequest req;
  req.set_organisation(absl::StrCat("organisations/", kOrgANameDigits));
  req.set_funding_application(kApp);
  v1::ParticipantFigures figures;
  ::grpc::Status st = env().Call(&Stub::GetParticipantFigures,
                                 env().AgencyToken({"early_measures.figures.read"}), req, &figures);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(figures.participants().women(), 6);
  EXPECT_EQ(figures.participants().men(), 2);
  EXPECT_EQ(figures.participants().other(), 0);
  // 8 × 2 h + 2 × 1 h + 2 × 1.5 h, as recorded.
  EXPECT_DOUBLE_EQ(figures.participant_hours(), 21.0);
  EXPECT_EQ(figures.activities(), 2);
  EXPECT_EQ(figures.sessions(), 3);
  EXPECT_EQ(env().Count("SELECT count(*) FROM attendance"), 12);
  // Hours per participant.
  v1::ListParticipantsRequest list;
  list.set_parent(req.organisation());
  v1::ListParticipantsResponse listed;
  ASSERT_TRUE(env().Call(&Stub::ListParticipants, env().OrgToken(kOrgA), list, &listed).ok());
  ASSERT_EQ(listed.participants_size(), 9);
  EXPECT_EQ(listed.participants(0).attended_minutes(), 180);  // women[0]: 120 + 60
  EXPECT_EQ(listed.participants(0).sessions_attended(), 2);
  EXPECT_EQ(listed.participants(8).name(), absent.name());
  EXPECT_EQ(listed.participants(8).attended_minutes(), 0);

  // Without the scope, or as another organisation: refused.
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetParticipantFigures, env().AgencyToken({}), req,
                                &figures)),
            "SCOPE_MISSING");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetParticipantFigures, env().OrgToken(kOrgB), req,
                                &figures)),
            "TENANT_MISMATCH");
  // Another organisation's participant cannot be recorded at A's session.
  const v1::Participant b_person =
      Register(kOrgB, kOrgBNameDigits, "50-100000", type::SEX_MALE, year - 30);
  fix.add_participants(b_person.name());
  EXPECT_EQ(ReasonOf(env().Call(&Stub::RecordAttendance, env().OrgToken(kOrgA), fix, &s)),
            "ATTENDANCE_INVALID");
}

TEST_F(ParticipantTest, StatisticsWithholdSmallGroupsAndStayInScope) {
  const int year = ThisYear();
  const v1::Activity a = Activity(kOrgA, kOrgANameDigits, "0180", v1::ACTIVITY_TYPE_HEALTH);
  const v1::Activity b = Activity(kOrgB, kOrgBNameDigits, "1280", v1::ACTIVITY_TYPE_HEALTH);
  std::vector<std::string> a_people, b_people;
  for (int i = 0; i < 5; ++i) {
    a_people.push_back(
        Register(kOrgA, kOrgANameDigits, absl::StrCat("60-20000", i), type::SEX_FEMALE, year - 20)
            .name());
  }
  a_people.push_back(
      Register(kOrgA, kOrgANameDigits, "60-300000", type::SEX_MALE, year - 20).name());
  for (int i = 0; i < 3; ++i) {
    b_people.push_back(
        Register(kOrgB, kOrgBNameDigits, absl::StrCat("70-20000", i), type::SEX_MALE, year - 45)
            .name());
  }
  Session(kOrgA, a, 5, 60, a_people);
  Session(kOrgB, b, 5, 60, b_people);

  v1::GetStatisticsRequest req;
  v1::Statistics stats;
  ASSERT_TRUE(env().Call(&Stub::GetStatistics, env().OfficerToken("01"), req, &stats).ok());
  EXPECT_EQ(stats.lanskod(), "01");
  ASSERT_EQ(stats.rows_size(), 2);  // Stockholm only: women 18-24 (5) and men 18-24 (1)
  EXPECT_EQ(stats.rows(0).sex(), type::SEX_FEMALE);
  EXPECT_EQ(stats.rows(0).age_band(), v1::AGE_BAND_18_24);
  EXPECT_EQ(stats.rows(0).participants(), 5);
  EXPECT_DOUBLE_EQ(stats.rows(0).participant_hours(), 5.0);
  EXPECT_TRUE(stats.rows(1).suppressed());
  EXPECT_EQ(stats.rows(1).participants(), 0);
  ASSERT_EQ(stats.organisations_size(), 1);
  EXPECT_EQ(stats.organisations(0).participants(), 6);
  EXPECT_EQ(stats.participants(), 6);

  // Skåne sees organisation B's three: withheld.
  ASSERT_TRUE(env().Call(&Stub::GetStatistics, env().OfficerToken("12"), req, &stats).ok());
  ASSERT_EQ(stats.rows_size(), 1);
  EXPECT_TRUE(stats.rows(0).suppressed());
  EXPECT_TRUE(stats.suppressed());
  // An organisation sees its own only.
  ASSERT_TRUE(env().Call(&Stub::GetStatistics, env().OrgToken(kOrgB), req, &stats).ok());
  EXPECT_EQ(stats.organisations_size(), 1);
  EXPECT_EQ(stats.organisations(0).organisation(), absl::StrCat("organisations/", kOrgBNameDigits));
  // A county officer without its county is refused.
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetStatistics, env().Token("county_officer", "x"), req,
                                &stats)),
            "LAN_CLAIM_MISSING");
}

}  // namespace
}  // namespace integration::early_measures::testing
