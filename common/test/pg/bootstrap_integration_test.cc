// Database and service bootstrap against a real PostgreSQL: idempotence, the split of owner,
// migrator and runtime roles, and that a service's roles can use their own schema but nothing
// of another service nor schema public.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "integration/pg/bootstrap.h"
#include "integration/pg/dsn.h"
#include "integration/testing/environment.h"

namespace integration::pg {
namespace {

// Roles are cluster-wide, so their names are unique per test process.
std::string Unique(const std::string& base) { return base + "_" + std::to_string(::getpid()); }

// The SQLSTATE of running `sql` over `dsn`, or "" when it succeeds.
std::string SqlStateOf(const std::string& dsn, const std::string& sql) {
  try {
    pqxx::connection conn(dsn);
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
    return "";
  } catch (const pqxx::insufficient_privilege&) {
    return "42501";  // libpqxx 6.4 leaves sqlstate() empty for this class
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate().empty() ? std::string("no sqlstate: ") + e.what() : e.sqlstate();
  }
}

class BootstrapTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // DROP OWNED also revokes the grants on the database, so that DROP ROLE can succeed.
    pqxx::connection conn(db_.dsn());
    pqxx::nontransaction tx(conn);
    for (const std::string& service : {alpha_, beta_}) {
      for (const std::string& name :
           {ServiceRole(service), MigratorRole(service), OwnerRole(service)}) {
        if (!tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", name).empty()) {
          tx.exec("DROP OWNED BY " + tx.quote_name(name) + " CASCADE");
          tx.exec("DROP ROLE " + tx.quote_name(name));
        }
      }
    }
  }

  static ServicePasswords Passwords(const std::string& runtime) {
    return {.runtime = runtime, .migrator = runtime + "-migrator"};
  }
  std::string RuntimeDsn(const std::string& service, const std::string& password) {
    return db_.DsnAs(ServiceRole(service), password);
  }
  std::string MigratorDsn(const std::string& service, const std::string& password) {
    return db_.DsnAs(MigratorRole(service), password + "-migrator");
  }

  pqxx::result Admin(const std::string& sql) {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    pqxx::result r = tx.exec(sql);
    tx.commit();
    return r;
  }

  testing::TestDatabase db_;
  const std::string alpha_ = Unique("alpha");
  const std::string beta_ = Unique("beta");
};

TEST_F(BootstrapTest, ServiceRolesAreIsolatedToTheirOwnSchema) {
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, Passwords("alpha-secret")).ok());
  ASSERT_TRUE(BootstrapService(db_.dsn(), beta_, Passwords("beta-secret")).ok());

  const std::string alpha_dsn = RuntimeDsn(alpha_, "alpha-secret");
  const std::string beta_dsn = RuntimeDsn(beta_, "beta-secret");

  // Alpha's migrator creates as the owner; alpha's runtime role works with the table through
  // the default privileges; unqualified names resolve in the schema.
  EXPECT_EQ(SqlStateOf(MigratorDsn(alpha_, "alpha-secret"),
                       "SET ROLE " + OwnerRole(alpha_) +
                           "; CREATE TABLE ledger (id int PRIMARY KEY, amount_ore bigint)"),
            "");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "INSERT INTO ledger VALUES (1, 100)"), "");
  EXPECT_EQ(Admin("SELECT count(*) FROM " + alpha_ + ".ledger")[0][0].as<int>(), 1);
  EXPECT_EQ(
      Admin("SELECT tableowner FROM pg_tables WHERE tablename = 'ledger'")[0][0].as<std::string>(),
      OwnerRole(alpha_));

  // Beta can neither read alpha's data, nor create in alpha's schema or in public.
  EXPECT_EQ(SqlStateOf(beta_dsn, "SELECT * FROM " + alpha_ + ".ledger"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TABLE " + alpha_ + ".intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TABLE public.intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "CREATE TABLE public.intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TEMP TABLE scratch (id int)"), "42501");
  // Nor can a runtime role change its own schema, or take its owner's role.
  EXPECT_EQ(SqlStateOf(alpha_dsn, "CREATE TABLE own (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "ALTER TABLE ledger ADD COLUMN note text"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "DROP TABLE ledger"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "TRUNCATE ledger"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "SET ROLE " + OwnerRole(alpha_)), "42501");
  // The migrator has no rights of its own (NOINHERIT) until it takes the owner's role.
  EXPECT_EQ(
      SqlStateOf(MigratorDsn(alpha_, "alpha-secret"), "CREATE TABLE " + alpha_ + ".stray (id int)"),
      "42501");
  EXPECT_EQ(SqlStateOf(MigratorDsn(beta_, "beta-secret"), "SET ROLE " + OwnerRole(alpha_)),
            "42501");
}

// A schema bootstrapped before the roles were split belonged, with its tables, to the runtime
// role; bootstrapping again hands everything to the owner.
TEST_F(BootstrapTest, ObjectsOfTheRuntimeRoleGoToTheOwner) {
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, Passwords("alpha-secret")).ok());
  Admin("ALTER SCHEMA " + alpha_ + " OWNER TO " + ServiceRole(alpha_) + "; CREATE TABLE " +
        alpha_ + ".legacy (id int); ALTER TABLE " + alpha_ + ".legacy OWNER TO " +
        ServiceRole(alpha_));
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, Passwords("alpha-secret")).ok());
  EXPECT_EQ(Admin("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" + alpha_ +
                  "'")[0][0]
                .as<std::string>(),
            OwnerRole(alpha_));
  EXPECT_EQ(Admin("SELECT tableowner FROM pg_tables WHERE schemaname = '" + alpha_ +
                  "' AND tablename = 'legacy'")[0][0]
                .as<std::string>(),
            OwnerRole(alpha_));
  EXPECT_EQ(SqlStateOf(RuntimeDsn(alpha_, "alpha-secret"), "DROP TABLE legacy"), "42501");
}

// Roles belong to the cluster: bootstraps of one service into several databases at once (the
// parallel test suites do this) race on the same role; every one of them must succeed.
TEST_F(BootstrapTest, ConcurrentBootstrapsOfOneServiceIntoSeveralDatabasesAllSucceed) {
  constexpr int kDatabases = 4;
  std::vector<std::string> dsns;
  for (int i = 0; i < kDatabases; ++i) {
    const std::string name = Unique("boot_race_" + std::to_string(i));
    ASSERT_TRUE(BootstrapDatabase(db_.dsn(), name).ok());
    absl::StatusOr<std::string> dsn = DsnWith(db_.dsn(), {{"dbname", name}});
    ASSERT_TRUE(dsn.ok()) << dsn.status();
    dsns.push_back(*dsn);
  }
  for (int round = 0; round < 5; ++round) {
    std::vector<absl::Status> results(kDatabases);
    std::vector<std::thread> threads;
    for (int i = 0; i < kDatabases; ++i) {
      threads.emplace_back(
          [&, i] { results[i] = BootstrapService(dsns[i], alpha_, Passwords("shared-secret")); });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kDatabases; ++i) {
      EXPECT_TRUE(results[i].ok()) << "round " << round << ", database " << i << ": "
                                   << results[i];
    }
  }
  // The roles own a schema and have grants in each database: those go first, then the
  // databases.
  for (int i = 0; i < kDatabases; ++i) {
    {
      pqxx::connection conn(dsns[i]);
      pqxx::nontransaction tx(conn);
      for (const std::string& name :
           {ServiceRole(alpha_), MigratorRole(alpha_), OwnerRole(alpha_)}) {
        tx.exec("DROP OWNED BY " + tx.quote_name(name) + " CASCADE");
      }
    }
    pqxx::connection conn(db_.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE " + tx.quote_name(Unique("boot_race_" + std::to_string(i))));
  }
}

TEST_F(BootstrapTest, RolesHaveOnlyLoginAndAScramPassword) {
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, Passwords("first-password")).ok());
  pqxx::row role = Admin(
      "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
      "rolbypassrls, rolpassword, rolinherit FROM pg_authid WHERE rolname = '" +
      ServiceRole(alpha_) + "'")[0];
  EXPECT_FALSE(role[6].as<bool>());
  EXPECT_TRUE(role[0].as<bool>());
  EXPECT_FALSE(role[1].as<bool>());
  EXPECT_FALSE(role[2].as<bool>());
  EXPECT_FALSE(role[3].as<bool>());
  EXPECT_FALSE(role[4].as<bool>());
  const std::string verifier = role[5].as<std::string>();
  EXPECT_THAT(verifier, ::testing::StartsWith("SCRAM-SHA-256$"));
  EXPECT_THAT(verifier, ::testing::Not(::testing::HasSubstr("first-password")));
  EXPECT_EQ(Admin("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = '" + alpha_ +
                  "'")[0][0]
                .as<std::string>(),
            OwnerRole(alpha_));
  // The owner cannot log in; the migrator can, and inherits nothing without SET ROLE.
  pqxx::row owner = Admin(
      "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolpassword "
      "FROM pg_authid WHERE rolname = '" +
      OwnerRole(alpha_) + "'")[0];
  EXPECT_FALSE(owner[0].as<bool>());
  EXPECT_FALSE(owner[1].as<bool>() || owner[2].as<bool>() || owner[3].as<bool>() ||
               owner[4].as<bool>());
  EXPECT_TRUE(owner[5].is_null());
  pqxx::row migrator = Admin(
      "SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, "
      "rolpassword FROM pg_authid WHERE rolname = '" +
      MigratorRole(alpha_) + "'")[0];
  EXPECT_TRUE(migrator[0].as<bool>());
  EXPECT_FALSE(migrator[1].as<bool>());
  EXPECT_FALSE(migrator[2].as<bool>() || migrator[3].as<bool>() || migrator[4].as<bool>() ||
               migrator[5].as<bool>());
  EXPECT_THAT(migrator[6].as<std::string>(), ::testing::StartsWith("SCRAM-SHA-256$"));
  EXPECT_NE(migrator[6].as<std::string>(), verifier);

  // Running it again succeeds and sets the new password.
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, Passwords("second-password")).ok());
  const std::string rotated =
      Admin("SELECT rolpassword FROM pg_authid WHERE rolname = '" + ServiceRole(alpha_) + "'")[0][0]
          .as<std::string>();
  EXPECT_NE(rotated, verifier);
  EXPECT_EQ(
      Admin("SELECT count(*) FROM pg_namespace WHERE nspname = '" + alpha_ + "'")[0][0].as<int>(),
      1);
}

TEST_F(BootstrapTest, InvalidServiceNamesAndPasswordsAreRejected) {
  for (const char* bad :
       {"", "Alpha", "1alpha", "al-pha", "al pha", "alpha;drop", "public", "pg_alpha", "_alpha",
        "a_name_that_is_too_long_for_a_postgres_role_with_the_suffix"}) {
    absl::Status st = BootstrapService(db_.dsn(), bad, Passwords("pw"));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(BootstrapService(db_.dsn(), alpha_, {.runtime = "", .migrator = "m"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BootstrapService(db_.dsn(), alpha_, {.runtime = "r", .migrator = ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BootstrapService(db_.dsn(), alpha_, {.runtime = "same", .migrator = "same"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      Admin("SELECT 1 FROM pg_roles WHERE rolname = '" + ServiceRole(alpha_) + "'").empty());
}

TEST_F(BootstrapTest, UnreachableServerIsUnavailableWithTheReason) {
  absl::Status st =
      BootstrapService("host=127.0.0.1 port=9 user=postgres password=hunter2", alpha_,
                       Passwords("pw"));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("127.0.0.1"));
  EXPECT_THAT(std::string(st.message()), ::testing::Not(::testing::HasSubstr("hunter2")));
}

TEST(BootstrapDatabaseTest, CreatesOnceAndIsIdempotent) {
  const std::string name = Unique("t_bootstrap_db");
  const std::string admin = testing::AdminDsn();
  ASSERT_TRUE(BootstrapDatabase(admin, name).ok());
  ASSERT_TRUE(BootstrapDatabase(admin, name).ok());
  {
    absl::StatusOr<std::string> dsn = DsnWith(admin, {{"dbname", name}});
    ASSERT_TRUE(dsn.ok());
    pqxx::connection conn(*dsn);
    pqxx::work tx(conn);
    EXPECT_EQ(tx.exec1("SELECT current_database()")[0].as<std::string>(), name);
  }
  pqxx::connection conn(admin);
  pqxx::nontransaction tx(conn);
  tx.exec("DROP DATABASE " + tx.quote_name(name) + " WITH (FORCE)");

  EXPECT_EQ(BootstrapDatabase(admin, "Bad-Name").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BootstrapDatabase(admin, "").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::pg
