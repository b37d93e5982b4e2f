// Page tokens: base64url(version | query digest | key values | checksum).
#include "integration/api/page_token.h"

#include <openssl/sha.h>

#include <cstddef>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "integration/auth/base64url.h"
#include "integration/status/status.h"

namespace integration::api {
namespace {

constexpr char kVersion = 1;
constexpr size_t kDigestBytes = 8;
// Tokens are small (a few keys); anything longer is not ours.
constexpr size_t kMaxTokenChars = 1024;
constexpr size_t kMaxKeyValues = 8;
// Separates the digests of this file from any other use of SHA-256 over the same bytes.
constexpr std::string_view kQueryContext = "page token query v1";
constexpr std::string_view kChecksumContext = "page token checksum v1";

std::string Digest(std::string_view context, std::string_view data) {
  std::string input(context);
  input.push_back('\0');
  input.append(data);
  unsigned char full[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), full);
  return std::string(reinterpret_cast<const char*>(full), kDigestBytes);
}

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool ReadVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

absl::Status Invalid(std::string_view field, std::string_view why) {
  return status::Error(absl::StatusCode::kInvalidArgument, kReasonPageTokenInvalid,
                       absl::StrCat("page token is invalid: ", std::string(why)), {},
                       {{std::string(field),
                         "use the next_page_token of the previous response to this same "
                         "request, unchanged"}});
}

}  // namespace

absl::Status InvalidPageToken(std::string_view field) { return Invalid(field, "malformed"); }

absl::StatusOr<int> PageSize(int32_t requested, std::string_view field) {
  if (requested < 0) {
    return status::Error(absl::StatusCode::kInvalidArgument, kReasonPageSizeInvalid,
                         "page_size must not be negative", {},
                         {{std::string(field), "must be 0 (default 50) to 500"}});
  }
  if (requested == 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : static_cast<int>(requested);
}

std::string EncodePageToken(std::string_view query, const PageKey& last) {
  std::string raw;
  raw.push_back(kVersion);
  raw += Digest(kQueryContext, query);
  AppendVarint(raw, last.size());
  for (const std::string& value : last) {
    AppendVarint(raw, value.size());
    raw += value;
  }
  raw += Digest(kChecksumContext, raw);
  return auth::Base64UrlEncode(raw);
}

absl::StatusOr<std::optional<PageKey>> DecodePageToken(std::string_view token,
                                                       std::string_view query, size_t key_size,
                                                       std::string_view field) {
  if (token.empty()) return std::optional<PageKey>();
  if (token.size() > kMaxTokenChars) return Invalid(field, "too long");
  std::optional<std::string> raw = auth::Base64UrlDecode(token);
  if (!raw || raw->size() < 1 + 2 * kDigestBytes + 1) return Invalid(field, "malformed");
  const std::string_view body = std::string_view(*raw).substr(0, raw->size() - kDigestBytes);
  const std::string_view checksum = std::string_view(*raw).substr(raw->size() - kDigestBytes);
  if (Digest(kChecksumContext, body) != checksum) return Invalid(field, "damaged");
  std::string_view in = body;
  if (in.front() != kVersion) return Invalid(field, "unknown version");
  in.remove_prefix(1);
  if (in.substr(0, kDigestBytes) != Digest(kQueryContext, query)) {
    return Invalid(field, "it belongs to a different request (parent, filter or caller)");
  }
  in.remove_prefix(kDigestBytes);
  uint64_t count = 0;
  if (!ReadVarint(in, count) || count > kMaxKeyValues || count != key_size) {
    return Invalid(field, "malformed");
  }
  PageKey key;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = 0;
    if (!ReadVarint(in, len) || len > in.size()) return Invalid(field, "malformed");
    key.emplace_back(in.substr(0, len));
    in.remove_prefix(len);
  }
  if (!in.empty()) return Invalid(field, "malformed");
  return std::optional<PageKey>(std::move(key));
}

absl::StatusOr<IdPage> ReadIdPage(std::string query, int size, std::string_view page_token) {
  absl::StatusOr<std::optional<PageKey>> key = DecodePageToken(page_token, query, 1);
  if (!key.ok()) return key.status();
  IdPage page{.query = std::move(query), .size = size, .after = 0};
  if (*key && (!absl::SimpleAtoi((**key)[0], &page.after) || page.after < 0)) {
    return InvalidPageToken();
  }
  return page;
}

}  // namespace integration::api
