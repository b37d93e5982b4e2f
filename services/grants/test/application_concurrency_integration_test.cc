// Concurrent submissions through the real server and PostgreSQL: 50 different applications
// submitted at once get 50 distinct diarienummer numbered 1..50 without gaps, each announced
// once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grants_test_env.h"
#include "integration/se/diarienummer.h"

namespace integration::grants::testing {
namespace {

class ApplicationConcurrencyTest : public GrantsTest {};

TEST_F(ApplicationConcurrencyTest, FiftyParallelSubmitsGetGapFreeDistinctNumbers) {
  constexpr int kApplications = 50;
  env().SeedDemoProgrammes();
  // Two calls: submissions lock their call row, so the diarienummer sequence alone has to keep
  // the submissions to different calls apart.
  SeedCallSpec call;
  call.programme_id = "kapacitet";
  const int64_t call_ids[2] = {env().SeedCall(call), env().SeedCall(call)};
  std::vector<std::string> names;
  for (int i = 0; i < kApplications; ++i) {
    SeedApplicationSpec spec;
    spec.call_id = call_ids[(i / 2) % 2];
    spec.state = "DRAFT";
    // Half from each kommun: different applicants, different applications.
    spec.kommunkod = i % 2 == 0 ? kKommunA : kKommunB;
    names.push_back(
        absl::StrCat("calls/", spec.call_id, "/applications/", env().SeedApplication(spec)));
  }

  std::vector<::grpc::Status> statuses(kApplications);
  std::vector<v1::Application> results(kApplications);
  std::vector<std::thread> threads;
  const std::string token_a = env().KommunToken(kKommunA);
  const std::string token_b = env().KommunToken(kKommunB);
  for (int i = 0; i < kApplications; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitApplicationRequest req;
      req.set_name(names[i]);
      statuses[i] =
          env().Call(&Stub::SubmitApplication, i % 2 == 0 ? token_a : token_b, req, &results[i]);
    });
  }
  for (std::thread& t : threads) t.join();

  absl::TimeZone stockholm;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &stockholm));
  const int year = static_cast<int>(absl::ToCivilYear(env().clock().Now(), stockholm).year());
  std::set<int64_t> sequences;
  for (int i = 0; i < kApplications; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << names[i] << ": " << Describe(statuses[i]);
    EXPECT_EQ(results[i].state(), v1::APPLICATION_STATE_SUBMITTED);
    absl::StatusOr<se::Diarienummer> d = se::ParseDiarienummer(results[i].diarienummer());
    ASSERT_TRUE(d.ok()) << results[i].diarienummer();
    EXPECT_EQ(d->registry, 851);
    EXPECT_EQ(d->year, year);
    sequences.insert(d->sequence);
  }
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kApplications));
  EXPECT_EQ(*sequences.begin(), 1);
  EXPECT_EQ(*sequences.rbegin(), kApplications);
  EXPECT_EQ(env().Count("SELECT count(DISTINCT diarienummer) FROM applications WHERE state = "
                        "'SUBMITTED'"),
            kApplications);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.grants.v1.ApplicationSubmittedEvent'"),
            kApplications);
  EXPECT_EQ(env().Count(absl::StrCat("SELECT last FROM diarienummer_sequences WHERE registry = "
                                     "851 AND year = ",
                                     year)),
            kApplications);
}

}  // namespace
}  // namespace integration::grants::testing
