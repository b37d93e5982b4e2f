// Prepared statements of library code (audit, idempotency, outbox) that has no query file in
// the pool's list: prepared on a connection's first use, then bound and executed only.
#pragma once

#include <utility>

#include <pqxx/pqxx>

namespace integration::pg {

// Runs `sql` as the prepared statement `name` on the transaction's connection. The name must
// be unique in the process and always come with the same text; "integration_<concern>_…"
// keeps it apart from the services' query files. Registering an existing name with the same
// text is a map look-up, so the server parses and plans the statement once per connection
// instead of on every call. Throws what exec_prepared throws.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::work& tx, const char* name, const char* sql, Args&&... args) {
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace integration::pg
