// Goal: a branch's statement counts fee periods net of whole reversals, like
// its register; a branch owes its first period from the day it affiliates.
#include "ledger/audit/statements.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/civil_date.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Branch;
using ::ledger::testing::Fee;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::WithId;

class BranchStatementTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(ledger_.Open(), IsOk()); }  // 2026-03-01

  v1::GetBranchStatementResponse Statement() {
    v1::DateRange range;
    range.set_from_date("2026-01-01");
    range.set_to_date("2026-03-01");
    auto view = ledger_.log().NewReadView();
    absl::StatusOr<v1::GetBranchStatementResponse> r = BranchStatement(*view, "leeds", range);
    EXPECT_THAT(r, IsOk());
    return r.value_or(v1::GetBranchStatementResponse());
  }

  testing::TempLedger ledger_;
};

TEST_F(BranchStatementTest, AWhollyReversedFeePaysNoPeriods) {
  ASSERT_THAT(ledger_.Append(Request(
                  {Branch("leeds", Gbp(1000)), WithId(Fee("leeds", Gbp(2000), 2), "fee-1")})),
              IsOk());
  EXPECT_EQ(Statement().periods_paid(), 2);
  ASSERT_THAT(ledger_.Append(Request({Reversal("fee-1", v1::REVERSAL_KIND_CHARGEBACK)})), IsOk());
  const v1::GetBranchStatementResponse s = Statement();
  EXPECT_EQ(s.periods_paid(), 0);
  ASSERT_EQ(s.paid_size(), 1);
  EXPECT_EQ(s.paid(0).fees_paid_minor(), 0);
}

TEST_F(BranchStatementTest, APartlyRefundedFeeStillPaysItsPeriods) {
  ASSERT_THAT(ledger_.Append(Request(
                  {Branch("leeds", Gbp(1000)), WithId(Fee("leeds", Gbp(2000), 2), "fee-1")})),
              IsOk());
  ASSERT_THAT(ledger_.Append(Request({Reversal("fee-1", v1::REVERSAL_KIND_REFUND, 500, "GBP")})),
              IsOk());
  const v1::GetBranchStatementResponse s = Statement();
  EXPECT_EQ(s.periods_paid(), 2);
  EXPECT_EQ(s.paid(0).fees_paid_minor(), 1500);
}

TEST_F(BranchStatementTest, ABranchOwesItsFirstPeriodFromTheDayItAffiliates) {
  // Affiliated today, nothing paid: the first period is owed today.
  ASSERT_THAT(ledger_.Append(Request({Branch("leeds", Gbp(1000))})), IsOk());
  auto view = ledger_.log().NewReadView();
  absl::StatusOr<v1::BranchView> b = QueryBranch(*view, "leeds", absl::CivilDay(2026, 3, 1));
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->branch().paid_until(), "2026-03-01");
  EXPECT_TRUE(b->in_arrears());
  // One monthly period paid: paid up until the next period begins, on
  // 2026-04-01, when the next fee is owed.
  ASSERT_THAT(ledger_.Append(Request({Fee("leeds", Gbp(1000))})), IsOk());
  view = ledger_.log().NewReadView();
  b = QueryBranch(*view, "leeds", absl::CivilDay(2026, 3, 31));
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(b->in_arrears());
  b = QueryBranch(*view, "leeds", absl::CivilDay(2026, 4, 1));
  ASSERT_THAT(b, IsOk());
  EXPECT_TRUE(b->in_arrears());
}

}  // namespace
}  // namespace ledger
