// A strict JSON (RFC 8259) reader for token headers and claims and for key sets, straight into
// google.protobuf.Struct. Protobuf's own JSON parser goes through its type resolver and stream
// converter, which cost more than the signature check for every token a server sees first.
#include <google/protobuf/struct.pb.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "integration/text/utf8.h"
#include "keys.h"

namespace integration::auth::internal {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Tokens and key sets are flat or nearly so; the bound keeps hostile nesting off the stack.
constexpr int kMaxDepth = 32;

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  // The whole text must be one object, with nothing but white space around it.
  bool Document(Struct* out) {
    SkipSpace();
    if (!Object(out, 0)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Object(Struct* out, int depth) {
    if (depth >= kMaxDepth || !Consume('{')) return false;
    auto& fields = *out->mutable_fields();
    SkipSpace();
    if (Consume('}')) return true;
    for (;;) {
      SkipSpace();
      std::string name;
      if (!String(&name)) return false;
      SkipSpace();
      if (!Consume(':')) return false;
      SkipSpace();
      // A repeated member name is refused: which of the two a reader takes differs between
      // libraries, and a token must mean the same to every one of them (RFC 7515 §5.2).
      if (fields.contains(name)) return false;
      if (!ValueOf(&fields[name], depth + 1)) return false;
      SkipSpace();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
    }
  }

  bool Array(ListValue* out, int depth) {
    if (depth >= kMaxDepth || !Consume('[')) return false;
    SkipSpace();
    if (Consume(']')) return true;
    for (;;) {
      SkipSpace();
      if (!ValueOf(out->add_values(), depth + 1)) return false;
      SkipSpace();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
    }
  }

  bool ValueOf(Value* out, int depth) {
    if (AtEnd()) return false;
    switch (Peek()) {
      case '{':
        return Object(out->mutable_struct_value(), depth);
      case '[':
        return Array(out->mutable_list_value(), depth);
      case '"':
        return String(out->mutable_string_value());
      case 't':
        if (!Literal("true")) return false;
        out->set_bool_value(true);
        return true;
      case 'f':
        if (!Literal("false")) return false;
        out->set_bool_value(false);
        return true;
      case 'n':
        if (!Literal("null")) return false;
        out->set_null_value(google::protobuf::NULL_VALUE);
        return true;
      default:
        return Number(out);
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as a finite double.
  bool Number(Value* out) {
    const size_t start = pos_;
    const auto digits = [this] {
      const size_t from = pos_;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
      return pos_ > from;
    };
    Consume('-');
    if (Consume('0')) {
      // No leading zeros: "01" is not JSON.
    } else if (!digits()) {
      return false;
    }
    if (Consume('.') && !digits()) return false;
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!Consume('+')) Consume('-');
      if (!digits()) return false;
    }
    double value = 0;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last || !std::isfinite(value)) return false;
    out->set_number_value(value);
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (text_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // \uXXXX, with a surrogate pair for characters beyond the BMP; lone surrogates are refused.
  bool Escape(std::string* out) {
    uint32_t cp = 0;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Literal("\\u") || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  // One UTF-8 encoded character of two or more bytes, checked and copied.
  bool Utf8(std::string* out) {
    const size_t length = integration::text::Utf8CharLength(text_, pos_);
    if (length == 0) return false;
    out->append(text_.substr(pos_, length));
    pos_ += length;
    return true;
  }

  bool String(std::string* out) {
    if (!Consume('"')) return false;
    out->clear();
    for (;;) {
      if (AtEnd()) return false;
      const char c = Peek();
      const auto u = static_cast<unsigned char>(c);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (u < 0x20) return false;  // control characters must be escaped
      if (u >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (AtEnd()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u':
          if (!Escape(out)) return false;
          break;
        default:
          return false;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool ParseJsonObject(std::string_view json, Struct* out) {
  out->Clear();
  if (Reader(json).Document(out)) return true;
  out->Clear();
  return false;
}

}  // namespace integration::auth::internal
