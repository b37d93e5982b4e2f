// The wrong-state error of the grants service's state machines.
#include "rules/state_rules.h"

#include <string>

#include "integration/status/status.h"

namespace integration::grants {

absl::Status WrongState(std::string_view reason, std::string_view resource, std::string_view state,
                        std::string_view message) {
  return status::FailedPrecondition(
      reason, message, {{"resource", std::string(resource)}, {"state", std::string(state)}});
}

}  // namespace integration::grants
