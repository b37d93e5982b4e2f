// PLACEHOLDER: replaced by the owner of this area.
#include "grants_service.h"
#include "integration/status/status.h"

namespace integration::grants {

absl::Status GrantsServiceImpl::DoCreateApplication(const grpc::CallContext&, const v1::CreateApplicationRequest&, v1::Application*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoGetApplication(const grpc::CallContext&, const v1::GetApplicationRequest&, v1::Application*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoListApplications(const grpc::CallContext&, const v1::ListApplicationsRequest&, v1::ListApplicationsResponse*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoUpdateApplication(const grpc::CallContext&, const v1::UpdateApplicationRequest&, v1::Application*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoSubmitApplication(const grpc::CallContext&, const v1::SubmitApplicationRequest&, v1::Application*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoWithdrawApplication(const grpc::CallContext&, const v1::WithdrawApplicationRequest&, v1::Application*) {
  return status::Internal("placeholder");
}

}  // namespace integration::grants
