// Goal: FundsAllocated (ledger/domain/events/funds_allocated.cc) decided over
// an in-memory state. General money moves to one open beneficiary's fund; the
// general fund must hold it now and on every day from the allocation's date
// on; stage 1 and stage 2 refusals give their code, reason and field;
// MoneyEffectsOf of the logged event is the money Decide gave; a reversal
// moves the money back while the fund still holds it.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class FundsAllocatedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Positions 2-5: a fund from 1 January, a closed one, 50.00 GBP of
    // general money arriving on 10 February.
    ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01"), Beneficiary("gone"),
                   CloseBeneficiary("gone"), On(Donation(Gbp(5000)), "2026-02-10")});
  }

  MemoryLedger ledger_;
};

TEST_F(FundsAllocatedTest, MovesGeneralMoneyToTheFund) {
  const v1::EventInput in = WithId(Allocation("lawyer", Gbp(3000)), "alloc-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr fund:general 3000 GBP\n"
            "Cr fund:beneficiary/lawyer 3000 GBP\n"
            "fund general GBP out=3000 available=-3000\n"
            "fund beneficiary/lawyer GBP in=3000 available=3000\n"
            "totals events=1\n");
  EXPECT_EQ(DescribeEvent(in.body()), "allocation 30.00 GBP general -> lawyer");
}

TEST_F(FundsAllocatedTest, AllOfTheGeneralFundMayGo) {
  EXPECT_TRUE(ledger_.Decide(Allocation("lawyer", Gbp(5000))).ok());
}

TEST_F(FundsAllocatedTest, Stage1RefusesEachBadField) {
  auto allocation = [](v1::EventInput& in) { return in.mutable_body()->mutable_funds_allocated(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.funds_allocated.";
  ExpectStage1(
      Allocation("lawyer", Gbp(100)),
      {
          {"no fund", [&](auto& in) { allocation(in)->clear_beneficiary_id(); },
           bad + "beneficiary_id"},
          {"a bad fund id", [&](auto& in) { allocation(in)->set_beneficiary_id("Lawyer"); },
           bad + "beneficiary_id"},
          {"no amount", [&](auto& in) { allocation(in)->clear_amount(); }, bad + "amount"},
          {"zero", [&](auto& in) { *allocation(in)->mutable_amount() = Gbp(0); },
           bad + "amount.amount_minor"},
          {"unknown currency", [&](auto& in) { *allocation(in)->mutable_amount() = Of(1, "ABC"); },
           bad + "amount.currency"},
          {"a memo over its limit",
           [&](auto& in) { allocation(in)->set_memo(std::string(kMaxMemoLength + 1, 'm')); },
           bad + "memo"},
      });
}

TEST_F(FundsAllocatedTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.funds_allocated.beneficiary_id";
  EXPECT_EQ(Render(ledger_.Decide(Allocation("nobody", Gbp(100)))),
            "NOT_FOUND UNKNOWN_BENEFICIARY " + field);
  EXPECT_EQ(Render(ledger_.Decide(Allocation("gone", Gbp(100)))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED " + field);
  EXPECT_EQ(Render(ledger_.Decide(Allocation("lawyer", Gbp(5001)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=general available=5000 GBP "
            "requested=5001 GBP");
  // A currency the general fund never held.
  EXPECT_EQ(Render(ledger_.Decide(Allocation("lawyer", Of(1, "JPY")))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=general available=0 JPY "
            "requested=1 JPY");
}

TEST_F(FundsAllocatedTest, DatedRulesHoldWhenRecordedNotOnReplay) {
  // Before the fund existed.
  ledger_.ExpectDatedRefusal(
      On(Allocation("lawyer", Gbp(100)), "2025-12-31"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-01-01");
  // Before the general money arrived: the general fund held nothing that day.
  ledger_.ExpectDatedRefusal(
      On(Allocation("lawyer", Gbp(1000)), "2026-02-01"),
      "FAILED_PRECONDITION INSUFFICIENT_FUNDS date=2026-02-01 fund=general available=0 GBP "
      "requested=1000 GBP");
  EXPECT_TRUE(ledger_.Decide(On(Allocation("lawyer", Gbp(1000)), "2026-02-10")).ok());
}

TEST_F(FundsAllocatedTest, AReversalMovesTheMoneyBack) {
  ledger_.Given({WithId(Allocation("lawyer", Gbp(3000)), "alloc-1")});  // position 6
  const v1::EventInput undo = WithId(Reversal("alloc-1", v1::REVERSAL_KIND_CORRECTION), "rev-1");
  EXPECT_EQ(ledger_.Recorded(undo),
            "Dr fund:beneficiary/lawyer 3000 GBP\n"
            "Cr fund:general 3000 GBP\n"
            "fund general GBP out=-3000 available=3000\n"
            "fund beneficiary/lawyer GBP in=-3000 available=-3000\n"
            "totals events=1 reversals=1\n"
            "mark #6 by=7 amount=3000\n");
}

TEST_F(FundsAllocatedTest, AReversalNeedsTheMoneyStillInTheFund) {
  ledger_.Given(
      {WithId(Allocation("lawyer", Gbp(3000)), "alloc-1"), Disbursement("lawyer", Gbp(2000))});
  EXPECT_EQ(Render(ledger_.Decide(Reversal("alloc-1"))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=1000 GBP "
            "requested=3000 GBP");
  ledger_.Given({Disbursement("lawyer", Gbp(1000)), CloseBeneficiary("lawyer")});
  EXPECT_EQ(Render(ledger_.Decide(Reversal("alloc-1"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED field=body.event_reversed.target_event_id");
}

}  // namespace
}  // namespace ledger::testing
