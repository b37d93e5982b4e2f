// A private temporary directory for tests and test harnesses, removed with its contents at the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace integration::testing {

// Header-only: unit tests use it without linking integration_testing (which brings the
// PostgreSQL harness along).
//
// The directory is made with mkdtemp (mode 0700, a name nobody else can have guessed), so key
// files written into it are not readable by other users of the machine.
class TempDir {
 public:
  // Creates <system temp dir>/<prefix>XXXXXX. ok() is false when that failed; path() is then
  // empty, and a test should assert ok() before writing anything.
  explicit TempDir(std::string_view prefix = "integration_test_") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = std::move(pattern);
  }
  ~TempDir() { Remove(); }

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, std::string())) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      Remove();
      path_ = std::exchange(other.path_, std::string());
    }
    return *this;
  }

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  // The path of `name` inside the directory (nothing is created).
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

  // Writes `content` to `name` inside the directory (replacing it) and returns its path. A
  // failed write leaves the file missing or short, which the test then notices when it uses it;
  // without a directory nothing is written and "" is returned.
  std::string Write(std::string_view name, std::string_view content) const {
    if (!ok()) return std::string();
    std::string file = File(name);
    std::ofstream(file, std::ios::binary | std::ios::trunc)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    return file;
  }

 private:
  void Remove() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
  }

  std::string path_;
};

}  // namespace integration::testing
