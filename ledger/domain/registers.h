// The refusals shared by the event kinds: registers that must exist and be
// open, and the dated rules ("Dates are facts too", shared/DESIGN.md).
//
// `field` is the path of the request field at fault, relative to the
// EventInput ("body.funds_allocated.beneficiary_id").
#ifndef LEDGER_DOMAIN_REGISTERS_H_
#define LEDGER_DOMAIN_REGISTERS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/domain/books.h"

namespace ledger {

// NOT_FOUND (UNKNOWN_BENEFICIARY) for an unknown fund; with Open, also
// FAILED_PRECONDITION (BENEFICIARY_CLOSED) for a closed one.
absl::StatusOr<v1::Beneficiary> LoadBeneficiary(Books& books, absl::string_view id,
                                                absl::string_view field);
absl::StatusOr<v1::Beneficiary> LoadOpenBeneficiary(Books& books, absl::string_view id,
                                                    absl::string_view field);
// NOT_FOUND (UNKNOWN_BRANCH); with Affiliated, also FAILED_PRECONDITION
// (BRANCH_NOT_AFFILIATED).
absl::StatusOr<v1::Branch> LoadBranch(Books& books, absl::string_view id, absl::string_view field);
absl::StatusOr<v1::Branch> LoadAffiliatedBranch(Books& books, absl::string_view id,
                                                absl::string_view field);

// FAILED_PRECONDITION (INSUFFICIENT_FUNDS): "insufficient funds in
// fund:<fund>: available X, requested Y".
absl::Status InsufficientFunds(absl::string_view fund, absl::string_view currency,
                               int64_t available_minor, int64_t requested_minor);

// OUT_OF_RANGE (OVERFLOW): "<what> would overflow".
absl::Status Overflow(absl::string_view what);

// ---- dated rules (only for events being recorded)

// The last day an event recorded at `recorded_at_us` may be dated: the day
// after its UTC day (a treasurer east of Greenwich may record "tomorrow").
absl::CivilDay LatestAcceptedDay(int64_t recorded_at_us);

// INVALID_ARGUMENT (DATE_IN_FUTURE), field "occurred_on", detail.date the
// latest accepted day, when `occurred_on` is after LatestAcceptedDay.
absl::Status CheckNotInFuture(absl::string_view occurred_on, int64_t recorded_at_us);

// FAILED_PRECONDITION with `reason`, field "occurred_on" and detail.date
// `since`, when `occurred_on` is before `since`: "occurred_on: 2026-01-10 is
// before <what> (2026-02-01)". An empty `since` never refuses.
absl::Status CheckNotBefore(absl::string_view occurred_on, absl::string_view since,
                            absl::string_view reason, absl::string_view what);

// CheckNotBefore the fund's registration (DATE_BEFORE_REGISTRATION).
absl::Status CheckDatedAfterRegistration(absl::string_view occurred_on, const v1::Beneficiary& b);
// CheckNotBefore the branch's (latest) affiliation (DATE_BEFORE_AFFILIATION).
absl::Status CheckDatedAfterAffiliation(absl::string_view occurred_on, const v1::Branch& b);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_REGISTERS_H_
