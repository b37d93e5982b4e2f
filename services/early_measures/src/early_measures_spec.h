// The early measures service as the service runtime runs it: its ServiceSpec (settings,
// embedded SQL, factory), shared by main.cc and the in-process service, integration and e2e
// tests.
#pragma once

#include <functional>
#include <span>

#include "absl/time/time.h"
#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::early_measures {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> EarlyMeasuresMigrations();
std::span<const pg::SqlFile> EarlyMeasuresQueries();

// Settings of the service (environment EARLY_MEASURES_<NAME>).
// The suite's look-up key of personal numbers, which hashes LMA numbers.
inline constexpr char kPnrHmacKeyFileFlag[] = "pnr-hmac-key-file";
// Grants (grpc::UpstreamFlags): where, how long a call may take, when the circuit opens and
// for how long, its CA.
inline constexpr char kGrantsAddrFlag[] = "grants-addr";
inline constexpr char kGrantsTimeoutFlag[] = "grants-timeout";
inline constexpr char kGrantsCircuitFailuresFlag[] = "grants-circuit-failures";
inline constexpr char kGrantsCircuitOpenFlag[] = "grants-circuit-open";
// The TIA programme in grants.
inline constexpr char kTiaProgrammeFlag[] = "tia-programme";
// The service's own identity towards grants (grpc::ServiceTokenFlags): a key of the suite's
// JWKS, its kid, and the suite's issuer and audience.
inline constexpr char kServiceTokenKeyFileFlag[] = "service-token-key-file";
inline constexpr char kServiceTokenKidFlag[] = "service-token-kid";
inline constexpr char kServiceTokenIssuerFlag[] = "service-token-issuer";
inline constexpr char kServiceTokenAudienceFlag[] = "service-token-audience";

struct EarlyMeasuresSpecOptions {
  // The service's "now" instead of the real time (tests).
  std::function<absl::Time()> clock;
};

// Name "early_measures", binary "early-measures-server", ports 50054/9054 (services.tsv), the
// embedded migrations and queries, the settings above, and a factory that registers
// EarlyMeasuresServiceImpl with its grants client.
service::ServiceSpec EarlyMeasuresSpec(EarlyMeasuresSpecOptions options = {});

}  // namespace integration::early_measures
