// Migration runner against a real PostgreSQL: ordering, idempotence, checksums, name rules,
// rollback of a failing file and concurrent runners.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "integration/pg/migrate.h"
#include "integration/status/status.h"
#include "integration/testing/environment.h"

namespace integration::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr SqlFile kCreateItems = {"0001_create_items",
                                  "CREATE TABLE items (id bigint PRIMARY KEY, name text);"};
constexpr SqlFile kAddPrice = {"0002_add_price",
                               "ALTER TABLE items ADD COLUMN price_ore bigint NOT NULL DEFAULT 0;"
                               "CREATE INDEX items_price ON items (price_ore);"};
constexpr SqlFile kSeed = {"0003_seed", "INSERT INTO items (id, name) VALUES (1, 'first');"};

std::string ReasonOf(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override { Exec("CREATE SCHEMA svc"); }

  pqxx::result Exec(const std::string& sql) {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    pqxx::result r = tx.exec(sql);
    tx.commit();
    return r;
  }

  int64_t Count(const std::string& sql) { return Exec(sql)[0][0].as<int64_t>(); }

  bool TableExists(const std::string& qualified) {
    return !Exec("SELECT to_regclass('" + qualified + "')")[0][0].is_null();
  }

  testing::TestDatabase db_;
};

TEST_F(MigrateTest, AppliesInOrderIntoTheSchemaAndRecordsChecksums) {
  const SqlFile files[] = {kCreateItems, kAddPrice};
  absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "svc", files);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->applied, ElementsAre("0001_create_items", "0002_add_price"));
  EXPECT_THAT(result->skipped, IsEmpty());

  // search_path of the migration was the schema, not public.
  EXPECT_TRUE(TableExists("svc.items"));
  EXPECT_FALSE(TableExists("public.items"));
  EXPECT_EQ(Count("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'svc' "
                  "AND table_name = 'items' AND column_name = 'price_ore'"),
            1);

  // The recorded checksum is the SHA-256 of the file text, as PostgreSQL computes it too.
  pqxx::result rows = Exec(
      "SELECT version, name, checksum, "
      "  checksum = encode(sha256(convert_to($$" +
      std::string(kCreateItems.text) +
      "$$, 'UTF8')), 'hex'), applied_at <= now() "
      "FROM svc.schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].as<int>(), 1);
  EXPECT_EQ(rows[0][1].as<std::string>(), "0001_create_items");
  EXPECT_EQ(rows[0][2].as<std::string>().size(), 64u);
  EXPECT_TRUE(rows[0][3].as<bool>());
  EXPECT_TRUE(rows[0][4].as<bool>());
  EXPECT_EQ(rows[1][0].as<int>(), 2);
  EXPECT_EQ(rows[1][1].as<std::string>(), "0002_add_price");
}

TEST_F(MigrateTest, RerunIsANoOpAndNewFilesAreAppended) {
  const SqlFile first[] = {kCreateItems, kAddPrice};
  ASSERT_TRUE(Migrate(db_.dsn(), "svc", first).ok());
  const std::string applied_at =
      Exec("SELECT applied_at::text FROM svc.schema_migrations WHERE version = 1")[0][0]
          .as<std::string>();

  absl::StatusOr<MigrationResult> again = Migrate(db_.dsn(), "svc", first);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->applied, IsEmpty());
  EXPECT_THAT(again->skipped, ElementsAre("0001_create_items", "0002_add_price"));
  EXPECT_EQ(Exec("SELECT applied_at::text FROM svc.schema_migrations WHERE version = 1")[0][0]
                .as<std::string>(),
            applied_at);

  const SqlFile more[] = {kCreateItems, kAddPrice, kSeed};
  absl::StatusOr<MigrationResult> appended = Migrate(db_.dsn(), "svc", more);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_THAT(appended->applied, ElementsAre("0003_seed"));
  EXPECT_THAT(appended->skipped, ElementsAre("0001_create_items", "0002_add_price"));
  EXPECT_EQ(Count("SELECT count(*) FROM svc.items"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM svc.schema_migrations"), 3);
}

TEST_F(MigrateTest, EditedAppliedMigrationIsRefusedAndNothingElseApplied) {
  const SqlFile first[] = {kCreateItems};
  ASSERT_TRUE(Migrate(db_.dsn(), "svc", first).ok());

  const SqlFile edited[] = {
      {"0001_create_items", "CREATE TABLE items (id bigint PRIMARY KEY, name text, x int);"},
      kAddPrice};
  absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "svc", edited);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(result.status()), "MIGRATION_CHECKSUM_MISMATCH");
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("0001_create_items"));
  auto info = status::GetErrorInfo(result.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("migration"), "0001_create_items");
  // 0002 was not applied because the run was refused as a whole.
  EXPECT_EQ(Count("SELECT count(*) FROM svc.schema_migrations"), 1);
}

TEST_F(MigrateTest, BadNamesAndDuplicateVersionsAreRejectedBeforeTouchingTheDatabase) {
  for (const char* bad : {"1_init", "0001-init", "0001_Init", "0001_", "init", "00001_init",
                          "0001_init.sql", "abcd_init"}) {
    const SqlFile files[] = {{bad, "CREATE TABLE x (id int);"}};
    absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "svc", files);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(ReasonOf(result.status()), "MIGRATION_BAD_NAME") << bad;
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(bad));
  }
  const SqlFile duplicate[] = {{"0001_a", "SELECT 1;"}, {"0001_b", "SELECT 1;"}};
  absl::StatusOr<MigrationResult> dup = Migrate(db_.dsn(), "svc", duplicate);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(dup.status()), "MIGRATION_DUPLICATE_VERSION");

  const SqlFile unordered[] = {{"0002_b", "SELECT 1;"}, {"0001_a", "SELECT 1;"}};
  absl::StatusOr<MigrationResult> order = Migrate(db_.dsn(), "svc", unordered);
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);

  const SqlFile ok[] = {kCreateItems};
  absl::StatusOr<MigrationResult> bad_schema = Migrate(db_.dsn(), "svc; DROP", ok);
  EXPECT_EQ(bad_schema.status().code(), absl::StatusCode::kInvalidArgument);

  // Nothing reached the database, not even the bookkeeping table.
  EXPECT_FALSE(TableExists("svc.schema_migrations"));
  EXPECT_FALSE(TableExists("svc.x"));
}

TEST_F(MigrateTest, FailingMigrationRollsBackAndKeepsEarlierOnes) {
  const SqlFile files[] = {kCreateItems,
                           {"0002_broken",
                            "CREATE TABLE half_done (id int); INSERT INTO items VALUES (7, 'x');"
                            "SELECT 1 / 0;"},
                           kSeed};
  absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "svc", files);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ReasonOf(result.status()), "MIGRATION_FAILED");
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("0002_broken"));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("division by zero"));

  EXPECT_TRUE(TableExists("svc.items"));
  EXPECT_FALSE(TableExists("svc.half_done"));
  EXPECT_EQ(Count("SELECT count(*) FROM svc.items"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM svc.schema_migrations"), 1);
  EXPECT_EQ(Count("SELECT version FROM svc.schema_migrations"), 1);

  // Once fixed, the run continues where it stopped.
  const SqlFile fixed[] = {
      kCreateItems, {"0002_broken", "CREATE TABLE half_done (id int);"}, kSeed};
  absl::StatusOr<MigrationResult> rerun = Migrate(db_.dsn(), "svc", fixed);
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  EXPECT_THAT(rerun->applied, ElementsAre("0002_broken", "0003_seed"));
}

TEST_F(MigrateTest, AMissingOlderFileIsRefusedAsOutOfOrder) {
  const SqlFile with_gap[] = {kCreateItems, kSeed};
  ASSERT_TRUE(Migrate(db_.dsn(), "svc", with_gap).ok());
  const SqlFile all[] = {kCreateItems, kAddPrice, kSeed};
  absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "svc", all);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(result.status()), "MIGRATION_OUT_OF_ORDER");
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("0002_add_price"));
}

TEST_F(MigrateTest, MissingSchemaIsAFailedPrecondition) {
  const SqlFile files[] = {kCreateItems};
  absl::StatusOr<MigrationResult> result = Migrate(db_.dsn(), "nosuchschema", files);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(result.status()), "SCHEMA_MISSING");
}

TEST_F(MigrateTest, ConcurrentRunnersApplyEachFileExactlyOnce) {
  // Each file fails if applied twice (no IF NOT EXISTS), and the first is slow so that the
  // runners really overlap.
  const SqlFile files[] = {
      {"0001_slow", "SELECT pg_sleep(0.3); CREATE TABLE a (id int);"},
      {"0002_b", "CREATE TABLE b (id int);"},
      {"0003_c", "CREATE TABLE c (id int);"},
      {"0004_d", "INSERT INTO a VALUES (1);"},
  };
  absl::StatusOr<MigrationResult> results[2] = {absl::UnknownError("not run"),
                                                absl::UnknownError("not run")};
  {
    std::vector<std::thread> runners;
    for (auto& result : results) {
      runners.emplace_back([&] { result = Migrate(db_.dsn(), "svc", files); });
    }
    for (auto& t : runners) t.join();
  }
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  std::vector<std::string> applied = results[0]->applied;
  applied.insert(applied.end(), results[1]->applied.begin(), results[1]->applied.end());
  std::sort(applied.begin(), applied.end());
  EXPECT_THAT(applied, ElementsAre("0001_slow", "0002_b", "0003_c", "0004_d"));
  EXPECT_EQ(results[0]->applied.size() + results[0]->skipped.size(), 4u);
  EXPECT_EQ(results[1]->applied.size() + results[1]->skipped.size(), 4u);
  EXPECT_EQ(Count("SELECT count(*) FROM svc.schema_migrations"), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM svc.a"), 1);
}

TEST_F(MigrateTest, LockTimeoutFailsInsteadOfWaitingForAnotherRunner) {
  const SqlFile files[] = {kCreateItems};
  // Another runner (a second pod starting, a stuck migration) holds the schema's lock.
  pqxx::connection holder(db_.dsn());
  pqxx::nontransaction(holder).exec("SELECT pg_advisory_lock(hashtext('svc.schema_migrations'))");
  MigrateOptions options;
  options.lock_timeout = std::chrono::milliseconds(300);
  const absl::Time start = absl::Now();
  absl::StatusOr<MigrationResult> blocked = Migrate(db_.dsn(), "svc", files, options);
  ASSERT_FALSE(blocked.ok());
  EXPECT_THAT(std::string(blocked.status().message()),
              HasSubstr("cannot take the migration lock within 300 ms"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "it must not wait for the holder";
  EXPECT_FALSE(TableExists("svc.items"));

  pqxx::nontransaction(holder).exec("SELECT pg_advisory_unlock(hashtext('svc.schema_migrations'))");
  absl::StatusOr<MigrationResult> after = Migrate(db_.dsn(), "svc", files, options);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(after->applied, ElementsAre("0001_create_items"));
}

TEST_F(MigrateTest, RequiredAndAppliedSchemaVersions) {
  const SqlFile all[] = {kCreateItems, kAddPrice, kSeed};
  EXPECT_EQ(*RequiredSchemaVersion(all), 3);
  EXPECT_EQ(*RequiredSchemaVersion({}), 0);
  const SqlFile bad[] = {{"1_x", "SELECT 1"}};
  EXPECT_EQ(RequiredSchemaVersion(bad).status().code(), absl::StatusCode::kInvalidArgument);
  auto applied = [&] {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    return AppliedSchemaVersion(tx, "svc");
  };
  EXPECT_EQ(*applied(), -1) << "never migrated";
  const SqlFile first_two[] = {kCreateItems, kAddPrice};
  ASSERT_TRUE(Migrate(db_.dsn(), "svc", first_two).ok());
  EXPECT_EQ(*applied(), 2);
  ASSERT_TRUE(Migrate(db_.dsn(), "svc", all).ok());
  EXPECT_EQ(*applied(), 3);
}

}  // namespace
}  // namespace integration::pg
