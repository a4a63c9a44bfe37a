// What the event kind files share: includes, field paths, and the money of
// a single movement. Only for ledger/domain/events/*.cc.
#ifndef LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_
#define LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_

#include <optional>
#include <string>

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

}  // namespace ledger::events

#endif  // LEDGER_DOMAIN_EVENTS_KIND_SUPPORT_H_
