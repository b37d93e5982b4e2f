// Unit tests for diarienummer parsing and formatting.
#include "integration/se/diarienummer.h"

#include <cstdint>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

TEST(DiarienummerTest, ParsesParts) {
  absl::StatusOr<Diarienummer> d = ParseDiarienummer("851-1234-2026");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->registry, 851);
  EXPECT_EQ(d->sequence, 1234);
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->ToString(), "851-1234-2026");

  absl::StatusOr<Diarienummer> small = ParseDiarienummer(" 007-1-2025\n");
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->registry, 7);
  EXPECT_EQ(small->sequence, 1);
  EXPECT_EQ(small->ToString(), "007-1-2025");

  EXPECT_EQ(ParseDiarienummer("851-123456789-2026")->sequence, 123456789);
}

TEST(DiarienummerTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "851-1234", "851-0123-2026", "851-0-2026", "85-1234-2026", "8510-1234-2026",
        "851-1234-26", "851-1234-0999", "851--2026", "851-12a4-2026", "851-1234-2026-1",
        "851 1234 2026", "851/1234/2026", "851-1234567890123456789-2026"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParseDiarienummer(text).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "DIARIENUMMER_INVALID_FORMAT");
  }
}

TEST(DiarienummerTest, FormatRoundTripsAndChecksRanges) {
  EXPECT_EQ(FormatDiarienummer(851, 1234, 2026).value(), "851-1234-2026");
  EXPECT_EQ(FormatDiarienummer(12, 5, 2026).value(), "012-5-2026");
  absl::StatusOr<std::string> text = FormatDiarienummer(999, 987654321, 9999);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(ParseDiarienummer(*text)->sequence, 987654321);

  for (auto [registry, sequence, year] :
       {std::tuple{1000, int64_t{1}, 2026}, std::tuple{-1, int64_t{1}, 2026},
        std::tuple{851, int64_t{0}, 2026}, std::tuple{851, int64_t{-5}, 2026},
        std::tuple{851, int64_t{1}, 999}, std::tuple{851, int64_t{1}, 10000}}) {
    absl::StatusOr<std::string> bad = FormatDiarienummer(registry, sequence, year);
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(bad.status()), "DIARIENUMMER_INVALID_FORMAT");
  }
}

}  // namespace
}  // namespace integration::se
