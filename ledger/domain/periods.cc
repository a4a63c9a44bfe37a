#include "ledger/domain/periods.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/registers.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger {

absl::StatusOr<std::string> ClosedThrough(Books& books) {
  ASSIGN_OR_RETURN(std::optional<v1::ClosedPeriod> closed, books.FindClosedPeriod());
  return closed ? closed->through() : std::string();
}

absl::Status CheckNotInClosedPeriod(absl::string_view occurred_on,
                                    absl::string_view closed_through) {
  if (closed_through.empty() || occurred_on > closed_through) return absl::OkStatus();
  v1::ErrorDetail detail;
  detail.set_reason(kReasonPeriodClosed);
  detail.set_field("occurred_on");
  detail.set_date(std::string(closed_through));
  return WithDetail(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("occurred_on: ", occurred_on,
                   " is in a closed period (the books are closed through ", closed_through,
                   "); corrections are dated in the open period, after ", closed_through),
      detail);
}

absl::Status CheckThroughDate(absl::string_view field, absl::string_view through) {
  if (through.empty()) return InvalidField(field, "is required");
  if (!ParseDate(through).ok()) {
    return InvalidField(field, absl::StrCat("\"", through.substr(0, 40),
                                            "\" is not a real day written YYYY-MM-DD"));
  }
  return absl::OkStatus();
}

absl::Status CheckThroughAfterClosed(absl::string_view through, absl::string_view closed_through,
                                     absl::string_view field) {
  if (closed_through.empty() || through > closed_through) return absl::OkStatus();
  v1::ErrorDetail detail;
  detail.set_reason(kReasonPeriodNotAfterClosed);
  detail.set_field(std::string(field));
  detail.set_date(std::string(closed_through));
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat(field, ": ", through, " is not after ", closed_through,
                                 ", the day the books are already closed through"),
                    detail);
}

absl::Status CheckThroughDatedRules(absl::string_view through, absl::string_view occurred_on,
                                    int64_t recorded_at_us, absl::string_view field) {
  const std::string today = FormatDate(LatestAcceptedDay(recorded_at_us) - 1);
  if (through > today) {
    v1::ErrorDetail detail;
    detail.set_reason(kReasonDateInFuture);
    detail.set_field(std::string(field));
    detail.set_date(today);
    return WithDetail(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(field, ": ", through,
                                   " is in the future; a period can be closed through today (",
                                   today, ") at the latest"),
                      detail);
  }
  if (occurred_on > through) return absl::OkStatus();
  v1::ErrorDetail detail;
  detail.set_reason(kReasonDateNotAfterPeriod);
  detail.set_field("occurred_on");
  detail.set_date(std::string(through));
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("occurred_on: ", occurred_on, " is inside the period it closes (",
                                 "through ", through, "); date it after ", through),
                    detail);
}

absl::StatusOr<v1::PeriodProposal> LoadPendingProposal(Books& books, absl::string_view proposal_id,
                                                       absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::PeriodProposal> p, books.FindPeriodProposal(proposal_id));
  if (!p) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownProposal,
                   absl::StrCat(field, ": no proposal to close a period \"", proposal_id, "\""),
                   field);
  }
  if (p->closed_position() != 0) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonProposalNotPending,
                   absl::StrCat(field, ": proposal ", proposal_id, " was used on ", p->closed_on(),
                                " by ", p->closed_by(), " (closed through ", p->through(), ")"),
                   field);
  }
  return *std::move(p);
}

}  // namespace ledger
