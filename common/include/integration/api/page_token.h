// Keyset pagination of the List methods: page sizes and opaque, validated page tokens that
// carry the sort key of the last item served.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace integration::api {

// ErrorInfo reasons (INVALID_ARGUMENT, with a violation on the request field).
inline constexpr std::string_view kReasonPageTokenInvalid = "PAGE_TOKEN_INVALID";
inline constexpr std::string_view kReasonPageSizeInvalid = "PAGE_SIZE_INVALID";

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// The page size to use: 0 → 50, above 500 → 500 (AIP-158 lets a server cap it silently);
// negative → INVALID_ARGUMENT PAGE_SIZE_INVALID on `field`.
absl::StatusOr<int> PageSize(int32_t requested, std::string_view field = "page_size");

// The sort key of the last item of a page, as text values (e.g. a position, a time in
// microseconds and an id): the next page starts strictly after it.
using PageKey = std::vector<std::string>;

// The token of the page after `last`. `query` names the list the token belongs to: the method,
// its parent and filters, and whose view it is (a county_admin sees drafts, a learner does
// not), e.g. "ListModules|parts/intro|all". The token is base64url of a version, a digest of
// `query`, the key and a checksum: a token is accepted only by the same list, and a damaged
// or hand-edited token is rejected. It is not a secret and not signed: a forged key moves
// only where the list starts, within what the caller's query may return anyway.
std::string EncodePageToken(std::string_view query, const PageKey& last);

// The key of `token` for `query`: nullopt for an empty token (the first page); otherwise the
// key, which has exactly `key_size` values. INVALID_ARGUMENT PAGE_TOKEN_INVALID with a
// violation on `field` when the token is malformed, damaged, from another list or of another
// shape.
absl::StatusOr<std::optional<PageKey>> DecodePageToken(std::string_view token,
                                                       std::string_view query, size_t key_size,
                                                       std::string_view field = "page_token");

// The error DecodePageToken returns, for a token whose key does not parse as the list expects.
absl::Status InvalidPageToken(std::string_view field = "page_token");

// The position in a list sorted by one positive integer id (e.g. the rows of one parent, oldest
// first): the page size and the id the page starts after.
struct IdPage {
  std::string query;  // as for EncodePageToken
  int size = 0;       // a validated page size (PageSize)
  int64_t after = 0;  // 0: the first page
};
// Decodes `page_token` of `query`; INVALID_ARGUMENT PAGE_TOKEN_INVALID as DecodePageToken, also
// for a key that is not a non-negative integer.
absl::StatusOr<IdPage> ReadIdPage(std::string query, int size, std::string_view page_token);
// For rows fetched with a limit of page.size + 1: cuts them to the page and returns the next
// page's token, or "" when this page is the last.
template <typename Row, typename IdOf>
std::string NextIdPageToken(const IdPage& page, std::vector<Row>& rows, IdOf id_of) {
  if (static_cast<int>(rows.size()) <= page.size) return "";
  rows.resize(static_cast<size_t>(page.size));
  return EncodePageToken(page.query, {std::to_string(id_of(rows.back()))});
}

}  // namespace integration::api
