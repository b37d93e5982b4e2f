// Internal to the outbox library: checking and normalising event ids (UUID text).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace integration::outbox::internal {

// The lowercase form of a canonical 8-4-4-4-12 hex UUID, or nullopt when `text` is not one.
std::optional<std::string> NormalizeUuid(std::string_view text);

}  // namespace integration::outbox::internal
