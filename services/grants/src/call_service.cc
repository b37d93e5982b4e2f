// PLACEHOLDER: replaced by the owner of this area.
#include "grants_service.h"
#include "integration/status/status.h"

namespace integration::grants {

absl::Status GrantsServiceImpl::DoListCalls(const grpc::CallContext&, const v1::ListCallsRequest&, v1::ListCallsResponse*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoGetCall(const grpc::CallContext&, const v1::GetCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoCreateCall(const grpc::CallContext&, const v1::CreateCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoUpdateCall(const grpc::CallContext&, const v1::UpdateCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoOpenCall(const grpc::CallContext&, const v1::OpenCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoCloseCall(const grpc::CallContext&, const v1::CloseCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

absl::Status GrantsServiceImpl::DoArchiveCall(const grpc::CallContext&, const v1::ArchiveCallRequest&, v1::Call*) {
  return status::Internal("placeholder");
}

}  // namespace integration::grants
