// Resource name patterns compiled by the path template parser; parsing and printing of names.
#include "integration/names/resource_name.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/names/path_template.h"
#include "integration/status/status.h"

namespace integration::names {
namespace {

// A broken pattern or a wrong number of values is a bug in the program, not bad input: like a
// failed CHECK, stop with the reason rather than serve wrong names.
[[noreturn]] void Die(std::string_view what) {
  std::fprintf(stderr, "resource name: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace

std::string_view ResourceName::operator[](std::string_view variable) const {
  for (std::size_t i = 0; i < variables_.size(); ++i) {
    if (variables_[i] == variable) return values_[i];
  }
  return {};
}

bool ResourceName::IsWildcard(std::string_view variable) const {
  for (std::size_t i = 0; i < variables_.size(); ++i) {
    if (variables_[i] == variable) return wildcards_[i];
  }
  return false;
}

absl::StatusOr<ResourcePattern> ResourcePattern::Compile(std::string_view pattern,
                                                         PatternOptions options) {
  absl::StatusOr<PathTemplate> parsed = PathTemplate::ParseSegments(pattern);
  if (!parsed.ok()) return parsed.status();
  auto refuse = [&](std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("name pattern \"", std::string(pattern), "\": ", std::string(what)));
  };

  ResourcePattern result;
  result.pattern_ = std::string(pattern);
  result.segments_.resize(parsed->segments().size());
  for (const TemplateVariable& variable : parsed->variables()) {
    const bool single = variable.field_path.size() == 1 && variable.end == variable.begin + 1 &&
                        parsed->segments()[variable.begin].kind == TemplateSegment::Kind::kSingle;
    if (!single) return refuse("a variable is one segment named by one identifier, as {call}");
    result.segments_[variable.begin].variable = static_cast<int>(result.variables_.size());
    result.variables_.push_back(variable.field_path.front());
  }
  for (std::size_t i = 0; i < parsed->segments().size(); ++i) {
    const TemplateSegment& segment = parsed->segments()[i];
    if (result.segments_[i].variable >= 0) continue;
    if (segment.kind != TemplateSegment::Kind::kLiteral) {
      return refuse("wildcards belong in path templates; a name pattern names its variables");
    }
    result.segments_[i].literal = segment.literal;
  }
  for (const auto& [variable, check] : options.checks) {
    bool known = false;
    for (const std::string& name : result.variables_) known = known || name == variable;
    if (!known) return refuse(absl::StrCat("a check names no variable: ", variable));
  }
  result.options_ = std::move(options);
  return result;
}

ResourcePattern ResourcePattern::Declare(std::string_view pattern, PatternOptions options) {
  absl::StatusOr<ResourcePattern> compiled = Compile(pattern, std::move(options));
  if (!compiled.ok()) Die(compiled.status().ToString());
  return *std::move(compiled);
}

ValueCheck ResourcePattern::CheckOf(std::size_t variable) const {
  for (const auto& [name, check] : options_.checks) {
    if (name == variables_[variable]) return check;
  }
  return options_.check;
}

absl::StatusOr<ResourceName> ResourcePattern::Parse(std::string_view name, std::string_view field,
                                                    Wildcard wildcard) const {
  // Empty segments are kept, so that "calls//x" and "calls/1/" are refused.
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(name.data(), name.size()), '/');
  if (parts.size() != segments_.size()) return Malformed(field);
  ResourceName result;
  result.variables_ = variables_;
  result.values_.resize(variables_.size());
  result.wildcards_.resize(variables_.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Segment& segment = segments_[i];
    if (segment.variable < 0) {
      if (parts[i] != segment.literal) return Malformed(field);
      continue;
    }
    const std::string_view value(parts[i].data(), parts[i].size());
    if (value.empty()) return Malformed(field);
    const bool every = wildcard == Wildcard::kAllowed && value == "-";
    const ValueCheck check = CheckOf(static_cast<std::size_t>(segment.variable));
    if (!every && check != nullptr && !check(value)) return Malformed(field);
    result.values_[static_cast<std::size_t>(segment.variable)] = std::string(value);
    result.wildcards_[static_cast<std::size_t>(segment.variable)] = every;
  }
  return result;
}

absl::Status ResourcePattern::Malformed(std::string_view field, std::string_view also) const {
  std::string description = absl::StrCat("must be a resource name of the form ", pattern_);
  if (!also.empty()) absl::StrAppend(&description, " or ", std::string(also));
  if (!options_.hint.empty()) absl::StrAppend(&description, ", where ", options_.hint);
  return status::Error(absl::StatusCode::kInvalidArgument, options_.reason,
                       absl::StrCat(std::string(field), ": ", description),
                       {{"expected", pattern_}}, {{std::string(field), description}});
}

std::string ResourcePattern::FormatValues(std::initializer_list<std::string> values) const {
  if (values.size() != variables_.size()) {
    Die(absl::StrCat("\"", pattern_, "\" has ", variables_.size(), " variables, given ",
                     values.size(), " values"));
  }
  std::string name;
  const std::string* value = values.begin();
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& segment = segments_[i];
    if (i > 0) name.push_back('/');
    if (segment.variable < 0) {
      name.append(segment.literal);
    } else {
      name.append(value[segment.variable]);
    }
  }
  return name;
}

bool IsPositiveId(std::string_view value) {
  const absl::string_view text(value.data(), value.size());
  int64_t id = 0;
  return absl::SimpleAtoi(text, &id) && id > 0 && text == absl::StrCat(id);
}

int64_t PositiveId(std::string_view value) {
  return IsPositiveId(value) ? std::stoll(std::string(value)) : 0;
}

}  // namespace integration::names
