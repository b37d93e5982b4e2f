// integration-bench: drives one unary RPC (gRPC, by full method name, or HTTP/JSON) with a
// templated request, closed- or open-loop, and reports throughput, latency percentiles and
// errors by code as text and JSON. Also times a server's start to SERVING (--wait-serving).
#include <grpc/grpc.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "grpc_transport.h"
#include "http_transport.h"
#include "integration/auth/auth.h"
#include "integration/config/flags.h"
#include "integration/config/secret_file.h"
#include "integration/grpc/process.h"
#include "load.h"
#include "request_template.h"
#include "string_util.h"

namespace {

namespace bench = integration::bench;
namespace pb = google::protobuf;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Any streamable text: std::string, std::string_view or absl::string_view (a type of its own
// in this Abseil).
template <class Text>
int Fail(int code, const Text& message) {
  std::cerr << "integration-bench: " << message << "\n";
  return code;
}

// Token signing for requests that need a subject of their own (e.g. a new learner per call).
struct Signer {
  integration::auth::TokenSigner key;  // parsed once: reading the PEM costs more than signing
  std::string issuer, audience, role, lan, kommun, orgnr, agency;
  std::chrono::seconds ttl{3600};

  absl::StatusOr<std::string> Sign(const std::string& subject) const {
    integration::auth::TokenClaims claims;
    claims.issuer = issuer;
    claims.audience = audience;
    claims.subject = subject;
    claims.role = role;
    claims.lan = lan;
    claims.kommun = kommun;
    claims.orgnr = orgnr;
    claims.agency = agency;
    const auto now = std::chrono::system_clock::now();
    claims.not_before = now - std::chrono::seconds(60);
    claims.expires_at = now + ttl;
    return key.Sign(claims);
  }
};

// Renders requests from the templates; constant parts are rendered once.
class TemplateSource final : public bench::RequestSource {
 public:
  struct Config {
    bench::RequestTemplate body;
    bench::RequestTemplate path;
    bench::RequestTemplate request_id;
    std::string token;                           // fixed token, or empty
    std::optional<Signer> signer;                // signs per request when set
    std::optional<bench::RequestTemplate> subject;  // the signed tokens' subject
    const pb::Message* prototype = nullptr;      // gRPC: the request type; HTTP: null
  };

  explicit TemplateSource(Config config)
      : config_(std::move(config)), run_(bench::RandomRunId()) {}

  // Renders what does not vary once, and one sample of what does: a template that cannot
  // render is a usage error before any load, not thousands of failed calls.
  absl::Status Prepare() {
    std::mt19937_64 rng(1);
    bench::RequestVars vars{0, "00000000-0000-4000-8000-000000000000", run_, &rng};
    absl::StatusOr<std::string> body = Body(config_.body.Render(vars));
    if (!body.ok()) return body.status();
    if (config_.body.constant()) fixed_body_ = *std::move(body);
    if (config_.signer && config_.subject && !config_.subject->constant()) {
      absl::StatusOr<std::string> token = config_.signer->Sign(config_.subject->Render(vars));
      if (!token.ok()) return token.status();
    }
    if (config_.signer && config_.subject && config_.subject->constant()) {
      absl::StatusOr<std::string> token = config_.signer->Sign(config_.subject->Render(vars));
      if (!token.ok()) return token.status();
      config_.token = *std::move(token);
      config_.signer.reset();
    }
    if (config_.body.constant() && config_.path.constant() && config_.request_id.constant() &&
        !config_.signer) {
      auto r = std::make_shared<bench::Request>();
      r->body = *fixed_body_;
      r->path = config_.path.Render(vars);
      r->request_id = config_.request_id.Render(vars);
      r->token = config_.token;
      fixed_ = std::move(r);
    }
    return absl::OkStatus();
  }

  // Renders the requests of sequence numbers 0..count-1 now, so that the run itself spends no
  // CPU on them (signing a token costs far more than sending it). Returns how many.
  absl::StatusOr<size_t> Prerender(size_t count) {
    if (fixed_) return size_t{0};
    std::mt19937_64 rng(std::random_device{}());
    prerendered_.reserve(count);
    for (size_t seq = 0; seq < count; ++seq) {
      absl::StatusOr<std::shared_ptr<const bench::Request>> r = Render(seq, rng);
      if (!r.ok()) return r.status();
      prerendered_.push_back(*std::move(r));
    }
    return count;
  }

  absl::StatusOr<std::shared_ptr<const bench::Request>> Make(uint64_t seq,
                                                             std::mt19937_64& rng) override {
    if (fixed_) return fixed_;
    if (seq < prerendered_.size()) return prerendered_[seq];
    return Render(seq, rng);
  }

 private:
  absl::StatusOr<std::shared_ptr<const bench::Request>> Render(uint64_t seq,
                                                               std::mt19937_64& rng) const {
    for (const bench::RequestTemplate* t : {&config_.body, &config_.path, &config_.request_id}) {
      if (seq > t->max_seq()) {
        return absl::OutOfRangeError(absl::StrCat(
            "request ", seq, " does not fit the width of a {{seq:W}} placeholder (at most ",
            t->max_seq(), "): a wider placeholder or a shorter run"));
      }
    }
    bench::RequestVars vars{seq, "", run_, &rng};
    if (config_.body.uses_uuid() || config_.path.uses_uuid() || config_.request_id.uses_uuid() ||
        (config_.subject && config_.subject->uses_uuid())) {
      vars.uuid = bench::RandomUuid(rng);
    }
    auto r = std::make_shared<bench::Request>();
    if (fixed_body_) {
      r->body = *fixed_body_;
    } else {
      absl::StatusOr<std::string> body = Body(config_.body.Render(vars));
      if (!body.ok()) return body.status();
      r->body = *std::move(body);
    }
    r->path = config_.path.Render(vars);
    r->request_id = config_.request_id.Render(vars);
    if (config_.signer) {
      absl::StatusOr<std::string> token = config_.signer->Sign(config_.subject->Render(vars));
      if (!token.ok()) return token.status();
      r->token = *std::move(token);
    } else {
      r->token = config_.token;
    }
    return r;
  }

  // gRPC: JSON to wire bytes of the request type; HTTP: the JSON as it is.
  absl::StatusOr<std::string> Body(const std::string& json) const {
    if (config_.prototype == nullptr) return json;
    std::unique_ptr<pb::Message> message(config_.prototype->New());
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = pb::util::JsonStringToMessage(json, message.get(), options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("request JSON does not parse as ",
                                                     message->GetTypeName(), ": ",
                                                     status.message().as_string(), " in ", json));
    }
    return message->SerializeAsString();
  }

  Config config_;
  const std::string run_;
  std::optional<std::string> fixed_body_;
  std::shared_ptr<const bench::Request> fixed_;
  std::vector<std::shared_ptr<const bench::Request>> prerendered_;  // by sequence number
};

double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

pb::Value Num(double v) {
  pb::Value value;
  value.set_number_value(v);
  return value;
}
pb::Value Str(std::string_view s) {
  pb::Value value;
  value.set_string_value(std::string(s));
  return value;
}

pb::Struct LatencyJson(const bench::HistogramSnapshot& h) {
  pb::Struct s;
  auto& f = *s.mutable_fields();
  f["count"] = Num(static_cast<double>(h.count()));
  f["p50"] = Num(Ms(h.Percentile(0.50)));
  f["p90"] = Num(Ms(h.Percentile(0.90)));
  f["p99"] = Num(Ms(h.Percentile(0.99)));
  f["p999"] = Num(Ms(h.Percentile(0.999)));
  f["mean"] = Num(h.mean() / 1e6);
  f["min"] = Num(Ms(h.min()));
  f["max"] = Num(Ms(h.max()));
  return s;
}

std::string ResultJson(const bench::LoadResult& r, std::string_view label,
                       std::string_view transport, double client_cpu_s) {
  pb::Struct root;
  auto& f = *root.mutable_fields();
  f["label"] = Str(label);
  f["transport"] = Str(transport);
  f["mode"] = Str(r.open_loop ? "open" : "closed");
  f["concurrency"] = Num(r.concurrency);
  f["rate"] = Num(r.rate);
  f["window_s"] = Num(r.window_seconds);
  f["sent"] = Num(static_cast<double>(r.sent));
  f["ok"] = Num(static_cast<double>(r.ok_completed_in_window));
  f["errors"] = Num(static_cast<double>(r.errors()));
  f["throughput"] = Num(r.throughput);
  f["offered"] = Num(r.offered_rate);
  f["max_send_lag_ms"] = Num(r.max_send_lag_ms);
  f["sends_late_1ms"] = Num(static_cast<double>(r.sends_late_1ms));
  f["unfinished"] = Num(static_cast<double>(r.unfinished));
  f["total_calls"] = Num(static_cast<double>(r.total_calls));
  f["client_cpu_s"] = Num(client_cpu_s);
  *f["latency_ms"].mutable_struct_value() = LatencyJson(r.latency);
  *f["error_latency_ms"].mutable_struct_value() = LatencyJson(r.error_latency);
  auto& codes = *f["codes"].mutable_struct_value()->mutable_fields();
  for (const auto& [code, n] : r.codes) codes[code] = Num(static_cast<double>(n));
  auto& messages = *f["messages"].mutable_struct_value()->mutable_fields();
  for (const auto& [code, m] : r.first_message) messages[code] = Str(m);
  std::string json;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = false;
  (void)pb::util::MessageToJsonString(root, &json, options);
  return json;
}

void PrintText(const bench::LoadResult& r, std::string_view label) {
  const auto& h = r.latency;
  std::cout << absl::StrFormat("%s: %s, %s, %.1f s window\n", label,
                               r.open_loop ? absl::StrFormat("open loop at %.0f/s", r.rate)
                                           : absl::StrFormat("closed loop, %d in flight",
                                                             r.concurrency),
                               absl::StrFormat("%d sent", r.sent), r.window_seconds);
  std::cout << absl::StrFormat("  throughput %.1f/s ok, offered %.1f/s, errors %d\n",
                               r.throughput, r.offered_rate, r.errors());
  std::cout << absl::StrFormat(
      "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  mean %.3f  max %.3f\n",
      Ms(h.Percentile(0.5)), Ms(h.Percentile(0.9)), Ms(h.Percentile(0.99)),
      Ms(h.Percentile(0.999)), h.mean() / 1e6, Ms(h.max()));
  std::cout << "  codes:";
  for (const auto& [code, n] : r.codes) std::cout << " " << code << "=" << n;
  std::cout << "\n";
  for (const auto& [code, m] : r.first_message) std::cout << "  first " << code << ": " << m << "\n";
  if (r.open_loop && r.sends_late_1ms > 0) {
    std::cout << absl::StrFormat(
        "  note: %d calls started over 1 ms behind schedule (max %.1f ms): the client or "
        "the machine was saturated; the lag is part of the latency\n",
        r.sends_late_1ms, r.max_send_lag_ms);
  }
  if (r.unfinished > 0) std::cout << "  warning: " << r.unfinished << " calls outlived the wait\n";
  std::cout << absl::StrFormat("  %d calls in all (warm-up included)\n", r.total_calls);
}

// User + system CPU time of this process (every thread), in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t RealtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int Main(int argc, char** argv) {
  // Keeps the gRPC library initialised until the process exits. Otherwise destroying the last
  // channel at the end of Main starts gRPC's clean-up on a thread of its own (grpc_shutdown),
  // which then races the process's exit; the operating system reclaims everything anyway.
  grpc_init();
  const int64_t started_ns = RealtimeNs();
  integration::config::Flags flags(
      "integration-bench", "INTEGRATION_BENCH",
      "Load generator: drives one unary RPC over gRPC (--target, --method) or HTTP/JSON "
      "(--http-url, --path) with a templated request, closed loop (--concurrency) or open loop "
      "(--rate), and reports throughput, p50/p90/p99/p99.9 latency and errors by code. Templates "
      "may hold {{seq}}, {{seq:W}} (zero-padded to W digits), {{uuid}}, {{run}} and {{rand:N}}.");
  std::string* target = flags.String("target", "", "gRPC server host:port");
  std::string* method = flags.String("method", "", "gRPC method, \"pkg.Service/Method\"");
  std::string* http_url = flags.String("http-url", "", "HTTP/JSON server \"http://host:port\"");
  std::string* http_method = flags.String("http-method", "GET", "HTTP method");
  std::string* path = flags.String("path", "/", "HTTP request target template, e.g. /v1/parts");
  std::string* json = flags.String("json", "", "request body template (gRPC: proto3 JSON of the "
                                                "request type; default {} for gRPC, none for HTTP)");
  std::string* json_file = flags.String("json-file", "", "file holding the body template");
  std::string* token = flags.Secret("token", "bearer token sent with every request");
  std::string* token_file = flags.String("token-file", "", "file holding the bearer token");
  std::string* sign_key_file = flags.String(
      "sign-key-file", "", "PEM private key: sign a token per request (with --sign-sub)");
  std::string* sign_kid = flags.String("sign-kid", "", "kid of the signing key");
  std::string* sign_issuer = flags.String("sign-issuer", "", "iss of signed tokens");
  std::string* sign_audience = flags.String("sign-audience", "", "aud of signed tokens");
  std::string* sign_role = flags.String("sign-role", "", "role claim of signed tokens");
  std::string* sign_sub = flags.String("sign-sub", "", "sub claim template of signed tokens");
  std::string* sign_lan = flags.String("sign-lan", "", "lan claim of signed tokens");
  std::string* sign_kommun = flags.String("sign-kommun", "", "kommun claim of signed tokens");
  std::string* request_id = flags.String("request-id", "bench-{{run}}-{{seq}}",
                                         "x-request-id template; empty: none");
  int64_t* channels = flags.Int("channels", 4, "gRPC channels (connections)", 1, 256);
  int64_t* concurrency = flags.Int(
      "concurrency", 16, "closed loop: calls in flight; HTTP: connections (both loops)", 1, 100000);
  std::string* rate = flags.String("rate", "0", "open loop: calls per second (0: closed loop)");
  std::chrono::milliseconds* warmup =
      flags.Duration("warmup", std::chrono::seconds(1), "load before the measured window");
  std::chrono::milliseconds* duration =
      flags.Duration("duration", std::chrono::seconds(5), "measured window");
  std::chrono::milliseconds* timeout =
      flags.Duration("timeout", std::chrono::seconds(5), "deadline of every call");
  int64_t* max_outstanding = flags.Int(
      "max-outstanding", 20000, "open loop: most calls in flight before the schedule waits", 1,
      10000000);
  int64_t* http_threads = flags.Int("http-threads", 2, "HTTP I/O threads", 1, 64);
  int64_t* prerender = flags.Int(
      "prerender", 0,
      "render (and sign) at least this many requests before the run; an open loop always "
      "prerenders every request it will send, so the schedule never waits for rendering",
      0, 5000000);
  std::string* label = flags.String("label", "", "name of the run in the output");
  std::string* json_out = flags.String("json-out", "", "also write the result as JSON here");
  bool* wait_serving = flags.Bool(
      "wait-serving", false,
      "instead of load: poll grpc.health.v1 on --target until SERVING and print the "
      "milliseconds since --since-ns (or since this program started)");
  std::string* since_ns = flags.String(
      "since-ns", "", "wall-clock start in ns since the epoch (e.g. $(date +%s%N))");
  std::chrono::milliseconds* wait_timeout =
      flags.Duration("wait-timeout", std::chrono::seconds(15), "give up --wait-serving after");

  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (!positional.empty()) return Fail(kExitUsage, "unexpected argument " + positional[0]);

  if (*wait_serving) {
    if (target->empty()) return Fail(kExitUsage, "--wait-serving needs --target");
    int64_t since = started_ns;
    if (!since_ns->empty() && !absl::SimpleAtoi(*since_ns, &since)) {
      return Fail(kExitUsage, "--since-ns must be an integer");
    }
    absl::Status st =
        bench::WaitServing(*target, *wait_timeout, std::chrono::milliseconds(2));
    if (!st.ok()) return Fail(kExitFailure, st.message());
    std::cout << absl::StrFormat("%.1f\n", static_cast<double>(RealtimeNs() - since) / 1e6);
    return kExitOk;
  }

  const bool http = !http_url->empty();
  if (http == !target->empty()) {
    return Fail(kExitUsage, "give either --target and --method (gRPC) or --http-url (HTTP)");
  }
  double rate_value = 0;
  if (!absl::SimpleAtod(*rate, &rate_value) || rate_value < 0) {
    return Fail(kExitUsage, "--rate must be a number >= 0");
  }

  std::string body_text = *json;
  if (!json_file->empty()) {
    if (!json->empty()) return Fail(kExitUsage, "give --json or --json-file, not both");
    absl::StatusOr<std::string> text = integration::config::ReadSettingFile(*json_file, "json-file");
    if (!text.ok()) return Fail(kExitUsage, text.status().message());
    body_text = std::string(absl::StripTrailingAsciiWhitespace(*text));
  }

  TemplateSource::Config config;
  const pb::MethodDescriptor* md = nullptr;
  if (!http) {
    std::string name = *method;
    if (name.starts_with("/")) name.erase(0, 1);
    const size_t slash = name.find('/');
    if (slash != std::string::npos) name[slash] = '.';
    md = pb::DescriptorPool::generated_pool()->FindMethodByName(name);
    if (md == nullptr) {
      return Fail(kExitUsage, absl::StrCat("no method ", *method,
                                           " is compiled into integration-bench"));
    }
    if (md->client_streaming() || md->server_streaming()) {
      return Fail(kExitUsage, absl::StrCat(*method, " is streaming; only unary methods run"));
    }
    config.prototype = pb::MessageFactory::generated_factory()->GetPrototype(md->input_type());
    if (body_text.empty()) body_text = "{}";
  }
  auto parse = [](std::string_view text, std::string_view what)
      -> absl::StatusOr<bench::RequestTemplate> {
    absl::StatusOr<bench::RequestTemplate> t = bench::RequestTemplate::Parse(text);
    if (!t.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(bench::Av(what), ": ", t.status().message()));
    }
    return t;
  };
  {
    auto body = parse(body_text, "--json");
    auto p = parse(*path, "--path");
    auto id = parse(*request_id, "--request-id");
    for (const absl::Status& st : {body.status(), p.status(), id.status()}) {
      if (!st.ok()) return Fail(kExitUsage, st.message());
    }
    config.body = *std::move(body);
    config.path = *std::move(p);
    config.request_id = *std::move(id);
  }
  config.token = *token;
  if (!token_file->empty()) {
    absl::StatusOr<std::string> text = integration::config::ReadSettingFile(*token_file, "token-file");
    if (!text.ok()) return Fail(kExitUsage, text.status().message());
    config.token = std::string(absl::StripAsciiWhitespace(*text));
  }
  if (!sign_key_file->empty()) {
    if (!config.token.empty()) return Fail(kExitUsage, "give a token or a signing key, not both");
    if (sign_role->empty() || sign_sub->empty()) {
      return Fail(kExitUsage, "--sign-key-file needs --sign-role and --sign-sub");
    }
    absl::StatusOr<std::string> pem = integration::config::ReadSettingFile(*sign_key_file, "sign-key-file");
    if (!pem.ok()) return Fail(kExitUsage, pem.status().message());
    absl::StatusOr<integration::auth::TokenSigner> key =
        integration::auth::TokenSigner::Create(*pem, *sign_kid);
    if (!key.ok()) {
      return Fail(kExitUsage, absl::StrCat(*sign_key_file, ": ", key.status().message()));
    }
    Signer signer{*std::move(key), *sign_issuer, *sign_audience, *sign_role, *sign_lan,
                  *sign_kommun,    "",           "",             {}};
    signer.ttl = std::chrono::seconds(3600);
    config.signer = std::move(signer);
    auto sub = parse(*sign_sub, "--sign-sub");
    if (!sub.ok()) return Fail(kExitUsage, sub.status().message());
    config.subject = *std::move(sub);
  }
  TemplateSource source(std::move(config));
  if (absl::Status st = source.Prepare(); !st.ok()) return Fail(kExitUsage, st.message());
  {
    size_t count = static_cast<size_t>(*prerender);
    if (rate_value > 0) {
      const double seconds = std::chrono::duration<double>(*warmup + *duration).count();
      count = std::max(count, static_cast<size_t>(rate_value * seconds * 1.02) + 100);
    }
    count = std::min<size_t>(count, 5000000);
    const double before = ProcessCpuSeconds();
    absl::StatusOr<size_t> rendered = source.Prerender(count);
    if (!rendered.ok()) return Fail(kExitUsage, rendered.status().message());
    if (*rendered > 0) {
      std::cerr << absl::StrFormat("integration-bench: %d requests rendered in advance (%.2f s CPU)\n",
                                   *rendered, ProcessCpuSeconds() - before);
    }
  }

  std::unique_ptr<bench::Transport> transport;
  if (http) {
    bench::HttpOptions options;
    if (absl::Status st = bench::ParseHttpUrl(*http_url, &options.host, &options.port); !st.ok()) {
      return Fail(kExitUsage, st.message());
    }
    options.method = absl::AsciiStrToUpper(*http_method);
    options.connections = static_cast<int>(*concurrency);
    options.threads = static_cast<int>(*http_threads);
    options.call_timeout = *timeout;
    absl::StatusOr<std::unique_ptr<bench::HttpTransport>> t = bench::HttpTransport::Create(options);
    if (!t.ok()) return Fail(kExitFailure, t.status().message());
    transport = *std::move(t);
  } else {
    absl::StatusOr<std::unique_ptr<bench::GrpcTransport>> t = bench::GrpcTransport::Create(
        *target, static_cast<int>(*channels),
        absl::StrCat("/", md->service()->full_name(), "/", md->name()), *timeout,
        std::chrono::milliseconds(5000));
    if (!t.ok()) return Fail(kExitFailure, t.status().message());
    transport = *std::move(t);
  }

  bench::LoadOptions options;
  options.open_loop = rate_value > 0;
  options.rate = rate_value;
  options.concurrency = static_cast<int>(*concurrency);
  options.warmup = *warmup;
  options.duration = *duration;
  options.call_timeout = *timeout;
  options.max_outstanding = static_cast<size_t>(*max_outstanding);
  if (options.duration.count() <= 0) return Fail(kExitUsage, "--duration must be positive");

  const double cpu_before = ProcessCpuSeconds();
  const bench::LoadResult result = bench::RunLoad(*transport, source, options);
  const double client_cpu_s = ProcessCpuSeconds() - cpu_before;
  const std::string name = label->empty() ? (http ? *http_url + *path : *method) : *label;
  PrintText(result, name);
  std::cout.flush();
  if (!json_out->empty()) {
    std::ofstream out(*json_out, std::ios::trunc);
    out << ResultJson(result, name, http ? "http" : "grpc", client_cpu_s) << "\n";
    if (!out) return Fail(kExitFailure, "cannot write " + *json_out);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  integration::grpc::ConfigureProcess();
  return Main(argc, argv);
}
