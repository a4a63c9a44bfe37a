#include "clients/ledgerctl/reader.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/output.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/statements.h"
#include "ledger/crypto/keyring.h"
#include "ledger/domain/civil_date.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"
#include "ledger/transparency/checkpoints.h"
#include "ledger/transparency/proofs.h"
#include "ledger/views/balances.h"
#include "ledger/views/queries.h"

namespace ledgerctl {
namespace {

using ledger::ReadView;

// ------------------------------------------------------------------ online

class GrpcReader : public Reader {
 public:
  explicit GrpcReader(const GlobalOptions& globals) : client_(globals) {}

#define LEDGERCTL_UNARY(Method, Stub, Rpc, Request, Response)          \
  absl::StatusOr<v1::Response> Method(const v1::Request& r) override { \
    v1::Response out;                                                  \
    RETURN_IF_ERROR(client_.Call([&](grpc::ClientContext* c) {         \
      out.Clear();                                                     \
      return client_.Stub().Rpc(c, r, &out);                           \
    }));                                                               \
    return out;                                                        \
  }
  LEDGERCTL_UNARY(Summary, queries, GetSummary, GetSummaryRequest, GetSummaryResponse)
  LEDGERCTL_UNARY(Beneficiary, queries, GetBeneficiary, GetBeneficiaryRequest,
                  GetBeneficiaryResponse)
  LEDGERCTL_UNARY(Branch, queries, GetBranch, GetBranchRequest, GetBranchResponse)
  LEDGERCTL_UNARY(TrialBalance, queries, GetTrialBalance, GetTrialBalanceRequest,
                  GetTrialBalanceResponse)
  LEDGERCTL_UNARY(FundStatement, queries, GetFundStatement, GetFundStatementRequest,
                  GetFundStatementResponse)
  LEDGERCTL_UNARY(BranchStatement, queries, GetBranchStatement, GetBranchStatementRequest,
                  GetBranchStatementResponse)
  LEDGERCTL_UNARY(IncomeStatement, queries, GetIncomeStatement, GetIncomeStatementRequest,
                  GetIncomeStatementResponse)
  LEDGERCTL_UNARY(Events, audit, ReadEvents, ReadEventsRequest, ReadEventsResponse)
  LEDGERCTL_UNARY(Event, audit, GetEvent, GetEventRequest, GetEventResponse)
  LEDGERCTL_UNARY(Checkpoint, audit, GetCheckpoint, GetCheckpointRequest, GetCheckpointResponse)
  LEDGERCTL_UNARY(InclusionProof, audit, GetInclusionProof, GetInclusionProofRequest,
                  GetInclusionProofResponse)
  LEDGERCTL_UNARY(ConsistencyProof, audit, GetConsistencyProof, GetConsistencyProofRequest,
                  GetConsistencyProofResponse)
#undef LEDGERCTL_UNARY

  // The registers come in pages (at most kMaxListPage each): every page, in
  // one answer.
  absl::StatusOr<v1::ListBeneficiariesResponse> Beneficiaries(
      const v1::ListBeneficiariesRequest& r) override {
    return AllPages<v1::ListBeneficiariesResponse>(
        r,
        [](v1::ListBeneficiariesResponse* all, v1::ListBeneficiariesResponse* page) {
          for (auto& b : *page->mutable_beneficiaries()) *all->add_beneficiaries() = std::move(b);
        },
        [this](grpc::ClientContext* c, const v1::ListBeneficiariesRequest& req,
               v1::ListBeneficiariesResponse* out) {
          return client_.queries().ListBeneficiaries(c, req, out);
        });
  }
  absl::StatusOr<v1::ListBranchesResponse> Branches(const v1::ListBranchesRequest& r) override {
    return AllPages<v1::ListBranchesResponse>(
        r,
        [](v1::ListBranchesResponse* all, v1::ListBranchesResponse* page) {
          for (auto& b : *page->mutable_branches()) *all->add_branches() = std::move(b);
        },
        [this](grpc::ClientContext* c, const v1::ListBranchesRequest& req,
               v1::ListBranchesResponse* out) {
          return client_.queries().ListBranches(c, req, out);
        });
  }

  absl::StatusOr<v1::GetHeadResponse> Head() override {
    v1::GetHeadResponse out;
    RETURN_IF_ERROR(client_.Call([&](grpc::ClientContext* c) {
      out.Clear();
      return client_.audit().GetHead(c, v1::GetHeadRequest(), &out);
    }));
    return out;
  }

  absl::Status Tail(uint64_t from, bool follow,
                    const std::function<void(const v1::Event&)>& fn) override {
    return client_.Subscribe(from, follow, fn);
  }

 private:
  // Asks for pages (`rpc`) from the first until one without a
  // next_page_token, gathering them with `append`; starts over (a few
  // times) when the head moved between pages, so that the answer is one
  // position's.
  template <typename Response, typename Request, typename Append, typename Rpc>
  absl::StatusOr<Response> AllPages(const Request& first, Append append, Rpc rpc) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      Request req = first;
      req.clear_page_token();
      req.set_page_size(ledger::kMaxListPage);
      Response all, page;
      bool moved = false;
      for (bool more = true; more && !moved;) {
        RETURN_IF_ERROR(client_.Call([&](grpc::ClientContext* c) {
          page.Clear();
          return rpc(c, req, &page);
        }));
        if (req.page_token().empty()) {
          all = page;
        } else if (page.as_of().position() != all.as_of().position()) {
          moved = true;
        } else {
          append(&all, &page);
        }
        more = !page.next_page_token().empty();
        req.set_page_token(page.next_page_token());
      }
      if (!moved) {
        all.clear_next_page_token();
        return all;
      }
    }
    return absl::AbortedError("the books kept changing while their pages were read; try again");
  }

  Client client_;
};

// ------------------------------------------------------------------ offline

// Answers as the server's handlers do (services/ledger_services.cc), over a
// read-only EventLog.
class OfflineReader : public Reader {
 public:
  explicit OfflineReader(std::unique_ptr<ledger::EventLog> log) : log_(std::move(log)) {}

  absl::StatusOr<v1::GetSummaryResponse> Summary(const v1::GetSummaryRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    return ledger::QuerySummary(*view);
  }

  absl::StatusOr<v1::ListBeneficiariesResponse> Beneficiaries(
      const v1::ListBeneficiariesRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    return ledger::QueryBeneficiaries(*view, r.include_closed(), Access());
  }

  absl::StatusOr<v1::GetBeneficiaryResponse> Beneficiary(
      const v1::GetBeneficiaryRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    v1::GetBeneficiaryResponse out;
    ASSIGN_OR_RETURN(*out.mutable_beneficiary(),
                     ledger::QueryBeneficiary(*view, r.beneficiary_id(), Access()));
    *out.mutable_as_of() = ledger::HeadOf(*view);
    return out;
  }

  absl::StatusOr<v1::ListBranchesResponse> Branches(const v1::ListBranchesRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    return ledger::QueryBranches(*view, r.include_disaffiliated(), DayFor(r.as_of()));
  }

  absl::StatusOr<v1::GetBranchResponse> Branch(const v1::GetBranchRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    const absl::CivilDay today = DayFor(r.as_of());
    v1::GetBranchResponse out;
    ASSIGN_OR_RETURN(*out.mutable_branch(), ledger::QueryBranch(*view, r.branch_id(), today));
    *out.mutable_as_of() = ledger::HeadOf(*view);
    out.set_today(ledger::FormatDate(today));
    return out;
  }

  absl::StatusOr<v1::GetTrialBalanceResponse> TrialBalance(
      const v1::GetTrialBalanceRequest& r) override {
    ASSIGN_OR_RETURN(auto view, At(r.as_of()));
    return ledger::QueryTrialBalance(*view);
  }

  absl::StatusOr<v1::GetFundStatementResponse> FundStatement(
      const v1::GetFundStatementRequest& r) override {
    return ledger::FundStatement(*log_->NewReadView(), r.fund(), r.range(), Access());
  }

  absl::StatusOr<v1::GetBranchStatementResponse> BranchStatement(
      const v1::GetBranchStatementRequest& r) override {
    return ledger::BranchStatement(*log_->NewReadView(), r.branch_id(), r.range(), Access());
  }

  absl::StatusOr<v1::GetIncomeStatementResponse> IncomeStatement(
      const v1::GetIncomeStatementRequest& r) override {
    return ledger::IncomeStatement(*log_->NewReadView(), r.range());
  }

  absl::StatusOr<v1::GetHeadResponse> Head() override {
    auto view = log_->NewReadView();
    v1::GetHeadResponse out;
    *out.mutable_head() = ledger::HeadOf(*view);
    out.set_ledger_id(view->ledger_id());
    out.set_ledger_name(view->ledger_name());
    return out;
  }

  absl::StatusOr<v1::ReadEventsResponse> Events(const v1::ReadEventsRequest& r) override {
    return ledger::QueryEvents(*log_->NewReadView(), r.from_position(), r.limit(), Access());
  }

  absl::StatusOr<v1::GetEventResponse> Event(const v1::GetEventRequest& r) override {
    v1::GetEventResponse out;
    ASSIGN_OR_RETURN(*out.mutable_event(), ledger::QueryEvent(*log_->NewReadView(), r, Access()));
    return out;
  }

  absl::Status Tail(uint64_t from, bool follow,
                    const std::function<void(const v1::Event&)>& fn) override;

  absl::StatusOr<v1::GetCheckpointResponse> Checkpoint(const v1::GetCheckpointRequest& r) override {
    ledger::CheckpointStore store(&log_->database());
    v1::GetCheckpointResponse out;
    out.set_server_time_us(absl::ToUnixMicros(absl::Now()));
    ASSIGN_OR_RETURN(std::optional<std::string> vkey, store.VerifierKey());
    if (vkey) out.set_verifier_key(*vkey);
    if (r.tree_size() != 0) {
      ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> cp, store.Load(r.tree_size()));
      if (!cp) {
        return ledger::Refusal(
            absl::StatusCode::kNotFound, ledger::kReasonUnknownCheckpoint,
            absl::StrCat("tree_size: this copy holds no checkpoint of size ", r.tree_size()),
            "tree_size");
      }
      *out.mutable_checkpoint() = std::move(*cp);
      return out;
    }
    ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> latest, store.Latest());
    if (!latest) {
      return ledger::Refusal(absl::StatusCode::kFailedPrecondition, ledger::kReasonNoCheckpoint,
                             "this copy of the ledger holds no checkpoint");
    }
    *out.mutable_checkpoint() = std::move(*latest);
    ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> cosigned, store.LatestCosigned());
    if (cosigned) *out.mutable_latest_cosigned() = std::move(*cosigned);
    return out;
  }

  absl::StatusOr<v1::GetInclusionProofResponse> InclusionProof(
      const v1::GetInclusionProofRequest& r) override {
    ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> latest,
                     ledger::CheckpointStore(&log_->database()).Latest());
    return ledger::InclusionProofOf(*log_->NewReadView(), r, latest);
  }

  absl::StatusOr<v1::GetConsistencyProofResponse> ConsistencyProof(
      const v1::GetConsistencyProofRequest& r) override {
    ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> latest,
                     ledger::CheckpointStore(&log_->database()).Latest());
    return ledger::ConsistencyProofOf(*log_->NewReadView(), r, latest);
  }

 private:
  absl::StatusOr<std::unique_ptr<ReadView>> At(const v1::AsOf& as_of) {
    return ledger::ApplyAsOf(log_->NewReadView(), as_of);
  }

  // The day arrears are judged at: the as-of date if one is given, else today.
  // Arrears are judged as the server judges them (ledger/views/balances.h).
  static absl::CivilDay DayFor(const v1::AsOf& as_of) {
    return ledger::ArrearsDay(as_of, ledger::Clock::Real());
  }

  // Private details when the key file was given (the caller holds the key).
  ledger::DetailAccess Access() const { return {log_->keyring(), /*allowed=*/true}; }

  std::unique_ptr<ledger::EventLog> log_;
};

absl::Status OfflineReader::Tail(uint64_t from, bool follow,
                                 const std::function<void(const v1::Event&)>& fn) {
  if (follow) {
    return UsageError("tail -f follows a live server; a data directory does not grow (drop -f)",
                      "--follow", "tail");
  }
  auto view = log_->NewReadView();
  absl::Status inner;
  RETURN_IF_ERROR(view->ScanEvents(std::max<uint64_t>(1, from), [&](const ledger::StoredEvent& e) {
    absl::StatusOr<v1::Event> api = ToApiEvent(*view, e, Access());
    if (!api.ok()) {
      inner = api.status();
      return false;
    }
    fn(*api);
    return true;
  }));
  return inner;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ledger::EventLog>> OpenDataDir(const std::string& dir,
                                                              const GlobalOptions& globals) {
  ledger::EventLogOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  if (!globals.private_key_file.empty()) {
    ASSIGN_OR_RETURN(options.private_key, ledger::ReadKeyFile(globals.private_key_file));
  }
  return ledger::EventLog::Open(dir, options);
}

absl::StatusOr<std::unique_ptr<Reader>> OpenReader(const Invocation& in) {
  std::unique_ptr<Reader> reader;
  if (!in.Has("data-dir")) {
    reader = std::make_unique<GrpcReader>(in.globals());
    return reader;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventLog> log,
                   OpenDataDir(in.Get("data-dir"), in.globals()));
  reader = std::make_unique<OfflineReader>(std::move(log));
  return reader;
}

}  // namespace ledgerctl
