// Goal: AffiliationFeePaid (ledger/domain/events/affiliation_fee_paid.cc)
// decided over an in-memory state. A fee goes into cash and the general fund,
// counts for the branch, moves its paid-up date on by the periods it pays and
// its last payment to the fee's day; only from an affiliated branch, in the
// currency of its fee basis, and (when recorded) not dated before it joined.
// A whole reversal takes back the periods, a partial one leaves them; a fee
// a returning branch paid under an earlier affiliation paid none of the new
// one's periods, and its reversal takes none back. MoneyEffectsOf of every
// logged event is the money Decide gave.
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
            "FAILED_PRECONDITION FEE_CURRENCY_MISMATCH "
            "field=body.affiliation_fee_paid.amount.currency");
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
  // periods taken back and, its only payment gone, no last payment day;
  // the money part takes the 20.00 off the totals.
  EXPECT_EQ(ledger_.Recorded(chargeback),
            "Dr fund:general 2000 GBP\n"
            "Cr cash 2000 GBP\n"
            "fund general GBP received=-2000 available=-2000\n"
            "branch leeds GBP fees=-2000 total=-2000\n"
            "totals events=1 reversals=1 GBP raised=-2000 held=-2000\n" +
                std::string(kLeeds) +
                "periods=0 paid_until=2026-02-01 totals=GBP fees=2000 total=2000\n"
                "mark #5 by=6 amount=2000\n");
  EXPECT_EQ(ledger_.StoredBranch("leeds"),
            std::string(kLeeds) + "periods=0 paid_until=2026-02-01 totals=GBP");
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

TEST_F(AffiliationFeePaidTest, ABranchThatNeverLeftHasEveryFeeCounted) {
  // Its fees all count, also when it pays again after every fee was wholly
  // reversed, or while a partly refunded one still stands: only a branch
  // that came back gets current_fees_from_position.
  ledger_.Given({WithId(Fee("leeds", Gbp(2000), 2), "fee-1"), Reversal("fee-1"),
                 WithId(Fee("leeds", Gbp(1000), 1), "fee-2"),
                 Reversal("fee-2", v1::REVERSAL_KIND_REFUND, 500, "GBP"),
                 WithId(Fee("leeds", Gbp(1000), 1), "fee-3")});
  absl::StatusOr<Effects> undo = ledger_.Decide(Reversal("fee-3"));
  ASSERT_TRUE(undo.ok()) << undo.status();
  EXPECT_EQ(undo->branch_rows[0].current_fees_from_position(), 0u);
  EXPECT_EQ(undo->branch_rows[0].periods_paid(), 1);
}

// A branch that left and came back starts its periods again; a fee it paid
// before it left paid none of them.
class ReturningBranchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // York pays two months of its first affiliation, leaves and comes back
    // on 1 February.
    ledger_.Given({On(Branch("york"), "2026-01-01"),                                // 2
                   On(WithId(Fee("york", Gbp(2000), 2), "old-fee"), "2026-01-10"),  // 3
                   On(Disaffiliate("york"), "2026-02-01"),                          // 4
                   On(Branch("york"), "2026-02-01")});                              // 5
  }

  // Three months of the new affiliation, at the next position.
  void PayNewFee() {
    ledger_.Given({On(WithId(Fee("york", Gbp(3000), 3), "new-fee"), "2026-02-01")});
  }

  // The York row rendered up to its paid-up state.
  static constexpr char kYork[] =
      "br york OPEN \"UNISON\" \"Branch york\" region=Yorkshire members=120 fee=1000 GBP "
      "monthly affiliated=2026-02-01@2 ";

  MemoryLedger ledger_;
};

TEST_F(ReturningBranchTest, ItsFirstFeeMarksWhereTheCountedFeesStart) {
  PayNewFee();  // 6
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) +
                "periods=3 paid_until=2026-05-01 fees_from=6 last_payment=2026-02-01 "
                "totals=GBP fees=5000 total=5000");
}

TEST_F(ReturningBranchTest, AWholeReversalOfAFeeFromBeforeItLeftLeavesItsPeriods) {
  PayNewFee();  // 6
  // The 20.00 comes off the money and the branch's fees; the three periods
  // of the new affiliation stay paid (not 3 - 2 = 1, paid until 1 March).
  EXPECT_EQ(ledger_.Recorded(WithId(Reversal("old-fee", v1::REVERSAL_KIND_CHARGEBACK), "rev-1")),
            "Dr fund:general 2000 GBP\n"
            "Cr cash 2000 GBP\n"
            "fund general GBP received=-2000 available=-2000\n"
            "branch york GBP fees=-2000 total=-2000\n"
            "totals events=1 reversals=1 GBP raised=-2000 held=-2000\n" +
                std::string(kYork) +
                "periods=3 paid_until=2026-05-01 fees_from=6 last_payment=2026-02-01 "
                "totals=GBP fees=5000 total=5000\n"
                "mark #3 by=7 amount=2000\n");
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) +
                "periods=3 paid_until=2026-05-01 fees_from=6 last_payment=2026-02-01 "
                "totals=GBP fees=3000 total=3000");
}

TEST_F(ReturningBranchTest, AWholeReversalOfAFeeOfItsNewAffiliationTakesItsPeriodsBack) {
  PayNewFee();  // 6
  ledger_.Given({Reversal("new-fee")});
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) +
                "periods=0 paid_until=2026-02-01 fees_from=6 last_payment=2026-02-01 "
                "totals=GBP fees=2000 total=2000");
  // Paid again (8), the new fee counts; the one from before still does not.
  ledger_.Given({WithId(Fee("york", Gbp(1000), 1), "again"), Reversal("old-fee")});
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) +
                "periods=1 paid_until=2026-03-01 fees_from=8 last_payment=2026-03-01 "
                "totals=GBP fees=1000 total=1000");
}

TEST_F(ReturningBranchTest, AFeeFromBeforeItLeftReversedBeforeItPaysAgain) {
  // No period of the new affiliation is paid yet, so none is taken back;
  // when it pays, nothing from before stands and nothing needs marking.
  ledger_.Given({Reversal("old-fee")});
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) + "periods=0 paid_until=2026-02-01 totals=GBP");
  PayNewFee();
  EXPECT_EQ(ledger_.StoredBranch("york"),
            std::string(kYork) +
                "periods=3 paid_until=2026-05-01 last_payment=2026-02-01 totals=GBP fees=3000 "
                "total=3000");
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
