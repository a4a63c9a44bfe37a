// LedgerQueries/GetPeriods: closed periods, and the proposals waiting.
#include "ledger/views/periods.h"
#include "services/grpc_status.h"
#include "services/ledger_services.h"
#include "services/raw_unary.h"

namespace ledger {

grpc::ServerUnaryReactor* QueriesService::GetPeriods(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetPeriodsRequest, v1::GetPeriodsResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetPeriods"),
      [this](const Caller&, const v1::GetPeriodsRequest&, v1::GetPeriodsResponse* out) {
        auto view = ctx_->log->NewReadView();
        auto answer = QueryPeriods(*view);
        if (!answer.ok()) return ToGrpcStatus(answer.status());
        *out = std::move(*answer);
        return grpc::Status::OK;
      });
}

}  // namespace ledger
