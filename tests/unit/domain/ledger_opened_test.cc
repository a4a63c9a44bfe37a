// Goal: LedgerOpened (ledger/domain/events/ledger_opened.cc), the genesis.
// Decided at position 1 it counts one event and moves no money; anywhere else
// it is refused, even on replay; no client may send one; MoneyEffectsOf of it
// is what Decide gave.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/projections/books.h"
#include "ledger/storage/rows.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

v1::EventPayload Genesis() {
  v1::EventPayload p;
  p.set_event_id("genesis");
  p.set_occurred_on("2026-03-01");
  p.set_recorded_at_us(absl::ToUnixMicros(TestEpoch()));
  p.mutable_body()->mutable_ledger_opened()->set_ledger_id(std::string(32, 'b'));
  p.mutable_body()->mutable_ledger_opened()->set_name("Leeds campaign");
  return p;
}

TEST(LedgerOpenedTest, TheFirstEventCountsAndMovesNoMoney) {
  MemoryState empty;
  RowBooks books(empty);
  MemoryLedger lookup;  // finds nothing that matters here
  absl::StatusOr<Effects> decided = Decide(1, Genesis(), books, lookup, EventChecks::kWhenRecorded);
  EXPECT_EQ(Render(decided), "totals events=1\n");
  absl::StatusOr<Effects> money = MoneyEffectsOf(Genesis(), lookup);
  ASSERT_TRUE(money.ok()) << money.status();
  EXPECT_EQ(RenderMoney(*money), RenderMoney(*decided));
  EXPECT_TRUE(empty.rows().empty()) << "deciding wrote rows";
  EXPECT_EQ(DescribeEvent(Genesis().body()), "ledger opened: Leeds campaign");
  EXPECT_EQ(DetailsOf(Genesis().body()).name, "Leeds campaign");
}

TEST(LedgerOpenedTest, OnlyAtPositionOne) {
  MemoryState empty;
  RowBooks books(empty);
  MemoryLedger lookup;
  for (EventChecks checks : {EventChecks::kWhenRecorded, EventChecks::kOnReplay}) {
    EXPECT_EQ(RenderStatus(Decide(2, Genesis(), books, lookup, checks).status()),
              "INVALID_ARGUMENT INVALID_FIELD field=body.ledger_opened");
  }
}

TEST(LedgerOpenedTest, NoClientMaySendOne) {
  v1::EventInput in = Donation(Gbp(1));
  *in.mutable_body() = Genesis().body();
  EXPECT_EQ(RenderStatus(ValidateInput(in)),
            "INVALID_ARGUMENT INVALID_FIELD field=body.ledger_opened");
  // The in-memory ledger's own genesis is at position 1; another is refused.
  MemoryLedger ledger;
  EXPECT_EQ(ledger.head(), 1u);
  EXPECT_EQ(Render(ledger.Decide(in)), "INVALID_ARGUMENT INVALID_FIELD field=body.ledger_opened");
}

}  // namespace
}  // namespace ledger::testing
