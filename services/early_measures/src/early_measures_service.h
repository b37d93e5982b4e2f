// The early_measures service's implementation: the generated EarlyMeasuresServiceAdapter serves
// every RPC of EarlyMeasuresService through grpc::Serve with the private Do<Method> declared here,
// which validates, checks the caller's access to the records and makes one unit of work. A new RPC
// in the proto does not compile until its Do<Method> is declared here and written in
// <area>_handlers.cc.
#pragma once

#include <functional>
#include <utility>

#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.adapter.h"

namespace integration::early_measures {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;

// What the service uses; built by EarlyMeasuresSpec's factory (or a test) and kept by the handle.
struct EarlyMeasuresDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
};

class EarlyMeasuresServiceImpl final
    : public v1::EarlyMeasuresServiceAdapter<EarlyMeasuresServiceImpl> {
 public:
  explicit EarlyMeasuresServiceImpl(EarlyMeasuresDeps deps)
      : EarlyMeasuresServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::EarlyMeasuresServiceAdapter<EarlyMeasuresServiceImpl>;

  // Handlers run on the runtime's executor (they may block on PostgreSQL); the caller's role
  // has been checked against the method's access policy before they run. One per RPC:
  //   absl::Status Do<Method>(const grpc::CallContext& call, const v1::<Method>Request& req,
  //                           v1::<Response>* resp);  // <area>_handlers.cc

  EarlyMeasuresDeps deps_;
};

}  // namespace integration::early_measures
