// Point in time: the ledger's balances as they stood at a past position, or at
// the end of a past day (by occurred_on).
//
// Design: besides the current balances, every commit adds the event's effects
// to delta rows per day and per bucket of kPositionBucketSize positions
// (ledger/projections/apply.h). Balances at position P are the sum of the buckets
// before P's bucket plus the effects of at most kPositionBucketSize events
// read back from the log; at the end of day D, the sum of the day rows up to
// D. Either way the cost grows with the number of days or buckets, not with
// the number of events, and the answer is exact: the delta rows are
// projections like any other, rebuilt and compared by RebuildAndCompare.
//
// The returned view answers the queries of ledger/views/queries.h as of that
// point; everything else (events, ids) reads through to `base`.
#ifndef LEDGER_AUDIT_POINT_IN_TIME_H_
#define LEDGER_AUDIT_POINT_IN_TIME_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// REQUIRES: 1 <= position <= base->head_position(), else INVALID_ARGUMENT.
absl::StatusOr<std::unique_ptr<ReadView>> AsOfPosition(std::unique_ptr<ReadView> base,
                                                       uint64_t position);

absl::StatusOr<std::unique_ptr<ReadView>> AsOfEndOfDay(std::unique_ptr<ReadView> base,
                                                       absl::CivilDay day);

// Applies a v1::AsOf (from a request): unset returns `base` unchanged.
absl::StatusOr<std::unique_ptr<ReadView>> ApplyAsOf(std::unique_ptr<ReadView> base,
                                                    const v1::AsOf& as_of);

}  // namespace ledger

#endif  // LEDGER_AUDIT_POINT_IN_TIME_H_
