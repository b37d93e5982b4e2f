// Connection pool against a real PostgreSQL: commit/rollback, deadlines, exhaustion, prepared
// statements, error mapping, serialization retries and recovery from a killed connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <latch>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "integration/pg/dsn.h"
#include "integration/pg/pool.h"
#include "integration/status/status.h"
#include "integration/testing/environment.h"

namespace integration::pg {
namespace {

using ::testing::HasSubstr;

constexpr SqlFile kQueries[] = {
    {"insert_item", "INSERT INTO items (id, name) VALUES ($1, $2)"},
    {"get_item_name", "SELECT name FROM items WHERE id = $1"},
};

std::string ReasonOf(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

absl::Time In(absl::Duration d) { return absl::Now() + d; }

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Admin(
        "CREATE SCHEMA app;"
        "CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);"
        "CREATE TABLE app.counter (id int PRIMARY KEY, value int NOT NULL);"
        "INSERT INTO app.counter VALUES (1, 0);");
  }

  pqxx::result Admin(const std::string& sql) {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    pqxx::result r = tx.exec(sql);
    tx.commit();
    return r;
  }

  std::unique_ptr<Pool> MakePool(int size = 4,
                                 std::chrono::milliseconds acquire = std::chrono::seconds(2)) {
    PoolOptions options;
    options.dsn = db_.dsn();
    options.size = size;
    options.acquire_timeout = acquire;
    options.search_path = "app";
    options.queries = kQueries;
    options.application_name = "pool-test";
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(std::move(options));
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  int64_t ItemCount() { return Admin("SELECT count(*) FROM app.items")[0][0].as<int64_t>(); }

  testing::TestDatabase db_;
};

TEST_F(PoolTest, CommitIsVisibleAndAnErrorStatusRollsBack) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Transact(In(absl::Seconds(10)),
                             [](pqxx::work& tx) {
                               tx.exec("INSERT INTO items VALUES (1, 'kept')");
                               return absl::OkStatus();
                             })
                  .ok());
  EXPECT_EQ(ItemCount(), 1);

  absl::Status st = pool->Transact(In(absl::Seconds(10)), [](pqxx::work& tx) {
    tx.exec("INSERT INTO items VALUES (2, 'dropped')");
    return absl::NotFoundError("the caller changed its mind");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "the caller changed its mind");
  EXPECT_EQ(ItemCount(), 1);

  // An exception from the function rolls back too and becomes INTERNAL.
  st = pool->Transact(In(absl::Seconds(10)), [](pqxx::work& tx) {
    tx.exec("INSERT INTO items VALUES (3, 'dropped')");
    tx.exec("SELECT no_such_column FROM items");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(st.message()), HasSubstr("42703"));
  EXPECT_EQ(ItemCount(), 1);

  PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.open, 1);
  EXPECT_EQ(stats.size, 4);
}

TEST_F(PoolTest, AutocommitRunsEachStatementOnItsOwnWithTheDeadline) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<int64_t> count = absl::InternalError("not run");
  ASSERT_TRUE(pool->Autocommit(In(absl::Seconds(10)),
                               [&](pqxx::nontransaction& tx) {
                                 tx.exec("INSERT INTO items VALUES (1, 'one')");
                                 count = tx.exec1("SELECT count(*) FROM items")[0].as<int64_t>();
                                 return absl::OkStatus();
                               })
                  .ok());
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);

  // No transaction: a failing statement leaves the one before it committed, and the error is
  // mapped as in Transact.
  absl::Status st = pool->Autocommit(In(absl::Seconds(10)), [](pqxx::nontransaction& tx) {
    tx.exec("INSERT INTO items VALUES (2, 'two')");
    tx.exec("INSERT INTO items VALUES (1, 'again')");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  EXPECT_EQ(ItemCount(), 2);

  // The caller's deadline bounds each statement, after a looser one set the session's timeout.
  const absl::Time start = absl::Now();
  st = pool->Autocommit(In(absl::Milliseconds(300)), [](pqxx::nontransaction& tx) {
    tx.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(pool->Autocommit(absl::Now() - absl::Seconds(1),
                             [](pqxx::nontransaction&) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(pool->Stats().reconnects, 0);
  EXPECT_EQ(pool->Stats().in_use, 0);
}

TEST_F(PoolTest, ConnectionsCarrySearchPathAndApplicationName) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<std::string> settings = pool->TransactFor<std::string>(
      In(absl::Seconds(10)), [](pqxx::work& tx) -> absl::StatusOr<std::string> {
        pqxx::row r = tx.exec1(
            "SELECT current_setting('search_path') || '|' || current_setting('application_name')");
        return r[0].as<std::string>();
      });
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(*settings, "app|pool-test");
}

TEST_F(PoolTest, PreparedStatementsFromSqlFilesAreCallableByName) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Transact(In(absl::Seconds(10)),
                             [](pqxx::work& tx) {
                               tx.exec_prepared("insert_item", 42, "answer");
                               return absl::OkStatus();
                             })
                  .ok());
  absl::StatusOr<std::string> name = pool->TransactFor<std::string>(
      In(absl::Seconds(10)), [](pqxx::work& tx) -> absl::StatusOr<std::string> {
        pqxx::result r = tx.exec_prepared("get_item_name", 42);
        if (r.empty()) return absl::NotFoundError("no item 42");
        return r[0][0].as<std::string>();
      });
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, "answer");
}

TEST_F(PoolTest, UniqueViolationIsAlreadyExistsWithTheConstraint) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  auto insert = [](pqxx::work& tx) {
    tx.exec_prepared("insert_item", 7, "seven");
    return absl::OkStatus();
  };
  ASSERT_TRUE(pool->Transact(In(absl::Seconds(10)), insert).ok());
  absl::Status st = pool->Transact(In(absl::Seconds(10)), insert);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  auto info = status::GetErrorInfo(st);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNIQUE_VIOLATION");
  EXPECT_EQ(info->metadata().at("constraint"), "items_pkey");
  // The row values of the DETAIL line never leak into the status.
  EXPECT_THAT(std::string(st.message()), ::testing::Not(HasSubstr("seven")));
}

TEST_F(PoolTest, NearDeadlineBecomesStatementTimeout) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const absl::Time start = absl::Now();
  absl::Status st = pool->Transact(In(absl::Milliseconds(300)), [](pqxx::work& tx) {
    tx.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_LT(took, absl::Seconds(2));
  EXPECT_GE(took, absl::Milliseconds(200));

  // The connection stays usable for the next caller.
  EXPECT_TRUE(pool->Ping(std::chrono::seconds(5)).ok());
  EXPECT_EQ(pool->Stats().reconnects, 0);
}

TEST_F(PoolTest, StatementTimeoutFollowsEachDeadlineOnOneConnection) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  const auto timeout_ms = [&](absl::Duration left) -> int64_t {
    absl::StatusOr<int64_t> ms = pool->TransactFor<int64_t>(
        In(left), [](pqxx::work& tx) -> absl::StatusOr<int64_t> {
          return tx.exec1("SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'")
              [0].as<int64_t>();
        });
    EXPECT_TRUE(ms.ok()) << ms.status();
    return ms.value_or(-1);
  };
  // Never below the time left, at most an eighth above it; a loose value is not kept for a
  // tighter deadline, nor a tight one for a looser deadline.
  for (absl::Duration left : {absl::Seconds(10), absl::Seconds(10), absl::Milliseconds(800),
                              absl::Seconds(20), absl::Seconds(19)}) {
    const int64_t ms = timeout_ms(left);
    const int64_t limit = absl::ToInt64Milliseconds(left);
    EXPECT_LE(ms, limit + limit / 8 + 5) << left;
    EXPECT_GE(ms, limit - 200) << left;  // the time left shrank while the call ran
  }
  // A rolled-back transaction leaves the session's value as it was.
  absl::Status st = pool->Transact(In(absl::Seconds(60)), [](pqxx::work& tx) {
    tx.exec("SELECT 1");
    return absl::InternalError("roll back");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_LE(timeout_ms(absl::Seconds(2)), 2000 + 250 + 5);

  // After a loose deadline, a tight one still cuts a long statement short.
  EXPECT_GE(timeout_ms(absl::Seconds(30)), 29000);
  const absl::Time start = absl::Now();
  st = pool->Transact(In(absl::Milliseconds(300)), [](pqxx::work& tx) {
    tx.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(pool->Stats().reconnects, 0);
}

TEST_F(PoolTest, PassedDeadlineFailsWithoutTouchingTheDatabase) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  bool called = false;
  absl::Status st = pool->Transact(absl::Now() - absl::Seconds(1), [&](pqxx::work&) {
    called = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(called);
  EXPECT_EQ(pool->Stats().open, 0);
}

TEST_F(PoolTest, InfiniteDeadlineMeansNoStatementTimeout) {
  Admin("ALTER DATABASE " + db_.name() + " SET statement_timeout = '1234ms'");
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<std::string> timeout = pool->TransactFor<std::string>(
      absl::InfiniteFuture(), [](pqxx::work& tx) -> absl::StatusOr<std::string> {
        return tx.exec1("SHOW statement_timeout")[0].as<std::string>();
      });
  ASSERT_TRUE(timeout.ok()) << timeout.status();
  EXPECT_EQ(*timeout, "0");
}

TEST_F(PoolTest, ExhaustedPoolIsResourceExhaustedAfterTheAcquireTimeout) {
  auto pool = MakePool(/*size=*/1, std::chrono::milliseconds(300));
  ASSERT_NE(pool, nullptr);
  absl::Notification holding;
  absl::Notification release;
  std::thread holder([&] {
    absl::Status st = pool->Transact(In(absl::Seconds(30)), [&](pqxx::work& tx) {
      tx.exec("SELECT 1");
      holding.Notify();
      release.WaitForNotificationWithTimeout(absl::Seconds(20));
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
  });
  ASSERT_TRUE(holding.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(pool->Stats().in_use, 1);

  const absl::Time start = absl::Now();
  bool called = false;
  absl::Status st = pool->Transact(In(absl::Seconds(30)), [&](pqxx::work&) {
    called = true;
    return absl::OkStatus();
  });
  const absl::Duration waited = absl::Now() - start;
  release.Notify();
  holder.join();

  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_EQ(ReasonOf(st), "PG_POOL_EXHAUSTED");
  EXPECT_FALSE(called);
  EXPECT_GE(waited, absl::Milliseconds(290));
  EXPECT_LT(waited, absl::Milliseconds(1500));
  EXPECT_EQ(pool->Stats().acquire_timeouts, 1);
  // With the holder gone, the pool serves again.
  EXPECT_TRUE(pool->Ping(std::chrono::seconds(5)).ok());
}

TEST_F(PoolTest, WaitersGetAConnectionWhenOneIsReleased) {
  auto pool = MakePool(/*size=*/2, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  std::atomic<int> concurrent{0};
  std::atomic<int> peak{0};
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    workers.emplace_back([&, i] {
      absl::Status st = pool->Transact(In(absl::Seconds(30)), [&](pqxx::work& tx) {
        int now = ++concurrent;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        tx.exec("SELECT pg_sleep(0.1)");
        tx.exec_prepared("insert_item", 100 + i, "w");
        --concurrent;
        return absl::OkStatus();
      });
      if (st.ok()) ++ok;
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_LE(peak.load(), 2);
  EXPECT_EQ(pool->Stats().open, 2);
  EXPECT_EQ(ItemCount(), 6);
}

TEST_F(PoolTest, SerializationFailuresAreRetried) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::latch both_read(2);
  std::atomic<int> attempts{0};
  auto increment = [&](pqxx::work& tx) {
    const bool first = attempts.fetch_add(1) < 2;
    int value = tx.exec1("SELECT value FROM counter WHERE id = 1")[0].as<int>();
    // Both first attempts read the same value before either writes: a guaranteed conflict.
    if (first) both_read.arrive_and_wait();
    tx.exec("UPDATE counter SET value = " + std::to_string(value + 1) + " WHERE id = 1");
    return absl::OkStatus();
  };
  absl::Status results[2];
  {
    std::vector<std::thread> threads;
    for (auto& result : results) {
      threads.emplace_back([&] {
        result = pool->Transact(In(absl::Seconds(20)), increment, Isolation::kSerializable);
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_TRUE(results[1].ok()) << results[1];
  EXPECT_EQ(Admin("SELECT value FROM app.counter WHERE id = 1")[0][0].as<int>(), 2);
  EXPECT_GE(attempts.load(), 3);
}

TEST_F(PoolTest, IsolationLevelIsApplied) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  for (auto [isolation, expected] : {std::pair{Isolation::kReadCommitted, "read committed"},
                                     std::pair{Isolation::kRepeatableRead, "repeatable read"},
                                     std::pair{Isolation::kSerializable, "serializable"}}) {
    absl::StatusOr<std::string> level = pool->TransactFor<std::string>(
        In(absl::Seconds(10)),
        [](pqxx::work& tx) -> absl::StatusOr<std::string> {
          return tx.exec1("SHOW transaction_isolation")[0].as<std::string>();
        },
        isolation);
    ASSERT_TRUE(level.ok()) << level.status();
    EXPECT_EQ(*level, expected);
  }
}

TEST_F(PoolTest, KilledConnectionIsReplacedAndTheTransactionRetried) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<int> pid =
      pool->TransactFor<int>(In(absl::Seconds(10)), [](pqxx::work& tx) -> absl::StatusOr<int> {
        return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
      });
  ASSERT_TRUE(pid.ok()) << pid.status();
  // pg_terminate_backend only signals; wait until the backend is really gone, as after a
  // server restart.
  Admin("SELECT pg_terminate_backend(" + std::to_string(*pid) + ", 5000)");

  int calls = 0;
  absl::StatusOr<int> new_pid =
      pool->TransactFor<int>(In(absl::Seconds(10)), [&](pqxx::work& tx) -> absl::StatusOr<int> {
        ++calls;
        return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
      });
  ASSERT_TRUE(new_pid.ok()) << new_pid.status();
  EXPECT_NE(*new_pid, *pid);
  EXPECT_EQ(pool->Stats().reconnects, 1);
  EXPECT_EQ(pool->Stats().open, 1);
  EXPECT_LE(calls, 2);
}

// The password file is read for every new connection: while it is missing, connecting fails
// (UNAVAILABLE, naming the file); a rotated file is used by the next reconnect.
TEST_F(PoolTest, PasswordFileIsReadAgainForEveryNewConnection) {
  const std::string file = ::testing::TempDir() + "/pool-password-" + std::to_string(::getpid());
  auto write = [&](const std::string& text) {
    std::ofstream out(file, std::ios::trunc);
    out << text;
  };
  write("first\n");
  PoolOptions options;
  options.dsn = db_.dsn();
  options.size = 1;
  options.password_file = file;
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(std::move(options));
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto pid = [&]() {
    return (*pool)->TransactFor<int>(In(absl::Seconds(10)),
                                     [](pqxx::work& tx) -> absl::StatusOr<int> {
                                       return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                                     });
  };
  absl::StatusOr<int> first = pid();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(*DsnWithPasswordFile("host=h", file), HasSubstr("password='first'"));

  // Rotated: the open connection is kept; the file is read again when one must be opened.
  std::remove(file.c_str());
  Admin("SELECT pg_terminate_backend(" + std::to_string(*first) + ", 5000)");
  absl::StatusOr<int> missing = pid();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnavailable) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(file));
  write("second\n");
  EXPECT_THAT(*DsnWithPasswordFile("host=h", file), HasSubstr("password='second'"));
  absl::StatusOr<int> again = pid();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(*again, *first);
  std::remove(file.c_str());
}

TEST_F(PoolTest, UnreachableServerIsUnavailableAndCreateStillSucceeds) {
  PoolOptions options;
  // A port nothing listens on (the discard port, closed on test machines).
  options.dsn = "host=127.0.0.1 port=9 dbname=x user=x password=hunter2 connect_timeout=2";
  options.size = 2;
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(std::move(options));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Status st = (*pool)->Ping(std::chrono::seconds(5));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ(st.message(), "database unavailable");
  EXPECT_THAT(std::string(st.ToString()), ::testing::Not(HasSubstr("hunter2")));
  PoolStats stats = (*pool)->Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.in_use, 0);
}

TEST_F(PoolTest, InvalidOptionsAreRejected) {
  PoolOptions no_dsn;
  EXPECT_EQ(Pool::Create(no_dsn).status().code(), absl::StatusCode::kInvalidArgument);

  PoolOptions zero;
  zero.dsn = db_.dsn();
  zero.size = 0;
  EXPECT_EQ(Pool::Create(zero).status().code(), absl::StatusCode::kInvalidArgument);

  PoolOptions path;
  path.dsn = db_.dsn();
  path.search_path = "app; DROP TABLE items";
  EXPECT_EQ(Pool::Create(path).status().code(), absl::StatusCode::kInvalidArgument);

  PoolOptions bad_dsn;
  bad_dsn.dsn = "host=127.0.0.1 nonsense_keyword=1";
  EXPECT_EQ(Pool::Create(bad_dsn).status().code(), absl::StatusCode::kInvalidArgument);

  const SqlFile twice[] = {{"q", "SELECT 1"}, {"q", "SELECT 2"}};
  PoolOptions dup;
  dup.dsn = db_.dsn();
  dup.queries = twice;
  EXPECT_EQ(Pool::Create(dup).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::pg
