// Tests of the JSON log lines: format, escaping, thread context, levels and redaction.
#include "integration/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace integration::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Captures every line written while it lives.
class CapturedLines {
 public:
  CapturedLines() {
    SetSinkForTesting([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLines() { SetSinkForTesting(nullptr); }

  std::vector<std::string> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

// Parses one line as JSON; fails the test when it is not a JSON object.
google::protobuf::Struct Parse(const std::string& line) {
  google::protobuf::Struct parsed;
  auto status = google::protobuf::util::JsonStringToMessage(line, &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << line;
  return parsed;
}

std::string Str(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end()) return "<missing>";
  return it->second.string_value();
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetService("grants");
    SetMinLevel(Level::kInfo);
  }
  void TearDown() override { SetMinLevel(Level::kInfo); }
};

TEST_F(LogTest, TimestampIsTheTimeOfWritingToTheMillisecondAcrossSeconds) {
  // The part up to the seconds is kept per thread and second: a line of the next second must
  // not reuse it.
  for (int round = 0; round < 2; ++round) {
    if (round == 1) absl::SleepFor(absl::Milliseconds(1100));
    CapturedLines captured;
    const absl::Time before = absl::Now();
    Info("tick");
    const absl::Time after = absl::Now();
    auto lines = captured.lines();
    ASSERT_EQ(lines.size(), 1u);
    const std::string ts = Str(Parse(lines[0]), "ts");
    absl::Time written;
    std::string error;
    ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E3SZ", ts, absl::UTCTimeZone(), &written, &error))
        << ts << ": " << error;
    EXPECT_GE(written, absl::FromUnixMillis(absl::ToUnixMillis(before))) << ts;
    EXPECT_LE(written, after) << ts;
  }
}

TEST_F(LogTest, ShortEscapesForBackspaceAndFormFeed) {
  CapturedLines captured;
  Info("escapes", {{"text", "a\bb\fc/d"}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"a\\bb\\fc/d\""));
  EXPECT_EQ(Str(Parse(lines[0]), "text"), "a\bb\fc/d");
}

TEST_F(LogTest, WritesOneParseableJsonObjectWithStandardFields) {
  CapturedLines captured;
  {
    ScopedContext context("req-1", "4bf92f3577b34da6a3ce929d0e0e4736");
    Info("rpc_finished", {{"method", "/grants.v1.GrantsService/GetCall"},
                          {"latency_ms", 12},
                          {"ratio", 0.25},
                          {"cached", true}});
  }
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_TRUE(std::regex_match(Str(line, "ts"),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << Str(line, "ts");
  EXPECT_EQ(Str(line, "level"), "info");
  EXPECT_EQ(Str(line, "service"), "grants");
  EXPECT_EQ(Str(line, "event"), "rpc_finished");
  EXPECT_EQ(Str(line, "request_id"), "req-1");
  EXPECT_EQ(Str(line, "trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(Str(line, "method"), "/grants.v1.GrantsService/GetCall");
  EXPECT_EQ(line.fields().at("latency_ms").number_value(), 12);
  EXPECT_EQ(line.fields().at("ratio").number_value(), 0.25);
  EXPECT_TRUE(line.fields().at("cached").bool_value());
  // The documented field order: ts, level, service, event, request_id, trace_id, fields.
  EXPECT_LT(lines[0].find("\"ts\""), lines[0].find("\"level\""));
  EXPECT_LT(lines[0].find("\"level\""), lines[0].find("\"service\""));
  EXPECT_LT(lines[0].find("\"service\""), lines[0].find("\"event\""));
  EXPECT_LT(lines[0].find("\"event\""), lines[0].find("\"request_id\""));
  EXPECT_LT(lines[0].find("\"request_id\""), lines[0].find("\"trace_id\""));
  EXPECT_LT(lines[0].find("\"trace_id\""), lines[0].find("\"method\""));
}

TEST_F(LogTest, LevelsAreNamedAndFilteredByMinimum) {
  CapturedLines captured;
  Debug("hidden");
  Info("i");
  Warn("w");
  Error("e");
  SetMinLevel(Level::kDebug);
  Debug("shown");
  SetMinLevel(Level::kError);
  Warn("hidden_too");
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(Str(Parse(lines[0]), "level"), "info");
  EXPECT_EQ(Str(Parse(lines[1]), "level"), "warning");
  EXPECT_EQ(Str(Parse(lines[2]), "level"), "error");
  EXPECT_EQ(Str(Parse(lines[3]), "level"), "debug");
  EXPECT_EQ(Str(Parse(lines[3]), "event"), "shown");
}

TEST_F(LogTest, EscapesQuotesBackslashesAndControlCharactersAndKeepsUtf8) {
  CapturedLines captured;
  const std::string tricky =
      "say \"hej\" C:\\path\nnext\tline\r\x01\x1f\x7f end, Länsstyrelsen i Västra Götaland ✓";
  Info("escaping", {{"text", tricky}, {"quote\"key", "v"}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  EXPECT_THAT(lines[0], HasSubstr("\\u0001"));
  EXPECT_THAT(lines[0], HasSubstr("\\u001f\\u007f end"));  // DEL escaped too
  EXPECT_THAT(lines[0], HasSubstr("say \\\"hej\\\" C:\\\\path\\nnext\\tline\\r"));
  EXPECT_THAT(lines[0], HasSubstr("Västra Götaland ✓"));  // UTF-8 is not \u-escaped
  google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_EQ(Str(line, "text"), tricky);
  EXPECT_EQ(Str(line, "quote\"key"), "v");
}

TEST_F(LogTest, InvalidUtf8IsReplacedSoTheLineStaysValid) {
  CapturedLines captured;
  Info("bytes", {{"raw", std::string("ok\xff\xc3(\xe2\x82 end")}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(Parse(lines[0]), "raw"), "ok\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST_F(LogTest, NonFiniteNumbersAndReservedKeysStayValidJson) {
  CapturedLines captured;
  Info("odd", {{"nan", std::nan("")}, {"event", "shadow"}, {"big", 9007199254740993LL}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_EQ(Str(line, "nan"), "NaN");
  EXPECT_EQ(Str(line, "event"), "odd");
  EXPECT_EQ(Str(line, "field_event"), "shadow");
  EXPECT_THAT(lines[0], HasSubstr("\"big\":9007199254740993"));
}

TEST_F(LogTest, ContextNestsAndRestoresAndIsPerThread) {
  CapturedLines captured;
  EXPECT_EQ(ScopedContext::request_id(), "");
  {
    ScopedContext outer("outer-req", "outer-trace");
    Info("a");
    {
      ScopedContext inner("inner-req", "");
      EXPECT_EQ(ScopedContext::request_id(), "inner-req");
      Info("b");
    }
    EXPECT_EQ(ScopedContext::request_id(), "outer-req");
    EXPECT_EQ(ScopedContext::trace_id(), "outer-trace");
    Info("c");
    std::thread other([] { Info("d"); });
    other.join();
  }
  EXPECT_EQ(ScopedContext::request_id(), "");
  EXPECT_EQ(ScopedContext::trace_id(), "");
  Info("e");

  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 5u);
  google::protobuf::Struct a = Parse(lines[0]), b = Parse(lines[1]), c = Parse(lines[2]),
                           d = Parse(lines[3]), e = Parse(lines[4]);
  EXPECT_EQ(Str(a, "request_id"), "outer-req");
  EXPECT_EQ(Str(a, "trace_id"), "outer-trace");
  EXPECT_EQ(Str(b, "request_id"), "inner-req");
  EXPECT_EQ(Str(b, "trace_id"), "<missing>");  // omitted when not set
  EXPECT_EQ(Str(c, "request_id"), "outer-req");
  EXPECT_EQ(Str(c, "trace_id"), "outer-trace");
  EXPECT_EQ(Str(d, "event"), "d");
  EXPECT_EQ(Str(d, "request_id"), "");  // another thread has its own context
  EXPECT_EQ(Str(e, "request_id"), "");
  EXPECT_EQ(Str(e, "trace_id"), "<missing>");
}

TEST_F(LogTest, ConcurrentWritersNeverInterleaveLines) {
  CapturedLines captured;
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      ScopedContext context("req-" + std::to_string(t), "");
      for (int i = 0; i < kLinesPerThread; ++i) {
        Info("tick", {{"thread", t}, {"i", i}, {"pad", std::string(100, 'x')}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesPerThread));
  std::vector<int> per_thread(kThreads, 0);
  for (const std::string& raw : lines) {
    google::protobuf::Struct line = Parse(raw);
    int t = static_cast<int>(line.fields().at("thread").number_value());
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    EXPECT_EQ(Str(line, "request_id"), "req-" + std::to_string(t));
    ++per_thread[t];
  }
  for (int count : per_thread) EXPECT_EQ(count, kLinesPerThread);
}

struct RedactCase {
  std::string in;
  std::string want;
};

class RedactTest : public ::testing::TestWithParam<RedactCase> {};

TEST_P(RedactTest, ReplacesWhatMustNotBeLogged) {
  EXPECT_EQ(Redact(GetParam().in), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    PersonalIdentityNumbers, RedactTest,
    ::testing::Values(
        RedactCase{"850709-9805", "[REDACTED-PNR]"}, RedactCase{"19850709-9805", "[REDACTED-PNR]"},
        RedactCase{"8507099805", "[REDACTED-PNR]"}, RedactCase{"198507099805", "[REDACTED-PNR]"},
        RedactCase{"850769-9804", "[REDACTED-PNR]"},  // samordningsnummer (day + 60)
        RedactCase{"121212+1212", "[REDACTED-PNR]"},  // '+' for people past 100
        RedactCase{"20121212+1212", "[REDACTED-PNR]"},
        RedactCase{"ansökan från 850709-9805 mottagen", "ansökan från [REDACTED-PNR] mottagen"},
        RedactCase{"pnr=198507099805,", "pnr=[REDACTED],"},
        RedactCase{"sökande 198507099805 och 850769-9804.",
                   "sökande [REDACTED-PNR] och [REDACTED-PNR]."},
        RedactCase{"id:8507099805.", "id:[REDACTED-PNR]."},
        RedactCase{"(19850709-9805)", "([REDACTED-PNR])"}));

INSTANTIATE_TEST_SUITE_P(
    Tokens, RedactTest,
    ::testing::Values(RedactCase{"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl",
                                 "[REDACTED-TOKEN]"},
                      RedactCase{"got eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9. from caller",
                                 "got [REDACTED-TOKEN] from caller"},
                      RedactCase{"Bearer abc123.def-456", "[REDACTED-TOKEN]"},
                      RedactCase{"header bearer xxx sent", "header [REDACTED-TOKEN] sent"},
                      RedactCase{"Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.sig",
                                 "Authorization: [REDACTED]"},
                      RedactCase{"authorization: Basic dXNlcjpwYXNz",
                                 "authorization: [REDACTED]"}));

INSTANTIATE_TEST_SUITE_P(
    SecretValues, RedactTest,
    ::testing::Values(RedactCase{"password=hunter2 user=bob", "password=[REDACTED] user=bob"},
                      RedactCase{"login failed: password = 'hunter 2' for bob",
                                 "login failed: password = '[REDACTED]' for bob"},
                      RedactCase{"https://idp/cb?code=1&token=abc&state=x",
                                 "https://idp/cb?code=1&token=[REDACTED]&state=x"},
                      RedactCase{"secret: s3cr3t", "secret: [REDACTED]"},
                      RedactCase{"client_secret=zzz", "client_secret=[REDACTED]"},
                      RedactCase{R"({"password":"p w","user":"bob"})",
                                 R"({"password":"[REDACTED]","user":"bob"})"},
                      RedactCase{R"(body {\"access_token\":\"tok\"})",
                                 R"(body {\"access_token\":\"[REDACTED]\"})"},
                      RedactCase{
                          "host=db port=5432 user=grants_svc password=pw dbname=x",
                          "host=db port=5432 user=grants_svc password=[REDACTED] dbname=x"}));

INSTANTIATE_TEST_SUITE_P(
    HarmlessTextStays, RedactTest,
    ::testing::Values(
        RedactCase{"diarienummer 851-1234-2026", "diarienummer 851-1234-2026"},
        RedactCase{"at 2026-01-15T12:30:45.123Z", "at 2026-01-15T12:30:45.123Z"},
        RedactCase{"kommun 0180 (Stockholm)", "kommun 0180 (Stockholm)"},
        RedactCase{"number 12345678901", "number 12345678901"},      // 11 digits
        RedactCase{"number 1234567890123", "number 1234567890123"},  // 13 digits
        RedactCase{"epoch 1700000000", "epoch 1700000000"},          // no plausible month
        RedactCase{"orgnr 556012-5790", "orgnr 556012-5790"},        // organisations: month >= 20
        RedactCase{"amount 150000000 öre", "amount 150000000 öre"},
        RedactCase{"missing bearer token", "missing bearer token"},
        RedactCase{"token_count", "token_count"},
        RedactCase{"rpc /grants.v1.GrantsService/GetCall", "rpc /grants.v1.GrantsService/GetCall"},
        RedactCase{"", ""}));

// Digits inside an identifier are never an identity number: trace ids (hex), UUIDs and other
// ids keep every character, so requests can still be followed through the logs.
INSTANTIATE_TEST_SUITE_P(
    IdentifiersStayWhole, RedactTest,
    ::testing::Values(
        RedactCase{"trace 5a1b8f011a66b3b111b38c8507099805", "trace 5a1b8f011a66b3b111b38c8507099805"},
        RedactCase{"8507099805b3b111b38c5a1b8f011a66", "8507099805b3b111b38c5a1b8f011a66"},
        RedactCase{"5a1b8f0119850709980511a66b3b111b", "5a1b8f0119850709980511a66b3b111b"},
        RedactCase{"request 19850709-9805-4abc-8def-0123456789ab",
                   "request 19850709-9805-4abc-8def-0123456789ab"},
        RedactCase{"id:8507099805x", "id:8507099805x"},
        // The same numbers standing alone in text are still redacted.
        RedactCase{"8507099805 b3", "[REDACTED-PNR] b3"},
        RedactCase{"19850709-9805 4abc", "[REDACTED-PNR] 4abc"}));

TEST_F(LogTest, RedactsMessagesAndFieldsOnTheWayOut) {
  CapturedLines captured;
  Warn("lookup failed for 850709-9805",
       {{"detail", "caller sent token=abc123 and Bearer eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln"},
        {"applicant", "19850709-9805"},
        {"note", "diarienummer 851-1234-2026, kommun 0180"},
        {"subject_id", 198507099805LL},
        {"count", 42}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], Not(HasSubstr("9805")));
  EXPECT_THAT(lines[0], Not(HasSubstr("abc123")));
  EXPECT_THAT(lines[0], Not(HasSubstr("eyJ")));
  google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_EQ(Str(line, "event"), "lookup failed for [REDACTED-PNR]");
  EXPECT_EQ(Str(line, "detail"), "caller sent token=[REDACTED] and [REDACTED-TOKEN]");
  EXPECT_EQ(Str(line, "applicant"), "[REDACTED-PNR]");
  EXPECT_EQ(Str(line, "note"), "diarienummer 851-1234-2026, kommun 0180");
  EXPECT_EQ(Str(line, "subject_id"), "[REDACTED-PNR]");  // numbers are checked too
  EXPECT_EQ(line.fields().at("count").number_value(), 42);
}

TEST_F(LogTest, TraceAndRequestIdsWithTenDigitRunsAreLoggedWhole) {
  CapturedLines captured;
  {
    ScopedContext context("19850709-9805-4abc-8def-0123456789ab",
                          "5a1b8f011a66b3b111b38c8507099805");
    Info("request served", {{"peer_trace", "8507099805b3b111b38c5a1b8f011a66"}});
  }
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_EQ(Str(line, "request_id"), "19850709-9805-4abc-8def-0123456789ab");
  EXPECT_EQ(Str(line, "trace_id"), "5a1b8f011a66b3b111b38c8507099805");
  EXPECT_EQ(Str(line, "peer_trace"), "8507099805b3b111b38c5a1b8f011a66");
  EXPECT_THAT(lines[0], Not(HasSubstr("REDACTED")));
}

TEST_F(LogTest, SecretKeysAreRedactedWhateverTheValue) {
  CapturedLines captured;
  Info("keys", {{"personnummer", "no digits here"},
                {"pnr", 8507099805LL},
                {"token", "opaque"},
                {"password", "x"},
                {"Authorization", "Basic abc"},
                {"access_token", "y"},
                {"user", "bob"}});
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  google::protobuf::Struct line = Parse(lines[0]);
  for (const char* key :
       {"personnummer", "pnr", "token", "password", "Authorization", "access_token"}) {
    EXPECT_EQ(Str(line, key), "[REDACTED]") << key;
  }
  EXPECT_EQ(Str(line, "user"), "bob");
  EXPECT_THAT(lines[0], Not(HasSubstr("8507099805")));
  EXPECT_TRUE(IsSecretKey("db_password"));
  EXPECT_FALSE(IsSecretKey("method"));
}

}  // namespace
}  // namespace integration::log
