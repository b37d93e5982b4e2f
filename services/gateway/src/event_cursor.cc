// Encoding and strict parsing of the event feed's cursor.
#include "event_cursor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "integration/auth/base64url.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

constexpr absl::string_view kVersion = "1.";
constexpr size_t kMaxCursorBytes = 4096;

bool IsStem(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

bool IsDigits(absl::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

std::string EncodeCursor(const EventCursor& cursor) {
  std::string text = absl::StrCat(absl::ToUnixMillis(cursor.time));
  for (const auto& [service, id] : cursor.positions) {
    absl::StrAppend(&text, ";", service, "=", id.ToString());
  }
  return absl::StrCat(kVersion, auth::Base64UrlEncode(text));
}

absl::StatusOr<EventCursor> ParseCursor(std::string_view text, std::string_view field) {
  auto invalid = [&](std::string_view why) {
    return status::InvalidField(
        field,
        absl::StrCat("not a cursor of this feed: ", absl::string_view(why.data(), why.size())),
        "INVALID_CURSOR");
  };
  if (text.size() > kMaxCursorBytes) return invalid("too long");
  if (!absl::StartsWith(absl::string_view(text.data(), text.size()), kVersion)) {
    return invalid("unknown version");
  }
  text.remove_prefix(kVersion.size());
  const std::optional<std::string> decoded = auth::Base64UrlDecode(text);
  if (!decoded.has_value()) return invalid("not base64url");
  const std::vector<absl::string_view> parts = absl::StrSplit(*decoded, ';');
  EventCursor cursor;
  int64_t ms = 0;
  if (!IsDigits(parts[0]) || !absl::SimpleAtoi(parts[0], &ms)) return invalid("no time");
  cursor.time = absl::FromUnixMillis(ms);
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::vector<absl::string_view> kv = absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
    if (kv.size() != 2 || !IsStem(kv[0])) return invalid("bad service");
    const std::optional<outbox::StreamId> id =
        outbox::StreamId::Parse(std::string_view(kv[1].data(), kv[1].size()));
    if (!id.has_value()) return invalid("bad position");
    if (!cursor.positions.emplace(std::string(kv[0]), *id).second) {
      return invalid("a service twice");
    }
  }
  // One cursor, one spelling: what EncodeCursor would not write is not ours.
  if (EncodeCursor(cursor) != absl::StrCat(kVersion, absl::string_view(text.data(), text.size()))) {
    return invalid("not canonical");
  }
  return cursor;
}

}  // namespace integration::gateway
