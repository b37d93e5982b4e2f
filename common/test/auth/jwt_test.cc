// Unit tests of bearer token verification: allowed algorithms, key selection, signatures,
// claims, the verified-token cache, JWKS reload, and interoperability with the openssl CLI.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/auth/auth.h"
#include "integration/auth/base64url.h"
#include "integration/status/status.h"
#include "integration/testing/temp_dir.h"

namespace integration::auth {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::seconds;

constexpr char kIssuer[] = "https://login.test.lansstyrelsen.se";
constexpr char kAudience[] = "integration";

// --- OpenSSL helpers (test-only, independent of the code under test) ---

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// "ED25519", "P-256" or "RSA".
PkeyPtr Generate(const std::string& type) {
  const char* name = type == "P-256" ? "EC" : type.c_str();
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr), EVP_PKEY_CTX_free);
  EXPECT_TRUE(ctx);
  EXPECT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  if (type == "P-256") {
    EXPECT_EQ(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256"), 1);
  }
  if (type == "RSA") {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
  }
  EVP_PKEY* key = nullptr;
  EXPECT_EQ(EVP_PKEY_keygen(ctx.get(), &key), 1);
  return PkeyPtr(key);
}

std::string ToPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

PkeyPtr FromPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string GeneratePem(const std::string& type) { return ToPem(Generate(type).get()); }

// DER ECDSA-Sig-Value -> JWS r||s.
std::string DerToRaw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
  EXPECT_TRUE(sig);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  EXPECT_EQ(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32), 32);
  EXPECT_EQ(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32), 32);
  return raw;
}

// Signs with OpenSSL directly: digest nullptr for Ed25519, SHA-256 otherwise. ES256
// signatures are converted to r||s when `jws_ecdsa` is set.
std::string RawSign(EVP_PKEY* key, const std::string& input, bool jws_ecdsa) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ed = EVP_PKEY_is_a(key, "ED25519") == 1;
  EXPECT_EQ(EVP_DigestSignInit(md.get(), nullptr, ed ? nullptr : EVP_sha256(), nullptr, key), 1);
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(md.get(), nullptr, &len, in, input.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                           input.size()),
            1);
  sig.resize(len);
  if (jws_ecdsa && EVP_PKEY_is_a(key, "EC") == 1) return DerToRaw(sig);
  return sig;
}

// A token over arbitrary header and payload JSON, correctly signed by `key`.
std::string SignRaw(EVP_PKEY* key, const std::string& header, const std::string& payload) {
  const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(RawSign(key, input, /*jws_ecdsa=*/true));
}

// Joins the keys of several JWKS documents.
std::string MergeJwks(const std::vector<std::string>& documents) {
  google::protobuf::Struct merged;
  auto* keys = (*merged.mutable_fields())["keys"].mutable_list_value();
  for (const std::string& doc : documents) {
    google::protobuf::Struct one;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(doc, &one).ok()) << doc;
    for (const auto& key : one.fields().at("keys").list_value().values()) *keys->add_values() = key;
  }
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(merged, &out).ok());
  return out;
}

std::string Jwk(const std::string& pem, const std::string& kid) {
  absl::StatusOr<std::string> jwks = JwksFromPrivateKey(pem, kid);
  EXPECT_TRUE(jwks.ok()) << jwks.status();
  return jwks.value_or("");
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command; the test fails when it does not exit 0.
void Shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << command;
}

std::string Reason(const absl::Status& status) {
  const auto info = status::GetErrorInfo(status);
  return info ? info->reason() : "<no ErrorInfo>";
}

template <typename T>
std::string Reason(const absl::StatusOr<T>& result) {
  return result.ok() ? "<ok>" : Reason(result.status());
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ed_pem_ = GeneratePem("ED25519");
    ec_pem_ = GeneratePem("P-256");
    WriteJwks(MergeJwks({Jwk(ed_pem_, "ed-1"), Jwk(ec_pem_, "ec-1")}));
  }
  std::string JwksPath() const { return dir_.File("jwks.json"); }

  // Replaces the file by rename, as a secret update does.
  void WriteJwks(const std::string& json) {
    const auto tmp = dir_.File("jwks.json.tmp");
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << json;
    std::filesystem::rename(tmp, JwksPath());
  }

  VerifierOptions Options() {
    VerifierOptions options;
    options.jwks_file = JwksPath();
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.leeway = seconds(30);
    options.clock = [this] { return now_; };
    options.subjects = Subjects();
    return options;
  }

  static std::shared_ptr<const SubjectPseudonymiser> Subjects() {
    auto subjects = SubjectPseudonymiser::Create({{"k1", std::string(32, 's')}});
    EXPECT_TRUE(subjects.ok()) << subjects.status();
    return subjects.ok() ? *subjects : nullptr;
  }
  // What Verify makes of a token's "sub": its pseudonym, never the subject itself.
  static std::string Pseudonym(const std::string& subject) {
    auto pseudonym = Subjects()->Current(kIssuer, "county_officer", subject);
    EXPECT_TRUE(pseudonym.ok()) << pseudonym.status();
    return pseudonym.ok() ? *pseudonym : "";
  }

  std::unique_ptr<Verifier> MakeVerifier(VerifierOptions options) {
    auto verifier = Verifier::Create(std::move(options));
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? *std::move(verifier) : nullptr;
  }
  std::unique_ptr<Verifier> MakeVerifier() { return MakeVerifier(Options()); }

  TokenClaims Claims() const {
    TokenClaims claims;
    claims.issuer = kIssuer;
    claims.audience = kAudience;
    claims.subject = "officer-17";
    claims.role = "county_officer";
    claims.lan = "12";
    claims.not_before = now_ - seconds(60);
    claims.expires_at = now_ + hours(1);
    return claims;
  }

  std::string Sign(const TokenClaims& claims, const std::string& pem, const std::string& kid) {
    absl::StatusOr<std::string> token = SignToken(claims, pem, kid);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  // Payload JSON with the standard valid claims plus `extra` (a JSON fragment without braces);
  // "sub" is one of them unless `extra` names its own.
  std::string Payload(const std::string& extra = "") const {
    const auto secs = [](Clock::time_point t) {
      return std::to_string(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
    };
    std::string json = std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":\"" + kAudience +
                       "\",\"exp\":" + secs(now_ + hours(1)) + ",\"role\":\"county_officer\"";
    if (extra.find("\"sub\"") == std::string::npos) json += ",\"sub\":\"officer-17\"";
    if (!extra.empty()) json += "," + extra;
    return json + "}";
  }

  integration::testing::TempDir dir_{"auth_jwt_test_"};
  std::string ed_pem_;
  std::string ec_pem_;
  Clock::time_point now_ = Clock::time_point(seconds(1'700'000'000));
};

TEST_F(JwtTest, ValidEdDsaTokenYieldsCaller) {
  auto verifier = MakeVerifier();
  TokenClaims claims = Claims();
  claims.role = "municipality_officer";
  claims.kommun = "0180";
  claims.orgnr = "2120000142";
  claims.agency = "migrationsverket";
  claims.scopes = {"arrivals.write", "arrivals.read"};
  const std::string token = Sign(claims, ed_pem_, "ed-1");

  absl::StatusOr<Caller> caller = verifier->Verify(token);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_TRUE(caller->authenticated);
  EXPECT_EQ(caller->subject, Pseudonym("officer-17"));
  EXPECT_EQ(caller->role, "municipality_officer");
  EXPECT_EQ(caller->lan, "12");
  EXPECT_EQ(caller->kommun, "0180");
  EXPECT_EQ(caller->orgnr, "2120000142");
  EXPECT_EQ(caller->agency, "migrationsverket");
  EXPECT_EQ(caller->scopes, (std::vector<std::string>{"arrivals.write", "arrivals.read"}));
  EXPECT_EQ(caller->token, token);
  EXPECT_EQ(caller->expires_at, now_ + hours(1));

  // The header names the algorithm and key.
  const std::string header = *Base64UrlDecode(token.substr(0, token.find('.')));
  EXPECT_NE(header.find("\"alg\":\"EdDSA\""), std::string::npos) << header;
  EXPECT_NE(header.find("\"kid\":\"ed-1\""), std::string::npos) << header;
}

TEST_F(JwtTest, ValidEs256TokenYieldsCaller) {
  auto verifier = MakeVerifier();
  const std::string token = Sign(Claims(), ec_pem_, "ec-1");
  const std::string header = *Base64UrlDecode(token.substr(0, token.find('.')));
  EXPECT_NE(header.find("\"alg\":\"ES256\""), std::string::npos) << header;
  // JWS ECDSA signatures are r||s, not DER.
  EXPECT_EQ(Base64UrlDecode(token.substr(token.rfind('.') + 1))->size(), 64u);

  absl::StatusOr<Caller> caller = verifier->Verify(token);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->role, "county_officer");
  EXPECT_EQ(caller->subject, Pseudonym("officer-17"));
  EXPECT_TRUE(caller->scopes.empty());
}

TEST_F(JwtTest, AlgNoneIsRejected) {
  auto verifier = MakeVerifier();
  const std::string token =
      Base64UrlEncode(R"({"alg":"none","kid":"ed-1"})") + "." + Base64UrlEncode(Payload()) + ".";
  const auto result = verifier->Verify(token);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(result), "TOKEN_ALG_NOT_ALLOWED");
  // Case variants are not a way around the allow-list either.
  EXPECT_EQ(Reason(verifier->Verify(Base64UrlEncode(R"({"alg":"eddsa","kid":"ed-1"})") + "." +
                                    Base64UrlEncode(Payload()) + ".AAAA")),
            "TOKEN_ALG_NOT_ALLOWED");
}

TEST_F(JwtTest, Hs256WithPublicKeyAsSecretIsRejected) {
  auto verifier = MakeVerifier();
  // The classic confusion attack: HMAC keyed with the verifier's public key bytes.
  PkeyPtr ed = FromPem(ed_pem_);
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(ed.get(), pub, &pub_len), 1);
  const std::string input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT","kid":"ed-1"})") + "." +
                            Base64UrlEncode(Payload());
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, pub, pub_len,
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                      sizeof(mac), &mac_len),
            nullptr);
  const std::string token =
      input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
  const auto result = verifier->Verify(token);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(result), "TOKEN_ALG_NOT_ALLOWED");
}

TEST_F(JwtTest, Rs256IsRejectedEvenWithAValidRsaSignature) {
  PkeyPtr rsa = Generate("RSA");
  // An RSA key in the set is skipped, not an error.
  const std::string rsa_jwk = R"({"keys":[{"kty":"RSA","kid":"rsa-1","n":"AQAB","e":"AQAB"}]})";
  WriteJwks(MergeJwks({Jwk(ed_pem_, "ed-1"), rsa_jwk}));
  auto verifier = MakeVerifier();
  const std::string token = SignRaw(rsa.get(), R"({"alg":"RS256","kid":"rsa-1"})", Payload());
  EXPECT_EQ(Reason(verifier->Verify(token)), "TOKEN_ALG_NOT_ALLOWED");
  const std::string token_ed_kid = SignRaw(rsa.get(), R"({"alg":"RS256","kid":"ed-1"})", Payload());
  EXPECT_EQ(Reason(verifier->Verify(token_ed_kid)), "TOKEN_ALG_NOT_ALLOWED");
}

TEST_F(JwtTest, AlgMustMatchTheKeyType) {
  auto verifier = MakeVerifier();
  PkeyPtr ec = FromPem(ec_pem_);
  PkeyPtr ed = FromPem(ed_pem_);
  // ES256 signed by the EC key, but naming the Ed25519 key; and the reverse.
  EXPECT_EQ(
      Reason(verifier->Verify(SignRaw(ec.get(), R"({"alg":"ES256","kid":"ed-1"})", Payload()))),
      "TOKEN_ALG_NOT_ALLOWED");
  EXPECT_EQ(
      Reason(verifier->Verify(SignRaw(ed.get(), R"({"alg":"EdDSA","kid":"ec-1"})", Payload()))),
      "TOKEN_ALG_NOT_ALLOWED");
  // The same headers with matching keys pass, so the rejections above are about the pairing.
  EXPECT_TRUE(
      verifier->Verify(SignRaw(ec.get(), R"({"alg":"ES256","kid":"ec-1"})", Payload())).ok());
  EXPECT_TRUE(
      verifier->Verify(SignRaw(ed.get(), R"({"alg":"EdDSA","kid":"ed-1"})", Payload())).ok());
}

TEST_F(JwtTest, SignatureByAnotherKeyWithTheSameKidIsRejected) {
  auto verifier = MakeVerifier();
  EXPECT_EQ(Reason(verifier->Verify(Sign(Claims(), GeneratePem("ED25519"), "ed-1"))),
            "TOKEN_SIGNATURE_INVALID");
  EXPECT_EQ(Reason(verifier->Verify(Sign(Claims(), GeneratePem("P-256"), "ec-1"))),
            "TOKEN_SIGNATURE_INVALID");
}

TEST_F(JwtTest, TamperedPayloadIsRejected) {
  auto verifier = MakeVerifier();
  for (const std::string& pem : {ed_pem_, ec_pem_}) {
    const std::string token = Sign(Claims(), pem, pem == ed_pem_ ? "ed-1" : "ec-1");
    ASSERT_TRUE(verifier->Verify(token).ok());
    const size_t a = token.find('.');
    const size_t b = token.rfind('.');
    std::string payload = *Base64UrlDecode(token.substr(a + 1, b - a - 1));
    const size_t role = payload.find("county_officer");
    ASSERT_NE(role, std::string::npos);
    payload.replace(role, std::string("county_officer").size(), "county_admin");
    const std::string tampered =
        token.substr(0, a + 1) + Base64UrlEncode(payload) + token.substr(b);
    EXPECT_EQ(Reason(verifier->Verify(tampered)), "TOKEN_SIGNATURE_INVALID");
    // A flipped signature bit as well.
    std::string sig = *Base64UrlDecode(token.substr(b + 1));
    sig[10] = static_cast<char>(sig[10] ^ 0x01);
    EXPECT_EQ(Reason(verifier->Verify(token.substr(0, b + 1) + Base64UrlEncode(sig))),
              "TOKEN_SIGNATURE_INVALID");
    // A truncated signature.
    EXPECT_EQ(Reason(verifier->Verify(token.substr(0, b + 1) + Base64UrlEncode(sig.substr(0, 63)))),
              "TOKEN_SIGNATURE_INVALID");
  }
}

TEST_F(JwtTest, ExpiredAndNotYetValidTokensAreRejected) {
  auto verifier = MakeVerifier();
  TokenClaims expired = Claims();
  expired.not_before = now_ - hours(2);
  expired.expires_at = now_ - hours(1);
  EXPECT_EQ(Reason(verifier->Verify(Sign(expired, ed_pem_, "ed-1"))), "TOKEN_EXPIRED");
  TokenClaims future = Claims();
  future.not_before = now_ + hours(1);
  future.expires_at = now_ + hours(2);
  EXPECT_EQ(Reason(verifier->Verify(Sign(future, ed_pem_, "ed-1"))), "TOKEN_NOT_YET_VALID");
}

TEST_F(JwtTest, LeewayEdges) {
  VerifierOptions options = Options();
  options.cache_size = 0;  // the clock moves backwards below; the cache assumes it does not
  auto verifier = MakeVerifier(options);
  const Clock::time_point t0 = now_;
  TokenClaims claims = Claims();
  claims.not_before = t0;
  claims.expires_at = t0 + hours(1);
  const std::string token = Sign(claims, ed_pem_, "ed-1");

  now_ = t0 + hours(1) + seconds(29);
  EXPECT_TRUE(verifier->Verify(token).ok());
  now_ = t0 + hours(1) + seconds(30);
  EXPECT_EQ(Reason(verifier->Verify(token)), "TOKEN_EXPIRED");
  now_ = t0 - seconds(30);
  EXPECT_TRUE(verifier->Verify(token).ok());
  now_ = t0 - seconds(31);
  EXPECT_EQ(Reason(verifier->Verify(token)), "TOKEN_NOT_YET_VALID");

  // Without leeway the edges are exact.
  options.leeway = seconds(0);
  auto strict = MakeVerifier(options);
  now_ = t0 + hours(1) - seconds(1);
  EXPECT_TRUE(strict->Verify(token).ok());
  now_ = t0 + hours(1);
  EXPECT_EQ(Reason(strict->Verify(token)), "TOKEN_EXPIRED");
  now_ = t0;
  EXPECT_TRUE(strict->Verify(token).ok());
  now_ = t0 - seconds(1);
  EXPECT_EQ(Reason(strict->Verify(token)), "TOKEN_NOT_YET_VALID");
}

TEST_F(JwtTest, ExpIsRequiredAndDatesMustBeNumbers) {
  auto verifier = MakeVerifier();
  PkeyPtr ed = FromPem(ed_pem_);
  const std::string header = R"({"alg":"EdDSA","kid":"ed-1"})";
  const std::string no_exp =
      std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":\"" + kAudience + "\"}";
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, no_exp))), "TOKEN_MALFORMED");
  const std::string text_exp = std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":\"" + kAudience +
                               "\",\"exp\":\"1800000000\"}";
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, text_exp))), "TOKEN_MALFORMED");
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, Payload(R"("nbf":"soon")")))),
            "TOKEN_MALFORMED");
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, Payload(R"("role":7)")))),
            "TOKEN_MALFORMED");
  EXPECT_TRUE(verifier->Verify(SignRaw(ed.get(), header, Payload())).ok());
}

// Found by tests/fuzz (jwt_fuzz): an exp of 177244640000 (year 7586) was accepted as a
// NumericDate and overflowed converting to the clock's nanoseconds (undefined behaviour). Dates
// past what the clock holds (2262) are malformed; one just within it is a date.
TEST_F(JwtTest, DatesBeyondTheClockAreMalformed) {
  auto verifier = MakeVerifier();
  PkeyPtr ed = FromPem(ed_pem_);
  const std::string header = R"({"alg":"EdDSA","kid":"ed-1"})";
  for (const char* exp : {"177244640000", "253402300799", "9223372037"}) {
    SCOPED_TRACE(exp);
    const std::string payload = std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":\"" +
                                kAudience + "\",\"sub\":\"s\",\"exp\":" + exp + "}";
    EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, payload))), "TOKEN_MALFORMED");
  }
  const std::string far = std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":\"" + kAudience +
                          "\",\"sub\":\"s\",\"exp\":9000000000}";
  EXPECT_TRUE(verifier->Verify(SignRaw(ed.get(), header, far)).ok());
}

TEST_F(JwtTest, ATokenWithoutSubjectIsRefused) {
  auto verifier = MakeVerifier();
  TokenClaims no_subject = Claims();
  no_subject.subject.clear();
  EXPECT_EQ(Reason(verifier->Verify(Sign(no_subject, ed_pem_, "ed-1"))), "TOKEN_SUBJECT_MISSING");
  PkeyPtr ed = FromPem(ed_pem_);
  const std::string header = R"({"alg":"EdDSA","kid":"ed-1"})";
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, Payload(R"("sub":"")")))),
            "TOKEN_SUBJECT_MISSING");
  EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, Payload(R"("sub":7)")))),
            "TOKEN_MALFORMED");
  // With one, the caller carries it and the issuer (request ids are scoped by both).
  absl::StatusOr<Caller> caller = verifier->Verify(Sign(Claims(), ed_pem_, "ed-1"));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->subject, Pseudonym("officer-17"));
  EXPECT_EQ(caller->issuer, kIssuer);
}

TEST_F(JwtTest, IssuerAndAudienceAreChecked) {
  auto verifier = MakeVerifier();
  TokenClaims wrong_iss = Claims();
  wrong_iss.issuer = "https://evil.example";
  EXPECT_EQ(Reason(verifier->Verify(Sign(wrong_iss, ed_pem_, "ed-1"))), "TOKEN_ISSUER_INVALID");
  TokenClaims wrong_aud = Claims();
  wrong_aud.audience = "other-system";
  EXPECT_EQ(Reason(verifier->Verify(Sign(wrong_aud, ed_pem_, "ed-1"))), "TOKEN_AUDIENCE_INVALID");

  PkeyPtr ed = FromPem(ed_pem_);
  const std::string header = R"({"alg":"EdDSA","kid":"ed-1"})";
  const std::string exp = std::to_string(
      std::chrono::duration_cast<seconds>((now_ + hours(1)).time_since_epoch()).count());
  const auto with_aud = [&](const std::string& aud) {
    return SignRaw(
        ed.get(), header,
        std::string("{\"iss\":\"") + kIssuer + "\",\"aud\":" + aud + ",\"exp\":" + exp +
            ",\"sub\":\"officer-17\"}");
  };
  EXPECT_TRUE(verifier->Verify(with_aud(R"(["gateway","integration"])")).ok());
  EXPECT_EQ(Reason(verifier->Verify(with_aud(R"(["gateway","integrations"])"))),
            "TOKEN_AUDIENCE_INVALID");
  EXPECT_EQ(Reason(verifier->Verify(with_aud("[]"))), "TOKEN_AUDIENCE_INVALID");
  EXPECT_EQ(Reason(verifier->Verify(with_aud("7"))), "TOKEN_AUDIENCE_INVALID");
  // Missing iss and missing aud.
  EXPECT_EQ(
      Reason(verifier->Verify(SignRaw(
          ed.get(), header, std::string("{\"aud\":\"") + kAudience + "\",\"exp\":" + exp + "}"))),
      "TOKEN_ISSUER_INVALID");
  EXPECT_EQ(
      Reason(verifier->Verify(SignRaw(
          ed.get(), header, std::string("{\"iss\":\"") + kIssuer + "\",\"exp\":" + exp + "}"))),
      "TOKEN_AUDIENCE_INVALID");
}

TEST_F(JwtTest, GarbageIsMalformed) {
  auto verifier = MakeVerifier();
  PkeyPtr ed = FromPem(ed_pem_);
  const std::string good = Sign(Claims(), ed_pem_, "ed-1");
  const std::string header_b64 = good.substr(0, good.find('.'));
  const std::vector<std::string> garbage = {
      "",
      "a.b",
      "a.b.c.d",
      ".",
      "..",
      "!!!.###.$$$",
      "eyJ hbGciOiJFZERTQSJ9.e30.AAAA",
      // Padding is not part of JOSE base64url.
      Base64UrlEncode(R"({"alg":"EdDSA"})") + "=.e30.AAAA",
      // Standard base64 alphabet characters.
      "eyJhbGciOiJFZERTQSJ9+/.e30.AAAA",
      // Header that is not JSON / not an object / has no alg / has a non-string alg.
      Base64UrlEncode("hello") + ".e30.AAAA",
      Base64UrlEncode("[1,2]") + ".e30.AAAA",
      Base64UrlEncode(R"({"kid":"ed-1"})") + ".e30.AAAA",
      Base64UrlEncode(R"({"alg":7,"kid":"ed-1"})") + ".e30.AAAA",
      // Critical header extensions we do not understand.
      Base64UrlEncode(R"({"alg":"EdDSA","kid":"ed-1","crit":["b64"]})") + ".e30.AAAA",
      // Signature part that is not base64url.
      good.substr(0, good.rfind('.') + 1) + "%%%",
      // Correctly signed payload that is not JSON.
      SignRaw(ed.get(), R"({"alg":"EdDSA","kid":"ed-1"})", "not json"),
      SignRaw(ed.get(), R"({"alg":"EdDSA","kid":"ed-1"})", "[\"array\"]"),
      std::string(20000, 'a'),
  };
  for (const std::string& token : garbage) {
    const auto result = verifier->Verify(token);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << token;
    EXPECT_EQ(Reason(result), "TOKEN_MALFORMED") << token;
  }
}

TEST_F(JwtTest, ClaimsAreReadAsStrictJson) {
  auto verifier = MakeVerifier();
  PkeyPtr ed = FromPem(ed_pem_);
  const std::string header = R"({"alg":"EdDSA","kid":"ed-1"})";

  // Escapes, a surrogate pair, raw UTF-8, white space, numbers in exponent form, nested values.
  const std::string exp = std::to_string(
      std::chrono::duration_cast<seconds>((now_ + hours(1)).time_since_epoch()).count());
  const std::string payload =
      " {\n\t\"iss\" : \"" + std::string(kIssuer) + "\", \"aud\":[\"other\",\"" + kAudience +
      "\"], \"exp\": " + exp + ".0e0, \"nbf\": 1.5e9, \"role\":\"county_officer\", "
      R"("sub":"a\"b\\c\/d\u00e5\ud83d\ude00é\n", "x":{"y":[true,false,null,-0.5,{}]}, "z":[]} )";
  absl::StatusOr<Caller> caller = verifier->Verify(SignRaw(ed.get(), header, payload));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->subject, Pseudonym("a\"b\\c/d\xc3\xa5\xf0\x9f\x98\x80\xc3\xa9\n"));
  EXPECT_EQ(caller->role, "county_officer");
  EXPECT_EQ(caller->expires_at, now_ + hours(1));

  // Each of these payloads is refused as a whole, though the claims it holds would pass.
  const std::vector<std::string> bad = {
      Payload(R"("sub":"a","sub":"b")"),     // a member named twice
      Payload(R"("role":"x")"),              // the same, with a standard claim
      Payload() + " x",                      // text after the object
      Payload() + "{}",                      // a second document
      Payload(R"("sub":"tab	inside")"),  // raw control character in a string
      Payload(R"("sub":"\x")"),              // unknown escape
      Payload(R"("sub":"\ud800")"),          // lone high surrogate
      Payload(R"("sub":"\udc00x")"),         // lone low surrogate
      Payload(R"("sub":"\u12")"),            // short \u escape
      Payload("\"sub\":\"\xc3\""),           // truncated UTF-8
      Payload("\"sub\":\"\xc0\xaf\""),       // overlong UTF-8
      Payload("\"sub\":\"\xed\xa0\x80\""),   // UTF-8 encoded surrogate
      Payload(R"("n":01)"),                  // leading zero
      Payload(R"("n":1.)"),                  // no digits after the point
      Payload(R"("n":.5)"),                  // no digits before it
      Payload(R"("n":+1)"),                  // explicit plus
      Payload(R"("n":1e)"),                  // empty exponent
      Payload(R"("n":1e400)"),               // beyond a double
      Payload(R"("n":1e-400)"),              // too small for a double
      Payload(R"("n":NaN)"),                 // not JSON
      Payload(R"("n":tru)"),                 // truncated literal
      Payload(R"("a":[1,])"),                // trailing comma in an array
      Payload(R"("a":{"b":1,})"),            // trailing comma in an object
      Payload(R"("a":{'b':1})"),             // single quotes
      Payload(R"("a":[1 2])"),               // missing comma
      Payload("\"deep\":" + std::string(40, '[') + std::string(40, ']')),  // too deep
      Payload("\"deep\":" + std::string(32, '[') + std::string(32, ']')),  // 33 containers
      Payload(R"("x":{"a":1,"a":2})"),                                     // repeat in a member
      Payload(R"("x":[{"a":1,"a":2}])"),                                   // repeat in an array
      "\xEF\xBB\xBF" + Payload(),                                          // byte order mark
      Payload(R"("n":1 /* comment */)"),                                   // comments
      Payload(std::string("\"sub\":\"nul\0inside\"", 18)),                 // raw NUL in a string
      Payload(R"("n":-)"),                                                 // sign without digits
      Payload(R"("n":0x10)"),                                              // hex
      Payload(R"("n":Infinity)"),                                          // not JSON
      std::string(Payload()).substr(0, Payload().size() - 1),              // unterminated
  };
  for (const std::string& p : bad) {
    EXPECT_EQ(Reason(verifier->Verify(SignRaw(ed.get(), header, p))), "TOKEN_MALFORMED") << p;
  }
  // Nesting up to the bound is fine.
  EXPECT_TRUE(
      verifier
          ->Verify(SignRaw(ed.get(), header,
                           Payload("\"deep\":" + std::string(20, '[') + std::string(20, ']'))))
          .ok());
  // The bound itself: the claims object and 31 containers inside it.
  EXPECT_TRUE(
      verifier
          ->Verify(SignRaw(ed.get(), header,
                           Payload("\"deep\":" + std::string(31, '[') + std::string(31, ']'))))
          .ok());
  // Numbers of every JSON form are read as doubles: integers beyond 64 bits, negative zero,
  // exponents; the same member name in sibling objects is no repeat.
  for (const std::string& extra :
       {std::string(R"("n":123456789012345678901234567890)"), std::string(R"("n":-0)"),
        std::string(R"("n":-0.0e-0)"), std::string(R"("n":18446744073709551615)"),
        std::string(R"("n":-9223372036854775808)"), std::string(R"("n":4.9e-324)"),
        std::string(R"("x":[{"a":1},{"a":2}],"y":{"a":{"a":1}})")}) {
    EXPECT_TRUE(verifier->Verify(SignRaw(ed.get(), header, Payload(extra))).ok()) << extra;
  }
}

TEST_F(JwtTest, KeySelectionByKid) {
  auto verifier = MakeVerifier();
  EXPECT_EQ(Reason(verifier->Verify(Sign(Claims(), ed_pem_, "ed-9"))), "TOKEN_KEY_UNKNOWN");
  // No kid while the set holds two keys.
  EXPECT_EQ(Reason(verifier->Verify(Sign(Claims(), ed_pem_, ""))), "TOKEN_KEY_UNKNOWN");

  // With a single key in the set, a token without kid uses it.
  WriteJwks(Jwk(ed_pem_, "ed-1"));
  ASSERT_TRUE(verifier->Reload().ok());
  EXPECT_TRUE(verifier->Verify(Sign(Claims(), ed_pem_, "")).ok());
  EXPECT_EQ(Reason(verifier->Verify(Sign(Claims(), ec_pem_, "ec-1"))), "TOKEN_KEY_UNKNOWN");
}

TEST_F(JwtTest, CacheNeverOutlivesExp) {
  VerifierOptions options = Options();
  options.leeway = seconds(0);
  auto verifier = MakeVerifier(options);
  TokenClaims claims = Claims();
  claims.expires_at = now_ + seconds(5);
  const std::string token = Sign(claims, ed_pem_, "ed-1");
  ASSERT_TRUE(verifier->Verify(token).ok());
  now_ += seconds(4);
  ASSERT_TRUE(verifier->Verify(token).ok());  // served from the cache
  now_ += seconds(1);
  EXPECT_EQ(Reason(verifier->Verify(token)), "TOKEN_EXPIRED");
}

TEST_F(JwtTest, CacheIsBoundedAndClearedOnKeyReload) {
  VerifierOptions options = Options();
  options.cache_size = 2;
  auto verifier = MakeVerifier(options);
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) {
    TokenClaims claims = Claims();
    claims.subject = "user-" + std::to_string(i);
    tokens.push_back(Sign(claims, ed_pem_, "ed-1"));
    ASSERT_TRUE(verifier->Verify(tokens.back()).ok());
  }
  // Every token, cached or evicted, still verifies to its own caller, with its own token (the
  // cache does not keep tokens; a hit hands back the one verified).
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 5; ++i) {
      auto caller = verifier->Verify(tokens[i]);
      ASSERT_TRUE(caller.ok());
      EXPECT_EQ(caller->subject, Pseudonym("user-" + std::to_string(i)));
      EXPECT_EQ(caller->token, tokens[i]);
    }
  }
  EXPECT_EQ(verifier->Verify(tokens[4])->token, tokens[4]);  // the newest: a hit
  // Rotating the Ed25519 key out: cached tokens signed by it must stop working at once.
  WriteJwks(Jwk(ec_pem_, "ec-1"));
  ASSERT_TRUE(verifier->Reload().ok());
  for (const std::string& token : tokens) {
    EXPECT_EQ(Reason(verifier->Verify(token)), "TOKEN_KEY_UNKNOWN");
  }
}

TEST_F(JwtTest, ReloadPicksUpARotatedKey) {
  auto verifier = MakeVerifier();
  const std::string new_pem = GeneratePem("ED25519");
  const std::string rotated = Sign(Claims(), new_pem, "ed-2");
  const std::string old = Sign(Claims(), ed_pem_, "ed-1");
  EXPECT_EQ(Reason(verifier->Verify(rotated)), "TOKEN_KEY_UNKNOWN");
  ASSERT_TRUE(verifier->ReloadIfChanged().ok());  // unchanged file: nothing happens
  EXPECT_EQ(Reason(verifier->Verify(rotated)), "TOKEN_KEY_UNKNOWN");

  WriteJwks(MergeJwks({Jwk(ed_pem_, "ed-1"), Jwk(new_pem, "ed-2")}));
  ASSERT_TRUE(verifier->ReloadIfChanged().ok());
  EXPECT_TRUE(verifier->Verify(rotated).ok());
  EXPECT_TRUE(verifier->Verify(old).ok());

  // Old key retired.
  WriteJwks(Jwk(new_pem, "ed-2"));
  ASSERT_TRUE(verifier->ReloadIfChanged().ok());
  EXPECT_TRUE(verifier->Verify(rotated).ok());
  EXPECT_EQ(Reason(verifier->Verify(old)), "TOKEN_KEY_UNKNOWN");
}

TEST_F(JwtTest, FailedReloadKeepsTheOldKeys) {
  auto verifier = MakeVerifier();
  const std::string token = Sign(Claims(), ed_pem_, "ed-1");
  for (const std::string& bad :
       {std::string("{not json"), std::string(R"({"keys":[]})"),
        std::string(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAA"}]})")}) {
    WriteJwks(bad);
    EXPECT_FALSE(verifier->ReloadIfChanged().ok()) << bad;
    EXPECT_FALSE(verifier->ReloadIfChanged().ok()) << bad;  // reported again, not forgotten
    EXPECT_FALSE(verifier->Reload().ok()) << bad;
    EXPECT_TRUE(verifier->Verify(token).ok()) << bad;
  }
  std::filesystem::remove(JwksPath());
  EXPECT_FALSE(verifier->ReloadIfChanged().ok());
  EXPECT_TRUE(verifier->Verify(token).ok());
}

TEST_F(JwtTest, CreateRejectsBadConfiguration) {
  VerifierOptions options = Options();
  options.jwks_file = dir_.File("missing.json");
  EXPECT_FALSE(Verifier::Create(options).ok());
  options = Options();
  options.issuer.clear();
  EXPECT_FALSE(Verifier::Create(options).ok());
  options = Options();
  options.audience.clear();
  EXPECT_FALSE(Verifier::Create(options).ok());

  const std::string ed_jwk = Jwk(ed_pem_, "ed-1");
  google::protobuf::Struct jwks;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ed_jwk, &jwks).ok());
  const std::string x = jwks.fields()
                            .at("keys")
                            .list_value()
                            .values(0)
                            .struct_value()
                            .fields()
                            .at("x")
                            .string_value();
  const std::vector<std::string> bad_sets = {
      "{}",
      R"({"keys":{}})",
      // Private key material must never be published.
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":")" + x + R"(","d":")" + x + R"("}]})",
      // Duplicate kid.
      MergeJwks({ed_jwk, ed_jwk}),
      // Several keys, one without kid.
      MergeJwks({ed_jwk, Jwk(ec_pem_, "")}),
      // alg that does not fit the key.
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","alg":"ES256","x":")" + x + R"("}]})",
      // A P-256 point that is not on the curve.
      R"({"keys":[{"kty":"EC","crv":"P-256","kid":"a","x":")" + x + R"(","y":")" + x + R"("}]})",
      // Only unsupported keys.
      R"({"keys":[{"kty":"OKP","crv":"Ed448","kid":"a","x":")" + x + R"("}]})",
  };
  for (const std::string& bad : bad_sets) {
    WriteJwks(bad);
    EXPECT_FALSE(Verifier::Create(Options()).ok()) << bad;
  }
}

TEST_F(JwtTest, ConcurrentVerifyAndReload) {
  auto verifier = MakeVerifier();
  const std::string token = Sign(Claims(), ed_pem_, "ed-1");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!verifier->Verify(token).ok()) failures++;
      }
    });
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(verifier->Reload().ok());
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(JwtTest, BearerToken) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("  bearer   abc.def.ghi  "), "abc.def.ghi");
  EXPECT_EQ(BearerToken("BEARER\tabc"), "abc");
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer   "), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
  EXPECT_EQ(BearerToken(""), "");
}

// Keys generated by the openssl command-line tool, and signatures it made, interoperate.
TEST_F(JwtTest, OpensslCliKeysAndSignatures) {
  const std::string dir = dir_.path();
  Shell("openssl genpkey -algorithm ed25519 -out " + dir + "/ed.pem 2>/dev/null");
  Shell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + dir +
        "/ec.pem 2>/dev/null");
  const std::string ed_pem = ReadAll(dir_.File("ed.pem"));
  const std::string ec_pem = ReadAll(dir_.File("ec.pem"));
  WriteJwks(MergeJwks({Jwk(ed_pem, "cli-ed"), Jwk(ec_pem, "cli-ec")}));
  auto verifier = MakeVerifier();

  // Our tokens from their keys.
  EXPECT_TRUE(verifier->Verify(Sign(Claims(), ed_pem, "cli-ed")).ok());
  EXPECT_TRUE(verifier->Verify(Sign(Claims(), ec_pem, "cli-ec")).ok());

  // The JWK coordinates equal the public key openssl exports (the tail of the DER SPKI).
  Shell("openssl pkey -in " + dir + "/ed.pem -pubout -outform DER -out " + dir + "/ed.pub.der");
  Shell("openssl pkey -in " + dir + "/ec.pem -pubout -outform DER -out " + dir + "/ec.pub.der");
  const std::string ed_spki = ReadAll(dir_.File("ed.pub.der"));
  const std::string ec_spki = ReadAll(dir_.File("ec.pub.der"));
  ASSERT_GE(ed_spki.size(), 32u);
  ASSERT_GE(ec_spki.size(), 64u);
  const std::string ed_jwks = Jwk(ed_pem, "cli-ed");
  const std::string ec_jwks = Jwk(ec_pem, "cli-ec");
  EXPECT_NE(ed_jwks.find(Base64UrlEncode(ed_spki.substr(ed_spki.size() - 32))), std::string::npos);
  EXPECT_NE(ec_jwks.find(Base64UrlEncode(ec_spki.substr(ec_spki.size() - 64, 32))),
            std::string::npos);
  EXPECT_NE(ec_jwks.find(Base64UrlEncode(ec_spki.substr(ec_spki.size() - 32))), std::string::npos);

  // Signatures made by openssl over our signing input verify.
  const std::string ed_input =
      Base64UrlEncode(R"({"alg":"EdDSA","kid":"cli-ed"})") + "." + Base64UrlEncode(Payload());
  dir_.Write("ed.in", ed_input);
  Shell("openssl pkeyutl -sign -rawin -inkey " + dir + "/ed.pem -in " + dir + "/ed.in -out " + dir +
        "/ed.sig");
  EXPECT_TRUE(
      verifier->Verify(ed_input + "." + Base64UrlEncode(ReadAll(dir_.File("ed.sig")))).ok());

  const std::string ec_input =
      Base64UrlEncode(R"({"alg":"ES256","kid":"cli-ec"})") + "." + Base64UrlEncode(Payload());
  dir_.Write("ec.in", ec_input);
  Shell("openssl dgst -sha256 -sign " + dir + "/ec.pem -out " + dir + "/ec.sig " + dir + "/ec.in");
  const std::string ec_token =
      ec_input + "." + Base64UrlEncode(DerToRaw(ReadAll(dir_.File("ec.sig"))));
  EXPECT_TRUE(verifier->Verify(ec_token).ok());
  // A DER signature as the JWS signature (a common interop bug) is not accepted.
  EXPECT_EQ(
      Reason(verifier->Verify(ec_input + "." + Base64UrlEncode(ReadAll(dir_.File("ec.sig"))))),
      "TOKEN_SIGNATURE_INVALID");
}

TEST_F(JwtTest, SignTokenValidatesInput) {
  TokenClaims claims = Claims();
  EXPECT_FALSE(SignToken(claims, "not a pem", "k").ok());
  EXPECT_FALSE(SignToken(claims, GeneratePem("RSA"), "k").ok());
  EXPECT_FALSE(JwksFromPrivateKey(GeneratePem("RSA"), "k").ok());
  claims.expires_at = claims.not_before;
  EXPECT_FALSE(SignToken(claims, ed_pem_, "k").ok());
  claims = Claims();
  claims.issuer.clear();
  EXPECT_FALSE(SignToken(claims, ed_pem_, "k").ok());
}

TEST_F(JwtTest, TokenSignerSignsWithOneParsedKey) {
  EXPECT_FALSE(TokenSigner::Create("not a pem", "k").ok());
  EXPECT_FALSE(TokenSigner::Create(GeneratePem("RSA"), "k").ok());
  auto verifier = MakeVerifier();
  for (const auto& [pem, kid] : {std::pair{ed_pem_, "ed-1"}, std::pair{ec_pem_, "ec-1"}}) {
    absl::StatusOr<TokenSigner> signer = TokenSigner::Create(pem, kid);
    ASSERT_TRUE(signer.ok()) << signer.status();
    const TokenSigner copy = *signer;  // copies share the key
    for (const std::string subject : {"learner-1", "learner-2"}) {
      TokenClaims claims = Claims();
      claims.subject = subject;
      absl::StatusOr<std::string> token = copy.Sign(claims);
      ASSERT_TRUE(token.ok()) << token.status();
      absl::StatusOr<Caller> caller = verifier->Verify(*token);
      ASSERT_TRUE(caller.ok()) << kid << ": " << caller.status();
      EXPECT_EQ(caller->subject, Pseudonym(subject));
    }
    TokenClaims bad = Claims();
    bad.audience.clear();
    EXPECT_FALSE(signer->Sign(bad).ok());
  }
}

}  // namespace
}  // namespace integration::auth
