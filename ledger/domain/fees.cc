#include "ledger/domain/fees.h"

#include <algorithm>

#include "ledger/domain/civil_date.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/limits.h"

namespace ledger {

int MonthsPerPeriod(v1::FeePeriod period) {
  switch (period) {
    case v1::FEE_PERIOD_MONTHLY:
      return 1;
    case v1::FEE_PERIOD_QUARTERLY:
      return 3;
    case v1::FEE_PERIOD_ANNUAL:
    default:  // validation refuses any other period; counted as annual all the same
      return 12;
  }
}

const std::string& FeeCurrency(const v1::FeeBasis& basis) {
  if (basis.has_per_member()) return basis.per_member().fee_per_member().currency();
  return basis.fixed().fee().currency();
}

absl::StatusOr<int64_t> FeePerPeriod(const v1::FeeBasis& basis, int64_t members) {
  if (basis.has_per_member()) {
    auto fee = CheckedMul(basis.per_member().fee_per_member().amount_minor(), members);
    if (!fee) {
      return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow,
                     "fee per period would overflow");
    }
    return std::max(*fee, basis.per_member().minimum().amount_minor());
  }
  return basis.fixed().fee().amount_minor();
}

void SetPaidUntil(v1::Branch& branch) {
  absl::StatusOr<absl::CivilDay> start = ParseDate(branch.affiliated_on());
  if (!start.ok()) return;  // stored rows always hold valid dates
  const int64_t months = branch.periods_paid() * MonthsPerPeriod(branch.fee_basis().period());
  // Thousands of prepaid periods would reach five-digit years; dates end at
  // the last day the ledger accepts.
  const absl::CivilDay last(kMaxYear, 12, 31);
  const absl::CivilDay until = AddMonths(*start, months);
  branch.set_paid_until(FormatDate(until > last ? last : until));
}

v1::BranchTerms TermsOn(const v1::Branch& branch, absl::string_view day) {
  const std::string& latest_from =
      branch.terms_from().empty() ? branch.affiliated_on() : branch.terms_from();
  v1::BranchTerms terms;
  if (day >= latest_from || branch.earlier_terms().empty()) {
    terms.set_from_date(latest_from);
    terms.set_members(branch.members());
    *terms.mutable_fee_basis() = branch.fee_basis();
    return terms;
  }
  terms = branch.earlier_terms(0);
  for (const v1::BranchTerms& t : branch.earlier_terms()) {
    if (t.from_date() <= day) terms = t;
  }
  return terms;
}

absl::StatusOr<int64_t> FeePerPeriodOn(const v1::Branch& branch, absl::string_view day) {
  const v1::BranchTerms terms = TermsOn(branch, day);
  return FeePerPeriod(terms.fee_basis(), terms.members());
}

bool IsPeriodStart(const v1::Branch& branch, absl::CivilDay day) {
  absl::StatusOr<absl::CivilDay> start = ParseDate(branch.affiliated_on());
  if (!start.ok() || day < *start) return false;
  const int months = MonthsPerPeriod(branch.fee_basis().period());
  const int64_t elapsed = (day.year() - start->year()) * 12 + (day.month() - start->month());
  const int64_t k = elapsed / months;
  // Month ends clamp (31 January + 1 month = 28 February), so compare days.
  return AddMonths(*start, k * months) == day || AddMonths(*start, (k + 1) * months) == day;
}

void NoteLastPayment(v1::Branch& branch, absl::string_view occurred_on) {
  // Dates compare as strings in YYYY-MM-DD form.
  if (branch.last_payment_on() < occurred_on) {
    branch.set_last_payment_on(std::string(occurred_on));
  }
}

bool NoteReversedPayment(v1::Branch& branch, absl::string_view currency, int64_t reversed_minor) {
  if (branch.last_payment_on().empty()) return false;
  for (const v1::BranchTotals& t : branch.totals()) {
    const int64_t left = t.total_minor() - (t.currency() == currency ? reversed_minor : 0);
    if (left != 0) return false;
  }
  branch.clear_last_payment_on();
  return true;
}

bool HasStandingFees(const v1::Branch& branch) {
  for (const v1::BranchTotals& t : branch.totals()) {
    if (t.fees_paid_minor() != 0) return true;
  }
  return false;
}

void NoteFeePayment(v1::Branch& branch, uint64_t position) {
  // periods_paid counts every standing fee of the current affiliation (a
  // whole reversal takes its periods back, a partial one leaves the fee
  // standing and its periods counted), and every fee pays at least one
  // period. So with periods_paid at 0, a fee that still stands was paid
  // under an earlier affiliation. A fee of the current affiliation that was
  // wholly reversed is left behind too, which is harmless: an event is
  // reversed at most once.
  if (branch.periods_paid() == 0 && HasStandingFees(branch)) {
    branch.set_current_fees_from_position(position);
  }
}

bool CountsInPeriodsPaid(const v1::Branch& branch, uint64_t position) {
  // With periods_paid at 0 no fee counts. That covers the one case the mark
  // does not: a branch that came back and has paid nothing since, whose
  // fees from before are at or after an older mark (or there is none).
  return branch.periods_paid() > 0 && position >= branch.current_fees_from_position();
}

}  // namespace ledger
