// Every limit of the ledger, in one place. Each is checked where input enters
// and documented in docs/ARCHITECTURE.md. Units are last in names.
#ifndef LEDGER_LIMITS_H_
#define LEDGER_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace ledger {

// Ids (event, beneficiary, branch): 1..64 characters of a-z 0-9 . _ -
inline constexpr size_t kMaxIdLength = 64;
// Names (display names, union and branch names, payee, method, reference ...).
inline constexpr size_t kMaxNameLength = 200;
// Longer free text (purpose, reason, memo).
inline constexpr size_t kMaxMemoLength = 1000;
// Events in one Append.
inline constexpr size_t kMaxEventsPerAppend = 1000;
// One event amount: 10^15 minor units (10 trillion GBP). Keeps every
// cumulative total far from int64 overflow, which is still checked.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;
// Declared branch members.
inline constexpr int64_t kMaxMembers = 10'000'000;
// Fee periods one payment may cover.
inline constexpr int32_t kMaxFeePeriodsPerPayment = 120;
// Fee periods a statement counts (100 years of monthly periods and more).
inline constexpr int64_t kMaxFeePeriodsCounted = 100'000;
// Append requests waiting for the writer; beyond it RESOURCE_EXHAUSTED.
inline constexpr size_t kDefaultMaxQueuedAppends = 4096;
// Events committed in one group commit (one WriteBatch, one sync).
inline constexpr size_t kMaxEventsPerGroupCommit = 10'000;
// Events one ReadEvents page returns.
inline constexpr uint32_t kMaxReadEventsPage = 1000;
// Positions per bucket of the position-keyed delta rows (point in time).
inline constexpr uint64_t kPositionBucketSize = 1024;
// Mismatches a rebuild reports.
inline constexpr size_t kMaxReportedMismatches = 20;
// The verifiable log (ledger/transparency/): checkpoints kept beyond the
// cosigned ones (the newest; at one per --checkpoint_interval_ms while the
// log grows, hours of history for witnesses), witnesses configured, and how
// far in the future a cosignature's timestamp may be.
inline constexpr size_t kKeptCheckpoints = 4096;
inline constexpr size_t kMaxWitnesses = 64;
inline constexpr int64_t kMaxCosignatureClockSkewSeconds = 600;
// Dates accepted: years 1900..2999.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2999;

}  // namespace ledger

#endif  // LEDGER_LIMITS_H_
