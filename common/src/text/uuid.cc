// UUID generation and parsing through boost::uuids.
#include "integration/text/uuid.h"

#include <boost/uuid/entropy_error.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <stdexcept>

#include "absl/status/status.h"

namespace integration::text {
namespace {

// The canonical form's length; Boost's parser also takes braces and undashed hex, which have
// other lengths, so this length plus a successful parse means exactly 8-4-4-4-12.
constexpr std::size_t kCanonicalLength = 36;

}  // namespace

absl::StatusOr<std::string> NewUuid() {
  try {
    boost::uuids::random_generator generate;
    return boost::uuids::to_string(generate());
  } catch (const boost::uuids::entropy_error& e) {
    return absl::InternalError(std::string("no randomness for a UUID: ") + e.what());
  }
}

std::optional<std::string> NormalizeUuid(std::string_view text) {
  if (text.size() != kCanonicalLength) return std::nullopt;
  try {
    return boost::uuids::to_string(boost::uuids::string_generator()(text.begin(), text.end()));
  } catch (const std::runtime_error&) {  // Boost reports a malformed UUID by throwing
    return std::nullopt;
  }
}

}  // namespace integration::text
