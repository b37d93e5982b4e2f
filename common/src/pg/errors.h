// Internal to integration_pg: turns the libpqxx exception being handled into an absl::Status
// and tells the pool whether the connection is gone or the transaction may be retried.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace integration::pg::internal {

enum class FailureKind {
  kFinal,      // report the status as it is
  kBroken,     // the connection is unusable: discard it; a retry on a new one may succeed
  kRetryable,  // serialization failure or deadlock: retrying the transaction may succeed
  kInDoubt,    // lost during COMMIT: must not be retried, the outcome is unknown
};

struct Failure {
  FailureKind kind = FailureKind::kFinal;
  absl::Status status;
};

// Call only inside a catch block: classifies the exception currently being handled.
Failure ClassifyCurrentException();

// For operator tools (migrations, bootstrap): like ClassifyCurrentException's status (same
// code and payloads) but the message is "<context>: <first line of the exception message>",
// e.g. libpq's reason for a failed connection. Call only inside a catch block.
absl::Status CurrentExceptionWithContext(std::string_view context);

// The first line of a PostgreSQL error ("ERROR:  …"), without the DETAIL line, which may
// carry row values (personal data) and so must not reach logs or callers.
std::string FirstLine(std::string_view message);

}  // namespace integration::pg::internal
