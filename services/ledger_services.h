// The gRPC services: thin, stateless handlers over the ledger core.
//
// Each handler maps the request, calls ledger/ (EventLog, queries, replay),
// and converts the status in one place (ToGrpcStatus). All state lives in the
// EventLog. Streams (WatchBalances, Subscribe) are reactors on the callback
// API told of every commit (services/streams.h): they hold one message at a
// time, so a slow reader slows only its own stream (HTTP/2 flow control) and
// never grows the server's memory; they end when the client leaves or the
// server stops.
#ifndef SERVICES_LEDGER_SERVICES_H_
#define SERVICES_LEDGER_SERVICES_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "ledger/transparency/checkpoints.h"
#include "ledger/views/details.h"
#include "ledger/writer/event_log.h"
#include "services/access.h"
#include "services/rate_limit.h"
#include "services/raw_unary.h"
#include "services/streams.h"
#include "services/telemetry.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace ledger {

// Shared by the three services: the log and a stop flag for streams.
struct ServiceContext {
  // The caller of `context`, admitted to `method` or refused
  // (services/access.h, the table of roles).
  // A caller who may not see who is who gets their IdentityMask here.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               absl::string_view method) const {
    absl::StatusOr<Caller> caller = ledger::Authenticate(*log, context);
    if (!caller.ok()) return caller.status();
    if (telemetry != nullptr && caller->authenticated) {
      telemetry->NoteCaller(&context, caller->member_id());
    }
    const v1::Role required = RequiredRoleOf(method);
    if (!Satisfies(*caller, required)) return RoleRequired(required, method);
    if (caller->SeesIdentities()) return caller;
    std::unique_ptr<ReadView> view = log->NewReadView();
    absl::StatusOr<std::shared_ptr<const FundDirectory>> funds = fund_directory->For(*view);
    if (!funds.ok()) return funds.status();
    EventLog* const l = log;
    caller->mask = std::make_shared<IdentityMask>(*std::move(funds), std::move(view),
                                                  [l] { return l->NewReadView(); });
    return caller;
  }
  // What `caller` gets of private details: treasurers, auditors and admins
  // see them, the public and viewers never do. The one place that decides.
  DetailAccess Details(const Caller& caller) const {
    return DetailAccess{log->keyring(), caller.SeesPrivateDetails()};
  }

  EventLog* log = nullptr;   // not owned
  StreamHub* hub = nullptr;  // not owned; wakes the streams on each commit
  // Not owned; nullptr = calls are not counted or logged (services/telemetry.h).
  Telemetry* telemetry = nullptr;
  // Not owned; nullptr when ledgerd signs no checkpoints (no key).
  Checkpointer* checkpointer = nullptr;
  // Appends per member (ServerOptions::append_events_per_second).
  std::unique_ptr<AppendRateLimiter> append_limit;
  // Where backups go (ServerOptions::backup_root); empty = none.
  std::string backup_root;
  // The fund register as masking reads it (ledger/views/identities.h).
  std::unique_ptr<FundDirectoryCache> fund_directory = std::make_unique<FundDirectoryCache>();
  std::atomic<bool> stopping{false};
  HeavyCalls heavy;  // whole-log scans running (ServeUnaryOnThread)
};

// Every unary method is served raw (services/raw_unary.h): the handler parses
// the request bytes itself, so a request protobuf cannot parse is refused
// INVALID_ARGUMENT naming the field, like any other bad input. Streams are
// typed callback methods (their requests carry no text; unknown fields are
// refused when they start).

// LedgerCommands: Append waits for the group commit without holding a thread.
class CommandsService final
    : public v1::LedgerCommands::WithRawCallbackMethod_Append<v1::LedgerCommands::Service> {
 public:
  explicit CommandsService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

 private:
  ServiceContext* ctx_;
};

namespace internal {
using Q = v1::LedgerQueries;
using QueriesBase = Q::WithRawCallbackMethod_GetSummary<Q::WithRawCallbackMethod_ListBeneficiaries<
    Q::WithRawCallbackMethod_GetBeneficiary<Q::WithRawCallbackMethod_ListBranches<
        Q::WithRawCallbackMethod_GetBranch<Q::WithRawCallbackMethod_GetTrialBalance<
            Q::WithRawCallbackMethod_GetFundStatement<Q::WithRawCallbackMethod_GetBranchStatement<
                Q::WithRawCallbackMethod_GetIncomeStatement<
                    Q::WithRawCallbackMethod_ListDisbursementRequests<
                        Q::WithRawCallbackMethod_GetPeriods<
                            Q::WithCallbackMethod_WatchBalances<Q::Service>>>>>>>>>>>>;
using A = v1::LedgerAudit;
using AuditBase = A::WithRawCallbackMethod_GetHead<A::WithRawCallbackMethod_ReadEvents<
    A::WithRawCallbackMethod_GetEvent<A::WithRawCallbackMethod_VerifyChain<
        A::WithRawCallbackMethod_RebuildProjections<A::WithRawCallbackMethod_GetCheckpoint<
            A::WithRawCallbackMethod_GetInclusionProof<A::WithRawCallbackMethod_GetConsistencyProof<
                A::WithRawCallbackMethod_AddCosignature<
                    A::WithCallbackMethod_Subscribe<A::Service>>>>>>>>>>;
}  // namespace internal

#define LEDGER_RAW_UNARY(Method)                                                                \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,                        \
                                   const grpc::ByteBuffer* request, grpc::ByteBuffer* response) \
      override

class QueriesService final : public internal::QueriesBase {
 public:
  explicit QueriesService(ServiceContext* ctx) : ctx_(ctx) {}
  LEDGER_RAW_UNARY(GetSummary);
  LEDGER_RAW_UNARY(ListBeneficiaries);
  LEDGER_RAW_UNARY(GetBeneficiary);
  LEDGER_RAW_UNARY(ListBranches);
  LEDGER_RAW_UNARY(GetBranch);
  LEDGER_RAW_UNARY(GetTrialBalance);
  LEDGER_RAW_UNARY(GetFundStatement);
  LEDGER_RAW_UNARY(GetBranchStatement);
  LEDGER_RAW_UNARY(GetIncomeStatement);
  LEDGER_RAW_UNARY(ListDisbursementRequests);  // services/requests_service.cc
  LEDGER_RAW_UNARY(GetPeriods);                // services/periods_service.cc
  grpc::ServerWriteReactor<v1::WatchBalancesResponse>* WatchBalances(
      grpc::CallbackServerContext* context, const v1::WatchBalancesRequest* request) override;

 private:
  grpc::Status DoGetSummary(const Caller& caller, const v1::GetSummaryRequest&,
                            v1::GetSummaryResponse*);
  grpc::Status DoListBeneficiaries(const Caller& caller, const v1::ListBeneficiariesRequest&,
                                   v1::ListBeneficiariesResponse*);
  grpc::Status DoGetBeneficiary(const Caller& caller, const v1::GetBeneficiaryRequest&,
                                v1::GetBeneficiaryResponse*);
  grpc::Status DoListBranches(const Caller& caller, const v1::ListBranchesRequest&,
                              v1::ListBranchesResponse*);
  grpc::Status DoGetBranch(const Caller& caller, const v1::GetBranchRequest&,
                           v1::GetBranchResponse*);
  grpc::Status DoGetTrialBalance(const Caller& caller, const v1::GetTrialBalanceRequest&,
                                 v1::GetTrialBalanceResponse*);
  grpc::Status DoGetFundStatement(const Caller& caller, const v1::GetFundStatementRequest&,
                                  v1::GetFundStatementResponse*);
  grpc::Status DoGetBranchStatement(const Caller& caller, const v1::GetBranchStatementRequest&,
                                    v1::GetBranchStatementResponse*);
  grpc::Status DoGetIncomeStatement(const Caller& caller, const v1::GetIncomeStatementRequest&,
                                    v1::GetIncomeStatementResponse*);
  ServiceContext* ctx_;
};

// VerifyChain and RebuildProjections scan the whole log: they run on threads
// of their own, at most kMaxWholeLogCalls at once (with backups).
class AuditService final : public internal::AuditBase {
 public:
  explicit AuditService(ServiceContext* ctx) : ctx_(ctx) {}
  LEDGER_RAW_UNARY(GetHead);
  LEDGER_RAW_UNARY(ReadEvents);
  LEDGER_RAW_UNARY(GetEvent);
  LEDGER_RAW_UNARY(VerifyChain);
  LEDGER_RAW_UNARY(RebuildProjections);
  LEDGER_RAW_UNARY(GetCheckpoint);
  LEDGER_RAW_UNARY(GetInclusionProof);
  LEDGER_RAW_UNARY(GetConsistencyProof);
  LEDGER_RAW_UNARY(AddCosignature);
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

 private:
  grpc::Status DoGetHead(const Caller& caller, const v1::GetHeadRequest&, v1::GetHeadResponse*);
  grpc::Status DoReadEvents(const Caller& caller, const v1::ReadEventsRequest&,
                            v1::ReadEventsResponse*);
  grpc::Status DoGetEvent(const Caller& caller, const v1::GetEventRequest&, v1::GetEventResponse*);
  grpc::Status DoVerifyChain(const Caller& caller, const v1::VerifyChainRequest&,
                             v1::VerifyChainResponse*);
  grpc::Status DoRebuildProjections(const Caller& caller, const v1::RebuildProjectionsRequest&,
                                    v1::RebuildProjectionsResponse*);
  grpc::Status DoGetCheckpoint(const v1::GetCheckpointRequest&, v1::GetCheckpointResponse*);
  grpc::Status DoGetInclusionProof(const Caller& caller, const v1::GetInclusionProofRequest&,
                                   v1::GetInclusionProofResponse*);
  grpc::Status DoGetConsistencyProof(const v1::GetConsistencyProofRequest&,
                                     v1::GetConsistencyProofResponse*);
  grpc::Status DoAddCosignature(const v1::AddCosignatureRequest&, v1::AddCosignatureResponse*);
  // The latest checkpoint with its cosignatures (nullopt without a signer).
  absl::StatusOr<std::optional<v1::Checkpoint>> LatestCheckpoint();
  ServiceContext* ctx_;
};

#undef LEDGER_RAW_UNARY

}  // namespace ledger

#endif  // SERVICES_LEDGER_SERVICES_H_
