// Money: integer minor units plus an ISO 4217 currency. No floating point.
//
// The exponent of each currency (how many minor units make a major one, as a
// power of ten) comes from the ISO 4217 table in money.cc. Arithmetic is
// checked: an overflow is an error, never a wrap-around. Amounts of different
// currencies are never added together.
//
// Thread-safety: everything here is a pure function.
#ifndef LEDGER_DOMAIN_MONEY_H_
#define LEDGER_DOMAIN_MONEY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

// The ISO 4217 exponent of `currency` (GBP 2, JPY 0, BHD 3), or nullopt if the
// code is not a known active currency. Codes are upper case.
std::optional<int> CurrencyExponent(absl::string_view currency);

// An amount in one currency.
struct Amount {
  int64_t minor = 0;
  std::string currency;
  bool operator==(const Amount& o) const { return minor == o.minor && currency == o.currency; }
};

// Parses a decimal amount such as "12.50" in `currency`. Accepts digits with
// at most the currency's exponent of fraction digits ("12", "12.5", "12.50"
// for GBP; "1250" for JPY). Refuses signs, exponents, spaces, separators,
// empty strings, too many fraction digits and values beyond int64.
absl::StatusOr<int64_t> ParseDecimal(absl::string_view text, absl::string_view currency);

// Parses "12.50 GBP" (one space between amount and code).
absl::StatusOr<Amount> ParseAmount(absl::string_view text);

// Formats minor units by the currency's exponent: (1250, GBP) -> "12.50",
// (-5, GBP) -> "-0.05", (1234, BHD) -> "1.234". Unknown currencies use 2.
std::string FormatDecimal(int64_t minor, absl::string_view currency);

// "12.50 GBP".
std::string FormatAmount(int64_t minor, absl::string_view currency);

// Checked arithmetic: nullopt on overflow.
[[nodiscard]] std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);
[[nodiscard]] std::optional<int64_t> CheckedSub(int64_t a, int64_t b);
[[nodiscard]] std::optional<int64_t> CheckedMul(int64_t a, int64_t b);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_MONEY_H_
