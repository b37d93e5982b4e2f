// The ServiceSpec of the grants service: its settings and the factory that builds
// GrantsServiceImpl.
#include "grants_spec.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grants_service.h"
#include "integration/config/flags.h"
#include "integration/log/log.h"

namespace integration::grants {
namespace {

constexpr char kRegistryFlag[] = "diarium-registry";
constexpr int kDefaultRegistry = 851;

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  int64_t* registry = nullptr;
};

}  // namespace

service::ServiceSpec GrantsSpec(GrantsSpecOptions options) {
  auto settings = std::make_shared<Settings>();
  service::ServiceSpec spec;
  spec.name = "grants";
  spec.binary = "grants-server";
  spec.description =
      "Grants to municipalities and organisations: programmes, calls, applications, reviews, "
      "decisions within budget, payments, reports, reclaims and amendments.";
  spec.default_grpc_port = 50051;
  spec.default_admin_port = 9051;
  spec.migrations = GrantsMigrations();
  spec.queries = GrantsQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->registry = flags.Int(kRegistryFlag, kDefaultRegistry,
                                   "registry (diarium) prefix of the diarienummer the service "
                                   "assigns at submission, e.g. 851 in 851-12-2026",
                                   /*min_value=*/0, /*max_value=*/999);
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    // Flags::Int has checked the range 0-999.
    const int64_t registry = *settings->registry;
    absl::TimeZone stockholm;
    if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
      return absl::FailedPreconditionError(
          "the time zone Europe/Stockholm cannot be loaded (install tzdata)");
    }
    GrantsDeps grants_deps{
        .pool = deps.pool,
        .runtime = deps.runtime,
        .nudge_outbox = deps.nudge_outbox,
        .diarium_registry = static_cast<int>(registry),
    };
    if (clock) grants_deps.clock = clock;
    log::Info("grants_configured", {{"diarium_registry", registry}});

    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<GrantsServiceImpl*> added = handle->AddService<v1::GrantsService>(
        deps.runtime, std::make_unique<GrantsServiceImpl>(std::move(grants_deps)));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::grants
