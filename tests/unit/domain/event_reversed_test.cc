// Goal: EventReversed (ledger/domain/events/event_reversed.cc) decided over
// an in-memory state: the rules every reversal follows whatever it reverses
// (what each kind adds is tested in that kind's file). A reversal swaps the
// original's accounts for the amount reversed (the whole, when none is
// given), marks the original, and counts as a reversal; only an event that
// moves money, at most once, in its currency, for no more than it moved, and
// (when recorded) not dated before it. MoneyEffectsOf of the logged reversal
// is the money Decide gave.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class EventReversedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Positions 2-4: a fund, 50.00 GBP given to it on 10 February, 10.00 GBP
    // to the general fund.
    ledger_.Given({WithId(On(Beneficiary("lawyer"), "2026-01-01"), "reg-lawyer"),
                   WithId(On(Donation(Gbp(5000), "lawyer"), "2026-02-10"), "don-1"),
                   WithId(Donation(Gbp(1000)), "don-2")});
  }

  MemoryLedger ledger_;
};

TEST_F(EventReversedTest, APartialReversalSwapsTheAccountsForItsAmount) {
  const v1::EventInput in =
      WithId(Reversal("don-1", v1::REVERSAL_KIND_REFUND, 1000, "GBP"), "rev-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "Dr fund:beneficiary/lawyer 1000 GBP\n"
            "Cr cash 1000 GBP\n"
            "fund beneficiary/lawyer GBP received=-1000 available=-1000\n"
            "totals events=1 reversals=1 GBP raised=-1000 held=-1000\n"
            "mark #3 by=5 amount=1000\n");
  EXPECT_EQ(DescribeEvent(in.body()), "reversal of don-1 10.00 GBP: refund requested");
  EXPECT_EQ(DetailsOf(in.body()).reversal_kind, "refund");
}

TEST_F(EventReversedTest, NoAmountOrAllOfItIsTheWhole) {
  v1::EventInput unset = Reversal("don-1");
  *unset.mutable_body()->mutable_event_reversed()->mutable_amount() = v1::Money();
  for (const v1::EventInput& in :
       {Reversal("don-1"), unset, Reversal("don-1", v1::REVERSAL_KIND_DUPLICATE, 5000, "GBP")}) {
    SCOPED_TRACE(in.ShortDebugString());
    absl::StatusOr<Effects> decided = ledger_.Decide(in);
    ASSERT_TRUE(decided.ok()) << decided.status();
    EXPECT_EQ(RenderRegisters(*decided), "mark #3 by=5 amount=5000\n");
  }
  EXPECT_EQ(DescribeEvent(Reversal("don-1").body()), "reversal of don-1 in full: refund requested");
}

TEST_F(EventReversedTest, Stage1RefusesEachBadField) {
  auto reversed = [](v1::EventInput& in) { return in.mutable_body()->mutable_event_reversed(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.event_reversed.";
  ExpectStage1(
      Reversal("don-1", v1::REVERSAL_KIND_REFUND, 100, "GBP"),
      {
          {"no target", [&](auto& in) { reversed(in)->clear_target_event_id(); },
           bad + "target_event_id"},
          {"a bad target id", [&](auto& in) { reversed(in)->set_target_event_id("Don 1"); },
           bad + "target_event_id"},
          {"no kind", [&](auto& in) { reversed(in)->set_kind(v1::REVERSAL_KIND_UNSPECIFIED); },
           bad + "kind"},
          {"an amount of zero in a currency",
           [&](auto& in) { *reversed(in)->mutable_amount() = Gbp(0); },
           bad + "amount.amount_minor"},
          {"a negative amount", [&](auto& in) { *reversed(in)->mutable_amount() = Gbp(-100); },
           bad + "amount.amount_minor"},
          {"an unknown currency",
           [&](auto& in) { *reversed(in)->mutable_amount() = Of(100, "QQQ"); },
           bad + "amount.currency"},
          {"no reason", [&](auto& in) { reversed(in)->clear_reason(); }, bad + "reason"},
          {"a reason over its limit",
           [&](auto& in) { reversed(in)->set_reason(std::string(kMaxMemoLength + 1, 'r')); },
           bad + "reason"},
      });
}

TEST_F(EventReversedTest, OnlyAnEventThatMovesMoneyAndOnlyOnce) {
  const std::string target = "field=body.event_reversed.target_event_id";
  EXPECT_EQ(Render(ledger_.Decide(Reversal("nothing"))), "NOT_FOUND UNKNOWN_EVENT " + target);
  EXPECT_EQ(Render(ledger_.Decide(Reversal("genesis"))),
            "FAILED_PRECONDITION NOT_REVERSIBLE " + target);
  EXPECT_EQ(Render(ledger_.Decide(Reversal("reg-lawyer"))),
            "FAILED_PRECONDITION NOT_REVERSIBLE " + target);
  ledger_.Given({WithId(Reversal("don-2", v1::REVERSAL_KIND_REFUND, 100, "GBP"), "rev-2")});
  // Once, even after a partial reversal; and a reversal is not reversed.
  EXPECT_EQ(Render(ledger_.Decide(Reversal("don-2"))),
            "FAILED_PRECONDITION ALREADY_REVERSED " + target + " event_id=don-2 position=5");
  EXPECT_EQ(Render(ledger_.Decide(Reversal("rev-2"))),
            "FAILED_PRECONDITION NOT_REVERSIBLE " + target);
}

TEST_F(EventReversedTest, TheAmountIsInTheOriginalsCurrencyAndNoMoreThanIt) {
  EXPECT_EQ(Render(ledger_.Decide(Reversal("don-1", v1::REVERSAL_KIND_REFUND, 100, "EUR"))),
            "INVALID_ARGUMENT INVALID_FIELD field=body.event_reversed.amount.currency");
  EXPECT_EQ(Render(ledger_.Decide(Reversal("don-1", v1::REVERSAL_KIND_REFUND, 5001, "GBP"))),
            "INVALID_ARGUMENT INVALID_FIELD field=body.event_reversed.amount");
}

TEST_F(EventReversedTest, NotDatedBeforeTheEventItReversesWhenRecorded) {
  ledger_.ExpectDatedRefusal(
      On(Reversal("don-1"), "2026-02-09"),
      "FAILED_PRECONDITION DATE_BEFORE_TARGET field=occurred_on date=2026-02-10");
  EXPECT_TRUE(ledger_.Decide(On(Reversal("don-1"), "2026-02-10")).ok());
}

TEST_F(EventReversedTest, TheFundMustStillHoldWhatIsTakenBack) {
  ledger_.Given({Disbursement("lawyer", Gbp(4500))});
  EXPECT_EQ(Render(ledger_.Decide(Reversal("don-1"))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=500 GBP "
            "requested=5000 GBP");
  EXPECT_TRUE(ledger_.Decide(Reversal("don-1", v1::REVERSAL_KIND_REFUND, 500, "GBP")).ok());
}

TEST_F(EventReversedTest, MoneyEffectsOfAReversalWhoseTargetIsGoneIsDataLoss) {
  // A log whose reversal names an event it does not hold is damaged.
  MemoryLedger other;
  v1::EventPayload payload;
  payload.set_event_id("rev-x");
  payload.set_occurred_on("2026-03-01");
  *payload.mutable_body() = Reversal("don-1").body();
  absl::StatusOr<Effects> money = MoneyEffectsOf(payload, other);
  EXPECT_EQ(money.status().code(), absl::StatusCode::kDataLoss) << money.status();
  payload.mutable_body()->mutable_event_reversed()->set_target_event_id("genesis");
  EXPECT_EQ(MoneyEffectsOf(payload, other).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledger::testing
