// Goal: closed periods (ledger/domain/periods.h, events/period_close_proposed.cc,
// events/period_closed.cc), decided over an in-memory state. An admin
// proposes closing the books through a day; a different member who is an
// admin or an approver closes it, repeating the day; each refusal gives its
// code, reason, field and figures. Once closed, an event of any kind dated
// on or before that day is refused when recorded (PERIOD_CLOSED) and
// replays as it was accepted.
#include "ledger/domain/periods.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

v1::EventInput Member(absl::string_view id, v1::Role role) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("add-", id));
  in.set_occurred_on("2026-01-01");
  auto* e = in.mutable_body()->mutable_member_added();
  e->set_member_id(std::string(id));
  e->set_display_name("A member");
  e->add_roles(role);
  return in;
}

class PeriodsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Recording at 2026-03-01 12:00 UTC (TestEpoch).
    ledger_.Given({Member("admin-1", v1::ROLE_ADMIN), Member("admin-2", v1::ROLE_ADMIN),
                   Member("approver-1", v1::ROLE_APPROVER),
                   Member("treasurer-1", v1::ROLE_TREASURER),
                   On(Beneficiary("lawyer"), "2026-01-01"),
                   WithId(On(Donation(Gbp(10000), "lawyer"), "2026-01-10"), "don-jan")});
  }

  // Proposed by admin-1, closed by approver-1.
  void CloseThrough(absl::string_view id, absl::string_view through) {
    ledger_.ActAs("admin-1");
    ledger_.Given({PeriodProposal(id, through)});
    ledger_.ActAs("approver-1");
    ledger_.Given({ClosePeriod(id, through)});
    ledger_.ActAs("treasurer-1");
  }

  std::string Closed() {
    auto c = ledger_.books().FindClosedPeriod();
    if (!c.ok()) return std::string(c.status().message());
    if (!*c) return "none";
    return absl::StrCat("through ", (*c)->through(), " by ", (*c)->closed_by(), " proposed by ",
                        (*c)->proposed_by(), " (", (*c)->proposal_id(), ")");
  }

  MemoryLedger ledger_;
};

TEST_F(PeriodsTest, AnAdminProposesAndASecondMemberCloses) {
  ledger_.ActAs("admin-1");
  EXPECT_EQ(ledger_.Recorded(PeriodProposal("p1", "2026-01-31")), "totals events=1\n");
  EXPECT_EQ(Closed(), "none");
  auto p = ledger_.books().FindPeriodProposal("p1");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->proposed_by(), "admin-1");
  EXPECT_EQ((*p)->closed_position(), 0u);
  // The proposer may not close it.
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p1", "2026-01-31"))),
            "PERMISSION_DENIED SELF_APPROVAL field=body.period_closed.proposal_id");
  // Only an admin or an approver; a non-member never.
  ledger_.ActAs("treasurer-1");
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p1", "2026-01-31"))),
            "PERMISSION_DENIED ROLE_REQUIRED field=body.period_closed.proposal_id");
  ledger_.ActAs("stranger");
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p1", "2026-01-31"))),
            "PERMISSION_DENIED ROLE_REQUIRED field=body.period_closed.proposal_id");
  // The day is repeated and checked.
  ledger_.ActAs("approver-1");
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p1", "2026-02-28"))),
            "FAILED_PRECONDITION PROPOSAL_MISMATCH field=body.period_closed.through "
            "date=2026-01-31");
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p9", "2026-01-31"))),
            "NOT_FOUND UNKNOWN_PROPOSAL field=body.period_closed.proposal_id");
  EXPECT_EQ(ledger_.Recorded(ClosePeriod("p1", "2026-01-31")), "totals events=1\n");
  EXPECT_EQ(Closed(), "through 2026-01-31 by approver-1 proposed by admin-1 (p1)");
  // A proposal is used once.
  ledger_.ActAs("admin-2");
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("p1", "2026-01-31"))),
            "FAILED_PRECONDITION PROPOSAL_NOT_PENDING field=body.period_closed.proposal_id");
  // Another admin (not the proposer) may close too.
  ledger_.ActAs("admin-1");
  ledger_.Given({PeriodProposal("p2", "2026-02-15")});
  ledger_.ActAs("admin-2");
  EXPECT_EQ(ledger_.Recorded(ClosePeriod("p2", "2026-02-15")), "totals events=1\n");
  EXPECT_EQ(Closed(), "through 2026-02-15 by admin-2 proposed by admin-1 (p2)");
}

TEST_F(PeriodsTest, AProposalIsRefusedWithItsFigures) {
  CloseThrough("p1", "2026-01-31");
  ledger_.ActAs("admin-1");
  EXPECT_EQ(Render(ledger_.Decide(PeriodProposal("p1", "2026-02-15"))),
            "ALREADY_EXISTS PROPOSAL_EXISTS field=body.period_close_proposed.proposal_id");
  // Not after the day already closed through.
  EXPECT_EQ(Render(ledger_.Decide(PeriodProposal("p2", "2026-01-31"))),
            "FAILED_PRECONDITION PERIOD_NOT_AFTER_CLOSED field=body.period_close_proposed.through "
            "date=2026-01-31");
  EXPECT_EQ(Render(ledger_.Decide(PeriodProposal("p2", "2026-01-15"))),
            "FAILED_PRECONDITION PERIOD_NOT_AFTER_CLOSED field=body.period_close_proposed.through "
            "date=2026-01-31");
  // Through today at the latest (the server's UTC day).
  EXPECT_EQ(Render(ledger_.Decide(On(PeriodProposal("p2", "2026-03-02"), "2026-03-02"))),
            "INVALID_ARGUMENT DATE_IN_FUTURE field=body.period_close_proposed.through "
            "date=2026-03-01");
  // The proposal is dated after the period it closes.
  EXPECT_EQ(Render(ledger_.Decide(PeriodProposal("p2", "2026-03-01"))),
            "FAILED_PRECONDITION DATE_NOT_AFTER_PERIOD field=occurred_on date=2026-03-01");
  EXPECT_EQ(Render(ledger_.Decide(On(PeriodProposal("p2", "2026-03-01"), "2026-03-02"))),
            "totals events=1\n");
}

TEST_F(PeriodsTest, ATwoProposalRaceClosesOnlyForward) {
  ledger_.ActAs("admin-1");
  ledger_.Given({PeriodProposal("late", "2026-02-15"), PeriodProposal("early", "2026-01-31")});
  ledger_.ActAs("approver-1");
  ledger_.Given({ClosePeriod("late", "2026-02-15")});
  EXPECT_EQ(Render(ledger_.Decide(ClosePeriod("early", "2026-01-31"))),
            "FAILED_PRECONDITION PERIOD_NOT_AFTER_CLOSED field=body.period_closed.through "
            "date=2026-02-15");
}

TEST_F(PeriodsTest, NothingIsRecordedDatedInsideAClosedPeriod) {
  ledger_.Given({PaymentRequest("r1", "lawyer", Gbp(100))});
  CloseThrough("p1", "2026-01-31");
  const std::string refused = "FAILED_PRECONDITION PERIOD_CLOSED field=occurred_on date=2026-01-31";
  ledger_.ExpectDatedRefusal(On(Donation(Gbp(100), "lawyer"), "2026-01-31"), refused);
  ledger_.ExpectDatedRefusal(On(Donation(Gbp(100), "lawyer"), "2026-01-02"), refused);
  ledger_.ExpectDatedRefusal(On(PaymentRequest("r2", "lawyer", Gbp(100)), "2026-01-20"), refused);
  ledger_.ExpectDatedRefusal(
      On(Reversal("don-jan", v1::REVERSAL_KIND_REFUND, 5000, "GBP"), "2026-01-31"), refused);
  ledger_.ExpectDatedRefusal(On(Beneficiary("other"), "2026-01-31"), refused);
  // Governance too.
  ledger_.ExpectDatedRefusal(On(Member("late-member", v1::ROLE_VIEWER), "2026-01-31"), refused);
  // The day after is open: a correction is dated there.
  EXPECT_EQ(Render(ledger_.Decide(On(Donation(Gbp(100), "lawyer"), "2026-02-01"))),
            "Dr cash 100 GBP\n"
            "Cr fund:beneficiary/lawyer 100 GBP\n"
            "fund beneficiary/lawyer GBP received=100 available=100\n"
            "totals events=1 GBP raised=100 held=100\n");
  EXPECT_EQ(Render(ledger_.Decide(On(Reversal("don-jan", v1::REVERSAL_KIND_REFUND, 5000, "GBP"),
                                     "2026-02-01")))
                .substr(0, 7),
            "Dr fund");
  EXPECT_EQ(Render(ledger_.Decide(On(Approval("r1"), "2026-03-01"))), "totals events=1\n");
}

TEST_F(PeriodsTest, TheRuleItself) {
  EXPECT_TRUE(CheckNotInClosedPeriod("2026-01-31", "").ok());
  EXPECT_TRUE(CheckNotInClosedPeriod("2026-02-01", "2026-01-31").ok());
  const absl::Status s = CheckNotInClosedPeriod("2026-01-31", "2026-01-31");
  EXPECT_EQ(RenderStatus(s), "FAILED_PRECONDITION PERIOD_CLOSED field=occurred_on date=2026-01-31");
  EXPECT_EQ(s.message(),
            "occurred_on: 2026-01-31 is in a closed period (the books are closed through "
            "2026-01-31); corrections are dated in the open period, after 2026-01-31");
}

TEST_F(PeriodsTest, Stage1) {
  ExpectStage1(PeriodProposal("p1", "2026-01-31"),
               {{"no id",
                 [](v1::EventInput& in) {
                   in.mutable_body()->mutable_period_close_proposed()->clear_proposal_id();
                 },
                 "INVALID_ARGUMENT INVALID_FIELD field=body.period_close_proposed.proposal_id"},
                {"not a day",
                 [](v1::EventInput& in) {
                   in.mutable_body()->mutable_period_close_proposed()->set_through("2026-02-30");
                 },
                 "INVALID_ARGUMENT INVALID_FIELD field=body.period_close_proposed.through"},
                {"no reason",
                 [](v1::EventInput& in) {
                   in.mutable_body()->mutable_period_close_proposed()->clear_reason();
                 },
                 "INVALID_ARGUMENT INVALID_FIELD field=body.period_close_proposed.reason"}});
  ExpectStage1(
      ClosePeriod("p1", "2026-01-31"),
      {{"no through",
        [](v1::EventInput& in) { in.mutable_body()->mutable_period_closed()->clear_through(); },
        "INVALID_ARGUMENT INVALID_FIELD field=body.period_closed.through"}});
}

}  // namespace
}  // namespace ledger::testing
