// Applying an event's effects to the projection rows: the one place where
// Effects (ledger/domain/effects.h) become rows.
//
//   current balances   fund/ (every counter), acct/ (from the postings), totals
//   registers          ben/ and br/ rows as the event left them, plus what the
//                      money adds: branch contributions in br/, and every
//                      currency a fund has held in ben/; rev/ marks
//   delta rows         the same money per day (by occurred_on) and per bucket
//                      of positions, and the date index occ/
// The writer applies them in the commit's own batch; a rebuild applies them
// to an empty in-memory state and compares.
#ifndef LEDGER_PROJECTIONS_APPLY_H_
#define LEDGER_PROJECTIONS_APPLY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/effects.h"
#include "ledger/storage/rows.h"

namespace ledger {

// Applies `effects` of the event at `position`, dated `occurred_on`.
// OUT_OF_RANGE (OVERFLOW) if a running total would overflow; `state` may
// then hold part of the change (callers apply to a throw-away overlay).
absl::Status ApplyEffects(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects);

// The per-day and per-bucket delta rows and the date index alone (part of
// ApplyEffects).
absl::Status RecordDeltas(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects);

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_APPLY_H_
