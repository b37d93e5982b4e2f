// The early_measures service as the service runtime runs it: its ServiceSpec (embedded SQL,
// factory), shared by main.cc and the in-process service, integration and e2e tests.
#pragma once

#include <span>

#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::early_measures {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> EarlyMeasuresMigrations();
std::span<const pg::SqlFile> EarlyMeasuresQueries();

// Name "early_measures", binary "early-measures-server", ports 50054/9054 (services.tsv), the
// embedded migrations and queries, and a factory that registers EarlyMeasuresServiceImpl. The
// service has no settings of its own yet: they are registered in register_flags and read in the
// factory.
service::ServiceSpec EarlyMeasuresSpec();

}  // namespace integration::early_measures
