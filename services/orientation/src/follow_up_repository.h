// The follow-up's raw counts in PostgreSQL: sql/queries/follow_up_figures.sql. Used inside a
// pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <pqxx/pqxx>
#include <string_view>

#include "rules/follow_up.h"

namespace integration::orientation {

// County `lanskod`'s counts over `period` with a start window of `window_days`.
RawFollowUp LoadFollowUp(pqxx::work& tx, std::string_view lanskod, const SurveyPeriod& period,
                         int window_days);

}  // namespace integration::orientation
