// integration-dbadmin: creates the database and bootstraps service roles and schemas with
// the cluster's admin credentials (the services themselves never hold them).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "integration/log/log.h"
#include "integration/pg/bootstrap.h"

namespace {

// Exit codes: scripts (./dev up) retry on kUnavailable while PostgreSQL is starting.
constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kUnavailable = 3;

constexpr const char* kProgram = "integration-dbadmin";
constexpr const char* kDsnEnv = "INTEGRATION_DBADMIN_DSN";

constexpr const char* kUsageText =
    "usage:\n"
    "  integration-dbadmin create-database --dsn DSN --database NAME\n"
    "      Creates database NAME unless it exists. DSN: libpq connection string of an admin\n"
    "      role, to any database of the cluster (e.g. dbname=postgres).\n"
    "  integration-dbadmin bootstrap --dsn DSN --service NAME --password-file FILE\n"
    "                                --migrator-password-file FILE\n"
    "      In the database DSN names: schema NAME owned by role NAME_owner (NOLOGIN); role\n"
    "      NAME_migrator (LOGIN, member of NAME_owner, password from --migrator-password-file)\n"
    "      that `<binary> migrate` logs in as; role NAME_svc (LOGIN, password from\n"
    "      --password-file) that the server runs as, with DML rights on the schema's tables\n"
    "      and no DDL. Trailing newlines of the files are ignored. PUBLIC loses its default\n"
    "      rights on the database and on schema public. Safe to repeat (resets the passwords).\n"
    "\n"
    "  --dsn may be omitted when INTEGRATION_DBADMIN_DSN is set (keeps passwords out of ps).\n"
    "  Flags are given as --flag VALUE or --flag=VALUE.\n"
    "exit codes: 0 done, 1 failed, 2 bad command line, 3 database unavailable (retry later)\n";

int Usage(const std::string& error) {
  std::cerr << kProgram << ": " << error << "\n\n" << kUsageText;
  return kUsage;
}

int Report(const std::string& command, const absl::Status& status) {
  if (status.ok()) return kOk;
  std::cerr << kProgram << ": " << command << ": " << status.message() << "\n";
  return status.code() == absl::StatusCode::kUnavailable ? kUnavailable : kFailed;
}

// Parses "--name VALUE" / "--name=VALUE" pairs; each allowed flag at most once.
bool ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& allowed,
                std::map<std::string, std::string>* flags, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      *error = absl::StrCat("unexpected argument \"", arg, "\"");
      return false;
    }
    std::string name = arg.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      *error = absl::StrCat("--", name, " needs a value");
      return false;
    }
    if (!allowed.contains(name)) {
      *error = absl::StrCat("unknown flag --", name);
      return false;
    }
    if (!flags->emplace(name, value).second) {
      *error = absl::StrCat("--", name, " given twice");
      return false;
    }
  }
  return true;
}

// The value of a required, non-empty flag; otherwise false with what is missing in `error`.
bool Require(const std::map<std::string, std::string>& flags, const std::string& name,
             std::string* value, std::string* error) {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) {
    *error = absl::StrCat("--", name, " is required");
    return false;
  }
  *value = it->second;
  return true;
}

bool ResolveDsn(std::map<std::string, std::string>* flags) {
  if (flags->contains("dsn")) return true;
  const char* env = std::getenv(kDsnEnv);
  if (env == nullptr || *env == '\0') return false;
  (*flags)["dsn"] = env;
  return true;
}

absl::Status ReadPassword(const std::string& path, std::string* password) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read password file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  *password = text.str();
  // Files written with `echo` or an editor end in a newline that is not part of the secret.
  if (!password->empty() && password->back() == '\n') password->pop_back();
  if (!password->empty() && password->back() == '\r') password->pop_back();
  if (password->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("password file ", path, " is empty"));
  }
  return absl::OkStatus();
}

int CreateDatabase(const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  std::string error, dsn, database;
  if (!ParseFlags(args, {"dsn", "database"}, &flags, &error)) return Usage(error);
  if (!ResolveDsn(&flags)) return Usage(absl::StrCat("--dsn (or ", kDsnEnv, ") is required"));
  if (!Require(flags, "dsn", &dsn, &error) || !Require(flags, "database", &database, &error)) {
    return Usage(error);
  }
  absl::Status st = integration::pg::BootstrapDatabase(dsn, database);
  if (st.ok()) std::cout << "database " << database << " ready\n";
  return Report("create-database", st);
}

int Bootstrap(const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  std::string error, dsn, service, password_file, migrator_password_file;
  if (!ParseFlags(args, {"dsn", "service", "password-file", "migrator-password-file"}, &flags,
                  &error)) {
    return Usage(error);
  }
  if (!ResolveDsn(&flags)) return Usage(absl::StrCat("--dsn (or ", kDsnEnv, ") is required"));
  if (!Require(flags, "dsn", &dsn, &error) || !Require(flags, "service", &service, &error) ||
      !Require(flags, "password-file", &password_file, &error) ||
      !Require(flags, "migrator-password-file", &migrator_password_file, &error)) {
    return Usage(error);
  }
  integration::pg::ServicePasswords passwords;
  if (absl::Status st = ReadPassword(password_file, &passwords.runtime); !st.ok()) {
    return Report("bootstrap", st);
  }
  if (absl::Status st = ReadPassword(migrator_password_file, &passwords.migrator); !st.ok()) {
    return Report("bootstrap", st);
  }
  absl::Status st = integration::pg::BootstrapService(dsn, service, passwords);
  if (st.ok()) {
    std::cout << "service " << service << " ready: schema " << service << " owned by "
              << integration::pg::OwnerRole(service) << ", migrations as "
              << integration::pg::MigratorRole(service) << ", runtime role "
              << integration::pg::ServiceRole(service) << "\n";
  }
  return Report("bootstrap", st);
}

}  // namespace

int main(int argc, char** argv) {
  integration::log::SetService("dbadmin");
  // The outcome is printed in plain words; library info lines would only repeat it.
  integration::log::SetMinLevel(integration::log::Level::kWarning);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("a command is required");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsageText;
    return kOk;
  }
  if (command == "create-database") return CreateDatabase(args);
  if (command == "bootstrap") return Bootstrap(args);
  return Usage(absl::StrCat("unknown command \"", command, "\""));
}
