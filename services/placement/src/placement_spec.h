// The placement service as the service runtime runs it: its ServiceSpec (embedded SQL, factory),
// shared by main.cc and the in-process service, integration and e2e tests.
#pragma once

#include <span>

#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::placement {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> PlacementMigrations();
std::span<const pg::SqlFile> PlacementQueries();

// Name "placement", binary "placement-server", ports 50052/9052 (services.tsv), the embedded
// migrations and queries, and a factory that registers PlacementServiceImpl. The service has no
// settings of its own yet: they are registered in register_flags and read in the factory.
service::ServiceSpec PlacementSpec();

}  // namespace integration::placement
