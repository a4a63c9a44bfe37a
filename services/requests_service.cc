// LedgerQueries/ListDisbursementRequests: two to sign, what waits on whom.
#include "ledger/views/requests.h"
#include "services/grpc_status.h"
#include "services/ledger_services.h"
#include "services/raw_unary.h"

namespace ledger {

grpc::ServerUnaryReactor* QueriesService::ListDisbursementRequests(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListDisbursementRequestsRequest, v1::ListDisbursementRequestsResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/ListDisbursementRequests"),
      [this](const Caller& caller, const v1::ListDisbursementRequestsRequest& r,
             v1::ListDisbursementRequestsResponse* out) {
        auto view = ctx_->log->NewReadView();
        auto answer = QueryRequests(*view, r, ctx_->Details(caller));
        if (!answer.ok()) return ToGrpcStatus(answer.status());
        *out = std::move(*answer);
        return grpc::Status::OK;
      });
}

}  // namespace ledger
