// Reading the file a setting names.
#include "integration/config/secret_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace integration::config {

absl::StatusOr<std::string> ReadSettingFile(const std::string& path, std::string_view flag) {
  if (path.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", std::string(flag), " is required to serve"));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", std::string(flag), ": cannot read \"", path, "\""));
  }
  return text.str();
}

}  // namespace integration::config
