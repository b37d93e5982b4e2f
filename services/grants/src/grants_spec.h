// The grants service as the service runtime runs it: its ServiceSpec (settings, embedded SQL,
// factory), shared by main.cc and the in-process service and integration tests.
#pragma once

#include <functional>
#include <span>

#include "absl/time/time.h"
#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::grants {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> GrantsMigrations();
std::span<const pg::SqlFile> GrantsQueries();

struct GrantsSpecOptions {
  // The service's "now" (GrantsDeps::clock); empty: absl::Now. Tests move time with it.
  std::function<absl::Time()> clock;
};

// Name "grants", binary "grants-server", ports 50051/9051, the embedded migrations and queries,
// and the settings of the service besides the runtime's:
//   --diarium-registry   the 3-digit registry prefix of the diarienummer it assigns
//                        (0-999, default 851); env GRANTS_DIARIUM_REGISTRY
// A registry outside 0-999 is refused at start-up naming the setting; the factory refuses to
// start when the Europe/Stockholm time zone cannot be loaded (calls and reports use Swedish
// dates).
service::ServiceSpec GrantsSpec(GrantsSpecOptions options = {});

}  // namespace integration::grants
