// Calls through the real server and PostgreSQL: county_admin creates DRAFT calls in its own
// county, opens, closes and archives them; drafts stay hidden from everyone else; a call past
// its close time is CLOSED; validation, etags, masks, request ids, filters, pagination, audit
// and lansstyrelsen.integration.grants.v1.CallChangedEvent events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grants_test_env.h"
#include "integration/api/handler.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"

namespace integration::grants::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kRequestId[] = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

class CallTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();
  }

  static v1::Call Call(absl::Time now, const std::string& programme = "programmes/guider") {
    v1::Call c;
    c.set_programme(programme);
    c.set_title("Flyktingguider 2027");
    c.set_description("Vårens utlysning");
    api::SetTimestamp(now + absl::Hours(1), c.mutable_open_time());
    api::SetTimestamp(now + absl::Hours(24 * 30), c.mutable_close_time());
    c.mutable_budget()->set_ore(500'000'000);
    c.mutable_max_amount_per_application()->set_ore(50'000'000);
    auto* f = c.mutable_funding_period();
    f->mutable_start_date()->set_year(2027);
    f->mutable_start_date()->set_month(1);
    f->mutable_start_date()->set_day(1);
    f->mutable_end_date()->set_year(2027);
    f->mutable_end_date()->set_month(12);
    f->mutable_end_date()->set_day(31);
    v1::Criterion* k = c.add_criteria();
    k->set_id("need");
    k->set_title("Behov");
    k->set_weight(3);
    return c;
  }

  ::grpc::Status Create(const v1::Call& c, v1::Call* out, const std::string& token = "") {
    v1::CreateCallRequest req;
    *req.mutable_call() = c;
    return env().Call(&Stub::CreateCall, token.empty() ? env().AdminToken() : token, req, out);
  }

  v1::Call CreateDraft() {
    v1::Call out;
    ::grpc::Status st = Create(Call(env().clock().Now()), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  template <typename Request>
  ::grpc::Status Transition(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Request&,
                                                           v1::Call*),
                            const std::string& name, v1::Call* out,
                            const std::string& request_id = "", const std::string& etag = "",
                            const std::string& token = "") {
    Request req;
    req.set_name(name);
    req.set_etag(etag);
    req.set_request_id(request_id);
    return env().Call(method, token.empty() ? env().AdminToken() : token, req, out);
  }

  ::grpc::Status Get(const std::string& name, const std::string& token, v1::Call* out) {
    v1::GetCallRequest req;
    req.set_name(name);
    return env().Call(&Stub::GetCall, token, req, out);
  }

  std::vector<int> EventStates(const std::string& name) {
    std::vector<int> states;
    for (const auto& row :
         env().Query("SELECT payload FROM outbox WHERE event_type = "
                     "'lansstyrelsen.integration.grants.v1.CallChangedEvent' AND aggregate = '" +
                     name + "' ORDER BY id")) {
      v1::CallChangedEvent event;
      pqxx::binarystring bytes(row[0]);
      EXPECT_TRUE(event.ParseFromString(bytes.str()));
      EXPECT_EQ(event.call(), name);
      states.push_back(event.state());
    }
    return states;
  }
};

TEST_F(CallTest, CreatedDraftIsVisibleOnlyToItsCounty) {
  v1::Call draft = CreateDraft();
  EXPECT_EQ(draft.state(), v1::CALL_STATE_DRAFT);
  EXPECT_EQ(draft.lanskod(), kTestLan);
  EXPECT_EQ(draft.programme(), "programmes/guider");
  EXPECT_EQ(draft.budget().ore(), 500'000'000);
  EXPECT_EQ(draft.approved_total().ore(), 0);

  v1::Call read;
  ASSERT_TRUE(Get(draft.name(), env().OfficerToken(), &read).ok());
  EXPECT_EQ(read.SerializeAsString(), draft.SerializeAsString());
  for (const std::string& token : {std::string(), env().KommunToken(), env().AdminToken(kOtherLan),
                                   env().OfficerToken("officer-9", kOtherLan)}) {
    ::grpc::Status st = Get(draft.name(), token, &read);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(st);
    EXPECT_EQ(ReasonOf(st), "CALL_NOT_FOUND");
  }
  v1::ListCallsResponse list;
  ASSERT_TRUE(env().Call(&Stub::ListCalls, "", v1::ListCallsRequest(), &list).ok());
  EXPECT_EQ(list.calls_size(), 0);
  ASSERT_TRUE(env().Call(&Stub::ListCalls, env().AdminToken(), v1::ListCallsRequest(), &list).ok());
  EXPECT_EQ(list.calls_size(), 1);

  EXPECT_THAT(EventStates(draft.name()), ElementsAre(v1::CALL_STATE_DRAFT));
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'call.create'"), 1);
}

TEST_F(CallTest, CreateRejections) {
  const absl::Time now = env().clock().Now();
  v1::Call out;
  ::grpc::Status st = Create(Call(now, "programmes/saknas"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_NOT_FOUND");

  v1::Call bad = Call(now);
  bad.clear_title();
  *bad.mutable_close_time() = bad.open_time();
  bad.mutable_budget()->set_ore(0);
  bad.mutable_max_amount_per_application()->set_ore(-1);
  bad.mutable_criteria(0)->set_weight(0);
  st = Create(bad, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "CALL_INVALID");
  EXPECT_THAT(ViolationFieldsOf(st),
              ElementsAre("call.title", "call.close_time", "call.budget",
                          "call.max_amount_per_application", "call.criteria[0].weight"));

  bad = Call(now);
  bad.mutable_max_amount_per_application()->set_ore(bad.budget().ore() + 1);
  bad.clear_criteria();
  st = Create(bad, &out);
  EXPECT_THAT(ViolationFieldsOf(st),
              ElementsAre("call.max_amount_per_application", "call.criteria"));

  st = Create(Call(now), &out, env().Token("county_admin", "admin-x", {}));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  st = Create(Call(now), &out, env().OfficerToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM calls"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox"), 0);
}

TEST_F(CallTest, LifecycleDraftOpenClosedArchived) {
  v1::Call draft = CreateDraft();
  v1::Call c;
  ::grpc::Status st = Transition(&Stub::CloseCall, draft.name(), &c);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  st = Transition(&Stub::ArchiveCall, draft.name(), &c);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_CLOSED");

  st = Transition(&Stub::OpenCall, draft.name(), &c, "", draft.etag());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(c.state(), v1::CALL_STATE_OPEN);
  v1::Call read;
  ASSERT_TRUE(Get(draft.name(), "", &read).ok());  // public now
  EXPECT_EQ(read.state(), v1::CALL_STATE_OPEN);

  st = Transition(&Stub::OpenCall, draft.name(), &c);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_DRAFT");
  v1::UpdateCallRequest update;
  update.mutable_call()->set_name(draft.name());
  update.mutable_call()->set_title("Ny titel");
  update.mutable_update_mask()->add_paths("title");
  st = env().Call(&Stub::UpdateCall, env().AdminToken(), update, &c);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_DRAFT");
  st = Transition(&Stub::ArchiveCall, draft.name(), &c);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_CLOSED");

  st = Transition(&Stub::CloseCall, draft.name(), &c);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(c.state(), v1::CALL_STATE_CLOSED);
  st = Transition(&Stub::CloseCall, draft.name(), &c);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  st = Transition(&Stub::ArchiveCall, draft.name(), &c);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(c.state(), v1::CALL_STATE_ARCHIVED);

  EXPECT_THAT(EventStates(draft.name()),
              ElementsAre(v1::CALL_STATE_DRAFT, v1::CALL_STATE_OPEN, v1::CALL_STATE_CLOSED,
                          v1::CALL_STATE_ARCHIVED));
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE resource = '" + draft.name() +
                        "' AND action IN ('call.create', 'call.open', 'call.close', "
                        "'call.archive')"),
            4);
}

TEST_F(CallTest, PassingCloseTimeClosesTheCall) {
  v1::Call draft = CreateDraft();
  v1::Call c;
  ASSERT_TRUE(Transition(&Stub::OpenCall, draft.name(), &c).ok());
  env().clock().Advance(absl::Hours(24 * 31));
  v1::Call read;
  ASSERT_TRUE(Get(draft.name(), "", &read).ok());
  EXPECT_EQ(read.state(), v1::CALL_STATE_CLOSED);
  ::grpc::Status st = Transition(&Stub::CloseCall, draft.name(), &c);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  st = Transition(&Stub::ArchiveCall, draft.name(), &c);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(c.state(), v1::CALL_STATE_ARCHIVED);

  // A draft whose close time has passed cannot be opened.
  v1::Call late;
  v1::Call spec = Call(env().clock().Now());
  api::SetTimestamp(env().clock().Now() - absl::Hours(48), spec.mutable_open_time());
  api::SetTimestamp(env().clock().Now() - absl::Hours(1), spec.mutable_close_time());
  ASSERT_TRUE(Create(spec, &late).ok());
  st = Transition(&Stub::OpenCall, late.name(), &c);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_CLOSE_TIME_PASSED");
}

TEST_F(CallTest, OnlyTheCallsCountyAdministers) {
  v1::Call draft = CreateDraft();
  v1::Call c;
  // Another county's administrator does not even see the draft.
  ::grpc::Status st =
      Transition(&Stub::OpenCall, draft.name(), &c, "", "", env().AdminToken(kOtherLan));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Transition(&Stub::OpenCall, draft.name(), &c).ok());
  st = Transition(&Stub::CloseCall, draft.name(), &c, "", "", env().AdminToken(kOtherLan));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = Transition(&Stub::CloseCall, draft.name(), &c, "", "", env().OfficerToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Get(draft.name(), "", &c).ok());
  EXPECT_EQ(c.state(), v1::CALL_STATE_OPEN);
}

TEST_F(CallTest, UpdateDraftWithMaskAndEtag) {
  v1::Call draft = CreateDraft();
  v1::UpdateCallRequest req;
  *req.mutable_call() = draft;
  req.mutable_call()->set_title("Flyktingguider hösten 2027");
  req.mutable_call()->mutable_budget()->set_ore(1);  // not in the mask: ignored
  req.mutable_update_mask()->add_paths("title");
  v1::Call updated;
  ::grpc::Status st = env().Call(&Stub::UpdateCall, env().AdminToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.title(), "Flyktingguider hösten 2027");
  EXPECT_EQ(updated.budget().ore(), 500'000'000);
  EXPECT_NE(updated.etag(), draft.etag());

  st = env().Call(&Stub::UpdateCall, env().AdminToken(), req, &updated);  // stale etag
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  req.mutable_call()->clear_etag();
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("budget");
  st = env().Call(&Stub::UpdateCall, env().AdminToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("call.max_amount_per_application"));

  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("programme");
  st = env().Call(&Stub::UpdateCall, env().AdminToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");
  EXPECT_THAT(EventStates(draft.name()), ElementsAre(v1::CALL_STATE_DRAFT, v1::CALL_STATE_DRAFT));
}

TEST_F(CallTest, TransitionRequestIdReplaysAndRejectsReuse) {
  v1::Call draft = CreateDraft();
  v1::Call first, again;
  ASSERT_TRUE(Transition(&Stub::OpenCall, draft.name(), &first, kRequestId).ok());
  ::grpc::Status st = Transition(&Stub::OpenCall, draft.name(), &again, kRequestId);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  st = Transition(&Stub::OpenCall, draft.name(), &again, kRequestId, draft.etag());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
  EXPECT_THAT(EventStates(draft.name()), ElementsAre(v1::CALL_STATE_DRAFT, v1::CALL_STATE_OPEN));
}

TEST_F(CallTest, ListFiltersAndPagesNewestOpeningFirst) {
  SeedCallSpec spec;
  spec.programme_id = "guider";
  spec.open_offset = absl::Hours(-72);
  const int64_t old_guider = env().SeedCall(spec);
  spec.open_offset = absl::Hours(-24);
  const int64_t new_guider = env().SeedCall(spec);
  spec.programme_id = "tia";
  spec.open_offset = absl::Hours(-48);
  spec.close_offset = absl::Hours(-1);  // effectively closed
  const int64_t closed_tia = env().SeedCall(spec);
  spec.lanskod = kOtherLan;
  spec.close_offset = absl::Hours(24);
  spec.open_offset = absl::Hours(-12);
  const int64_t other_lan = env().SeedCall(spec);
  spec.lanskod = kTestLan;
  spec.state = "DRAFT";
  spec.open_offset = absl::Hours(-6);
  const int64_t draft = env().SeedCall(spec);

  auto names = [&](v1::ListCallsRequest req, const std::string& token) {
    std::vector<std::string> out;
    req.set_page_size(2);
    for (int page = 0; page < 10; ++page) {
      v1::ListCallsResponse resp;
      ::grpc::Status st = env().Call(&Stub::ListCalls, token, req, &resp);
      EXPECT_TRUE(st.ok()) << Describe(st);
      for (const v1::Call& c : resp.calls()) out.push_back(c.name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  };
  auto n = [](int64_t id) { return "calls/" + std::to_string(id); };
  v1::ListCallsRequest req;
  EXPECT_THAT(names(req, ""),
              ElementsAre(n(other_lan), n(new_guider), n(closed_tia), n(old_guider)));
  EXPECT_THAT(names(req, env().AdminToken()),
              ElementsAre(n(draft), n(other_lan), n(new_guider), n(closed_tia), n(old_guider)));
  req.set_programme("programmes/guider");
  EXPECT_THAT(names(req, ""), ElementsAre(n(new_guider), n(old_guider)));
  req.clear_programme();
  req.set_state(v1::CALL_STATE_CLOSED);
  EXPECT_THAT(names(req, ""), ElementsAre(n(closed_tia)));
  req.set_state(v1::CALL_STATE_OPEN);
  req.set_lanskod(kTestLan);
  EXPECT_THAT(names(req, ""), ElementsAre(n(new_guider), n(old_guider)));
  req.set_state(v1::CALL_STATE_DRAFT);
  EXPECT_THAT(names(req, ""), ElementsAre());
  EXPECT_THAT(names(req, env().OfficerToken()), ElementsAre(n(draft)));

  v1::ListCallsResponse resp;
  req.set_lanskod("3");
  ::grpc::Status st = env().Call(&Stub::ListCalls, "", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  // A token of one list is not accepted by another.
  v1::ListCallsRequest first;
  first.set_page_size(1);
  ASSERT_TRUE(env().Call(&Stub::ListCalls, "", first, &resp).ok());
  v1::ListCallsRequest other;
  other.set_programme("programmes/tia");
  other.set_page_token(resp.next_page_token());
  st = env().Call(&Stub::ListCalls, "", other, &resp);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");
}

TEST_F(CallTest, ACountysProgrammeServesOnlyThatCounty) {
  env().Query(absl::StrCat("UPDATE programmes SET lanskod = '", kTestLan,
                           "' WHERE programme_id = 'guider'"));
  v1::Call out;
  ::grpc::Status st = Create(Call(env().clock().Now()), &out, env().AdminToken(kOtherLan));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  EXPECT_EQ(env().Count("SELECT count(*) FROM calls"), 0);
  st = Create(Call(env().clock().Now()), &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
}

TEST_F(CallTest, AnOpenCallKeepsTheEligibilityRulesItOpenedWith) {
  auto apply = [&](const v1::Call& call) {
    v1::CreateApplicationRequest req;
    req.set_parent(call.name());
    req.mutable_application()->mutable_applicant()->set_kommunkod(kKommunA);
    req.mutable_application()->mutable_applicant()->set_type(v1::APPLICANT_TYPE_KOMMUN);
    req.mutable_application()->mutable_applicant()->set_display_name("Kommunen");
    v1::Application app;
    return env().Call(&Stub::CreateApplication, env().KommunToken(), req, &app);
  };
  v1::Call before;
  ASSERT_TRUE(Transition(&Stub::OpenCall, CreateDraft().name(), &before).ok());

  // The national programme changes: kommuner may no longer apply.
  v1::GetProgrammeRequest get;
  get.set_name("programmes/guider");
  v1::Programme programme;
  ASSERT_TRUE(env().Call(&Stub::GetProgramme, "", get, &programme).ok());
  v1::UpdateProgrammeRequest change;
  *change.mutable_programme() = programme;
  change.mutable_programme()->clear_eligible_applicant_types();
  change.mutable_programme()->add_eligible_applicant_types(
      v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  change.mutable_update_mask()->add_paths("eligible_applicant_types");
  ::grpc::Status st =
      env().Call(&Stub::UpdateProgramme, env().NationalAdminToken(), change, &programme);
  ASSERT_TRUE(st.ok()) << Describe(st);

  v1::Call after;
  ASSERT_TRUE(Transition(&Stub::OpenCall, CreateDraft().name(), &after).ok());
  env().clock().Advance(absl::Hours(2));  // both calls are open now

  // The call opened before the change keeps its rules; the one opened after applies the new.
  st = apply(before);
  EXPECT_TRUE(st.ok()) << Describe(st);
  st = apply(after);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_NOT_ELIGIBLE");
}

}  // namespace
}  // namespace integration::grants::testing
