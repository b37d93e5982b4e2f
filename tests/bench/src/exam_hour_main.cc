// bench-exam-hour: the "exam hour" scenario of the performance goals. N learners (2 000 by
// default), each with a token of its own, are enrolled first (not measured); then every one of
// them starts a quiz attempt within the same second and submits it at a random moment of the
// following minute, all through the gateway. Both phases run on a fixed schedule (open loop):
// a call's latency counts from the moment it was due, so a stalled server cannot hide its stall
// by delaying the next calls. Reports p50/p99/max per phase, errors by code, the attempts
// passed, and the CPU seconds of the serving processes (--watch) over the two phases.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "grpc_transport.h"
#include "histogram.h"
#include "integration/auth/auth.h"
#include "integration/config/flags.h"
#include "integration/config/secret_file.h"
#include "lansstyrelsen/integration/training/v1/training_service.grpc.pb.h"
#include "request_template.h"

namespace {

namespace bench = integration::bench;
namespace training = lansstyrelsen::integration::training::v1;
using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

template <class Text>
int Fail(int code, const Text& message) {
  std::cerr << "bench-exam-hour: " << message << "\n";
  return code;
}

// --- CPU of the serving processes ---------------------------------------------------------------

// One watched process: NAME=PID, or NAME=PID+ for the process and its children (PostgreSQL's
// postmaster and backends).
struct Watched {
  std::string name;
  int pid = 0;
  bool tree = false;
};

absl::StatusOr<std::vector<Watched>> ParseWatch(const std::string& text) {
  std::vector<Watched> out;
  if (text.empty()) return out;
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    std::vector<std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    Watched w;
    if (kv.size() != 2 || kv[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--watch: \"", entry, "\" is not NAME=PID"));
    }
    w.name = kv[0];
    std::string pid = kv[1];
    if (!pid.empty() && pid.back() == '+') {
      w.tree = true;
      pid.pop_back();
    }
    if (!absl::SimpleAtoi(pid, &w.pid) || w.pid <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("--watch: \"", entry, "\" has no valid pid"));
    }
    out.push_back(std::move(w));
  }
  return out;
}

// The numeric fields of /proc/<pid>/stat after the command name, or empty when it is gone.
std::vector<long long> StatFields(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return {};
  std::vector<long long> fields;
  std::istringstream rest(line.substr(close + 2));
  std::string state;
  rest >> state;  // field 3
  long long value = 0;
  while (rest >> value) fields.push_back(value);  // fields 4, 5, ...
  return fields;
}

// utime + stime (fields 14 and 15) and, for a tree, cutime + cstime of the reaped children plus
// the live children's own time, in clock ticks.
long long CpuTicks(const Watched& w) {
  const std::vector<long long> f = StatFields(w.pid);
  if (f.size() < 14) return 0;
  long long total = f[10] + f[11];  // fields 14, 15 (the vector starts at field 4)
  if (!w.tree) return total;
  total += f[12] + f[13];
  if (DIR* dir = opendir("/proc")) {
    while (dirent* e = readdir(dir)) {
      int child = 0;
      if (!absl::SimpleAtoi(e->d_name, &child)) continue;
      const std::vector<long long> c = StatFields(child);
      if (c.size() >= 14 && c[0] == w.pid) total += c[10] + c[11];  // field 4 is the parent
    }
    closedir(dir);
  }
  return total;
}

std::map<std::string, long long> CpuSnapshot(const std::vector<Watched>& watched) {
  std::map<std::string, long long> out;
  for (const Watched& w : watched) out[w.name] = CpuTicks(w);
  return out;
}

// --- one phase's record ---------------------------------------------------------------------------

struct PhaseRecord {
  bench::Histogram latency;  // ns from the due time to the answer, OK calls
  std::mutex mu;
  std::map<std::string, uint64_t> codes;
  std::map<std::string, std::string> first_message;

  void Count(const ::grpc::Status& status, Clock::time_point due) {
    if (status.ok()) {
      latency.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - due)
                         .count());
    }
    const std::string code = status.ok() ? "OK" : bench::CodeName(status.error_code());
    std::lock_guard<std::mutex> lock(mu);
    ++codes[code];
    if (!status.ok() && !first_message.contains(code)) first_message[code] = status.error_message();
  }

  uint64_t Errors() {
    std::lock_guard<std::mutex> lock(mu);
    uint64_t n = 0;
    for (const auto& [code, count] : codes) n += code == "OK" ? 0 : count;
    return n;
  }
};

// One learner: its token, its learner resource, its attempt.
struct Learner {
  std::string token;
  std::string name;  // learners/<pseudonym>, from CreateLearner
  // Set by the StartAttempt callback; `started` turns true once `attempt` may be read.
  training::Attempt attempt;
  std::atomic<int> start_state{0};  // 0 pending, 1 ok, 2 failed
  Clock::time_point submit_due;
};

// Waits for a number of outstanding callbacks.
class Pending {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    --n_;
    cv_.notify_all();
  }
  void WaitBelow(int limit) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return n_ < limit; });
  }
  void WaitAll() { WaitBelow(1); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

void SetCallMetadata(::grpc::ClientContext& ctx, const std::string& token,
                     const std::string& request_id, std::chrono::milliseconds deadline) {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.AddMetadata("x-request-id", request_id);
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
}

// The answer of a served question: its first option. Which options are right is never served,
// so a real learner's answers score like these on average; the load is the same either way.
training::SubmitAttemptRequest SubmitRequestFor(const Learner& learner) {
  training::SubmitAttemptRequest req;
  req.set_name(learner.attempt.name());
  for (const training::ServedQuestion& q : learner.attempt.questions()) {
    training::Answer* a = req.add_answers();
    a->set_question_id(q.question_id());
    if (q.options_size() > 0) a->add_option_ids(q.options(0).option_id());
  }
  return req;
}

std::string Num(double v) { return absl::StrFormat("%.3f", v); }

std::string PhaseJson(const char* name, PhaseRecord& r, double window_s) {
  const bench::HistogramSnapshot s = r.latency.Snapshot();
  std::lock_guard<std::mutex> lock(r.mu);
  std::string codes, messages;
  for (const auto& [code, count] : r.codes) {
    absl::StrAppend(&codes, codes.empty() ? "" : ", ", "\"", code, "\": ", count);
  }
  for (const auto& [code, message] : r.first_message) {
    std::string escaped;
    for (char c : message) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    absl::StrAppend(&messages, messages.empty() ? "" : ", ", "\"", code, "\": \"", escaped, "\"");
  }
  return absl::StrCat("\"", name, "\": {\"window_s\": ", Num(window_s), ", \"ok\": ", s.count(),
                      ", \"codes\": {", codes, "}, \"first_message\": {", messages,
                      "}, \"p50_ms\": ", Num(s.Percentile(0.5) / 1e6),
                      ", \"p99_ms\": ", Num(s.Percentile(0.99) / 1e6),
                      ", \"max_ms\": ", Num(s.max() / 1e6), "}");
}

int Main(int argc, char** argv) {
  grpc_init();  // kept for the process's life (see integration-bench)
  integration::config::Flags flags(
      "bench-exam-hour", "INTEGRATION_EXAM_HOUR",
      "The exam-hour scenario: enrols --learners learners in --part (not measured), then each "
      "starts an attempt at --module within --start-window and submits it at a random moment "
      "of the following --submit-window, through the gateway at --target; prints and writes "
      "(--json-out) latency from the due time, errors and the watched processes' CPU.");
  std::string* target = flags.String("target", "", "the gateway's gRPC front host:port");
  std::string* part = flags.String("part", "", "the part to enrol in: parts/{part}");
  std::string* module = flags.String("module", "", "the quiz's module: parts/{part}/modules/{m}");
  int64_t* learners_n = flags.Int("learners", 2000, "learners taking the exam", 1, 100000);
  std::chrono::milliseconds* start_window =
      flags.Duration("start-window", std::chrono::seconds(1), "all attempts start within this");
  std::chrono::milliseconds* submit_window = flags.Duration(
      "submit-window", std::chrono::seconds(60), "all attempts are submitted within this after");
  std::chrono::milliseconds* deadline =
      flags.Duration("deadline", std::chrono::seconds(10), "deadline of every call");
  int64_t* channels_n = flags.Int("channels", 4, "HTTP/2 connections to the gateway", 1, 64);
  int64_t* enrol_concurrency =
      flags.Int("enrol-concurrency", 32, "CreateLearner calls in flight while enrolling", 1, 1024);
  std::string* sign_key_file = flags.String("sign-key-file", "", "PEM private key of the tokens");
  std::string* sign_kid = flags.String("sign-kid", "", "kid of the signing key");
  std::string* sign_issuer = flags.String("sign-issuer", "", "iss of the tokens");
  std::string* sign_audience = flags.String("sign-audience", "", "aud of the tokens");
  std::string* kommunkod = flags.String("kommunkod", "2580", "the learners' kommun");
  std::string* organisation = flags.String("organisation", "Luleå kommun", "their organisation");
  std::string* watch_text = flags.String(
      "watch", "", "serving processes whose CPU to report: NAME=PID[,NAME=PID+ ...] (+: children)");
  std::string* json_out = flags.String("json-out", "", "also write the result as JSON here");
  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (!positional.empty()) return Fail(kExitUsage, "unexpected argument " + positional[0]);
  if (target->empty() || part->empty() || module->empty() || sign_key_file->empty()) {
    return Fail(kExitUsage, "--target, --part, --module and --sign-key-file are required");
  }
  absl::StatusOr<std::vector<Watched>> watched = ParseWatch(*watch_text);
  if (!watched.ok()) return Fail(kExitUsage, watched.status().message());
  absl::StatusOr<std::string> pem = integration::config::ReadSettingFile(*sign_key_file, "sign-key-file");
  if (!pem.ok()) return Fail(kExitUsage, pem.status().message());
  absl::StatusOr<integration::auth::TokenSigner> signer =
      integration::auth::TokenSigner::Create(*pem, *sign_kid);
  if (!signer.ok()) return Fail(kExitUsage, signer.status().message());

  const int n = static_cast<int>(*learners_n);
  const std::string run = bench::RandomRunId();
  std::mt19937_64 uuid_rng(std::random_device{}());  // request ids, drawn on the main thread
  std::vector<std::unique_ptr<Learner>> learners;
  learners.reserve(n);
  for (int i = 0; i < n; ++i) {
    integration::auth::TokenClaims claims;
    claims.issuer = *sign_issuer;
    claims.audience = *sign_audience;
    claims.subject = absl::StrCat("bench-exam-", run, "-", i);
    claims.role = "learner";
    const auto now = std::chrono::system_clock::now();
    claims.not_before = now - std::chrono::seconds(60);
    claims.expires_at = now + std::chrono::hours(2);
    absl::StatusOr<std::string> token = signer->Sign(claims);
    if (!token.ok()) return Fail(kExitUsage, token.status().message());
    auto learner = std::make_unique<Learner>();
    learner->token = *std::move(token);
    learners.push_back(std::move(learner));
  }

  std::vector<std::unique_ptr<training::TrainingService::Stub>> stubs;
  for (int64_t c = 0; c < *channels_n; ++c) {
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection per channel
    auto channel = ::grpc::CreateCustomChannel(*target, ::grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      return Fail(kExitFailure, absl::StrCat("cannot connect to ", *target));
    }
    stubs.push_back(training::TrainingService::NewStub(channel));
  }
  auto stub_for = [&](int i) { return stubs[i % stubs.size()]->async(); };

  // --- enrolment, not measured -------------------------------------------------------------------
  const auto enrol_started = Clock::now();
  {
    Pending pending;
    std::atomic<int> failed{0};
    std::mutex first_error_mu;
    std::string first_error;
    for (int i = 0; i < n; ++i) {
      pending.WaitBelow(static_cast<int>(*enrol_concurrency));
      auto ctx = std::make_shared<::grpc::ClientContext>();
      SetCallMetadata(*ctx, learners[i]->token, absl::StrCat("bench-exam-", run, "-enrol-", i),
                      *deadline);
      auto req = std::make_shared<training::CreateLearnerRequest>();
      training::Learner* l = req->mutable_learner();
      l->set_name("learners/me");
      l->set_display_name(absl::StrCat("Bench Examinee ", i));
      l->set_email(absl::StrCat("bench-exam-", run, "-", i, "@example.se"));
      l->set_organisation_type(lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_KOMMUN);
      l->set_organisation_name(*organisation);
      l->set_kommunkod(*kommunkod);
      l->add_parts(*part);
      req->set_request_id(bench::RandomUuid(uuid_rng));
      auto resp = std::make_shared<training::Learner>();
      pending.Add();
      Learner* learner = learners[i].get();
      stub_for(i)->CreateLearner(ctx.get(), req.get(), resp.get(),
                                 [&, ctx, req, resp, learner](::grpc::Status status) {
                                   if (status.ok()) {
                                     learner->name = resp->name();
                                   } else {
                                     ++failed;
                                     std::lock_guard<std::mutex> lock(first_error_mu);
                                     if (first_error.empty()) {
                                       first_error = absl::StrCat(
                                           bench::CodeName(status.error_code()), ": ",
                                           status.error_message());
                                     }
                                   }
                                   pending.Done();
                                 });
    }
    pending.WaitAll();
    if (failed > 0) {
      return Fail(kExitFailure, absl::StrCat(failed.load(), " of ", n,
                                             " enrolments failed, first: ", first_error));
    }
  }
  const double enrol_s =
      std::chrono::duration<double>(Clock::now() - enrol_started).count();
  std::cerr << absl::StrFormat("bench-exam-hour: %d learners enrolled in %.1f s\n", n, enrol_s);

  // --- the exam: starts within start_window, submits within submit_window after it ------------------
  // Schedules drawn before the clock starts; submit moments uniform over the submit window.
  std::mt19937_64 rng(0x5eed);
  const auto t0 = Clock::now() + std::chrono::milliseconds(500);
  const auto start_step = std::chrono::duration_cast<Clock::duration>(*start_window) / n;
  const auto t_submit = t0 + std::chrono::duration_cast<Clock::duration>(*start_window);
  std::uniform_int_distribution<int64_t> offset(
      0, std::chrono::duration_cast<Clock::duration>(*submit_window).count());
  std::vector<int> submit_order(n);
  for (int i = 0; i < n; ++i) {
    learners[i]->submit_due = t_submit + Clock::duration(offset(rng));
    submit_order[i] = i;
  }
  std::sort(submit_order.begin(), submit_order.end(),
            [&](int a, int b) { return learners[a]->submit_due < learners[b]->submit_due; });

  PhaseRecord start_record, submit_record;
  Pending pending;
  std::atomic<int> passed{0};
  std::mutex started_mu;
  std::condition_variable started_cv;
  const std::map<std::string, long long> cpu_before = CpuSnapshot(*watched);
  const auto exam_started = Clock::now();

  // Starts: this thread; submits: another, so a slow start answer never delays the submits
  // that are due (each waits only for its own learner's attempt).
  std::thread submitter([&] {
    for (int i : submit_order) {
      Learner* learner = learners[i].get();
      std::this_thread::sleep_until(learner->submit_due);
      {
        std::unique_lock<std::mutex> lock(started_mu);
        started_cv.wait(lock, [&] { return learner->start_state.load() != 0; });
      }
      if (learner->start_state.load() != 1) continue;  // its start failed: nothing to submit
      auto ctx = std::make_shared<::grpc::ClientContext>();
      SetCallMetadata(*ctx, learner->token, absl::StrCat("bench-exam-", run, "-submit-", i),
                      *deadline);
      auto req = std::make_shared<training::SubmitAttemptRequest>(SubmitRequestFor(*learner));
      auto resp = std::make_shared<training::Attempt>();
      const auto due = learner->submit_due;
      pending.Add();
      stub_for(i)->SubmitAttempt(ctx.get(), req.get(), resp.get(),
                                 [&, ctx, req, resp, due](::grpc::Status status) {
                                   submit_record.Count(status, due);
                                   if (status.ok() && resp->passed()) ++passed;
                                   pending.Done();
                                 });
    }
  });
  for (int i = 0; i < n; ++i) {
    Learner* learner = learners[i].get();
    const auto due = t0 + start_step * i;
    std::this_thread::sleep_until(due);
    auto ctx = std::make_shared<::grpc::ClientContext>();
    SetCallMetadata(*ctx, learner->token, absl::StrCat("bench-exam-", run, "-start-", i),
                    *deadline);
    auto req = std::make_shared<training::StartAttemptRequest>();
    req->set_parent(learner->name);
    req->set_module(*module);
    req->set_request_id(bench::RandomUuid(uuid_rng));
    pending.Add();
    stub_for(i)->StartAttempt(ctx.get(), req.get(), &learner->attempt,
                              [&, ctx, req, learner, due](::grpc::Status status) {
                                start_record.Count(status, due);
                                {
                                  std::lock_guard<std::mutex> lock(started_mu);
                                  learner->start_state = status.ok() ? 1 : 2;
                                }
                                started_cv.notify_all();
                                pending.Done();
                              });
  }
  submitter.join();
  pending.WaitAll();
  const double exam_s = std::chrono::duration<double>(Clock::now() - exam_started).count();
  const std::map<std::string, long long> cpu_after = CpuSnapshot(*watched);

  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::string cpu_json;
  std::string cpu_text;
  for (const Watched& w : *watched) {
    const double s = (cpu_after.at(w.name) - cpu_before.at(w.name)) / hz;
    absl::StrAppend(&cpu_json, cpu_json.empty() ? "" : ", ", "\"", w.name, "\": ", Num(s));
    absl::StrAppend(&cpu_text, absl::StrFormat("  %s %.2f s", w.name, s));
  }
  const std::string json = absl::StrCat(
      "{\"learners\": ", n, ", \"enrol_s\": ", Num(enrol_s), ", \"exam_s\": ", Num(exam_s), ", ",
      PhaseJson("start", start_record, std::chrono::duration<double>(*start_window).count()),
      ", ",
      PhaseJson("submit", submit_record, std::chrono::duration<double>(*submit_window).count()),
      ", \"passed\": ", passed.load(), ", \"cpu_s\": {", cpu_json, "}}");
  for (auto* phase : {&start_record, &submit_record}) {
    const bench::HistogramSnapshot s = phase->latency.Snapshot();
    std::cout << absl::StrFormat("%-6s ok %5d  errors %4d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
                                 phase == &start_record ? "start" : "submit", s.count(),
                                 phase->Errors(), s.Percentile(0.5) / 1e6,
                                 s.Percentile(0.99) / 1e6, s.max() / 1e6);
  }
  std::cout << "passed " << passed.load() << " of " << n << "; CPU:" << cpu_text << "\n";
  if (!json_out->empty()) {
    std::ofstream out(*json_out);
    out << json << "\n";
    if (!out) return Fail(kExitFailure, "cannot write " + *json_out);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
