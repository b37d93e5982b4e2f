// Grants statistics from PostgreSQL: numeric sums read back into int64 öre, never wrapped.
#include "statistics_repository.h"

#include <limits>
#include <utility>

#include "absl/strings/numbers.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

absl::Status Overflow() {
  return status::Error(absl::StatusCode::kOutOfRange, "STATISTICS_OVERFLOW",
                       "a sum of the statistics does not fit in 64-bit öre; narrow the scope");
}

// Columns 2-7 of statistics_figures.sql.
absl::StatusOr<v1::GrantFigures> FiguresFromRow(const pqxx::row& row) {
  v1::GrantFigures f;
  const int64_t applications = row[2].as<int64_t>();
  const int64_t approved_applications = row[7].as<int64_t>();
  if (applications > std::numeric_limits<int32_t>::max()) return Overflow();
  f.set_applications(static_cast<int32_t>(applications));
  f.set_approved_applications(static_cast<int32_t>(approved_applications));
  int64_t sums[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    // Sums arrive as numeric text: SimpleAtoi fails exactly when they exceed int64.
    if (!absl::SimpleAtoi(row[3 + i].as<std::string>(), &sums[i])) return Overflow();
  }
  f.mutable_requested()->set_ore(sums[0]);
  f.mutable_approved()->set_ore(sums[1]);
  f.mutable_paid()->set_ore(sums[2]);
  f.mutable_reclaimed()->set_ore(sums[3]);
  return f;
}

}  // namespace

absl::StatusOr<StatisticsFigures> StatisticsRepository::Figures(const StatisticsScope& scope) {
  pqxx::result r = tx_.exec_prepared("statistics_figures", scope.lanskod, scope.call_id,
                                     scope.programme_id, scope.year);
  StatisticsFigures out;
  for (const pqxx::row& row : r) {
    absl::StatusOr<v1::GrantFigures> f = FiguresFromRow(row);
    if (!f.ok()) return f.status();
    if (row[0].as<int>() == 1) {
      out.totals = *std::move(f);
    } else {
      out.kommuner.emplace_back(row[1].as<std::string>(), *std::move(f));
    }
  }
  return out;
}

}  // namespace integration::grants
