// The one check of free text in requests: every string field of every request, at any depth,
// is refused when it holds a control character its field does not allow (NUL cut text short in
// PostgreSQL; other controls break logs, CSV exports and the web pages that show the text).
// Fields declare what they allow with the (lansstyrelsen.integration.type.v1.text) option.
#pragma once

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace integration::grpc {

// OK, or INVALID_ARGUMENT with reason INVALID_FIELD (as every field check) and one BadRequest field violation per
// offending field, named by its path from the request (e.g. "application.budget_lines[1].description").
// A field without the option is one line: no control character at all (U+0000-U+001F,
// U+007F-U+009F). TEXT_KIND_MULTILINE also allows LF, CR and TAB. Bytes fields are not text and
// are not checked; UTF-8 well-formedness is protobuf's own check when a request is parsed.
absl::Status CheckRequestText(const google::protobuf::Message& request);

}  // namespace integration::grpc
