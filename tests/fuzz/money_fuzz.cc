// Fuzz target: the money parser. ParseDecimal / ParseAmount never crash,
// refuse only with INVALID_ARGUMENT or OUT_OF_RANGE, and every accepted value
// round-trips through FormatDecimal / FormatAmount (to the same value, and to
// the canonical spelling of the input). FormatDecimal of any int64 parses back.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/money.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using ledger::CurrencyExponent;
using ledger::FormatAmount;
using ledger::FormatDecimal;
using ledger::ParseAmount;
using ledger::ParseDecimal;

// The canonical spelling of an accepted decimal: no leading zeros in the
// whole part (but at least one digit), the fraction padded to the exponent.
std::string Canonical(absl::string_view text, int exponent) {
  absl::string_view whole = text, frac;
  const size_t dot = text.find('.');
  if (dot != absl::string_view::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  std::string out(whole);
  if (exponent > 0) {
    out.push_back('.');
    out.append(frac.data(), frac.size());
    out.append(static_cast<size_t>(exponent) - frac.size(), '0');
  }
  return out;
}

void CheckRefusal(const absl::Status& s, absl::string_view input) {
  FUZZ_CHECK(
      s.code() == absl::StatusCode::kInvalidArgument || s.code() == absl::StatusCode::kOutOfRange,
      absl::StrCat("\"", input, "\": ", s.ToString()));
}

void CheckDecimal(absl::string_view text, absl::string_view currency) {
  absl::StatusOr<int64_t> v = ParseDecimal(text, currency);
  if (!v.ok()) {
    CheckRefusal(v.status(), text);
    return;
  }
  FUZZ_CHECK(*v >= 0, absl::StrCat("\"", text, "\" parsed to ", *v));
  const std::string formatted = FormatDecimal(*v, currency);
  absl::StatusOr<int64_t> again = ParseDecimal(formatted, currency);
  FUZZ_CHECK(again.ok() && *again == *v,
             absl::StrCat("\"", text, "\" -> ", *v, " -> \"", formatted, "\" does not parse back"));
  FUZZ_CHECK(formatted == Canonical(text, *CurrencyExponent(currency)),
             absl::StrCat("\"", text, "\" formats as \"", formatted, "\""));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ledger::fuzz::QuietProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);

  // "12.50 GBP": any currency the input names.
  absl::StatusOr<ledger::Amount> amount = ParseAmount(in);
  if (amount.ok()) {
    FUZZ_CHECK(CurrencyExponent(amount->currency).has_value(), std::string(in));
    const std::string formatted = FormatAmount(amount->minor, amount->currency);
    absl::StatusOr<ledger::Amount> again = ParseAmount(formatted);
    FUZZ_CHECK(again.ok() && *again == *amount,
               absl::StrCat("\"", in, "\" -> \"", formatted, "\" does not parse back"));
    CheckDecimal(in.substr(0, in.find(' ')), amount->currency);
  } else {
    CheckRefusal(amount.status(), in);
  }

  // The bare number in one currency of each exponent (and an unknown one).
  for (absl::string_view currency : {"GBP", "JPY", "BHD", "XXX"}) {
    if (CurrencyExponent(currency)) {
      CheckDecimal(in, currency);
    } else {
      absl::StatusOr<int64_t> v = ParseDecimal(in, currency);
      FUZZ_CHECK(!v.ok() && v.status().code() == absl::StatusCode::kInvalidArgument,
                 "an unknown currency was accepted");
    }
  }

  // Formatting: any int64 formats and a non-negative one parses back.
  if (size >= 8) {
    int64_t minor;
    std::memcpy(&minor, data, sizeof(minor));
    for (absl::string_view currency : {"GBP", "JPY", "BHD"}) {
      const std::string s = FormatDecimal(minor, currency);
      absl::string_view digits = s;
      if (minor < 0) {
        FUZZ_CHECK(!s.empty() && s[0] == '-', s);
        digits.remove_prefix(1);
      }
      absl::StatusOr<int64_t> back = ParseDecimal(digits, currency);
      if (minor == INT64_MIN) {
        // Its magnitude is one past INT64_MAX.
        FUZZ_CHECK(!back.ok() && back.status().code() == absl::StatusCode::kOutOfRange, s);
      } else {
        const int64_t magnitude = minor < 0 ? -minor : minor;
        FUZZ_CHECK(back.ok() && *back == magnitude,
                   absl::StrCat(minor, " ", currency, " -> \"", s, "\" does not parse back"));
      }
    }
  }
  return 0;
}
