#include "ledger/views/balances.h"

#include "ledger/views/queries.h"

namespace ledger {

absl::StatusOr<v1::WatchBalancesResponse> BuildBalances(ReadView& view, absl::CivilDay today) {
  v1::WatchBalancesResponse out;
  ASSIGN_OR_RETURN(*out.mutable_summary(), QuerySummary(view));
  ASSIGN_OR_RETURN(v1::ListBeneficiariesResponse bens, QueryBeneficiaries(view, true));
  *out.mutable_beneficiaries() = std::move(*bens.mutable_beneficiaries());
  ASSIGN_OR_RETURN(v1::ListBranchesResponse branches, QueryBranches(view, true, today));
  *out.mutable_branches() = std::move(*branches.mutable_branches());
  out.set_today(FormatDate(today));
  return out;
}

absl::CivilDay ArrearsDay(const v1::AsOf& as_of, Clock* clock) {
  if (as_of.has_end_of_date()) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(as_of.end_of_date());
    if (day.ok()) return *day;
  }
  return TodayUtc(clock);
}

}  // namespace ledger
