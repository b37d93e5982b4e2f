// libFuzzer target: the bearer token verifier (JWS compact form, JOSE header, claims). Input:
// one mode byte, then either a raw token (mode even) or a header JSON, a newline and a claims
// JSON (mode odd) which the target encodes and signs with the verifier's own Ed25519 key, so
// that the fuzzer reaches the claims checks behind the signature. A verified token has a
// pseudonymous subject and the issuer asked for; a refused one is UNAUTHENTICATED with one of
// the reasons auth.h documents, or INVALID_ARGUMENT from the pseudonymiser. The strict JSON
// reader is also fed the raw parts. Seeds: corpus/jwt.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <google/protobuf/struct.pb.h>

#include "fuzz_support.h"
#include "integration/auth/auth.h"
#include "integration/auth/base64url.h"
#include "integration/auth/subject_pseudonym.h"
#include "integration/crypto/keys.h"
#include "keys.h"  // common/src/auth: the strict JSON reader (ParseJsonObject)

using integration::fuzz::Require;
namespace auth = integration::auth;

namespace {

constexpr char kIssuer[] = "https://fuzz.invalid";
constexpr char kAudience[] = "integration";
// The verifier's clock: 2026-03-01T00:00:00Z, so that exp/nbf in the seeds stay meaningful.
constexpr std::chrono::seconds kNow{1772323200};

struct Fixture {
  std::unique_ptr<auth::Verifier> verifier;
  integration::crypto::PrivateKey key;
};

std::string NewEd25519Pem() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  Require(raw != nullptr, "fixture: Ed25519 key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw, EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Require(PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "fixture: writing the key failed");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Made once per process: a key, its JWKS in a temporary file, the verifier over it (no cache,
// so that every input is verified from scratch and runs stay reproducible).
const Fixture& TheFixture() {
  static const Fixture* fixture = [] {
    const std::string pem = NewEd25519Pem();
    auto jwks = auth::JwksFromPrivateKey(pem, "fuzz-key");
    Require(jwks.ok(), "fixture: JWKS");
    char path[] = "/tmp/jwt_fuzz_jwks_XXXXXX";
    const int fd = mkstemp(path);
    Require(fd >= 0 && write(fd, jwks->data(), jwks->size()) == static_cast<ssize_t>(jwks->size()),
            "fixture: writing the JWKS file");
    close(fd);
    auto subjects = auth::SubjectPseudonymiser::Create(
        {{"k1", std::string(32, 's')}, {"k0", std::string(32, 'o')}});
    Require(subjects.ok(), "fixture: subject keys");
    auth::VerifierOptions options;
    options.jwks_file = path;
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.subjects = *subjects;
    options.cache_size = 0;
    options.clock = [] { return std::chrono::system_clock::time_point(kNow); };
    auto verifier = auth::Verifier::Create(std::move(options));
    Require(verifier.ok(), "fixture: verifier");
    unlink(path);  // read once at Create
    auto key = integration::crypto::PrivateKey::FromPem(pem);
    Require(key.ok(), "fixture: signing key");
    return new Fixture{*std::move(verifier), *std::move(key)};
  }();
  return *fixture;
}

void CheckVerified(std::string_view token) {
  const auto caller = TheFixture().verifier->Verify(token);
  if (caller.ok()) {
    Require(caller->authenticated && !caller->subject.empty(), "verified caller without subject");
    Require(caller->issuer == kIssuer, "verified caller of another issuer");
    Require(caller->token == token, "caller carries another token");
    Require(caller->expires_at + std::chrono::seconds(30) >
                std::chrono::system_clock::time_point(kNow),
            "expired token verified");
    return;
  }
  static const std::set<std::string, std::less<>> kReasons = {
      "TOKEN_MALFORMED",        "TOKEN_ALG_NOT_ALLOWED",   "TOKEN_KEY_UNKNOWN",
      "TOKEN_SIGNATURE_INVALID", "TOKEN_EXPIRED",          "TOKEN_NOT_YET_VALID",
      "TOKEN_ISSUER_INVALID",   "TOKEN_AUDIENCE_INVALID", "TOKEN_SUBJECT_MISSING"};
  const auto info = integration::status::GetErrorInfo(caller.status());
  if (caller.status().code() == absl::StatusCode::kUnauthenticated) {
    Require(info.has_value() && kReasons.count(info->reason()) == 1,
            "UNAUTHENTICATED without a documented reason");
  } else {
    // The pseudonymiser refuses a subject it cannot take (e.g. a bad service subject).
    integration::fuzz::RequireClientError(caller.status(), "token refused with another code");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input = integration::fuzz::AsText(data + 1, size - 1);
  google::protobuf::Struct object;
  if ((data[0] & 1) == 0) {
    CheckVerified(input);
    const auto dot = input.find('.');
    if (dot != std::string_view::npos) {
      if (auto header = auth::Base64UrlDecode(input.substr(0, dot))) {
        auth::internal::ParseJsonObject(*header, &object);
      }
    }
    return 0;
  }
  const size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view claims =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  if (auth::internal::ParseJsonObject(header, &object)) {
    Require(object.IsInitialized(), "header object incomplete");
  }
  const std::string signing_input =
      auth::Base64UrlEncode(header) + "." + auth::Base64UrlEncode(claims);
  const auto signature = TheFixture().key.Sign(signing_input);
  Require(signature.ok(), "signing failed");
  CheckVerified(signing_input + "." + auth::Base64UrlEncode(*signature));
  return 0;
}
