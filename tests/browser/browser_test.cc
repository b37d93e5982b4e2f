// The learner's journey in a real browser: training-server (testing::ServiceHarness) and the
// gateway serving the built web application (RunGateway with --web-dir) in this process, the
// development OpenID provider (web/dev-oidc/provider.mjs) as a child process signing with the
// key the services trust, a three-part course written here through the API, and then
// web/test/browser.mjs driving Debian's Chromium through puppeteer-core: sign in, enrol, fail a
// quiz and retake it after the delay, pass every module, the diploma PDF, public verification,
// revocation, axe-core on every page, screenshots, no correct option ever sent to the page.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway_process.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "integration/testing/temp_dir.h"
#include "lansstyrelsen/integration/training/v1/training_service.grpc.pb.h"
#include "training_spec.h"

namespace integration::browser {
namespace {

namespace v1 = ::lansstyrelsen::integration::training::v1;
using integration::testing::Describe;
using Stub = v1::TrainingService::Stub;

constexpr char kClientId[] = "kurs-web";
constexpr char kAudience[] = "integration-suite";
// The quiz of the first module lets a failed learner retry after this many seconds; the test
// waits it out, so it is short (a real course sets minutes or hours).
constexpr int kRetryDelaySeconds = 3;

// A child process (node) killed with this test process should it die first, and stopped
// (SIGTERM, then SIGKILL) when this object goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_file) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::FILE* log = std::fopen(log_file.c_str(), "w");
      if (log != nullptr) {
        ::dup2(::fileno(log), 1);
        ::dup2(::fileno(log), 2);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      std::_Exit(127);
    }
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool PortOpen(int port) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)},
                 ec);
  return !ec;
}

void AddQuestion(v1::Quiz* quiz, const std::string& text, v1::QuestionKind kind,
                 const std::vector<std::pair<std::string, bool>>& options) {
  v1::QuizQuestion* question = quiz->add_questions();
  question->set_text(text);
  question->set_kind(kind);
  for (const auto& [option_text, correct] : options) {
    v1::QuizOption* option = question->add_options();
    option->set_text(option_text);
    option->set_correct(correct);
  }
}

// One module: a film, a text lecture and a quiz of one single-answer and one multiple-answer
// question. The options' texts start with "Rätt" or "Fel", which only the test script reads
// (the page never learns which are right).
void AddModule(Stub& stub, const std::string& admin, const std::string& part,
               const std::string& module, const std::string& title, int retry_delay_seconds) {
  v1::CreateModuleRequest create;
  create.set_parent("parts/" + part);
  create.set_module_id(module);
  create.mutable_module()->set_title(title);
  create.mutable_module()->set_description("Om " + title + ".");
  v1::ContentItem* film = create.mutable_module()->add_content();
  film->set_kind(v1::CONTENT_KIND_FILM);
  film->set_title(title + " i praktiken");
  film->set_uri("https://video.example.se/kurs/" + module);
  film->set_duration_seconds(420);
  v1::ContentItem* lecture = create.mutable_module()->add_content();
  lecture->set_kind(v1::CONTENT_KIND_LECTURE);
  lecture->set_title("Att tänka på");
  lecture->set_text("Lyssna först.\n\nFråga hellre än att gissa, och använd tolk när det behövs.");
  v1::Module created;
  ::grpc::Status st =
      stub.CreateModule(integration::testing::ServiceHarness::Context(admin).get(), create,
                        &created);
  ASSERT_TRUE(st.ok()) << Describe(st);

  v1::UpdateQuizRequest quiz;
  quiz.mutable_quiz()->set_name(absl::StrCat("parts/", part, "/modules/", module, "/quiz"));
  quiz.mutable_quiz()->set_pass_mark_percent(100);
  quiz.mutable_quiz()->set_retry_delay_seconds(retry_delay_seconds);
  quiz.mutable_quiz()->set_time_limit_seconds(900);
  AddQuestion(quiz.mutable_quiz(), "Vad gör du först när någon inte förstår svenska?",
              v1::QUESTION_KIND_SINGLE_ANSWER,
              {{"Rätt: tar reda på vilket språk personen talar", true},
               {"Fel: talar högre", false},
               {"Fel: ber en anhörigs barn tolka", false}});
  AddQuestion(quiz.mutable_quiz(), "Vilka påståenden stämmer?", v1::QUESTION_KIND_MULTIPLE_ANSWER,
              {{"Rätt: tolken återger allt som sägs", true},
               {"Rätt: tolken har tystnadsplikt", true},
               {"Fel: tolken ger egna råd", false}});
  v1::Quiz stored;
  st = stub.UpdateQuiz(integration::testing::ServiceHarness::Context(admin).get(), quiz, &stored);
  ASSERT_TRUE(st.ok()) << Describe(st);
  v1::PublishModuleRequest publish;
  publish.set_name(created.name());
  st = stub.PublishModule(integration::testing::ServiceHarness::Context(admin).get(), publish,
                          &created);
  ASSERT_TRUE(st.ok()) << Describe(st);
}

TEST(BrowserTest, LearnerTakesTheCourseToAVerifiedAndRevokedDiploma) {
  ASSERT_TRUE(std::filesystem::exists(std::string(INTEGRATION_WEB_DIST) + "/index.html"))
      << "the web application is not built (cmake --build --target web)";
  const integration::testing::TempDir dir("browser-test-");
  ASSERT_TRUE(dir.ok());

  // Tokens: the provider signs with the same key the services' JWKS holds.
  const int provider_port = gateway::testing::UnusedPort();
  const std::string issuer = absl::StrCat("http://127.0.0.1:", provider_port);
  std::string diploma_key;
  std::string diploma_public;
  ASSERT_TRUE(integration::testing::NewEd25519Key(&diploma_key, &diploma_public).ok());
  integration::testing::HarnessOptions options;
  options.issuer = issuer;
  options.audience = kAudience;
  options.files = {{"diploma_signing_key.pem", diploma_key}};
  options.extra_args = {"--diploma-signing-key-file={dir}/diploma_signing_key.pem"};
  auto training = integration::testing::ServiceHarness::Start(training::TrainingSpec(), options);
  ASSERT_TRUE(training.ok()) << training.status();
  ASSERT_TRUE((*training)->WaitServing(absl::Seconds(30)).ok());

  const std::string key_file = dir.Write("provider_key.pem", (*training)->jwt_key_pem());
  const std::string subject_key_file = dir.Write("subject_keys", (*training)->subject_keys());
  const char* redis_host = std::getenv("INTEGRATION_TEST_REDIS_HOST");
  const char* redis_port = std::getenv("INTEGRATION_TEST_REDIS_PORT");
  ASSERT_TRUE(redis_host != nullptr && redis_port != nullptr)
      << "INTEGRATION_TEST_REDIS_HOST/PORT (scripts/testenv.sh start)";
  gateway::testing::InProcessGateway gateway({
      "--listen-host=127.0.0.1",
      "--grpc-port=0",
      absl::StrCat("--admin-port=", gateway::testing::UnusedPort()),
      "--http-host=127.0.0.1",
      absl::StrCat("--http-port=", gateway::testing::UnusedPort()),
      "--shutdown-delay=0",
      "--drain-timeout=2s",
      "--jwks-file=" + (*training)->jwks_file(),
      "--subject-key-file=" + subject_key_file,
      "--jwt-issuer=" + issuer,
      absl::StrCat("--jwt-audience=", kAudience),
      "--backends=training=" + (*training)->target(),
      absl::StrCat("--redis-addr=", redis_host, ":", redis_port),
      "--rate-read=1000/s burst 1000",
      "--rate-write=1000/s burst 1000",
      "--rate-public=1000/s burst 1000",
      "--rate-address=2000/s burst 2000",
      "--cache-ttl=0s",
      "--web-dir=" INTEGRATION_WEB_DIST,
      "--web-oidc-authority=" + issuer,
      absl::StrCat("--web-oidc-client-id=", kClientId),
      "--log-level=warning",
  });
  ASSERT_TRUE(gateway.started()) << gateway.output();
  const std::string app_url = absl::StrCat("http://127.0.0.1:", gateway.http_port());

  const std::string provider_log = dir.File("provider.log");
  Child provider({"node", std::string(INTEGRATION_WEB_SOURCE) + "/dev-oidc/provider.mjs",
                  absl::StrCat("--port=", provider_port), "--issuer=" + issuer,
                  absl::StrCat("--audience=", kAudience), "--key-file=" + key_file,
                  absl::StrCat("--kid=", integration::testing::kHarnessJwtKid),
                  absl::StrCat("--client-id=", kClientId), "--app-url=" + app_url},
                 provider_log);
  for (int i = 0; i < 100 && !PortOpen(provider_port); ++i) {
    ASSERT_TRUE(provider.alive()) << ReadFile(provider_log);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(PortOpen(provider_port)) << ReadFile(provider_log);

  // The course as the county board writes it: three parts of one module each.
  auto stub = v1::TrainingService::NewStub((*training)->channel());
  integration::testing::Claims admin_claims;
  admin_claims.lan = "03";  // Uppsala län: the learner enrols at Uppsala kommun
  const std::string admin = (*training)->Token("county_admin", "admin-1", admin_claims);
  const std::vector<std::array<std::string, 4>> course = {
      {"introduktion", "Introduktion", "Vad kursen handlar om och varför bemötandet spelar roll.",
       "att-mota"},
      {"asylprocessen", "Asylprocessen", "Från ansökan till beslut: vad som händer och när.",
       "ansokan"},
      {"kulturkunskap", "Kulturkunskap", "Normer, förväntningar och missförstånd.", "normer"}};
  for (std::size_t i = 0; i < course.size(); ++i) {
    v1::CreatePartRequest part;
    part.set_part_id(course[i][0]);
    part.mutable_part()->set_title(course[i][1]);
    part.mutable_part()->set_description(course[i][2]);
    part.mutable_part()->set_position(static_cast<int>(i) + 1);
    v1::Part created;
    ::grpc::Status st = stub->CreatePart(
        integration::testing::ServiceHarness::Context(admin).get(), part, &created);
    ASSERT_TRUE(st.ok()) << Describe(st);
    AddModule(*stub, admin, course[i][0], course[i][3], "Möte: " + course[i][1],
              i == 0 ? kRetryDelaySeconds : 0);
    if (HasFatalFailure()) return;
  }

  // The browser's part. Its output folder keeps the screenshots and the PDF after the run.
  const std::string output = INTEGRATION_BROWSER_OUTPUT;
  std::filesystem::remove_all(output);
  std::filesystem::create_directories(output);
  const std::string script_log = dir.File("browser.log");
  const std::string command = absl::StrCat(
      "APP_URL='", app_url, "' OUT_DIR='", output, "' ADMIN_TOKEN='", admin,
      "' RETRY_DELAY_SECONDS=", kRetryDelaySeconds, " node '", INTEGRATION_WEB_SOURCE,
      "/test/browser.mjs' > '", script_log, "' 2>&1");
  const int rc = std::system(command.c_str());
  const std::string log = ReadFile(script_log);
  std::cout << log;
  EXPECT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
      << "browser.mjs failed (exit " << (WIFEXITED(rc) ? WEXITSTATUS(rc) : -1) << ")\n"
      << "--- provider log ---\n"
      << ReadFile(provider_log);
}

}  // namespace
}  // namespace integration::browser
