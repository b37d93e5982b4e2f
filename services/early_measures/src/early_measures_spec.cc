// The ServiceSpec of the early_measures service: its settings, and the factory that builds
// EarlyMeasuresServiceImpl with the LMA-number hash and the grants client (the service's own
// token, deadline cap, circuit breaker, metrics per upstream).
#include "early_measures_spec.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "early_measures_service.h"
#include "funding_client.h"
#include "integration/auth/service_token.h"
#include "integration/config/flags.h"
#include "integration/crypto/random.h"
#include "integration/grpc/upstream.h"
#include "integration/se/pnr_protector.h"

namespace integration::early_measures {
namespace {

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  std::string* hmac_key_file = nullptr;
  std::string* grants_addr = nullptr;
  std::chrono::milliseconds* grants_timeout = nullptr;
  int64_t* circuit_failures = nullptr;
  std::chrono::milliseconds* circuit_open = nullptr;
  std::string* grants_ca_file = nullptr;
  std::string* tia_programme = nullptr;
  std::string* token_key_file = nullptr;
  std::string* token_kid = nullptr;
  std::string* token_issuer = nullptr;
  std::string* token_audience = nullptr;
};

// A setting `serve` needs (`migrate` does not, so the flag parser cannot require it).
absl::Status Required(const std::string& value, std::string_view flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("--", std::string(flag), " is required to serve"));
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path, std::string_view flag) {
  if (absl::Status st = Required(path, flag); !st.ok()) return st;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", std::string(flag), ": cannot read \"", path, "\""));
  }
  return text.str();
}

}  // namespace

service::ServiceSpec EarlyMeasuresSpec(EarlyMeasuresSpecOptions options) {
  auto settings = std::make_shared<Settings>();
  service::ServiceSpec spec;
  spec.name = "early_measures";
  spec.binary = "early-measures-server";
  spec.description =
      "Early measures for asylum seekers (TIA): activities backed by an approved grant "
      "(checked with grants), pseudonymised participants, attendance and follow-up.";
  spec.default_grpc_port = 50054;
  spec.default_admin_port = 9054;
  spec.migrations = EarlyMeasuresMigrations();
  spec.queries = EarlyMeasuresQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->hmac_key_file = flags.String(
        kPnrHmacKeyFileFlag, "",
        "file with the suite's HMAC-SHA256 look-up key (64 hex digits or base64) that hashes "
        "LMA numbers (required by serve)");
    settings->grants_addr =
        flags.String(kGrantsAddrFlag, "", "host:port of grants (required by serve)");
    settings->grants_timeout = flags.Duration(
        kGrantsTimeoutFlag, std::chrono::seconds(2),
        "longest a funding check may take (a caller's earlier deadline wins)");
    settings->circuit_failures =
        flags.Int(kGrantsCircuitFailuresFlag, 5,
                  "consecutive failures of grants that open the circuit", 1, 1000);
    settings->circuit_open = flags.Duration(
        kGrantsCircuitOpenFlag, std::chrono::seconds(5),
        "how long an open circuit answers FUNDING_CHECK_UNAVAILABLE before it probes grants");
    settings->grants_ca_file = flags.String(
        kGrantsTlsCaFileFlag, "", "CA file of grants' certificate; empty: plaintext (loopback)");
    settings->tia_programme = flags.String(kTiaProgrammeFlag, "programmes/tia",
                                           "the TIA programme in grants");
    settings->token_key_file = flags.String(
        kServiceTokenKeyFileFlag, "",
        "PEM private key whose public key is in the suite's JWKS; signs the service's own "
        "token for grants (required by serve)");
    settings->token_kid =
        flags.String(kServiceTokenKidFlag, "", "its key id in the JWKS (required by serve)");
    settings->token_issuer = flags.String(kServiceTokenIssuerFlag, "",
                                          "the suite's token issuer (required by serve)");
    settings->token_audience = flags.String(kServiceTokenAudienceFlag, "",
                                            "the suite's token audience (required by serve)");
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    absl::StatusOr<std::string> hmac_key =
        ReadKeyFile(*settings->hmac_key_file, kPnrHmacKeyFileFlag);
    if (!hmac_key.ok()) return hmac_key.status();
    // LMA numbers are hashed, never encrypted: the protector's encryption key is a random one
    // that lives only in this process and is never used.
    absl::StatusOr<std::string> unused_key = crypto::RandomBytes(32);
    if (!unused_key.ok()) return unused_key.status();
    absl::StatusOr<se::PnrProtector> protector =
        se::PnrProtector::Create(absl::Base64Escape(*unused_key), *hmac_key);
    if (!protector.ok()) return protector.status();
    for (const auto& [value, flag] :
         {std::pair{settings->grants_addr, kGrantsAddrFlag},
          std::pair{settings->token_key_file, kServiceTokenKeyFileFlag},
          std::pair{settings->token_kid, kServiceTokenKidFlag},
          std::pair{settings->token_issuer, kServiceTokenIssuerFlag},
          std::pair{settings->token_audience, kServiceTokenAudienceFlag}}) {
      if (absl::Status st = Required(*value, flag); !st.ok()) return st;
    }
    auth::ServiceTokenOptions token_options;
    token_options.key_file = *settings->token_key_file;
    token_options.kid = *settings->token_kid;
    token_options.issuer = *settings->token_issuer;
    token_options.audience = *settings->token_audience;
    token_options.service = deps.spec.name;
    token_options.scopes = {std::string(kFundingScope)};
    absl::StatusOr<std::unique_ptr<auth::ServiceTokenSource>> tokens =
        auth::ServiceTokenSource::Create(std::move(token_options));
    if (!tokens.ok()) return tokens.status();
    std::shared_ptr<auth::ServiceTokenSource> token_source = *std::move(tokens);

    grpc::UpstreamOptions upstream;
    upstream.name = "grants";
    upstream.target = *settings->grants_addr;
    // CheckFunding is a read: retried on UNAVAILABLE. Nothing else of grants is called.
    upstream.channel.retry_methods = {
        "lansstyrelsen.integration.grants.v1.GrantsService/CheckFunding"};
    if (!settings->grants_ca_file->empty()) {
      upstream.channel.tls.enabled = true;
      upstream.channel.tls.ca_file = *settings->grants_ca_file;
    }
    upstream.timeout = *settings->grants_timeout;
    upstream.breaker.failure_threshold = static_cast<int>(*settings->circuit_failures);
    upstream.breaker.open_for = absl::FromChrono(*settings->circuit_open);
    upstream.unavailable_reason = std::string(kReasonFundingCheckUnavailable);
    upstream.token = [token_source] { return token_source->Token(); };
    upstream.metrics = deps.runtime.metrics();
    absl::StatusOr<std::unique_ptr<grpc::Upstream>> grants =
        grpc::Upstream::Create(std::move(upstream));
    if (!grants.ok()) return grants.status();

    absl::TimeZone stockholm;
    if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
      return absl::FailedPreconditionError(
          "the time zone Europe/Stockholm cannot be loaded (install tzdata)");
    }
    EarlyMeasuresDeps service_deps{
        .pool = deps.pool,
        .runtime = deps.runtime,
        .nudge_outbox = deps.nudge_outbox,
        .protector = std::make_shared<const se::PnrProtector>(*std::move(protector)),
        .funding = std::make_shared<FundingClient>(*std::move(grants), *settings->tia_programme),
        .zone = stockholm,
    };
    if (clock) service_deps.clock = clock;

    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<EarlyMeasuresServiceImpl*> added = handle->AddService<v1::EarlyMeasuresService>(
        deps.runtime, std::make_unique<EarlyMeasuresServiceImpl>(std::move(service_deps)));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::early_measures
