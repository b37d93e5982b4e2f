// The per-binary test database of integration::testing: its name, its DSNs, and that it is
// dropped again (other helpers' integration tests all rely on it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "integration/pg/dsn.h"
#include "integration/testing/environment.h"

namespace integration::testing {
namespace {

bool DatabaseExists(const std::string& name) {
  pqxx::connection conn(AdminDsn());
  pqxx::work tx(conn);
  return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

TEST(TestDatabaseTest, IsNamedAfterTheBinaryPidAndSequenceAndDroppedAtTheEnd) {
  auto db = std::make_unique<TestDatabase>();
  const std::string name = db->name();
  const std::string prefix =
      "t_common_pg_integration_tests_" + std::to_string(::getpid()) + "_";
  ASSERT_EQ(name.substr(0, prefix.size()), prefix) << name;
  EXPECT_TRUE(DatabaseExists(name));
  // A second database of the same process while the first exists gets a name of its own.
  {
    TestDatabase second;
    EXPECT_NE(second.name(), name);
    EXPECT_EQ(second.name().substr(0, prefix.size()), prefix);
    EXPECT_TRUE(DatabaseExists(second.name()));
    EXPECT_TRUE(DatabaseExists(name));
  }

  {
    pqxx::connection conn(db->dsn());
    pqxx::work tx(conn);
    EXPECT_EQ(tx.exec1("SELECT current_database()")[0].as<std::string>(), name);
    // A session still open when the database is dropped does not block the drop.
  }
  pqxx::connection lingering(db->dsn());
  db.reset();
  EXPECT_FALSE(DatabaseExists(name));
}

TEST(TestDatabaseTest, DsnAsKeepsHostAndDatabaseAndSwapsTheRole) {
  TestDatabase db;
  absl::StatusOr<std::map<std::string, std::string>> admin = pg::ParseDsn(AdminDsn());
  absl::StatusOr<std::map<std::string, std::string>> as =
      pg::ParseDsn(db.DsnAs("some_role", "pa ss'word\\"));
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(as.ok()) << as.status();
  EXPECT_EQ((*as)["user"], "some_role");
  EXPECT_EQ((*as)["password"], "pa ss'word\\");
  EXPECT_EQ((*as)["dbname"], db.name());
  EXPECT_EQ((*as)["host"], (*admin)["host"]);
  EXPECT_EQ((*as)["port"], (*admin)["port"]);
}

TEST(TestDatabaseTest, RequiredEnvironmentMissingFailsTheBinary) {
  // Fails, never skips: the child aborts with the instruction to use ./dev test.
  EXPECT_DEATH(
      {
        ::unsetenv("INTEGRATION_TEST_PG_DSN");
        AdminDsn();
      },
      "run integration tests through ./dev test");
  EXPECT_DEATH(
      {
        ::unsetenv("INTEGRATION_TEST_REDIS_PORT");
        RedisPort();
      },
      "INTEGRATION_TEST_REDIS_PORT is not set");
}

}  // namespace
}  // namespace integration::testing
