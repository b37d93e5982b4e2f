// What the rules tests read from a status: the fields of its BadRequest violations.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "integration/status/status.h"

namespace integration::placement::testing {

// The fields named by `st`'s BadRequest, in order; empty without one.
inline std::vector<std::string> Violations(const absl::Status& st) {
  std::vector<std::string> out;
  if (auto bad = status::GetBadRequest(st)) {
    for (const auto& v : bad->field_violations()) out.push_back(v.field());
  }
  return out;
}

}  // namespace integration::placement::testing
