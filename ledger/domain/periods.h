// Closed periods: the day the books are closed through, the proposals to
// close them further, and the rule every recorded event meets (none may be
// dated inside a closed period), shared by decide.cc, the period kinds
// (ledger/domain/events/period_*.cc) and the views that read them.
#ifndef LEDGER_DOMAIN_PERIODS_H_
#define LEDGER_DOMAIN_PERIODS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/books.h"

namespace ledger {

// The day the books are closed through; "" while no period is closed.
absl::StatusOr<std::string> ClosedThrough(Books& books);

// The rule of closed periods, for an event being recorded: FAILED_PRECONDITION
// (PERIOD_CLOSED, field "occurred_on", detail.date the closed-through day)
// when `occurred_on` is on or before `closed_through`. An empty
// `closed_through` never refuses.
absl::Status CheckNotInClosedPeriod(absl::string_view occurred_on,
                                    absl::string_view closed_through);

// Stage 1 of a `through` field: a real day written YYYY-MM-DD.
absl::Status CheckThroughDate(absl::string_view field, absl::string_view through);

// `through` must be after the day the books are closed through
// (FAILED_PRECONDITION, PERIOD_NOT_AFTER_CLOSED, on `field`).
absl::Status CheckThroughAfterClosed(absl::string_view through, absl::string_view closed_through,
                                     absl::string_view field);

// When recording: `through` may not be after the server's UTC today at
// `recorded_at_us` (INVALID_ARGUMENT, DATE_IN_FUTURE, on `field`,
// detail.date today), and the event itself is dated after `through`
// (FAILED_PRECONDITION, DATE_NOT_AFTER_PERIOD, field "occurred_on").
absl::Status CheckThroughDatedRules(absl::string_view through, absl::string_view occurred_on,
                                    int64_t recorded_at_us, absl::string_view field);

// The proposal, which must exist (NOT_FOUND, UNKNOWN_PROPOSAL) and be pending
// (FAILED_PRECONDITION, PROPOSAL_NOT_PENDING), on `field`.
absl::StatusOr<v1::PeriodProposal> LoadPendingProposal(Books& books, absl::string_view proposal_id,
                                                       absl::string_view field);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_PERIODS_H_
