// Goal: BeneficiaryClosed (ledger/domain/events/beneficiary_closed.cc)
// decided over an in-memory state. A fund closes only when it holds nothing
// in every currency it ever held; when recorded, not before its registration
// nor before its last movement; the closed row keeps its history; stage 1
// and stage 2 refusals give their code, reason and field.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class BeneficiaryClosedTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01")}); }

  MemoryLedger ledger_;
};

TEST_F(BeneficiaryClosedTest, AnEmptyFundCloses) {
  const v1::EventInput in = WithId(CloseBeneficiary("lawyer"), "close-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "totals events=1\n"
            "ben lawyer CLOSED \"A fund\" purpose=\"legal aid\" registered=2026-01-01@2 "
            "closed=2026-03-01\n");
  EXPECT_EQ(DescribeEvent(in.body()), "beneficiary lawyer closed");
}

TEST_F(BeneficiaryClosedTest, AFundThatHeldMoneyClosesAtZeroInEveryCurrency) {
  ledger_.Given({On(Donation(Gbp(1000), "lawyer"), "2026-01-10"),
                 On(Donation(Of(300, "JPY"), "lawyer"), "2026-01-11"),
                 On(Disbursement("lawyer", Gbp(1000)), "2026-01-20"),
                 On(Disbursement("lawyer", Of(200, "JPY")), "2026-01-21")});
  // 100 JPY is still there.
  EXPECT_EQ(Render(ledger_.Decide(CloseBeneficiary("lawyer"))),
            "FAILED_PRECONDITION BALANCE_NOT_ZERO field=body.beneficiary_closed.beneficiary_id "
            "fund=beneficiary/lawyer available=100 JPY");
  ledger_.Given({On(Disbursement("lawyer", Of(100, "JPY")), "2026-01-22")});
  EXPECT_EQ(Render(ledger_.Decide(On(CloseBeneficiary("lawyer"), "2026-01-22"))),
            "totals events=1\n"
            "ben lawyer CLOSED \"A fund\" purpose=\"legal aid\" registered=2026-01-01@2 "
            "closed=2026-01-22 currencies=GBP,JPY\n");
}

TEST_F(BeneficiaryClosedTest, Stage1RefusesEachBadField) {
  auto closed = [](v1::EventInput& in) { return in.mutable_body()->mutable_beneficiary_closed(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.beneficiary_closed.";
  ExpectStage1(
      CloseBeneficiary("lawyer"),
      {
          {"no id", [&](auto& in) { closed(in)->clear_beneficiary_id(); }, bad + "beneficiary_id"},
          {"a bad id", [&](auto& in) { closed(in)->set_beneficiary_id("lawyer/x"); },
           bad + "beneficiary_id"},
          {"a reason over its limit",
           [&](auto& in) { closed(in)->set_reason(std::string(kMaxMemoLength + 1, 'r')); },
           bad + "reason"},
      });
}

TEST_F(BeneficiaryClosedTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.beneficiary_closed.beneficiary_id";
  EXPECT_EQ(Render(ledger_.Decide(CloseBeneficiary("nobody"))),
            "NOT_FOUND UNKNOWN_BENEFICIARY " + field);
  ledger_.Given({CloseBeneficiary("lawyer")});
  EXPECT_EQ(Render(ledger_.Decide(CloseBeneficiary("lawyer"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED " + field);
}

TEST_F(BeneficiaryClosedTest, NotDatedBeforeTheRegistrationOrTheLastMovementWhenRecorded) {
  ledger_.ExpectDatedRefusal(
      On(CloseBeneficiary("lawyer"), "2025-12-15"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-01-01");
  ledger_.Given({On(Donation(Gbp(1000), "lawyer"), "2026-01-10"),
                 On(Disbursement("lawyer", Gbp(1000)), "2026-01-20")});
  ledger_.ExpectDatedRefusal(
      On(CloseBeneficiary("lawyer"), "2026-01-15"),
      "FAILED_PRECONDITION DATE_BEFORE_LAST_MOVEMENT field=occurred_on date=2026-01-20");
  EXPECT_TRUE(ledger_.Decide(On(CloseBeneficiary("lawyer"), "2026-01-20")).ok());
}

}  // namespace
}  // namespace ledger::testing
