// UTF-8 well-formedness (RFC 3629): the one check every concern uses for untrusted text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace integration::text {

// Whether `text` is well-formed UTF-8: no overlong forms, no UTF-16 surrogates (U+D800 to
// U+DFFF), nothing above U+10FFFF, no truncated or stray continuation bytes.
bool IsValidUtf8(std::string_view text);

// The length (1 to 4) of the well-formed UTF-8 character that starts at text[pos], or 0 when
// the bytes there are not one (or pos is past the end).
std::size_t Utf8CharLength(std::string_view text, std::size_t pos);

// `text` with every byte that does not belong to a well-formed character replaced by U+FFFD,
// one replacement per byte, so that text from anywhere can be written where UTF-8 is required
// (JSON log lines) and the damage stays visible.
std::string ToValidUtf8(std::string_view text);

}  // namespace integration::text
