#include "ledger/dated_checks.h"

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/civil_date.h"
#include "ledger/errors.h"
#include "ledger/money.h"

namespace ledger {
namespace {

// Length of "YYYY-MM-DD".
constexpr size_t kDateLength = 10;

std::string DayFundPrefix(absl::string_view fund, absl::string_view currency) {
  return absl::StrCat(kDayFundPrefix, fund, "/", currency, "/");
}

// The net change to the available balance of each fund and currency.
std::map<std::pair<std::string, std::string>, int64_t> AvailableChanges(const Effects& effects) {
  std::map<std::pair<std::string, std::string>, int64_t> out;
  for (const v1::FundBalance& f : effects.funds) {
    out[{f.fund(), f.currency()}] += f.available_minor();
  }
  return out;
}

absl::Status DippedBelowZero(absl::string_view fund, absl::string_view currency,
                             absl::string_view day, int64_t held_minor, int64_t requested_minor) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonInsufficientFunds);
  detail.set_fund(std::string(fund));
  detail.set_date(std::string(day));
  detail.mutable_available()->set_amount_minor(held_minor);
  detail.mutable_available()->set_currency(std::string(currency));
  detail.mutable_requested()->set_amount_minor(requested_minor);
  detail.mutable_requested()->set_currency(std::string(currency));
  return WithDetail(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("insufficient funds in fund:", fund, " on ", day, ": available ",
                   FormatAmount(held_minor, currency), " at the end of that day, requested ",
                   FormatAmount(requested_minor, currency),
                   " (money dated later cannot pay for it; date the event later)"),
      detail);
}

// Checks one fund and currency whose available balance drops by
// -change_minor from `occurred_on` on.
absl::Status CheckOneFund(StateView& state, const std::string& fund, const std::string& currency,
                          absl::string_view occurred_on, int64_t change_minor) {
  ASSIGN_OR_RETURN(std::optional<v1::FundBalance> current,
                   state.Load<v1::FundBalance>(FundKey(fund, currency)));
  const int64_t now_after = current ? current->available_minor() : 0;
  // Day rows from the event's date on: (day, change of available that day).
  std::vector<std::pair<std::string, int64_t>> days;
  const std::string prefix = DayFundPrefix(fund, currency);
  absl::Status decode;
  RETURN_IF_ERROR(state.Scan(prefix, absl::StrCat(prefix, occurred_on),
                             [&](absl::string_view key, absl::string_view value) {
                               v1::FundBalance row;
                               if (key.size() != prefix.size() + kDateLength ||
                                   !row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 decode = absl::DataLossError(
                                     absl::StrCat("state row \"", key, "\" cannot be decoded"));
                                 return false;
                               }
                               days.emplace_back(std::string(key.substr(prefix.size())),
                                                 row.available_minor());
                               return true;
                             }));
  RETURN_IF_ERROR(decode);
  // At the end of day d the fund held what it holds now less the changes
  // dated after d. Walk the days backwards from now, then check each one
  // from the earliest so the first day below zero is reported.
  std::vector<std::pair<std::string, int64_t>> held;  // (day, held after this event)
  held.reserve(days.size() + 1);
  int64_t after = now_after;
  for (size_t i = days.size(); i-- > 0;) {
    held.emplace_back(days[i].first, after);
    std::optional<int64_t> before = CheckedSub(after, days[i].second);
    if (!before) return absl::OutOfRangeError("a fund's daily balance overflows");
    after = *before;
  }
  if (days.empty() || days.front().first != occurred_on) held.emplace_back(occurred_on, after);
  for (size_t i = held.size(); i-- > 0;) {
    if (held[i].second < 0) {
      return DippedBelowZero(fund, currency, held[i].first, held[i].second - change_minor,
                             -change_minor);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFund(absl::string_view occurred_on, StateView& state, absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b, state.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  if (!b) return absl::OkStatus();
  return CheckNotBefore(occurred_on, b->registered_on(), kReasonDateBeforeRegistration,
                        absl::StrCat("fund:", BeneficiaryFund(id), " was registered"));
}

absl::Status CheckBranch(absl::string_view occurred_on, StateView& state, absl::string_view id) {
  ASSIGN_OR_RETURN(std::optional<v1::Branch> b, state.Load<v1::Branch>(BranchKey(id)));
  if (!b || b->status() != v1::STATUS_OPEN) return absl::OkStatus();
  return CheckNotBefore(occurred_on, b->affiliated_on(), kReasonDateBeforeAffiliation,
                        absl::StrCat("branch \"", id, "\" affiliated"));
}

// A close of a fund: not before its last movement in any currency.
absl::Status CheckClose(absl::string_view occurred_on, StateView& state, absl::string_view id) {
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b, state.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  if (!b || b->status() != v1::STATUS_OPEN) return absl::OkStatus();
  RETURN_IF_ERROR(CheckFund(occurred_on, state, id));
  std::string last;
  for (const std::string& currency : b->currencies()) {
    ASSIGN_OR_RETURN(std::optional<std::string> day,
                     LastMovementAfter(state, BeneficiaryFund(id), currency, occurred_on));
    if (day && *day > last) last = *day;
  }
  return CheckNotBefore(occurred_on, last, kReasonDateBeforeLastMovement,
                        absl::StrCat("the last movement of fund:", BeneficiaryFund(id)));
}

absl::Status CheckDisaffiliation(absl::string_view occurred_on, StateView& state,
                                 absl::string_view id) {
  ASSIGN_OR_RETURN(std::optional<v1::Branch> b, state.Load<v1::Branch>(BranchKey(id)));
  if (!b || b->status() != v1::STATUS_OPEN) return absl::OkStatus();
  RETURN_IF_ERROR(CheckBranch(occurred_on, state, id));
  return CheckNotBefore(occurred_on, b->last_payment_on(), kReasonDateBeforeLastMovement,
                        absl::StrCat("the last payment from branch \"", id, "\""));
}

// A branch that left may affiliate again, but not dated before it left.
absl::Status CheckReaffiliation(absl::string_view occurred_on, StateView& state,
                                absl::string_view id) {
  ASSIGN_OR_RETURN(std::optional<v1::Branch> b, state.Load<v1::Branch>(BranchKey(id)));
  if (!b || b->status() == v1::STATUS_OPEN) return absl::OkStatus();
  return CheckNotBefore(occurred_on, b->disaffiliated_on(), kReasonDateBeforeAffiliation,
                        absl::StrCat("branch \"", id, "\" disaffiliated"));
}

absl::Status CheckReversalDate(absl::string_view occurred_on, EventLookup& lookup,
                               absl::string_view target_id) {
  ASSIGN_OR_RETURN(std::optional<LoggedEvent> target, lookup.FindByEventId(target_id));
  if (!target) return absl::OkStatus();
  return CheckNotBefore(occurred_on, target->payload.occurred_on(), kReasonDateBeforeTarget,
                        absl::StrCat("the event it reverses, \"", target_id, "\", is dated"));
}

}  // namespace

absl::Status CheckEventDates(const v1::EventPayload& p, StateView& state, EventLookup& lookup) {
  const std::string& on = p.occurred_on();
  const v1::EventBody& body = p.body();
  switch (body.kind_case()) {
    case v1::EventBody::kBeneficiaryUpdated:
      return CheckFund(on, state, body.beneficiary_updated().beneficiary_id());
    case v1::EventBody::kBeneficiaryClosed:
      return CheckClose(on, state, body.beneficiary_closed().beneficiary_id());
    case v1::EventBody::kBranchAffiliated:
      return CheckReaffiliation(on, state, body.branch_affiliated().branch_id());
    case v1::EventBody::kBranchDisaffiliated:
      return CheckDisaffiliation(on, state, body.branch_disaffiliated().branch_id());
    case v1::EventBody::kAffiliationFeePaid:
      return CheckBranch(on, state, body.affiliation_fee_paid().branch_id());
    case v1::EventBody::kDonationReceived: {
      const auto& d = body.donation_received();
      if (d.donor_kind() == v1::DONOR_KIND_BRANCH) RETURN_IF_ERROR(CheckBranch(on, state, d.branch_id()));
      return CheckFund(on, state, d.earmark_beneficiary_id());
    }
    case v1::EventBody::kFundsAllocated:
      return CheckFund(on, state, body.funds_allocated().beneficiary_id());
    case v1::EventBody::kDisbursementMade:
      return CheckFund(on, state, body.disbursement_made().beneficiary_id());
    case v1::EventBody::kEventReversed:
      return CheckReversalDate(on, lookup, body.event_reversed().target_event_id());
    case v1::EventBody::kLedgerOpened:
    case v1::EventBody::kBeneficiaryRegistered:
    case v1::EventBody::KIND_NOT_SET:
      return absl::OkStatus();
  }
  return absl::OkStatus();
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

absl::Status CheckFundsOnEveryDay(StateView& state, absl::string_view occurred_on,
                                  const Effects& effects) {
  for (const auto& [fund_currency, change] : AvailableChanges(effects)) {
    if (change >= 0) continue;
    RETURN_IF_ERROR(
        CheckOneFund(state, fund_currency.first, fund_currency.second, occurred_on, change));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> LastMovementAfter(StateView& state,
                                                             absl::string_view fund,
                                                             absl::string_view currency,
                                                             absl::string_view day) {
  const std::string prefix = DayFundPrefix(fund, currency);
  std::optional<std::string> last;
  RETURN_IF_ERROR(state.Scan(prefix, absl::StrCat(prefix, day),
                             [&](absl::string_view key, absl::string_view) {
                               absl::string_view d = key.substr(prefix.size());
                               if (d > day) last = std::string(d);
                               return true;
                             }));
  return last;
}

}  // namespace ledger
