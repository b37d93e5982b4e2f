// Database and service bootstrap against a real PostgreSQL: idempotence, and that a service
// role can use its own schema but nothing of another service nor schema public.
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
      const std::string role = tx.quote_name(ServiceRole(service));
      if (!tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", ServiceRole(service))
               .empty()) {
        tx.exec("DROP OWNED BY " + role + " CASCADE");
        tx.exec("DROP ROLE " + role);
      }
    }
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
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, "alpha-secret").ok());
  ASSERT_TRUE(BootstrapService(db_.dsn(), beta_, "beta-secret").ok());

  const std::string alpha_dsn = db_.DsnAs(ServiceRole(alpha_), "alpha-secret");
  const std::string beta_dsn = db_.DsnAs(ServiceRole(beta_), "beta-secret");

  // Alpha works in its schema; unqualified names resolve there.
  EXPECT_EQ(SqlStateOf(alpha_dsn,
                       "CREATE TABLE ledger (id int PRIMARY KEY, amount_ore bigint);"
                       "INSERT INTO ledger VALUES (1, 100)"),
            "");
  EXPECT_EQ(Admin("SELECT count(*) FROM " + alpha_ + ".ledger")[0][0].as<int>(), 1);
  EXPECT_EQ(
      Admin("SELECT tableowner FROM pg_tables WHERE tablename = 'ledger'")[0][0].as<std::string>(),
      ServiceRole(alpha_));

  // Beta can neither read alpha's data, nor create in alpha's schema or in public.
  EXPECT_EQ(SqlStateOf(beta_dsn, "SELECT * FROM " + alpha_ + ".ledger"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TABLE " + alpha_ + ".intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TABLE public.intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(alpha_dsn, "CREATE TABLE public.intruder (id int)"), "42501");
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TEMP TABLE scratch (id int)"), "42501");
  // ...but can work in its own schema.
  EXPECT_EQ(SqlStateOf(beta_dsn, "CREATE TABLE " + beta_ + ".own (id int)"), "");
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
          [&, i] { results[i] = BootstrapService(dsns[i], alpha_, "shared-secret"); });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kDatabases; ++i) {
      EXPECT_TRUE(results[i].ok()) << "round " << round << ", database " << i << ": "
                                   << results[i];
    }
  }
  // The role owns a schema in each database: those go first, then the databases.
  for (int i = 0; i < kDatabases; ++i) {
    {
      pqxx::connection conn(dsns[i]);
      pqxx::nontransaction tx(conn);
      tx.exec("DROP OWNED BY " + tx.quote_name(ServiceRole(alpha_)) + " CASCADE");
    }
    pqxx::connection conn(db_.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE " + tx.quote_name(Unique("boot_race_" + std::to_string(i))));
  }
}

TEST_F(BootstrapTest, RoleHasOnlyLoginAndAScramPassword) {
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, "first-password").ok());
  pqxx::row role = Admin(
      "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
      "rolbypassrls, rolpassword FROM pg_authid WHERE rolname = '" +
      ServiceRole(alpha_) + "'")[0];
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
            ServiceRole(alpha_));

  // Running it again succeeds and sets the new password.
  ASSERT_TRUE(BootstrapService(db_.dsn(), alpha_, "second-password").ok());
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
        "a_name_that_is_far_too_long_for_a_postgres_role_with_the_suffix"}) {
    absl::Status st = BootstrapService(db_.dsn(), bad, "pw");
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(BootstrapService(db_.dsn(), alpha_, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      Admin("SELECT 1 FROM pg_roles WHERE rolname = '" + ServiceRole(alpha_) + "'").empty());
}

TEST_F(BootstrapTest, UnreachableServerIsUnavailableWithTheReason) {
  absl::Status st =
      BootstrapService("host=127.0.0.1 port=9 user=postgres password=hunter2", alpha_, "pw");
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
