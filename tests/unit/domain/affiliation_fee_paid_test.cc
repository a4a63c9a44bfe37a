// Goal: AffiliationFeePaid (ledger/domain/events/affiliation_fee_paid.cc)
// decided over an in-memory state. A fee goes into cash and the general fund,
// counts for the branch, moves its paid-up date on by the periods it pays and
// its last payment to the fee's day; only from an affiliated branch, in the
// currency of its fee basis, and (when recorded) not dated before it joined.
// A whole reversal takes back the periods, a partial one leaves them.
// MoneyEffectsOf of every logged event is the money Decide gave.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

// The Branch("leeds") row rendered up to its paid-up state.
constexpr char kLeeds[] =
    "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 fee=1000 GBP monthly "
    "affiliated=2026-02-01@2 ";

class AffiliationFeePaidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Positions 2-4: a monthly branch from 1 February, one that left.
    ledger_.Given({On(Branch("leeds"), "2026-02-01"), Branch("left"), Disaffiliate("left")});
  }

  MemoryLedger ledger_;
};

TEST_F(AffiliationFeePaidTest, PaysPeriodsIntoTheGeneralFund) {
  const v1::EventInput in = WithId(Fee("leeds", Gbp(2000), 2), "fee-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr cash 2000 GBP\n"
            "Cr fund:general 2000 GBP\n"
            "fund general GBP received=2000 available=2000\n"
            "branch leeds GBP fees=2000 total=2000\n"
            "totals events=1 GBP raised=2000 held=2000\n" +
                std::string(kLeeds) + "periods=2 paid_until=2026-04-01 last_payment=2026-03-01\n");
  EXPECT_EQ(ledger_.StoredBranch("leeds"),
            std::string(kLeeds) +
                "periods=2 paid_until=2026-04-01 last_payment=2026-03-01 "
                "totals=GBP fees=2000 total=2000");
  EXPECT_EQ(DescribeEvent(in.body()), "fee 20.00 GBP from branch leeds (2 periods)");
}

TEST_F(AffiliationFeePaidTest, PeriodsAddUpAndFollowTheFeePeriod) {
  ledger_.Given({Fee("leeds", Gbp(1000)), Branch("york", Gbp(12000), v1::FEE_PERIOD_ANNUAL)});
  absl::StatusOr<Effects> monthly = ledger_.Decide(Fee("leeds", Gbp(3000), 3));
  absl::StatusOr<Effects> annual = ledger_.Decide(Fee("york", Gbp(12000)));
  ASSERT_TRUE(monthly.ok() && annual.ok());
  EXPECT_EQ(monthly->branch_rows[0].periods_paid(), 4);
  EXPECT_EQ(monthly->branch_rows[0].paid_until(), "2026-06-01");
  EXPECT_EQ(annual->branch_rows[0].paid_until(), "2027-03-01");
}

TEST_F(AffiliationFeePaidTest, Stage1RefusesEachBadField) {
  auto fee = [](v1::EventInput& in) { return in.mutable_body()->mutable_affiliation_fee_paid(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.affiliation_fee_paid.";
  ExpectStage1(
      Fee("leeds", Gbp(1000)),
      {
          {"no branch", [&](auto& in) { fee(in)->clear_branch_id(); }, bad + "branch_id"},
          {"no amount", [&](auto& in) { fee(in)->clear_amount(); }, bad + "amount"},
          {"zero", [&](auto& in) { *fee(in)->mutable_amount() = Gbp(0); },
           bad + "amount.amount_minor"},
          {"no periods", [&](auto& in) { fee(in)->set_periods(0); }, bad + "periods"},
          {"too many periods",
           [&](auto& in) { fee(in)->set_periods(kMaxFeePeriodsPerPayment + 1); }, bad + "periods"},
          {"the most periods is fine",
           [&](auto& in) { fee(in)->set_periods(kMaxFeePeriodsPerPayment); }, "OK"},
          {"a method over its limit",
           [&](auto& in) { fee(in)->set_method(std::string(kMaxNameLength + 1, 'm')); },
           bad + "method"},
          {"a reference on two lines", [&](auto& in) { fee(in)->set_reference("a\r\nb"); },
           bad + "reference"},
      });
}

TEST_F(AffiliationFeePaidTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.affiliation_fee_paid.branch_id";
  EXPECT_EQ(Render(ledger_.Decide(Fee("nowhere", Gbp(1000)))), "NOT_FOUND UNKNOWN_BRANCH " + field);
  EXPECT_EQ(Render(ledger_.Decide(Fee("left", Gbp(1000)))),
            "FAILED_PRECONDITION BRANCH_NOT_AFFILIATED " + field);
  EXPECT_EQ(Render(ledger_.Decide(Fee("leeds", Of(1000, "EUR")))),
            "INVALID_ARGUMENT INVALID_FIELD field=body.affiliation_fee_paid.amount.currency");
}

TEST_F(AffiliationFeePaidTest, NotDatedBeforeTheBranchJoinedWhenRecorded) {
  ledger_.ExpectDatedRefusal(
      On(Fee("leeds", Gbp(1000)), "2026-01-31"),
      "FAILED_PRECONDITION DATE_BEFORE_AFFILIATION field=occurred_on date=2026-02-01");
  EXPECT_TRUE(ledger_.Decide(On(Fee("leeds", Gbp(1000)), "2026-02-01")).ok());
}

TEST_F(AffiliationFeePaidTest, AWholeReversalTakesBackThePeriods) {
  ledger_.Given({WithId(Fee("leeds", Gbp(2000), 2), "fee-1")});  // position 5
  const v1::EventInput chargeback =
      WithId(Reversal("fee-1", v1::REVERSAL_KIND_CHARGEBACK), "rev-1");
  // The row is the stored one (its totals before this event) with the
  // periods taken back; the money part takes the 20.00 off the totals.
  EXPECT_EQ(ledger_.Recorded(chargeback),
            "Dr fund:general 2000 GBP\n"
            "Cr cash 2000 GBP\n"
            "fund general GBP received=-2000 available=-2000\n"
            "branch leeds GBP fees=-2000 total=-2000\n"
            "totals events=1 reversals=1 GBP raised=-2000 held=-2000\n" +
                std::string(kLeeds) +
                "periods=0 paid_until=2026-02-01 last_payment=2026-03-01 "
                "totals=GBP fees=2000 total=2000\n"
                "mark #5 by=6 amount=2000\n");
  EXPECT_EQ(ledger_.StoredBranch("leeds"),
            std::string(kLeeds) +
                "periods=0 paid_until=2026-02-01 last_payment=2026-03-01 "
                "totals=GBP");
}

TEST_F(AffiliationFeePaidTest, APartialRefundLeavesThePeriodsPaid) {
  ledger_.Given({WithId(Fee("leeds", Gbp(2000), 2), "fee-1")});
  const v1::EventInput refund =
      WithId(Reversal("fee-1", v1::REVERSAL_KIND_REFUND, 500, "GBP"), "rev-1");
  EXPECT_EQ(ledger_.Recorded(refund),
            "Dr fund:general 500 GBP\n"
            "Cr cash 500 GBP\n"
            "fund general GBP received=-500 available=-500\n"
            "branch leeds GBP fees=-500 total=-500\n"
            "totals events=1 reversals=1 GBP raised=-500 held=-500\n" +
                std::string(kLeeds) +
                "periods=2 paid_until=2026-04-01 last_payment=2026-03-01 "
                "totals=GBP fees=2000 total=2000\n"
                "mark #5 by=6 amount=500\n");
}

TEST_F(AffiliationFeePaidTest, AFeeOfABranchThatLeftCanStillBeReversed) {
  ledger_.Given({WithId(Fee("leeds", Gbp(2000), 2), "fee-1"), Disaffiliate("leeds")});
  absl::StatusOr<Effects> decided = ledger_.Decide(Reversal("fee-1"));
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->branch_rows[0].status(), v1::STATUS_CLOSED);
  EXPECT_EQ(decided->branch_rows[0].periods_paid(), 0);
}

}  // namespace
}  // namespace ledger::testing
