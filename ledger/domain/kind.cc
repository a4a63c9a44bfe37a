#include "ledger/domain/kind.h"

#include "absl/strings/str_cat.h"

namespace ledger {

std::optional<Movement> EventKind::MovementOf(const v1::EventBody&) const { return std::nullopt; }

void EventKind::AddMoneyChanges(const v1::EventBody&, int64_t, Effects&) const {}

absl::Status EventKind::DecideReversal(const Decision&, const LoggedEvent&, int64_t, bool, Books&,
                                       Effects&) const {
  return absl::InternalError(absl::StrCat("event kind ", name(), " cannot be reversed"));
}

absl::StatusOr<bool> EventKind::ConcernsSensitiveFund(const v1::EventBody&, Books&) const {
  return false;
}

std::string EventKind::PartyOf(const v1::EventBody&) const { return ""; }

void EventKind::Prepare(v1::EventBody&, const PartyIds&) const {}

void EventKind::NotePrivate(const v1::EventPayload&, v1::EventBody&) const {}

}  // namespace ledger
