// Affiliation fees: what a branch owes per period and how far its payments
// reach.
#ifndef LEDGER_DOMAIN_FEES_H_
#define LEDGER_DOMAIN_FEES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// The fee a branch owes per period under its basis (a fixed fee, or members
// x fee per member but not below the minimum); OUT_OF_RANGE on overflow.
absl::StatusOr<int64_t> FeePerPeriod(const v1::FeeBasis& basis, int64_t members);

// The currency of a fee basis.
const std::string& FeeCurrency(const v1::FeeBasis& basis);

// Months in one fee period (12 for an unknown one).
int MonthsPerPeriod(v1::FeePeriod period);

// Sets paid_until: affiliated_on moved on by periods_paid periods, at most
// the last day the ledger accepts (2999-12-31).
void SetPaidUntil(v1::Branch& branch);

// The terms (members and fee basis) a branch is on at `day` ("YYYY-MM-DD"):
// the latest of its terms whose from_date is on or before `day`; its first
// terms for a day before any change.
v1::BranchTerms TermsOn(const v1::Branch& branch, absl::string_view day);

// The fee the branch owes for the period that begins on `day`, under the
// terms of that day.
absl::StatusOr<int64_t> FeePerPeriodOn(const v1::Branch& branch, absl::string_view day);

// True when `day` begins one of the branch's fee periods: its affiliation day
// moved on by whole periods.
bool IsPeriodStart(const v1::Branch& branch, absl::CivilDay day);

// Moves last_payment_on forward to `occurred_on` if it is later.
void NoteLastPayment(v1::Branch& branch, absl::string_view occurred_on);

// Called for a reversal of `reversed_minor` in `currency` of one of the
// branch's payments (a fee or a donation), before the reversal's money is
// added to the branch's totals. When no payment of the branch stands after
// it (every total back to 0: each one was wholly reversed), last_payment_on
// is emptied, so that a disaffiliation may be dated before payments that
// were all taken back. While some payment still stands last_payment_on is
// left as it is: the row keeps no date per payment, and the latest payment
// recorded is never earlier than the latest still standing, so the
// disaffiliation check errs only towards refusing. Returns whether the row
// changed.
bool NoteReversedPayment(v1::Branch& branch, absl::string_view currency, int64_t reversed_minor);

// ---- which affiliation a fee payment belongs to

// True when some fee payment of the branch still stands: its fees net of
// reversals are not zero in some currency (every fee is positive, and only a
// whole reversal takes all of one back).
bool HasStandingFees(const v1::Branch& branch);

// Called for a fee about to be paid at `position`: when none of the branch's
// standing fees counts in periods_paid (it is 0) yet some stand, they are all
// an earlier affiliation's, and current_fees_from_position moves to
// `position` so that reversing one of them later leaves the periods alone.
void NoteFeePayment(v1::Branch& branch, uint64_t position);

// Whether the fee payment logged at `position` is one of those periods_paid
// counts, i.e. was paid under the branch's current affiliation.
bool CountsInPeriodsPaid(const v1::Branch& branch, uint64_t position);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_FEES_H_
