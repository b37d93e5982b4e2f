// Mapping of libpqxx 6 exceptions to statuses, in one place for the pool and the tools.
#include "errors.h"

#include <exception>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "integration/status/status.h"

namespace integration::pg::internal {
namespace {

// The constraint named in a unique-violation message: the first double-quoted word
// ('duplicate key value violates unique constraint "courses_code_key"'). libpqxx 6 does not
// expose the error fields of the result, and server messages may be translated, but the
// translations keep the quoted constraint name.
std::string ConstraintName(std::string_view message) {
  size_t open = message.find('"');
  if (open == std::string_view::npos) return "";
  size_t close = message.find('"', open + 1);
  if (close == std::string_view::npos) return "";
  return std::string(message.substr(open + 1, close - open - 1));
}

absl::Status Unavailable() { return status::Unavailable("PG_UNAVAILABLE", "database unavailable"); }

// libpqxx 6.4 drops the SQLSTATE of some errors it gives a class of their own.
std::string SqlState(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) return e.sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr) return "42501";
  return "";
}

Failure FromSqlError(const pqxx::sql_error& e) {
  const std::string state = SqlState(e);
  const std::string first = FirstLine(e.what());
  if (state == "57014") {
    return {FailureKind::kFinal,
            absl::DeadlineExceededError(
                "the database statement was cancelled because the deadline passed")};
  }
  // Class 08 (connection exception) and the shutdown states 57P01-57P03 end the session.
  if (absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03") {
    return {FailureKind::kBroken, Unavailable()};
  }
  if (state == "40001") {
    return {FailureKind::kRetryable,
            status::Aborted("PG_SERIALIZATION_FAILURE",
                            "the transaction conflicted with concurrent transactions")};
  }
  if (state == "40P01") {
    return {FailureKind::kRetryable,
            status::Aborted("PG_DEADLOCK", "the transaction deadlocked with another")};
  }
  if (state == "23505") {
    status::Metadata metadata;
    if (std::string constraint = ConstraintName(first); !constraint.empty()) {
      metadata["constraint"] = constraint;
    }
    return {FailureKind::kFinal,
            status::AlreadyExists("UNIQUE_VIOLATION", "a row with the same unique key exists",
                                  std::move(metadata))};
  }
  return {FailureKind::kFinal, status::Internal(absl::StrCat(
                                   "postgres error ", state.empty() ? "?" : state, ": ", first))};
}

}  // namespace

std::string FirstLine(std::string_view message) {
  message = message.substr(0, message.find('\n'));
  return std::string(absl::StripAsciiWhitespace(absl::string_view(message.data(), message.size())));
}

Failure ClassifyCurrentException() {
  try {
    throw;
  } catch (const pqxx::in_doubt_error&) {
    return {FailureKind::kInDoubt,
            absl::UnknownError("the database connection was lost during COMMIT; the "
                               "transaction may or may not have been applied")};
  } catch (const pqxx::statement_completion_unknown&) {
    return {FailureKind::kInDoubt,
            absl::UnknownError("the database could not tell whether the statement completed")};
  } catch (const pqxx::serialization_failure&) {
    return {FailureKind::kRetryable,
            status::Aborted("PG_SERIALIZATION_FAILURE",
                            "the transaction conflicted with concurrent transactions")};
  } catch (const pqxx::deadlock_detected&) {
    return {FailureKind::kRetryable,
            status::Aborted("PG_DEADLOCK", "the transaction deadlocked with another")};
  } catch (const pqxx::transaction_rollback& e) {
    return {FailureKind::kFinal,
            status::Aborted(
                "PG_TRANSACTION_ROLLBACK",
                absl::StrCat("the database rolled the transaction back: ", FirstLine(e.what())))};
  } catch (const pqxx::broken_connection&) {
    return {FailureKind::kBroken, Unavailable()};
  } catch (const pqxx::sql_error& e) {
    return FromSqlError(e);
  } catch (const std::exception& e) {
    return {FailureKind::kFinal,
            status::Internal(absl::StrCat("database call failed: ", FirstLine(e.what())))};
  } catch (...) {
    return {FailureKind::kFinal, status::Internal("database call failed: unknown exception")};
  }
}

absl::Status CurrentExceptionWithContext(std::string_view context) {
  const absl::string_view context_view(context.data(), context.size());
  absl::Status classified = ClassifyCurrentException().status;
  std::string detail;
  try {
    throw;
  } catch (const std::exception& e) {
    detail = FirstLine(e.what());
  } catch (...) {
    detail = "unknown exception";
  }
  absl::Status out(classified.code(), absl::StrCat(context_view, ": ", detail));
  classified.ForEachPayload([&out](absl::string_view type_url, const absl::Cord& payload) {
    out.SetPayload(type_url, payload);
  });
  return out;
}

}  // namespace integration::pg::internal
