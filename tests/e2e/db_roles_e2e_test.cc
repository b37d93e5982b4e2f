// The database roles of every service with a schema in services.tsv, against a real PostgreSQL:
// bootstrapped and migrated as deployed (integration-dbadmin bootstrap, `<binary> migrate` as
// the migrator login), the runtime role <schema>_svc can read and write its tables but cannot
// change the schema (no CREATE, ALTER, DROP, TRUNCATE: a compromised server cannot drop the
// budget CHECK constraint), cannot rewrite the audit trail, cannot take the owner's role or
// migrate, and can use a table that a later migration creates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/pg/bootstrap.h"
#include "integration/pg/sql_file.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"
#include "suite.h"

namespace integration::e2e {
namespace {

constexpr char kRuntimePassword[] = "db-roles-runtime";
constexpr char kMigratorPassword[] = "db-roles-migrator";
// What PostgreSQL answers a statement the role lacks the privilege for (SQLSTATE 42501).
constexpr char kDenied[] = "denied";
constexpr char kOk[] = "ok";

// The schemas of services.tsv (column 5, "-" for none), from the file ctest names.
std::vector<std::string> SchemasOfServicesTsv() {
  const char* path = std::getenv("INTEGRATION_SERVICES_TSV");
  EXPECT_NE(path, nullptr) << "INTEGRATION_SERVICES_TSV names services.tsv (ctest sets it)";
  if (path == nullptr) return {};
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::vector<std::string> schemas;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> columns = absl::StrSplit(line, '\t');
    EXPECT_EQ(columns.size(), 5u) << "services.tsv row: " << line;
    if (columns.size() == 5 && columns[4] != "-") schemas.push_back(columns[4]);
  }
  return schemas;
}

// `<binary> migrate` of `spec` over `dsn`; its exit code, output in `output`.
int RunMigrate(const service::ServiceSpec& spec, const std::string& dsn, std::string* output) {
  const std::map<std::string, std::string> environment;
  std::ostringstream out;
  std::ostringstream err;
  service::RunOptions options;
  options.environment = &environment;
  options.out = &out;
  options.err = &err;
  const int code = service::Run(spec, {"migrate", "--pg-dsn=" + dsn}, options);
  *output = absl::StrCat(out.str(), err.str());
  return code;
}

// One connection as a role; each statement runs in a transaction of its own, committed.
class Session {
 public:
  explicit Session(const std::string& dsn) : conn_(dsn) {}

  // kOk, kDenied, or the error of any other failure.
  std::string Run(const std::string& sql) {
    try {
      pqxx::work tx(conn_);
      tx.exec(sql);
      tx.commit();
      return kOk;
    } catch (const pqxx::insufficient_privilege&) {
      return kDenied;
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
  }

  pqxx::result Query(const std::string& sql) {
    pqxx::work tx(conn_);
    pqxx::result r = tx.exec(sql);
    tx.commit();
    return r;
  }

 private:
  pqxx::connection conn_;
};

class DbRolesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new integration::testing::TestDatabase(); }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // Bootstraps and migrates the service as ./dev up and the Kubernetes Job do.
  void Install(const service::ServiceSpec& spec) {
    ASSERT_TRUE(pg::BootstrapService(db_->dsn(), spec.name,
                                     {.runtime = kRuntimePassword, .migrator = kMigratorPassword})
                    .ok());
    std::string output;
    ASSERT_EQ(RunMigrate(spec, MigratorDsn(spec.name), &output), service::kExitOk) << output;
  }

  static std::string RuntimeDsn(const std::string& schema) {
    return db_->DsnAs(pg::ServiceRole(schema), kRuntimePassword);
  }
  static std::string MigratorDsn(const std::string& schema) {
    return db_->DsnAs(pg::MigratorRole(schema), kMigratorPassword);
  }

  static integration::testing::TestDatabase* db_;
};

integration::testing::TestDatabase* DbRolesTest::db_ = nullptr;

// Every service with a schema is in the suite (and so checked below).
TEST_F(DbRolesTest, EverySchemaOfServicesTsvIsChecked) {
  std::set<std::string> suite;
  for (const SuiteService& s : RealServices()) suite.insert(s.spec.name);
  const std::vector<std::string> schemas = SchemasOfServicesTsv();
  ASSERT_FALSE(schemas.empty());
  for (const std::string& schema : schemas) {
    EXPECT_TRUE(suite.contains(schema))
        << "services.tsv has schema " << schema
        << " but tests/e2e/services has no service of that name to check its roles";
  }
}

TEST_F(DbRolesTest, TheRuntimeRoleHasDmlButNoDdlAndAnAppendOnlyAuditLog) {
  const std::vector<std::string> schemas = SchemasOfServicesTsv();
  size_t checked = 0;
  for (const SuiteService& s : RealServices()) {
    const std::string& schema = s.spec.name;
    if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) continue;
    SCOPED_TRACE(schema);
    ++checked;
    Install(s.spec);
    if (HasFatalFailure()) return;
    Session admin(db_->dsn());
    Session runtime(RuntimeDsn(schema));
    const std::string svc = pg::ServiceRole(schema);
    const std::string q_schema = admin.Query("SELECT quote_ident('" + schema + "')")[0][0].c_str();

    // The schema and every table belong to the owner role.
    EXPECT_EQ(admin
                  .Query("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" +
                         schema + "'")[0][0]
                  .as<std::string>(),
              pg::OwnerRole(schema));
    std::vector<std::string> tables;
    for (const pqxx::row& row :
         admin.Query("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = '" + schema +
                     "' ORDER BY tablename")) {
      tables.push_back(row[0].as<std::string>());
      EXPECT_EQ(row[1].as<std::string>(), pg::OwnerRole(schema)) << tables.back();
    }
    ASSERT_THAT(tables, ::testing::IsSupersetOf({"audit_log", "outbox", "schema_migrations"}));

    // DML on every table but the append-only ones; no DDL and no TRUNCATE on any.
    for (const std::string& table : tables) {
      SCOPED_TRACE(table);
      const std::string qualified = absl::StrCat(q_schema, ".", table);
      const bool writable = table != "audit_log" && table != "schema_migrations";
      const auto has = [&](const std::string& privilege) {
        return admin
            .Query("SELECT has_table_privilege('" + svc + "', '" + qualified + "', '" +
                   privilege + "')")[0][0]
            .as<bool>();
      };
      EXPECT_TRUE(has("SELECT"));
      EXPECT_EQ(has("INSERT"), table != "schema_migrations");
      EXPECT_EQ(has("UPDATE"), writable);
      EXPECT_EQ(has("DELETE"), writable);
      EXPECT_EQ(runtime.Run("SELECT count(*) FROM " + table), kOk);
      EXPECT_EQ(runtime.Run("TRUNCATE " + table), kDenied);
      EXPECT_EQ(runtime.Run("ALTER TABLE " + table + " ADD COLUMN intruder text"), kDenied);
      EXPECT_EQ(runtime.Run("DROP TABLE " + table + " CASCADE"), kDenied);
    }
    // Every sequence (bigserial ids) can be drawn from.
    for (const pqxx::row& row :
         admin.Query("SELECT sequencename FROM pg_sequences WHERE schemaname = '" + schema + "'")) {
      EXPECT_EQ(runtime.Run("SELECT nextval('" + row[0].as<std::string>() + "')"), kOk)
          << row[0].as<std::string>();
    }
    // No CHECK constraint can be dropped (the budget's in grants, among others).
    for (const pqxx::row& row : admin.Query(
             "SELECT c.conrelid::regclass::text, quote_ident(c.conname) FROM pg_constraint c "
             "JOIN pg_namespace n ON n.oid = c.connamespace "
             "WHERE c.contype = 'c' AND n.nspname = '" +
             schema + "'")) {
      EXPECT_EQ(runtime.Run("ALTER TABLE " + row[0].as<std::string>() + " DROP CONSTRAINT " +
                            row[1].as<std::string>()),
                kDenied)
          << row[0].as<std::string>() << " " << row[1].as<std::string>();
    }
    EXPECT_EQ(runtime.Run("CREATE TABLE intruder (id int)"), kDenied);
    EXPECT_EQ(runtime.Run("CREATE TABLE " + q_schema + ".intruder (id int)"), kDenied);
    EXPECT_EQ(runtime.Run("CREATE VIEW intruder AS SELECT 1"), kDenied);
    EXPECT_EQ(runtime.Run("CREATE FUNCTION " + q_schema +
                          ".intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'"),
              kDenied);
    EXPECT_EQ(runtime.Run("SET ROLE " + pg::OwnerRole(schema)), kDenied);

    // The audit trail: readable and appendable, never rewritten.
    EXPECT_EQ(runtime.Run("INSERT INTO audit_log (actor, role, action, resource) "
                          "VALUES ('db-roles-test', 'test', 'probe', 'probe')"),
              kOk);
    EXPECT_EQ(runtime.Run("UPDATE audit_log SET detail = 'forged'"), kDenied);
    EXPECT_EQ(runtime.Run("DELETE FROM audit_log"), kDenied);
    EXPECT_EQ(runtime.Run("DELETE FROM schema_migrations"), kDenied);
    // Ordinary DML, as the servers do it.
    EXPECT_EQ(runtime.Run("INSERT INTO request_ids (scope, request_id, fingerprint, response) "
                          "VALUES ('db-roles-test', gen_random_uuid(), '', '')"),
              kOk);
    EXPECT_EQ(runtime.Run("UPDATE request_ids SET response = 'x' WHERE scope = 'db-roles-test'"),
              kOk);
    EXPECT_EQ(runtime.Run("DELETE FROM request_ids WHERE scope = 'db-roles-test'"), kOk);

    // The runtime role cannot migrate.
    std::string output;
    EXPECT_EQ(RunMigrate(s.spec, RuntimeDsn(schema), &output), service::kExitFailure) << output;

    // A later migration's table is usable by the runtime role: through the default privileges
    // alone (created as the owner, as a migration does, before `migrate` grants anything)...
    Session migrator(MigratorDsn(schema));
    EXPECT_EQ(migrator.Run("SET ROLE " + pg::OwnerRole(schema) +
                           "; CREATE TABLE later_by_owner (id bigserial PRIMARY KEY, note text)"),
              kOk);
    EXPECT_EQ(runtime.Run("INSERT INTO later_by_owner (note) VALUES ('a')"), kOk);
    EXPECT_EQ(runtime.Run("UPDATE later_by_owner SET note = 'b'"), kOk);
    EXPECT_EQ(runtime.Run("DELETE FROM later_by_owner"), kOk);
    EXPECT_EQ(runtime.Run("DROP TABLE later_by_owner"), kDenied);
    // ...and through `migrate` with one more file, which leaves the audit log append-only.
    std::vector<pg::SqlFile> migrations(s.spec.migrations.begin(), s.spec.migrations.end());
    migrations.push_back({"9000_later_probe",
                          "CREATE TABLE later_probe (id bigserial PRIMARY KEY, note text);"});
    service::ServiceSpec later = s.spec;
    later.migrations = migrations;
    ASSERT_EQ(RunMigrate(later, MigratorDsn(schema), &output), service::kExitOk) << output;
    EXPECT_EQ(runtime.Run("INSERT INTO later_probe (note) VALUES ('a')"), kOk);
    EXPECT_EQ(runtime.Run("UPDATE later_probe SET note = 'b'"), kOk);
    EXPECT_EQ(runtime.Run("DELETE FROM later_probe"), kOk);
    EXPECT_EQ(runtime.Run("ALTER TABLE later_probe DROP COLUMN note"), kDenied);
    EXPECT_EQ(runtime.Run("UPDATE audit_log SET detail = 'forged'"), kDenied);
  }
  EXPECT_EQ(checked, schemas.size());
}

}  // namespace
}  // namespace integration::e2e
