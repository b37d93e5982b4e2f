// The ServiceSpec of the placement service: the factory that builds PlacementServiceImpl and
// registers it with the runtime.
#include "placement_spec.h"

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "placement_service.h"

namespace integration::placement {

service::ServiceSpec PlacementSpec() {
  service::ServiceSpec spec;
  spec.name = "placement";
  spec.binary = "placement-server";
  spec.description = "The placement service (no RPCs yet).";
  spec.default_grpc_port = 50052;
  spec.default_admin_port = 9052;
  spec.migrations = PlacementMigrations();
  spec.queries = PlacementQueries();
  spec.factory = [](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<PlacementServiceImpl*> added = handle->AddService<v1::PlacementService>(
        deps.runtime, std::make_unique<PlacementServiceImpl>(PlacementDeps{
                          .pool = deps.pool,
                          .runtime = deps.runtime,
                          .nudge_outbox = deps.nudge_outbox,
                      }));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::placement
