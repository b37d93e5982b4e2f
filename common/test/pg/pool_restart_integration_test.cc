// Pool recovery across a PostgreSQL restart (its own binary: the restart disturbs every
// connection of the private cluster, so it must not run beside the other pool tests' state).
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>

#include "absl/time/clock.h"
#include "integration/pg/pool.h"
#include "integration/testing/environment.h"

namespace integration::pg {
namespace {

TEST(PoolRestartTest, NextTransactionSucceedsAfterRestartAndReconnectsAreCounted) {
  testing::TestDatabase db;
  PoolOptions options;
  options.dsn = db.dsn();
  options.size = 3;
  options.application_name = "pool-restart-test";
  absl::StatusOr<std::unique_ptr<Pool>> created = Pool::Create(std::move(options));
  ASSERT_TRUE(created.ok()) << created.status();
  Pool& pool = **created;

  auto write = [](int id) {
    return [id](pqxx::work& tx) {
      if (id == 1) tx.exec("CREATE TABLE IF NOT EXISTS marks (id int PRIMARY KEY)");
      tx.exec("INSERT INTO marks VALUES (" + std::to_string(id) + ")");
      return absl::OkStatus();
    };
  };
  ASSERT_TRUE(pool.Transact(absl::Now() + absl::Seconds(10), write(1)).ok());
  EXPECT_EQ(pool.Stats().open, 1);
  EXPECT_EQ(pool.Stats().reconnects, 0);

  testing::RestartPostgres();

  // The pooled connection died with the old server; the pool replaces it without the caller
  // seeing an error.
  absl::Status st = pool.Transact(absl::Now() + absl::Seconds(10), write(2));
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_GE(pool.Stats().reconnects, 1);
  EXPECT_EQ(pool.Stats().open, 1);
  EXPECT_EQ(pool.Stats().in_use, 0);

  absl::StatusOr<int64_t> rows = pool.TransactFor<int64_t>(
      absl::Now() + absl::Seconds(10), [](pqxx::work& tx) -> absl::StatusOr<int64_t> {
        return tx.exec1("SELECT count(*) FROM marks")[0].as<int64_t>();
      });
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 2);
  EXPECT_TRUE(pool.Ping(std::chrono::seconds(5)).ok());
}

}  // namespace
}  // namespace integration::pg
