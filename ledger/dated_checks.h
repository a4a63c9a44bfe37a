// Dates are facts too: the checks that make an event hold as of its own
// occurred_on as well as now (shared/DESIGN.md, "Dates are facts too").
//
// The rules of ledger/rules.h run in recording order; these add the order of
// dates. An event is refused when
//   * it is dated more than one day after the server's today (a typo year);
//   * it is dated before the thing it needs came into being (a donation to a
//     fund before the fund was registered, a fee before the branch
//     affiliated, a reversal before the event it reverses);
//   * it would take a fund below zero on any day from its date on, counting
//     every event dated on or before that day (a payment dated 15 January
//     entered after a donation dated 20 January);
//   * it closes a fund, or disaffiliates a branch, before its last movement.
// The checks read the per-day delta rows (ledger/effects.h): their cost is
// the number of days with movements after the event's date, never a replay.
//
// They run when an event is recorded, not when the log is replayed: an event
// in the log was accepted by the rules of its day, and a rebuild applies its
// effects.
#ifndef LEDGER_DATED_CHECKS_H_
#define LEDGER_DATED_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/effects.h"
#include "ledger/rules.h"
#include "ledger/state.h"

namespace ledger {

// The last day an event recorded at `recorded_at_us` may be dated: the day
// after its UTC day (a treasurer east of Greenwich may record "tomorrow").
absl::CivilDay LatestAcceptedDay(int64_t recorded_at_us);

// INVALID_ARGUMENT, reason DATE_IN_FUTURE, field "occurred_on", detail.date
// the latest accepted day, when `occurred_on` is after LatestAcceptedDay.
// REQUIRES: occurred_on is a valid date.
absl::Status CheckNotInFuture(absl::string_view occurred_on, int64_t recorded_at_us);

// FAILED_PRECONDITION with `reason`, field "occurred_on" and detail.date
// `since`, when `occurred_on` is before `since`: "occurred_on: 2026-01-10 is
// before <what> (2026-02-01)". Dates compare as YYYY-MM-DD strings; an empty
// `since` never refuses.
absl::Status CheckNotBefore(absl::string_view occurred_on, absl::string_view since,
                            absl::string_view reason, absl::string_view what);

// The checks of an event against the dates of what it needs (the fund's
// registration, the branch's affiliation, the reversed event, the fund's or
// branch's last movement), read from `state` before the event is applied.
// Entities that are missing or in the wrong status are left to the rules of
// ledger/rules.h, which refuse them with their own reasons.
absl::Status CheckEventDates(const v1::EventPayload& payload, StateView& state,
                             EventLookup& lookup);

// For every fund that `effects` take money from, the fund must hold enough
// on every day from `occurred_on` on. FAILED_PRECONDITION, reason
// INSUFFICIENT_FUNDS, with the fund, the first day it would go below zero
// (detail.date), what it held at the end of that day and what was requested.
// REQUIRES: the current fund rows in `state` already include `effects`; the
// per-day rows do not yet.
absl::Status CheckFundsOnEveryDay(StateView& state, absl::string_view occurred_on,
                                  const Effects& effects);

// The latest day after `day` on which `fund` ("general" or
// "beneficiary/<id>") moved in `currency`; nullopt if none.
absl::StatusOr<std::optional<std::string>> LastMovementAfter(StateView& state,
                                                             absl::string_view fund,
                                                             absl::string_view currency,
                                                             absl::string_view day);

}  // namespace ledger

#endif  // LEDGER_DATED_CHECKS_H_
