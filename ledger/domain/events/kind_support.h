// What the event kind files share: includes, field paths, the money of a
// single movement, and the event another event names. Only for ledger/domain/events/*.cc.
#ifndef LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_
#define LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/kind.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registers.h"
#include "ledger/domain/validate.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger::events {

// "body.<kind>.<field>": the path of a field of the event body.
inline std::string FieldOf(absl::string_view kind, absl::string_view field) {
  return absl::StrCat("body.", kind, ".", field);
}

// "12.50 GBP".
inline std::string AmountText(const v1::Money& m) {
  return FormatAmount(m.amount_minor(), m.currency());
}

// The money of an event that moves its whole amount once: the postings of
// its movement and its fund, branch and totals changes.
inline void AddOwnMoney(const EventKind& kind, const v1::EventBody& body, Effects& out) {
  std::optional<Movement> m = kind.MovementOf(body);
  if (!m) return;
  out.AddMovement(*m);
  kind.AddMoneyChanges(body, m->amount_minor, out);
}

// The fund changes of `amount` moving from fund `from` to fund `to` in
// `currency` (an allocation or a transfer): allocated out of one and in to
// the other, and what each has available.
inline void AddFundToFundMoney(const std::string& from, const std::string& to,
                               const std::string& currency, int64_t amount, Effects& out) {
  v1::FundBalance out_of = FundChange(from, currency);
  out_of.set_allocated_out_minor(amount);
  out_of.set_available_minor(-amount);
  v1::FundBalance into = FundChange(to, currency);
  into.set_allocated_in_minor(amount);
  into.set_available_minor(amount);
  out.AddFund(std::move(out_of));
  out.AddFund(std::move(into));
}

// The logged event `event_id` an event names (a reversal's or an erasure's
// target); NOT_FOUND (UNKNOWN_EVENT, on `field`) if there is none.
inline absl::StatusOr<LoggedEvent> TargetEvent(const Decision& d, absl::string_view event_id,
                                               absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<LoggedEvent> target, d.lookup->FindByEventId(event_id));
  if (!target) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownEvent,
                   absl::StrCat(field, ": no event \"", event_id, "\""), field);
  }
  return *std::move(target);
}

}  // namespace ledger::events

#endif  // LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_
