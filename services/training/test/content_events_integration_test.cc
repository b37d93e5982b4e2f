// Course content changes announce themselves: every committed CreatePart, UpdatePart,
// CreateModule, UpdateModule, PublishModule (of a draft) and UpdateQuiz writes one
// lansstyrelsen.integration.training.v1.ContentChangedEvent outbox row in its own transaction,
// which the relay then publishes; refused changes, retries of the same request and re-publishing
// write none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kRequestId[] = "3c1d9f0e-6b2a-4e57-8c41-2f9a7b6d5e13";

// One lansstyrelsen.integration.training.v1.ContentChangedEvent row of the outbox, its payload
// decoded.
struct ContentRow {
  std::string aggregate;
  v1::ContentChangedEvent event;
  bool published = false;
};

class ContentEventsTest : public TrainingTest {
 protected:
  std::vector<ContentRow> ContentRows() {
    std::vector<ContentRow> rows;
    const pqxx::result r = env().Query(
        "SELECT aggregate, payload, published_at IS NOT NULL FROM outbox"
        " WHERE event_type = 'lansstyrelsen.integration.training.v1.ContentChangedEvent' ORDER BY "
        "id");
    for (const pqxx::row& row : r) {
      ContentRow out;
      out.aggregate = row[0].as<std::string>();
      const pqxx::binarystring payload(row[1]);
      EXPECT_TRUE(out.event.ParseFromString(payload.str())) << out.aggregate;
      out.published = row[2].as<bool>();
      rows.push_back(std::move(out));
    }
    return rows;
  }
  std::vector<std::string> Aggregates() {
    std::vector<std::string> names;
    for (const ContentRow& row : ContentRows()) names.push_back(row.aggregate);
    return names;
  }
};

TEST_F(ContentEventsTest, EveryContentChangeWritesOneEvent) {
  const absl::Time before = env().clock().Now();
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion").ok());
  ASSERT_TRUE(env().CreateModule("introduktion", "m1", "Mottagandet").ok());
  ASSERT_TRUE(env().SetQuiz("introduktion", "m1", MakeQuiz({})).ok());
  absl::StatusOr<v1::Module> published = env().Publish("introduktion", "m1");
  ASSERT_TRUE(published.ok()) << published.status();

  v1::UpdatePartRequest part;
  part.mutable_part()->set_name("parts/introduktion");
  part.mutable_part()->set_title("Introduktion till mottagandet");
  part.mutable_update_mask()->add_paths("title");
  v1::Part updated_part;
  ::grpc::Status st = env().Call(&Stub::UpdatePart, env().AdminToken(), part, &updated_part);
  ASSERT_TRUE(st.ok()) << Describe(st);

  v1::UpdateModuleRequest module;
  module.mutable_module()->set_name("parts/introduktion/modules/m1");
  module.mutable_module()->set_description("Hur mottagandet går till");
  module.mutable_update_mask()->add_paths("description");
  v1::Module updated_module;
  st = env().Call(&Stub::UpdateModule, env().AdminToken(), module, &updated_module);
  ASSERT_TRUE(st.ok()) << Describe(st);

  const std::vector<ContentRow> rows = ContentRows();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_THAT(Aggregates(), ElementsAre("parts/introduktion", "parts/introduktion/modules/m1",
                                        "parts/introduktion/modules/m1/quiz",
                                        "parts/introduktion/modules/m1", "parts/introduktion",
                                        "parts/introduktion/modules/m1"));
  const std::vector<v1::ContentChange> changes = {
      v1::CONTENT_CHANGE_CREATED, v1::CONTENT_CHANGE_CREATED, v1::CONTENT_CHANGE_UPDATED,
      v1::CONTENT_CHANGE_PUBLISHED, v1::CONTENT_CHANGE_UPDATED, v1::CONTENT_CHANGE_UPDATED};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].event.resource(), rows[i].aggregate);
    EXPECT_EQ(rows[i].event.change(), changes[i]) << rows[i].aggregate;
    // The service's clock, not the wall clock of the database.
    const absl::Time at = absl::FromUnixSeconds(rows[i].event.change_time().seconds());
    EXPECT_GE(at, before - absl::Seconds(1)) << rows[i].aggregate;
    EXPECT_LE(at, env().clock().Now() + absl::Seconds(1)) << rows[i].aggregate;
  }
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.ContentChangedEvent' AND "
                        "headers->>'request_id' <> ''"),
            6);

  // The relay publishes them to Redis (nudged after each commit) and marks them sent.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  bool all_published = false;
  while (!all_published && absl::Now() < give_up) {
    all_published = true;
    for (const ContentRow& row : ContentRows()) all_published = all_published && row.published;
    if (!all_published) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(all_published);
}

TEST_F(ContentEventsTest, TheEventFollowsTheClock) {
  env().clock().Advance(absl::Hours(24 * 10));
  const absl::Time now = env().clock().Now();
  ASSERT_TRUE(env().CreatePart("framtid", "Framtid").ok());
  const std::vector<ContentRow> rows = ContentRows();
  ASSERT_EQ(rows.size(), 1u);
  const absl::Time at = absl::FromUnixSeconds(rows[0].event.change_time().seconds());
  EXPECT_LT(absl::AbsDuration(at - now), absl::Seconds(5));
}

TEST_F(ContentEventsTest, NoEventWithoutACommittedChange) {
  ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion").ok());
  ASSERT_TRUE(env().PublishedModule("introduktion", "m1", MakeQuiz({})).ok());
  const size_t before = ContentRows().size();
  ASSERT_EQ(before, 4u);  // part, module, quiz, publish

  // A retry of the same CreatePart request returns the first answer and changes nothing.
  v1::CreatePartRequest create;
  create.set_part_id("asyl");
  create.mutable_part()->set_title("Asylprocessen");
  create.set_request_id(kRequestId);
  v1::Part created;
  ::grpc::Status st = env().Call(&Stub::CreatePart, env().AdminToken(), create, &created);
  ASSERT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::CreatePart, env().AdminToken(), create, &created);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(ContentRows().size(), before + 1);

  // Publishing a published module again.
  ASSERT_TRUE(env().Publish("introduktion", "m1").ok());
  // Refused: a stale etag, a taken id, a learner's token.
  v1::UpdatePartRequest stale;
  stale.mutable_part()->set_name("parts/introduktion");
  stale.mutable_part()->set_title("Ny titel");
  stale.mutable_part()->set_etag("r0");
  stale.mutable_update_mask()->add_paths("title");
  v1::Part part;
  st = env().Call(&Stub::UpdatePart, env().AdminToken(), stale, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED) << Describe(st);
  EXPECT_FALSE(env().CreatePart("introduktion", "Igen").ok());
  v1::CreatePartRequest by_learner;
  by_learner.set_part_id("otillaten");
  by_learner.mutable_part()->set_title("Otillåten");
  st = env().Call(&Stub::CreatePart, env().LearnerToken("anna"), by_learner, &part);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);

  EXPECT_EQ(ContentRows().size(), before + 1);
}

}  // namespace
}  // namespace integration::training::testing
