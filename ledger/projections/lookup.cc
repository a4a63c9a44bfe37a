#include "ledger/projections/lookup.h"

#include "ledger/status_macros.h"

namespace ledger {

absl::StatusOr<std::optional<LoggedEvent>> ReadViewLookup::FindByEventId(
    absl::string_view event_id) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> position, view_.FindEventId(event_id));
  if (!position || *position >= before_) return std::optional<LoggedEvent>();
  ASSIGN_OR_RETURN(StoredEvent e, view_.GetEvent(*position));
  return std::optional<LoggedEvent>(LoggedEvent{e.position, std::move(e.payload)});
}

}  // namespace ledger
