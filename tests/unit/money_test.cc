// Goal: money parses, formats and adds exactly, in every exponent, and
// refuses anything that is not a plain decimal amount.
#include "ledger/domain/money.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::StatusIs;

TEST(MoneyTest, ParsesPlainDecimals) {
  EXPECT_EQ(*ParseDecimal("12.50", "GBP"), 1250);
  EXPECT_EQ(*ParseDecimal("12.5", "GBP"), 1250);
  EXPECT_EQ(*ParseDecimal("12", "GBP"), 1200);
  EXPECT_EQ(*ParseDecimal("0.01", "GBP"), 1);
  EXPECT_EQ(*ParseDecimal("007.00", "EUR"), 700);
  EXPECT_EQ(*ParseAmount("12.50 GBP"), (Amount{1250, "GBP"}));
}

TEST(MoneyTest, RefusesWhatIsNotAnAmount) {
  for (const char* bad : {"", "-5", "+5", "1e3", "1.234", "1.", ".5", "1,000", " 1", "1 ", "0x10",
                          "1.2.3", "NaN", "١٢"}) {
    EXPECT_THAT(ParseDecimal(bad, "GBP"), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseAmount("12.50"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAmount("12.50 XXX"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAmount("12.50 gbp"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAmount("1.234 GBP"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MoneyTest, ExponentZeroAndThree) {
  EXPECT_EQ(CurrencyExponent("JPY"), 0);
  EXPECT_EQ(CurrencyExponent("BHD"), 3);
  EXPECT_EQ(CurrencyExponent("KZT"), 2);
  EXPECT_EQ(*ParseDecimal("1250", "JPY"), 1250);
  EXPECT_THAT(ParseDecimal("12.5", "JPY"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParseDecimal("1.234", "BHD"), 1234);
  EXPECT_EQ(*ParseDecimal("1.2", "BHD"), 1200);
  EXPECT_THAT(ParseDecimal("1.2345", "BHD"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FormatAmount(1250, "JPY"), "1250 JPY");
  EXPECT_EQ(FormatAmount(1234, "BHD"), "1.234 BHD");
  EXPECT_EQ(FormatAmount(5, "BHD"), "0.005 BHD");
}

TEST(MoneyTest, FormatsAndRoundTrips) {
  EXPECT_EQ(FormatAmount(1250, "GBP"), "12.50 GBP");
  EXPECT_EQ(FormatAmount(-5, "GBP"), "-0.05 GBP");
  EXPECT_EQ(FormatAmount(0, "EUR"), "0.00 EUR");
  EXPECT_EQ(FormatDecimal(std::numeric_limits<int64_t>::min(), "GBP"), "-92233720368547758.08");
  for (const char* cur : {"GBP", "JPY", "BHD"}) {
    for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{100}, int64_t{123456789},
                      std::numeric_limits<int64_t>::max()}) {
      EXPECT_EQ(*ParseDecimal(FormatDecimal(v, cur), cur), v) << v << " " << cur;
    }
  }
}

TEST(MoneyTest, OverflowIsRefusedNeverWrapped) {
  EXPECT_EQ(*ParseDecimal("92233720368547758.07", "GBP"), std::numeric_limits<int64_t>::max());
  EXPECT_THAT(ParseDecimal("92233720368547758.08", "GBP"), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(ParseDecimal("99999999999999999999999", "JPY"),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::max(), 1).has_value());
  EXPECT_FALSE(CheckedSub(std::numeric_limits<int64_t>::min(), 1).has_value());
  EXPECT_FALSE(CheckedMul(std::numeric_limits<int64_t>::max() / 2 + 1, 2).has_value());
  EXPECT_EQ(CheckedAdd(40, 2), 42);
}

}  // namespace
}  // namespace ledger
