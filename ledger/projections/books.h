// RowBooks: the domain's Books read from projection rows (ledger/domain/books.h).
//
// Over a writer's batch it sees every event accepted before, including the
// earlier ones of the same commit; over a rebuild's in-memory rows, every
// event replayed so far.
#ifndef LEDGER_PROJECTIONS_BOOKS_H_
#define LEDGER_PROJECTIONS_BOOKS_H_

#include "ledger/domain/books.h"
#include "ledger/storage/rows.h"

namespace ledger {

class RowBooks : public Books {
 public:
  explicit RowBooks(RowReader& rows) : rows_(rows) {}

  absl::StatusOr<std::optional<v1::Beneficiary>> FindBeneficiary(absl::string_view id) override;
  absl::StatusOr<std::optional<v1::Branch>> FindBranch(absl::string_view id) override;
  absl::StatusOr<std::optional<v1::ReversalMark>> FindReversal(uint64_t position) override;
  absl::StatusOr<std::optional<v1::Member>> FindMember(absl::string_view member_id) override;
  absl::StatusOr<std::optional<v1::Token>> FindToken(absl::string_view token_id) override;
  absl::StatusOr<std::optional<std::string>> FindTokenIdByHash(
      absl::string_view token_hash) override;
  absl::StatusOr<int> CountActiveAdmins() override;
  absl::StatusOr<std::optional<v1::DisbursementRequest>> FindRequest(
      absl::string_view request_id) override;
  absl::StatusOr<std::optional<v1::ApprovalPolicySet>> FindApprovalPolicy() override;
  absl::StatusOr<std::optional<v1::ClosedPeriod>> FindClosedPeriod() override;
  absl::StatusOr<std::optional<v1::PeriodProposal>> FindPeriodProposal(
      absl::string_view proposal_id) override;
  absl::StatusOr<v1::FundBalance> Fund(absl::string_view fund, absl::string_view currency) override;
  absl::StatusOr<std::vector<DayChange>> FundDaysFrom(absl::string_view fund,
                                                      absl::string_view currency,
                                                      absl::string_view from_day) override;

 private:
  RowReader& rows_;
};

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_BOOKS_H_
