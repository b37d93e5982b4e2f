// Start-up checks of configured files.
#include "files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "text.h"

namespace integration::grpc::internal {

absl::Status CheckReadableFile(std::string_view path, std::string_view what) {
  const std::string p(path);
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(Av(what), " \"", Av(path), "\" cannot be read: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(Av(what), " \"", Av(path), "\" is not a file"));
  }
  if (st.st_size == 0) {
    return absl::FailedPreconditionError(absl::StrCat(Av(what), " \"", Av(path), "\" is empty"));
  }
  std::ifstream in(p);
  if (!in.good()) {
    return absl::FailedPreconditionError(
        absl::StrCat(Av(what), " \"", Av(path), "\" cannot be opened for reading"));
  }
  return absl::OkStatus();
}

}  // namespace integration::grpc::internal
