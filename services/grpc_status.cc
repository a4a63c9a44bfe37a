#include "services/grpc_status.h"

#include "ledger/errors.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  if (!detail) return grpc::Status(code, std::string(status.message()));
  v1::RpcStatus rpc;
  rpc.set_code(static_cast<int32_t>(status.code()));
  rpc.set_message(std::string(status.message()));
  rpc.add_details()->PackFrom(*detail);
  return grpc::Status(code, std::string(status.message()), rpc.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  v1::RpcStatus rpc;
  if (!status.error_details().empty() && rpc.ParseFromString(status.error_details())) {
    for (const auto& any : rpc.details()) {
      v1::ErrorDetail detail;
      if (any.UnpackTo(&detail)) return WithDetail(code, status.error_message(), detail);
    }
  }
  return absl::Status(code, status.error_message());
}

}  // namespace ledger
