// The balances a live page shows: summary, every fund and every branch, read
// at one position. What WatchBalances sends after each commit.
#ifndef LEDGER_VIEWS_BALANCES_H_
#define LEDGER_VIEWS_BALANCES_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ledger/domain/civil_date.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// Every fund (open and closed) and branch (affiliated or not), with arrears
// judged at `today`.
absl::StatusOr<v1::WatchBalancesResponse> BuildBalances(ReadView& view, absl::CivilDay today);

// The day arrears are judged at for a query: the as-of date if the query
// names one, else today by `clock`.
absl::CivilDay ArrearsDay(const v1::AsOf& as_of, Clock* clock);

}  // namespace ledger

#endif  // LEDGER_VIEWS_BALANCES_H_
