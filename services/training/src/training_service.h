// The training service's implementation: the generated TrainingServiceAdapter serves every RPC
// of TrainingService through grpc::Serve with the private Do<Method> here, which validates,
// converts and calls a repository; the methods are defined in content_handlers.cc, learner_handlers.cc,
// attempt_handlers.cc (content, learners, attempts, progress), diploma_handlers.cc and
// statistics_handlers.cc (diplomas, statistics).
#pragma once

#include "integration/grpc/names.h"  // first: see there

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "diploma_pdf.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "lansstyrelsen/integration/training/v1/training_service.adapter.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// What the service uses; built by main.cc's factory (or a test) and kept by the handle.
struct TrainingDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
  // The current diploma signing key.
  std::shared_ptr<const DiplomaSigner> signer;
  // Keys diplomas were signed with before a rotation, still published for verification.
  std::vector<DiplomaVerifyKey> previous_keys;
  // Course title and verify URL printed on diplomas.
  DiplomaPdfOptions pdf;
  // The service's notion of "now" (attempt expiry, retry delays, issue dates); tests move it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class TrainingServiceImpl final : public v1::TrainingServiceAdapter<TrainingServiceImpl> {
 public:
  explicit TrainingServiceImpl(TrainingDeps deps)
      : TrainingServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::TrainingServiceAdapter<TrainingServiceImpl>;

  // Handlers run on the runtime's executor (they may block on PostgreSQL); the caller's role
  // and tenant have been checked against the method's access policy before they run.
  absl::Status DoListParts(const grpc::CallContext& call, const v1::ListPartsRequest& req,
                           v1::ListPartsResponse* resp);
  absl::Status DoGetPart(const grpc::CallContext& call, const v1::GetPartRequest& req,
                         v1::Part* resp);
  absl::Status DoCreatePart(const grpc::CallContext& call, const v1::CreatePartRequest& req,
                            v1::Part* resp);
  absl::Status DoUpdatePart(const grpc::CallContext& call, const v1::UpdatePartRequest& req,
                            v1::Part* resp);
  absl::Status DoArchivePart(const grpc::CallContext& call, const v1::ArchivePartRequest& req,
                             v1::Part* resp);
  absl::Status DoUnarchivePart(const grpc::CallContext& call,
                               const v1::UnarchivePartRequest& req, v1::Part* resp);
  absl::Status DoListModules(const grpc::CallContext& call, const v1::ListModulesRequest& req,
                             v1::ListModulesResponse* resp);
  absl::Status DoGetModule(const grpc::CallContext& call, const v1::GetModuleRequest& req,
                           v1::Module* resp);
  absl::Status DoCreateModule(const grpc::CallContext& call, const v1::CreateModuleRequest& req,
                              v1::Module* resp);
  absl::Status DoUpdateModule(const grpc::CallContext& call, const v1::UpdateModuleRequest& req,
                              v1::Module* resp);
  absl::Status DoPublishModule(const grpc::CallContext& call, const v1::PublishModuleRequest& req,
                               v1::Module* resp);
  absl::Status DoArchiveModule(const grpc::CallContext& call,
                               const v1::ArchiveModuleRequest& req, v1::Module* resp);
  absl::Status DoGetQuiz(const grpc::CallContext& call, const v1::GetQuizRequest& req,
                         v1::Quiz* resp);
  absl::Status DoUpdateQuiz(const grpc::CallContext& call, const v1::UpdateQuizRequest& req,
                            v1::Quiz* resp);

  absl::Status DoCreateLearner(const grpc::CallContext& call, const v1::CreateLearnerRequest& req,
                               v1::Learner* resp);
  absl::Status DoGetLearner(const grpc::CallContext& call, const v1::GetLearnerRequest& req,
                            v1::Learner* resp);
  absl::Status DoUpdateLearner(const grpc::CallContext& call, const v1::UpdateLearnerRequest& req,
                               v1::Learner* resp);
  absl::Status DoListLearners(const grpc::CallContext& call, const v1::ListLearnersRequest& req,
                              v1::ListLearnersResponse* resp);

  absl::Status DoStartAttempt(const grpc::CallContext& call, const v1::StartAttemptRequest& req,
                              v1::Attempt* resp);
  absl::Status DoSubmitAttempt(const grpc::CallContext& call, const v1::SubmitAttemptRequest& req,
                               v1::Attempt* resp);
  absl::Status DoGetAttempt(const grpc::CallContext& call, const v1::GetAttemptRequest& req,
                            v1::Attempt* resp);
  absl::Status DoListAttempts(const grpc::CallContext& call, const v1::ListAttemptsRequest& req,
                              v1::ListAttemptsResponse* resp);
  absl::Status DoGetProgress(const grpc::CallContext& call, const v1::GetProgressRequest& req,
                             v1::Progress* resp);

  absl::Status DoListDiplomas(const grpc::CallContext& call, const v1::ListDiplomasRequest& req,
                              v1::ListDiplomasResponse* resp);
  absl::Status DoGetDiploma(const grpc::CallContext& call, const v1::GetDiplomaRequest& req,
                            v1::Diploma* resp);
  absl::Status DoRenderDiplomaPdf(const grpc::CallContext& call,
                                  const v1::RenderDiplomaPdfRequest& req,
                                  v1::RenderDiplomaPdfResponse* resp);
  absl::Status DoRevokeDiploma(const grpc::CallContext& call, const v1::RevokeDiplomaRequest& req,
                               v1::Diploma* resp);
  absl::Status DoVerifyDiploma(const grpc::CallContext& call, const v1::VerifyDiplomaRequest& req,
                               v1::VerifyDiplomaResponse* resp);
  absl::Status DoGetDiplomaPublicKey(const grpc::CallContext& call,
                                     const v1::GetDiplomaPublicKeyRequest& req,
                                     v1::GetDiplomaPublicKeyResponse* resp);

  absl::Status DoGetStatistics(const grpc::CallContext& call, const v1::GetStatisticsRequest& req,
                               v1::Statistics* resp);

  // ArchivePart and UnarchivePart: `archived` is the state the part is to be in.
  absl::Status SetPartArchived(const grpc::CallContext& call, const google::protobuf::Message& req,
                               const std::string& name, const std::string& etag, bool archived,
                               v1::Part* resp);

  TrainingDeps deps_;
};

}  // namespace integration::training
