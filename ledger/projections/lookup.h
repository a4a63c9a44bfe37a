// Finding reversal targets among the events of a ReadView.
#ifndef LEDGER_PROJECTIONS_LOOKUP_H_
#define LEDGER_PROJECTIONS_LOOKUP_H_

#include <cstdint>

#include "ledger/domain/books.h"
#include "ledger/storage/read_view.h"

namespace ledger {

// With set_before(p), events at position p or later are invisible (a replay
// that has reached p).
class ReadViewLookup : public EventLookup {
 public:
  explicit ReadViewLookup(ReadView& view) : view_(view) {}
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override;
  void set_before(uint64_t position) { before_ = position; }

 private:
  ReadView& view_;
  uint64_t before_ = UINT64_MAX;
};

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_LOOKUP_H_
