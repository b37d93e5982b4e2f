// The training service's test harness: keys, database, an in-process server and helpers.
#include "training_test_env.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "integration/auth/auth.h"
#include "integration/pg/bootstrap.h"
#include "integration/service/service.h"
#include "integration/status/status.h"
#include "training_spec.h"

namespace integration::training::testing {
namespace {

constexpr char kJwtKid[] = "training-test-key";
constexpr char kServicePassword[] = "training-test-password";

// A fresh Ed25519 key: its PKCS#8 private PEM and SubjectPublicKeyInfo public PEM.
absl::Status NewEd25519Key(std::string* private_pem, std::string* public_pem) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  if (key == nullptr) return absl::InternalError("Ed25519 key generation failed");
  auto to_pem = [&](bool private_part, std::string* out) -> bool {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (bio == nullptr) return false;
    const int ok = private_part ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr,
                                                           0, nullptr, nullptr)
                                : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1) return false;
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    out->assign(data, static_cast<size_t>(len));
    return true;
  };
  if (!to_pem(true, private_pem) || !to_pem(false, public_pem)) {
    return absl::InternalError("writing an Ed25519 key as PEM failed");
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// The status of a failed call as an absl::Status (keeping ErrorInfo/BadRequest), for helpers.
absl::Status ToAbsl(const ::grpc::Status& status) { return status::FromGrpc(status); }

const v1::QuizQuestion* FindQuestion(const v1::Quiz& quiz, const std::string& question_id) {
  for (const v1::QuizQuestion& q : quiz.questions()) {
    if (q.question_id() == question_id) return &q;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TestClock

absl::Time TestClock::Now() const {
  absl::MutexLock lock(&mu_);
  return absl::Now() + offset_;
}

void TestClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  offset_ += by;
}

void TestClock::Reset() {
  absl::MutexLock lock(&mu_);
  offset_ = absl::ZeroDuration();
}

// ---------------------------------------------------------------------------------------------
// Quizzes and answers

v1::Quiz MakeQuiz(const QuizSpec& spec) {
  v1::Quiz quiz;
  for (int i = 1; i <= spec.questions; ++i) {
    v1::QuizQuestion* q = quiz.add_questions();
    q->set_question_id(absl::StrCat("q", i));
    const bool multiple = i % 3 == 0;
    q->set_text(absl::StrCat("Fråga ", i, ": vad stämmer om mottagandet?"));
    q->set_kind(multiple ? v1::QUESTION_KIND_MULTIPLE_ANSWER : v1::QUESTION_KIND_SINGLE_ANSWER);
    const char* ids[] = {"a", "b", "c"};
    for (const char* id : ids) {
      v1::QuizOption* o = q->add_options();
      o->set_option_id(id);
      o->set_text(absl::StrCat("Alternativ ", id, " till fråga ", i));
      o->set_correct(std::string(id) == "a" || (multiple && std::string(id) == "c"));
    }
  }
  quiz.set_pass_mark_percent(spec.pass_mark_percent);
  quiz.set_questions_per_attempt(spec.questions_per_attempt);
  quiz.set_max_attempts(spec.max_attempts);
  quiz.set_retry_delay_seconds(spec.retry_delay_seconds);
  quiz.set_time_limit_seconds(spec.time_limit_seconds);
  return quiz;
}

std::vector<v1::Answer> RightAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz) {
  std::vector<v1::Answer> answers;
  for (const v1::ServedQuestion& served : attempt.questions()) {
    v1::Answer answer;
    answer.set_question_id(served.question_id());
    const v1::QuizQuestion* q = FindQuestion(quiz, served.question_id());
    EXPECT_NE(q, nullptr) << "served question " << served.question_id() << " is not in the quiz";
    if (q == nullptr) continue;
    for (const v1::QuizOption& o : q->options()) {
      if (o.correct()) answer.add_option_ids(o.option_id());
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

std::vector<v1::Answer> WrongAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz) {
  std::vector<v1::Answer> answers;
  for (const v1::ServedQuestion& served : attempt.questions()) {
    v1::Answer answer;
    answer.set_question_id(served.question_id());
    const v1::QuizQuestion* q = FindQuestion(quiz, served.question_id());
    EXPECT_NE(q, nullptr) << "served question " << served.question_id() << " is not in the quiz";
    if (q == nullptr) continue;
    for (const v1::QuizOption& o : q->options()) {
      if (!o.correct()) {
        answer.add_option_ids(o.option_id());
        break;
      }
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

// ---------------------------------------------------------------------------------------------
// Status helpers

std::string ReasonOf(const ::grpc::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(ToAbsl(status));
  return info ? info->reason() : "";
}

std::vector<std::string> ViolationFieldsOf(const ::grpc::Status& status) {
  std::vector<std::string> fields;
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(ToAbsl(status));
  if (!bad) return fields;
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  return fields;
}

std::map<std::string, std::string> MetadataOf(const ::grpc::Status& status) {
  std::map<std::string, std::string> out;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(ToAbsl(status));
  if (info) out.insert(info->metadata().begin(), info->metadata().end());
  return out;
}

std::string Describe(const ::grpc::Status& status) {
  return absl::StrCat(static_cast<int>(status.error_code()), ": ", status.error_message(), " [",
                      ReasonOf(status),
                      "] fields: ", absl::StrJoin(ViolationFieldsOf(status), ", "));
}

// ---------------------------------------------------------------------------------------------
// TrainingTestEnv

absl::StatusOr<std::unique_ptr<TrainingTestEnv>> TrainingTestEnv::Start() {
  auto env = std::make_unique<TrainingTestEnv>(PassKey());
  if (absl::Status st = env->Launch(); !st.ok()) return st;
  return env;
}

absl::Status TrainingTestEnv::Launch() {
  std::string pattern = (std::filesystem::temp_directory_path() / "training_test_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  dir_ = pattern;

  // Keys: one for tokens (published as the JWKS), one for diplomas.
  std::string jwt_public_pem;
  if (absl::Status st = NewEd25519Key(&jwt_key_pem_, &jwt_public_pem); !st.ok()) return st;
  absl::StatusOr<std::string> jwks = auth::JwksFromPrivateKey(jwt_key_pem_, kJwtKid);
  if (!jwks.ok()) return jwks.status();
  jwks_file_ = dir_ + "/jwks.json";
  if (absl::Status st = WriteFile(jwks_file_, *jwks); !st.ok()) return st;
  if (absl::Status st = NewEd25519Key(&signing_key_pem_, &signing_public_key_pem_); !st.ok()) {
    return st;
  }
  signing_key_file_ = dir_ + "/diploma_signing_key.pem";
  if (absl::Status st = WriteFile(signing_key_file_, signing_key_pem_); !st.ok()) return st;

  // Database: schema and role "training", as integration-dbadmin sets them up.
  db_ = std::make_unique<integration::testing::TestDatabase>();
  if (absl::Status st = pg::BootstrapService(db_->dsn(), "training", kServicePassword); !st.ok()) {
    return st;
  }
  service_dsn_ = db_->DsnAs(pg::ServiceRole("training"), kServicePassword);

  clock_ = std::make_unique<TestClock>();
  TestClock* clock = clock_.get();
  const service::ServiceSpec spec = TrainingSpec({.clock = [clock] { return clock->Now(); }});

  {
    std::ostringstream out;
    std::ostringstream err;
    service::RunOptions options;
    options.environment = &environment_;
    options.out = &out;
    options.err = &err;
    const int code = service::Run(spec, {"migrate", "--pg-dsn=" + service_dsn_}, options);
    if (code != service::kExitOk) {
      return absl::InternalError(absl::StrCat("migrate failed (exit ", code, "): ", err.str()));
    }
  }

  const std::vector<std::string> args = {
      "serve",
      "--pg-dsn=" + service_dsn_,
      absl::StrCat("--redis-addr=", integration::testing::RedisHost(), ":",
                   integration::testing::RedisPort()),
      "--listen-host=127.0.0.1",
      "--grpc-port=0",
      "--admin-port=0",
      "--shutdown-delay=0",
      "--drain-timeout=5s",
      "--jwks-file=" + jwks_file_,
      absl::StrCat("--jwt-issuer=", kIssuer),
      absl::StrCat("--jwt-audience=", kAudience),
      "--outbox-poll-interval=100ms",
      "--log-level=warning",
      "--diploma-signing-key-file=" + signing_key_file_,
      "--diploma-verify-url=https://integration.lansstyrelsen.se/verify",
  };
  server_thread_ = std::thread([this, spec, args] {
    std::ostringstream out;
    std::ostringstream err;
    service::RunOptions options;
    options.environment = &environment_;
    options.out = &out;
    options.err = &err;
    options.on_started = [this](const service::Running& running) {
      absl::MutexLock lock(&mu_);
      started_ = true;
      grpc_port_ = running.grpc_port;
      shutdown_ = running.request_shutdown;
    };
    const int code = service::Run(spec, args, options);
    absl::MutexLock lock(&mu_);
    out_ << out.str();
    err_ << err.str();
    exit_code_ = code;
    finished_ = true;
  });

  {
    absl::MutexLock lock(&mu_);
    auto started_or_finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return started_ || finished_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&started_or_finished), absl::Seconds(30));
    if (!started_) {
      return absl::InternalError(
          absl::StrCat("the server did not start (exit ", exit_code_, "): ", err_.str()));
    }
    target_ = absl::StrCat("127.0.0.1:", grpc_port_);
  }
  channel_ = ::grpc::CreateChannel(target_, ::grpc::InsecureChannelCredentials());
  stub_ = v1::TrainingService::NewStub(channel_);

  // Ready when a public call answers (health turns SERVING once PostgreSQL answered).
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  ::grpc::Status last;
  while (absl::Now() < give_up) {
    v1::ListPartsResponse resp;
    last = Call(&Stub::ListParts, "", v1::ListPartsRequest(), &resp);
    if (last.ok()) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::InternalError(absl::StrCat("the server never answered: ", Describe(last)));
}

TrainingTestEnv::~TrainingTestEnv() {
  std::function<void()> shutdown;
  {
    absl::MutexLock lock(&mu_);
    shutdown = shutdown_;
  }
  if (shutdown) shutdown();
  if (server_thread_.joinable()) server_thread_.join();
  stub_.reset();
  channel_.reset();
  db_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string TrainingTestEnv::Token(const std::string& role, const std::string& subject,
                                   const std::string& lan) const {
  auth::TokenClaims claims;
  claims.issuer = kIssuer;
  claims.audience = kAudience;
  claims.subject = subject;
  claims.role = role;
  if (role == "county_officer" || role == "county_admin") claims.lan = lan;
  claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(2);
  absl::StatusOr<std::string> token = auth::SignToken(claims, jwt_key_pem_, kJwtKid);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::unique_ptr<::grpc::ClientContext> TrainingTestEnv::Context(const std::string& token) {
  auto ctx = std::make_unique<::grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

pqxx::result TrainingTestEnv::Query(const std::string& sql) {
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  tx.exec("SET search_path = training");
  pqxx::result r = tx.exec(sql);
  tx.commit();
  return r;
}

int64_t TrainingTestEnv::Count(const std::string& sql) {
  pqxx::result r = Query(sql);
  EXPECT_EQ(r.size(), 1u) << sql;
  if (r.size() != 1 || r[0][0].is_null()) return -1;
  return r[0][0].as<int64_t>();
}

void TrainingTestEnv::Truncate() {
  pqxx::connection conn(db_->dsn());
  pqxx::work tx(conn);
  pqxx::result tables = tx.exec(
      "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'training'"
      " AND tablename <> 'schema_migrations' ORDER BY tablename");
  std::vector<std::string> names;
  for (const pqxx::row& row : tables) names.push_back("training." + row[0].as<std::string>());
  if (!names.empty()) {
    tx.exec(absl::StrCat("TRUNCATE ", absl::StrJoin(names, ", "), " RESTART IDENTITY CASCADE"));
  }
  tx.commit();
}

absl::StatusOr<v1::Part> TrainingTestEnv::CreatePart(const std::string& part_id,
                                                     const std::string& title, int position) {
  v1::CreatePartRequest req;
  req.set_part_id(part_id);
  req.mutable_part()->set_title(title);
  req.mutable_part()->set_position(position);
  v1::Part part;
  ::grpc::Status st = Call(&Stub::CreatePart, AdminToken(), req, &part);
  if (!st.ok()) return ToAbsl(st);
  return part;
}

absl::StatusOr<v1::Module> TrainingTestEnv::CreateModule(const std::string& part_id,
                                                         const std::string& module_id,
                                                         const std::string& title, int position) {
  v1::CreateModuleRequest req;
  req.set_parent("parts/" + part_id);
  req.set_module_id(module_id);
  req.mutable_module()->set_title(title);
  req.mutable_module()->set_position(position);
  v1::ContentItem* film = req.mutable_module()->add_content();
  film->set_kind(v1::CONTENT_KIND_FILM);
  film->set_title(title + " (film)");
  film->set_uri("https://video.example.se/" + module_id);
  film->set_duration_seconds(300);
  v1::Module module;
  ::grpc::Status st = Call(&Stub::CreateModule, AdminToken(), req, &module);
  if (!st.ok()) return ToAbsl(st);
  return module;
}

absl::StatusOr<v1::Quiz> TrainingTestEnv::SetQuiz(const std::string& part_id,
                                                  const std::string& module_id,
                                                  const v1::Quiz& quiz) {
  v1::UpdateQuizRequest req;
  *req.mutable_quiz() = quiz;
  req.mutable_quiz()->set_name(absl::StrCat("parts/", part_id, "/modules/", module_id, "/quiz"));
  v1::Quiz stored;
  ::grpc::Status st = Call(&Stub::UpdateQuiz, AdminToken(), req, &stored);
  if (!st.ok()) return ToAbsl(st);
  return stored;
}

absl::StatusOr<v1::Module> TrainingTestEnv::Publish(const std::string& part_id,
                                                    const std::string& module_id) {
  v1::PublishModuleRequest req;
  req.set_name(absl::StrCat("parts/", part_id, "/modules/", module_id));
  v1::Module module;
  ::grpc::Status st = Call(&Stub::PublishModule, AdminToken(), req, &module);
  if (!st.ok()) return ToAbsl(st);
  return module;
}

absl::StatusOr<v1::Module> TrainingTestEnv::PublishedModule(const std::string& part_id,
                                                            const std::string& module_id,
                                                            const v1::Quiz& quiz) {
  absl::StatusOr<v1::Module> created = CreateModule(part_id, module_id, "Moment " + module_id);
  if (!created.ok()) return created.status();
  absl::StatusOr<v1::Quiz> stored = SetQuiz(part_id, module_id, quiz);
  if (!stored.ok()) return stored.status();
  return Publish(part_id, module_id);
}

absl::StatusOr<v1::Learner> TrainingTestEnv::Enrol(const std::string& learner_id,
                                                   const std::vector<std::string>& part_ids,
                                                   const std::string& display_name) {
  v1::CreateLearnerRequest req;
  v1::Learner* l = req.mutable_learner();
  l->set_name("learners/" + learner_id);
  l->set_display_name(display_name);
  l->set_email(learner_id + "@example.se");
  l->set_organisation_type(lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_ASSOCIATION);
  l->set_organisation_name("Röda Korset Uppsala");
  l->set_kommunkod(kTestKommun);
  for (const std::string& p : part_ids) l->add_parts("parts/" + p);
  v1::Learner learner;
  ::grpc::Status st = Call(&Stub::CreateLearner, LearnerToken(learner_id), req, &learner);
  if (!st.ok()) return ToAbsl(st);
  return learner;
}

absl::StatusOr<v1::Attempt> TrainingTestEnv::Start(const std::string& learner_id,
                                                   const std::string& part_id,
                                                   const std::string& module_id) {
  v1::StartAttemptRequest req;
  req.set_parent("learners/" + learner_id);
  req.set_module(absl::StrCat("parts/", part_id, "/modules/", module_id));
  v1::Attempt attempt;
  ::grpc::Status st = Call(&Stub::StartAttempt, LearnerToken(learner_id), req, &attempt);
  if (!st.ok()) return ToAbsl(st);
  return attempt;
}

absl::StatusOr<v1::Attempt> TrainingTestEnv::Submit(const std::string& learner_id,
                                                    const v1::Attempt& attempt,
                                                    const std::vector<v1::Answer>& answers) {
  v1::SubmitAttemptRequest req;
  req.set_name(attempt.name());
  for (const v1::Answer& a : answers) *req.add_answers() = a;
  v1::Attempt scored;
  ::grpc::Status st = Call(&Stub::SubmitAttempt, LearnerToken(learner_id), req, &scored);
  if (!st.ok()) return ToAbsl(st);
  return scored;
}

std::string TrainingTestEnv::ServerOutput() const {
  absl::MutexLock lock(&mu_);
  return absl::StrCat(out_.str(), err_.str());
}

// ---------------------------------------------------------------------------------------------
// TrainingTest

std::unique_ptr<TrainingTestEnv> TrainingTest::env_;
std::string TrainingTest::start_error_;

void TrainingTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<TrainingTestEnv>> env = TrainingTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void TrainingTest::TearDownTestSuite() { env_.reset(); }

void TrainingTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the training test server did not start: " << start_error_;
  env_->Truncate();
  env_->clock().Reset();
}

}  // namespace integration::training::testing
