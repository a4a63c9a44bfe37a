// Goal: an event must hold as of its own date as well as now. Each dated
// rule of shared/DESIGN.md ("Dates are facts too") refuses with its status
// code, its reason, the day at fault and the figures in the details, and a
// refused append writes nothing. Events dated in any order that do hold are
// accepted, and a rebuild (which does not run the dated checks) still equals
// the stored projections. Real RocksDB in a temp directory; a fixed clock.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/replay.h"
#include "ledger/domain/registers.h"
#include "ledger/errors.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Branch;
using ::ledger::testing::BranchDonation;
using ::ledger::testing::CloseBeneficiary;
using ::ledger::testing::Disaffiliate;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Fee;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::On;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::WithId;
using ::testing::HasSubstr;

class DatedRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(ledger_.Open(), IsOk());  // today is 2026-03-01
    // A fund registered on 1 January and a branch affiliated on 1 February.
    Accept({On(Beneficiary("lawyer"), "2026-01-01"), On(Branch("leeds"), "2026-02-01")});
  }

  void Accept(std::initializer_list<v1::EventInput> events) {
    ASSERT_THAT(ledger_.Append(events), IsOk());
  }

  // Appends, expects `code` and `reason`, the day at fault in the details,
  // and nothing written. Returns the detail.
  v1::ErrorDetail ExpectRefused(std::initializer_list<v1::EventInput> events, absl::StatusCode code,
                                absl::string_view reason, absl::string_view day) {
    const testing::Refused r = ledger_.ExpectRefused(Request(events), code, reason);
    EXPECT_TRUE(GetErrorDetail(r.status).has_value());
    EXPECT_EQ(r.detail().date(), day) << r.status;
    message_ = r.message();
    return r.detail();
  }

  void ExpectRebuildMatches() {
    auto view = ledger_.log().NewReadView();
    absl::StatusOr<RebuildReport> rebuild = RebuildAndCompare(*view);
    ASSERT_THAT(rebuild, IsOk());
    EXPECT_TRUE(rebuild->match) << rebuild->failure;
  }

  testing::TempLedger ledger_;
  std::string message_;
};

TEST_F(DatedRulesTest, DonationDatedBeforeItsFundWasRegisteredIsRefused) {
  v1::ErrorDetail d = ExpectRefused({On(Donation(Gbp(1000), "lawyer"), "2025-12-31")},
                                    absl::StatusCode::kFailedPrecondition,
                                    kReasonDateBeforeRegistration, "2026-01-01");
  EXPECT_EQ(d.field(), "events[0].occurred_on");
  EXPECT_THAT(message_, HasSubstr("2025-12-31 is before fund:beneficiary/lawyer was registered"));
  Accept({On(Donation(Gbp(1000), "lawyer"), "2026-01-01")});
}

TEST_F(DatedRulesTest, EveryEventThatNeedsAFundIsCheckedAgainstItsRegistration) {
  Accept({On(Donation(Gbp(5000)), "2025-12-01")});
  ExpectRefused({On(Allocation("lawyer", Gbp(100)), "2025-12-15")},
                absl::StatusCode::kFailedPrecondition, kReasonDateBeforeRegistration, "2026-01-01");
  ExpectRefused({On(Disbursement("lawyer", Gbp(100)), "2025-12-15")},
                absl::StatusCode::kFailedPrecondition, kReasonDateBeforeRegistration, "2026-01-01");
  v1::EventInput update = Beneficiary("lawyer");
  auto* u = update.mutable_body()->mutable_beneficiary_updated();
  u->set_beneficiary_id("lawyer");
  u->set_display_name("Renamed");
  ExpectRefused({On(update, "2025-12-15")}, absl::StatusCode::kFailedPrecondition,
                kReasonDateBeforeRegistration, "2026-01-01");
  ExpectRefused({On(CloseBeneficiary("lawyer"), "2025-12-15")},
                absl::StatusCode::kFailedPrecondition, kReasonDateBeforeRegistration, "2026-01-01");
}

TEST_F(DatedRulesTest, PaymentDatedBeforeTheMoneyArrivedIsRefusedWithTheDayAndFigures) {
  // 50.00 on 10 January, 100.00 on 20 January; 80.00 paid "on 15 January"
  // would leave the fund at -30.00 from the 15th to the 19th.
  Accept({On(Donation(Gbp(5000), "lawyer"), "2026-01-10"),
          On(Donation(Gbp(10000), "lawyer"), "2026-01-20")});
  v1::ErrorDetail d =
      ExpectRefused({On(Disbursement("lawyer", Gbp(8000)), "2026-01-15")},
                    absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds, "2026-01-15");
  EXPECT_EQ(d.fund(), "beneficiary/lawyer");
  EXPECT_EQ(d.available().amount_minor(), 5000);
  EXPECT_EQ(d.requested().amount_minor(), 8000);
  EXPECT_THAT(message_,
              HasSubstr("insufficient funds in fund:beneficiary/lawyer on 2026-01-15: "
                        "available 50.00 GBP at the end of that day, requested 80.00 GBP"));
  // Dated on the 20th (or paying no more than was there) it holds.
  Accept({On(Disbursement("lawyer", Gbp(8000)), "2026-01-20"),
          On(Disbursement("lawyer", Gbp(5000)), "2026-01-15")});
  ExpectRebuildMatches();
}

TEST_F(DatedRulesTest, ALaterDayCanBeTheOneThatWouldGoBelowZero) {
  // 50.00 on the 10th, 100.00 on the 20th, 100.00 paid on the 25th, 200.00
  // on the 28th: the fund holds 250.00 now but only 50.00 from the 25th to
  // the 27th. Refunding the 100.00 on the 21st leaves 50.00 that day and
  // 150.00 now, but -50.00 from the 25th.
  Accept({On(Donation(Gbp(5000), "lawyer"), "2026-01-10"),
          WithId(On(Donation(Gbp(10000), "lawyer"), "2026-01-20"), "big-gift"),
          On(Disbursement("lawyer", Gbp(10000)), "2026-01-25"),
          On(Donation(Gbp(20000), "lawyer"), "2026-01-28")});
  v1::ErrorDetail d =
      ExpectRefused({On(Reversal("big-gift"), "2026-01-21")}, absl::StatusCode::kFailedPrecondition,
                    kReasonInsufficientFunds, "2026-01-25");
  EXPECT_EQ(d.available().amount_minor(), 5000);
  EXPECT_EQ(d.requested().amount_minor(), 10000);
  // Dated on the 28th the refund holds.
  Accept({On(Reversal("big-gift"), "2026-01-28")});
}

TEST_F(DatedRulesTest, AllocationChecksTheGeneralFundOnItsDate) {
  Accept({On(Donation(Gbp(3000)), "2026-02-10")});
  v1::ErrorDetail d =
      ExpectRefused({On(Allocation("lawyer", Gbp(1000)), "2026-02-01")},
                    absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds, "2026-02-01");
  EXPECT_EQ(d.fund(), "general");
  EXPECT_EQ(d.available().amount_minor(), 0);
  Accept({On(Allocation("lawyer", Gbp(1000)), "2026-02-10")});
}

TEST_F(DatedRulesTest, EventsOfOneBatchSeeEachOthersDates) {
  // The money arrives later in the same batch: still too late for the 15th.
  ExpectRefused({On(Donation(Gbp(10000), "lawyer"), "2026-01-20"),
                 On(Disbursement("lawyer", Gbp(5000)), "2026-01-15")},
                absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds, "2026-01-15");
  Accept({On(Donation(Gbp(10000), "lawyer"), "2026-01-10"),
          On(Disbursement("lawyer", Gbp(5000)), "2026-01-15")});
}

TEST_F(DatedRulesTest, ReversalDatedBeforeTheEventItReversesIsRefused) {
  Accept({WithId(On(Donation(Gbp(1000), "lawyer"), "2026-02-10"), "gift")});
  v1::ErrorDetail d =
      ExpectRefused({On(Reversal("gift"), "2026-02-09")}, absl::StatusCode::kFailedPrecondition,
                    kReasonDateBeforeTarget, "2026-02-10");
  EXPECT_EQ(d.field(), "events[0].occurred_on");
  Accept({On(Reversal("gift"), "2026-02-10")});
}

TEST_F(DatedRulesTest, CloseDatedBeforeTheFundsLastMovementIsRefused) {
  Accept({On(Donation(Gbp(1000), "lawyer"), "2026-01-10"),
          On(Disbursement("lawyer", Gbp(1000)), "2026-01-20")});
  v1::ErrorDetail d = ExpectRefused({On(CloseBeneficiary("lawyer"), "2026-01-15")},
                                    absl::StatusCode::kFailedPrecondition,
                                    kReasonDateBeforeLastMovement, "2026-01-20");
  EXPECT_THAT(message_, HasSubstr("the last movement of fund:beneficiary/lawyer"));
  Accept({On(CloseBeneficiary("lawyer"), "2026-01-20")});
  // As of any day after the close the fund is empty: nothing dated after it.
  auto view = AsOfEndOfDay(ledger_.log().NewReadView(), absl::CivilDay(2026, 2, 1));
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(testing::Available(**view, "beneficiary/lawyer", "GBP"), 0);
}

TEST_F(DatedRulesTest, BranchMoneyDatedBeforeItAffiliatedIsRefused) {
  ExpectRefused({On(Fee("leeds", Gbp(1000)), "2026-01-31")}, absl::StatusCode::kFailedPrecondition,
                kReasonDateBeforeAffiliation, "2026-02-01");
  ExpectRefused({On(BranchDonation("leeds", Gbp(1000)), "2026-01-31")},
                absl::StatusCode::kFailedPrecondition, kReasonDateBeforeAffiliation, "2026-02-01");
  Accept({On(Fee("leeds", Gbp(1000)), "2026-02-01")});
}

TEST_F(DatedRulesTest, BranchLeavesNotBeforeItsLastPaymentAndReturnsNotBeforeItLeft) {
  Accept({On(Fee("leeds", Gbp(1000)), "2026-02-15")});
  ExpectRefused({On(Disaffiliate("leeds"), "2026-02-10")}, absl::StatusCode::kFailedPrecondition,
                kReasonDateBeforeLastMovement, "2026-02-15");
  ExpectRefused({On(Disaffiliate("leeds"), "2026-01-20")}, absl::StatusCode::kFailedPrecondition,
                kReasonDateBeforeAffiliation, "2026-02-01");
  Accept({On(Disaffiliate("leeds"), "2026-02-20")});
  ExpectRefused({On(Branch("leeds"), "2026-02-19")}, absl::StatusCode::kFailedPrecondition,
                kReasonDateBeforeAffiliation, "2026-02-20");
  Accept({On(Branch("leeds"), "2026-02-20")});
}

TEST_F(DatedRulesTest, DatesMoreThanOneDayAfterTodayAreInvalid) {
  // Today (the server's clock, UTC) is 2026-03-01: the 2nd is accepted (a
  // treasurer ahead of UTC), the 3rd and a typo year are not.
  v1::ErrorDetail d =
      ExpectRefused({On(Donation(Gbp(100)), "2051-03-01")}, absl::StatusCode::kInvalidArgument,
                    kReasonDateInFuture, "2026-03-02");
  EXPECT_EQ(d.field(), "events[0].occurred_on");
  EXPECT_THAT(message_, HasSubstr("2051-03-01 is in the future"));
  ExpectRefused({On(Donation(Gbp(100)), "2026-03-03")}, absl::StatusCode::kInvalidArgument,
                kReasonDateInFuture, "2026-03-02");
  Accept({On(Donation(Gbp(100)), "2026-03-02")});
}

TEST_F(DatedRulesTest, RebuildReplaysEventsWhateverTheirDates) {
  // Out-of-order dates that hold are accepted and replay to the same state.
  Accept({On(Donation(Gbp(9000), "lawyer"), "2026-02-20"),
          On(Donation(Gbp(1000), "lawyer"), "2026-01-05"),
          On(Disbursement("lawyer", Gbp(500)), "2026-01-06"), On(Donation(Gbp(2000)), "2026-01-02"),
          On(Allocation("lawyer", Gbp(2000)), "2026-02-21")});
  ExpectRebuildMatches();
  auto view = AsOfEndOfDay(ledger_.log().NewReadView(), absl::CivilDay(2026, 1, 31));
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(testing::Available(**view, "beneficiary/lawyer", "GBP"), 500);
  EXPECT_EQ(testing::Available(**view, "general", "GBP"), 2000);
}

TEST(LatestAcceptedDayTest, IsTheDayAfterTheUtcDayOfRecording) {
  // 2026-03-01T23:59:59Z and 2026-03-01T00:00:00Z: both allow the 2nd.
  EXPECT_EQ(FormatDate(LatestAcceptedDay(1772409599LL * 1000000)), "2026-03-02");
  EXPECT_EQ(FormatDate(LatestAcceptedDay(1772323200LL * 1000000)), "2026-03-02");
}

}  // namespace
}  // namespace ledger
