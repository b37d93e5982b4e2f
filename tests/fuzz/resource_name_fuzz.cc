// libFuzzer target: resource name patterns (ResourcePattern::Compile) and names parsed by them.
// Input: one option byte, a pattern, a newline, a name. A name a pattern accepts has as many
// segments as the pattern and one non-empty value without '/' per variable, each passing the
// pattern's check; a refused name is INVALID_ARGUMENT with the pattern's reason.
// Seeds: corpus/resource_name.
#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "integration/names/resource_name.h"

using integration::fuzz::Require;
using integration::names::ResourcePattern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool ids_only = (data[0] & 1) != 0;
  const auto wildcard = (data[0] & 2) != 0 ? ResourcePattern::Wildcard::kAllowed
                                           : ResourcePattern::Wildcard::kRefused;
  const std::string_view input = integration::fuzz::AsText(data + 1, size - 1);
  const size_t newline = input.find('\n');
  const std::string_view pattern_text = input.substr(0, newline);
  const std::string_view name =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  integration::names::PatternOptions options;
  if (ids_only) options.check = integration::names::IsPositiveId;
  const auto pattern = ResourcePattern::Compile(pattern_text, options);
  if (!pattern.ok()) {
    Require(pattern.status().code() == absl::StatusCode::kInvalidArgument,
            "a bad pattern is not INVALID_ARGUMENT");
    return 0;
  }
  const auto parsed = pattern->Parse(name, "name", wildcard);
  if (!parsed.ok()) {
    integration::fuzz::RequireClientError(parsed.status(), "resource name error");
    const auto info = integration::status::GetErrorInfo(parsed.status());
    Require(info->reason() == pattern->reason(), "error reason is not the pattern's");
    return 0;
  }
  Require(std::count(name.begin(), name.end(), '/') ==
              std::count(pattern->pattern().begin(), pattern->pattern().end(), '/'),
          "accepted name has another number of segments than the pattern");
  Require(parsed->values().size() == pattern->variables().size(), "a value per variable");
  for (size_t i = 0; i < parsed->values().size(); ++i) {
    const std::string& value = parsed->values()[i];
    Require(!value.empty() && value.find('/') == std::string::npos, "value empty or with '/'");
    Require((*parsed)[pattern->variables()[i]] == value, "lookup by variable disagrees");
    if (parsed->IsWildcard(pattern->variables()[i])) {
      Require(wildcard == ResourcePattern::Wildcard::kAllowed && value == "-",
              "wildcard value where none is allowed");
    } else if (ids_only) {
      Require(integration::names::IsPositiveId(value) &&
                  integration::names::PositiveId(value) > 0,
              "value failing the check accepted");
    }
  }
  return 0;
}
