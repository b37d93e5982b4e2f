// Authentication (JWT, EdDSA/ES256, JWKS) and authorization (the proto access policy) shared by
// the gateway and every service.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "integration/auth/subject_pseudonym.h"
#include "lansstyrelsen/integration/auth/v1/policy.pb.h"

namespace integration::auth {

using Policy = ::lansstyrelsen::integration::auth::v1::Policy;

// Who is calling, from a verified token. Handlers read it; they never parse tokens.
struct Caller {
  bool authenticated = false;  // false: no token (only public methods)
  // Whom audit rows, request ids and ownership name: the pseudonym of the token's "sub" under
  // the current subject key (SubjectPseudonymiser), never the raw "sub", which may be a
  // personnummer; service tokens' "svc:<stem>" as it is. Never empty in a verified token.
  std::string subject;
  // The pseudonyms of the same "sub" under the older keys of the key ring: records written
  // before a key rotation still belong to the caller (Scope::IsSubject).
  std::vector<std::string> former_subjects;
  std::string issuer;               // "iss"
  std::string role;                 // "role", as the token spells it (auth::Role, tenancy.h)
  std::string lan;                  // "lan": county code of county roles, e.g. "12"
  std::string kommun;               // "kommun": kommunkod of municipality officers
  std::string orgnr;                // "orgnr": organisationsnummer of organisation reps
  std::string agency;               // "agency": agency of agency systems, e.g. "migrationsverket"
  std::vector<std::string> scopes;  // "scope", space separated in the token
  std::string token;                // the raw bearer token, for forwarding to other services
  std::chrono::system_clock::time_point expires_at;
};

struct VerifierOptions {
  std::string jwks_file;  // JSON Web Key Set: OKP/Ed25519 and EC/P-256 keys with "kid"
  std::string issuer;     // required "iss"
  std::string audience;   // required in "aud" (string or array)
  // Required: turns "sub" into Caller::subject and Caller::former_subjects.
  std::shared_ptr<const SubjectPseudonymiser> subjects;
  std::chrono::seconds leeway{30};
  size_t cache_size = 2048;  // verified tokens kept until their exp; 0 disables the cache
  // The current time; tests set it to check exp/nbf edges. Defaults to system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

// Verifies bearer tokens: "alg" must be EdDSA or ES256 and match the key's type ("none",
// HS*, RS* rejected), signature by the JWKS key named by "kid", "iss", "aud", "exp", "nbf", and
// a non-empty "sub" (whom audit rows, request ids and ownership name, as its pseudonym).
// Thread-safe. Errors are UNAUTHENTICATED with an ErrorInfo reason: TOKEN_MALFORMED,
// TOKEN_ALG_NOT_ALLOWED, TOKEN_KEY_UNKNOWN, TOKEN_SIGNATURE_INVALID, TOKEN_EXPIRED,
// TOKEN_NOT_YET_VALID, TOKEN_ISSUER_INVALID, TOKEN_AUDIENCE_INVALID, TOKEN_SUBJECT_MISSING.
class Verifier {
 public:
  static absl::StatusOr<std::unique_ptr<Verifier>> Create(VerifierOptions options);
  ~Verifier();
  absl::StatusOr<Caller> Verify(std::string_view token) const;
  // Re-reads the JWKS file (e.g. after a key rotation); keeps the old keys on failure.
  absl::Status Reload();
  // Re-reads the JWKS file when its modification time changed; cheap to call often.
  absl::Status ReloadIfChanged();

 private:
  struct Impl;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Extracts the token of an "authorization" metadata value "Bearer <token>"; empty if none.
std::string_view BearerToken(std::string_view authorization_header);

// The policy option of a method; nullptr when the method has none (treated as deny-all).
const Policy* PolicyOf(const google::protobuf::MethodDescriptor& method);

// Role check of a policy: OK for public methods; UNAUTHENTICATED (reason TOKEN_MISSING)
// without a token; PERMISSION_DENIED (reason ROLE_NOT_ALLOWED) when the caller's role is not
// listed; PERMISSION_DENIED (reason NO_POLICY) when the method has no policy; for agency_system
// callers also PERMISSION_DENIED (reason SCOPE_MISSING, see CheckAgencyScope).
absl::Status Authorize(const Policy* policy, const Caller& caller);
// An agency_system caller's scope check: OK when its token carries one of the policy's
// agency_scopes; PERMISSION_DENIED with reason SCOPE_MISSING (metadata required_scopes) when
// it carries none of them or the policy names none.
absl::Status CheckAgencyScope(const Policy& policy, const Caller& caller);

// The id a person uses for itself in resource names ("learners/me"): clients never learn their
// pseudonym from their token, so services resolve it to Caller::subject.
inline constexpr std::string_view kSelfId = "me";

// Tenant check: when the policy names a tenant_field and the caller's role carries a tenant
// claim, the request field (a resource name, or a plain value) must belong to the caller:
//   municipality_officer: contains the segment pair "kommuner/<kommun>" or equals <kommun>
//   organisation_rep:     "organisations/<orgnr>" or equals <orgnr>
//   learner:              "learners/<subject>" or equals <subject>, where <subject> is the
//                         caller's pseudonym, a former one, or kSelfId
// County, admin and agency roles pass (their county scope is checked in queries).
// PERMISSION_DENIED with reason TENANT_MISMATCH otherwise; INVALID_ARGUMENT when the policy's
// field path does not exist in the request type (a programming error, caught by tests).
absl::Status CheckTenant(const Policy& policy, const Caller& caller,
                         const google::protobuf::Message& request);

// Token issuing, for the development `./dev token` command and tests only.
struct TokenClaims {
  std::string issuer, audience, subject, role, lan, kommun, orgnr, agency;
  std::vector<std::string> scopes;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point expires_at;
};
// Signs with a PEM private key (Ed25519 -> alg EdDSA, P-256 -> ES256) and header kid.
absl::StatusOr<std::string> SignToken(const TokenClaims& claims, std::string_view private_key_pem,
                                      std::string_view kid);
// The same with the key parsed once, for callers that sign many tokens (reading the PEM costs
// several times the signature). Copies share the key; Sign is thread-safe.
class TokenSigner {
 public:
  static absl::StatusOr<TokenSigner> Create(std::string_view private_key_pem,
                                            std::string_view kid);
  absl::StatusOr<std::string> Sign(const TokenClaims& claims) const;

 private:
  struct Key;
  explicit TokenSigner(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};
// The JWKS JSON (public part) of a PEM private key, with the given kid.
absl::StatusOr<std::string> JwksFromPrivateKey(std::string_view private_key_pem,
                                               std::string_view kid);

}  // namespace integration::auth
