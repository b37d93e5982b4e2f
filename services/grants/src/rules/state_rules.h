// The error every state machine of the grants service answers with when a resource is not in a
// state the change needs. Pure, no I/O.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace integration::grants {

// FAILED_PRECONDITION with `reason` (e.g. APPLICATION_NOT_DRAFT), `message` and metadata
// {resource, state}.
absl::Status WrongState(std::string_view reason, std::string_view resource, std::string_view state,
                        std::string_view message);

}  // namespace integration::grants
