// Goal: the fee arithmetic of ledger/domain/fees.cc. A fixed fee is owed
// whatever the members; a per-member fee is members x fee, not below the
// minimum, and an overflow is an error; the paid-up date is the affiliation
// day moved on by the periods paid, counted from the affiliation day each
// time (so month ends clamp without drifting), never past 2999-12-31; the
// last payment only moves forward.
#include "ledger/domain/fees.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

v1::FeeBasis Fixed(const v1::Money& fee, v1::FeePeriod period = v1::FEE_PERIOD_MONTHLY) {
  v1::FeeBasis b;
  *b.mutable_fixed()->mutable_fee() = fee;
  b.set_period(period);
  return b;
}

v1::FeeBasis PerMember(const v1::Money& fee, const v1::Money& minimum) {
  v1::FeeBasis b;
  *b.mutable_per_member()->mutable_fee_per_member() = fee;
  *b.mutable_per_member()->mutable_minimum() = minimum;
  b.set_period(v1::FEE_PERIOD_MONTHLY);
  return b;
}

// paid_until of a branch affiliated on `on` with `periods` paid.
std::string PaidUntil(absl::string_view on, v1::FeePeriod period, int64_t periods) {
  v1::Branch b;
  b.set_affiliated_on(std::string(on));
  *b.mutable_fee_basis() = Fixed(Gbp(100), period);
  b.set_periods_paid(periods);
  b.set_paid_until("unchanged");
  SetPaidUntil(b);
  return b.paid_until();
}

TEST(FeesTest, AFixedFeeIsOwedWhateverTheMembers) {
  EXPECT_EQ(FeePerPeriod(Fixed(Gbp(1000)), 0).value_or(-1), 1000);
  EXPECT_EQ(FeePerPeriod(Fixed(Gbp(1000)), 5000).value_or(-1), 1000);
  EXPECT_EQ(FeeCurrency(Fixed(Of(1000, "EUR"))), "EUR");
}

TEST(FeesTest, APerMemberFeeIsMembersTimesTheFeeButNotBelowTheMinimum) {
  EXPECT_EQ(FeePerPeriod(PerMember(Gbp(50), Gbp(1500)), 40).value_or(-1), 2000);
  EXPECT_EQ(FeePerPeriod(PerMember(Gbp(50), Gbp(1500)), 10).value_or(-1), 1500);
  EXPECT_EQ(FeePerPeriod(PerMember(Gbp(50), Gbp(1500)), 0).value_or(-1), 1500);
  EXPECT_EQ(FeePerPeriod(PerMember(Gbp(50), v1::Money()), 7).value_or(-1), 350);
  EXPECT_EQ(FeeCurrency(PerMember(Of(50, "JPY"), Of(0, "JPY"))), "JPY");
}

TEST(FeesTest, APerMemberFeeThatOverflowsIsAnError) {
  absl::StatusOr<int64_t> fee =
      FeePerPeriod(PerMember(Gbp(std::numeric_limits<int64_t>::max() / 2), Gbp(0)), 3);
  EXPECT_EQ(RenderStatus(fee.status()), "OUT_OF_RANGE OVERFLOW");
}

TEST(FeesTest, MonthsPerPeriod) {
  EXPECT_EQ(MonthsPerPeriod(v1::FEE_PERIOD_MONTHLY), 1);
  EXPECT_EQ(MonthsPerPeriod(v1::FEE_PERIOD_QUARTERLY), 3);
  EXPECT_EQ(MonthsPerPeriod(v1::FEE_PERIOD_ANNUAL), 12);
  EXPECT_EQ(MonthsPerPeriod(v1::FEE_PERIOD_UNSPECIFIED), 12);
}

TEST(FeesTest, PaidUntilIsTheAffiliationDayMovedOnByThePeriodsPaid) {
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_MONTHLY, 0), "2026-03-01");
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_MONTHLY, 1), "2026-04-01");
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_QUARTERLY, 2), "2026-09-01");
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_ANNUAL, 3), "2029-03-01");
  // Month ends clamp, always from the affiliation day.
  EXPECT_EQ(PaidUntil("2026-01-31", v1::FEE_PERIOD_MONTHLY, 1), "2026-02-28");
  EXPECT_EQ(PaidUntil("2026-01-31", v1::FEE_PERIOD_MONTHLY, 2), "2026-03-31");
  EXPECT_EQ(PaidUntil("2024-02-29", v1::FEE_PERIOD_ANNUAL, 1), "2025-02-28");
  EXPECT_EQ(PaidUntil("2024-02-29", v1::FEE_PERIOD_ANNUAL, 4), "2028-02-29");
  // Never past the last day the ledger accepts.
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_ANNUAL, 973), "2999-03-01");
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_ANNUAL, 974), "2999-12-31");
  EXPECT_EQ(PaidUntil("2026-03-01", v1::FEE_PERIOD_ANNUAL, 10000), "2999-12-31");
  // A row without a valid affiliation day is left alone.
  EXPECT_EQ(PaidUntil("", v1::FEE_PERIOD_MONTHLY, 1), "unchanged");
}

TEST(FeesTest, TheLastPaymentOnlyMovesForward) {
  v1::Branch b;
  NoteLastPayment(b, "2026-02-10");
  EXPECT_EQ(b.last_payment_on(), "2026-02-10");
  NoteLastPayment(b, "2026-02-01");
  EXPECT_EQ(b.last_payment_on(), "2026-02-10");
  NoteLastPayment(b, "2026-02-11");
  EXPECT_EQ(b.last_payment_on(), "2026-02-11");
}

}  // namespace
}  // namespace ledger::testing
