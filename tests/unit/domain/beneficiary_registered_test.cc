// Goal: BeneficiaryRegistered (ledger/domain/events/beneficiary_registered.cc)
// decided over an in-memory state. A new fund's row is open, remembers the
// position and day of its registration and moves no money; an id is never
// registered twice, even after its fund closed; stage 1 refuses each bad
// field naming it.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

TEST(BeneficiaryRegisteredTest, OpensAFundAndMovesNoMoney) {
  MemoryLedger ledger;
  const v1::EventInput in =
      WithId(On(Beneficiary("lawyer", "Jailed lawyer"), "2026-01-05"), "reg-1");
  EXPECT_EQ(ledger.Recorded(in),
            "totals events=1\n"
            "ben lawyer OPEN \"Jailed lawyer\" purpose=\"legal aid\" registered=2026-01-05@2\n");
  EXPECT_EQ(ledger.StoredBeneficiary("lawyer"),
            "ben lawyer OPEN \"Jailed lawyer\" purpose=\"legal aid\" registered=2026-01-05@2");
  EXPECT_FALSE(MovementOf(in.body()).has_value());
  EXPECT_EQ(DescribeEvent(in.body()), "beneficiary lawyer registered: Jailed lawyer");
}

TEST(BeneficiaryRegisteredTest, ASensitiveFundIsMarked) {
  MemoryLedger ledger;
  v1::EventInput in = Beneficiary("medic", "M.");
  in.mutable_body()->mutable_beneficiary_registered()->set_sensitive(true);
  in.mutable_body()->mutable_beneficiary_registered()->clear_purpose();
  EXPECT_EQ(Render(ledger.Decide(in)),
            "totals events=1\n"
            "ben medic OPEN \"M.\" sensitive registered=2026-03-01@2\n");
}

TEST(BeneficiaryRegisteredTest, AnIdIsRegisteredOnlyOnce) {
  MemoryLedger ledger;
  ledger.Given({Beneficiary("lawyer"), Beneficiary("gone"), CloseBeneficiary("gone")});
  const std::string refused =
      "ALREADY_EXISTS BENEFICIARY_EXISTS field=body.beneficiary_registered.beneficiary_id";
  EXPECT_EQ(Render(ledger.Decide(Beneficiary("lawyer"))), refused);
  EXPECT_EQ(Render(ledger.Decide(Beneficiary("gone"))), refused);
  EXPECT_EQ(Render(ledger.Decide(Beneficiary("lawyer", "Another name"), EventChecks::kOnReplay)),
            refused);
}

TEST(BeneficiaryRegisteredTest, Stage1RefusesEachBadField) {
  auto registered = [](v1::EventInput& in) {
    return in.mutable_body()->mutable_beneficiary_registered();
  };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.beneficiary_registered.";
  ExpectStage1(
      Beneficiary("lawyer"),
      {
          {"no id", [&](auto& in) { registered(in)->clear_beneficiary_id(); },
           bad + "beneficiary_id"},
          {"upper case", [&](auto& in) { registered(in)->set_beneficiary_id("Lawyer"); },
           bad + "beneficiary_id"},
          {"an id over its limit",
           [&](auto& in) {
             registered(in)->set_beneficiary_id(std::string(kMaxIdLength + 1, 'a'));
           },
           bad + "beneficiary_id"},
          {"no name", [&](auto& in) { registered(in)->clear_display_name(); },
           bad + "display_name"},
          {"a name over its limit",
           [&](auto& in) {
             registered(in)->set_display_name(std::string(kMaxNameLength + 1, 'n'));
           },
           bad + "display_name"},
          {"a name with a bidirectional override",
           [&](auto& in) { registered(in)->set_display_name("abc\xe2\x80\xae"); },
           bad + "display_name"},
          {"a purpose over its limit",
           [&](auto& in) { registered(in)->set_purpose(std::string(kMaxMemoLength + 1, 'p')); },
           bad + "purpose"},
          {"a purpose on several lines is fine",
           [&](auto& in) { registered(in)->set_purpose("legal aid\nand bail"); }, "OK"},
      });
}

}  // namespace
}  // namespace ledger::testing
