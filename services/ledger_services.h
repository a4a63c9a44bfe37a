// The gRPC services: thin, stateless handlers over the ledger core.
//
// Each handler maps the request, calls ledger/ (EventLog, queries, replay),
// and converts the status in one place (ToGrpcStatus). All state lives in the
// EventLog. Streams (WatchBalances, Subscribe) hold one message at a time and
// write with the synchronous API, so a slow reader slows only its own stream
// (HTTP/2 flow control) and never grows the server's memory; they end when the
// client leaves or the server stops.
#ifndef SERVICES_LEDGER_SERVICES_H_
#define SERVICES_LEDGER_SERVICES_H_

#include <atomic>

#include "ledger/event_log.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace ledger {

// Shared by the three services: the log and a stop flag for streams.
struct ServiceContext {
  EventLog* log = nullptr;  // not owned
  std::atomic<bool> stopping{false};
};

// LedgerCommands on the callback API: Append waits for the group commit
// without holding a thread.
class CommandsService final : public v1::LedgerCommands::CallbackService {
 public:
  explicit CommandsService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const v1::AppendRequest* request,
                                   v1::AppendResponse* response) override;

 private:
  ServiceContext* ctx_;
};

class QueriesService final : public v1::LedgerQueries::Service {
 public:
  explicit QueriesService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::Status GetSummary(grpc::ServerContext*, const v1::GetSummaryRequest*,
                          v1::GetSummaryResponse*) override;
  grpc::Status ListBeneficiaries(grpc::ServerContext*, const v1::ListBeneficiariesRequest*,
                                 v1::ListBeneficiariesResponse*) override;
  grpc::Status GetBeneficiary(grpc::ServerContext*, const v1::GetBeneficiaryRequest*,
                              v1::GetBeneficiaryResponse*) override;
  grpc::Status ListBranches(grpc::ServerContext*, const v1::ListBranchesRequest*,
                            v1::ListBranchesResponse*) override;
  grpc::Status GetBranch(grpc::ServerContext*, const v1::GetBranchRequest*,
                         v1::GetBranchResponse*) override;
  grpc::Status GetTrialBalance(grpc::ServerContext*, const v1::GetTrialBalanceRequest*,
                               v1::GetTrialBalanceResponse*) override;
  grpc::Status WatchBalances(grpc::ServerContext*, const v1::WatchBalancesRequest*,
                             grpc::ServerWriter<v1::WatchBalancesResponse>*) override;
  grpc::Status GetFundStatement(grpc::ServerContext*, const v1::GetFundStatementRequest*,
                                v1::GetFundStatementResponse*) override;
  grpc::Status GetBranchStatement(grpc::ServerContext*, const v1::GetBranchStatementRequest*,
                                  v1::GetBranchStatementResponse*) override;
  grpc::Status GetIncomeStatement(grpc::ServerContext*, const v1::GetIncomeStatementRequest*,
                                  v1::GetIncomeStatementResponse*) override;

 private:
  ServiceContext* ctx_;
};

class AuditService final : public v1::LedgerAudit::Service {
 public:
  explicit AuditService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::Status GetHead(grpc::ServerContext*, const v1::GetHeadRequest*,
                       v1::GetHeadResponse*) override;
  grpc::Status ReadEvents(grpc::ServerContext*, const v1::ReadEventsRequest*,
                          v1::ReadEventsResponse*) override;
  grpc::Status GetEvent(grpc::ServerContext*, const v1::GetEventRequest*,
                        v1::GetEventResponse*) override;
  grpc::Status Subscribe(grpc::ServerContext*, const v1::SubscribeRequest*,
                         grpc::ServerWriter<v1::SubscribeResponse>*) override;
  grpc::Status VerifyChain(grpc::ServerContext*, const v1::VerifyChainRequest*,
                           v1::VerifyChainResponse*) override;
  grpc::Status RebuildProjections(grpc::ServerContext*, const v1::RebuildProjectionsRequest*,
                                  v1::RebuildProjectionsResponse*) override;

 private:
  ServiceContext* ctx_;
};

// The full balances message WatchBalances sends (also used by tests).
absl::StatusOr<v1::WatchBalancesResponse> BuildBalances(ReadView& view, absl::CivilDay today);

}  // namespace ledger

#endif  // SERVICES_LEDGER_SERVICES_H_
