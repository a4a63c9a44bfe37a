// Closed periods, read back: the day the books are closed through and the
// proposals waiting for a second member.
#ifndef LEDGER_VIEWS_PERIODS_H_
#define LEDGER_VIEWS_PERIODS_H_

#include <string>

#include "absl/status/statusor.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// The day the books are closed through at the view's head; "" if none is.
absl::StatusOr<std::string> ClosedThroughAt(ReadView& view);

// The closed period, if any, and the pending proposals, oldest first.
absl::StatusOr<v1::GetPeriodsResponse> QueryPeriods(ReadView& view);

}  // namespace ledger

#endif  // LEDGER_VIEWS_PERIODS_H_
