// Goal: a branch's terms (declared members, fee basis) change from one of
// its fee periods on (BranchUpdated). Periods already paid keep the terms
// they were paid on; a statement prices every period due by the terms of
// the day it began; the fee per period shown is today's; every refusal has
// its reason and writes nothing; a new affiliation starts on its own terms.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/audit/statements.h"
#include "ledger/domain/fees.h"
#include "ledger/errors.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Reason;
using ::ledger::testing::Request;
using ::ledger::testing::StatusIs;

// 240 members at 0.10 GBP with a 15.00 minimum: 24.00 a month, from
// 2026-01-01.
v1::EventInput Affiliate(absl::string_view on) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("aff-", on));
  in.set_occurred_on(std::string(on));
  auto* e = in.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id("leeds");
  e->set_union_name("UNISON");
  e->set_branch_name("Leeds Health");
  e->set_members(240);
  auto* pm = e->mutable_fee_basis()->mutable_per_member();
  *pm->mutable_fee_per_member() = Gbp(10);
  *pm->mutable_minimum() = Gbp(1500);
  e->mutable_fee_basis()->set_period(v1::FEE_PERIOD_MONTHLY);
  return in;
}

v1::EventInput Update(absl::string_view from, std::optional<int64_t> members,
                      std::optional<int64_t> fixed_fee = std::nullopt) {
  static int n = 0;
  v1::EventInput in;
  in.set_event_id(absl::StrCat("upd-", n++));
  in.set_occurred_on("2026-02-15");
  auto* e = in.mutable_body()->mutable_branch_updated();
  e->set_branch_id("leeds");
  e->set_from_period(std::string(from));
  if (members) e->set_members(*members);
  if (fixed_fee) *e->mutable_fee_basis()->mutable_fixed()->mutable_fee() = Gbp(*fixed_fee);
  return in;
}

class BranchTermsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.clock = &clock_;  // 2026-03-01
    auto log = EventLog::Open(dir_.Sub("ledger"), ::ledger::testing::KeyedOptions(options));
    ASSERT_THAT(log, IsOk());
    log_ = std::move(*log);
    v1::EventInput fee = testing::Fee("leeds", Gbp(4800), 2);  // January and February
    fee.set_occurred_on("2026-01-10");
    ASSERT_THAT(log_->Append(Request({Affiliate("2026-01-01"), fee})), IsOk());
  }

  v1::Branch Register() {
    auto view = log_->NewReadView();
    absl::StatusOr<v1::BranchView> b = QueryBranch(*view, "leeds", absl::CivilDay(2026, 3, 1));
    EXPECT_THAT(b, IsOk());
    return b.value_or(v1::BranchView()).branch();
  }

  void ExpectRefused(const v1::EventInput& in, absl::StatusCode code, absl::string_view reason,
                     absl::string_view field_end) {
    auto view = log_->NewReadView();
    const std::string before = testing::RenderState(*view);
    absl::StatusOr<AppendResult> r = log_->Append(Request({in}));
    EXPECT_THAT(r, StatusIs(code));
    EXPECT_EQ(Reason(r.status()), reason) << r.status();
    EXPECT_TRUE(
        absl::EndsWith(GetErrorDetail(r.status()).value_or(v1::ErrorDetail()).field(), field_end))
        << r.status();
    EXPECT_EQ(testing::RenderState(*log_->NewReadView()), before);
  }

  testing::TempDir dir_;
  testing::FixedClock clock_{testing::TestEpoch()};
  std::unique_ptr<EventLog> log_;
};

TEST_F(BranchTermsTest, NewMembersApplyFromTheFirstUnpaidPeriodOn) {
  ASSERT_THAT(log_->Append(Request({Update("2026-03-01", 300)})), IsOk());
  const v1::Branch b = Register();
  EXPECT_EQ(b.members(), 300);
  EXPECT_EQ(b.terms_from(), "2026-03-01");
  ASSERT_EQ(b.earlier_terms_size(), 1);
  EXPECT_EQ(b.earlier_terms(0).members(), 240);
  EXPECT_EQ(b.earlier_terms(0).from_date(), "2026-01-01");
  // Today's fee: 300 x 0.10 = 30.00; on a day before the change, 24.00.
  EXPECT_EQ(*FeePerPeriodOn(b, "2026-03-01"), 3000);
  EXPECT_EQ(*FeePerPeriodOn(b, "2026-02-28"), 2400);
  auto view = log_->NewReadView();
  absl::StatusOr<v1::BranchView> shown = QueryBranch(*view, "leeds", absl::CivilDay(2026, 3, 1));
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(shown->fee_per_period().amount_minor(), 3000);
  // January to April: two periods at 24.00 and two at 30.00.
  v1::DateRange range;
  range.set_from_date("2026-01-01");
  range.set_to_date("2026-04-30");
  absl::StatusOr<v1::GetBranchStatementResponse> s = BranchStatement(*view, "leeds", range);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->periods_due(), 4);
  EXPECT_EQ(s->fees_due().amount_minor(), 2 * 2400 + 2 * 3000);
  absl::StatusOr<RebuildReport> rebuild = RebuildAndCompare(*view);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_TRUE(rebuild->match);
}

TEST_F(BranchTermsTest, TermsChangedAgainFromTheSamePeriodReplaceTheLatest) {
  ASSERT_THAT(log_->Append(Request({Update("2026-04-01", 300)})), IsOk());
  ASSERT_THAT(log_->Append(Request({Update("2026-04-01", std::nullopt, 2000)})), IsOk());
  const v1::Branch b = Register();
  EXPECT_EQ(b.earlier_terms_size(), 1);
  EXPECT_EQ(*FeePerPeriodOn(b, "2026-04-01"), 2000);
  EXPECT_EQ(*FeePerPeriodOn(b, "2026-03-15"), 2400);
  EXPECT_EQ(b.fee_basis().period(), v1::FEE_PERIOD_MONTHLY);  // kept the branch's own
}

TEST_F(BranchTermsTest, PaidPeriodsKeepTheirTerms) {
  ExpectRefused(Update("2026-02-01", 300), absl::StatusCode::kFailedPrecondition,
                kReasonPeriodAlreadyPaid, "from_period");
}

TEST_F(BranchTermsTest, TermsStartOnAPeriodBoundary) {
  ExpectRefused(Update("2026-03-15", 300), absl::StatusCode::kInvalidArgument, kReasonInvalidField,
                "from_period");
}

TEST_F(BranchTermsTest, TermsDoNotGoBackBeforeTheLatest) {
  ASSERT_THAT(log_->Append(Request({Update("2026-06-01", 300)})), IsOk());
  ExpectRefused(Update("2026-04-01", 260), absl::StatusCode::kFailedPrecondition,
                kReasonTermsOutOfOrder, "from_period");
}

TEST_F(BranchTermsTest, ThePeriodAndTheCurrencyStayTheBranchs) {
  v1::EventInput quarterly = Update("2026-03-01", std::nullopt, 2000);
  quarterly.mutable_body()->mutable_branch_updated()->mutable_fee_basis()->set_period(
      v1::FEE_PERIOD_QUARTERLY);
  ExpectRefused(quarterly, absl::StatusCode::kInvalidArgument, kReasonInvalidField,
                "fee_basis.period");
  v1::EventInput euros = Update("2026-03-01", std::nullopt);
  *euros.mutable_body()
       ->mutable_branch_updated()
       ->mutable_fee_basis()
       ->mutable_fixed()
       ->mutable_fee() = testing::Of(2000, "EUR");
  ExpectRefused(euros, absl::StatusCode::kInvalidArgument, kReasonInvalidField, "fee_basis");
  ExpectRefused(Update("2026-03-01", std::nullopt), absl::StatusCode::kInvalidArgument,
                kReasonInvalidField, "branch_updated");
}

TEST_F(BranchTermsTest, ANewAffiliationStartsOnItsOwnTerms) {
  ASSERT_THAT(log_->Append(Request({Update("2026-03-01", 300)})), IsOk());
  v1::EventInput leave = testing::Disaffiliate("leeds");
  leave.set_occurred_on("2026-03-01");
  ASSERT_THAT(log_->Append(Request({leave, Affiliate("2026-03-01")})), IsOk());
  const v1::Branch b = Register();
  EXPECT_EQ(b.earlier_terms_size(), 0);
  EXPECT_EQ(b.terms_from(), "");
  EXPECT_EQ(b.members(), 240);
}

}  // namespace
}  // namespace ledger
