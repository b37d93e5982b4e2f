// Programmes through the real server and PostgreSQL: county_admin creates and changes them,
// anyone reads them; validation, etags, update masks, request ids, pagination, audit and the
// lansstyrelsen.integration.grants.v1.ProgrammeChangedEvent events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grants_test_env.h"

namespace integration::grants::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

constexpr char kRequestId[] = "2b7f5c1e-4d3a-4f9b-8e6c-1a2b3c4d5e6f";

class ProgrammeTest : public GrantsTest {
 protected:
  static v1::Programme Programme(const std::string& id) {
    v1::Programme p;
    p.set_name("programmes/" + id);
    p.set_display_name("Flyktingguider och familjekontakter");
    p.set_legal_basis("Förordning (2010:1122) § 37 a");
    p.set_description("Kommuner som ordnar flyktingguider");
    p.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
    v1::ReportRequirement* r = p.add_required_reports();
    r->set_type(v1::REPORT_TYPE_FINAL);
    r->set_anchor(v1::REPORT_ANCHOR_PROJECT_END);
    r->set_months_after(2);
    return p;
  }

  ::grpc::Status Create(const v1::Programme& p, v1::Programme* out,
                        const std::string& request_id = "", const std::string& token = "") {
    v1::CreateProgrammeRequest req;
    *req.mutable_programme() = p;
    req.set_request_id(request_id);
    return env().Call(&Stub::CreateProgramme, token.empty() ? env().NationalAdminToken() : token, req, out);
  }

  int64_t Events() {
    return env().Count(
        "SELECT count(*) FROM outbox WHERE event_type = "
        "'lansstyrelsen.integration.grants.v1.ProgrammeChangedEvent'");
  }
};

TEST_F(ProgrammeTest, AdminCreatesAndAnyoneReads) {
  v1::Programme created;
  ::grpc::Status st = Create(Programme("guider"), &created);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(created.name(), "programmes/guider");
  EXPECT_THAT(created.eligible_applicant_types(), ElementsAre(v1::APPLICANT_TYPE_KOMMUN));
  ASSERT_EQ(created.required_reports_size(), 1);
  EXPECT_EQ(created.required_reports(0).months_after(), 2);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_GT(created.create_time().seconds(), 0);

  v1::GetProgrammeRequest get;
  get.set_name("programmes/guider");
  v1::Programme read;
  st = env().Call(&Stub::GetProgramme, "", get, &read);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());

  get.set_name("programmes/saknas");
  st = env().Call(&Stub::GetProgramme, "", get, &read);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_NOT_FOUND");

  EXPECT_EQ(Events(), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'programme.create' AND "
                        "resource = 'programmes/guider' AND actor = '" +
                        env().Subject("admin-1") + "'"),
            1);
}

TEST_F(ProgrammeTest, CreateRejectsInvalidProgrammes) {
  v1::Programme out;
  v1::Programme bad = Programme("X");
  ::grpc::Status st = Create(bad, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("programme.name"));

  bad = Programme("tom");
  bad.clear_display_name();
  bad.clear_legal_basis();
  bad.clear_eligible_applicant_types();
  bad.mutable_required_reports(0)->set_months_after(37);
  st = Create(bad, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("programme.display_name", "programme.legal_basis",
                                                 "programme.eligible_applicant_types",
                                                 "programme.required_reports[0].months_after"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM programmes"), 0);
  EXPECT_EQ(Events(), 0);
}

TEST_F(ProgrammeTest, DuplicateIdAndWrongRoles) {
  v1::Programme out;
  ASSERT_TRUE(Create(Programme("tia"), &out).ok());
  ::grpc::Status st = Create(Programme("tia"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_EXISTS");

  st = Create(Programme("annan"), &out, "", env().OfficerToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = Create(Programme("annan"), &out, "", env().KommunToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateProgrammeRequest req;
  *req.mutable_programme() = Programme("annan");
  st = env().Call(&Stub::CreateProgramme, "", req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM programmes"), 1);
  EXPECT_EQ(Events(), 1);
}

TEST_F(ProgrammeTest, RequestIdReplaysAndRejectsReuse) {
  v1::Programme first, again, other;
  ASSERT_TRUE(Create(Programme("kapacitet"), &first, kRequestId).ok());
  ::grpc::Status st = Create(Programme("kapacitet"), &again, kRequestId);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  st = Create(Programme("guider"), &other, kRequestId);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM programmes"), 1);
  EXPECT_EQ(Events(), 1);
}

TEST_F(ProgrammeTest, UpdateWithMaskAndEtag) {
  v1::Programme created;
  ASSERT_TRUE(Create(Programme("tia"), &created).ok());

  v1::UpdateProgrammeRequest req;
  req.mutable_programme()->set_name("programmes/tia");
  req.mutable_programme()->set_etag(created.etag());
  req.mutable_programme()->set_display_name("Tidiga insatser för asylsökande");
  req.mutable_programme()->set_legal_basis("ignored: not in the mask");
  req.mutable_update_mask()->add_paths("display_name");
  v1::Programme updated;
  ::grpc::Status st = env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.display_name(), "Tidiga insatser för asylsökande");
  EXPECT_EQ(updated.legal_basis(), created.legal_basis());
  EXPECT_THAT(updated.eligible_applicant_types(), ElementsAre(v1::APPLICANT_TYPE_KOMMUN));
  EXPECT_NE(updated.etag(), created.etag());

  // The old etag is stale now.
  st = env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.mutable_programme()->clear_etag();
  req.mutable_update_mask()->add_paths("create_time");
  st = env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");

  // Emptying the applicant types breaks the rule of at least one.
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("eligible_applicant_types");
  st = env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("programme.eligible_applicant_types"));

  req.mutable_programme()->set_name("programmes/saknas");
  st = env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);

  EXPECT_EQ(Events(), 2);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'programme.update'"), 1);
}

TEST_F(ProgrammeTest, ListPagesByIdWithTokens) {
  for (const char* id : {"c-prog", "a-prog", "b-prog"}) {
    v1::Programme out;
    ASSERT_TRUE(Create(Programme(id), &out).ok());
  }
  std::vector<std::string> names;
  v1::ListProgrammesRequest req;
  req.set_page_size(2);
  for (int page = 0; page < 3; ++page) {
    v1::ListProgrammesResponse resp;
    ::grpc::Status st = env().Call(&Stub::ListProgrammes, "", req, &resp);
    ASSERT_TRUE(st.ok()) << Describe(st);
    for (const v1::Programme& p : resp.programmes()) names.push_back(p.name());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_THAT(names, ElementsAre("programmes/a-prog", "programmes/b-prog", "programmes/c-prog"));

  v1::ListProgrammesResponse resp;
  req.set_page_token("garbage");
  ::grpc::Status st = env().Call(&Stub::ListProgrammes, "", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");
  req.clear_page_token();
  req.set_page_size(-1);
  st = env().Call(&Stub::ListProgrammes, "", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), Contains("page_size"));
}

TEST_F(ProgrammeTest, NationalProgrammesNeedTheNationalScopeCountyProgrammesTheirCounty) {
  v1::Programme out;
  // A county admin without the national scope creates no national programme.
  ::grpc::Status st = Create(Programme("nationell"), &out, "", env().AdminToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  EXPECT_EQ(env().Count("SELECT count(*) FROM programmes"), 0);

  // Its own county's programme it does, and another county's it does not.
  v1::Programme local = Programme("lokal");
  local.set_lanskod(kTestLan);
  st = Create(local, &out, "", env().AdminToken());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.lanskod(), kTestLan);
  v1::Programme foreign = Programme("annans");
  foreign.set_lanskod(kOtherLan);
  st = Create(foreign, &out, "", env().AdminToken());
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  v1::Programme bad = Programme("fel-lan");
  bad.set_lanskod("99");
  st = Create(bad, &out, "", env().NationalAdminToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("programme.lanskod"));

  v1::Programme national;
  ASSERT_TRUE(Create(Programme("guider"), &national).ok());
  EXPECT_EQ(national.lanskod(), "");

  v1::UpdateProgrammeRequest req;
  req.mutable_programme()->set_name("programmes/guider");
  req.mutable_programme()->set_display_name("Ändrad av ett län");
  req.mutable_update_mask()->add_paths("display_name");
  v1::Programme updated;
  st = env().Call(&Stub::UpdateProgramme, env().AdminToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  req.mutable_programme()->set_name("programmes/lokal");
  st = env().Call(&Stub::UpdateProgramme, env().AdminToken(kOtherLan), req, &updated);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = env().Call(&Stub::UpdateProgramme, env().AdminToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.lanskod(), kTestLan);  // the owner is never changed
  // Ownership is not a field an update can name.
  req.mutable_update_mask()->add_paths("lanskod");
  st = env().Call(&Stub::UpdateProgramme, env().AdminToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");

  EXPECT_EQ(env().Count("SELECT count(*) FROM programmes WHERE display_name = 'Ändrad av ett län' "
                        "AND lanskod IS NULL"),
            0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'programme.update'"), 1);
}

}  // namespace
}  // namespace integration::grants::testing
