// The service the service runtime's tests run: EchoService backed by a test table, the outbox
// and the audit trail, described by a ServiceSpec like a real service's main.cc would.
#pragma once

#include <span>
#include <string>

#include "integration/pg/sql_file.h"
#include "integration/service/service.h"

namespace integration::service::testing {

// Embedded at build time from common/test/service/sql/{migrations,queries}.
std::span<const pg::SqlFile> TestMigrations();
std::span<const pg::SqlFile> TestQueries();

// The outbox event type of one echoed message; its aggregate is "echoes/<id>" and its payload
// the serialized EchoRequest.
inline constexpr char kEchoedEvent[] = "echo.Echoed";

// A service stem `name` serving lansstyrelsen.integration.echo.v1.EchoService. Echo inserts
// the message into table echoes (prepared statement insert_echo), enqueues a kEchoedEvent and
// writes an audit row (action "Echo") in one transaction, nudges the relay, and answers with
// the message prefixed by the --echo-prefix setting (registered through register_flags).
// Ports default to 50099/9099.
ServiceSpec EchoSpec(std::string name);

}  // namespace integration::service::testing
