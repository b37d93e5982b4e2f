// The diploma key settings of training-server as a whole: previous public keys published after
// the current one, and start-up refused (naming the setting) for a bad key file.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "integration/pg/bootstrap.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"
#include "integration/testing/temp_dir.h"
#include "lansstyrelsen/integration/training/v1/training_service.grpc.pb.h"
#include "training_spec.h"

namespace integration::training {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "diploma-keys-test";
constexpr char kMigratorPassword[] = "diploma-keys-test-migrator";

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

// A migrated test database and the settings every run of the server needs.
class DiplomaKeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = std::make_unique<integration::testing::TestDatabase>();
    ASSERT_TRUE(pg::BootstrapService(db_->dsn(), "training",
                                     {.runtime = kPassword, .migrator = kMigratorPassword})
                    .ok());
    dir_ = std::make_unique<integration::testing::TempDir>("training_keys_test_");
    ASSERT_TRUE(dir_->ok());
    std::ostringstream out, err;
    service::RunOptions options;
    options.environment = &environment_;
    options.out = &out;
    options.err = &err;
    ASSERT_EQ(service::Run(TrainingSpec(),
                           {"migrate", "--pg-dsn=" + db_->DsnAs(pg::MigratorRole("training"),
                                                                 kMigratorPassword)},
                           options),
              service::kExitOk)
        << err.str();
  }
  static void TearDownTestSuite() {
    db_.reset();
    dir_.reset();
  }

  static std::string ServiceDsn() {
    return db_->DsnAs(pg::ServiceRole("training"), kPassword);
  }

  // A JWKS file with a fresh key (the runtime requires one; no token is sent in these tests).
  static std::string SubjectKeyFile() {
    const std::string path = dir_->File("subject_keys");
    if (!std::filesystem::exists(path)) WriteFile(path, "k1 " + std::string(64, 'a') + "\n");
    return path;
  }
  static std::string JwksFile() {
    const std::string path = dir_->File("jwks.json");
    if (!std::filesystem::exists(path)) {
      std::string private_pem = NewPrivateKeyPem("jwt");
      absl::StatusOr<std::string> jwks = auth::JwksFromPrivateKey(private_pem, "k");
      EXPECT_TRUE(jwks.ok()) << jwks.status();
      WriteFile(path, jwks.ok() ? *jwks : "");
    }
    return path;
  }

  // PKCS#8 PEM of a new Ed25519 key, made with the openssl CLI like an operator would.
  static std::string NewPrivateKeyPem(const std::string& name) {
    const std::string path = dir_->File(absl::StrCat("generated-", name, ".pem"));
    EXPECT_EQ(std::system(("openssl genpkey -algorithm ed25519 -out " + path).c_str()), 0);
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::vector<std::string> ServeArgs(const std::string& signing_key_file,
                                     const std::string& previous_keys_file) {
    std::vector<std::string> args = {
        "serve",
        "--pg-dsn=" + ServiceDsn(),
        absl::StrCat("--redis-addr=", integration::testing::RedisHost(), ":",
                     integration::testing::RedisPort()),
        "--listen-host=127.0.0.1",
        "--grpc-port=0",
        "--admin-port=0",
        "--shutdown-delay=0",
        "--jwks-file=" + JwksFile(),
        "--subject-key-file=" + SubjectKeyFile(),
        "--log-level=error",
        "--diploma-signing-key-file=" + signing_key_file,
    };
    if (!previous_keys_file.empty()) {
      args.push_back("--diploma-previous-public-keys-file=" + previous_keys_file);
    }
    return args;
  }

  static std::unique_ptr<integration::testing::TestDatabase> db_;
  static std::unique_ptr<integration::testing::TempDir> dir_;
  static std::map<std::string, std::string> environment_;  // the process env is not read
};

std::unique_ptr<integration::testing::TestDatabase> DiplomaKeysTest::db_;
std::unique_ptr<integration::testing::TempDir> DiplomaKeysTest::dir_;
std::map<std::string, std::string> DiplomaKeysTest::environment_;

TEST_F(DiplomaKeysTest, PublishesTheCurrentKeyFirstThenThePreviousOnes) {
  const std::string current_pem = NewPrivateKeyPem("current");
  const std::string old_pem = NewPrivateKeyPem("old");
  absl::StatusOr<DiplomaSigner> current = DiplomaSigner::FromPem(current_pem);
  absl::StatusOr<DiplomaSigner> old = DiplomaSigner::FromPem(old_pem);
  ASSERT_TRUE(current.ok() && old.ok());
  WriteFile(dir_->File("current.pem"), current_pem);
  // The previous-keys file as an operator keeps it: comments, the old key, and (harmlessly)
  // the current key again, which must not be listed twice.
  WriteFile(dir_->File("previous.pem"), "# rotated 2026-01-01\n" + old->PublicKeyPem() +
                                            "# current\n" + current->PublicKeyPem());

  absl::Notification started;
  std::function<void()> stop;
  int port = 0;
  std::ostringstream err;
  service::RunOptions options;
  options.environment = &environment_;
  options.err = &err;
  options.on_started = [&](const service::Running& running) {
    port = running.grpc_port;
    stop = running.request_shutdown;
    started.Notify();
  };
  int exit_code = -1;
  std::thread server([&] {
    exit_code = service::Run(
        TrainingSpec(), ServeArgs(dir_->File("current.pem"), dir_->File("previous.pem")), options);
    if (!started.HasBeenNotified()) started.Notify();
  });
  started.WaitForNotification();
  ASSERT_NE(port, 0) << err.str();

  auto stub = lansstyrelsen::integration::training::v1::TrainingService::NewStub(
      ::grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                            ::grpc::InsecureChannelCredentials()));
  lansstyrelsen::integration::training::v1::GetDiplomaPublicKeyResponse keys;
  ::grpc::Status st;
  // The first call may race the readiness check: retry briefly while UNAVAILABLE.
  for (int i = 0; i < 50; ++i) {
    ::grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    st = stub->GetDiplomaPublicKey(
        &ctx, lansstyrelsen::integration::training::v1::GetDiplomaPublicKeyRequest(), &keys);
    if (st.error_code() != ::grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  stop();
  server.join();
  EXPECT_EQ(exit_code, service::kExitOk) << err.str();

  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(keys.keys_size(), 2);
  EXPECT_EQ(keys.keys(0).key_id(), current->key_id());
  EXPECT_EQ(keys.keys(0).public_key_pem(), current->PublicKeyPem());
  EXPECT_EQ(keys.keys(1).key_id(), old->key_id());
  EXPECT_EQ(keys.keys(1).public_key(), old->RawPublicKey());
  EXPECT_EQ(keys.keys(1).algorithm(), "Ed25519");
}

TEST_F(DiplomaKeysTest, RefusesToStartWithoutAUsableSigningKey) {
  struct Case {
    std::string signing_key_file;
    std::string previous_keys_file;
    std::string message;
  };
  WriteFile(dir_->File("not-a-key.pem"), "hello\n");
  WriteFile(dir_->File("good.pem"), NewPrivateKeyPem("good"));
  const std::vector<Case> cases = {
      {"", "", "--diploma-signing-key-file (env TRAINING_DIPLOMA_SIGNING_KEY_FILE) is required"},
      {dir_->File("missing.pem"), "", "--diploma-signing-key-file"},
      {dir_->File("not-a-key.pem"), "", "--diploma-signing-key-file"},
      // A private key where public keys belong.
      {dir_->File("good.pem"), dir_->File("good.pem"), "--diploma-previous-public-keys-file"},
      {dir_->File("good.pem"), dir_->File("not-a-key.pem"), "--diploma-previous-public-keys-file"},
  };
  for (const Case& c : cases) {
    std::ostringstream out, err;
    service::RunOptions options;
    options.environment = &environment_;
    options.out = &out;
    options.err = &err;
    options.on_started = [](const service::Running& running) { running.request_shutdown(); };
    const int code =
        service::Run(TrainingSpec(), ServeArgs(c.signing_key_file, c.previous_keys_file), options);
    EXPECT_EQ(code, service::kExitFailure) << c.signing_key_file << " " << c.previous_keys_file;
    EXPECT_THAT(err.str(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace integration::training
