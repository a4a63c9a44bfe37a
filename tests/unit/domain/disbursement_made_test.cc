// Goal: DisbursementMade (ledger/domain/events/disbursement_made.cc) decided
// over an in-memory state. Money leaves an open beneficiary's fund for cash
// paid out; the fund must hold it now and on every day from the payment's
// date on; stage 1 and stage 2 refusals give their code, reason and field;
// MoneyEffectsOf of the logged event is the money Decide gave; money that
// comes back (a partial reversal) returns to the fund.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class DisbursementMadeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Positions 2-6: a fund from 1 January holding 50.00 GBP from the 10th
    // and 100.00 more from the 20th; a closed fund.
    ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01"),
                   On(Donation(Gbp(5000), "lawyer"), "2026-01-10"),
                   On(Donation(Gbp(10000), "lawyer"), "2026-01-20"), Beneficiary("gone"),
                   CloseBeneficiary("gone")});
  }

  MemoryLedger ledger_;
};

TEST_F(DisbursementMadeTest, PaysOutOfTheFund) {
  const v1::EventInput in = WithId(Disbursement("lawyer", Gbp(8000)), "disb-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr fund:beneficiary/lawyer 8000 GBP\n"
            "Cr cash 8000 GBP\n"
            "fund beneficiary/lawyer GBP disbursed=8000 available=-8000\n"
            "totals events=1 GBP disbursed=8000 held=-8000\n");
  EXPECT_EQ(DescribeEvent(in.body()), "disbursement 80.00 GBP from lawyer: lawyer fees");
  EXPECT_EQ(DetailsOf(in.body()).payee, "law-firm-1");
}

TEST_F(DisbursementMadeTest, AllTheFundHoldsMayGo) {
  ASSERT_TRUE(ledger_.Record(Disbursement("lawyer", Gbp(15000))).ok());
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("lawyer", Gbp(1)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=0 GBP "
            "requested=1 GBP");
}

TEST_F(DisbursementMadeTest, Stage1RefusesEachBadField) {
  auto disbursement = [](v1::EventInput& in) {
    return in.mutable_body()->mutable_disbursement_made();
  };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.disbursement_made.";
  ExpectStage1(
      Disbursement("lawyer", Gbp(100)),
      {
          {"no fund", [&](auto& in) { disbursement(in)->clear_beneficiary_id(); },
           bad + "beneficiary_id"},
          {"no amount", [&](auto& in) { disbursement(in)->clear_amount(); }, bad + "amount"},
          {"negative", [&](auto& in) { *disbursement(in)->mutable_amount() = Gbp(-5); },
           bad + "amount.amount_minor"},
          {"no purpose", [&](auto& in) { disbursement(in)->clear_purpose(); }, bad + "purpose"},
          {"a purpose over its limit",
           [&](auto& in) { disbursement(in)->set_purpose(std::string(kMaxMemoLength + 1, 'p')); },
           bad + "purpose"},
          {"a payee on two lines", [&](auto& in) { disbursement(in)->set_payee("a\nb"); },
           bad + "payee"},
          {"a method over its limit",
           [&](auto& in) { disbursement(in)->set_method(std::string(kMaxNameLength + 1, 'm')); },
           bad + "method"},
          {"a reference that is not UTF-8",
           [&](auto& in) { disbursement(in)->set_reference(std::string("\xff", 1)); },
           bad + "reference"},
      });
}

TEST_F(DisbursementMadeTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.disbursement_made.beneficiary_id";
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("nobody", Gbp(100)))),
            "NOT_FOUND UNKNOWN_BENEFICIARY " + field);
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("gone", Gbp(100)))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED " + field);
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("lawyer", Gbp(15001)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=15000 GBP "
            "requested=15001 GBP");
}

TEST_F(DisbursementMadeTest, DatedRulesHoldWhenRecordedNotOnReplay) {
  ledger_.ExpectDatedRefusal(
      On(Disbursement("lawyer", Gbp(100)), "2025-12-31"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-01-01");
  // 80.00 paid on the 15th: the fund held 50.00 at the end of that day.
  ledger_.ExpectDatedRefusal(
      On(Disbursement("lawyer", Gbp(8000)), "2026-01-15"),
      "FAILED_PRECONDITION INSUFFICIENT_FUNDS date=2026-01-15 fund=beneficiary/lawyer "
      "available=5000 GBP requested=8000 GBP");
  EXPECT_TRUE(ledger_.Decide(On(Disbursement("lawyer", Gbp(5000)), "2026-01-15")).ok());
  EXPECT_TRUE(ledger_.Decide(On(Disbursement("lawyer", Gbp(8000)), "2026-01-20")).ok());
}

TEST_F(DisbursementMadeTest, MoneyThatComesBackReturnsToTheFund) {
  ledger_.Given({WithId(Disbursement("lawyer", Gbp(10000)), "disb-1")});  // position 7
  const v1::EventInput back =
      WithId(Reversal("disb-1", v1::REVERSAL_KIND_REFUND, 2500, "GBP"), "rev-1");
  EXPECT_EQ(ledger_.Recorded(back),
            "Dr cash 2500 GBP\n"
            "Cr fund:beneficiary/lawyer 2500 GBP\n"
            "fund beneficiary/lawyer GBP disbursed=-2500 available=2500\n"
            "totals events=1 reversals=1 GBP disbursed=-2500 held=2500\n"
            "mark #7 by=8 amount=2500\n");
}

TEST_F(DisbursementMadeTest, MoneyCannotComeBackToAClosedFund) {
  ledger_.Given({WithId(Disbursement("lawyer", Gbp(15000)), "disb-1"), CloseBeneficiary("lawyer")});
  EXPECT_EQ(Render(ledger_.Decide(Reversal("disb-1"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED field=body.event_reversed.target_event_id");
}

}  // namespace
}  // namespace ledger::testing
