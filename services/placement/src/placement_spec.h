// The placement service as the service runtime runs it: its ServiceSpec (settings, embedded
// SQL, factory), shared by main.cc and the in-process service, integration and e2e tests.
#pragma once

#include <functional>
#include <span>

#include "absl/time/time.h"
#include "integration/pg/sql_file.h"
#include "integration/se/pnr_protector.h"
#include "integration/service/service.h"

namespace integration::placement {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> PlacementMigrations();
std::span<const pg::SqlFile> PlacementQueries();

// Settings of the placement service (environment PLACEMENT_<NAME>): the files holding the
// suite's personal-number keys, which encrypt and hash the children's dossier numbers.
using se::kPnrEncryptionKeyFileFlag;
using se::kPnrHmacKeyFileFlag;

struct PlacementSpecOptions {
  // The service's "now" instead of the real time (tests).
  std::function<absl::Time()> clock;
};

// Name "placement", binary "placement-server", ports 50052/9052 (services.tsv), the embedded
// migrations and queries, the settings above, and a factory that registers
// PlacementServiceImpl.
service::ServiceSpec PlacementSpec(PlacementSpecOptions options = {});

}  // namespace integration::placement
