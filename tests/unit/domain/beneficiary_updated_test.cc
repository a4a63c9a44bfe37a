// Goal: BeneficiaryUpdated (ledger/domain/events/beneficiary_updated.cc)
// decided over an in-memory state. The fields given replace the stored ones,
// the others (and what the fund holds) stay; only an open fund, and not
// dated before its registration when recorded; stage 1 refuses an update
// that changes nothing and each bad field.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

class BeneficiaryUpdatedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.Given({On(Beneficiary("lawyer", "Jailed lawyer"), "2026-01-01"),
                   Donation(Of(300, "JPY"), "lawyer"), Beneficiary("gone"),
                   CloseBeneficiary("gone")});
  }

  MemoryLedger ledger_;
};

TEST_F(BeneficiaryUpdatedTest, ANewNameKeepsThePurposeAndTheCurrencies) {
  const v1::EventInput in = WithId(Update("lawyer", "Legal fund"), "upd-1");
  EXPECT_EQ(ledger_.Recorded(in),
            "totals events=1\n"
            "ben lawyer OPEN \"Legal fund\" purpose=\"legal aid\" registered=2026-01-01@2 "
            "currencies=JPY\n");
  EXPECT_EQ(DescribeEvent(in.body()), "beneficiary lawyer updated");
}

TEST_F(BeneficiaryUpdatedTest, ANewPurposeKeepsTheName) {
  EXPECT_EQ(Render(ledger_.Decide(Update("lawyer", "", "bail"))),
            "totals events=1\n"
            "ben lawyer OPEN \"Jailed lawyer\" purpose=\"bail\" registered=2026-01-01@2 "
            "currencies=JPY\n");
}

TEST_F(BeneficiaryUpdatedTest, Stage1RefusesEachBadField) {
  auto updated = [](v1::EventInput& in) {
    return in.mutable_body()->mutable_beneficiary_updated();
  };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.beneficiary_updated";
  ExpectStage1(
      Update("lawyer", "Legal fund", "bail"),
      {
          {"no id", [&](auto& in) { updated(in)->clear_beneficiary_id(); },
           bad + ".beneficiary_id"},
          {"a bad id", [&](auto& in) { updated(in)->set_beneficiary_id("law yer"); },
           bad + ".beneficiary_id"},
          {"a name over its limit",
           [&](auto& in) { updated(in)->set_display_name(std::string(kMaxNameLength + 1, 'n')); },
           bad + ".display_name"},
          {"a purpose that is not UTF-8",
           [&](auto& in) { updated(in)->set_purpose(std::string("caf\xc3", 4)); },
           bad + ".purpose"},
          {"nothing to change",
           [&](auto& in) {
             updated(in)->clear_display_name();
             updated(in)->clear_purpose();
           },
           bad},
      });
}

TEST_F(BeneficiaryUpdatedTest, Stage2RefusesWhatTheBooksDoNotAllow) {
  const std::string field = "field=body.beneficiary_updated.beneficiary_id";
  EXPECT_EQ(Render(ledger_.Decide(Update("nobody", "X"))),
            "NOT_FOUND UNKNOWN_BENEFICIARY " + field);
  EXPECT_EQ(Render(ledger_.Decide(Update("gone", "X"))),
            "FAILED_PRECONDITION BENEFICIARY_CLOSED " + field);
}

TEST_F(BeneficiaryUpdatedTest, NotDatedBeforeTheRegistrationWhenRecorded) {
  ledger_.ExpectDatedRefusal(
      On(Update("lawyer", "Legal fund"), "2025-12-15"),
      "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on date=2026-01-01");
  EXPECT_TRUE(ledger_.Decide(On(Update("lawyer", "Legal fund"), "2026-01-01")).ok());
}

}  // namespace
}  // namespace ledger::testing
