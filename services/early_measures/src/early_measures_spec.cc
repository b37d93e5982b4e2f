// The ServiceSpec of the early_measures service: the factory that builds EarlyMeasuresServiceImpl
// and registers it with the runtime.
#include "early_measures_spec.h"

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "early_measures_service.h"

namespace integration::early_measures {

service::ServiceSpec EarlyMeasuresSpec() {
  service::ServiceSpec spec;
  spec.name = "early_measures";
  spec.binary = "early-measures-server";
  spec.description = "The early_measures service (no RPCs yet).";
  spec.default_grpc_port = 50054;
  spec.default_admin_port = 9054;
  spec.migrations = EarlyMeasuresMigrations();
  spec.queries = EarlyMeasuresQueries();
  spec.factory = [](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<EarlyMeasuresServiceImpl*> added = handle->AddService<v1::EarlyMeasuresService>(
        deps.runtime, std::make_unique<EarlyMeasuresServiceImpl>(EarlyMeasuresDeps{
                          .pool = deps.pool,
                          .runtime = deps.runtime,
                          .nudge_outbox = deps.nudge_outbox,
                      }));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::early_measures
