// The ServiceSpec of the early_measures service: its settings, and the factory that builds
// EarlyMeasuresServiceImpl with the LMA-number hash and the grants client (the service's own
// token, deadline cap, circuit breaker, metrics per upstream).
#include "early_measures_spec.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "early_measures_service.h"
#include "funding_client.h"
#include "integration/config/flags.h"
#include "integration/config/secret_file.h"
#include "integration/crypto/random.h"
#include "integration/grpc/upstream.h"
#include "integration/grpc/upstream_flags.h"
#include "integration/se/pnr_protector.h"

namespace integration::early_measures {
namespace {

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  std::string* hmac_key_file = nullptr;
  std::string* tia_programme = nullptr;
  std::unique_ptr<grpc::UpstreamFlags> grants;
  std::unique_ptr<grpc::ServiceTokenFlags> token;
};

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
    settings->tia_programme = flags.String(kTiaProgrammeFlag, "programmes/tia",
                                           "the TIA programme in grants");
    // --grants-addr, --grants-timeout, --grants-circuit-failures, --grants-circuit-open,
    // --grants-tls-ca-file and --service-token-* (required by serve).
    settings->grants = std::make_unique<grpc::UpstreamFlags>(flags, "grants", "grants");
    settings->token = std::make_unique<grpc::ServiceTokenFlags>(flags);
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    absl::StatusOr<std::string> hmac_key =
        config::ReadSettingFile(*settings->hmac_key_file, kPnrHmacKeyFileFlag);
    if (!hmac_key.ok()) return hmac_key.status();
    // LMA numbers are hashed, never encrypted: the protector's encryption key is a random one
    // that lives only in this process and is never used.
    absl::StatusOr<std::string> unused_key = crypto::RandomBytes(32);
    if (!unused_key.ok()) return unused_key.status();
    absl::StatusOr<se::PnrProtector> protector =
        se::PnrProtector::Create(absl::Base64Escape(*unused_key), *hmac_key);
    if (!protector.ok()) return protector.status();
    absl::StatusOr<std::shared_ptr<auth::ServiceTokenSource>> token_source =
        settings->token->Source(deps.spec.name, {std::string(kFundingScope)});
    if (!token_source.ok()) return token_source.status();
    absl::StatusOr<grpc::UpstreamOptions> upstream = settings->grants->Options("grants");
    if (!upstream.ok()) return upstream.status();
    // CheckFunding is a read: retried on UNAVAILABLE. Nothing else of grants is called.
    upstream->channel.retry_methods = {
        "lansstyrelsen.integration.grants.v1.GrantsService/CheckFunding"};
    upstream->unavailable_reason = std::string(kReasonFundingCheckUnavailable);
    upstream->token = [source = *token_source] { return source->Token(); };
    upstream->metrics = deps.runtime.metrics();
    absl::StatusOr<std::unique_ptr<grpc::Upstream>> grants =
        grpc::Upstream::Create(*std::move(upstream));
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
