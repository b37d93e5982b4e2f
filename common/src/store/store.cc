// Audit trail and request-id idempotency records inside the caller's transaction.
#include "integration/store/store.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "integration/pg/prepared.h"
#include "integration/status/status.h"
#include "integration/text/uuid.h"

namespace integration::store {
namespace {

constexpr char kRuntimeTablesSql[] = R"sql(
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  resource    text NOT NULL,
  request_id  text NOT NULL DEFAULT '',
  trace_id    text NOT NULL DEFAULT '',
  detail      text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_resource_idx ON audit_log (resource, id);

CREATE TABLE request_ids (
  scope       text NOT NULL,
  request_id  uuid NOT NULL,
  fingerprint bytea NOT NULL,
  response    bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, request_id)
);
CREATE INDEX request_ids_created_at_idx ON request_ids (created_at);
)sql";

// Deterministic serialization so equal requests give equal fingerprints.
std::string Deterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string Fingerprint(const google::protobuf::Message& request, std::string_view field_name) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName(std::string(field_name))) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  return Sha256(Deterministic(*copy));
}

}  // namespace

std::string_view RuntimeTablesSql() { return {kRuntimeTablesSql, sizeof(kRuntimeTablesSql) - 1}; }

void Audit(pqxx::work& tx, const AuditEntry& e) {
  pg::ExecPrepared(
      tx, "integration_store_audit",
      "INSERT INTO audit_log (actor, role, action, resource, request_id, trace_id, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      e.actor, e.role, e.action, e.resource, e.request_id, e.trace_id, e.detail);
}

bool IsValidRequestId(std::string_view id) { return text::IsCanonicalUuid(id); }

absl::Status CheckRequestId(std::string_view request_id, std::string_view request_id_field) {
  if (IsValidRequestId(request_id)) return absl::OkStatus();
  return status::Error(absl::StatusCode::kInvalidArgument, "INVALID_REQUEST_ID",
                       "request_id must be a UUID such as 123e4567-e89b-12d3-a456-426614174000", {},
                       {{std::string(request_id_field), "must be a UUID"}});
}

std::string RequestFingerprint(const google::protobuf::Message& request,
                               std::string_view request_id_field) {
  return Fingerprint(request, request_id_field);
}

std::string ResponseBytes(const google::protobuf::Message& response) {
  return Deterministic(response);
}

absl::StatusOr<std::optional<std::string>> RecordedResponse(pqxx::transaction_base& tx,
                                                            std::string_view scope,
                                                            std::string_view request_id,
                                                            std::string_view fingerprint) {
  constexpr char kName[] = "integration_store_request_get";
  tx.conn().prepare(
      kName,
      "SELECT fingerprint, response FROM request_ids WHERE scope = $1 AND request_id = $2::uuid");
  const pqxx::result rows = tx.exec_prepared(kName, std::string(scope), std::string(request_id));
  if (rows.empty()) return std::optional<std::string>();
  const pqxx::binarystring stored_fp(rows[0][0]);
  if (stored_fp.str() != fingerprint) {
    return status::AlreadyExists("REQUEST_ID_REUSED",
                                 "request_id was already used for a different request",
                                 {{"request_id", std::string(request_id)}});
  }
  const pqxx::binarystring response(rows[0][1]);
  return std::optional<std::string>(response.str());
}

}  // namespace integration::store
