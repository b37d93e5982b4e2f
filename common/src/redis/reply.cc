// Reply: the owned value form of a Redis reply, and its debug rendering.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "integration/redis/client.h"

namespace integration::redis {

Reply Reply::Integer(int64_t value) {
  Reply r;
  r.type_ = Type::kInteger;
  r.integer_ = value;
  return r;
}

Reply Reply::String(std::string value) {
  Reply r;
  r.type_ = Type::kString;
  r.str_ = std::move(value);
  return r;
}

Reply Reply::Status(std::string value) {
  Reply r;
  r.type_ = Type::kStatus;
  r.str_ = std::move(value);
  return r;
}

Reply Reply::Error(std::string value) {
  Reply r;
  r.type_ = Type::kError;
  r.str_ = std::move(value);
  return r;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply r;
  r.type_ = Type::kArray;
  r.elements_ = std::move(elements);
  return r;
}

std::string Reply::DebugString() const {
  switch (type_) {
    case Type::kNil:
      return "nil";
    case Type::kInteger:
      return absl::StrCat(integer_);
    case Type::kString:
      return absl::StrCat("\"", absl::CHexEscape(str_), "\"");
    case Type::kStatus:
      return absl::StrCat("+", absl::CHexEscape(str_));
    case Type::kError:
      return absl::StrCat("-", absl::CHexEscape(str_));
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements_.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements_[i].DebugString();
      }
      out += "]";
      return out;
    }
  }
  return "?";
}

bool operator==(const Reply& a, const Reply& b) {
  return a.type_ == b.type_ && a.integer_ == b.integer_ && a.str_ == b.str_ &&
         a.elements_ == b.elements_;
}

}  // namespace integration::redis
