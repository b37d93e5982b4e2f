// Integration tests of redis::Client against the private test Redis: replies, binary safety,
// scripts after SCRIPT FLUSH, bounded failure times and recovery from killed connections.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"
#include "integration/testing/environment.h"

namespace integration::redis {
namespace {

using ::testing::ElementsAre;

std::string Reason(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info.has_value() ? info->reason() : "";
}

ClientOptions TestOptions() {
  ClientOptions o;
  o.host = testing::RedisHost();
  o.port = testing::RedisPort();
  o.pool_size = 2;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.command_timeout = std::chrono::milliseconds(1000);
  o.acquire_timeout = std::chrono::milliseconds(500);
  return o;
}

std::unique_ptr<Client> NewClient(ClientOptions o = TestOptions()) {
  auto c = Client::Create(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// Keys of this binary's run, so parallel runs against one Redis never collide.
std::string Key(const std::string& name) {
  return absl::StrCat("test:redis_client:", ::getpid(), ":", name);
}

// A socket that is bound (and optionally listening) on 127.0.0.1 and closed on destruction.
class LocalSocket {
 public:
  explicit LocalSocket(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 16), 0);
    }
  }
  ~LocalSocket() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(RedisClientTest, CommandsReturnTypedReplies) {
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  const std::string k = Key("typed"), list = Key("list");
  ASSERT_TRUE(client->Command({"DEL", k, list}).ok());

  auto set = client->Command({"SET", k, "41"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->is_status());
  EXPECT_EQ(set->str(), "OK");

  auto incr = client->Command({"INCR", k});
  ASSERT_TRUE(incr.ok()) << incr.status();
  ASSERT_TRUE(incr->is_integer());
  EXPECT_EQ(incr->integer(), 42);

  auto get = client->Command({"GET", k});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(*get, Reply::String("42"));

  auto missing = client->Command({"GET", Key("missing")});
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_TRUE(missing->is_nil());

  ASSERT_TRUE(client->Command({"RPUSH", list, "a", "b", "c"}).ok());
  auto range = client->Command({"LRANGE", list, "0", "-1"});
  ASSERT_TRUE(range.ok()) << range.status();
  ASSERT_TRUE(range->is_array());
  EXPECT_THAT(range->elements(),
              ElementsAre(Reply::String("a"), Reply::String("b"), Reply::String("c")));

  EXPECT_TRUE(client->Ping().ok());
  ASSERT_TRUE(client->Command({"DEL", k, list}).ok());
}

TEST(RedisClientTest, ValuesAndKeysAreBinarySafe) {
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  const std::string value("a\0b\r\n\xff\x00 end", 12);
  const std::string key = Key(std::string("bin\0key\r\n", 9));
  ASSERT_EQ(value.size(), 12u);

  ASSERT_TRUE(client->Command({"SET", key, value}).ok());
  auto get = client->Command({"GET", key});
  ASSERT_TRUE(get.ok()) << get.status();
  ASSERT_TRUE(get->is_string());
  EXPECT_EQ(get->str(), value);

  auto strlen = client->Command({"STRLEN", key});
  ASSERT_TRUE(strlen.ok());
  EXPECT_EQ(strlen->integer(), 12);

  auto piped = client->Pipeline({{"GET", key}, {"DEL", key}, {"GET", key}});
  ASSERT_TRUE(piped.ok()) << piped.status();
  EXPECT_THAT(*piped, ElementsAre(Reply::String(value), Reply::Integer(1), Reply::Nil()));
}

TEST(RedisClientTest, ErrorRepliesAreFailedPreconditionWithTheirPrefix) {
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  const std::string k = Key("wrongtype");
  ASSERT_TRUE(client->Command({"SET", k, "text"}).ok());

  auto push = client->Command({"LPUSH", k, "x"});
  ASSERT_FALSE(push.ok());
  EXPECT_EQ(push.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(push.status()), kReasonError);
  EXPECT_TRUE(IsRedisError(push.status(), "WRONGTYPE")) << push.status();
  EXPECT_FALSE(IsRedisError(push.status(), "ERR"));

  auto unknown = client->Command({"NO_SUCH_COMMAND"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(IsRedisError(unknown.status(), "ERR")) << unknown.status();

  // In a pipeline a failing command does not fail its neighbours.
  auto piped = client->Pipeline({{"LPUSH", k, "x"}, {"GET", k}});
  ASSERT_TRUE(piped.ok()) << piped.status();
  ASSERT_EQ(piped->size(), 2u);
  EXPECT_TRUE((*piped)[0].is_error());
  EXPECT_EQ((*piped)[1], Reply::String("text"));

  // The connection stays usable after error replies.
  EXPECT_TRUE(client->Ping().ok());
  EXPECT_EQ(client->Stats().reconnects, 0);
  EXPECT_TRUE(client->Command({}).status().code() == absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(client->Command({"DEL", k}).ok());
}

TEST(RedisClientTest, EvalShaLoadsTheScriptAfterScriptFlush) {
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  const Script script(
      "redis.call('SET', KEYS[1], ARGV[1]) return {redis.call('INCRBY', KEYS[2], ARGV[2]), "
      "ARGV[1]}");
  const std::string k1 = Key("script:value"), k2 = Key("script:counter");
  ASSERT_TRUE(client->Command({"DEL", k1, k2}).ok());

  // The locally computed SHA1 is the one Redis uses.
  auto loaded = client->Command({"SCRIPT", "LOAD", script.source()});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->str(), script.sha1());
  ASSERT_EQ(script.sha1().size(), 40u);

  ASSERT_TRUE(client->Command({"SCRIPT", "FLUSH"}).ok());
  auto first = client->EvalSha(script, {k1, k2}, {std::string("v\0x", 3), "5"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->elements(),
              ElementsAre(Reply::Integer(5), Reply::String(std::string("v\0x", 3))));

  // Loaded now: the next call succeeds directly, and again after a second flush.
  auto second = client->EvalSha(script, {k1, k2}, {"w", "2"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->elements()[0], Reply::Integer(7));
  ASSERT_TRUE(client->Command({"SCRIPT", "FLUSH"}).ok());
  auto third = client->EvalSha(script, {k1, k2}, {"w", "1"});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->elements()[0], Reply::Integer(8));
  auto exists = client->Command({"SCRIPT", "EXISTS", script.sha1()});
  ASSERT_TRUE(exists.ok());
  EXPECT_THAT(exists->elements(), ElementsAre(Reply::Integer(1)));

  // A runtime error of the script is an error reply, not a connection failure.
  const Script failing("return redis.error_reply('MYERR bad input')");
  auto failed = client->EvalSha(failing, {}, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(IsRedisError(failed.status(), "MYERR")) << failed.status();
  ASSERT_TRUE(client->Command({"DEL", k1, k2}).ok());
}

TEST(RedisClientTest, ClosedPortIsUnavailableQuickly) {
  int closed_port;
  {
    LocalSocket s(/*listen=*/false);
    closed_port = s.port();
  }
  ClientOptions o = TestOptions();
  o.port = closed_port;
  auto client = NewClient(o);
  ASSERT_NE(client, nullptr);
  const auto start = std::chrono::steady_clock::now();
  absl::Status st = client->Ping();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ(Reason(st), kReasonUnavailable);
  EXPECT_LT(elapsed, o.connect_timeout + std::chrono::milliseconds(200));
  auto stats = client->Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.connect_failures, 1);
}

TEST(RedisClientTest, SilentServerTimesOutWithinTheCommandTimeout) {
  // Accepts TCP connections (kernel backlog) but never answers: only timeouts end the call.
  LocalSocket silent(/*listen=*/true);
  ClientOptions o = TestOptions();
  o.port = silent.port();
  o.command_timeout = std::chrono::milliseconds(300);
  auto client = NewClient(o);
  ASSERT_NE(client, nullptr);
  const auto start = std::chrono::steady_clock::now();
  auto r = client->Command({"GET", "x"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(Reason(r.status()), kReasonUnavailable);
  EXPECT_GE(elapsed, o.command_timeout - std::chrono::milliseconds(20));
  EXPECT_LT(elapsed, o.connect_timeout + o.command_timeout + std::chrono::milliseconds(200));
  // The timed-out connection was discarded, not returned to the pool.
  EXPECT_EQ(client->Stats().open, 0);
}

TEST(RedisClientTest, ReconnectsAfterTheServerKillsTheConnection) {
  ClientOptions o = TestOptions();
  o.pool_size = 1;
  o.command_timeout = std::chrono::milliseconds(10000);
  auto client = NewClient(o);
  auto admin = NewClient();
  ASSERT_NE(client, nullptr);
  ASSERT_NE(admin, nullptr);
  const std::string k = Key("reconnect");
  ASSERT_TRUE(client->Command({"SET", k, "before"}).ok());
  auto id = client->Command({"CLIENT", "ID"});
  ASSERT_TRUE(id.ok()) << id.status();

  auto killed = admin->Command({"CLIENT", "KILL", "ID", absl::StrCat(id->integer())});
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_EQ(killed->integer(), 1);

  // The idle connection is found dead before use and replaced; the call itself succeeds.
  auto get = client->Command({"GET", k});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(*get, Reply::String("before"));
  auto new_id = client->Command({"CLIENT", "ID"});
  ASSERT_TRUE(new_id.ok());
  EXPECT_NE(new_id->integer(), id->integer());
  auto stats = client->Stats();
  EXPECT_EQ(stats.reconnects, 1);
  EXPECT_EQ(stats.connects, 2);
  EXPECT_EQ(stats.open, 1);

  // Killed in the middle of a command: that call fails as UNAVAILABLE (it is not retried,
  // the command may have run), the next one gets a new connection. Kills go by client id,
  // not TYPE normal, so that tests running in parallel on the same Redis are not disturbed.
  std::thread blocked([&] {
    auto r = client->Command({"BLPOP", Key("never-pushed"), "5"});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  });
  bool is_blocked = false;
  for (int i = 0; i < 200 && !is_blocked; ++i) {
    auto list = admin->Command({"CLIENT", "LIST", "ID", absl::StrCat(new_id->integer())});
    ASSERT_TRUE(list.ok()) << list.status();
    is_blocked = list->str().find("cmd=blpop") != std::string::npos;
    if (!is_blocked) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(is_blocked);
  const auto kill_time = std::chrono::steady_clock::now();
  ASSERT_TRUE(admin->Command({"CLIENT", "KILL", "ID", absl::StrCat(new_id->integer())}).ok());
  blocked.join();
  EXPECT_LT(std::chrono::steady_clock::now() - kill_time, std::chrono::seconds(1));
  EXPECT_TRUE(client->Ping().ok());
  stats = client->Stats();
  EXPECT_EQ(stats.reconnects, 2);
  EXPECT_EQ(stats.open, 1);
  ASSERT_TRUE(client->Command({"DEL", k}).ok());
}

TEST(RedisClientTest, BusyPoolFailsAfterTheAcquireTimeout) {
  ClientOptions o = TestOptions();
  o.pool_size = 1;
  o.command_timeout = std::chrono::milliseconds(3000);
  o.acquire_timeout = std::chrono::milliseconds(200);
  auto client = NewClient(o);
  ASSERT_NE(client, nullptr);
  const std::string list = Key("blocking");
  std::thread blocker([&] {
    auto r = client->Command({"BLPOP", list, "1"});
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r.ok() && r->is_nil());
  });
  // Wait until the blocking command holds the only connection.
  for (int i = 0; i < 100 && client->Stats().in_use == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(client->Stats().in_use, 1);
  auto r = client->Command({"PING"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(r.status()), kReasonPoolExhausted);
  EXPECT_EQ(client->Stats().acquire_timeouts, 1);
  blocker.join();
  EXPECT_TRUE(client->Ping().ok());
}

TEST(RedisClientTest, SelectsTheConfiguredDatabase) {
  ClientOptions o = TestOptions();
  o.db = 3;
  auto db3 = NewClient(o);
  auto db0 = NewClient();
  ASSERT_NE(db3, nullptr);
  ASSERT_NE(db0, nullptr);
  const std::string k = Key("db");
  ASSERT_TRUE(db0->Command({"DEL", k}).ok());
  ASSERT_TRUE(db3->Command({"SET", k, "three"}).ok());
  EXPECT_TRUE(db0->Command({"GET", k})->is_nil());
  EXPECT_EQ(*db3->Command({"GET", k}), Reply::String("three"));
  ASSERT_TRUE(db3->Command({"DEL", k}).ok());
}

TEST(RedisClientTest, RejectsInvalidOptions) {
  ClientOptions o;
  o.host = "";
  o.port = 70000;
  o.pool_size = 0;
  o.command_timeout = std::chrono::milliseconds(0);
  auto c = Client::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = status::GetBadRequest(c.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations_size(), 4);
}

}  // namespace
}  // namespace integration::redis
