// Statements for any date range (by occurred_on): per fund, per branch, and
// income and spending by fund class.
//
// Opening balances come from the per-day delta rows (ledger/effects.h), so they
// cost O(days), not O(events); the movements come from the date index
// (occ/<date>/<position>), so they cost O(events in the range). A statement is
// read at one snapshot: opening + movements = closing, always.
#ifndef LEDGER_AUDIT_STATEMENTS_H_
#define LEDGER_AUDIT_STATEMENTS_H_

#include "absl/status/statusor.h"
#include "ledger/storage/read_view.h"
#include "ledger/views/details.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// `fund` is "general" or a beneficiary id. The events of a statement's
// lines carry their private details as `access` allows.
absl::StatusOr<v1::GetFundStatementResponse> FundStatement(ReadView& view, absl::string_view fund,
                                                           const v1::DateRange& range,
                                                           const DetailAccess& access = {});
absl::StatusOr<v1::GetBranchStatementResponse> BranchStatement(ReadView& view,
                                                               absl::string_view branch_id,
                                                               const v1::DateRange& range,
                                                               const DetailAccess& access = {});
absl::StatusOr<v1::GetIncomeStatementResponse> IncomeStatement(ReadView& view,
                                                               const v1::DateRange& range);

}  // namespace ledger

#endif  // LEDGER_AUDIT_STATEMENTS_H_
