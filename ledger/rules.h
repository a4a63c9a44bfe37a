// The rules: what makes an event acceptable, and what it does to the state.
//
// Two stages, both pure functions of their inputs:
//   1. ValidateInput: the event alone (ids, amounts, currencies, dates, text
//      limits). Refusals are INVALID_ARGUMENT naming the field.
//   2. ApplyEvent: the event against the current state (unknown or closed
//      beneficiaries and branches, insufficient funds, reversals), then its
//      effects on every projection row. Used both by the writer and by a
//      rebuild, so a rebuild runs exactly the rules that accepted the event.
// ApplyEvent may leave partial changes in `state` when it refuses; callers
// apply it to a throw-away overlay (see OverlayState).
#ifndef LEDGER_RULES_H_
#define LEDGER_RULES_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/state.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

// An event already in the log (or earlier in the batch being built).
struct LoggedEvent {
  uint64_t position = 0;
  v1::EventPayload payload;
};

// Finds events by event_id, for reversals.
class EventLookup {
 public:
  virtual ~EventLookup() = default;
  virtual absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) = 0;
};

// Stage 1. Field paths in errors are relative to the EventInput
// ("body.donation_received.amount.currency").
absl::Status ValidateInput(const v1::EventInput& input);

// Which checks stage 2 runs.
enum class EventChecks {
  // An event being recorded: every rule, including the dated ones of
  // ledger/dated_checks.h.
  kWhenRecorded,
  // An event already in the log, replayed by a rebuild or a point-in-time
  // view: the rules of recording order only. The dated checks are left out,
  // so an event accepted by the rules of its day replays to the same state
  // whatever rules were added since.
  kOnReplay,
};

// Stage 2. `payload` is to be recorded at `position`.
absl::Status ApplyEvent(uint64_t position, const v1::EventPayload& payload,
                        StateView& state, EventLookup& lookup, EventChecks checks);

// The fee a branch owes per period under its basis, or an error on overflow.
absl::StatusOr<int64_t> FeePerPeriod(const v1::FeeBasis& basis, int64_t members);

// The currency of a fee basis.
const std::string& FeeCurrency(const v1::FeeBasis& basis);

// Months in one fee period.
int MonthsPerPeriod(v1::FeePeriod period);

// A human label for an event kind ("donation_received").
absl::string_view KindName(const v1::EventBody& body);

}  // namespace ledger

#endif  // LEDGER_RULES_H_
