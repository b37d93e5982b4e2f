// The segment grammar of google.api.http path templates (AIP-127) and of resource name
// patterns (AIP-122): one parser for the gateway's routes and every service's names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::names {

// One path segment of a template.
struct TemplateSegment {
  enum class Kind {
    kLiteral,  // matches exactly `literal`
    kSingle,   // "*": one non-empty segment
    kMulti,    // "**": the rest of the path, zero or more segments (last segment only)
  };
  Kind kind = Kind::kLiteral;
  std::string literal;
};

// A "{field.path=pattern}" part of a template; "{field}" is "{field=*}".
struct TemplateVariable {
  std::vector<std::string> field_path;  // {"part", "name"} for "{part.name=parts/*}"
  std::size_t begin = 0;                // index of its first segment in segments()
  std::size_t end = 0;                  // one past its last segment
  std::string pattern;                  // as written: "parts/*", "*" for "{code}"

  // The field path joined by '.', e.g. "part.name".
  std::string FieldPathString() const;
};

// Template = "/" Segments [ ":" Verb ] ; Segments = Segment { "/" Segment } ;
// Segment = "*" | "**" | LITERAL | Variable ; Variable = "{" FieldPath [ "=" Segments ] "}" ;
// FieldPath = IDENT { "." IDENT } ; "**" only as the last segment; variables do not nest.
class PathTemplate {
 public:
  // A google.api.http path: "/v1/{name=calls/*}:publish".
  static absl::StatusOr<PathTemplate> Parse(std::string_view text);
  // Segments alone, without the leading '/' and without a verb: the resource name pattern
  // "calls/{call}/applications/{application}" (see resource_name.h).
  static absl::StatusOr<PathTemplate> ParseSegments(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<TemplateSegment>& segments() const { return segments_; }
  const std::vector<TemplateVariable>& variables() const { return variables_; }
  // The custom verb without ':' ("publish"); empty when there is none.
  const std::string& verb() const { return verb_; }
  bool ends_with_multi() const {
    return !segments_.empty() && segments_.back().kind == TemplateSegment::Kind::kMulti;
  }

  // Matches the raw (still percent-encoded) segments of a request path whose custom verb, if
  // any, was already split off. On success fills one entry per variable: the raw segments it
  // covered. Literals compare against the segment as sent and as decoded.
  bool Match(const std::vector<std::string_view>& raw_segments, std::string_view verb,
             std::vector<std::vector<std::string_view>>* raw_values) const;

  // Same segment kinds, literals and verb: two templates that match exactly the same paths.
  bool SameShape(const PathTemplate& other) const;

 private:
  static absl::StatusOr<PathTemplate> ParseAs(std::string_view text, bool http_path);

  std::string text_;
  std::vector<TemplateSegment> segments_;
  std::vector<TemplateVariable> variables_;
  std::string verb_;
};

// RFC 3986 percent-decoding; `plus_as_space` for query strings (application/x-www-form-
// urlencoded). Errors on a '%' not followed by two hex digits.
absl::StatusOr<std::string> PercentDecode(std::string_view text, bool plus_as_space);

}  // namespace integration::names
