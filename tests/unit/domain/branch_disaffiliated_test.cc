// Goal: BranchDisaffiliated (ledger/domain/events/branch_disaffiliated.cc)
// decided over an in-memory state. An affiliated branch leaves, its row
// closed with the day it left and its history kept; when recorded, not
// before it affiliated nor before its last payment (payments that were all
// wholly reversed do not count); stage 1 and stage 2 refusals give their
// code, reason and field.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class BranchDisaffiliatedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.Given({On(Branch("leeds"), "2026-02-01"), Branch("left"), Disaffiliate("left")});
  }

  MemoryLedger ledger_;
};

TEST_F(BranchDisaffiliatedTest, ABranchLeaves) {
  const v1::EventInput in = WithId(Disaffiliate("leeds"), "disaff-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "totals events=1\n"
            "br leeds CLOSED \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=1000 GBP monthly affiliated=2026-02-01@2 disaffiliated=2026-03-01 periods=0 "
            "paid_until=2026-02-01\n");
  EXPECT_EQ(DescribeEvent(in.body()), "branch leeds disaffiliated");
}

TEST_F(BranchDisaffiliatedTest, Stage1RefusesEachBadField) {
  auto left = [](v1::EventInput& in) { return in.mutable_body()->mutable_branch_disaffiliated(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.branch_disaffiliated.";
  ExpectStage1(Disaffiliate("leeds"),
               {
                   {"no id", [&](auto& in) { left(in)->clear_branch_id(); }, bad + "branch_id"},
                   {"a bad id", [&](auto& in) { left(in)->set_branch_id("Leeds Health"); },
                    bad + "branch_id"},
                   {"a reason over its limit",
                    [&](auto& in) { left(in)->set_reason(std::string(kMaxMemoLength + 1, 'r')); },
                    bad + "reason"},
               });
}

TEST_F(BranchDisaffiliatedTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.branch_disaffiliated.branch_id";
  EXPECT_EQ(Render(ledger_.Decide(Disaffiliate("nowhere"))), "NOT_FOUND UNKNOWN_BRANCH " + field);
  EXPECT_EQ(Render(ledger_.Decide(Disaffiliate("left"))),
            "FAILED_PRECONDITION BRANCH_NOT_AFFILIATED " + field);
}

TEST_F(BranchDisaffiliatedTest, NotDatedBeforeItJoinedOrItsLastPaymentWhenRecorded) {
  ledger_.Given({On(Fee("leeds", Gbp(1000)), "2026-02-15")});
  ledger_.ExpectDatedRefusal(
      On(Disaffiliate("leeds"), "2026-01-20"),
      "FAILED_PRECONDITION DATE_BEFORE_AFFILIATION field=occurred_on date=2026-02-01");
  ledger_.ExpectDatedRefusal(
      On(Disaffiliate("leeds"), "2026-02-10"),
      "FAILED_PRECONDITION DATE_BEFORE_LAST_MOVEMENT field=occurred_on date=2026-02-15");
  EXPECT_TRUE(ledger_.Decide(On(Disaffiliate("leeds"), "2026-02-15")).ok());
}

TEST_F(BranchDisaffiliatedTest, PaymentsAllWhollyReversedDoNotHoldItBack) {
  // A fee and a gift, both taken back in full: the branch paid nothing
  // after all, and may be recorded as having left before either.
  ledger_.Given({On(WithId(Fee("leeds", Gbp(1000)), "fee-1"), "2026-02-15"),
                 On(WithId(BranchDonation("leeds", Gbp(500)), "gift-1"), "2026-02-20"),
                 On(Reversal("fee-1", v1::REVERSAL_KIND_DUPLICATE), "2026-02-25")});
  // One still stands: refused as of its day.
  ledger_.ExpectDatedRefusal(
      On(Disaffiliate("leeds"), "2026-02-10"),
      "FAILED_PRECONDITION DATE_BEFORE_LAST_MOVEMENT field=occurred_on date=2026-02-20");
  ledger_.Given({On(Reversal("gift-1", v1::REVERSAL_KIND_CHARGEBACK), "2026-02-26")});
  EXPECT_EQ(ledger_.StoredBranch("leeds"),
            "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=1000 GBP monthly affiliated=2026-02-01@2 periods=0 paid_until=2026-02-01 "
            "totals=GBP");
  EXPECT_TRUE(ledger_.Decide(On(Disaffiliate("leeds"), "2026-02-10")).ok());
}

TEST_F(BranchDisaffiliatedTest, APartlyRefundedPaymentStillHoldsItBack) {
  ledger_.Given({On(WithId(BranchDonation("leeds", Gbp(500)), "gift-1"), "2026-02-15"),
                 On(Reversal("gift-1", v1::REVERSAL_KIND_REFUND, 499, "GBP"), "2026-02-25")});
  ledger_.ExpectDatedRefusal(
      On(Disaffiliate("leeds"), "2026-02-10"),
      "FAILED_PRECONDITION DATE_BEFORE_LAST_MOVEMENT field=occurred_on date=2026-02-15");
}

}  // namespace
}  // namespace ledger::testing
