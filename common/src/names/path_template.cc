// Parsing of path templates and resource name patterns, and matching of request paths.
#include "integration/names/path_template.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace integration::names {
namespace {

// Abseil here is built with its own string_view type; these convert without copying.
absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }


bool IsIdentStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Characters a literal segment may hold: RFC 3986 pchar without ':' (the verb separator) and
// without the template's own syntax characters.
bool IsLiteralChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case ';':
    case '@':
    case '%':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A recursive-descent parser over the template text; `pos_` always points at the next
// unread character.
class Parser {
 public:
  // `http_path`: a google.api.http path, with its leading '/' and optional ":verb"; otherwise
  // the bare segments of a resource name pattern.
  Parser(absl::string_view text, bool http_path) : text_(text), http_path_(http_path) {}

  absl::Status Run(std::vector<TemplateSegment>* segments, std::vector<TemplateVariable>* variables,
                   std::string* verb) {
    if (http_path_) {
      if (text_.empty() || text_[0] != '/') return Error("must start with '/'");
      ++pos_;
    }
    if (auto st = ParseSegments(segments, variables, /*in_variable=*/false); !st.ok()) return st;
    if (http_path_ && pos_ < text_.size() && text_[pos_] == ':') {
      ++pos_;
      std::size_t start = pos_;
      while (pos_ < text_.size() && IsLiteralChar(text_[pos_])) ++pos_;
      if (pos_ == start) return Error("empty custom verb");
      *verb = std::string(text_.substr(start, pos_ - start));
    }
    if (pos_ != text_.size()) return Error("unexpected character");
    for (std::size_t i = 0; i < segments->size(); ++i) {
      if ((*segments)[i].kind == TemplateSegment::Kind::kMulti && i + 1 != segments->size()) {
        return Error("'**' is allowed only as the last segment");
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(http_path_ ? "path template" : "name pattern",
                                                   " \"", text_, "\": ", what, " at offset ", pos_));
  }

  absl::Status ParseSegments(std::vector<TemplateSegment>* segments,
                             std::vector<TemplateVariable>* variables, bool in_variable) {
    while (true) {
      if (auto st = ParseSegment(segments, variables, in_variable); !st.ok()) return st;
      if (pos_ < text_.size() && text_[pos_] == '/') {
        ++pos_;
        continue;
      }
      return absl::OkStatus();
    }
  }

  absl::Status ParseSegment(std::vector<TemplateSegment>* segments,
                            std::vector<TemplateVariable>* variables, bool in_variable) {
    if (pos_ >= text_.size()) return Error("empty segment");
    const char c = text_[pos_];
    if (c == '{') {
      if (in_variable) return Error("nested variable");
      return ParseVariable(segments, variables);
    }
    if (c == '*') {
      TemplateSegment segment;
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        segment.kind = TemplateSegment::Kind::kMulti;
        pos_ += 2;
      } else {
        segment.kind = TemplateSegment::Kind::kSingle;
        ++pos_;
      }
      if (pos_ < text_.size() && text_[pos_] != '/' && text_[pos_] != ':' && text_[pos_] != '}') {
        return Error("a wildcard must be a whole segment");
      }
      segments->push_back(std::move(segment));
      return absl::OkStatus();
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && IsLiteralChar(text_[pos_])) ++pos_;
    if (pos_ == start) return Error("empty or invalid segment");
    auto decoded = PercentDecode(ToStd(text_.substr(start, pos_ - start)), /*plus_as_space=*/false);
    if (!decoded.ok()) return Error("bad percent-encoding in literal");
    segments->push_back({TemplateSegment::Kind::kLiteral, *std::move(decoded)});
    return absl::OkStatus();
  }

  absl::Status ParseVariable(std::vector<TemplateSegment>* segments,
                             std::vector<TemplateVariable>* variables) {
    ++pos_;  // '{'
    TemplateVariable variable;
    while (true) {
      if (pos_ >= text_.size() || !IsIdentStart(text_[pos_])) return Error("bad field path");
      std::size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      variable.field_path.emplace_back(text_.substr(start, pos_ - start));
      if (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        continue;
      }
      break;
    }
    variable.begin = segments->size();
    if (pos_ < text_.size() && text_[pos_] == '=') {
      ++pos_;
      std::size_t start = pos_;
      if (auto st = ParseSegments(segments, variables, /*in_variable=*/true); !st.ok()) return st;
      variable.pattern = std::string(text_.substr(start, pos_ - start));
    } else {
      segments->push_back({TemplateSegment::Kind::kSingle, ""});
      variable.pattern.assign(1, '*');  // (not = "*": GCC 12 -Wrestrict false positive at -O2)
    }
    variable.end = segments->size();
    if (pos_ >= text_.size() || text_[pos_] != '}') return Error("missing '}'");
    ++pos_;
    const std::string name = variable.FieldPathString();
    for (const TemplateVariable& other : *variables) {
      if (other.FieldPathString() == name)
        return Error(absl::StrCat("field ", name, " bound twice"));
    }
    variables->push_back(std::move(variable));
    return absl::OkStatus();
  }

  absl::string_view text_;
  bool http_path_;
  std::size_t pos_ = 0;
};

bool LiteralMatches(const std::string& literal, std::string_view raw) {
  if (raw == literal) return true;
  if (raw.find('%') == std::string_view::npos) return false;
  auto decoded = PercentDecode(raw, /*plus_as_space=*/false);
  return decoded.ok() && *decoded == literal;
}

}  // namespace

std::string TemplateVariable::FieldPathString() const { return absl::StrJoin(field_path, "."); }

absl::StatusOr<PathTemplate> PathTemplate::Parse(std::string_view text) {
  return ParseAs(text, /*http_path=*/true);
}

absl::StatusOr<PathTemplate> PathTemplate::ParseSegments(std::string_view text) {
  return ParseAs(text, /*http_path=*/false);
}

absl::StatusOr<PathTemplate> PathTemplate::ParseAs(std::string_view text, bool http_path) {
  PathTemplate result;
  result.text_ = std::string(text);
  Parser parser(ToAbsl(text), http_path);
  if (auto st = parser.Run(&result.segments_, &result.variables_, &result.verb_); !st.ok()) {
    return st;
  }
  return result;
}

bool PathTemplate::Match(const std::vector<std::string_view>& raw_segments, std::string_view verb,
                         std::vector<std::vector<std::string_view>>* raw_values) const {
  if (verb != verb_) return false;
  const bool multi = ends_with_multi();
  const std::size_t fixed = multi ? segments_.size() - 1 : segments_.size();
  if (multi ? raw_segments.size() < fixed : raw_segments.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    const TemplateSegment& segment = segments_[i];
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        if (!LiteralMatches(segment.literal, raw_segments[i])) return false;
        break;
      case TemplateSegment::Kind::kSingle:
        if (raw_segments[i].empty()) return false;
        break;
      case TemplateSegment::Kind::kMulti:
        return false;  // unreachable: Parse allows '**' only last
    }
  }
  raw_values->clear();
  for (const TemplateVariable& variable : variables_) {
    std::vector<std::string_view> values;
    const std::size_t end =
        (multi && variable.end == segments_.size()) ? raw_segments.size() : variable.end;
    for (std::size_t i = variable.begin; i < end; ++i) values.push_back(raw_segments[i]);
    raw_values->push_back(std::move(values));
  }
  return true;
}

bool PathTemplate::SameShape(const PathTemplate& other) const {
  if (verb_ != other.verb_ || segments_.size() != other.segments_.size()) return false;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].kind != other.segments_[i].kind) return false;
    if (segments_[i].kind == TemplateSegment::Kind::kLiteral &&
        segments_[i].literal != other.segments_[i].literal) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int hi = complete ? HexValue(text[i + 1]) : -1;
      const int lo = complete ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad percent-encoding at offset ", i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace integration::names
