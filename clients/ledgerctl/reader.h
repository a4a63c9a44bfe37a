// Where reader commands get their answers: the server over gRPC, or a data
// directory (a stopped ledger's copy, a restored backup) opened read-only.
//
// Both implementations answer with the API's response messages, so a reader
// command prints the same thing either way. Offline, the answers come from
// the very functions the server calls (ledger/queries.h, ledger/statements.h,
// ledger/point_in_time.h) over a ledger::ReadView, and arrears are judged at
// the as-of date or, without one, today (UTC) by this machine's clock, as the
// server judges them by its own.
//
// Offline, the data directory is never written: it is opened read-only,
// without the lock, so it may even be a live server's (the answer is then
// the state at the moment of opening).
//
// Thread-safety: a Reader is used by one thread.
#ifndef CLIENTS_LEDGERCTL_READER_H_
#define CLIENTS_LEDGERCTL_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/ledgerctl/args.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledgerctl {

namespace v1 = ::solidarity::ledger::v1;

class Reader {
 public:
  virtual ~Reader() = default;

  virtual absl::StatusOr<v1::GetSummaryResponse> Summary(const v1::GetSummaryRequest& r) = 0;
  virtual absl::StatusOr<v1::ListBeneficiariesResponse> Beneficiaries(
      const v1::ListBeneficiariesRequest& r) = 0;
  virtual absl::StatusOr<v1::GetBeneficiaryResponse> Beneficiary(
      const v1::GetBeneficiaryRequest& r) = 0;
  virtual absl::StatusOr<v1::ListBranchesResponse> Branches(const v1::ListBranchesRequest& r) = 0;
  virtual absl::StatusOr<v1::GetBranchResponse> Branch(const v1::GetBranchRequest& r) = 0;
  virtual absl::StatusOr<v1::GetTrialBalanceResponse> TrialBalance(
      const v1::GetTrialBalanceRequest& r) = 0;
  virtual absl::StatusOr<v1::GetFundStatementResponse> FundStatement(
      const v1::GetFundStatementRequest& r) = 0;
  virtual absl::StatusOr<v1::GetBranchStatementResponse> BranchStatement(
      const v1::GetBranchStatementRequest& r) = 0;
  virtual absl::StatusOr<v1::GetIncomeStatementResponse> IncomeStatement(
      const v1::GetIncomeStatementRequest& r) = 0;
  virtual absl::StatusOr<v1::GetHeadResponse> Head() = 0;
  virtual absl::StatusOr<v1::ReadEventsResponse> Events(const v1::ReadEventsRequest& r) = 0;
  virtual absl::StatusOr<v1::GetEventResponse> Event(const v1::GetEventRequest& r) = 0;
  // The verifiable log. Offline, the checkpoints are those the copy holds
  // (the witnesses the server accepts are not known).
  virtual absl::StatusOr<v1::GetCheckpointResponse> Checkpoint(
      const v1::GetCheckpointRequest& r) = 0;
  virtual absl::StatusOr<v1::GetInclusionProofResponse> InclusionProof(
      const v1::GetInclusionProofRequest& r) = 0;
  virtual absl::StatusOr<v1::GetConsistencyProofResponse> ConsistencyProof(
      const v1::GetConsistencyProofRequest& r) = 0;

  // Each event from `from` to the head, in order, to `fn`; with `follow`,
  // then every new one until the stream ends (online only: offline the
  // log does not grow, and `follow` is INVALID_ARGUMENT).
  virtual absl::Status Tail(uint64_t from, bool follow,
                            const std::function<void(const v1::Event&)>& fn) = 0;
};

// Opens a data directory (or restored backup) read-only; NOT_FOUND when it
// holds no ledger. It is never created or written.
// A data directory or restored backup, read-only; with the key file of
// `globals` (if any) to open private details.
absl::StatusOr<std::unique_ptr<ledger::EventLog>> OpenDataDir(const std::string& dir,
                                                              const GlobalOptions& globals);

// The reader for a command: offline on --data-dir DIR when given, else the
// server named by --server.
absl::StatusOr<std::unique_ptr<Reader>> OpenReader(const Invocation& in);

}  // namespace ledgerctl

#endif  // CLIENTS_LEDGERCTL_READER_H_
