#include "ledger/domain/validate.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/domain/ids.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t limit,
                       Presence presence, TextKind kind) {
  if (presence == Presence::kRequired && text.empty()) return InvalidField(field, "is required");
  if (text.size() > limit) {
    return InvalidField(field,
                        absl::StrCat("is ", text.size(), " bytes, over the limit of ", limit));
  }
  if (!IsValidText(text, kind)) {
    const int64_t cp = FirstRefusedCodePoint(text, kind);
    if (cp < 0) return InvalidField(field, "is not valid UTF-8 text");
    return InvalidField(
        field, absl::StrCat(absl::StrFormat("holds U+%04X", cp),
                            kind == TextKind::kMultiLine
                                ? ": control characters (other than a line feed or a tab), "
                                  "line separators and bidirectional overrides are not "
                                  "allowed"
                                : ": control characters, line breaks and bidirectional "
                                  "overrides are not allowed in a one-line field"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckId(absl::string_view field, absl::string_view id, Presence presence) {
  if (id.empty()) {
    return presence == Presence::kOptional ? absl::OkStatus() : InvalidField(field, "is required");
  }
  if (!IsValidId(id)) {
    return InvalidField(field, absl::StrCat("\"", id.substr(0, 80),
                                            "\" is not a valid id (1-64 of a-z 0-9 . _ -)"));
  }
  return absl::OkStatus();
}

absl::Status CheckName(absl::string_view field, absl::string_view text, Presence presence) {
  return CheckText(field, text, kMaxNameLength, presence, TextKind::kSingleLine);
}

absl::Status CheckMemo(absl::string_view field, absl::string_view text, Presence presence) {
  return CheckText(field, text, kMaxMemoLength, presence, TextKind::kMultiLine);
}

absl::Status CheckMoney(absl::string_view field, const v1::Money& money, bool has_money) {
  if (!has_money) return InvalidField(field, "is required");
  if (money.currency().empty())
    return InvalidField(absl::StrCat(field, ".currency"), "is required");
  if (!CurrencyExponent(money.currency())) {
    return InvalidField(
        absl::StrCat(field, ".currency"),
        absl::StrCat("\"", money.currency().substr(0, 16), "\" is not a known ISO 4217 currency"));
  }
  if (money.amount_minor() <= 0) {
    return InvalidField(absl::StrCat(field, ".amount_minor"), "must be positive");
  }
  if (money.amount_minor() > kMaxAmountMinor) {
    return InvalidField(
        absl::StrCat(field, ".amount_minor"),
        absl::StrCat("is over the limit of ", kMaxAmountMinor, " minor units for one event"));
  }
  return absl::OkStatus();
}

bool IsUnsetMoney(const v1::Money& money) {
  return money.amount_minor() == 0 && money.currency().empty();
}

absl::Status CheckFeeBasis(absl::string_view field, const v1::FeeBasis& basis, bool has_basis) {
  if (!has_basis) return InvalidField(field, "is required");
  switch (basis.period()) {
    case v1::FEE_PERIOD_MONTHLY:
    case v1::FEE_PERIOD_QUARTERLY:
    case v1::FEE_PERIOD_ANNUAL:
      break;
    default:
      return InvalidField(absl::StrCat(field, ".period"), "must be monthly, quarterly or annual");
  }
  switch (basis.basis_case()) {
    case v1::FeeBasis::kFixed:
      return CheckMoney(absl::StrCat(field, ".fixed.fee"), basis.fixed().fee(),
                        basis.fixed().has_fee());
    case v1::FeeBasis::kPerMember: {
      const auto& pm = basis.per_member();
      RETURN_IF_ERROR(CheckMoney(absl::StrCat(field, ".per_member.fee_per_member"),
                                 pm.fee_per_member(), pm.has_fee_per_member()));
      if (pm.has_minimum() && !IsUnsetMoney(pm.minimum())) {
        if (pm.minimum().currency() != pm.fee_per_member().currency()) {
          return InvalidField(absl::StrCat(field, ".per_member.minimum.currency"),
                              "must be the currency of fee_per_member");
        }
        if (pm.minimum().amount_minor() < 0 || pm.minimum().amount_minor() > kMaxAmountMinor) {
          return InvalidField(absl::StrCat(field, ".per_member.minimum.amount_minor"),
                              "must be between 0 and the amount limit");
        }
      }
      return absl::OkStatus();
    }
    case v1::FeeBasis::BASIS_NOT_SET:
      return InvalidField(field, "needs a fixed fee or a per-member fee");
  }
  return absl::OkStatus();
}

absl::Status CheckMembers(absl::string_view field, int64_t members) {
  if (members < 0 || members > kMaxMembers) {
    return InvalidField(field, absl::StrCat("must be between 0 and ", kMaxMembers));
  }
  return absl::OkStatus();
}

}  // namespace ledger
