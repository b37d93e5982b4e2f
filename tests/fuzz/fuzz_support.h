// Shared pieces of the libFuzzer targets: the entry point's signature, a property check that
// crashes (so libFuzzer keeps the input), and the checks every parser's errors must pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "integration/status/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace integration::fuzz {

// The input as text (parsers take string_view; bytes are fine, NULs included).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property of the parser that an input broke: abort, which libFuzzer reports as a crash and
// saves the input for the regression test.
inline void Require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  std::abort();
}

// A rejection as the API promises it to clients: INVALID_ARGUMENT with an ErrorInfo reason
// (the code and reason clients branch on), never another code or a bare status.
inline void RequireClientError(const absl::Status& status, const char* what) {
  Require(status.code() == absl::StatusCode::kInvalidArgument, what);
  Require(status::GetErrorInfo(status).has_value(), what);
}

// Personal data never echoed: an error message holds no run of `input` this long.
inline void RequireNotEchoed(const absl::Status& status, std::string_view input) {
  constexpr size_t kRun = 6;
  const std::string_view message(status.message().data(), status.message().size());
  for (size_t i = 0; i + kRun <= input.size(); ++i) {
    const std::string_view run = input.substr(i, kRun);
    // Only runs of digits are personal; field names and words may well appear.
    if (run.find_first_not_of("0123456789") != std::string_view::npos) continue;
    Require(message.find(run) == std::string_view::npos, "error message echoes the number");
  }
}

}  // namespace integration::fuzz
