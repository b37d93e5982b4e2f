// Unit tests for the embedded kommun list and kommunkod / länskod validation.
#include "integration/se/kommun.h"

#include <cstdint>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

using ::testing::HasSubstr;

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

TEST(KommunTest, EmbeddedListLoadsAll290KommunerIn21Lan) {
  const std::vector<Kommun>& all = AllKommuner();
  ASSERT_EQ(all.size(), 290u);
  int64_t population = 0;
  std::set<std::string> codes;
  std::set<std::string> lanskoder;
  for (const Kommun& k : all) {
    population += k.population;
    codes.insert(k.kommunkod);
    lanskoder.insert(k.lanskod);
    EXPECT_EQ(k.kommunkod.substr(0, 2), k.lanskod) << k.kommunkod;
    EXPECT_FALSE(k.name.empty()) << k.kommunkod;
    EXPECT_EQ(k.population_year, 2024) << k.kommunkod;
    EXPECT_TRUE(ValidateKommunkod(k.kommunkod).ok()) << k.kommunkod;
  }
  EXPECT_EQ(codes.size(), 290u);
  EXPECT_EQ(population, 10'587'710);
  EXPECT_EQ(lanskoder.size(), 21u);

  const std::vector<Lan>& lan = AllLan();
  ASSERT_EQ(lan.size(), 21u);
  int kommun_total = 0;
  int64_t lan_population = 0;
  for (const Lan& l : lan) {
    kommun_total += l.kommun_count;
    lan_population += l.population;
    EXPECT_TRUE(ValidateLanskod(l.lanskod).ok()) << l.lanskod;
  }
  EXPECT_EQ(kommun_total, 290);
  EXPECT_EQ(lan_population, 10'587'710);
}

TEST(KommunTest, LookupReturnsNameLanAndPopulation) {
  absl::StatusOr<Kommun> stockholm = LookupKommun("0180");
  ASSERT_TRUE(stockholm.ok()) << stockholm.status();
  EXPECT_EQ(stockholm->name, "Stockholm");
  EXPECT_EQ(stockholm->lanskod, "01");
  EXPECT_EQ(stockholm->lan_name, "Stockholms län");
  EXPECT_EQ(stockholm->population, 995574);

  absl::StatusOr<Kommun> malmo = LookupKommun("1280");
  ASSERT_TRUE(malmo.ok()) << malmo.status();
  EXPECT_EQ(malmo->name, "Malmö");
  EXPECT_EQ(malmo->lan_name, "Skåne län");

  // First and last rows of the file.
  EXPECT_EQ(LookupKommun("0114")->name, "Upplands Väsby");
  EXPECT_EQ(LookupKommun("2584")->name, "Kiruna");
}

TEST(KommunTest, UnknownOrMalformedKommunkod) {
  for (const char* code : {"0000", "0199", "9999", "2585"}) {
    SCOPED_TRACE(code);
    absl::Status status = ValidateKommunkod(code, "applicant.kommunkod");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "KOMMUNKOD_UNKNOWN");
    EXPECT_THAT(std::string(status.message()), HasSubstr("applicant.kommunkod"));
    EXPECT_THAT(std::string(status.message()), HasSubstr(code));
  }
  for (const char* code : {"", "180", "01800", "01a0", "-180"}) {
    SCOPED_TRACE(code);
    absl::Status status = ValidateKommunkod(code);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "KOMMUNKOD_INVALID_FORMAT");
  }
}

TEST(KommunTest, LanLookupAndKommunerByLan) {
  absl::StatusOr<Lan> skane = LookupLan("12");
  ASSERT_TRUE(skane.ok()) << skane.status();
  EXPECT_EQ(skane->name, "Skåne län");
  EXPECT_EQ(skane->kommun_count, 33);

  absl::StatusOr<std::vector<Kommun>> stockholms_lan = KommunerInLan("01");
  ASSERT_TRUE(stockholms_lan.ok()) << stockholms_lan.status();
  EXPECT_EQ(stockholms_lan->size(), 26u);
  int64_t population = 0;
  for (const Kommun& k : *stockholms_lan) {
    EXPECT_EQ(k.lanskod, "01");
    population += k.population;
  }
  EXPECT_EQ(population, 2'473'307);

  absl::StatusOr<std::vector<Kommun>> gotland = KommunerInLan("09");
  ASSERT_TRUE(gotland.ok());
  ASSERT_EQ(gotland->size(), 1u);
  EXPECT_EQ(gotland->front().kommunkod, "0980");

  // 02, 11, 15 and 16 were merged away; 00 and 99 never existed.
  for (const char* code : {"02", "11", "15", "16", "00", "99"}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(Reason(ValidateLanskod(code)), "LANSKOD_UNKNOWN");
    EXPECT_EQ(Reason(KommunerInLan(code).status()), "LANSKOD_UNKNOWN");
  }
  for (const char* code : {"", "1", "012", "a1"}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(Reason(ValidateLanskod(code)), "LANSKOD_INVALID_FORMAT");
  }
}

TEST(KommunRegistryTest, RejectsBrokenCsv) {
  const std::string header = "kommunkod,kommun,lanskod,lan,folkmangd,folkmangd_year\n";
  struct Case {
    std::string csv;
    std::string expected;
  };
  for (const Case& c : {
           Case{"", "empty"},
           Case{"code,name\n0180,Stockholm\n", "header"},
           Case{header + "0180,Stockholm,01,Stockholms län,995574\n", "6 fields"},
           Case{header + "180,Stockholm,01,Stockholms län,995574,2024\n", "kommunkod"},
           Case{header + "0180,Stockholm,02,Stockholms län,995574,2024\n", "start with"},
           Case{header + "0180,Stockholm,01,Stockholms län,many,2024\n", "folkmangd"},
           Case{header + "0180,Stockholm,01,Stockholms län,1,24\n", "folkmangd_year"},
           Case{header + "0180,,01,Stockholms län,1,2024\n", "names"},
           Case{
               header +
                   "0180,Stockholm,01,Stockholms län,1,2024\n0180,Again,01,Stockholms län,1,2024\n",
               "twice"},
           Case{header +
                    "0180,Stockholm,01,Stockholms län,1,2024\n0181,Södertälje,01,Sthlm,1,2024\n",
                "both"},
       }) {
    SCOPED_TRACE(c.csv);
    absl::StatusOr<KommunRegistry> registry = KommunRegistry::FromCsv(c.csv);
    EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(registry.status().message()), HasSubstr(c.expected));
  }
}

TEST(KommunRegistryTest, ParsesCrLfAndSortsByCode) {
  absl::StatusOr<KommunRegistry> registry = KommunRegistry::FromCsv(
      "kommunkod,kommun,lanskod,lan,folkmangd,folkmangd_year\r\n"
      "0181,Södertälje,01,Stockholms län,100,2024\r\n"
      "0180,Stockholm,01,Stockholms län,900,2024\r\n");
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_EQ(registry->kommuner().size(), 2u);
  EXPECT_EQ(registry->kommuner()[0].kommunkod, "0180");
  ASSERT_EQ(registry->lan().size(), 1u);
  EXPECT_EQ(registry->lan()[0].population, 1000);
  EXPECT_EQ(registry->FindKommun("0181")->name, "Södertälje");
  EXPECT_EQ(Reason(registry->FindKommun("1280").status()), "KOMMUNKOD_UNKNOWN");
}

}  // namespace
}  // namespace integration::se
