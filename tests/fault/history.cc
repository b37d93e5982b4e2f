// The load driver (one write after another per thread, each recorded with its outcome) and the
// checker that holds the history against PostgreSQL and the event streams.
#include "history.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "dispatcher_test_support.h"
#include "integration/text/uuid.h"

namespace integration::fault {
namespace {

namespace gwt = ::integration::gateway::testing;
using google::protobuf::DescriptorPool;
using google::protobuf::Message;
using google::protobuf::MessageFactory;

const google::protobuf::MethodDescriptor* MethodOf(const std::string& full_name) {
  return DescriptorPool::generated_pool()->FindMethodByName(full_name);
}

// "/pkg.Service/Method" of "pkg.Service.Method".
std::string PathOf(const std::string& full_name) {
  const size_t dot = full_name.rfind('.');
  return absl::StrCat("/", full_name.substr(0, dot), "/", full_name.substr(dot + 1));
}

}  // namespace

std::string Serialize(const std::string& method, bool input, const std::string& json) {
  const auto* m = MethodOf(method);
  if (m == nullptr) return "";
  std::unique_ptr<Message> message(
      MessageFactory::generated_factory()->GetPrototype(input ? m->input_type() : m->output_type())
          ->New());
  if (!google::protobuf::util::JsonStringToMessage(json, message.get()).ok()) return "";
  return message->SerializeAsString();
}

namespace {

// The "name" field of a serialized response of `method`.
std::string NameOf(const std::string& method, const std::string& response) {
  const auto* m = MethodOf(method);
  if (m == nullptr) return "";
  std::unique_ptr<Message> message(
      MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
  if (!message->ParseFromString(response)) return "";
  const auto* field = m->output_type()->FindFieldByName("name");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return "";
  return message->GetReflection()->GetString(*message, field);
}

std::string NewRequestId() {
  absl::StatusOr<std::string> id = text::NewUuid();
  return id.ok() ? *id : std::string();
}

bool IsUnknown(::grpc::StatusCode code) {
  // What a client cannot tell apart from "maybe done": the call's fate was not reported.
  return code == ::grpc::StatusCode::DEADLINE_EXCEEDED || code == ::grpc::StatusCode::UNAVAILABLE ||
         code == ::grpc::StatusCode::UNKNOWN || code == ::grpc::StatusCode::CANCELLED;
}

}  // namespace

LoadDriver::LoadDriver(std::string target, std::vector<WriteOp> ops, int concurrency,
                       absl::Duration pause)
    : target_(std::move(target)),
      ops_(std::move(ops)),
      concurrency_(concurrency),
      pause_(pause),
      inputs_(ops_.size()) {}

LoadDriver::~LoadDriver() { Stop(); }

void LoadDriver::Start() {
  for (int i = 0; i < concurrency_; ++i) threads_.emplace_back([this] { Work(); });
}

void LoadDriver::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

std::vector<Record> LoadDriver::Records() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

Record LoadDriver::Prepare(size_t op, int64_t seq, const std::string& input) const {
  Record r;
  r.op = op;
  r.seq = seq;
  r.input = input;
  r.request_id = NewRequestId();
  r.request = Serialize(ops_[op].method, true, ops_[op].request_json(seq, r.request_id, input));
  r.bearer = ops_[op].bearer(seq);
  return r;
}

Attempt LoadDriver::Call(const WriteOp& op, const std::string& request,
                         const std::string& request_id, const std::string& bearer) const {
  gwt::CallOptions options;
  options.metadata["authorization"] = bearer;
  options.metadata["x-request-id"] = request_id;
  options.timeout = absl::Seconds(5);
  const gwt::CallResult result = gwt::CallRaw(target_, PathOf(op.method), request, options);
  Attempt a;
  a.code = result.status.error_code();
  a.message = result.status.error_message();
  if (result.status.ok()) {
    a.outcome = Outcome::kAcknowledged;
    a.response = result.response;
    a.name = NameOf(op.method, result.response);
  } else {
    a.outcome = IsUnknown(a.code) ? Outcome::kUnknown : Outcome::kRefused;
  }
  return a;
}

size_t LoadDriver::Pick(int64_t seq, std::string* input) {
  absl::MutexLock lock(&mu_);
  size_t op = static_cast<size_t>(seq) % ops_.size();
  for (size_t tried = 0; tried < ops_.size(); ++tried, op = (op + 1) % ops_.size()) {
    const int from = ops_[op].from_op;
    if (from < 0) return op;
    auto& waiting = inputs_[static_cast<size_t>(from)];
    if (waiting.empty()) continue;
    auto [name, uses] = std::move(waiting.front());
    waiting.pop_front();
    // A name used again goes to the back: its next use comes a while later, as a person's would.
    if (uses > 1) waiting.emplace_back(name, uses - 1);
    *input = std::move(name);
    return op;
  }
  return 0;  // unreachable with an op without from_op; the first op is one (Ops())
}

void LoadDriver::Work() {
  while (!stop_) {
    const int64_t seq = next_++;
    std::string input;
    const size_t op = Pick(seq, &input);
    Record r = Prepare(op, seq, input);
    r.start = absl::Now();
    r.first = Call(ops_[r.op], r.request, r.request_id, r.bearer);
    r.end = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      if (r.first.outcome == Outcome::kAcknowledged) {
        for (const WriteOp& taker : ops_) {
          if (taker.from_op == static_cast<int>(r.op)) {
            inputs_[r.op].emplace_back(r.first.name, taker.uses_per_input);
          }
        }
      }
      records_.push_back(std::move(r));
    }
    absl::SleepFor(pause_);
  }
}

std::string Verdict::Summary() const {
  std::string out = absl::StrFormat(
      "%s: %d requests, %d acknowledged, %d refused, %d unknown | lost %d, duplicated %d, "
      "refused-but-stored %d, retry mismatches %d, invariant violations %d, events missing %d "
      "(redelivered and de-duplicated %d) | recovery %s -> %s",
      scenario, requests, acknowledged, refused, unknown, lost, duplicated, phantom,
      retry_mismatch, invariant_violations, events_missing, events_redelivered,
      absl::FormatDuration(recovery), ok() ? "PASS" : "FAIL");
  for (size_t i = 0; i < problems.size() && i < 20; ++i) absl::StrAppend(&out, "\n  ", problems[i]);
  return out;
}

std::string Verdict::TableRow() const {
  return absl::StrFormat("%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t%s", scenario, requests,
                         acknowledged, refused, unknown, lost, duplicated,
                         invariant_violations + phantom + retry_mismatch + events_missing,
                         absl::ToDoubleSeconds(recovery), ok() ? "pass" : "FAIL");
}

Verdict Check(const std::string& scenario, const std::string& admin_dsn,
              const LoadDriver& driver, std::vector<Record> records, absl::Time healed) {
  Verdict v;
  v.scenario = scenario;
  const auto& ops = driver.ops();
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) { return a.start < b.start; });
  absl::Time first_ack_after = absl::InfiniteFuture();
  for (const Record& r : records) {
    ++v.requests;
    switch (r.first.outcome) {
      case Outcome::kAcknowledged:
        ++v.acknowledged;
        if (r.start >= healed) first_ack_after = std::min(first_ack_after, r.end);
        break;
      case Outcome::kRefused:
        ++v.refused;
        break;
      case Outcome::kUnknown:
        ++v.unknown;
        break;
    }
  }
  v.recovery = first_ack_after == absl::InfiniteFuture() ? absl::InfiniteDuration()
                                                         : first_ack_after - healed;
  auto problem = [&](std::string text) { v.problems.push_back(std::move(text)); };

  // Retries with the same request id, now that the fault is over: every unknown one (until it
  // gets a definite answer) and every tenth acknowledged one.
  int sample = 0;
  for (Record& r : records) {
    const WriteOp& op = ops[r.op];
    if (r.first.outcome == Outcome::kUnknown) {
      for (int i = 0; i < 5; ++i) {
        r.retries.push_back(driver.Call(op, r.request, r.request_id, r.bearer));
        if (r.retries.back().outcome != Outcome::kUnknown) break;
        absl::SleepFor(absl::Seconds(1));
      }
      if (r.retries.back().outcome == Outcome::kAcknowledged) {
        // A second retry must give the very same answer.
        r.retries.push_back(driver.Call(op, r.request, r.request_id, r.bearer));
      }
    } else if (r.first.outcome == Outcome::kAcknowledged && sample++ % 10 == 0) {
      r.retries.push_back(driver.Call(op, r.request, r.request_id, r.bearer));
    }
  }

  pqxx::connection db(admin_dsn);
  // The relays publish what was committed; wait until every outbox is empty of unpublished rows.
  std::set<std::string> services;
  for (const WriteOp& op : ops) services.insert(op.service);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  for (const std::string& s : services) {
    while (true) {
      pqxx::work tx(db);
      const int64_t pending =
          tx.exec1(absl::StrCat("SELECT count(*) FROM ", tx.quote_name(s),
                                ".outbox WHERE published_at IS NULL"))[0]
              .as<int64_t>();
      tx.commit();
      if (pending == 0) break;
      if (absl::Now() > give_up) {
        ++v.invariant_violations;
        problem(absl::StrCat(s, ": ", pending, " committed events never published"));
        // Who holds them: sessions of the service's role and their transactions.
        pqxx::work diag(db);
        for (const auto& row : diag.exec(absl::StrCat(
                 "SELECT pid, state, coalesce(now() - xact_start, '0'::interval)::text, "
                 "left(query, 80) FROM pg_stat_activity WHERE usename = ",
                 diag.quote(s + "_svc")))) {
          problem(absl::StrCat("  session ", row[0].c_str(), " ", row[1].c_str(), " for ",
                               row[2].c_str(), ": ", row[3].c_str()));
        }
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  for (const Record& r : records) {
    const WriteOp& op = ops[r.op];
    pqxx::work tx(db);
    const std::string schema = tx.quote_name(op.service);
    const std::string rid = tx.quote(r.request_id);
    const int64_t claims =
        tx.exec1(absl::StrCat("SELECT count(*) FROM ", schema,
                              ".request_ids WHERE request_id = ", rid, "::uuid"))[0]
            .as<int64_t>();
    const int64_t audits = tx.exec1(absl::StrCat("SELECT count(*) FROM ", schema,
                                                 ".audit_log WHERE request_id = ", rid))[0]
                               .as<int64_t>();
    const int64_t events =
        tx.exec1(absl::StrCat("SELECT count(*) FROM ", schema,
                              ".outbox WHERE headers->>'request_id' = ", rid))[0]
            .as<int64_t>();
    std::string stored;
    if (claims == 1) {
      stored = pqxx::binarystring(
                   tx.exec1(absl::StrCat("SELECT response FROM ", schema,
                                         ".request_ids WHERE request_id = ", rid, "::uuid"))[0])
                   .str();
    }
    tx.commit();
    const std::string what = absl::StrCat(op.method.substr(op.method.rfind('.') + 1), " ",
                                          r.request_id);
    if (claims > 1 || audits > op.audit_rows || events > op.events) {
      ++v.duplicated;
      problem(absl::StrCat(what, ": stored ", claims, "x, ", audits, " audit rows, ", events,
                           " events"));
      continue;
    }
    const bool stored_once = claims == 1 && audits == op.audit_rows && events == op.events;
    if ((claims != 0 || audits != 0 || events != 0) && !stored_once) {
      ++v.invariant_violations;
      problem(absl::StrCat(what, ": partly stored (", claims, " claims, ", audits, " audit rows, ",
                           events, " events)"));
    }
    switch (r.first.outcome) {
      case Outcome::kAcknowledged: {
        if (!stored_once) {
          ++v.lost;
          problem(absl::StrCat(what, ": acknowledged ", r.first.name, " but stored ", claims, "x"));
          break;
        }
        if (stored != r.first.response) {
          ++v.retry_mismatch;
          problem(absl::StrCat(what, ": the recorded response is not the one acknowledged"));
        }
        // Readable through the gateway.
        if (op.get_method.empty()) break;
        const std::string get = Serialize(op.get_method, true, op.get_json(r.first.name));
        WriteOp reader;
        reader.method = op.get_method;
        const Attempt read = driver.Call(reader, get, NewRequestId(),
                                         op.get_bearer ? op.get_bearer() : r.bearer);
        if (read.outcome != Outcome::kAcknowledged) {
          ++v.lost;
          problem(absl::StrCat(what, ": acknowledged ", r.first.name, " but reading it gives ",
                               static_cast<int>(read.code), " ", read.message));
        }
        break;
      }
      case Outcome::kRefused:
        if (claims != 0 || audits != 0 || events != 0) {
          ++v.phantom;
          problem(absl::StrCat(what, ": refused (", static_cast<int>(r.first.code), " ",
                               r.first.message, ") but stored"));
        }
        break;
      case Outcome::kUnknown:
        break;
    }
    // Retries answer what was stored: the first response, byte for byte.
    const std::string* first_answer =
        r.first.outcome == Outcome::kAcknowledged ? &r.first.response : nullptr;
    for (const Attempt& retry : r.retries) {
      if (retry.outcome != Outcome::kAcknowledged) {
        if (first_answer != nullptr) {
          ++v.retry_mismatch;
          problem(absl::StrCat(what, ": retry of an acknowledged write answered ",
                               static_cast<int>(retry.code), " ", retry.message));
        }
        continue;
      }
      if (!stored_once || retry.response != stored) {
        ++v.retry_mismatch;
        problem(absl::StrCat(what, ": retry answered ", retry.name,
                             stored_once ? " unlike the stored response" : " but nothing stored"));
      }
      if (first_answer != nullptr && retry.response != *first_answer) {
        ++v.retry_mismatch;
        problem(absl::StrCat(what, ": retry answered differently than the first call"));
      }
      first_answer = &retry.response;
    }
  }
  return v;
}

}  // namespace integration::fault
