// Resource names (AIP-122): each resource declares its pattern once, e.g.
// "calls/{call}/applications/{application}", and one ResourcePattern parses and prints it.
// The pattern is read by the path template parser the gateway routes with (path_template.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace integration::names {

// Whether a variable's value is well-formed (a positive integer id, a slug, …). It is called
// only with a non-empty value without '/'.
using ValueCheck = bool (*)(std::string_view value);

// What a pattern checks beyond its literals, and how it reports a name that fails.
struct PatternOptions {
  PatternOptions() = default;
  // The usual declaration: one reason, one check of every variable, and the hint.
  PatternOptions(std::string_view reason, ValueCheck check, std::string_view hint)
      : reason(reason), check(check), hint(hint) {}

  // The ErrorInfo reason of a malformed name; each service keeps the one its clients know.
  std::string reason = "RESOURCE_NAME_INVALID";
  // The check of every variable without an entry in `checks`; nullptr accepts any value.
  ValueCheck check = nullptr;
  // Checks of single variables by name, e.g. {{"programme", IsValidProgrammeId}}.
  std::vector<std::pair<std::string, ValueCheck>> checks;
  // What the values must be, appended to the violation's description, e.g. "each {id} is a
  // positive integer". Empty: the pattern alone.
  std::string hint;
};

class ResourcePattern;

// The values of a parsed name, by variable.
class ResourceName {
 public:
  // The value of `variable`; empty when the pattern has no such variable (a parsed value
  // never is).
  std::string_view operator[](std::string_view variable) const;
  // Values in the order of the pattern's variables.
  const std::vector<std::string>& values() const { return values_; }
  // AIP-159: the value is "-", "every one" (only from Parse with Wildcard::kAllowed).
  bool IsWildcard(std::string_view variable) const;

 private:
  friend class ResourcePattern;
  std::vector<std::string> variables_;
  std::vector<std::string> values_;
  // Per variable: its "-" was read as a wildcard (Wildcard::kAllowed); a "-" that a pattern
  // without checks took as a plain value under kRefused is not one.
  std::vector<bool> wildcards_;
};

// A compiled pattern: literal segments and "{variable}" segments, nothing else (no '*', no
// "{a=b/*}", no verb). Cheap to copy; services keep one per resource in a function-local
// static.
class ResourcePattern {
 public:
  // Whether "-" may stand for a value (AIP-159 reads across parents, e.g. "calls/-").
  enum class Wildcard { kRefused, kAllowed };

  // INVALID_ARGUMENT when `pattern` is not a pattern of literals and single variables, a
  // variable repeats, or `options.checks` names a variable the pattern does not have.
  static absl::StatusOr<ResourcePattern> Compile(std::string_view pattern,
                                                 PatternOptions options = {});
  // Compile for a pattern written in the source: a malformed one is a programming error, so
  // the process stops at the first use with the reason on stderr.
  static ResourcePattern Declare(std::string_view pattern, PatternOptions options = {});

  const std::string& pattern() const { return pattern_; }
  const std::vector<std::string>& variables() const { return variables_; }
  const std::string& reason() const { return options_.reason; }

  // The values of `name`, or INVALID_ARGUMENT with the pattern's reason, ErrorInfo metadata
  // {"expected": pattern} and one BadRequest violation on `field` (the request field the name
  // came from, e.g. "parent" or "application.name"). A name matches when it has exactly the
  // pattern's segments, each literal equal and each value non-empty and passing its check.
  absl::StatusOr<ResourceName> Parse(std::string_view name, std::string_view field,
                                     Wildcard wildcard = Wildcard::kRefused) const;
  bool Matches(std::string_view name) const { return Parse(name, "name").ok(); }

  // The error Parse returns for `field`; for callers that accept other forms besides the
  // pattern and report them together (`also`, e.g. "calls/-", is named in the description).
  absl::Status Malformed(std::string_view field, std::string_view also = {}) const;

  // The name with `values` in the order of the variables: Format(7, 42) gives
  // "calls/7/applications/42". Values are trusted ids (validated or generated), written as
  // they are. A count other than the pattern's is a programming error and stops the process.
  template <typename... Values>
  std::string Format(const Values&... values) const {
    return FormatValues({Text(values)...});
  }

 private:
  struct Segment {
    std::string literal;  // empty for a variable
    int variable = -1;    // index into variables_, -1 for a literal
  };

  // Strings as they are, numbers in decimal. (This Abseil's string_view is not
  // std::string_view, so StrCat alone would not take both.)
  template <typename Value>
  static std::string Text(const Value& value) {
    if constexpr (std::is_convertible_v<const Value&, std::string_view>) {
      return std::string(std::string_view(value));
    } else {
      return absl::StrCat(value);
    }
  }
  std::string FormatValues(std::initializer_list<std::string> values) const;
  ValueCheck CheckOf(std::size_t variable) const;

  std::string pattern_;
  PatternOptions options_;
  std::vector<Segment> segments_;
  std::vector<std::string> variables_;
};

// The usual ValueCheck of an id: a positive integer without leading zeros, so that one resource
// has one name.
bool IsPositiveId(std::string_view value);
// The value of a variable IsPositiveId accepted (0 for anything else).
int64_t PositiveId(std::string_view value);

}  // namespace integration::names
