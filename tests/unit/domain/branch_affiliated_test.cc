// Goal: BranchAffiliated (ledger/domain/events/branch_affiliated.cc) decided
// over an in-memory state. A new branch's row is open, owes its first period
// from the day it affiliates and moves no money; a branch that left may
// return (not dated before it left, when recorded), keeping its history and
// starting its periods again; stage 1 refuses each bad field and fee basis.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

TEST(BranchAffiliatedTest, ABranchJoinsOwingItsFirstPeriodFromThatDay) {
  MemoryLedger ledger;
  const v1::EventInput in = WithId(Branch("leeds"), "aff-1");
  EXPECT_EQ(ledger.Recorded(in),
            "totals events=1\n"
            "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=1000 GBP monthly affiliated=2026-03-01@2 periods=0 paid_until=2026-03-01\n");
  EXPECT_EQ(DescribeEvent(in.body()), "branch leeds affiliated: UNISON Branch leeds");
}

TEST(BranchAffiliatedTest, APerMemberFeeBasisIsKept) {
  MemoryLedger ledger;
  EXPECT_EQ(Render(ledger.Decide(
                PerMemberBranch("york", 40, Gbp(50), Gbp(3000), v1::FEE_PERIOD_QUARTERLY))),
            "totals events=1\n"
            "br york OPEN \"UNISON\" \"Branch york\" region=Yorkshire members=40 "
            "fee=50 GBP per member min 3000 GBP quarterly affiliated=2026-03-01@2 periods=0 "
            "paid_until=2026-03-01\n");
}

TEST(BranchAffiliatedTest, ABranchThatLeftReturnsWithItsHistory) {
  MemoryLedger ledger;
  ledger.Given({On(Branch("leeds"), "2026-01-01"), On(Fee("leeds", Gbp(2000), 2), "2026-01-15"),
                On(Disaffiliate("leeds"), "2026-02-01")});
  // Same id, a new fee basis: the periods start again from the new day; what
  // it gave, its last payment and its first affiliation stay.
  EXPECT_EQ(Render(ledger.Decide(
                On(Branch("leeds", Of(500, "EUR"), v1::FEE_PERIOD_ANNUAL), "2026-02-20"))),
            "totals events=1\n"
            "br leeds OPEN \"UNISON\" \"Branch leeds\" region=Yorkshire members=120 "
            "fee=500 EUR annual affiliated=2026-02-20@2 periods=0 paid_until=2026-02-20 "
            "last_payment=2026-01-15 totals=GBP fees=2000 total=2000\n");
}

TEST(BranchAffiliatedTest, Stage2RefusesABranchAlreadyAffiliatedAndAReturnBeforeItLeft) {
  MemoryLedger ledger;
  ledger.Given({On(Branch("leeds"), "2026-01-01"), On(Branch("left"), "2026-01-01"),
                On(Disaffiliate("left"), "2026-02-01")});
  EXPECT_EQ(Render(ledger.Decide(Branch("leeds"))),
            "FAILED_PRECONDITION BRANCH_ALREADY_AFFILIATED field=body.branch_affiliated.branch_id");
  ledger.ExpectDatedRefusal(
      On(Branch("left"), "2026-01-31"),
      "FAILED_PRECONDITION DATE_BEFORE_AFFILIATION field=occurred_on date=2026-02-01");
  EXPECT_TRUE(ledger.Decide(On(Branch("left"), "2026-02-01")).ok());
}

TEST(BranchAffiliatedTest, Stage1RefusesEachBadField) {
  auto affiliated = [](v1::EventInput& in) {
    return in.mutable_body()->mutable_branch_affiliated();
  };
  auto per_member = [&](v1::EventInput& in) {
    return affiliated(in)->mutable_fee_basis()->mutable_per_member();
  };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.branch_affiliated.";
  ExpectStage1(
      PerMemberBranch("york", 40, Gbp(50), Gbp(3000)),
      {
          {"no id", [&](auto& in) { affiliated(in)->clear_branch_id(); }, bad + "branch_id"},
          {"no union", [&](auto& in) { affiliated(in)->clear_union_name(); }, bad + "union_name"},
          {"no branch name", [&](auto& in) { affiliated(in)->clear_branch_name(); },
           bad + "branch_name"},
          {"a region over its limit",
           [&](auto& in) { affiliated(in)->set_region(std::string(kMaxNameLength + 1, 'r')); },
           bad + "region"},
          {"negative members", [&](auto& in) { affiliated(in)->set_members(-1); }, bad + "members"},
          {"too many members", [&](auto& in) { affiliated(in)->set_members(kMaxMembers + 1); },
           bad + "members"},
          {"no fee basis", [&](auto& in) { affiliated(in)->clear_fee_basis(); }, bad + "fee_basis"},
          {"no period",
           [&](auto& in) {
             affiliated(in)->mutable_fee_basis()->set_period(v1::FEE_PERIOD_UNSPECIFIED);
           },
           bad + "fee_basis.period"},
          {"neither fixed nor per member",
           [&](auto& in) { affiliated(in)->mutable_fee_basis()->clear_per_member(); },
           bad + "fee_basis"},
          {"a fee per member of zero",
           [&](auto& in) { *per_member(in)->mutable_fee_per_member() = Gbp(0); },
           bad + "fee_basis.per_member.fee_per_member.amount_minor"},
          {"a minimum in another currency",
           [&](auto& in) { *per_member(in)->mutable_minimum() = Of(3000, "EUR"); },
           bad + "fee_basis.per_member.minimum.currency"},
          {"a negative minimum", [&](auto& in) { *per_member(in)->mutable_minimum() = Gbp(-1); },
           bad + "fee_basis.per_member.minimum.amount_minor"},
          {"no minimum is fine", [&](auto& in) { per_member(in)->clear_minimum(); }, "OK"},
          {"a fee per period that overflows",
           [&](auto& in) {
             affiliated(in)->set_members(kMaxMembers);
             *per_member(in)->mutable_fee_per_member() = Gbp(kMaxAmountMinor);
           },
           bad + "fee_basis"},
          {"a fixed fee of zero",
           [&](auto& in) {
             *affiliated(in)->mutable_fee_basis()->mutable_fixed()->mutable_fee() = Gbp(0);
           },
           bad + "fee_basis.fixed.fee.amount_minor"},
      });
}

}  // namespace
}  // namespace ledger::testing
