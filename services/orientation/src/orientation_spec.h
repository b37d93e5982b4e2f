// The orientation service as the service runtime runs it: its ServiceSpec (settings, embedded
// SQL, factory), shared by main.cc and the in-process service, integration and e2e tests.
#pragma once

#include <functional>
#include <span>

#include "absl/time/time.h"
#include "integration/pg/sql_file.h"
#include "integration/se/pnr_protector.h"
#include "integration/service/service.h"

namespace integration::orientation {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> OrientationMigrations();
std::span<const pg::SqlFile> OrientationQueries();

// Settings of the orientation service (environment ORIENTATION_<NAME>): the suite's
// personal-number key files (se::kPnrEncryptionKeyFileFlag, se::kPnrHmacKeyFileFlag), and:
// the pension reference ages by year ("2023:66,2026:67"),
inline constexpr char kPensionReferenceAgesFlag[] = "pension-reference-ages";
// the follow-up's start window in days after the registration (default 90),
inline constexpr char kStartWindowDaysFlag[] = "start-window-days";
// the PEM file of the Ed25519 key certificates of completion are signed with (required).
inline constexpr char kCertificateKeyFileFlag[] = "certificate-signing-key-file";

struct OrientationSpecOptions {
  // The service's "now" instead of the real time (tests).
  std::function<absl::Time()> clock;
};

// Name "orientation", binary "orientation-server", ports 50053/9053 (services.tsv), the embedded
// migrations and queries, the settings above, and a factory that registers
// OrientationServiceImpl.
service::ServiceSpec OrientationSpec(OrientationSpecOptions options = {});

}  // namespace integration::orientation
