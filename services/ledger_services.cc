#include "services/ledger_services.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/replay.h"
#include "ledger/audit/statements.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/transparency/proofs.h"
#include "ledger/views/balances.h"
#include "ledger/views/identities.h"
#include "ledger/views/queries.h"
#include "services/grpc_status.h"
#include "services/pages.h"

namespace ledger {
namespace {

// A branch the public may see: one that chose to be shown.
bool PublicMaySee(const Caller& caller, const v1::Branch& branch) {
  return caller.authenticated || branch.shown_publicly();
}

}  // namespace

// ------------------------------------------------------------------ commands

grpc::ServerUnaryReactor* CommandsService::Append(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request,
                                                  grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = ctx_->Admit(*context, "LedgerCommands/Append");
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  v1::AppendRequest parsed;
  if (!ParseOrFinish(*request, &parsed, reactor)) return reactor;
  if (absl::Status allowed = CheckAppend(*caller, parsed); !allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  // A flood from one member meets its bucket before the writer's queue.
  if (absl::Status paced = ctx_->append_limit->Take(
          caller->member_id(), static_cast<uint32_t>(parsed.events_size()), absl::Now());
      !paced.ok()) {
    reactor->Finish(ToGrpcStatus(paced));
    return reactor;
  }
  // The recorded actor is the member; whatever the client says it is
  // (an x-ledger-actor header) is not looked at.
  ctx_->log->AppendAsync(std::move(parsed), caller->member_id(),
                         [reactor, response](absl::StatusOr<AppendResult> result) {
                           if (!result.ok()) {
                             reactor->Finish(ToGrpcStatus(result.status()));
                             return;
                           }
                           v1::AppendResponse out;
                           for (uint64_t p : result->positions) out.add_positions(p);
                           out.mutable_head()->set_position(result->head_position);
                           out.mutable_head()->set_hash(result->head_hash);
                           out.set_deduplicated(result->deduplicated);
                           reactor->Finish(SerializeToByteBuffer(out, response));
                         });
  return reactor;
}

// ------------------------------------------------------------------ queries

grpc::Status QueriesService::DoGetSummary(const Caller&, const v1::GetSummaryRequest& request,
                                          v1::GetSummaryResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  absl::StatusOr<v1::GetSummaryResponse> r = QuerySummary(*view);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoListBeneficiaries(const Caller& caller,
                                                 const v1::ListBeneficiariesRequest& request,
                                                 v1::ListBeneficiariesResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  auto r = QueryBeneficiaries(*view, request.include_closed(), ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  if (caller.mask) {
    // Sorted and paged by public id: a page token is then an alias or the
    // id of a fund that is not sensitive, and the order says nothing about
    // where a sensitive id falls.
    if (absl::Status masked = caller.mask->Outbound(*response); !masked.ok()) {
      return ToGrpcStatus(masked);
    }
    SortByPublicFund(response->mutable_beneficiaries());
  }
  auto key = [&](const v1::BeneficiaryView& b) {
    return caller.mask ? PublicFundSortKey(b.beneficiary().beneficiary_id())
                       : b.beneficiary().beneficiary_id();
  };
  const std::string after =
      caller.mask ? PublicFundSortKey(request.page_token()) : request.page_token();
  std::string next = CutPage(response->mutable_beneficiaries(), request.page_size(), after, key);
  if (caller.mask && !next.empty())
    next = response->beneficiaries().rbegin()->beneficiary().beneficiary_id();
  response->set_next_page_token(std::move(next));
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoGetBeneficiary(const Caller& caller,
                                              const v1::GetBeneficiaryRequest& request,
                                              v1::GetBeneficiaryResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  auto r = QueryBeneficiary(*view, request.beneficiary_id(), ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response->mutable_as_of() = HeadOf(*view);
  *response->mutable_beneficiary() = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoListBranches(const Caller& caller,
                                            const v1::ListBranchesRequest& request,
                                            v1::ListBranchesResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  auto r = QueryBranches(*view, request.include_disaffiliated(),
                         ArrearsDay(request.as_of(), ctx_->log->clock()));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  if (!caller.authenticated) {
    auto* branches = response->mutable_branches();
    branches->erase(
        std::remove_if(branches->begin(), branches->end(),
                       [&](const v1::BranchView& b) { return !PublicMaySee(caller, b.branch()); }),
        branches->end());
  }
  response->set_next_page_token(
      CutPage(response->mutable_branches(), request.page_size(), request.page_token(),
              [](const v1::BranchView& b) { return b.branch().branch_id(); }));
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoGetBranch(const Caller& caller, const v1::GetBranchRequest& request,
                                         v1::GetBranchResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  const absl::CivilDay today = ArrearsDay(request.as_of(), ctx_->log->clock());
  auto r = QueryBranch(*view, request.branch_id(), today);
  if (r.ok() && !PublicMaySee(caller, r->branch())) {
    // The same answer as for a branch that does not exist.
    r = Refusal(absl::StatusCode::kNotFound, kReasonUnknownBranch,
                absl::StrCat("no branch \"", request.branch_id(), "\""), "branch_id");
  }
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response->mutable_as_of() = HeadOf(*view);
  *response->mutable_branch() = std::move(*r);
  response->set_today(FormatDate(today));
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoGetTrialBalance(const Caller& caller,
                                               const v1::GetTrialBalanceRequest& request,
                                               v1::GetTrialBalanceResponse* response) {
  auto at = ApplyAsOf(ctx_->log->NewReadView(), request.as_of());
  if (!at.ok()) return ToGrpcStatus(at.status());
  auto& view = *at;
  auto r = QueryTrialBalance(*view);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  if (caller.mask) {
    if (absl::Status masked = caller.mask->Outbound(*response); !masked.ok()) {
      return ToGrpcStatus(masked);
    }
    SortByPublicAccount(response->mutable_accounts());
  }
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::WatchBalancesResponse>* QueriesService::WatchBalances(
    grpc::CallbackServerContext* context, const v1::WatchBalancesRequest* request) {
  absl::StatusOr<Caller> caller = ctx_->Admit(*context, "LedgerQueries/WatchBalances");
  Audience audience = Audience::kPublic;
  if (caller.ok() && caller->SeesIdentities()) {
    audience = Audience::kMembers;
  } else if (caller.ok() && caller->authenticated) {
    audience = Audience::kViewers;
  }
  return NewWatchBalancesStream(context, request, ctx_->hub, caller.status(), audience);
}

grpc::Status QueriesService::DoGetFundStatement(const Caller& caller,
                                                const v1::GetFundStatementRequest& request,
                                                v1::GetFundStatementResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = FundStatement(*view, request.fund(), request.range(), ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoGetBranchStatement(const Caller& caller,
                                                  const v1::GetBranchStatementRequest& request,
                                                  v1::GetBranchStatementResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = BranchStatement(*view, request.branch_id(), request.range(), ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status QueriesService::DoGetIncomeStatement(const Caller&,
                                                  const v1::GetIncomeStatementRequest& request,
                                                  v1::GetIncomeStatementResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = IncomeStatement(*view, request.range());
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

// ------------------------------------------------------------------ audit

grpc::Status AuditService::DoGetHead(const Caller&, const v1::GetHeadRequest&,
                                     v1::GetHeadResponse* response) {
  auto view = ctx_->log->NewReadView();
  *response->mutable_head() = HeadOf(*view);
  response->set_ledger_id(view->ledger_id());
  response->set_ledger_name(view->ledger_name());
  return grpc::Status::OK;
}

grpc::Status AuditService::DoReadEvents(const Caller& caller, const v1::ReadEventsRequest& request,
                                        v1::ReadEventsResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = QueryEvents(*view, request.from_position(), request.limit(), ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AuditService::DoGetEvent(const Caller& caller, const v1::GetEventRequest& request,
                                      v1::GetEventResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = QueryEvent(*view, request, ctx_->Details(caller));
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response->mutable_event() = std::move(*r);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* AuditService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  absl::StatusOr<Caller> caller = ctx_->Admit(*context, "LedgerAudit/Subscribe");
  return NewSubscribeStream(context, request, ctx_->hub, caller.status(),
                            caller.ok() ? ctx_->Details(*caller) : DetailAccess{},
                            caller.ok() && caller->mask ? ctx_->fund_directory.get() : nullptr);
}

grpc::Status AuditService::DoVerifyChain(const Caller&, const v1::VerifyChainRequest& request,
                                         v1::VerifyChainResponse* response) {
  auto view = ctx_->log->NewReadView();
  if (request.to_position() != 0 && request.from_position() > request.to_position()) {
    return ToGrpcStatus(absl::InvalidArgumentError("from_position is after to_position"));
  }
  auto r = ledger::VerifyChain(*view, request.from_position(), request.to_position());
  if (!r.ok()) return ToGrpcStatus(r.status());
  response->set_ok(r->ok);
  response->set_events_checked(r->events_checked);
  response->set_first_bad_position(r->first_bad_position);
  response->set_problem(r->problem);
  response->mutable_verified_head()->set_position(r->verified_position);
  response->mutable_verified_head()->set_hash(r->verified_hash);
  return grpc::Status::OK;
}

grpc::Status AuditService::DoRebuildProjections(const Caller&, const v1::RebuildProjectionsRequest&,
                                                v1::RebuildProjectionsResponse* response) {
  auto view = ctx_->log->NewReadView();
  auto r = RebuildAndCompare(*view);
  if (!r.ok()) return ToGrpcStatus(r.status());
  response->set_match(r->match);
  response->set_events_replayed(r->events_replayed);
  response->set_rows_compared(r->rows_compared);
  for (const Mismatch& m : r->mismatches) {
    auto* out = response->add_mismatches();
    out->set_key(m.key);
    out->set_stored(m.stored);
    out->set_rebuilt(m.rebuilt);
  }
  if (r->failed_position != 0) {
    auto* out = response->add_mismatches();
    out->set_key(absl::StrCat("event ", r->failed_position));
    out->set_stored("accepted into the log");
    out->set_rebuilt(absl::StrCat("refused on replay: ", r->failure));
  }
  *response->mutable_as_of() = HeadOf(*view);
  return grpc::Status::OK;
}

// ------------------------------------------------------------------ the verifiable log

namespace {

absl::Status NoSigner() {
  return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNoCheckpoint,
                 "this ledger signs no checkpoints (ledgerd runs without --checkpoint_key)");
}

}  // namespace

absl::StatusOr<std::optional<v1::Checkpoint>> AuditService::LatestCheckpoint() {
  if (ctx_->checkpointer == nullptr) return std::optional<v1::Checkpoint>();
  ASSIGN_OR_RETURN(v1::GetCheckpointResponse r, ctx_->checkpointer->Get(0));
  return std::optional<v1::Checkpoint>(std::move(*r.mutable_checkpoint()));
}

grpc::Status AuditService::DoGetCheckpoint(const v1::GetCheckpointRequest& request,
                                           v1::GetCheckpointResponse* response) {
  if (ctx_->checkpointer == nullptr) return ToGrpcStatus(NoSigner());
  auto r = ctx_->checkpointer->Get(request.tree_size());
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AuditService::DoGetInclusionProof(const Caller& caller,
                                               const v1::GetInclusionProofRequest& request,
                                               v1::GetInclusionProofResponse* response) {
  // A stored record holds the real ids the public and viewers never see
  // (and cannot be rewritten without breaking its hash): only those who see
  // identities get it.
  if (request.include_record() && !caller.SeesIdentities()) {
    return ToGrpcStatus(RoleRequired(
        v1::ROLE_TREASURER,
        "LedgerAudit/GetInclusionProof with include_record (treasurer, approver, auditor or "
        "admin)"));
  }
  // The checkpoint first: the view taken after it holds at least its events.
  auto latest = LatestCheckpoint();
  if (!latest.ok()) return ToGrpcStatus(latest.status());
  auto view = ctx_->log->NewReadView();
  auto r = InclusionProofOf(*view, request, *latest);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AuditService::DoGetConsistencyProof(const v1::GetConsistencyProofRequest& request,
                                                 v1::GetConsistencyProofResponse* response) {
  auto latest = LatestCheckpoint();
  if (!latest.ok()) return ToGrpcStatus(latest.status());
  auto view = ctx_->log->NewReadView();
  auto r = ConsistencyProofOf(*view, request, *latest);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AuditService::DoAddCosignature(const v1::AddCosignatureRequest& request,
                                            v1::AddCosignatureResponse* response) {
  if (ctx_->checkpointer == nullptr) return ToGrpcStatus(NoSigner());
  auto r = ctx_->checkpointer->AddCosignature(request.cosigned_checkpoint());
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

// ------------------------------------------------------------------ raw unary

grpc::ServerUnaryReactor* QueriesService::GetSummary(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetSummaryRequest, v1::GetSummaryResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetSummary"),
      [this](const Caller& caller, const v1::GetSummaryRequest& r, v1::GetSummaryResponse* out) {
        return DoGetSummary(caller, r, out);
      });
}

grpc::ServerUnaryReactor* QueriesService::ListBeneficiaries(grpc::CallbackServerContext* context,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListBeneficiariesRequest, v1::ListBeneficiariesResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/ListBeneficiaries"),
      [this](const Caller& caller, const v1::ListBeneficiariesRequest& r,
             v1::ListBeneficiariesResponse* out) { return DoListBeneficiaries(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::GetBeneficiary(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetBeneficiaryRequest, v1::GetBeneficiaryResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetBeneficiary"),
      [this](const Caller& caller, const v1::GetBeneficiaryRequest& r,
             v1::GetBeneficiaryResponse* out) { return DoGetBeneficiary(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::ListBranches(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListBranchesRequest, v1::ListBranchesResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/ListBranches"),
      [this](const Caller& caller, const v1::ListBranchesRequest& r,
             v1::ListBranchesResponse* out) { return DoListBranches(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::GetBranch(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetBranchRequest, v1::GetBranchResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetBranch"),
      [this](const Caller& caller, const v1::GetBranchRequest& r, v1::GetBranchResponse* out) {
        return DoGetBranch(caller, r, out);
      });
}

grpc::ServerUnaryReactor* QueriesService::GetTrialBalance(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetTrialBalanceRequest, v1::GetTrialBalanceResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetTrialBalance"),
      [this](const Caller& caller, const v1::GetTrialBalanceRequest& r,
             v1::GetTrialBalanceResponse* out) { return DoGetTrialBalance(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::GetFundStatement(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetFundStatementRequest, v1::GetFundStatementResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetFundStatement"),
      [this](const Caller& caller, const v1::GetFundStatementRequest& r,
             v1::GetFundStatementResponse* out) { return DoGetFundStatement(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::GetBranchStatement(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetBranchStatementRequest, v1::GetBranchStatementResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetBranchStatement"),
      [this](const Caller& caller, const v1::GetBranchStatementRequest& r,
             v1::GetBranchStatementResponse* out) { return DoGetBranchStatement(caller, r, out); });
}

grpc::ServerUnaryReactor* QueriesService::GetIncomeStatement(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetIncomeStatementRequest, v1::GetIncomeStatementResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerQueries/GetIncomeStatement"),
      [this](const Caller& caller, const v1::GetIncomeStatementRequest& r,
             v1::GetIncomeStatementResponse* out) { return DoGetIncomeStatement(caller, r, out); });
}

grpc::ServerUnaryReactor* AuditService::GetHead(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetHeadRequest, v1::GetHeadResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/GetHead"),
      [this](const Caller& caller, const v1::GetHeadRequest& r, v1::GetHeadResponse* out) {
        return DoGetHead(caller, r, out);
      });
}

grpc::ServerUnaryReactor* AuditService::ReadEvents(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  return ServeUnary<v1::ReadEventsRequest, v1::ReadEventsResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/ReadEvents"),
      [this](const Caller& caller, const v1::ReadEventsRequest& r, v1::ReadEventsResponse* out) {
        return DoReadEvents(caller, r, out);
      });
}

grpc::ServerUnaryReactor* AuditService::GetEvent(grpc::CallbackServerContext* context,
                                                 const grpc::ByteBuffer* request,
                                                 grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetEventRequest, v1::GetEventResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/GetEvent"),
      [this](const Caller& caller, const v1::GetEventRequest& r, v1::GetEventResponse* out) {
        return DoGetEvent(caller, r, out);
      });
}

grpc::ServerUnaryReactor* AuditService::VerifyChain(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return ServeUnaryOnThread<v1::VerifyChainRequest, v1::VerifyChainResponse>(
      context, request, response, &ctx_->heavy, ctx_->Admit(*context, "LedgerAudit/VerifyChain"),
      [this](const Caller& caller, const v1::VerifyChainRequest& r, v1::VerifyChainResponse* out) {
        return DoVerifyChain(caller, r, out);
      });
}

grpc::ServerUnaryReactor* AuditService::RebuildProjections(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return ServeUnaryOnThread<v1::RebuildProjectionsRequest, v1::RebuildProjectionsResponse>(
      context, request, response, &ctx_->heavy,
      ctx_->Admit(*context, "LedgerAudit/RebuildProjections"),
      [this](const Caller& caller, const v1::RebuildProjectionsRequest& r,
             v1::RebuildProjectionsResponse* out) { return DoRebuildProjections(caller, r, out); });
}

grpc::ServerUnaryReactor* AuditService::GetCheckpoint(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetCheckpointRequest, v1::GetCheckpointResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/GetCheckpoint"),
      [this](const Caller&, const v1::GetCheckpointRequest& r, v1::GetCheckpointResponse* out) {
        return DoGetCheckpoint(r, out);
      });
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetInclusionProofRequest, v1::GetInclusionProofResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/GetInclusionProof"),
      [this](const Caller& caller, const v1::GetInclusionProofRequest& r,
             v1::GetInclusionProofResponse* out) { return DoGetInclusionProof(caller, r, out); });
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(grpc::CallbackServerContext* context,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetConsistencyProofRequest, v1::GetConsistencyProofResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/GetConsistencyProof"),
      [this](const Caller&, const v1::GetConsistencyProofRequest& r,
             v1::GetConsistencyProofResponse* out) { return DoGetConsistencyProof(r, out); });
}

// A witness's cosignature is a small synced write: served on the gRPC
// thread like the queries (witnesses call about once a minute).
grpc::ServerUnaryReactor* AuditService::AddCosignature(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return ServeUnary<v1::AddCosignatureRequest, v1::AddCosignatureResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAudit/AddCosignature"),
      [this](const Caller&, const v1::AddCosignatureRequest& r, v1::AddCosignatureResponse* out) {
        return DoAddCosignature(r, out);
      });
}

}  // namespace ledger
