// Effects: what one accepted event adds to the running totals, as deltas.
//
// The writer records these deltas per day (by occurred_on) and per bucket of
// positions, beside the current balances, so that balances "as they stood" at
// a date or a position are sums over a bounded number of rows instead of a
// replay of the whole log (see ledger/point_in_time.h). EffectsOf is a pure
// function of the event (and, for a reversal, of the event it reverses).
#ifndef LEDGER_EFFECTS_H_
#define LEDGER_EFFECTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/rules.h"
#include "ledger/state.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

// Positions per bucket of position deltas.
inline constexpr uint64_t kPositionBucketSize = 1024;

struct Effects {
  std::vector<v1::FundBalance> funds;        // fund, currency, and field deltas
  std::vector<v1::AccountBalance> accounts;  // account, currency, debit/credit deltas
  // Branch money deltas: branch id -> totals delta.
  std::vector<std::pair<std::string, v1::BranchTotals>> branches;
  v1::LedgerTotals totals;                   // event_count 1, reversal_count, currency deltas
};

// The effects of `payload`. Reversals look their target up in `lookup`.
absl::StatusOr<Effects> EffectsOf(const v1::EventPayload& payload, EventLookup& lookup);

// Adds `from` into `into` (same kind of row), field by field, checked.
absl::Status AddFund(v1::FundBalance& into, const v1::FundBalance& from);
absl::Status AddAccount(v1::AccountBalance& into, const v1::AccountBalance& from);
absl::Status AddBranchTotals(v1::BranchTotals& into, const v1::BranchTotals& from);
absl::Status AddTotals(v1::LedgerTotals& into, const v1::LedgerTotals& from);

// Records the effects of the event at `position` (dated `occurred_on`) in the
// per-day and per-bucket delta rows and the date index of `state`.
absl::Status RecordDeltas(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects);

// Delta row keys (state column family; see ledger/FORMAT.md).
//   day:    d<kind>/<name>/<cur>/<YYYY-MM-DD>      dtot/<YYYY-MM-DD>
//   bucket: p<kind>/<name>/<cur>/<be64 bucket>     ptot/<be64 bucket>
//   date index: occ/<YYYY-MM-DD>/<be64 position>
inline constexpr char kDayFundPrefix[] = "dfund/";
inline constexpr char kDayAccountPrefix[] = "dacct/";
inline constexpr char kDayBranchPrefix[] = "dbr/";
inline constexpr char kDayTotalsPrefix[] = "dtot/";
inline constexpr char kBucketFundPrefix[] = "pfund/";
inline constexpr char kBucketAccountPrefix[] = "pacct/";
inline constexpr char kBucketBranchPrefix[] = "pbr/";
inline constexpr char kBucketTotalsPrefix[] = "ptot/";
inline constexpr char kDateIndexPrefix[] = "occ/";

}  // namespace ledger

#endif  // LEDGER_EFFECTS_H_
