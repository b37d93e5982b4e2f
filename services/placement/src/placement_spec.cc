// The ServiceSpec of the placement service: its settings and the factory that builds
// PlacementServiceImpl with the dossier-number protector.
#include "placement_spec.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "integration/config/flags.h"
#include "integration/config/secret_file.h"
#include "integration/se/pnr_protector.h"
#include "placement_service.h"
#include "settlement_overdue.h"

namespace integration::placement {
namespace {

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  std::string* encryption_key_file = nullptr;
  std::string* hmac_key_file = nullptr;
  std::chrono::milliseconds* overdue_check_interval = nullptr;
};

}  // namespace

service::ServiceSpec PlacementSpec(PlacementSpecOptions options) {
  auto settings = std::make_shared<Settings>();
  service::ServiceSpec spec;
  spec.name = "placement";
  spec.binary = "placement-server";
  spec.description =
      "Unaccompanied children: allocation keys, arrivals reported by Migrationsverket and "
      "their assignment to kommuner; settlement quotas of newly arrived and their reception.";
  spec.default_grpc_port = 50052;
  spec.default_admin_port = 9052;
  spec.migrations = PlacementMigrations();
  spec.queries = PlacementQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->encryption_key_file =
        flags.String(kPnrEncryptionKeyFileFlag, "",
                     "file with the AES-256 key (64 hex digits or base64) that encrypts dossier "
                     "numbers (required by serve)");
    settings->hmac_key_file = flags.String(
        kPnrHmacKeyFileFlag, "",
        "file with the HMAC-SHA256 key (64 hex digits or base64) of the dossier-number look-up "
        "(required by serve)");
    settings->overdue_check_interval = flags.Duration(
        "settlement-overdue-check-interval", std::chrono::minutes(1),
        "how often the check raising SettlementOverdueEvent runs (every replica runs it; a "
        "PostgreSQL advisory lock lets one at a time do the work); 0 turns it off");
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    absl::StatusOr<se::PnrProtector> protector =
        se::PnrProtector::FromKeyFiles(*settings->encryption_key_file, *settings->hmac_key_file);
    if (!protector.ok()) return protector.status();
    absl::TimeZone stockholm;
    if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
      return absl::FailedPreconditionError(
          "the time zone Europe/Stockholm cannot be loaded (install tzdata)");
    }
    PlacementDeps placement_deps{
        .pool = deps.pool,
        .runtime = deps.runtime,
        .nudge_outbox = deps.nudge_outbox,
        .protector = std::make_shared<const se::PnrProtector>(*std::move(protector)),
        .zone = stockholm,
    };
    if (clock) placement_deps.clock = clock;

    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<PlacementServiceImpl*> added = handle->AddService<v1::PlacementService>(
        deps.runtime, std::make_unique<PlacementServiceImpl>(std::move(placement_deps)));
    if (!added.ok()) return added.status();
    if (settings->overdue_check_interval->count() > 0) {
      SettlementOverdueCheck* check = handle->Keep(std::make_unique<SettlementOverdueCheck>(
          deps.pool, OverdueCheckOptions{
                         .zone = stockholm,
                         .clock = clock ? clock : std::function<absl::Time()>(absl::Now),
                         .nudge_outbox = deps.nudge_outbox,
                         .interval = absl::FromChrono(*settings->overdue_check_interval),
                     }));
      check->Start();
    }
    return handle;
  };
  return spec;
}

}  // namespace integration::placement
