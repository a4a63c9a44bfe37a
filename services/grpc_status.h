// The one place where absl::Status meets grpc::Status.
//
// ToGrpcStatus keeps the code and message and copies the ErrorDetail payload
// into the standard grpc-status-details-bin trailer as a google.rpc.Status-
// compatible RpcStatus holding the detail as a google.protobuf.Any. FromGrpcStatus
// is the reverse, for clients.
#ifndef SERVICES_GRPC_STATUS_H_
#define SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace ledger {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace ledger

#endif  // SERVICES_GRPC_STATUS_H_
