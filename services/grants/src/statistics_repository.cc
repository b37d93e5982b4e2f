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

// Sums arrive as numeric text: SimpleAtoi fails exactly when they exceed int64.
absl::Status ReadSum(const pqxx::field& field, int64_t* ore) {
  if (!absl::SimpleAtoi(field.as<std::string>(), ore)) return Overflow();
  return absl::OkStatus();
}

// The figures of a row of statistics_figures.sql (by column name).
absl::StatusOr<v1::GrantFigures> FiguresFromRow(const pqxx::row& row) {
  v1::GrantFigures f;
  const int64_t applications = row["applications"].as<int64_t>();
  const int64_t approved_applications = row["approved_applications"].as<int64_t>();
  if (applications > std::numeric_limits<int32_t>::max()) return Overflow();
  f.set_applications(static_cast<int32_t>(applications));
  f.set_approved_applications(static_cast<int32_t>(approved_applications));
  int64_t requested = 0, approved = 0, paid = 0, reclaimed = 0;
  for (auto [column, ore] :
       {std::pair{"requested_ore", &requested}, std::pair{"approved_ore", &approved},
        std::pair{"paid_ore", &paid}, std::pair{"reclaimed_ore", &reclaimed}}) {
    if (absl::Status st = ReadSum(row[column], ore); !st.ok()) return st;
  }
  f.mutable_requested()->set_ore(requested);
  f.mutable_approved()->set_ore(approved);
  f.mutable_paid()->set_ore(paid);
  f.mutable_reclaimed()->set_ore(reclaimed);
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
    if (row["is_total"].as<int>() == 1) {
      out.totals = *std::move(f);
    } else {
      out.kommuner.emplace_back(row["kommunkod"].as<std::string>(), *std::move(f));
    }
  }
  return out;
}

}  // namespace integration::grants
