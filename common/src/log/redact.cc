// Redaction of personal identity numbers, tokens and secret values before text reaches a log.
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "integration/log/log.h"

namespace integration::log {
namespace {

constexpr std::string_view kPnrMark = "[REDACTED-PNR]";
constexpr std::string_view kTokenMark = "[REDACTED-TOKEN]";
constexpr std::string_view kSecretMark = "[REDACTED]";

// Parts of a key name whose value is a secret whatever it looks like. Matched as substrings
// of the lower-cased key so that "access_token", "db_password" or "X-Client-Secret" count.
constexpr std::array<std::string_view, 9> kSecretKeyParts = {"password", "passwd",        "token",
                                                             "secret",   "authorization", "api_key",
                                                             "apikey",   "personnummer",  "pnr"};

// Debian's Abseil keeps its own string_view type, so these small helpers work on std's.
std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}
bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }
bool IsKeyChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '.'; }
bool IsBase64UrlChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
// RFC 6750 token68 characters (what follows "Bearer ").
bool IsToken68Char(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

int TwoDigits(std::string_view s, size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// Whether the value of a key with this name must never be logged.
bool KeyIsSecretLower(std::string_view lower_key) {
  for (std::string_view part : kSecretKeyParts) {
    if (Contains(lower_key, part)) return true;
  }
  return false;
}

// "password=x", "token: x", "\"secret\": \"x\"", "Authorization: Basic abc": keeps the key and
// replaces the value.
std::string RedactKeyValues(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t copied = 0;  // in[0, copied) is already in out
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=' && in[i] != ':') continue;
    // Look back from the separator: spaces, an optional closing quote (maybe escaped), the key.
    size_t k = i;
    while (k > 0 && in[k - 1] == ' ') --k;
    if (k > 0 && (in[k - 1] == '"' || in[k - 1] == '\'')) {
      --k;
      if (k > 0 && in[k - 1] == '\\') --k;
    }
    size_t key_end = k;
    while (k > 0 && IsKeyChar(in[k - 1])) --k;
    if (k == key_end) continue;
    std::string lower_key = ToLower(in.substr(k, key_end - k));
    if (!KeyIsSecretLower(lower_key)) continue;

    // The value: optionally quoted (also as \" inside serialized JSON), else up to a delimiter.
    size_t v = i + 1;
    while (v < in.size() && in[v] == ' ') ++v;
    std::string_view quote;
    if (v < in.size() && (in[v] == '"' || in[v] == '\'')) {
      quote = in.substr(v, 1);
    } else if (v + 1 < in.size() && in[v] == '\\' && (in[v + 1] == '"' || in[v + 1] == '\'')) {
      quote = in.substr(v, 2);
    }
    size_t value_begin = v + quote.size();
    size_t value_end = value_begin;
    if (!quote.empty()) {
      size_t close = in.find(quote, value_begin);
      // An unterminated quote hides everything to the end: better too much than a leak.
      value_end = close == std::string_view::npos ? in.size() : close;
    } else {
      auto is_delim = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '&' || c == ',' ||
               c == ';' || c == ')' || c == '}' || c == ']' || c == '"' || c == '\'';
      };
      while (value_end < in.size() && !is_delim(in[value_end])) ++value_end;
      // "Authorization: Basic dXNlcjpwYXNz": the scheme is followed by the credential.
      if (Contains(lower_key, "authorization") && value_end < in.size() && in[value_end] == ' ' &&
          value_end > value_begin) {
        size_t cred = value_end + 1;
        size_t cred_end = cred;
        while (cred_end < in.size() && !is_delim(in[cred_end])) ++cred_end;
        if (cred_end > cred) value_end = cred_end;
      }
    }
    if (value_end == value_begin) continue;
    std::string_view value = in.substr(value_begin, value_end - value_begin);
    if (value == kSecretMark || value == kTokenMark || value == kPnrMark) continue;
    out.append(in.substr(copied, value_begin - copied));
    out.append(kSecretMark);
    copied = value_end;
    i = value_end > 0 ? value_end - 1 : 0;
  }
  out.append(in.substr(copied));
  return out;
}

// Words that follow "bearer" in prose ("missing bearer token") rather than a credential.
bool IsProseWord(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "token",         "tokens", "auth",   "authentication",
      "authorization", "scheme", "header", "credential",
      "credentials",   "is",     "was",    "required"};
  for (std::string_view w : kWords) {
    if (word == w) return true;
  }
  return false;
}

// "Bearer <credential>" -> "[REDACTED-TOKEN]" (case-insensitive scheme).
std::string RedactBearer(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t copied = 0;
  constexpr std::string_view kBearer = "bearer";
  for (size_t i = 0; i + kBearer.size() < in.size(); ++i) {
    if (i > 0 && IsAlnum(in[i - 1])) continue;
    if (!EqualsIgnoreCase(in.substr(i, kBearer.size()), kBearer)) continue;
    size_t c = i + kBearer.size();
    if (c >= in.size() || (in[c] != ' ' && in[c] != '\t')) continue;
    while (c < in.size() && (in[c] == ' ' || in[c] == '\t')) ++c;
    size_t end = c;
    while (end < in.size() && IsToken68Char(in[end])) ++end;
    if (end == c || IsProseWord(in.substr(c, end - c))) continue;
    out.append(in.substr(copied, i - copied));
    out.append(kTokenMark);
    copied = end;
    i = end - 1;
  }
  out.append(in.substr(copied));
  return out;
}

// JWS compact serialization: "eyJ…" header, '.', payload, '.', signature (may be empty).
std::string RedactJwt(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t copied = 0;
  for (size_t i = 0; i + 3 <= in.size(); ++i) {
    if (in.substr(i, 3) != "eyJ") continue;
    if (i > 0 && (IsBase64UrlChar(in[i - 1]) || in[i - 1] == '.')) continue;
    size_t p = i;
    int segments = 1;
    bool empty_inner = false;
    while (p < in.size() && IsBase64UrlChar(in[p])) ++p;
    while (segments < 3 && p < in.size() && in[p] == '.') {
      size_t seg = ++p;
      while (p < in.size() && IsBase64UrlChar(in[p])) ++p;
      ++segments;
      if (p == seg && segments == 2) empty_inner = true;
    }
    if (segments < 3 || empty_inner) continue;
    out.append(in.substr(copied, i - copied));
    out.append(kTokenMark);
    copied = p;
    i = p - 1;
  }
  out.append(in.substr(copied));
  return out;
}

// Whether YYMMDD at `at` is a plausible birth date: month 01-12 and day 01-31, or 61-91 for
// a samordningsnummer. Organisation numbers (month digits >= 20) and epoch seconds stay.
bool PlausibleDate(std::string_view digits, size_t at) {
  int month = TwoDigits(digits, at + 2);
  int day = TwoDigits(digits, at + 4);
  if (month < 1 || month > 12) return false;
  return (day >= 1 && day <= 31) || (day >= 61 && day <= 91);
}

// 10 or 12 digits (optionally '-'/'+' before the last four) not part of a longer run of letters
// and digits.
bool LooksLikePnr(std::string_view digits) {
  if (digits.size() == 10) return PlausibleDate(digits, 0);
  if (digits.size() == 12) {
    int century = TwoDigits(digits, 0);
    return century >= 18 && century <= 20 && PlausibleDate(digits, 2);
  }
  return false;
}

// Whether the digits ending at `end` continue into an identifier: a letter or digit follows, or
// '-' and then a letter or digit (the next group of a UUID). Identity numbers in text stand
// alone; ten digits inside a trace id or a UUID are not one.
bool ContinuesIntoId(std::string_view in, size_t end) {
  if (end >= in.size()) return false;
  if (IsAlnum(in[end])) return true;
  return in[end] == '-' && end + 1 < in.size() && IsAlnum(in[end + 1]);
}

std::string RedactPnr(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t copied = 0;
  size_t i = 0;
  while (i < in.size()) {
    // A run glued to a letter or digit before it is inside an identifier (hex, base64, UUID).
    if (!IsDigit(in[i]) || (i > 0 && IsAlnum(in[i - 1]))) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < in.size() && IsDigit(in[run_end])) ++run_end;
    size_t run = run_end - i;
    size_t match_end = std::string_view::npos;
    std::string digits;
    if ((run == 6 || run == 8) && run_end + 5 <= in.size() &&
        (in[run_end] == '-' || in[run_end] == '+')) {
      size_t tail = run_end + 1;
      bool four = true;
      for (size_t t = tail; t < tail + 4; ++t) four = four && IsDigit(in[t]);
      if (four && !ContinuesIntoId(in, tail + 4)) {
        digits = std::string(in.substr(i, run)) + std::string(in.substr(tail, 4));
        if (LooksLikePnr(digits)) match_end = tail + 4;
      }
    }
    if (match_end == std::string_view::npos && !ContinuesIntoId(in, run_end) &&
        LooksLikePnr(in.substr(i, run))) {
      match_end = run_end;
    }
    if (match_end != std::string_view::npos) {
      out.append(in.substr(copied, i - copied));
      out.append(kPnrMark);
      copied = match_end;
      i = match_end;
    } else {
      i = run_end;
    }
  }
  out.append(in.substr(copied));
  return out;
}

// Whether any of the passes below could change `text`: a key/value separator, "bearer" in any
// case, a JWS header's "eyJ", or a run of six or more digits (the shortest identity number is
// YYMMDD-NNNN). Most values of a log line (method names, codes, request ids) have none, and
// each pass copies its input.
bool MayNeedRedaction(std::string_view text) {
  size_t digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=' || c == ':') return true;
    if (IsDigit(c)) {
      if (++digits >= 6) return true;
      continue;
    }
    digits = 0;
    if ((c == 'b' || c == 'B') && i + 6 <= text.size() &&
        EqualsIgnoreCase(text.substr(i, 6), "bearer")) {
      return true;
    }
    if (c == 'e' && text.substr(i, 3) == "eyJ") return true;
  }
  return false;
}

}  // namespace

std::string Redact(std::string_view text) {
  if (!MayNeedRedaction(text)) return std::string(text);
  // Key/value first so that "token=eyJ…" keeps its key; then credentials, then identity numbers.
  std::string s = RedactKeyValues(text);
  s = RedactBearer(s);
  s = RedactJwt(s);
  return RedactPnr(s);
}

bool IsSecretKey(std::string_view key) { return KeyIsSecretLower(ToLower(key)); }

}  // namespace integration::log
