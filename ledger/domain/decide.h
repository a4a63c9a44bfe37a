// Deciding an event: the two stages every event goes through, for every kind.
//
//   1. ValidateInput: the event alone (ids, amounts, currencies, dates, text).
//      Refusals are INVALID_ARGUMENT naming the field.
//   2. Decide: the event against the books. The kind's own preconditions and
//      effects (ledger/domain/kind.h), then what holds for every kind: the
//      postings balance, and no fund goes below zero, now or - when the
//      event is being recorded - on any day from its date on, counting every
//      event dated on or before that day ("Dates are facts too",
//      shared/DESIGN.md). Recording also refuses a date more than one day
//      after the server's today, and a date on or before the day the books
//      are closed through (PERIOD_CLOSED, ledger/domain/periods.h), for
//      every kind, governance included.
// Deciding writes nothing: the effects it returns are applied by the
// projections (ledger/projections/apply.h), in the writer's batch or in a
// rebuild. Both stages are pure functions of their inputs.
#ifndef LEDGER_DOMAIN_DECIDE_H_
#define LEDGER_DOMAIN_DECIDE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/domain/books.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/kind.h"

namespace ledger {

// Stage 1. Field paths in errors are relative to the EventInput
// ("body.donation_received.amount.currency").
absl::Status ValidateInput(const v1::EventInput& input);

// Stage 2: the effects of `payload`, to be recorded (or replayed) at
// `position`, or the refusal. `lookup` finds reversal targets.
absl::StatusOr<Effects> Decide(uint64_t position, const v1::EventPayload& payload, Books& books,
                               EventLookup& lookup, EventChecks checks);

// The money effects alone of an event already in the log (postings, fund,
// branch and totals changes, the event count): what Decide returned for it.
// For point-in-time views and statements, which read events back. A
// reversal looks its target up (DATA_LOSS if it is missing).
absl::StatusOr<Effects> MoneyEffectsOf(const v1::EventPayload& payload, EventLookup& lookup);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_DECIDE_H_
