// Start-up checks of configured files (TLS material), shared by server and client code.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace integration::grpc::internal {

// OK when `path` names a readable, non-empty regular file; FAILED_PRECONDITION naming `what`
// and the path otherwise.
absl::Status CheckReadableFile(std::string_view path, std::string_view what);

}  // namespace integration::grpc::internal
