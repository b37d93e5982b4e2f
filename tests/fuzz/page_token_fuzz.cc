// libFuzzer target: DecodePageToken on tokens as clients send them back. Input: one byte (key
// size 0-8 in its low bits; bit 7: the rest is a token body to seal), the query, a newline, the
// token. A token is accepted only with
// exactly that many values and encodes back to a token the same query decodes to the same key;
// anything else is INVALID_ARGUMENT PAGE_TOKEN_INVALID. Encoding arbitrary keys round-trips too.
// Seeds: corpus/page_token.
#include <string>
#include <string_view>

#include <openssl/sha.h>

#include "fuzz_support.h"
#include "integration/api/page_token.h"
#include "integration/auth/base64url.h"

using integration::fuzz::Require;
namespace api = integration::api;

namespace {

// The first 8 bytes of SHA-256 over `context` NUL `data`, as page_token.cc seals its tokens.
std::string Digest(std::string_view context, std::string_view data) {
  std::string input(context);
  input.push_back('\0');
  input.append(data);
  unsigned char full[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), full);
  return std::string(reinterpret_cast<const char*>(full), 8);
}

// A token whose version, query digest and checksum are right around the fuzzer's `body` (the
// key count and values): random bytes would never pass the checksum, so without sealing the
// fuzzer would not reach the decoder's varint and length handling.
std::string Sealed(std::string_view query, std::string_view body) {
  std::string raw(1, '\1');
  raw += Digest("page token query v1", query);
  raw += body;
  raw += Digest("page token checksum v1", raw);
  return integration::auth::Base64UrlEncode(raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t key_size = (data[0] & 0x7f) % 9;
  const bool seal = (data[0] & 0x80) != 0;
  const std::string_view input = integration::fuzz::AsText(data + 1, size - 1);
  const size_t newline = input.find('\n');
  const std::string_view query = input.substr(0, newline);
  const std::string_view rest =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const std::string sealed = seal ? Sealed(query, rest) : std::string();
  const std::string_view token = seal ? std::string_view(sealed) : rest;

  const auto key = api::DecodePageToken(token, query, key_size);
  if (!key.ok()) {
    integration::fuzz::RequireClientError(key.status(), "page token error");
    const auto info = integration::status::GetErrorInfo(key.status());
    Require(info->reason() == api::kReasonPageTokenInvalid, "reason is not PAGE_TOKEN_INVALID");
  } else if (!key->has_value()) {
    Require(token.empty(), "a non-empty token read as the first page");
  } else {
    Require((*key)->size() == key_size, "key of another shape accepted");
    const std::string reencoded = api::EncodePageToken(query, **key);
    const auto again = api::DecodePageToken(reencoded, query, key_size);
    Require(again.ok() && again->has_value() && **again == **key,
            "re-encoded key does not decode to itself");
  }

  // The other direction: the token's bytes as key values (split at NUL) round-trip.
  api::PageKey values;
  size_t start = 0;
  while (values.size() < key_size) {
    const size_t nul = token.find('\0', start);
    values.emplace_back(token.substr(std::min(start, token.size()),
                                     nul == std::string_view::npos ? nul : nul - start));
    start = nul == std::string_view::npos ? token.size() : nul + 1;
  }
  if (key_size > 0) {
    const std::string encoded = api::EncodePageToken(query, values);
    const auto decoded = api::DecodePageToken(encoded, query, key_size);
    // Keys longer than a token may carry are refused on decoding rather than truncated.
    if (decoded.ok()) {
      Require(decoded->has_value() && **decoded == values, "encoded key does not round-trip");
    }
  }
  return 0;
}
