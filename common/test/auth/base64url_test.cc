// Unit tests of strict unpadded base64url (RFC 4648 §5 as JOSE uses it).
#include "integration/auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace integration::auth {
namespace {

TEST(Base64UrlTest, Rfc4648VectorsWithoutPadding) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), plain);
  }
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
}

TEST(Base64UrlTest, RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(data)), data) << i;
    data.push_back(static_cast<char>(i * 37 + 11));
  }
}

TEST(Base64UrlTest, RejectsAnythingNotStrict) {
  for (const char* bad : {"Zg==", "Zm8=", "Z", "Zm9vY", "Zm 9v", "Zm9v\n", "Zm9v!", "Zm9v.",
                          // Non-canonical: unused low bits set ("Zh" would also mean "f").
                          "Zh", "Zm9"}) {
    EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(Base64UrlDecode(std::string("Zg\0", 3)), std::nullopt);
}

// What Abseil's web-safe decoder alone would take but strict base64url must not.
TEST(Base64UrlTest, RejectsWhatALenientDecoderAccepts) {
  for (const char* bad : {"Zg..", "Zm8.", "Zg=", "Zg===", " Zg", "Zg ", "Zm9v Yg", "Zm9v\tYg",
                          "Zm9v\r\nYg", "Zh==", "Zm9vYg==", "Zm9vYmE="}) {
    EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace integration::auth
