// Goal: every row of the design's rules table gives the right status code and
// machine-readable details, and a refused append writes nothing (the head and
// every projection row are unchanged). Runs against a real RocksDB in a temp
// directory.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/rows.h"
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
using ::ledger::testing::Of;
using ::ledger::testing::On;
using ::ledger::testing::Reason;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::StatusIs;
using ::ledger::testing::WithId;

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(ledger_.Open(), IsOk());
    // A campaign: a fund with 120.00 GBP, a general fund with 50.00 GBP.
    ASSERT_THAT(ledger_.Append(Request({Beneficiary("lawyer"), Beneficiary("closed-one"),
                                        CloseBeneficiary("closed-one"), Branch("leeds"),
                                        Branch("gone"), Disaffiliate("gone"),
                                        WithId(Donation(Gbp(12000), "lawyer"), "don-lawyer"),
                                        WithId(Donation(Gbp(5000)), "don-general")})),
                IsOk());
  }

  testing::TempLedger ledger_;
};

TEST_F(RulesTest, ZeroOrNegativeAmountIsInvalid) {
  absl::Status s = ledger_.ExpectRefused(Request({Donation(Gbp(0))}),
                                         absl::StatusCode::kInvalidArgument, kReasonInvalidField);
  EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].body.donation_received.amount.amount_minor");
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("must be positive"));
  ledger_.ExpectRefused(Request({Donation(Gbp(-100))}), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
}

TEST_F(RulesTest, UnknownCurrencyIsInvalid) {
  absl::Status s = ledger_.ExpectRefused(Request({Donation(Of(100, "XYZ"))}),
                                         absl::StatusCode::kInvalidArgument, kReasonInvalidField);
  EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].body.donation_received.amount.currency");
}

TEST_F(RulesTest, BadIdsAreInvalid) {
  for (const char* bad : {"", "Upper", "has space", "slash/no",
                          "x1234567890123456789012345678901234567890123456789012345678901234"}) {
    absl::Status s = ledger_.ExpectRefused(Request({Beneficiary(bad)}),
                                           absl::StatusCode::kInvalidArgument, kReasonInvalidField);
    EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].body.beneficiary_registered.beneficiary_id")
        << bad;
  }
  absl::Status s = ledger_.ExpectRefused(Request({WithId(Donation(Gbp(1)), "Bad Id")}),
                                         absl::StatusCode::kInvalidArgument, kReasonInvalidField);
  EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].event_id");
}

TEST_F(RulesTest, TextOverItsLimitIsInvalid) {
  v1::EventInput in = Beneficiary("long-name", std::string(kMaxNameLength + 1, 'a'));
  absl::Status s =
      ledger_.ExpectRefused(Request({in}), absl::StatusCode::kInvalidArgument, kReasonInvalidField);
  EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].body.beneficiary_registered.display_name");
  v1::EventInput bad_utf8 = Beneficiary("bad-utf8", std::string("caf\xc3", 4));
  ledger_.ExpectRefused(Request({bad_utf8}), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
}

TEST_F(RulesTest, ImpossibleDateIsInvalid) {
  for (const char* bad : {"2026-02-30", "2026-13-01", "26-01-01", "", "2026-1-1", "1066-10-14"}) {
    v1::EventInput in = Donation(Gbp(100));
    in.set_occurred_on(bad);
    absl::Status s = ledger_.ExpectRefused(Request({in}), absl::StatusCode::kInvalidArgument,
                                           kReasonInvalidField);
    EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].occurred_on") << bad;
  }
}

TEST_F(RulesTest, UnknownBeneficiaryIsNotFound) {
  absl::Status s = ledger_.ExpectRefused(Request({Disbursement("nobody", Gbp(100))}),
                                         absl::StatusCode::kNotFound, kReasonUnknownBeneficiary);
  EXPECT_EQ(GetErrorDetail(s)->field(), "events[0].body.disbursement_made.beneficiary_id");
  ledger_.ExpectRefused(Request({Donation(Gbp(100), "nobody")}), absl::StatusCode::kNotFound,
                        kReasonUnknownBeneficiary);
}

TEST_F(RulesTest, UnknownBranchIsNotFound) {
  ledger_.ExpectRefused(Request({Fee("nowhere", Gbp(1000))}), absl::StatusCode::kNotFound,
                        kReasonUnknownBranch);
  ledger_.ExpectRefused(Request({BranchDonation("nowhere", Gbp(1000))}),
                        absl::StatusCode::kNotFound, kReasonUnknownBranch);
}

TEST_F(RulesTest, ClosedBeneficiaryOrBranchIsFailedPrecondition) {
  ledger_.ExpectRefused(Request({Donation(Gbp(100), "closed-one")}),
                        absl::StatusCode::kFailedPrecondition, kReasonBeneficiaryClosed);
  ledger_.ExpectRefused(Request({Allocation("closed-one", Gbp(100))}),
                        absl::StatusCode::kFailedPrecondition, kReasonBeneficiaryClosed);
  ledger_.ExpectRefused(Request({Fee("gone", Gbp(1000))}), absl::StatusCode::kFailedPrecondition,
                        kReasonBranchNotAffiliated);
}

TEST_F(RulesTest, OverdrawnDisbursementIsFailedPreconditionWithAmounts) {
  absl::Status s =
      ledger_.ExpectRefused(Request({Disbursement("lawyer", Gbp(20000))}),
                            absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds);
  EXPECT_EQ(s.message(),
            "events[0]: insufficient funds in fund:beneficiary/lawyer: available 120.00 GBP, "
            "requested 200.00 GBP");
  auto d = GetErrorDetail(s);
  EXPECT_EQ(d->fund(), "beneficiary/lawyer");
  EXPECT_EQ(d->available().amount_minor(), 12000);
  EXPECT_EQ(d->requested().amount_minor(), 20000);
  EXPECT_EQ(d->requested().currency(), "GBP");
}

TEST_F(RulesTest, OverdrawnAllocationIsFailedPrecondition) {
  absl::Status s =
      ledger_.ExpectRefused(Request({Allocation("lawyer", Gbp(5001))}),
                            absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds);
  EXPECT_EQ(GetErrorDetail(s)->fund(), "general");
  EXPECT_EQ(GetErrorDetail(s)->available().amount_minor(), 5000);
}

TEST_F(RulesTest, ReversalThatWouldOverdrawIsFailedPrecondition) {
  ASSERT_THAT(ledger_.log().Append(Request({Disbursement("lawyer", Gbp(10000))})), IsOk());
  // 20.00 left in the fund; refunding the 120.00 donation would overdraw it.
  absl::Status s =
      ledger_.ExpectRefused(Request({Reversal("don-lawyer")}),
                            absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds);
  EXPECT_EQ(GetErrorDetail(s)->available().amount_minor(), 2000);
  EXPECT_EQ(GetErrorDetail(s)->requested().amount_minor(), 12000);
  // A partial refund within what is left is fine.
  EXPECT_THAT(ledger_.log().Append(
                  Request({Reversal("don-lawyer", v1::REVERSAL_KIND_REFUND, 2000, "GBP")})),
              IsOk());
}

TEST_F(RulesTest, AnEventIsReversedAtMostOnce) {
  ASSERT_THAT(ledger_.log().Append(
                  Request({Reversal("don-general", v1::REVERSAL_KIND_REFUND, 100, "GBP")})),
              IsOk());
  absl::Status s =
      ledger_.ExpectRefused(Request({Reversal("don-general")}),
                            absl::StatusCode::kFailedPrecondition, kReasonAlreadyReversed);
  EXPECT_GT(GetErrorDetail(s)->position(), 0u);
  ledger_.ExpectRefused(Request({Reversal("no-such-event")}), absl::StatusCode::kNotFound,
                        kReasonUnknownEvent);
  ledger_.ExpectRefused(Request({Reversal("genesis")}), absl::StatusCode::kFailedPrecondition,
                        kReasonNotReversible);
}

TEST_F(RulesTest, SameEventIdSameContentReturnsOriginalPosition) {
  v1::EventInput in = WithId(Donation(Gbp(700)), "idem-1");
  auto first = ledger_.log().Append(Request({in}));
  ASSERT_THAT(first, IsOk());
  const std::string before = ledger_.Snapshot();
  auto again = ledger_.log().Append(Request({in}));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->positions, first->positions);
  EXPECT_EQ(ledger_.Snapshot(), before) << "a retried event was written twice";
}

TEST_F(RulesTest, SameEventIdOtherContentIsAlreadyExists) {
  ASSERT_THAT(ledger_.log().Append(Request({WithId(Donation(Gbp(700)), "idem-2")})), IsOk());
  absl::Status s = ledger_.ExpectRefused(Request({WithId(Donation(Gbp(701)), "idem-2")}),
                                         absl::StatusCode::kAlreadyExists, kReasonEventIdReused);
  EXPECT_EQ(GetErrorDetail(s)->event_id(), "idem-2");
}

TEST_F(RulesTest, MovedHeadIsAborted) {
  v1::AppendRequest r = Request({Donation(Gbp(100))});
  r.set_expected_head_position(ledger_.log().head_position() - 1);
  absl::Status s = ledger_.ExpectRefused(r, absl::StatusCode::kAborted, kReasonHeadMoved);
  EXPECT_EQ(GetErrorDetail(s)->position(), ledger_.log().head_position());
  r.set_expected_head_position(ledger_.log().head_position());
  EXPECT_THAT(ledger_.log().Append(r), IsOk());
}

TEST_F(RulesTest, FullQueueIsResourceExhausted) {
  // A log whose queue holds nothing refuses every append at once.
  EventLogOptions options;
  options.max_queued_appends = 0;
  auto log = EventLog::Open(ledger_.Sub("tiny"), ::ledger::testing::KeyedOptions(options));
  ASSERT_THAT(log, IsOk());
  const uint64_t head = (*log)->head_position();
  auto r = (*log)->Append(Request({Donation(Gbp(100))}));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(Reason(r.status()), kReasonQueueFull);
  EXPECT_EQ((*log)->head_position(), head);
}

TEST_F(RulesTest, BatchIsAtomicAndCheckedEventByEvent) {
  // The second event relies on the first; the third fails: nothing lands.
  absl::Status s =
      ledger_.ExpectRefused(Request({Beneficiary("medic"), Donation(Gbp(3000), "medic"),
                                     Disbursement("medic", Gbp(3001))}),
                            absl::StatusCode::kFailedPrecondition, kReasonInsufficientFunds);
  EXPECT_EQ(GetErrorDetail(s)->event_index(), 2u);
  // The same batch within its means is accepted whole.
  auto ok = ledger_.log().Append(Request(
      {Beneficiary("medic"), Donation(Gbp(3000), "medic"), Disbursement("medic", Gbp(3000))}));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->positions.size(), 3u);
  EXPECT_EQ(ok->positions[2], ok->positions[0] + 2);
}

TEST_F(RulesTest, ClosingNeedsAZeroBalance) {
  ledger_.ExpectRefused(Request({CloseBeneficiary("lawyer")}),
                        absl::StatusCode::kFailedPrecondition, kReasonBalanceNotZero);
  ASSERT_THAT(ledger_.log().Append(
                  Request({Disbursement("lawyer", Gbp(12000)), CloseBeneficiary("lawyer")})),
              IsOk());
}

TEST_F(RulesTest, EmptyAndOversizedRequestsAreInvalid) {
  ledger_.ExpectRefused(v1::AppendRequest(), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
  v1::AppendRequest big;
  for (size_t i = 0; i <= kMaxEventsPerAppend; ++i) *big.add_events() = Donation(Gbp(1));
  ledger_.ExpectRefused(big, absl::StatusCode::kInvalidArgument, kReasonInvalidField);
  v1::EventInput no_body = Donation(Gbp(1));
  no_body.clear_body();
  ledger_.ExpectRefused(Request({no_body}), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
  v1::EventInput genesis = Donation(Gbp(1));
  genesis.mutable_body()->mutable_ledger_opened()->set_name("second genesis");
  ledger_.ExpectRefused(Request({genesis}), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
  v1::EventInput dup = Donation(Gbp(1));
  ledger_.ExpectRefused(Request({dup, dup}), absl::StatusCode::kInvalidArgument,
                        kReasonInvalidField);
}

TEST_F(RulesTest, PaidUntilStopsAtTheLastAcceptedDate) {
  ASSERT_THAT(ledger_.log().Append(Request({Branch("york", Gbp(100), v1::FEE_PERIOD_ANNUAL)})),
              IsOk());
  // 9 x 120 annual periods from 2026: 3106, past the last year a date may have.
  for (int i = 0; i < 9; ++i) {
    ASSERT_THAT(ledger_.log().Append(Request({Fee("york", Gbp(12000), 120)})), IsOk());
  }
  auto view = ledger_.log().NewReadView();
  auto branch = view->Load<v1::Branch>(BranchKey("york"));
  ASSERT_TRUE(branch.ok() && branch->has_value());
  EXPECT_EQ((*branch)->periods_paid(), 1080);
  EXPECT_EQ((*branch)->paid_until(), "2999-12-31");
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_TRUE(rebuild.ok());
  EXPECT_TRUE(rebuild->match);
}

TEST_F(RulesTest, AReturningBranchKeepsItsNewPeriodsWhenAFeeFromBeforeIsReversed) {
  // York records one event per append, Hull all of them in one (each event
  // decided over the rows the earlier ones of the commit left): either way
  // the fee from before it left is reversed without taking the three
  // periods of its new affiliation, and a rebuild gives the same rows.
  for (const std::string b : {"york", "hull"}) {
    const std::vector<v1::EventInput> events = {
        On(Branch(b), "2026-01-01"),
        On(WithId(Fee(b, Gbp(2000), 2), b + "-old"), "2026-01-10"),
        On(Disaffiliate(b), "2026-02-01"),
        On(Branch(b), "2026-02-01"),
        On(Fee(b, Gbp(3000), 3), "2026-02-01"),
        Reversal(b + "-old"),
    };
    if (b == "york") {
      for (const v1::EventInput& e : events) ASSERT_THAT(ledger_.Append(Request({e})), IsOk());
    } else {
      v1::AppendRequest all;
      for (const v1::EventInput& e : events) *all.add_events() = e;
      ASSERT_THAT(ledger_.Append(all), IsOk());
    }
    auto view = ledger_.log().NewReadView();
    auto branch = view->Load<v1::Branch>(BranchKey(b));
    ASSERT_TRUE(branch.ok() && branch->has_value());
    EXPECT_EQ((*branch)->periods_paid(), 3) << b;
    EXPECT_EQ((*branch)->paid_until(), "2026-05-01") << b;
    ASSERT_EQ((*branch)->totals_size(), 1);
    EXPECT_EQ((*branch)->totals(0).fees_paid_minor(), 3000) << b;
  }
  auto view = ledger_.log().NewReadView();
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_TRUE(rebuild.ok()) << rebuild.status();
  EXPECT_TRUE(rebuild->match);
}

TEST_F(RulesTest, PostingsAndBalancesOfACampaign) {
  ASSERT_THAT(ledger_.log().Append(
                  Request({Fee("leeds", Gbp(1000), 2), BranchDonation("leeds", Gbp(2500)),
                           Allocation("lawyer", Gbp(4000)), Disbursement("lawyer", Gbp(15000))})),
              IsOk());
  auto view = ledger_.log().NewReadView();
  EXPECT_EQ(testing::RenderFunds(*view),
            "beneficiary/lawyer GBP available=1000 received=12000 in=4000 out=0 disbursed=15000\n"
            "general GBP available=4500 received=8500 in=0 out=4000 disbursed=0\n");
  EXPECT_EQ(testing::TrialBalanceSums(*view), "GBP=0");
  auto branch = view->Load<v1::Branch>(BranchKey("leeds"));
  ASSERT_TRUE(branch.ok() && branch->has_value());
  EXPECT_EQ((*branch)->periods_paid(), 2);
  EXPECT_EQ((*branch)->paid_until(), "2026-05-01");
  ASSERT_EQ((*branch)->totals_size(), 1);
  EXPECT_EQ((*branch)->totals(0).fees_paid_minor(), 1000);
  EXPECT_EQ((*branch)->totals(0).donations_minor(), 2500);
  EXPECT_EQ((*branch)->totals(0).total_minor(), 3500);
}

}  // namespace
}  // namespace ledger
