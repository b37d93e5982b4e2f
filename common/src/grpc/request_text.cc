// Walks a request by reflection and checks its string fields against their text kind.
#include "integration/grpc/request_text.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/status/status.h"
#include "lansstyrelsen/integration/type/v1/text.pb.h"

namespace integration::grpc {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using lansstyrelsen::integration::type::v1::TextKind;

// The first control character in `text` that `kind` does not allow, as a code point.
std::optional<uint32_t> FirstRefusedControl(std::string_view text, TextKind kind) {
  const bool multiline = kind == lansstyrelsen::integration::type::v1::TEXT_KIND_MULTILINE;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20) {
      if (multiline && (byte == '\n' || byte == '\r' || byte == '\t')) continue;
      return byte;
    }
    if (byte == 0x7f) return byte;
    // C1 controls U+0080-U+009F are encoded as C2 80 .. C2 9F.
    if (byte == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return next;
    }
  }
  return std::nullopt;
}

void CheckString(const FieldDescriptor& field, std::string_view value, const std::string& path,
                 status::FieldErrors& errors) {
  const TextKind kind =
      field.options().GetExtension(lansstyrelsen::integration::type::v1::text);
  if (std::optional<uint32_t> refused = FirstRefusedControl(value, kind)) {
    errors.Add(path, absl::StrFormat("must not contain control characters (found U+%04X)%s",
                                     *refused,
                                     kind == lansstyrelsen::integration::type::v1::TEXT_KIND_MULTILINE
                                         ? "; line breaks and tabs are allowed"
                                         : ""));
  }
}

void Walk(const Message& message, const std::string& prefix, status::FieldErrors& errors) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      std::string scratch;
      if (field->is_repeated()) {
        const int n = reflection.FieldSize(message, field);
        for (int i = 0; i < n; ++i) {
          const std::string& value =
              reflection.GetRepeatedStringReference(message, field, i, &scratch);
          CheckString(*field, value, absl::StrCat(path, "[", i, "]"), errors);
        }
      } else {
        CheckString(*field, reflection.GetStringReference(message, field, &scratch), path, errors);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        const int n = reflection.FieldSize(message, field);
        for (int i = 0; i < n; ++i) {
          Walk(reflection.GetRepeatedMessage(message, field, i), absl::StrCat(path, "[", i, "]"),
               errors);
        }
      } else {
        Walk(reflection.GetMessage(message, field), path, errors);
      }
    }
  }
}

}  // namespace

absl::Status CheckRequestText(const Message& request) {
  status::FieldErrors errors;
  Walk(request, "", errors);
  return errors.ToStatus();
}

}  // namespace integration::grpc
