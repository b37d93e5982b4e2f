// The training service as the service runtime runs it: its ServiceSpec (settings, embedded SQL,
// factory), shared by main.cc and the in-process service and integration tests.
#pragma once

#include <functional>
#include <span>

#include "absl/time/time.h"
#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::training {

// Embedded at build time from sql/migrations and sql/queries (integration_embed_sql).
std::span<const pg::SqlFile> TrainingMigrations();
std::span<const pg::SqlFile> TrainingQueries();

struct TrainingSpecOptions {
  // The service's "now" (TrainingDeps::clock); empty: absl::Now. Tests move time with it.
  std::function<absl::Time()> clock;
};

// Name "training", binary "training-server", ports 50055/9055, the embedded migrations and
// queries, and the settings of the service besides the runtime's:
//   --diploma-signing-key-file          PKCS#8 PEM Ed25519 private key (required to serve;
//                                       `migrate` does not need it)
//   --diploma-previous-public-keys-file PEM public keys ("-----BEGIN PUBLIC KEY-----" blocks)
//                                       of earlier signing keys, still published (optional)
//   --diploma-verify-url                where a diploma's code can be checked, printed on PDFs
// Each also from the environment (TRAINING_DIPLOMA_SIGNING_KEY_FILE, …). The factory loads the
// keys and refuses to start, naming the setting, when a key file is missing or invalid.
service::ServiceSpec TrainingSpec(TrainingSpecOptions options = {});

}  // namespace integration::training
