// The strict JSON (RFC 8259) reader of token headers, claims and key sets: nlohmann-json's
// SAX parser feeding google.protobuf.Struct directly, with the rules JOSE needs on top.
// Protobuf's own JSON parser goes through its type resolver and stream converter, which cost
// more than the signature check for every token a server sees first.
#include <google/protobuf/struct.pb.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys.h"

namespace integration::auth::internal {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using Json = nlohmann::json;

// Tokens and key sets are flat or nearly so; the bound keeps hostile nesting cheap.
constexpr std::size_t kMaxDepth = 32;

// What nlohmann's parser checks itself: the grammar (no trailing commas, leading zeros,
// single quotes, literals other than true/false/null, text after the value), string escapes
// (lone or unpaired surrogates refused), unescaped control characters, well-formed UTF-8
// (no overlong forms, surrogates or code points past U+10FFFF) and numbers beyond a double.
// What this handler adds: the document is one object, no member name repeats within an
// object (which of two a reader takes differs between libraries, and a token must mean the
// same to every one of them, RFC 7515 §5.2), and at most kMaxDepth nested containers.
//
// Numbers become doubles like every number of a Struct. nlohmann hands over integers as
// int64/uint64, whose conversion rounds exactly as parsing the text as a double would; the
// one difference is "-0", which arrives as integer 0 and so loses its sign (equal as a number).
class StructBuilder final : public nlohmann::json_sax<Json> {
 public:
  explicit StructBuilder(Struct* root) : root_(root) {}

  bool null() override {
    Value* value = Next();
    if (value == nullptr) return false;
    value->set_null_value(google::protobuf::NULL_VALUE);
    return true;
  }
  bool boolean(bool b) override {
    Value* value = Next();
    if (value == nullptr) return false;
    value->set_bool_value(b);
    return true;
  }
  bool number_integer(number_integer_t n) override { return Number(static_cast<double>(n)); }
  bool number_unsigned(number_unsigned_t n) override { return Number(static_cast<double>(n)); }
  // The parser has refused values beyond a double before this is called. Values so small that
  // they underflow to zero ("1e-400"), which strtod takes silently, are refused too.
  bool number_float(number_float_t n, const string_t& text) override {
    if (n == 0 && UnderflowsToZero(text)) return false;
    return Number(n);
  }
  bool string(string_t& text) override {
    Value* value = Next();
    if (value == nullptr) return false;
    value->set_string_value(std::move(text));
    return true;
  }
  // Only the binary formats (CBOR, MessagePack, …) produce these.
  bool binary(binary_t&) override { return false; }

  bool start_object(std::size_t) override {
    if (frames_.empty()) {
      if (root_done_) return false;
      frames_.push_back(Frame{root_, nullptr, {}});
      return true;
    }
    if (frames_.size() >= kMaxDepth) return false;
    Value* value = Next();
    if (value == nullptr) return false;
    frames_.push_back(Frame{value->mutable_struct_value(), nullptr, {}});
    return true;
  }
  bool key(string_t& name) override {
    Frame& frame = frames_.back();
    if (frame.object->fields().contains(name)) return false;
    frame.key = std::move(name);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override {
    if (frames_.empty() || frames_.size() >= kMaxDepth) return false;
    Value* value = Next();
    if (value == nullptr) return false;
    frames_.push_back(Frame{nullptr, value->mutable_list_value(), {}});
    return true;
  }
  bool end_array() override { return Close(); }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // An open container: an object with the name of its next member, or an array.
  struct Frame {
    Struct* object;
    ListValue* array;
    std::string key;
  };

  // The slot of the next value; null at the top level, where only the object may stand.
  Value* Next() {
    if (frames_.empty()) return nullptr;
    Frame& frame = frames_.back();
    if (frame.array != nullptr) return frame.array->add_values();
    return &(*frame.object->mutable_fields())[frame.key];
  }
  // Whether a number whose value came out as zero was written with a non-zero digit before its
  // exponent, i.e. was too small for a double.
  static bool UnderflowsToZero(std::string_view text) {
    const std::string_view mantissa = text.substr(0, text.find_first_of("eE"));
    return mantissa.find_first_of("123456789") != std::string_view::npos;
  }
  bool Number(double n) {
    Value* value = Next();
    if (value == nullptr) return false;
    value->set_number_value(n);
    return true;
  }
  bool Close() {
    frames_.pop_back();
    if (frames_.empty()) root_done_ = true;
    return true;
  }

  Struct* root_;
  std::vector<Frame> frames_;
  bool root_done_ = false;
};

}  // namespace

bool ParseJsonObject(std::string_view json, Struct* out) {
  out->Clear();
  // nlohmann skips a leading UTF-8 byte order mark, which RFC 8259 §8.1 forbids in JSON sent
  // over the network and no JOSE producer writes.
  if (json.substr(0, 3) == "\xEF\xBB\xBF") return false;
  StructBuilder builder(out);
  bool ok = false;
  try {
    ok = Json::sax_parse(json.begin(), json.end(), &builder, nlohmann::json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const Json::exception&) {
    // Errors of the JSON grammar reach parse_error; this covers anything else the library
    // throws, so a hostile token never turns into an exception escaping the verifier.
    ok = false;
  }
  if (!ok) out->Clear();
  return ok;
}

}  // namespace integration::auth::internal
