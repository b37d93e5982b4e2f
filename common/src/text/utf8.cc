// UTF-8 checks on Boost.Locale's decoder (header-only), which rejects overlong forms,
// surrogates, code points past U+10FFFF and truncated sequences.
#include "integration/text/utf8.h"

#include <boost/locale/utf.hpp>

namespace integration::text {
namespace {

using Utf8 = boost::locale::utf::utf_traits<char>;

}  // namespace

std::size_t Utf8CharLength(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return 0;
  const char* const begin = text.data() + pos;
  const char* p = begin;
  const boost::locale::utf::code_point c = Utf8::decode(p, text.data() + text.size());
  if (c == boost::locale::utf::illegal || c == boost::locale::utf::incomplete) return 0;
  return static_cast<std::size_t>(p - begin);
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = Utf8CharLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = Utf8CharLength(text, i);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace integration::text
