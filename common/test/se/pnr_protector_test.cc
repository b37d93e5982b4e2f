// Unit tests for PnrProtector: key parsing, AES-256-GCM round trip and tamper detection, and
// HMAC look-up keys.
#include "integration/se/pnr_protector.h"

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::CivilDay kToday(2026, 3, 1);

// Test keys only (hex and base64 spellings of distinct 32-byte values).
constexpr char kEncKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kLookupKeyHex[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";
constexpr char kOtherKeyHex[] = "1111111111111111111111111111111111111111111111111111111111111111";

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

std::string HexToBase64(std::string_view hex) {
  return absl::Base64Escape(absl::HexStringToBytes(absl::string_view(hex.data(), hex.size())));
}

std::string Unbase64(const std::string& text) {
  std::string bytes;
  EXPECT_TRUE(absl::Base64Unescape(text, &bytes));
  return bytes;
}

Personnummer Pnr(const char* text) { return ParsePersonnummer(text, kToday).value(); }

PnrProtector Protector(const char* enc = kEncKeyHex, const char* lookup = kLookupKeyHex) {
  absl::StatusOr<PnrProtector> p = PnrProtector::Create(enc, lookup);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

TEST(PnrProtectorTest, RoundTripWithAndWithoutAssociatedData) {
  const PnrProtector protector = Protector();
  const Personnummer pnr = Pnr("811218-9876");

  absl::StatusOr<std::string> token = protector.Encrypt(pnr);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_THAT(*token, Not(HasSubstr("9876")));
  EXPECT_EQ(protector.Decrypt(*token).value(), "198112189876");

  absl::StatusOr<std::string> bound = protector.Encrypt(pnr, "participant/42");
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ(protector.Decrypt(*bound, "participant/42").value(), "198112189876");

  // Documented layout: version 1 | 12-byte nonce | 12 bytes of ciphertext | 16-byte tag.
  const std::string bytes = Unbase64(*token);
  ASSERT_EQ(bytes.size(), 1u + 12u + 12u + 16u);
  EXPECT_EQ(bytes[0], '\x01');

  EXPECT_EQ(protector.EncryptText("").status().code(), absl::StatusCode::kOk);
  EXPECT_EQ(protector.Decrypt(protector.EncryptText("").value()).value(), "");
  EXPECT_EQ(protector.Decrypt(protector.EncryptText("12-345678").value()).value(), "12-345678");
}

TEST(PnrProtectorTest, DecryptsTheDocumentedFormatMadeElsewhere) {
  // Made with Python's `cryptography` AESGCM: key kEncKeyHex, nonce a0a1…ab, AAD = 0x01 +
  // "participant/42", token = base64(0x01 | nonce | ciphertext | tag).
  const std::string token = "AaChoqOkpaanqKmqq9chSx10+zSMUFa+4sM43tJCYiTsqDSBvJcB6V4=";
  EXPECT_EQ(Protector().Decrypt(token, "participant/42").value(), "197010632391");
}

TEST(PnrProtectorTest, FreshNonceEveryTime) {
  const PnrProtector protector = Protector();
  const Personnummer pnr = Pnr("811218-9876");
  std::set<std::string> tokens;
  std::set<std::string> nonces;
  for (int i = 0; i < 50; ++i) {
    std::string token = protector.Encrypt(pnr).value();
    nonces.insert(Unbase64(token).substr(1, 12));
    tokens.insert(std::move(token));
  }
  EXPECT_EQ(tokens.size(), 50u);
  EXPECT_EQ(nonces.size(), 50u);
}

TEST(PnrProtectorTest, EveryFlippedBitIsDetected) {
  const PnrProtector protector = Protector();
  const std::string bytes = Unbase64(protector.Encrypt(Pnr("701063-2391"), "row-7").value());
  // Version, nonce, ciphertext and tag: every bit of every byte.
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = bytes;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      absl::StatusOr<std::string> result = protector.Decrypt(absl::Base64Escape(tampered), "row-7");
      ASSERT_FALSE(result.ok()) << "byte " << i << " bit " << bit;
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(Reason(result.status()), i == 0 ? "PNR_CIPHERTEXT_UNSUPPORTED_VERSION"
                                                : "PNR_CIPHERTEXT_AUTHENTICATION_FAILED")
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(PnrProtectorTest, TruncationAndMalformedTokensAreRejected) {
  const PnrProtector protector = Protector();
  const std::string bytes = Unbase64(protector.Encrypt(Pnr("811218-9876")).value());
  // Cutting the tag short or dropping ciphertext bytes fails authentication or framing.
  for (size_t keep : {bytes.size() - 1, bytes.size() - 16, size_t{29}}) {
    absl::Status status = protector.Decrypt(absl::Base64Escape(bytes.substr(0, keep))).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << keep;
  }
  EXPECT_EQ(Reason(protector.Decrypt(absl::Base64Escape(bytes.substr(0, 28))).status()),
            "PNR_CIPHERTEXT_MALFORMED");
  EXPECT_EQ(Reason(protector.Decrypt(absl::Base64Escape(bytes + "x")).status()),
            "PNR_CIPHERTEXT_AUTHENTICATION_FAILED");
  for (const char* token : {"", "not base64!", "AQ==", "AQID"}) {
    SCOPED_TRACE(token);
    EXPECT_EQ(Reason(protector.Decrypt(token).status()), "PNR_CIPHERTEXT_MALFORMED");
  }
  // A non-canonical spelling of the same bytes (unpadded) is refused too.
  std::string unpadded = absl::Base64Escape(bytes);
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  if (unpadded.size() != absl::Base64Escape(bytes).size()) {
    EXPECT_EQ(Reason(protector.Decrypt(unpadded).status()), "PNR_CIPHERTEXT_MALFORMED");
  }
}

TEST(PnrProtectorTest, AssociatedDataMustMatch) {
  const PnrProtector protector = Protector();
  const std::string token = protector.Encrypt(Pnr("811218-9876"), "participant/42").value();
  for (const char* aad : {"", "participant/43", "participant/42 ", "Participant/42"}) {
    SCOPED_TRACE(aad);
    EXPECT_EQ(Reason(protector.Decrypt(token, aad).status()),
              "PNR_CIPHERTEXT_AUTHENTICATION_FAILED");
  }
  const std::string unbound = protector.Encrypt(Pnr("811218-9876")).value();
  EXPECT_EQ(Reason(protector.Decrypt(unbound, "participant/42").status()),
            "PNR_CIPHERTEXT_AUTHENTICATION_FAILED");
}

TEST(PnrProtectorTest, WrongKeyCannotDecrypt) {
  const std::string token = Protector().Encrypt(Pnr("811218-9876")).value();
  absl::Status status = Protector(kOtherKeyHex).Decrypt(token).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "PNR_CIPHERTEXT_AUTHENTICATION_FAILED");
  // The same key in base64 decrypts it: the spelling of the key does not matter.
  EXPECT_EQ(Protector(HexToBase64(kEncKeyHex).c_str()).Decrypt(token).value(), "198112189876");
}

TEST(PnrProtectorTest, LookupKeyIsStableAcrossSpellings) {
  const PnrProtector protector = Protector();
  const std::string key = protector.LookupKey(Pnr("811218-9876")).value();
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  for (const char* text : {"8112189876", "198112189876", "19811218-9876"}) {
    EXPECT_EQ(protector.LookupKey(Pnr(text)).value(), key) << text;
  }
  // Another person, and the same person read as '+' (another century), differ.
  EXPECT_NE(protector.LookupKey(Pnr("811218-9868")).value(), key);
  EXPECT_NE(protector.LookupKey(Pnr("811218+9876")).value(), key);
  // A protector built from the same keys (base64 spelling) gives the same key.
  EXPECT_EQ(Protector(kEncKeyHex, HexToBase64(kLookupKeyHex).c_str())
                .LookupKey(Pnr("811218-9876"))
                .value(),
            key);
}

TEST(PnrProtectorTest, LookupKeyDependsOnTheKeyAndMatchesHmacSha256) {
  const std::string key = Protector().LookupKey(Pnr("811218-9876")).value();
  EXPECT_NE(Protector(kEncKeyHex, kOtherKeyHex).LookupKey(Pnr("811218-9876")).value(), key);
  // The encryption key plays no part in the look-up key.
  EXPECT_EQ(Protector(kOtherKeyHex, kLookupKeyHex).LookupKey(Pnr("811218-9876")).value(), key);
  // HMAC-SHA256(kLookupKeyHex bytes, "198112189876"), computed independently with
  // `printf %s 198112189876 | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key>`.
  EXPECT_EQ(key, "653730dfa4326363dd3cbe273a845b29cdf48db276d7f80168df78a035221e4b");
}

TEST(PnrProtectorTest, LmaLookupKeyIgnoresCardSerial) {
  const PnrProtector protector = Protector();
  const std::string a = protector.LmaLookupKey(ParseLmaNumber("12-345678/1").value()).value();
  const std::string b = protector.LmaLookupKey(ParseLmaNumber("12345678/2").value()).value();
  const std::string c = protector.LmaLookupKey(ParseLmaNumber("12-345679").value()).value();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.size(), 64u);
}

TEST(PnrProtectorTest, KeysMustBe32BytesAndDistinct) {
  struct Case {
    std::string enc;
    std::string lookup;
    std::string mention;
  };
  const std::string short_hex(62, 'a');
  const std::string long_hex(66, 'a');
  const std::string b64_16 = absl::Base64Escape(std::string(16, 'k'));
  const std::string b64_48 = absl::Base64Escape(std::string(48, 'k'));
  for (const Case& c :
       {Case{"", kLookupKeyHex, "encryption key is empty"},
        Case{short_hex, kLookupKeyHex, "encryption key has 62 hex digits"},
        Case{long_hex, kLookupKeyHex, "encryption key has 66 hex digits"},
        Case{b64_16, kLookupKeyHex, "encryption key decodes from base64 to 16 bytes"},
        Case{kEncKeyHex, b64_48, "lookup key decodes from base64 to 48 bytes"},
        Case{kEncKeyHex, "not a key at all!", "lookup key is neither"},
        Case{kEncKeyHex, kEncKeyHex, "must differ"},
        Case{kEncKeyHex, HexToBase64(kEncKeyHex), "must differ"}}) {
    SCOPED_TRACE(c.mention);
    absl::Status status = PnrProtector::Create(c.enc, c.lookup).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "PNR_KEY_INVALID");
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.mention));
    // The message never repeats key material.
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("0a0b0c")));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("aaaaaaaa")));
  }
  // Surrounding whitespace (a newline at the end of a secret file) is fine.
  EXPECT_TRUE(
      PnrProtector::Create(std::string(kEncKeyHex) + "\n", " " + HexToBase64(kLookupKeyHex) + "\n")
          .ok());
  // Upper-case hex too.
  EXPECT_TRUE(PnrProtector::Create(
                  "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", kLookupKeyHex)
                  .ok());
}

TEST(PnrProtectorTest, OversizedInputIsRefused) {
  const PnrProtector protector = Protector();
  const std::string huge(PnrProtector::kMaxPlaintextSize + 1, 'x');
  EXPECT_EQ(Reason(protector.EncryptText(huge).status()), "PNR_PLAINTEXT_TOO_LONG");
  EXPECT_EQ(Reason(protector.EncryptText("x", huge).status()), "PNR_ASSOCIATED_DATA_TOO_LONG");
}

TEST(PnrProtectorTest, UsableConcurrently) {
  const PnrProtector protector = Protector();
  const Personnummer pnr = Pnr("811218-9876");
  const std::string expected_key = protector.LookupKey(pnr).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<std::string> token = protector.Encrypt(pnr, "aad");
        if (!token.ok() || protector.Decrypt(*token, "aad").value_or("") != pnr.normalized ||
            protector.LookupKey(pnr).value_or("") != expected_key) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace integration::se
