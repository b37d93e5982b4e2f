// The county's placement statistics from raw counts: per kommun and in total, with counts of
// children below 5 suppressed (places are capacity, not people, and are shown). Pure.
// Only primary suppression: a suppressed kommun count may still be inferred from the total
// minus the others, which the regional overview accepts for its audience of county officers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

inline constexpr int64_t kSuppressBelow = 5;

// `value` as shown: suppressed (and 0) below kSuppressBelow.
v1::ChildCount CountOf(int64_t value);

// The counts statistics_figures.sql returns, by figure and key (kommunkod or unit type name).
struct RawFigures {
  std::map<std::string, int64_t> arrivals;     // by arrival kommun
  std::map<std::string, int64_t> assignments;  // by assigned kommun
  std::map<std::string, int64_t> waiting;      // by assigned kommun, "" unassigned
  std::map<std::string, int64_t> places;       // by the units' kommun
  std::map<std::string, int64_t> taken;        // by the units' kommun
  std::map<std::string, int64_t> by_type;      // by UnitType name
};

// The statistics of county `lanskod` for `year` (all but compute_time): totals over everything,
// a row per kommun of the county that has a share in `shares` (of key `key_name`, "" without
// one) or any figure, with the assignments its share would give it (readiness), and a row per
// unit type.
v1::PlacementStatistics BuildStatistics(std::string_view lanskod, int year,
                                        std::string_view key_name,
                                        const std::map<std::string, int>& shares,
                                        const RawFigures& raw);

}  // namespace integration::placement
