// Unit tests of the shared UTF-8 check: what RFC 3629 allows and the ill-formed sequences
// untrusted input carries.
#include "integration/text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace integration::text {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII\n\t"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(IsValidUtf8("Länsstyrelsen i Västra Götaland"));
  EXPECT_TRUE(IsValidUtf8("\xE2\x9C\x93"));              // U+2713, three bytes
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));          // U+1F600, four bytes
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));                  // U+0080, the smallest two-byte form
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF"));              // U+FFFF
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the largest code point
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF\xEE\x80\x80"));  // U+D7FF and U+E000 around surrogates
}

TEST(Utf8Test, RejectsIllFormedText) {
  const std::string bad[] = {
      "\xC3",              // truncated two-byte sequence
      "\xE2\x82",          // truncated three-byte sequence
      "\xF0\x9F\x98",      // truncated four-byte sequence
      "\xC3(",             // lead byte followed by no continuation byte
      "\x80",              // stray continuation byte
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong three-byte form
      "\xF0\x80\x80\xAF",  // overlong four-byte form
      "\xED\xA0\x80",      // UTF-16 high surrogate U+D800
      "\xED\xBF\xBF",      // UTF-16 low surrogate U+DFFF
      "\xF4\x90\x80\x80",  // U+110000, beyond Unicode
      "\xF5\x80\x80\x80",  // lead byte that never occurs
      "\xFF",              // not UTF-8 at all
      "ok then \xFE",      // a bad byte after good text
  };
  for (const std::string& text : bad) EXPECT_FALSE(IsValidUtf8(text)) << text;
}

TEST(Utf8Test, CharLengthNamesOneCharacter) {
  const std::string text = "a\xC3\xA5\xE2\x9C\x93\xF0\x9F\x98\x80\xFF";
  EXPECT_EQ(Utf8CharLength(text, 0), 1u);
  EXPECT_EQ(Utf8CharLength(text, 1), 2u);
  EXPECT_EQ(Utf8CharLength(text, 2), 0u);  // inside a character
  EXPECT_EQ(Utf8CharLength(text, 3), 3u);
  EXPECT_EQ(Utf8CharLength(text, 6), 4u);
  EXPECT_EQ(Utf8CharLength(text, 10), 0u);  // 0xFF
  EXPECT_EQ(Utf8CharLength(text, 11), 0u);  // past the end
}

TEST(Utf8Test, ToValidUtf8ReplacesEachBadByte) {
  EXPECT_EQ(ToValidUtf8("Göteborg ✓"), "Göteborg ✓");
  EXPECT_EQ(ToValidUtf8(std::string("ok\xff\xc3(\xe2\x82 end")),
            "ok\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xF0\x9F\x98 \xC0\xAF \x80")));
}

}  // namespace
}  // namespace integration::text
