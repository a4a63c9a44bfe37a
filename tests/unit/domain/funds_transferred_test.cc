// Goal: FundsTransferred (ledger/domain/events/funds_transferred.cc) decided
// over an in-memory state. Money leaves a beneficiary's fund - a closed
// one's leftover too - for another open fund or the general fund, with the
// authority recorded; the source must hold it now and on every day from the
// transfer's date on; stage 1 and stage 2 refusals give their code, reason
// and field; a reversal moves the money back while the destination holds it
// and the source is open.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class FundsTransferredTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A released prisoner's fund with 40.00 GBP left (closed later in a
    // test), another fund from 1 March, and a closed one.
    ledger_.Given({On(Beneficiary("prisoner"), "2026-01-01"),
                   On(Donation(Gbp(10000), "prisoner"), "2026-01-10"),
                   On(Disbursement("prisoner", Gbp(6000)), "2026-02-01"),
                   On(Beneficiary("medic"), "2026-03-01"), Beneficiary("gone"),
                   CloseBeneficiary("gone")});
  }

  MemoryLedger ledger_;
};

TEST_F(FundsTransferredTest, MovesTheMoneyToAnotherFund) {
  const v1::EventInput in = WithId(Transfer("prisoner", "medic", Gbp(4000)), "tr-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr fund:beneficiary/prisoner 4000 GBP\n"
            "Cr fund:beneficiary/medic 4000 GBP\n"
            "fund beneficiary/prisoner GBP out=4000 available=-4000\n"
            "fund beneficiary/medic GBP in=4000 available=4000\n"
            "totals events=1\n");
  EXPECT_EQ(DescribeEvent(in.body()), "transfer 40.00 GBP prisoner -> medic (donor consent)");
}

TEST_F(FundsTransferredTest, IntoTheGeneralFundByCommitteeDecision) {
  const v1::EventInput in = WithId(
      Transfer("prisoner", "", Gbp(1500), v1::TRANSFER_AUTHORITY_COMMITTEE_DECISION), "tr-g");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr fund:beneficiary/prisoner 1500 GBP\n"
            "Cr fund:general 1500 GBP\n"
            "fund beneficiary/prisoner GBP out=1500 available=-1500\n"
            "fund general GBP in=1500 available=1500\n"
            "totals events=1\n");
  EXPECT_EQ(DescribeEvent(in.body()),
            "transfer 15.00 GBP prisoner -> general (committee decision)");
}

TEST_F(FundsTransferredTest, AFundClosesOnceItsLeftoverHasMoved) {
  // A fund closes only at zero; one that holds money stays open, so the
  // leftover moves first, and then the fund closes.
  ledger_.Given({Transfer("prisoner", "medic", Gbp(4000)), CloseBeneficiary("prisoner")});
  EXPECT_TRUE(ledger_.Decide(Donation(Gbp(100), "medic")).ok());
  // Nothing is left to move out of the closed fund.
  EXPECT_EQ(Render(ledger_.Decide(Transfer("prisoner", "medic", Gbp(1)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/prisoner available=0 GBP "
            "requested=1 GBP");
}

TEST_F(FundsTransferredTest, Stage1RefusesEachBadField) {
  auto transfer = [](v1::EventInput& in) { return in.mutable_body()->mutable_funds_transferred(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.funds_transferred.";
  ExpectStage1(
      Transfer("prisoner", "medic", Gbp(100)),
      {
          {"no source", [&](auto& in) { transfer(in)->clear_from_beneficiary_id(); },
           bad + "from_beneficiary_id"},
          {"a bad source id", [&](auto& in) { transfer(in)->set_from_beneficiary_id("P R"); },
           bad + "from_beneficiary_id"},
          {"a bad destination id", [&](auto& in) { transfer(in)->set_to_beneficiary_id("M/x"); },
           bad + "to_beneficiary_id"},
          {"the same fund", [&](auto& in) { transfer(in)->set_to_beneficiary_id("prisoner"); },
           bad + "to_beneficiary_id"},
          {"no amount", [&](auto& in) { transfer(in)->clear_amount(); }, bad + "amount"},
          {"zero", [&](auto& in) { *transfer(in)->mutable_amount() = Gbp(0); },
           bad + "amount.amount_minor"},
          {"no authority",
           [&](auto& in) { transfer(in)->set_authority(v1::TRANSFER_AUTHORITY_UNSPECIFIED); },
           bad + "authority"},
          {"an unknown authority",
           [&](auto& in) { transfer(in)->set_authority(static_cast<v1::TransferAuthority>(9)); },
           bad + "authority"},
          {"a reference over its limit",
           [&](auto& in) {
             transfer(in)->set_authority_reference(std::string(kMaxNameLength + 1, 'r'));
           },
           bad + "authority_reference"},
          {"a memo over its limit",
           [&](auto& in) { transfer(in)->set_memo(std::string(kMaxMemoLength + 1, 'm')); },
           bad + "memo"},
      });
}

TEST_F(FundsTransferredTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  EXPECT_EQ(Render(ledger_.Decide(Transfer("nobody", "medic", Gbp(100)))),
            "NOT_FOUND UNKNOWN_BENEFICIARY field=body.funds_transferred.from_beneficiary_id");
  EXPECT_EQ(Render(ledger_.Decide(Transfer("prisoner", "nobody", Gbp(100)))),
            "NOT_FOUND UNKNOWN_BENEFICIARY field=body.funds_transferred.to_beneficiary_id");
  EXPECT_EQ(
      Render(ledger_.Decide(Transfer("prisoner", "gone", Gbp(100)))),
      "FAILED_PRECONDITION BENEFICIARY_CLOSED field=body.funds_transferred.to_beneficiary_id");
  EXPECT_EQ(Render(ledger_.Decide(Transfer("prisoner", "medic", Gbp(4001)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/prisoner available=4000 GBP "
            "requested=4001 GBP");
}

TEST_F(FundsTransferredTest, DatedRulesHoldWhenRecorded) {
  // Before the destination existed.
  ledger_.ExpectDatedRefusal(
      On(Transfer("prisoner", "medic", Gbp(100)), "2026-02-15"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-03-01");
  EXPECT_TRUE(ledger_.Decide(On(Transfer("prisoner", "medic", Gbp(4000)), "2026-03-01")).ok());
}

TEST_F(FundsTransferredTest, AReversalMovesTheMoneyBackWhileTheSourceIsOpen) {
  ledger_.Given({WithId(Transfer("prisoner", "medic", Gbp(4000)), "tr-1")});
  const v1::EventInput undo = WithId(Reversal("tr-1", v1::REVERSAL_KIND_CORRECTION), "rev-1");
  EXPECT_TRUE(ledger_.Decide(undo).ok());
  ledger_.Given({CloseBeneficiary("prisoner")});
  EXPECT_EQ(Render(ledger_.Decide(undo)),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED field=body.event_reversed.target_event_id");
}

}  // namespace
}  // namespace ledger::testing
