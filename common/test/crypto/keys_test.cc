// Unit tests of the signature keys: RFC 8032 vectors, round trips for both key types, what is
// refused when loading, and the fixed-width P-256 signature form.
#include "integration/crypto/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "integration/crypto/hash.h"
#include "integration/crypto/random.h"

namespace integration::crypto {
namespace {

using ::testing::HasSubstr;

std::string Unhex(const std::string& hex) { return absl::HexStringToBytes(hex); }

// PKCS#8 PEM of an Ed25519 private key given its 32-byte seed (RFC 8410 §7 structure).
std::string Ed25519Pkcs8Pem(const std::string& seed) {
  const std::string der = Unhex("302e020100300506032b657004220420") + seed;
  return "-----BEGIN PRIVATE KEY-----\n" + absl::Base64Escape(der) +
         "\n-----END PRIVATE KEY-----\n";
}

// A PEM private key of another OpenSSL type (RSA), made with OpenSSL directly.
std::string RsaPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  if (key == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1 and TEST 2.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
     "9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f"
     "11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(KeysTest, Ed25519MatchesRfc8032) {
  for (const Rfc8032Vector& v : kVectors) {
    SCOPED_TRACE(v.public_key);
    absl::StatusOr<PrivateKey> key = PrivateKey::FromPem(Ed25519Pkcs8Pem(Unhex(v.seed)));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->type(), KeyType::kEd25519);
    EXPECT_EQ(key->public_key().raw(), Unhex(v.public_key));
    const std::string message = Unhex(v.message);
    EXPECT_EQ(key->Sign(message).value(), Unhex(v.signature));

    absl::StatusOr<PublicKey> public_key = PublicKey::Ed25519FromRaw(Unhex(v.public_key));
    ASSERT_TRUE(public_key.ok()) << public_key.status();
    EXPECT_TRUE(public_key->Verify(message, Unhex(v.signature)));
    EXPECT_FALSE(public_key->Verify(message + "x", Unhex(v.signature)));
  }
}

TEST(KeysTest, SignVerifyRoundTripForBothTypes) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kP256}) {
    SCOPED_TRACE(KeyTypeName(type));
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(type);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->type(), type);
    EXPECT_EQ(key->public_key().type(), type);
    EXPECT_EQ(key->public_key().raw().size(), type == KeyType::kEd25519 ? 32u : 64u);

    const std::string message = "Bättre bemötande diploma v1\n";
    absl::StatusOr<std::string> signature = key->Sign(message);
    ASSERT_TRUE(signature.ok()) << signature.status();
    ASSERT_EQ(signature->size(), kSignatureBytes);
    EXPECT_TRUE(key->public_key().Verify(message, *signature));

    std::string tampered = *signature;
    tampered[10] = static_cast<char>(tampered[10] ^ 1);
    EXPECT_FALSE(key->public_key().Verify(message, tampered));
    EXPECT_FALSE(key->public_key().Verify(message + " ", *signature));
    EXPECT_FALSE(key->public_key().Verify(message, signature->substr(1)));
    EXPECT_FALSE(key->public_key().Verify(message, *signature + "x"));
    EXPECT_FALSE(key->public_key().Verify(message, ""));

    absl::StatusOr<PrivateKey> other = PrivateKey::Generate(type);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->public_key().Verify(message, *signature));

    // The public key survives PEM and raw round trips.
    absl::StatusOr<std::string> pem = key->public_key().ToPem();
    ASSERT_TRUE(pem.ok()) << pem.status();
    EXPECT_THAT(*pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
    absl::StatusOr<PublicKey> from_pem = PublicKey::FromPem(*pem);
    ASSERT_TRUE(from_pem.ok()) << from_pem.status();
    EXPECT_EQ(from_pem->type(), type);
    EXPECT_EQ(from_pem->raw(), key->public_key().raw());
    EXPECT_TRUE(from_pem->Verify(message, *signature));
    const std::string& raw = key->public_key().raw();
    absl::StatusOr<PublicKey> from_raw =
        type == KeyType::kEd25519
            ? PublicKey::Ed25519FromRaw(raw)
            : PublicKey::P256FromCoordinates(raw.substr(0, 32), raw.substr(32));
    ASSERT_TRUE(from_raw.ok()) << from_raw.status();
    EXPECT_TRUE(from_raw->Verify(message, *signature));
  }
}

TEST(KeysTest, P256SignaturesAreFixedWidthNotDer) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(KeyType::kP256);
  ASSERT_TRUE(key.ok());
  // ECDSA is randomised: many signatures, each 64 bytes even when r or s has leading zeros.
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<std::string> signature = key->Sign("m");
    ASSERT_TRUE(signature.ok());
    EXPECT_EQ(signature->size(), 64u);
    EXPECT_TRUE(key->public_key().Verify("m", *signature));
  }
}

TEST(KeysTest, PointsOffTheCurveAreRefused) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(KeyType::kP256);
  ASSERT_TRUE(key.ok());
  std::string y = key->public_key().raw().substr(32);
  y[31] = static_cast<char>(y[31] ^ 1);
  absl::StatusOr<PublicKey> bad =
      PublicKey::P256FromCoordinates(key->public_key().raw().substr(0, 32), y);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("not a P-256 point"));
  EXPECT_FALSE(PublicKey::P256FromCoordinates("short", y).ok());
  EXPECT_FALSE(PublicKey::Ed25519FromRaw(std::string(31, 'a')).ok());
}

TEST(KeysTest, LoadingRefusesWhatIsNotAKeyOfASupportedType) {
  const struct {
    const char* name;
    std::string pem;
    const char* message;
  } cases[] = {
      {"empty", "", "is not a readable PEM private key"},
      {"garbage", "this is not a key\n", "is not a readable PEM private key"},
      {"broken", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "is not a readable PEM private key"},
      {"rsa", RsaPem(), "is a RSA key, not Ed25519 or P-256"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<PrivateKey> key = PrivateKey::FromPem(c.pem);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(key.status().message()), HasSubstr(c.message));
  }
  // A public key where a private one is expected, and the other way round.
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(PrivateKey::FromPem(key->public_key().ToPem().value()).ok());
  EXPECT_THAT(
      std::string(PublicKey::FromPem(Ed25519Pkcs8Pem(std::string(32, '\1'))).status().message()),
      HasSubstr("not a PEM public key"));
}

TEST(KeysTest, EncryptedKeysFailInsteadOfPrompting) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(key, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  static char kPassword[] = "secret";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_128_cbc(), kPassword, 6, nullptr, nullptr),
      1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  ASSERT_THAT(pem, HasSubstr("ENCRYPTED"));
  EXPECT_EQ(PrivateKey::FromPem(pem).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KeysTest, WipeZeroesTheText) {
  std::string secret = "-----BEGIN PRIVATE KEY-----";
  Wipe(secret);
  EXPECT_EQ(secret, std::string(27, '\0'));
}

TEST(RandomTest, BytesAreFreshEachTime) {
  absl::StatusOr<std::string> a = RandomBytes(32);
  absl::StatusOr<std::string> b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(RandomBytes(0).value(), "");
}

TEST(HashTest, Sha256KnownAnswers) {
  EXPECT_EQ(absl::BytesToHexString(Sha256("").value()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc").value()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, Sha256ReusedContextsStayIndependent) {
  // Each thread reuses its digest context: a hash must not carry anything of the previous one.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong] {
      for (int i = 0; i < 200; ++i) {
        if (absl::BytesToHexString(Sha256(i % 2 == 0 ? "abc" : "").value()) !=
            (i % 2 == 0 ? "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                        : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace integration::crypto
