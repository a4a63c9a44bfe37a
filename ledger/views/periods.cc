#include "ledger/views/periods.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"
#include "ledger/views/queries.h"

namespace ledger {

absl::StatusOr<std::string> ClosedThroughAt(ReadView& view) {
  ASSIGN_OR_RETURN(std::optional<v1::ClosedPeriod> closed,
                   view.Load<v1::ClosedPeriod>(kClosedPeriodKey));
  return closed ? closed->through() : std::string();
}

absl::StatusOr<v1::GetPeriodsResponse> QueryPeriods(ReadView& view) {
  v1::GetPeriodsResponse out;
  *out.mutable_as_of() = HeadOf(view);
  ASSIGN_OR_RETURN(std::optional<v1::ClosedPeriod> closed,
                   view.Load<v1::ClosedPeriod>(kClosedPeriodKey));
  if (closed) *out.mutable_closed() = *std::move(closed);
  std::vector<v1::PeriodProposal> pending;
  RETURN_IF_ERROR(view.ForEach<v1::PeriodProposal>(
      kPeriodProposalKeyPrefix, [&](absl::string_view, const v1::PeriodProposal& p) {
        if (p.closed_position() == 0) pending.push_back(p);
        return absl::OkStatus();
      }));
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
    return a.proposed_position() < b.proposed_position();
  });
  for (v1::PeriodProposal& p : pending) *out.add_pending() = std::move(p);
  return out;
}

}  // namespace ledger
