// libFuzzer target: the path template grammar (google.api.http paths and resource name
// patterns) and percent-decoding. Input: a template, a newline, a request path. An accepted
// template's variables cover valid segment ranges and its text parses again to the same shape;
// matching a path fills one value per variable; PercentDecode never reads past the text.
// Seeds: corpus/path_template.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "integration/names/path_template.h"

using integration::fuzz::Require;
using integration::names::PathTemplate;

namespace {

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

void CheckTemplate(const PathTemplate& t, std::string_view path, bool http_path) {
  for (const auto& v : t.variables()) {
    Require(v.begin < v.end && v.end <= t.segments().size(), "variable covers no valid segments");
    Require(!v.field_path.empty(), "variable without a field path");
  }
  Require(t.SameShape(t), "template is not the same shape as itself");
  const auto again = http_path ? PathTemplate::Parse(t.text()) : PathTemplate::ParseSegments(t.text());
  Require(again.ok() && again->SameShape(t), "template text does not parse back to its shape");

  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  std::vector<std::string_view> segments = SplitSegments(rest);
  std::string_view verb;
  if (const size_t colon = segments.back().rfind(':'); colon != std::string_view::npos) {
    verb = segments.back().substr(colon + 1);
    segments.back() = segments.back().substr(0, colon);
  }
  std::vector<std::vector<std::string_view>> values;
  if (t.Match(segments, verb, &values)) {
    Require(values.size() == t.variables().size(), "match fills a value per variable");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = integration::fuzz::AsText(data, size);
  const size_t newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  const std::string_view path =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  if (const auto t = PathTemplate::Parse(text); t.ok()) {
    CheckTemplate(*t, path, /*http_path=*/true);
  }
  if (const auto t = PathTemplate::ParseSegments(text); t.ok()) {
    CheckTemplate(*t, path, /*http_path=*/false);
  }
  for (const bool plus : {false, true}) {
    const auto decoded = integration::names::PercentDecode(path, plus);
    if (decoded.ok()) Require(decoded->size() <= path.size(), "decoding made the text longer");
  }
  return 0;
}
