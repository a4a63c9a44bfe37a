// Goal: DonationReceived (ledger/domain/events/donation_received.cc) decided
// over an in-memory state. Money comes into cash and the general fund, or a
// beneficiary's fund when earmarked; a branch's gift counts for the branch
// and moves its last payment on. Every field rule of stage 1 and every
// refusal of stage 2 gives its code, reason and field; MoneyEffectsOf of the
// logged event is the money Decide gave; a whole refund takes all of it back.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class DonationReceivedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A fund from 1 January, a closed one, a branch from 1 February, one
    // that left.
    ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01"), Beneficiary("gone"),
                   CloseBeneficiary("gone"), On(Branch("leeds"), "2026-02-01"), Branch("left"),
                   Disaffiliate("left")});
  }

  MemoryLedger ledger_;
};

TEST_F(DonationReceivedTest, ToTheGeneralFund) {
  const v1::EventInput in = WithId(Donation(Gbp(5000)), "don-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr cash 5000 GBP\n"
            "Cr fund:general 5000 GBP\n"
            "fund general GBP received=5000 available=5000\n"
            "totals events=1 GBP raised=5000 held=5000\n");
  EXPECT_EQ(DescribeEvent(in.body()), "donation 50.00 GBP from donor-7 to general fund");
}

TEST_F(DonationReceivedTest, EarmarkedForAFund) {
  const v1::EventInput in = WithId(Donation(Gbp(12000), "lawyer"), "don-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr cash 12000 GBP\n"
            "Cr fund:beneficiary/lawyer 12000 GBP\n"
            "fund beneficiary/lawyer GBP received=12000 available=12000\n"
            "totals events=1 GBP raised=12000 held=12000\n");
  // The projections note the currency the fund now holds.
  EXPECT_EQ(ledger_.StoredBeneficiary("lawyer"),
            "ben lawyer OPEN \"A fund\" purpose=\"legal aid\" registered=2026-01-01@2 "
            "currencies=GBP");
}

TEST_F(DonationReceivedTest, FromABranchCountsForTheBranch) {
  const v1::EventInput in = WithId(BranchDonation("leeds", Of(700, "JPY"), "lawyer"), "don-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr cash 700 JPY\n"
            "Cr fund:beneficiary/lawyer 700 JPY\n"
            "fund beneficiary/lawyer JPY received=700 available=700\n"
            "branch leeds JPY donations=700 total=700\n"
            "totals events=1 JPY raised=700 held=700\n"
            "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=1000 GBP monthly affiliated=2026-02-01@5 periods=0 paid_until=2026-02-01 "
            "last_payment=2026-03-01\n");
  EXPECT_EQ(DescribeEvent(in.body()), "donation 700 JPY from branch leeds to fund lawyer");
  EXPECT_EQ(DetailsOf(in.body()).donor_kind, "branch");
}

TEST_F(DonationReceivedTest, AnEarlierGiftLeavesTheLastPaymentWhereItIs) {
  ledger_.Given({BranchDonation("leeds", Gbp(100))});  // 2026-03-01
  absl::StatusOr<Effects> decided =
      ledger_.Decide(On(BranchDonation("leeds", Gbp(100)), "2026-02-10"));
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->branch_rows.size(), 1u);
  EXPECT_EQ(decided->branch_rows[0].last_payment_on(), "2026-03-01");
}

TEST_F(DonationReceivedTest, Stage1RefusesEachBadField) {
  const v1::EventInput base = BranchDonation("leeds", Gbp(100), "lawyer");
  auto donation = [](v1::EventInput& in) { return in.mutable_body()->mutable_donation_received(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.donation_received.";
  ExpectStage1(
      base,
      {
          {"no amount", [&](auto& in) { donation(in)->clear_amount(); }, bad + "amount"},
          {"zero", [&](auto& in) { *donation(in)->mutable_amount() = Gbp(0); },
           bad + "amount.amount_minor"},
          {"negative", [&](auto& in) { *donation(in)->mutable_amount() = Gbp(-1); },
           bad + "amount.amount_minor"},
          {"over the limit",
           [&](auto& in) { *donation(in)->mutable_amount() = Gbp(kMaxAmountMinor + 1); },
           bad + "amount.amount_minor"},
          {"no currency", [&](auto& in) { donation(in)->mutable_amount()->clear_currency(); },
           bad + "amount.currency"},
          {"unknown currency", [&](auto& in) { *donation(in)->mutable_amount() = Of(5, "XYZ"); },
           bad + "amount.currency"},
          {"no donor kind",
           [&](auto& in) { donation(in)->set_donor_kind(v1::DONOR_KIND_UNSPECIFIED); },
           bad + "donor_kind"},
          {"a branch gift without a branch", [&](auto& in) { donation(in)->clear_branch_id(); },
           bad + "branch_id"},
          {"a bad branch id", [&](auto& in) { donation(in)->set_branch_id("Leeds"); },
           bad + "branch_id"},
          {"a person's gift naming a branch",
           [&](auto& in) { donation(in)->set_donor_kind(v1::DONOR_KIND_INDIVIDUAL); },
           bad + "branch_id"},
          {"an anonymous gift with a donor",
           [&](auto& in) {
             donation(in)->set_donor_kind(v1::DONOR_KIND_ANONYMOUS);
             donation(in)->clear_branch_id();
             donation(in)->set_donor_ref("donor-7");
           },
           bad + "donor_ref"},
          {"a donor reference over its limit",
           [&](auto& in) { donation(in)->set_donor_ref(std::string(kMaxNameLength + 1, 'd')); },
           bad + "donor_ref"},
          {"a bad earmark", [&](auto& in) { donation(in)->set_earmark_beneficiary_id("a b"); },
           bad + "earmark_beneficiary_id"},
          {"a method on two lines", [&](auto& in) { donation(in)->set_method("card\nx"); },
           bad + "method"},
          {"a reference over its limit",
           [&](auto& in) { donation(in)->set_reference(std::string(kMaxNameLength + 1, 'r')); },
           bad + "reference"},
      });
}

TEST_F(DonationReceivedTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string earmark = "field=body.donation_received.earmark_beneficiary_id";
  const std::string branch = "field=body.donation_received.branch_id";
  EXPECT_EQ(Render(ledger_.Decide(Donation(Gbp(100), "nobody"))),
            "NOT_FOUND UNKNOWN_BENEFICIARY " + earmark);
  EXPECT_EQ(Render(ledger_.Decide(Donation(Gbp(100), "gone"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED " + earmark);
  EXPECT_EQ(Render(ledger_.Decide(BranchDonation("nowhere", Gbp(100)))),
            "NOT_FOUND UNKNOWN_BRANCH " + branch);
  EXPECT_EQ(Render(ledger_.Decide(BranchDonation("left", Gbp(100)))),
            "FAILED_PRECONDITION BRANCH_NOT_AFFILIATED " + branch);
}

TEST_F(DonationReceivedTest, DatedBeforeWhatItNeedsIsRefusedWhenRecordedNotOnReplay) {
  ledger_.ExpectDatedRefusal(
      On(Donation(Gbp(100), "lawyer"), "2025-12-31"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-01-01");
  ledger_.ExpectDatedRefusal(
      On(BranchDonation("leeds", Gbp(100)), "2026-01-31"),
      "FAILED_PRECONDITION DATE_BEFORE_AFFILIATION field=occurred_on date=2026-02-01");
  // On the day itself it holds.
  EXPECT_TRUE(ledger_.Decide(On(Donation(Gbp(100), "lawyer"), "2026-01-01")).ok());
  EXPECT_TRUE(ledger_.Decide(On(BranchDonation("leeds", Gbp(100)), "2026-02-01")).ok());
}

TEST_F(DonationReceivedTest, AWholeRefundTakesItAllBack) {
  ledger_.Given({WithId(BranchDonation("leeds", Gbp(2500), "lawyer"), "don-1")});
  const v1::EventInput refund = WithId(Reversal("don-1"), "rev-1");
  // The original (position 8) is marked; the branch gave nothing after all,
  // so it has no last payment day any more.
  EXPECT_EQ(ledger_.Recorded(refund),
            "Dr fund:beneficiary/lawyer 2500 GBP\n"
            "Cr cash 2500 GBP\n"
            "fund beneficiary/lawyer GBP received=-2500 available=-2500\n"
            "branch leeds GBP donations=-2500 total=-2500\n"
            "totals events=1 reversals=1 GBP raised=-2500 held=-2500\n"
            "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=1000 GBP monthly affiliated=2026-02-01@5 periods=0 paid_until=2026-02-01 "
            "totals=GBP donations=2500 total=2500\n"
            "mark #8 by=9 amount=2500\n");
}

TEST_F(DonationReceivedTest, ARefundToAFundThatClosedSinceIsRefused) {
  ledger_.Given({Beneficiary("medic"), WithId(Donation(Gbp(100), "medic"), "don-1"),
                 Disbursement("medic", Gbp(100)), CloseBeneficiary("medic")});
  EXPECT_EQ(Render(ledger_.Decide(Reversal("don-1"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED field=body.event_reversed.target_event_id");
}

}  // namespace
}  // namespace ledger::testing
