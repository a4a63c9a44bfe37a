#include "ledger/domain/money.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ledger {
namespace {

struct CurrencyInfo {
  const char* code;
  int exponent;
};

// Active ISO 4217 codes and their minor-unit exponents (ISO 4217 list one,
// 2024). Funds and precious metals (XAU, XDR ...) are left out on purpose: a
// solidarity campaign holds and pays out money.
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2},
    {"ZMW", 2}, {"ZWL", 2},
};

constexpr int64_t kPow10[] = {1, 10, 100, 1000};

}  // namespace

std::optional<int> CurrencyExponent(absl::string_view currency) {
  for (const CurrencyInfo& c : kCurrencies) {
    if (currency == c.code) return c.exponent;
  }
  return std::nullopt;
}

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

absl::StatusOr<int64_t> ParseDecimal(absl::string_view text, absl::string_view currency) {
  std::optional<int> exponent = CurrencyExponent(currency);
  if (!exponent) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown currency \"", currency, "\" (need an ISO 4217 code such as GBP)"));
  }
  if (text.empty()) return absl::InvalidArgumentError("empty amount");
  absl::string_view whole = text, frac;
  size_t dot = text.find('.');
  if (dot != absl::string_view::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
    if (frac.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("amount \"", text, "\" ends with a decimal point"));
    }
  }
  if (whole.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount \"", text, "\" needs digits before the decimal point"));
  }
  auto all_digits = [](absl::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!all_digits(whole) || !all_digits(frac)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "amount \"", text, "\" is not a plain decimal number (digits and at most one '.')"));
  }
  if (static_cast<int>(frac.size()) > *exponent) {
    return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" has more than ",
                                                   *exponent, " decimal places, the most ",
                                                   currency, " allows"));
  }
  int64_t value = 0;
  for (char c : whole) {
    auto m = CheckedMul(value, 10);
    auto a = m ? CheckedAdd(*m, c - '0') : std::nullopt;
    if (!a) return absl::OutOfRangeError(absl::StrCat("amount \"", text, "\" is too large"));
    value = *a;
  }
  int64_t frac_value = 0;
  for (char c : frac) frac_value = frac_value * 10 + (c - '0');
  frac_value *= kPow10[*exponent - static_cast<int>(frac.size())];
  auto scaled = CheckedMul(value, kPow10[*exponent]);
  auto total = scaled ? CheckedAdd(*scaled, frac_value) : std::nullopt;
  if (!total) return absl::OutOfRangeError(absl::StrCat("amount \"", text, "\" is too large"));
  return *total;
}

absl::StatusOr<Amount> ParseAmount(absl::string_view text) {
  size_t space = text.find(' ');
  if (space == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount \"", text, "\" needs a currency, as in \"12.50 GBP\""));
  }
  absl::string_view number = text.substr(0, space);
  absl::string_view currency = text.substr(space + 1);
  auto minor = ParseDecimal(number, currency);
  if (!minor.ok()) return minor.status();
  return Amount{*minor, std::string(currency)};
}

std::string FormatDecimal(int64_t minor, absl::string_view currency) {
  int exponent = CurrencyExponent(currency).value_or(2);
  // Work in unsigned magnitude so INT64_MIN formats correctly.
  bool negative = minor < 0;
  uint64_t magnitude =
      negative ? (~static_cast<uint64_t>(minor) + 1) : static_cast<uint64_t>(minor);
  auto unit = static_cast<uint64_t>(kPow10[exponent]);
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, magnitude / unit);
  if (exponent > 0) {
    std::string frac = absl::StrCat(magnitude % unit);
    out.push_back('.');
    out.append(static_cast<size_t>(exponent) - frac.size(), '0');
    out.append(frac);
  }
  return out;
}

std::string FormatAmount(int64_t minor, absl::string_view currency) {
  return absl::StrCat(FormatDecimal(minor, currency), " ", currency);
}

}  // namespace ledger
