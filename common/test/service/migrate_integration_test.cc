// `<binary> migrate` against a real PostgreSQL: the runtime migration and the service's own,
// as the service's role, a no-op the second time, and failures with exit status 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "echo_service.h"
#include "integration/pg/bootstrap.h"
#include "integration/pg/dsn.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"

namespace integration::service {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

Result Migrate(const std::string& name, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {}) {
  std::ostringstream out;
  std::ostringstream err;
  RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  std::vector<std::string> all = {"migrate"};
  all.insert(all.end(), args.begin(), args.end());
  Result r;
  r.code = Run(testing::EchoSpec(name), all, options);
  r.out = out.str();
  r.err = err.str();
  return r;
}

class MigrateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = std::make_unique<integration::testing::TestDatabase>(); }
  static void TearDownTestSuite() { db_.reset(); }

  // The DSN of the migrator login of a freshly bootstrapped service schema.
  std::string Bootstrap(const std::string& name) {
    absl::Status st = pg::BootstrapService(db_->dsn(), name, {.runtime = RuntimePassword(name),
                                                              .migrator = "pw-m-" + name});
    EXPECT_TRUE(st.ok()) << st;
    return db_->DsnAs(pg::MigratorRole(name), "pw-m-" + name);
  }
  static std::string RuntimePassword(const std::string& name) { return "pw-" + name; }
  std::string RuntimeDsn(const std::string& name) {
    return db_->DsnAs(pg::ServiceRole(name), RuntimePassword(name));
  }

  std::set<std::string> Tables(const std::string& schema) {
    pqxx::connection conn(db_->dsn());
    pqxx::work tx(conn);
    std::set<std::string> out;
    for (const auto& row : tx.exec_params(
             "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)) {
      out.insert(row[0].as<std::string>());
    }
    return out;
  }

  std::vector<std::string> Recorded(const std::string& schema) {
    pqxx::connection conn(db_->dsn());
    pqxx::work tx(conn);
    std::vector<std::string> out;
    for (const auto& row : tx.exec("SELECT version || ' ' || name FROM " + tx.quote_name(schema) +
                                   ".schema_migrations ORDER BY version")) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  }

  static std::unique_ptr<integration::testing::TestDatabase> db_;
};

std::unique_ptr<integration::testing::TestDatabase> MigrateTest::db_;

TEST_F(MigrateTest, AppliesRuntimeThenServiceMigrationsAndIsANoOpTheSecondTime) {
  const std::string dsn = Bootstrap("echo_migrate");
  Result first = Migrate("echo_migrate", {"--pg-dsn=" + dsn});
  ASSERT_EQ(first.code, kExitOk) << first.err;
  EXPECT_EQ(first.out,
            "applied 0000_runtime\napplied 0001_test\n"
            "schema echo_migrate: 2 applied, 0 already applied\n");
  EXPECT_EQ(first.err, "");
  EXPECT_THAT(Tables("echo_migrate"), IsSupersetOf({"outbox", "handled_events", "audit_log",
                                                    "request_ids", "echoes", "schema_migrations"}));
  EXPECT_EQ(Recorded("echo_migrate"), (std::vector<std::string>{"0 0000_runtime", "1 0001_test"}));

  // The DSN from the environment this time, as the Kubernetes Job passes it.
  Result second = Migrate("echo_migrate", {}, {{"ECHO_MIGRATE_PG_DSN", dsn}});
  ASSERT_EQ(second.code, kExitOk) << second.err;
  EXPECT_EQ(second.out,
            "skipped 0000_runtime\nskipped 0001_test\n"
            "schema echo_migrate: 0 applied, 2 already applied\n");
  EXPECT_EQ(Recorded("echo_migrate"), (std::vector<std::string>{"0 0000_runtime", "1 0001_test"}));
}

TEST_F(MigrateTest, TablesBelongToTheOwnerRoleNotTheMigratorLogin) {
  const std::string dsn = Bootstrap("echo_owner");
  ASSERT_EQ(Migrate("echo_owner", {"--pg-dsn=" + dsn}).code, kExitOk);
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  pqxx::result owners =
      tx.exec("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'echo_owner'");
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0][0].as<std::string>(), "echo_owner_owner");
}

// The Kubernetes Job shares the server's DSN (user <service>_svc) and names its own login.
TEST_F(MigrateTest, PgMigrateUserReplacesTheUserOfTheDsn) {
  const std::string migrator_dsn = Bootstrap("echo_user");
  absl::StatusOr<std::string> shared = pg::DsnWith(migrator_dsn, {{"user", "echo_user_svc"}});
  ASSERT_TRUE(shared.ok()) << shared.status();
  Result r = Migrate("echo_user", {"--pg-dsn=" + *shared},
                     {{"ECHO_USER_PG_MIGRATE_USER", "echo_user_migrator"}});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(Tables("echo_user"), ::testing::Contains("schema_migrations"));
}

TEST_F(MigrateTest, TheRuntimeRoleCannotMigrate) {
  Bootstrap("echo_denied");
  Result r = Migrate("echo_denied", {"--pg-dsn=" + RuntimeDsn("echo_denied")});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("cannot act as echo_denied_owner"));
  EXPECT_THAT(Tables("echo_denied"), Not(::testing::Contains("schema_migrations")));
}

// The runtime role works with the tables but cannot change the audit trail, the migration
// records or the schema, also after a second run of `migrate`.
TEST_F(MigrateTest, TheRuntimeRoleHasDmlAndAnAppendOnlyAuditLog) {
  const std::string dsn = Bootstrap("echo_rights");
  ASSERT_EQ(Migrate("echo_rights", {"--pg-dsn=" + dsn}).code, kExitOk);
  ASSERT_EQ(Migrate("echo_rights", {"--pg-dsn=" + dsn}).code, kExitOk);
  const auto state_of = [&](const std::string& sql) -> std::string {
    try {
      pqxx::connection conn(RuntimeDsn("echo_rights"));
      pqxx::work tx(conn);
      tx.exec(sql);
      tx.commit();
      return "ok";
    } catch (const pqxx::insufficient_privilege&) {
      return "denied";
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
  };
  EXPECT_EQ(state_of("INSERT INTO audit_log (actor, role, action, resource) "
                     "VALUES ('a', 'r', 'x', 'y')"),
            "ok");
  EXPECT_EQ(state_of("SELECT count(*) FROM audit_log"), "ok");
  EXPECT_EQ(state_of("UPDATE audit_log SET detail = 'forged'"), "denied");
  EXPECT_EQ(state_of("DELETE FROM audit_log"), "denied");
  EXPECT_EQ(state_of("TRUNCATE audit_log"), "denied");
  EXPECT_EQ(state_of("DELETE FROM schema_migrations"), "denied");
  EXPECT_EQ(state_of("SELECT count(*) FROM schema_migrations"), "ok");
  EXPECT_EQ(state_of("INSERT INTO request_ids (scope, request_id, fingerprint, response) "
                     "VALUES ('s', gen_random_uuid(), '', '')"),
            "ok");
  EXPECT_EQ(state_of("DELETE FROM request_ids"), "ok");
  EXPECT_EQ(state_of("CREATE TABLE extra (id int)"), "denied");
  EXPECT_EQ(state_of("DROP TABLE outbox"), "denied");
  EXPECT_EQ(state_of("DELETE FROM echoes"), "ok");
}

// A service's own append-only table (ServiceSpec::append_only_tables) is treated like the audit
// log.
TEST_F(MigrateTest, AppendOnlyTablesOfTheSpecLoseUpdateAndDelete) {
  const std::string dsn = Bootstrap("echo_append");
  ServiceSpec spec = testing::EchoSpec("echo_append");
  spec.append_only_tables = {"echoes"};
  std::ostringstream out;
  std::ostringstream err;
  const std::map<std::string, std::string> env;
  RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  ASSERT_EQ(service::Run(spec, {"migrate", "--pg-dsn=" + dsn}, options), kExitOk) << err.str();
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  pqxx::row rights = tx.exec1(
      "SELECT has_table_privilege('echo_append_svc', 'echo_append.echoes', 'INSERT'), "
      "has_table_privilege('echo_append_svc', 'echo_append.echoes', 'UPDATE'), "
      "has_table_privilege('echo_append_svc', 'echo_append.echoes', 'DELETE')");
  EXPECT_TRUE(rights[0].as<bool>());
  EXPECT_FALSE(rights[1].as<bool>());
  EXPECT_FALSE(rights[2].as<bool>());
}

TEST_F(MigrateTest, MissingSchemaFailsWithExitOne) {
  // Never bootstrapped: the migration refuses instead of creating it as the wrong owner.
  Result r = Migrate("echo_nowhere", {"--pg-dsn=" + db_->dsn()});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("echo-server migrate: "));
  EXPECT_THAT(r.err, HasSubstr("echo_nowhere does not exist"));
  EXPECT_EQ(r.out, "");
}

TEST_F(MigrateTest, UnreachableServerFailsWithExitOneWithoutThePassword) {
  Result r = Migrate("echo_migrate",
                     {"--pg-dsn=host=127.0.0.1 port=1 user=u password=s3cret-pw dbname=x"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("echo-server migrate: "));
  EXPECT_THAT(r.err, Not(HasSubstr("s3cret-pw")));
}

}  // namespace
}  // namespace integration::service
