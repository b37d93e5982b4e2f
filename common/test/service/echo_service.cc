// The test service of the service runtime: a factory, a handler that writes the test table, an
// outbox event and an audit row in one transaction, and a setting of its own.
#include "echo_service.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/serve.h"
#include "integration/outbox/outbox.h"
#include "integration/store/store.h"
#include "lansstyrelsen/integration/echo/v1/echo.adapter.h"

namespace integration::service::testing {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;

class EchoServiceImpl final : public echo::EchoServiceAdapter<EchoServiceImpl> {
 public:
  EchoServiceImpl(grpc::Runtime& runtime, pg::Pool& pool, std::function<void()> nudge_outbox,
                  std::string prefix)
      : EchoServiceAdapter(runtime),
        pool_(pool),
        nudge_outbox_(std::move(nudge_outbox)),
        prefix_(std::move(prefix)) {}


 private:
  friend class echo::EchoServiceAdapter<EchoServiceImpl>;
  absl::Status DoEcho(const grpc::CallContext& call, const echo::EchoRequest& req,
                      echo::EchoResponse* resp) {
    absl::StatusOr<int64_t> id =
        pool_.TransactFor<int64_t>(call.deadline(), [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
          const int64_t id = tx.exec_prepared1("insert_echo", req.message())[0].as<int64_t>();
          outbox::Event event;
          event.type = kEchoedEvent;
          event.aggregate = absl::StrCat("echoes/", id);
          event.payload = req.SerializeAsString();
          event.request_id = call.request_id();
          event.trace_id = call.trace_id();
          if (absl::Status st = outbox::Enqueue(tx, event); !st.ok()) return st;
          store::Audit(tx, {.actor = call.caller().subject,
                            .role = call.caller().role,
                            .action = "Echo",
                            .resource = event.aggregate,
                            .request_id = call.request_id(),
                            .trace_id = call.trace_id(),
                            .detail = ""});
          return id;
        });
    if (!id.ok()) return id.status();
    nudge_outbox_();
    resp->set_message(prefix_ + req.message());
    resp->set_payload(req.payload());
    return absl::OkStatus();
  }

  pg::Pool& pool_;
  const std::function<void()> nudge_outbox_;
  const std::string prefix_;
};

// The service's own settings, registered by register_flags and read by the factory.
struct EchoSettings {
  std::string* prefix = nullptr;
};

}  // namespace

ServiceSpec EchoSpec(std::string name) {
  auto settings = std::make_shared<EchoSettings>();
  ServiceSpec spec;
  spec.name = std::move(name);
  spec.binary = "echo-server";
  spec.description = "The service runtime's test service.";
  spec.default_grpc_port = 50099;
  spec.default_admin_port = 9099;
  spec.migrations = TestMigrations();
  spec.queries = TestQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->prefix = flags.String("echo-prefix", "", "text put before every echoed message");
  };
  spec.factory =
      [settings](const Dependencies& deps) -> absl::StatusOr<std::unique_ptr<ServiceHandle>> {
    auto handle = std::make_unique<ServiceHandle>();
    absl::StatusOr<EchoServiceImpl*> added = handle->AddService<echo::EchoService>(
        deps.runtime, std::make_unique<EchoServiceImpl>(deps.runtime, deps.pool, deps.nudge_outbox,
                                                        *settings->prefix));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::service::testing
