#include "ledger/domain/registers.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger {

absl::StatusOr<v1::Beneficiary> LoadBeneficiary(Books& books, absl::string_view id,
                                                absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> row, books.FindBeneficiary(id));
  if (!row) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBeneficiary,
                   absl::StrCat(field, ": no beneficiary \"", id, "\""), field);
  }
  return *std::move(row);
}

absl::StatusOr<v1::Beneficiary> LoadOpenBeneficiary(Books& books, absl::string_view id,
                                                    absl::string_view field) {
  ASSIGN_OR_RETURN(v1::Beneficiary b, LoadBeneficiary(books, id, field));
  if (b.status() != v1::STATUS_OPEN) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBeneficiaryClosed,
                   absl::StrCat(field, ": beneficiary \"", id, "\" is closed"), field);
  }
  return b;
}

absl::StatusOr<v1::Branch> LoadBranch(Books& books, absl::string_view id, absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Branch> row, books.FindBranch(id));
  if (!row) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBranch,
                   absl::StrCat(field, ": no branch \"", id, "\""), field);
  }
  return *std::move(row);
}

absl::StatusOr<v1::Branch> LoadAffiliatedBranch(Books& books, absl::string_view id,
                                                absl::string_view field) {
  ASSIGN_OR_RETURN(v1::Branch b, LoadBranch(books, id, field));
  if (b.status() != v1::STATUS_OPEN) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBranchNotAffiliated,
                   absl::StrCat(field, ": branch \"", id, "\" is not affiliated"), field);
  }
  return b;
}

absl::Status InsufficientFunds(absl::string_view fund, absl::string_view currency,
                               int64_t available_minor, int64_t requested_minor) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonInsufficientFunds);
  detail.set_fund(std::string(fund));
  detail.mutable_available()->set_amount_minor(available_minor);
  detail.mutable_available()->set_currency(std::string(currency));
  detail.mutable_requested()->set_amount_minor(requested_minor);
  detail.mutable_requested()->set_currency(std::string(currency));
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("insufficient funds in fund:", fund, ": available ",
                                 FormatAmount(available_minor, currency), ", requested ",
                                 FormatAmount(requested_minor, currency)),
                    detail);
}

absl::Status Overflow(absl::string_view what) {
  return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow,
                 absl::StrCat(what, " would overflow"));
}

absl::CivilDay LatestAcceptedDay(int64_t recorded_at_us) {
  return absl::ToCivilDay(absl::FromUnixMicros(recorded_at_us), absl::UTCTimeZone()) + 1;
}

absl::Status CheckNotInFuture(absl::string_view occurred_on, int64_t recorded_at_us) {
  const std::string latest = FormatDate(LatestAcceptedDay(recorded_at_us));
  if (occurred_on <= latest) return absl::OkStatus();
  v1::ErrorDetail detail;
  detail.set_reason(kReasonDateInFuture);
  detail.set_field("occurred_on");
  detail.set_date(latest);
  return WithDetail(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("occurred_on: ", occurred_on,
                                 " is in the future; the latest date accepted today is ", latest),
                    detail);
}

absl::Status CheckNotBefore(absl::string_view occurred_on, absl::string_view since,
                            absl::string_view reason, absl::string_view what) {
  if (since.empty() || occurred_on >= since) return absl::OkStatus();
  v1::ErrorDetail detail;
  detail.set_reason(std::string(reason));
  detail.set_field("occurred_on");
  detail.set_date(std::string(since));
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("occurred_on: ", occurred_on, " is before ", what, " (", since,
                                 "); date it on or after that day"),
                    detail);
}

absl::Status CheckDatedAfterRegistration(absl::string_view occurred_on, const v1::Beneficiary& b) {
  return CheckNotBefore(
      occurred_on, b.registered_on(), kReasonDateBeforeRegistration,
      absl::StrCat("fund:", BeneficiaryFund(b.beneficiary_id()), " was registered"));
}

absl::Status CheckDatedAfterAffiliation(absl::string_view occurred_on, const v1::Branch& b) {
  return CheckNotBefore(occurred_on, b.affiliated_on(), kReasonDateBeforeAffiliation,
                        absl::StrCat("branch \"", b.branch_id(), "\" affiliated"));
}

}  // namespace ledger
