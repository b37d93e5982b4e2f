// The checks every service's spec test makes (services/<stem>/test/<stem>_spec_service_test.cc,
// written by scripts/new-service): the ServiceSpec names the service as services.tsv does, --help
// names its binary and environment variables, and a server started by the harness migrated its
// schema and serves its gRPC service. One implementation, so the services' tests cannot drift.
#pragma once

#include <string>

#include "integration/service/service.h"
#include "integration/testing/service_harness.h"

namespace integration::testing {

// What services.tsv and the proto say of a service.
struct SpecIdentity {
  std::string name;        // the stem, e.g. "early_measures"
  std::string binary;      // e.g. "early-measures-server"
  int grpc_port = 0;       // local default ports
  int admin_port = 0;
  std::string env_prefix;  // e.g. "EARLY_MEASURES"
};

// Name, binary, default ports, and 0001_init as the first embedded migration.
void ExpectSpecIdentity(const service::ServiceSpec& spec, const SpecIdentity& want);
// `--help` exits 0 and names the binary and `<env_prefix>_PG_DSN`.
void ExpectHelpNamesBinaryAndVariables(const service::ServiceSpec& spec, const SpecIdentity& want);
// Every migration of the spec is recorded as applied (plus the runtime's 0000_runtime), the schema
// carries `schema_comment`, and `grpc_service` (full name) reports SERVING.
void ExpectMigratedAndServing(ServiceHarness& harness, const service::ServiceSpec& spec,
                              const std::string& schema, const std::string& schema_comment,
                              const std::string& grpc_service);

}  // namespace integration::testing
