// Integration tests of participants: registration with the number encrypted and found by its
// keyed hash in any spelling, one registration per kommun, tenant isolation (a kommun never
// sees another's participants, also when they share an offering), and a scan showing that the
// number is in no table and no log line in clear text.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/log/log.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ParticipantTest : public OrientationTest {};

TEST_F(ParticipantTest, RegistersDerivesTheBirthDateAndFindsThePersonInAnySpelling) {
  const v1::Participant p = env().CreateParticipant("0380", kPnr);
  EXPECT_THAT(p.name(), ::testing::StartsWith("kommuner/0380/participants/"));
  EXPECT_TRUE(p.personnummer().empty()) << "the number is never returned";
  EXPECT_EQ(p.identity_kind(), v1::IDENTITY_KIND_PERSONNUMMER);
  EXPECT_EQ(p.birth_date().year(), 1990);
  EXPECT_EQ(p.birth_date().month(), 5);
  EXPECT_EQ(p.birth_date().day(), 12);
  const v1::Participant s = env().CreateParticipant("0380", kSamordningsnummer);
  EXPECT_EQ(s.identity_kind(), v1::IDENTITY_KIND_SAMORDNINGSNUMMER);
  EXPECT_EQ(s.birth_date().day(), 3);

  for (const std::string spelling : {"19900512-1232", "900512-1232", "9005121232"}) {
    v1::LookupParticipantRequest req;
    req.set_parent("kommuner/0380");
    req.set_personnummer(spelling);
    v1::Participant found;
    ::grpc::Status st =
        env().Call(&Stub::LookupParticipant, env().KommunToken("0380"), req, &found);
    ASSERT_TRUE(st.ok()) << spelling << ": " << Describe(st);
    EXPECT_EQ(found.name(), p.name());
  }
  // Another kommun's look-up does not find it (and may not look in 0380).
  v1::LookupParticipantRequest other;
  other.set_parent("kommuner/0381");
  other.set_personnummer(kPnr);
  v1::Participant found;
  EXPECT_EQ(
      env().Call(&Stub::LookupParticipant, env().KommunToken("0381"), other, &found).error_code(),
      ::grpc::StatusCode::NOT_FOUND);
  other.set_parent("kommuner/0380");
  EXPECT_EQ(
      env().Call(&Stub::LookupParticipant, env().KommunToken("0381"), other, &found).error_code(),
      ::grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ParticipantTest, OneRegistrationPerKommunAndABadNumberIsRefused) {
  const v1::Participant p = env().CreateParticipant("0380", kPnr);
  v1::CreateParticipantRequest req;
  req.set_parent("kommuner/0380");
  *req.mutable_participant() = OrientationTestEnv::Participant("0380", "900512-1232");
  v1::Participant out;
  ::grpc::Status st = env().Call(&Stub::CreateParticipant, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "PARTICIPANT_EXISTS");
  EXPECT_EQ(integration::testing::MetadataOf(st)["participant"], p.name());
  // The person moved: another kommun registers the same number.
  env().CreateParticipant("0381", kPnr);
  EXPECT_EQ(env().Count("SELECT count(*) FROM participants"), 2);

  req.mutable_participant()->set_personnummer("19900512-1233");
  st = env().Call(&Stub::CreateParticipant, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PERSONNUMMER_INVALID_CHECKSUM");
  EXPECT_THAT(st.error_message(), Not(HasSubstr("19900512")));
}

TEST_F(ParticipantTest, AKommunNeverSeesAnotherKommunsParticipantsEvenInASharedOffering) {
  const v1::Offering shared = env().CreateOffering({"0380", "0381"});
  const v1::Session session =
      env().CreateSession(shared, absl::CivilDay(2027, 2, 1), {v1::THEME_HEALTH}, 120);
  const v1::Participant a = env().CreateParticipant("0380", kPnr);
  const v1::Enrolment enrolment_a = env().Enrol(a, shared);
  const v1::Participant b = env().CreateParticipant("0381", kSamordningsnummer);
  env().Enrol(b, shared);

  const std::string b_token = env().KommunToken("0381");
  v1::GetParticipantRequest get;
  get.set_name(a.name());
  v1::Participant out;
  EXPECT_EQ(env().Call(&Stub::GetParticipant, b_token, get, &out).error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
  v1::ListParticipantsRequest list;
  list.set_parent("kommuner/0380");
  v1::ListParticipantsResponse listed;
  EXPECT_EQ(env().Call(&Stub::ListParticipants, b_token, list, &listed).error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
  v1::GetEnrolmentRequest get_enrolment;
  get_enrolment.set_name(enrolment_a.name());
  v1::Enrolment enrolment;
  EXPECT_EQ(env().Call(&Stub::GetEnrolment, b_token, get_enrolment, &enrolment).error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
  // Nor enrols or records attendance for them.
  v1::CreateEnrolmentRequest enrol;
  enrol.set_parent(a.name());
  enrol.mutable_enrolment()->set_offering(shared.name());
  EXPECT_EQ(env().Call(&Stub::CreateEnrolment, b_token, enrol, &enrolment).error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
  ::grpc::Status st = env().Attend("0381", session, {enrolment_a.name()});
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM attendance"), 0);
  // A wrong kommun in the name is no way around it either.
  get.set_name(
      absl::StrCat("kommuner/0381/participants/", a.name().substr(a.name().rfind('/') + 1)));
  EXPECT_EQ(env().Call(&Stub::GetParticipant, b_token, get, &out).error_code(),
            ::grpc::StatusCode::NOT_FOUND);

  // Its own kommun and the county see it; a county role of another county does not.
  get.set_name(a.name());
  EXPECT_TRUE(env().Call(&Stub::GetParticipant, env().KommunToken("0380"), get, &out).ok());
  EXPECT_TRUE(env().Call(&Stub::GetParticipant, env().OfficerToken("03"), get, &out).ok());
  EXPECT_EQ(env().Call(&Stub::GetParticipant, env().OfficerToken("01"), get, &out).error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(env()
                  .Call(
                      &Stub::ListParticipants, env().KommunToken("0381"),
                      [] {
                        v1::ListParticipantsRequest r;
                        r.set_parent("kommuner/0381");
                        return r;
                      }(),
                      &listed)
                  .ok());
  ASSERT_EQ(listed.participants_size(), 1);
  EXPECT_EQ(listed.participants(0).name(), b.name());
}

// Every spelling of a number a table or a log line could hold it in.
std::vector<std::string> Spellings(const std::string& twelve_digits) {
  const std::string ten = twelve_digits.substr(2);
  return {twelve_digits, ten, absl::StrCat(ten.substr(0, 6), "-", ten.substr(6)),
          absl::StrCat(twelve_digits.substr(0, 8), "-", twelve_digits.substr(8)),
          absl::StrCat(ten.substr(0, 6), "+", ten.substr(6))};
}

TEST_F(ParticipantTest, TheNumberIsInNoTableAndNoLogLineInClearText) {
  absl::Mutex mu;
  std::vector<std::string> lines;
  log::SetMinLevel(log::Level::kDebug);
  log::SetSinkForTesting([&](std::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  });
  const v1::Offering offering = env().CreateOffering({"0380"});
  const v1::Session session =
      env().CreateSession(offering, absl::CivilDay(2027, 2, 1), {v1::THEME_HEALTH}, 120);
  const v1::Participant p = env().CreateParticipant("0380", kPnr);
  const v1::Enrolment e = env().Enrol(p, offering);
  ASSERT_TRUE(env().Attend("0380", session, {e.name()}).ok());
  env().CreateParticipant("0381", kSamordningsnummer);
  // Failures too: a duplicate, a look-up, a bad check digit.
  v1::CreateParticipantRequest again;
  again.set_parent("kommuner/0380");
  *again.mutable_participant() = OrientationTestEnv::Participant("0380", kPnr);
  v1::Participant out;
  EXPECT_FALSE(env().Call(&Stub::CreateParticipant, env().KommunToken("0380"), again, &out).ok());
  again.mutable_participant()->set_personnummer("199005121233");
  EXPECT_FALSE(env().Call(&Stub::CreateParticipant, env().KommunToken("0380"), again, &out).ok());
  v1::LookupParticipantRequest lookup;
  lookup.set_parent("kommuner/0380");
  lookup.set_personnummer(kPnr);
  EXPECT_TRUE(env().Call(&Stub::LookupParticipant, env().KommunToken("0380"), lookup, &out).ok());
  log::SetSinkForTesting(nullptr);
  log::SetMinLevel(log::Level::kInfo);

  std::vector<std::string> secrets = Spellings("199005121232");
  for (const std::string& s : Spellings("198511630009")) secrets.push_back(s);
  for (const std::string& s : Spellings("199005121233")) secrets.push_back(s);

  // Every row of every table of the schema, as text.
  pqxx::result tables = env().Query(
      "SELECT table_name FROM information_schema.tables "
      "WHERE table_schema = 'orientation' AND table_type = 'BASE TABLE'");
  ASSERT_GE(tables.size(), 8u);
  int rows = 0;
  for (const pqxx::row& t : tables) {
    const std::string table = t[0].as<std::string>();
    for (const pqxx::row& r :
         env().Query(absl::StrCat("SELECT row_to_json(x)::text FROM ", table, " x"))) {
      ++rows;
      const std::string text = r[0].as<std::string>();
      for (const std::string& secret : secrets) {
        EXPECT_THAT(text, Not(HasSubstr(secret))) << "table " << table;
      }
    }
  }
  EXPECT_GT(rows, 10);
  EXPECT_EQ(env().Count("SELECT count(*) FROM participants WHERE length(pnr_hash) = 64"), 2);
  absl::MutexLock lock(&mu);
  ASSERT_FALSE(lines.empty()) << "the access log was not captured";
  for (const std::string& line : lines) {
    for (const std::string& secret : secrets) {
      EXPECT_THAT(line, Not(HasSubstr(secret)));
    }
  }
}

}  // namespace
}  // namespace integration::orientation::testing
