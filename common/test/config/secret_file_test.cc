// Unit tests of reading the file a setting names: its content, and errors that name the
// setting without its content.
#include "integration/config/secret_file.h"

#include <gtest/gtest.h>

#include "integration/testing/temp_dir.h"

namespace integration::config {
namespace {

TEST(ReadSettingFileTest, ContentOrAnErrorNamingTheSetting) {
  integration::testing::TempDir dir("secret_file_test_");
  const std::string path = dir.Write("key", "s3cret\n");
  absl::StatusOr<std::string> read = ReadSettingFile(path, "pnr-hmac-key-file");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "s3cret\n");

  absl::Status missing = ReadSettingFile("", "pnr-hmac-key-file").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(missing.message(), "--pnr-hmac-key-file is required to serve");
  absl::Status unreadable = ReadSettingFile(dir.path() + "/nope", "grants-tls-ca-file").status();
  EXPECT_EQ(unreadable.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(unreadable.message().find("--grants-tls-ca-file"), absl::string_view::npos);
}

}  // namespace
}  // namespace integration::config
