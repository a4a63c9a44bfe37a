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

void NoteLastPayment(v1::Branch& branch, absl::string_view occurred_on) {
  // Dates compare as strings in YYYY-MM-DD form.
  if (branch.last_payment_on() < occurred_on) {
    branch.set_last_payment_on(std::string(occurred_on));
  }
}

}  // namespace ledger
