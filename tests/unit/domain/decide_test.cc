// Goal: what ledger/domain/decide.cc and registry.cc hold for every kind.
//  * The registry has exactly one kind for every case of EventBody, named
//    after its field, in field order; no kind for an empty body.
//  * Stage 1 checks the envelope (event id, date, memo, body) naming the
//    field; a body without a kind is refused by both stages.
//  * The postings of every accepted event balance in every currency, and an
//    Effects that does not balance is caught.
//  * No fund goes below zero: not now, and - when the event is recorded - not
//    at the end of any day from the event's date on; a rebuild (kOnReplay)
//    does not run the dated check.
//  * A date more than one day after the recording day is refused when
//    recorded, for every kind, and replayed.
//  * Deciding writes nothing.
#include "ledger/domain/decide.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

TEST(RegistryTest, EveryCaseOfEventBodyHasOneKindNamedAfterItsField) {
  const google::protobuf::OneofDescriptor* oneof =
      v1::EventBody::descriptor()->FindOneofByName("kind");
  ASSERT_NE(oneof, nullptr);
  std::vector<std::string> fields, kinds;
  for (int i = 0; i < oneof->field_count(); ++i) {
    const auto kind_case = static_cast<v1::EventBody::KindCase>(oneof->field(i)->number());
    const EventKind* kind = KindOf(kind_case);
    ASSERT_NE(kind, nullptr) << oneof->field(i)->name();
    EXPECT_EQ(kind->kind_case(), kind_case);
    fields.push_back(oneof->field(i)->name());
    kinds.push_back(std::string(kind->name()));
  }
  EXPECT_EQ(absl::StrJoin(kinds, " "), absl::StrJoin(fields, " "));
  std::vector<std::string> all;
  for (const EventKind* kind : AllKinds()) all.push_back(std::string(kind->name()));
  EXPECT_EQ(absl::StrJoin(all, " "),
            "ledger_opened beneficiary_registered beneficiary_updated beneficiary_closed "
            "branch_affiliated branch_disaffiliated affiliation_fee_paid donation_received "
            "funds_allocated disbursement_made event_reversed branch_updated party_erased "
            "event_details_erased member_added member_roles_changed member_removed token_issued "
            "token_revoked disbursement_requested disbursement_approved disbursement_rejected "
            "disbursement_cancelled approval_policy_set period_close_proposed period_closed "
            "funds_transferred");
}

TEST(RegistryTest, AnEmptyBodyHasNoKind) {
  const v1::EventBody empty;
  EXPECT_EQ(KindOf(empty), nullptr);
  EXPECT_EQ(KindOf(v1::EventBody::KIND_NOT_SET), nullptr);
  EXPECT_EQ(KindOf(static_cast<v1::EventBody::KindCase>(99)), nullptr);
  EXPECT_EQ(KindName(empty), "unknown");
  EXPECT_EQ(DescribeEvent(empty), "(unknown event)");
  EXPECT_FALSE(MovementOf(empty).has_value());
  EXPECT_EQ(DetailsOf(empty).name, "");
}

TEST(RegistryTest, TheKindsThatMoveMoneyAndHow) {
  // The movement of each kind, and none for the kinds that move no money (a
  // reversal's depends on its target).
  std::string movements;
  for (const v1::EventInput& in :
       {Beneficiary("lawyer"), Update("lawyer", "X"), CloseBeneficiary("lawyer"), Branch("leeds"),
        Disaffiliate("leeds"), Fee("leeds", Gbp(1)), Donation(Gbp(2)), Donation(Gbp(3), "lawyer"),
        Allocation("lawyer", Gbp(4)), Disbursement("lawyer", Gbp(5)), Reversal("x")}) {
    std::optional<Movement> m = MovementOf(in.body());
    absl::StrAppend(&movements, KindName(in.body()), ":",
                    m ? absl::StrCat(" ", m->debit_account, " -> ", m->credit_account, " ",
                                     m->amount_minor, " ", m->currency)
                      : " none",
                    "\n");
  }
  EXPECT_EQ(movements,
            "beneficiary_registered: none\n"
            "beneficiary_updated: none\n"
            "beneficiary_closed: none\n"
            "branch_affiliated: none\n"
            "branch_disaffiliated: none\n"
            "affiliation_fee_paid: cash -> fund:general 1 GBP\n"
            "donation_received: cash -> fund:general 2 GBP\n"
            "donation_received: cash -> fund:beneficiary/lawyer 3 GBP\n"
            "funds_allocated: fund:general -> fund:beneficiary/lawyer 4 GBP\n"
            "disbursement_made: fund:beneficiary/lawyer -> cash 5 GBP\n"
            "event_reversed: none\n");
}

TEST(ValidateInputTest, TheEnvelopeIsCheckedNamingTheField) {
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=";
  ExpectStage1(
      Donation(Gbp(100)),
      {
          {"no event id", [](auto& in) { in.clear_event_id(); }, bad + "event_id"},
          {"a bad event id", [](auto& in) { in.set_event_id("Don 1"); }, bad + "event_id"},
          {"no date", [](auto& in) { in.clear_occurred_on(); }, bad + "occurred_on"},
          {"no such day", [](auto& in) { in.set_occurred_on("2026-02-29"); }, bad + "occurred_on"},
          {"before 1900", [](auto& in) { in.set_occurred_on("1899-12-31"); }, bad + "occurred_on"},
          {"after 2999", [](auto& in) { in.set_occurred_on("3000-01-01"); }, bad + "occurred_on"},
          {"not YYYY-MM-DD", [](auto& in) { in.set_occurred_on("1/3/2026"); }, bad + "occurred_on"},
          {"a memo over its limit",
           [](auto& in) { in.set_memo(std::string(kMaxMemoLength + 1, 'm')); }, bad + "memo"},
          {"a memo of several lines is fine", [](auto& in) { in.set_memo("one\ntwo\tthree"); },
           "OK"},
          {"no body", [](auto& in) { in.clear_body(); }, bad + "body"},
          {"a body of no kind", [](auto& in) { in.mutable_body()->Clear(); }, bad + "body"},
      });
}

TEST(DecideTest, ABodyOfNoKindIsRefused) {
  MemoryLedger ledger;
  v1::EventPayload payload;
  payload.set_event_id("x");
  payload.set_occurred_on("2026-03-01");
  payload.mutable_body();
  EXPECT_EQ(
      RenderStatus(Decide(2, payload, ledger.books(), ledger, EventChecks::kOnReplay).status()),
      "INVALID_ARGUMENT INVALID_FIELD field=body");
}

TEST(DecideTest, ThePostingsOfEveryEventBalanceInEveryCurrency) {
  MemoryLedger ledger;
  int money_events = 0;
  for (const v1::EventInput& in :
       {Beneficiary("lawyer"), Branch("leeds"), Branch("manama", Of(5000, "BHD")),
        WithId(Fee("leeds", Gbp(1000)), "fee-1"), WithId(Fee("manama", Of(5000, "BHD")), "fee-2"),
        WithId(Donation(Of(100000, "JPY")), "don-1"),
        WithId(BranchDonation("leeds", Gbp(2500), "lawyer"), "don-2"),
        WithId(Allocation("lawyer", Of(40000, "JPY")), "alloc-1"),
        WithId(Disbursement("lawyer", Of(30000, "JPY")), "disb-1"),
        Reversal("fee-2", v1::REVERSAL_KIND_CORRECTION),
        Reversal("don-2", v1::REVERSAL_KIND_REFUND, 500, "GBP"),
        Reversal("disb-1", v1::REVERSAL_KIND_REFUND, 1, "JPY"),
        Reversal("alloc-1", v1::REVERSAL_KIND_CORRECTION, 10000, "JPY"), Disaffiliate("manama")}) {
    SCOPED_TRACE(in.ShortDebugString());
    absl::StatusOr<Effects> effects = ledger.Record(in);
    ASSERT_TRUE(effects.ok()) << effects.status();
    EXPECT_TRUE(CheckBalanced(*effects).ok());
    // Summed here too, independently: debits less credits, per currency.
    std::map<std::string, int64_t> net;
    for (const Posting& p : effects->postings) net[p.currency] += p.debit_minor - p.credit_minor;
    for (const auto& [currency, sum] : net) EXPECT_EQ(sum, 0) << currency;
    if (!effects->postings.empty()) ++money_events;
    EXPECT_EQ(effects->totals.event_count(), 1u);
  }
  EXPECT_EQ(money_events, 10);
}

TEST(DecideTest, EffectsThatDoNotBalanceAreCaught) {
  Effects one_sided;
  one_sided.postings.push_back(Posting{"cash", "GBP", 100, 0});
  EXPECT_EQ(CheckBalanced(one_sided).code(), absl::StatusCode::kInternal);
  Effects across_currencies;
  across_currencies.AddMovement(Movement{"cash", "fund:general", 100, "GBP"});
  across_currencies.postings[1].currency = "EUR";
  EXPECT_EQ(CheckBalanced(across_currencies).code(), absl::StatusCode::kInternal);
  Effects negative;
  negative.postings.push_back(Posting{"cash", "GBP", -100, -100});
  EXPECT_EQ(CheckBalanced(negative).code(), absl::StatusCode::kInternal);
  Effects balanced;
  balanced.AddMovement(Movement{"cash", "fund:general", 100, "GBP"});
  EXPECT_TRUE(CheckBalanced(balanced).ok());
}

class FundsHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The fund's days: +50.00 on the 10th, +100.00 on the 20th, -100.00 on
    // the 25th, +200.00 on the 28th of January. It holds 250.00 now, but
    // only 50.00 at the end of the 10th to 19th and of the 25th to 27th.
    ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01"),
                   On(Donation(Gbp(5000), "lawyer"), "2026-01-10"),
                   On(Donation(Gbp(10000), "lawyer"), "2026-01-20"),
                   On(Disbursement("lawyer", Gbp(10000)), "2026-01-25"),
                   On(Donation(Gbp(20000), "lawyer"), "2026-01-28")});
  }

  MemoryLedger ledger_;
};

TEST_F(FundsHoldTest, NotBelowZeroNow) {
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("lawyer", Gbp(25001)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=25000 GBP "
            "requested=25001 GBP");
  EXPECT_TRUE(ledger_.Decide(Disbursement("lawyer", Gbp(25000))).ok());
  // A replay checks it too: no log may take a fund below zero.
  EXPECT_FALSE(ledger_.Decide(Disbursement("lawyer", Gbp(25001)), EventChecks::kOnReplay).ok());
}

TEST_F(FundsHoldTest, NotBelowZeroAtTheEndOfAnyDayFromItsDateOn) {
  // Dated the 21st: fine that day (50.00 left) and now (150.00), but the
  // fund would be at -50.00 from the 25th: the earliest such day is named,
  // with what the fund held then.
  ledger_.ExpectDatedRefusal(
      On(Disbursement("lawyer", Gbp(10000)), "2026-01-21"),
      "FAILED_PRECONDITION INSUFFICIENT_FUNDS date=2026-01-25 fund=beneficiary/lawyer "
      "available=5000 GBP requested=10000 GBP");
  // Dated the 15th: below zero from that very day.
  EXPECT_EQ(Render(ledger_.Decide(On(Disbursement("lawyer", Gbp(8000)), "2026-01-15"))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS date=2026-01-15 fund=beneficiary/lawyer "
            "available=5000 GBP requested=8000 GBP");
  EXPECT_TRUE(ledger_.Decide(On(Disbursement("lawyer", Gbp(10000)), "2026-01-28")).ok());
  EXPECT_TRUE(ledger_.Decide(On(Disbursement("lawyer", Gbp(5000)), "2026-01-11")).ok());
  // Money coming in is never too early (after the fund exists).
  EXPECT_TRUE(ledger_.Decide(On(Donation(Gbp(1), "lawyer"), "2026-01-02")).ok());
}

TEST(FutureDateTest, MoreThanOneDayAfterTheRecordingDayIsRefusedForEveryKind) {
  MemoryLedger ledger;  // recording on 2026-03-01
  ledger.Given({Beneficiary("lawyer"), Branch("leeds"), WithId(Donation(Gbp(5000)), "don-1")});
  for (const v1::EventInput& in :
       {Beneficiary("medic"), Update("lawyer", "X"), CloseBeneficiary("lawyer"), Branch("york"),
        Disaffiliate("leeds"), Fee("leeds", Gbp(1000)), Donation(Gbp(1)),
        Allocation("lawyer", Gbp(1)), Reversal("don-1")}) {
    SCOPED_TRACE(KindName(in.body()));
    EXPECT_EQ(Render(ledger.Decide(On(in, "2026-03-03"))),
              "INVALID_ARGUMENT DATE_IN_FUTURE field=occurred_on date=2026-03-02");
    EXPECT_TRUE(ledger.Decide(On(in, "2026-03-02")).ok());
    EXPECT_TRUE(ledger.Decide(On(in, "2026-03-03"), EventChecks::kOnReplay).ok());
  }
  EXPECT_EQ(Render(ledger.Decide(On(Donation(Gbp(1)), "2999-12-31"))),
            "INVALID_ARGUMENT DATE_IN_FUTURE field=occurred_on date=2026-03-02");
}

TEST(DecideTest, DecidingWritesNothing) {
  MemoryLedger ledger;
  ledger.Given({Beneficiary("lawyer"), WithId(Donation(Gbp(5000), "lawyer"), "don-1")});
  const auto before = ledger.state().rows();
  EXPECT_TRUE(ledger.Decide(Disbursement("lawyer", Gbp(100))).ok());
  EXPECT_TRUE(ledger.Decide(Reversal("don-1")).ok());
  EXPECT_FALSE(ledger.Decide(Disbursement("lawyer", Gbp(9000))).ok());
  EXPECT_TRUE(ledger.state().rows() == before) << "Decide changed the state rows";
}

}  // namespace
}  // namespace ledger::testing
