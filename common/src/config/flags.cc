// Command-line flags with environment overrides: registration, parsing, validation and help.
#include "integration/config/flags.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace integration::config {
namespace {

enum class Kind { kString, kSecret, kInt, kBool, kDuration };

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text.front() == '+') ++begin;  // from_chars takes no '+'
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower = Lower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

// "250ms", "5s", "2m", "1h" and sums of them such as "1h30m"; "0" alone is zero.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return std::nullopt;
  int64_t total_ms = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    std::optional<int64_t> amount = ParseInt(text.substr(0, digits));
    if (!amount.has_value()) return std::nullopt;
    text.remove_prefix(digits);
    int64_t unit_ms;
    if (text.starts_with("ms")) {
      unit_ms = 1;
      text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      unit_ms = 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      unit_ms = 60 * 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      unit_ms = 60 * 60 * 1000;
      text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    if (*amount > (kMax - total_ms) / unit_ms) return std::nullopt;
    total_ms += *amount * unit_ms;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0";
  if (ms % (60 * 60 * 1000) == 0) return std::to_string(ms / (60 * 60 * 1000)) + "h";
  if (ms % (60 * 1000) == 0) return std::to_string(ms / (60 * 1000)) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.front() == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

struct Flags::Impl {
  // One registered setting; the value members are what the registration functions point to.
  struct Setting {
    Kind kind;
    std::string name;
    std::string help;
    bool required = false;
    int64_t min_value = 0;
    int64_t max_value = 0;

    std::string default_string;
    int64_t default_int = 0;
    bool default_bool = false;
    std::chrono::milliseconds default_duration{0};

    std::string string_value;
    int64_t int_value = 0;
    bool bool_value = false;
    std::chrono::milliseconds duration_value{0};
  };

  std::string program;
  std::string env_prefix;
  std::string description;
  // unique_ptr so that value addresses survive later registrations.
  std::vector<std::unique_ptr<Setting>> settings;
  // Mistakes in the registrations themselves, reported by Parse.
  std::vector<std::string> registration_errors;

  Setting* Find(std::string_view name) {
    for (auto& s : settings) {
      if (s->name == name) return s.get();
    }
    return nullptr;
  }

  Setting* Add(Kind kind, std::string_view name, std::string_view help) {
    if (!ValidName(name) || name == "help") {
      registration_errors.push_back("invalid setting name " + Quote(name) +
                                    " (use lower-case letters, digits and '-')");
    } else if (Find(name) != nullptr) {
      registration_errors.push_back("setting --" + std::string(name) + " registered twice");
    }
    auto setting = std::make_unique<Setting>();
    setting->kind = kind;
    setting->name = std::string(name);
    setting->help = std::string(help);
    settings.push_back(std::move(setting));
    return settings.back().get();
  }

  std::string Label(const Setting& s, const Flags& flags) const {
    return "setting --" + s.name + " (env " + flags.EnvName(s.name) + ")";
  }

  static void Reset(Setting& s) {
    s.string_value = s.default_string;
    s.int_value = s.default_int;
    s.bool_value = s.default_bool;
    s.duration_value = s.default_duration;
  }

  // Applies one raw value; an error names the setting but never a secret's value.
  std::optional<std::string> Apply(Setting& s, std::string_view raw, const Flags& flags) {
    switch (s.kind) {
      case Kind::kString:
      case Kind::kSecret:
        s.string_value = std::string(raw);
        return std::nullopt;
      case Kind::kInt: {
        std::optional<int64_t> value = ParseInt(raw);
        if (!value.has_value()) return Label(s, flags) + ": " + Quote(raw) + " is not an integer";
        if (*value < s.min_value || *value > s.max_value) {
          return Label(s, flags) + ": " + std::to_string(*value) + " is out of range [" +
                 std::to_string(s.min_value) + ", " + std::to_string(s.max_value) + "]";
        }
        s.int_value = *value;
        return std::nullopt;
      }
      case Kind::kBool: {
        std::optional<bool> value = ParseBool(raw);
        if (!value.has_value()) {
          return Label(s, flags) + ": " + Quote(raw) + " is not a boolean (use true or false)";
        }
        s.bool_value = *value;
        return std::nullopt;
      }
      case Kind::kDuration: {
        std::optional<std::chrono::milliseconds> value = ParseDuration(raw);
        if (!value.has_value()) {
          return Label(s, flags) + ": " + Quote(raw) +
                 " is not a duration (use e.g. 250ms, 5s, 2m, 1h)";
        }
        s.duration_value = *value;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }
};

Flags::Flags(std::string program, std::string env_prefix, std::string description)
    : impl_(std::make_unique<Impl>()) {
  impl_->program = std::move(program);
  impl_->env_prefix = std::move(env_prefix);
  impl_->description = std::move(description);
}

Flags::~Flags() = default;

std::string* Flags::String(std::string_view name, std::string default_value, std::string_view help,
                           bool required) {
  Impl::Setting* s = impl_->Add(Kind::kString, name, help);
  s->required = required;
  s->default_string = std::move(default_value);
  Impl::Reset(*s);
  return &s->string_value;
}

std::string* Flags::Secret(std::string_view name, std::string_view help, bool required) {
  Impl::Setting* s = impl_->Add(Kind::kSecret, name, help);
  s->required = required;
  return &s->string_value;
}

int64_t* Flags::Int(std::string_view name, int64_t default_value, std::string_view help,
                    int64_t min_value, int64_t max_value) {
  Impl::Setting* s = impl_->Add(Kind::kInt, name, help);
  s->min_value = min_value;
  s->max_value = max_value;
  s->default_int = default_value;
  if (min_value > max_value || default_value < min_value || default_value > max_value) {
    impl_->registration_errors.push_back(
        "setting --" + std::string(name) + ": default " + std::to_string(default_value) +
        " outside [" + std::to_string(min_value) + ", " + std::to_string(max_value) + "]");
  }
  Impl::Reset(*s);
  return &s->int_value;
}

bool* Flags::Bool(std::string_view name, bool default_value, std::string_view help) {
  Impl::Setting* s = impl_->Add(Kind::kBool, name, help);
  s->default_bool = default_value;
  Impl::Reset(*s);
  return &s->bool_value;
}

std::chrono::milliseconds* Flags::Duration(std::string_view name,
                                           std::chrono::milliseconds default_value,
                                           std::string_view help) {
  Impl::Setting* s = impl_->Add(Kind::kDuration, name, help);
  s->default_duration = default_value;
  Impl::Reset(*s);
  return &s->duration_value;
}

std::string Flags::EnvName(std::string_view name) const {
  std::string env = impl_->env_prefix.empty() ? "" : impl_->env_prefix + "_";
  for (char c : name) {
    if (c == '-') {
      env.push_back('_');
    } else if (c >= 'a' && c <= 'z') {
      env.push_back(static_cast<char>(c - 'a' + 'A'));
    } else {
      env.push_back(c);
    }
  }
  return env;
}

absl::Status Flags::Parse(int argc, const char* const* argv, std::vector<std::string>* positional,
                          const std::map<std::string, std::string>* environment) {
  std::vector<std::string> errors = impl_->registration_errors;
  if (!errors.empty()) return Invalid("invalid flag definitions: " + errors.front());
  if (positional != nullptr) positional->clear();

  // Pass 1: the command line, last occurrence wins.
  std::map<std::string, std::string> from_flags;
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i] == nullptr ? "" : argv[i];
    if (only_positional || arg == "-" || !arg.starts_with("-")) {
      if (positional != nullptr) positional->emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      return absl::CancelledError(Help());
    }
    if (!arg.starts_with("--")) {
      errors.push_back("unknown flag " + std::string(arg.substr(0, arg.find('='))) +
                       " (flags are written --name=value)");
      continue;
    }
    std::string_view body = arg.substr(2);
    size_t eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    Impl::Setting* s = impl_->Find(name);
    if (s == nullptr) {
      // Only the name: what follows '=' may be a secret typed under a misspelt name.
      errors.push_back("unknown flag --" + std::string(name));
      continue;
    }
    if (eq != std::string_view::npos) {
      from_flags[s->name] = std::string(body.substr(eq + 1));
    } else if (s->kind == Kind::kBool) {
      from_flags[s->name] = "true";
    } else if (i + 1 < argc && argv[i + 1] != nullptr &&
               !std::string_view(argv[i + 1]).starts_with("--")) {
      from_flags[s->name] = argv[++i];
    } else {
      errors.push_back(impl_->Label(*s, *this) + ": missing value");
    }
  }

  // Pass 2: each setting from its flag, else its environment variable, else its default.
  for (auto& setting : impl_->settings) {
    Impl::Setting& s = *setting;
    Impl::Reset(s);
    std::optional<std::string> raw;
    if (auto it = from_flags.find(s.name); it != from_flags.end()) {
      raw = it->second;
    } else {
      std::string env = EnvName(s.name);
      if (environment != nullptr) {
        if (auto e = environment->find(env); e != environment->end()) raw = e->second;
      } else if (const char* value = std::getenv(env.c_str()); value != nullptr) {
        raw = value;
      }
      // An empty variable counts as unset: optional ConfigMap keys render that way.
      if (raw.has_value() && raw->empty()) raw.reset();
    }
    if (raw.has_value()) {
      if (auto error = impl_->Apply(s, *raw, *this); error.has_value()) {
        errors.push_back(*error);
        continue;
      }
    }
    if (s.required && s.string_value.empty()) {
      errors.push_back(impl_->Label(s, *this) + " is required");
    }
  }

  if (errors.empty()) return absl::OkStatus();
  std::string message;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) message.append("; ");
    message.append(errors[i]);
  }
  return Invalid(message);
}

std::string Flags::Help() const {
  std::string out = "Usage: " + impl_->program + " [flags] [command]\n";
  if (!impl_->description.empty()) out += impl_->description + "\n";
  out += "\nFlags (each can also be set by the environment variable shown; the flag wins):\n";
  for (const auto& setting : impl_->settings) {
    const Impl::Setting& s = *setting;
    std::string usage = "  --" + s.name;
    std::string detail = "env " + EnvName(s.name);
    switch (s.kind) {
      case Kind::kString:
        usage += "=STRING";
        if (!s.default_string.empty()) detail += ", default " + Quote(s.default_string);
        break;
      case Kind::kSecret:
        usage += "=SECRET";
        detail += ", <secret>";
        break;
      case Kind::kInt:
        usage += "=INT";
        detail += ", default " + std::to_string(s.default_int) + ", range [" +
                  std::to_string(s.min_value) + ", " + std::to_string(s.max_value) + "]";
        break;
      case Kind::kBool:
        usage += "[=true|false]";
        detail += std::string(", default ") + (s.default_bool ? "true" : "false");
        break;
      case Kind::kDuration:
        usage += "=DURATION";
        detail += ", default " + FormatDuration(s.default_duration);
        break;
    }
    if (s.required) detail += ", required";
    out += usage + "  (" + detail + ")\n";
    if (!s.help.empty()) out += "      " + s.help + "\n";
  }
  out += "  --help  (show this text)\n";
  return out;
}

std::vector<std::string> ParseOrExit(Flags& flags, int argc, char** argv) {
  std::vector<std::string> positional;
  absl::Status status = flags.Parse(argc, argv, &positional);
  if (status.code() == absl::StatusCode::kCancelled) {
    std::fputs(std::string(status.message()).c_str(), stdout);
    std::exit(0);
  }
  if (!status.ok()) {
    std::string program = argc > 0 && argv[0] != nullptr ? argv[0] : "program";
    std::fprintf(stderr, "%s: %s\n(run with --help for the list of settings)\n", program.c_str(),
                 std::string(status.message()).c_str());
    std::exit(2);
  }
  return positional;
}

}  // namespace integration::config
