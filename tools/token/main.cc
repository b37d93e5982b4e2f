// integration-token: signs a development bearer token, or prints the JWKS of the signing key.
//   integration-token --key-file K --kid KID --issuer I --audience A --role R [claims] [--ttl 8h]
//   integration-token jwks --key-file K --kid KID
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/auth/auth.h"
#include "integration/auth/tenancy.h"
#include "integration/config/flags.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

using integration::auth::Role;

// "county_officer, county_admin, …": every role, in the words of tenancy.h.
std::string RoleList() {
  std::vector<std::string> names;
  for (Role role : integration::auth::kAllRoles) {
    names.emplace_back(integration::auth::RoleName(role));
  }
  return absl::StrJoin(names, ", ");
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "integration-token: %s\n", message.c_str());
  return code;
}

bool AllDigits(const std::string& s, size_t length) {
  return s.size() == length &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return absl::ascii_isdigit(c); });
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return !in.bad();
}

// Which claim each role must carry and which it must not, so that a dev token looks like one
// the identity provider would issue (DOMAIN.md, Actors).
struct RoleClaims {
  bool lan = false, kommun = false, orgnr = false, agency = false, sub = false;
};
RoleClaims RequiredClaims(Role role) {
  RoleClaims r;
  switch (role) {
    case Role::kCountyOfficer:
    case Role::kCountyAdmin:
      r.lan = true;
      break;
    case Role::kMunicipalityOfficer:
      r.kommun = true;
      break;
    case Role::kOrganisationRep:
      r.orgnr = true;
      break;
    case Role::kAgencySystem:
      r.agency = true;
      break;
    case Role::kLearner:
      r.sub = true;
      break;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  integration::config::Flags flags(
      "integration-token", "INTEGRATION_TOKEN",
      "Signs a development bearer token with a PEM private key (Ed25519 -> EdDSA, P-256 -> "
      "ES256), or with the sub-command `jwks` prints the public JWKS of that key. Local use only.");
  std::string* key_file =
      flags.String("key-file", "", "PEM private key (Ed25519 or EC P-256)", true);
  std::string* kid =
      flags.String("kid", "", "key id written to the token header and the JWKS", true);
  std::string* issuer = flags.String("issuer", "", "iss claim (token only)");
  std::string* audience = flags.String("audience", "", "aud claim (token only)");
  std::string* role = flags.String("role", "", "role claim: one of " + RoleList());
  std::string* sub = flags.String("sub", "", "subject; required for learner, default dev-<role>");
  std::string* lan = flags.String("lan", "", "länskod, two digits (county roles)");
  std::string* kommun = flags.String("kommun", "", "kommunkod, four digits (municipality_officer)");
  std::string* orgnr =
      flags.String("orgnr", "", "organisationsnummer, ten digits (organisation_rep)");
  std::string* agency =
      flags.String("agency", "", "agency name, e.g. migrationsverket (agency_system)");
  std::string* scope = flags.String("scope", "", "space-separated scopes");
  std::chrono::milliseconds* ttl =
      flags.Duration("ttl", std::chrono::hours(8), "lifetime of the token, e.g. 30m or 8h");

  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (positional.size() > 1 || (positional.size() == 1 && positional[0] != "jwks")) {
    return Fail(kExitUsage, "unknown arguments; the only sub-command is `jwks`");
  }
  if (kid->empty()) return Fail(kExitUsage, "--kid must not be empty");
  std::string pem;
  if (!ReadFile(*key_file, &pem)) {
    return Fail(kExitUsage, "cannot read --key-file " + *key_file);
  }

  if (!positional.empty()) {
    absl::StatusOr<std::string> jwks = integration::auth::JwksFromPrivateKey(pem, *kid);
    if (!jwks.ok()) return Fail(kExitUsage, "--key-file: " + std::string(jwks.status().message()));
    std::printf("%s\n", jwks->c_str());
    return 0;
  }

  if (issuer->empty()) return Fail(kExitUsage, "--issuer is required");
  if (audience->empty()) return Fail(kExitUsage, "--audience is required");
  const std::optional<Role> parsed_role = integration::auth::ParseRole(*role);
  if (!parsed_role) {
    return Fail(kExitUsage, "--role \"" + *role + "\" is not one of " + RoleList());
  }
  if (!lan->empty() && !AllDigits(*lan, 2)) {
    return Fail(kExitUsage, "--lan \"" + *lan + "\" is not a two-digit länskod, e.g. 12");
  }
  if (!kommun->empty() && !AllDigits(*kommun, 4)) {
    return Fail(kExitUsage,
                "--kommun \"" + *kommun + "\" is not a four-digit kommunkod, e.g. 0180");
  }
  if (!orgnr->empty() && !AllDigits(*orgnr, 10)) {
    return Fail(kExitUsage, "--orgnr \"" + *orgnr +
                                "\" is not a ten-digit organisationsnummer, e.g. 8024567890");
  }
  const RoleClaims need = RequiredClaims(*parsed_role);
  const struct {
    const char* flag;
    const std::string* value;
    bool needed;
  } claims[] = {{"--lan", lan, need.lan},
                {"--kommun", kommun, need.kommun},
                {"--orgnr", orgnr, need.orgnr},
                {"--agency", agency, need.agency}};
  for (const auto& claim : claims) {
    if (claim.needed && claim.value->empty()) {
      return Fail(kExitUsage, std::string(claim.flag) + " is required for role " + *role);
    }
    if (!claim.needed && !claim.value->empty()) {
      return Fail(kExitUsage, std::string(claim.flag) + " does not apply to role " + *role);
    }
  }
  if (need.sub && sub->empty()) return Fail(kExitUsage, "--sub is required for role " + *role);
  if (ttl->count() <= 0) return Fail(kExitUsage, "--ttl must be positive");

  integration::auth::TokenClaims token_claims;
  token_claims.issuer = *issuer;
  token_claims.audience = *audience;
  token_claims.role = *role;
  token_claims.subject = sub->empty() ? "dev-" + *role : *sub;
  token_claims.lan = *lan;
  token_claims.kommun = *kommun;
  token_claims.orgnr = *orgnr;
  token_claims.agency = *agency;
  token_claims.scopes = absl::StrSplit(*scope, ' ', absl::SkipEmpty());
  const auto now = std::chrono::system_clock::now();
  token_claims.not_before = now;
  token_claims.expires_at = now + *ttl;

  absl::StatusOr<std::string> token = integration::auth::SignToken(token_claims, pem, *kid);
  if (!token.ok()) {
    const bool bad_key = token.status().code() == absl::StatusCode::kInvalidArgument;
    return Fail(bad_key ? kExitUsage : kExitFailure, std::string(token.status().message()));
  }
  std::printf("%s\n", token->c_str());
  return 0;
}
