// Reading a file a setting names (a key, a password), checked when the server starts rather than
// by the flag parser, because commands like `migrate` do not need it.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::config {

// The whole of the file `path` that setting --`flag` names. FAILED_PRECONDITION saying that
// --`flag` is required when `path` is empty, or that it cannot be read; the error names the
// setting and the path, never the content.
absl::StatusOr<std::string> ReadSettingFile(const std::string& path, std::string_view flag);

}  // namespace integration::config
