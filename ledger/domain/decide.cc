#include "ledger/domain/decide.h"

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/money.h"
#include "ledger/domain/periods.h"
#include "ledger/domain/registers.h"
#include "ledger/domain/registry.h"
#include "ledger/domain/validate.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

// The net change of each fund's available balance, per currency.
std::map<std::pair<std::string, std::string>, int64_t> AvailableChanges(const Effects& effects) {
  std::map<std::pair<std::string, std::string>, int64_t> out;
  for (const v1::FundBalance& f : effects.funds)
    out[{f.fund(), f.currency()}] += f.available_minor();
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

// The fund must hold enough at the end of every day from `on` on. At the
// end of day D it holds what it holds now less the changes dated after D;
// the days are walked backwards from now, and the earliest day below zero
// is reported.
absl::Status CheckEveryDay(Books& books, const std::string& fund, const std::string& currency,
                           const std::string& on, int64_t now_after, int64_t change) {
  ASSIGN_OR_RETURN(std::vector<DayChange> days, books.FundDaysFrom(fund, currency, on));
  std::vector<std::pair<std::string, int64_t>> held;  // (day, held after this event)
  held.reserve(days.size() + 1);
  int64_t after = now_after;
  for (size_t i = days.size(); i-- > 0;) {
    held.emplace_back(days[i].day, after);
    std::optional<int64_t> before = CheckedSub(after, days[i].available_minor);
    if (!before) return Overflow(absl::StrCat("the daily balance of fund ", fund));
    after = *before;
  }
  if (days.empty() || days.front().day != on) held.emplace_back(on, after);
  for (size_t i = held.size(); i-- > 0;) {
    if (held[i].second < 0) {
      return DippedBelowZero(fund, currency, held[i].first, held[i].second - change, -change);
    }
  }
  return absl::OkStatus();
}

// No fund the event takes money from may go below zero: now, and (when
// recording) on any day from the event's date on.
absl::Status CheckFundsHold(const Decision& d, Books& books, const Effects& effects) {
  for (const auto& [key, change] : AvailableChanges(effects)) {
    if (change >= 0) continue;
    const auto& [fund, currency] = key;
    ASSIGN_OR_RETURN(v1::FundBalance now, books.Fund(fund, currency));
    std::optional<int64_t> after = CheckedAdd(now.available_minor(), change);
    if (!after) return Overflow(absl::StrCat("fund ", fund, " ", currency));
    if (*after < 0) return InsufficientFunds(fund, currency, now.available_minor(), -change);
    if (d.dated()) {
      RETURN_IF_ERROR(CheckEveryDay(books, fund, currency, d.occurred_on(), *after, change));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateInput(const v1::EventInput& input) {
  RETURN_IF_ERROR(CheckId("event_id", input.event_id()));
  if (input.occurred_on().empty()) return InvalidField("occurred_on", "is required");
  if (!ParseDate(input.occurred_on()).ok()) {
    return InvalidField("occurred_on", absl::StrCat("\"", input.occurred_on().substr(0, 40),
                                                    "\" is not a real day written YYYY-MM-DD"));
  }
  RETURN_IF_ERROR(CheckMemo("memo", input.memo(), Presence::kOptional));
  if (!input.has_body()) return InvalidField("body", "is required");
  const EventKind* kind = KindOf(input.body());
  if (kind == nullptr) return InvalidField("body", "has no event kind");
  return kind->Validate(input.body());
}

absl::StatusOr<Effects> Decide(uint64_t position, const v1::EventPayload& payload, Books& books,
                               EventLookup& lookup, EventChecks checks) {
  const EventKind* kind = KindOf(payload.body());
  if (kind == nullptr) return InvalidField("body", "has no event kind");
  const Decision d{position, &payload, checks, &lookup};
  if (d.dated()) {
    RETURN_IF_ERROR(CheckNotInFuture(payload.occurred_on(), payload.recorded_at_us()));
    // Closed periods: nothing, of any kind, is recorded dated inside one.
    ASSIGN_OR_RETURN(std::string closed_through, ClosedThrough(books));
    RETURN_IF_ERROR(CheckNotInClosedPeriod(payload.occurred_on(), closed_through));
  }
  Effects out;
  out.totals.set_event_count(1);
  RETURN_IF_ERROR(kind->Decide(d, books, out));
  // A kind whose postings do not balance is a bug, not bad input.
  LEDGER_CHECK(CheckBalanced(out).ok());
  RETURN_IF_ERROR(CheckFundsHold(d, books, out));
  return out;
}

absl::StatusOr<Effects> MoneyEffectsOf(const v1::EventPayload& payload, EventLookup& lookup) {
  Effects out;
  out.totals.set_event_count(1);
  const v1::EventBody& body = payload.body();
  if (!body.has_event_reversed()) {
    const EventKind* kind = KindOf(body);
    std::optional<Movement> m = kind == nullptr ? std::nullopt : kind->MovementOf(body);
    if (kind != nullptr) kind->AddCommitments(body, out);
    if (m) {
      out.AddMovement(*m);
      kind->AddMoneyChanges(body, m->amount_minor, out);
    }
    return out;
  }
  out.totals.set_reversal_count(1);
  const v1::EventReversed& r = body.event_reversed();
  ASSIGN_OR_RETURN(std::optional<LoggedEvent> target, lookup.FindByEventId(r.target_event_id()));
  if (!target) {
    return absl::DataLossError(
        absl::StrCat("reversal target ", r.target_event_id(), " is missing"));
  }
  const EventKind* kind = KindOf(target->payload.body());
  std::optional<Movement> original =
      kind == nullptr ? std::nullopt : kind->MovementOf(target->payload.body());
  if (!original) return absl::DataLossError("reversal target moves no money");
  const int64_t amount =
      r.amount().amount_minor() != 0 ? r.amount().amount_minor() : original->amount_minor;
  kind->AddMoneyChanges(target->payload.body(), -amount, out);
  out.AddMovement(ReverseOf(*original, amount));
  return out;
}

}  // namespace ledger
