// The ServiceSpec of the grants service: its settings and the factory that builds
// GrantsServiceImpl, with the early_measures client of TIA report figures when configured.
#include "grants_spec.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "grants_service.h"
#include "integration/config/flags.h"
#include "integration/grpc/upstream.h"
#include "integration/grpc/upstream_flags.h"
#include "integration/log/log.h"

namespace integration::grants {
namespace {

constexpr char kRegistryFlag[] = "diarium-registry";
constexpr int kDefaultRegistry = 851;
constexpr char kFiguresProgrammesFlag[] = "participant-figures-programmes";

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  int64_t* registry = nullptr;
  std::string* figures_programmes = nullptr;
  std::unique_ptr<grpc::UpstreamFlags> early_measures;
  std::unique_ptr<grpc::ServiceTokenFlags> token;
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
    settings->figures_programmes = flags.String(
        kFiguresProgrammesFlag, "tia",
        "programmes (comma-separated ids) whose organisations' reports take their participant "
        "figures from early_measures, when --early-measures-addr is set");
    // --early-measures-addr (empty: figures are typed), --early-measures-timeout, ... and the
    // service's own token (--service-token-*), needed with it.
    settings->early_measures =
        std::make_unique<grpc::UpstreamFlags>(flags, "early-measures", "early_measures");
    settings->token = std::make_unique<grpc::ServiceTokenFlags>(flags);
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
    if (settings->early_measures->configured()) {
      absl::StatusOr<std::shared_ptr<auth::ServiceTokenSource>> token =
          settings->token->Source(deps.spec.name, {std::string(kFiguresScope)});
      if (!token.ok()) return token.status();
      absl::StatusOr<grpc::UpstreamOptions> upstream =
          settings->early_measures->Options("early_measures");
      if (!upstream.ok()) return upstream.status();
      // A read: retried on UNAVAILABLE.
      upstream->channel.retry_methods = {
          "lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService/"
          "GetParticipantFigures"};
      upstream->unavailable_reason = std::string(kReasonFiguresUnavailable);
      upstream->token = [source = *token] { return source->Token(); };
      upstream->metrics = deps.runtime.metrics();
      absl::StatusOr<std::unique_ptr<grpc::Upstream>> client =
          grpc::Upstream::Create(*std::move(upstream));
      if (!client.ok()) return client.status();
      grants_deps.figures = std::make_shared<FiguresClient>(*std::move(client));
      for (absl::string_view id : absl::StrSplit(*settings->figures_programmes, ',',
                                                 absl::SkipWhitespace())) {
        grants_deps.figures_programmes.insert(std::string(id));
      }
    }
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
