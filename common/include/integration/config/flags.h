// Settings from command-line flags with environment overrides, validated at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace integration::config {

// A set of named settings for one program. A setting named "pg-dsn" is given as
// `--pg-dsn=VALUE` or `--pg-dsn VALUE`, or by the environment variable <PREFIX>_PG_DSN
// (upper case, '-' -> '_'); the flag wins over the environment. Pointers returned by the
// registration functions stay valid for the life of the Flags object and hold the parsed
// value after Parse.
class Flags {
 public:
  Flags(std::string program, std::string env_prefix, std::string description = "");
  ~Flags();
  Flags(const Flags&) = delete;
  Flags& operator=(const Flags&) = delete;

  std::string* String(std::string_view name, std::string default_value, std::string_view help,
                      bool required = false);
  // Secret values are never printed (help shows "<secret>").
  std::string* Secret(std::string_view name, std::string_view help, bool required = false);
  int64_t* Int(std::string_view name, int64_t default_value, std::string_view help,
               int64_t min_value, int64_t max_value);
  bool* Bool(std::string_view name, bool default_value, std::string_view help);
  // Durations like "250ms", "5s", "2m", "1h".
  std::chrono::milliseconds* Duration(std::string_view name,
                                      std::chrono::milliseconds default_value,
                                      std::string_view help);

  // Parses argv (argv[0] is the program) and the environment. Arguments that are not flags
  // are returned in `positional` (e.g. the "migrate" sub-command). Errors name the setting and
  // its environment variable, e.g. "setting --port (env TRAINING_PORT): \"x\" is not an
  // integer". "--help" yields a status of code kCancelled whose message is Help().
  // `environment` replaces the process environment (tests); nullptr reads the real one.
  absl::Status Parse(int argc, const char* const* argv, std::vector<std::string>* positional,
                     const std::map<std::string, std::string>* environment = nullptr);

  // Usage text listing every setting with its env variable, default and help.
  std::string Help() const;
  std::string EnvName(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses or exits: prints Help() and exits 0 on --help, prints the error and exits 2 on a bad
// or missing setting. Returns the positional arguments.
std::vector<std::string> ParseOrExit(Flags& flags, int argc, char** argv);

}  // namespace integration::config
