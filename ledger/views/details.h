// Reading private details back (shared/DESIGN.md, "Private details").
//
// An event's stored record holds its public part and a salted commitment;
// its private details are sealed in the private store. A reader gets them
// only when it is allowed to (its role) and the view can open them (the
// ledger's key is at hand); otherwise the event says they are withheld, or
// erased when their key or sealed part was destroyed. Details opened are
// checked against the commitment in the record, so a sealed part swapped in
// from elsewhere is refused (DATA_LOSS).
#ifndef LEDGER_VIEWS_DETAILS_H_
#define LEDGER_VIEWS_DETAILS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "ledger/crypto/keyring.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

// How much of the private details a reader gets.
struct DetailAccess {
  const Keyring* keyring = nullptr;  // nullptr: they cannot be opened here
  bool allowed = false;              // the reader may see them
};

// What one event's private details are, for one reader.
struct Details {
  v1::DetailState state = v1::DETAIL_STATE_UNSPECIFIED;
  std::optional<v1::EventPayload> fields;  // set when state is SHOWN
};

absl::StatusOr<Details> ReadDetails(ReadView& view, const StoredEvent& stored,
                                    const DetailAccess& access);

// The details of the event at `position` (for a fund's private purpose).
absl::StatusOr<Details> ReadDetailsAt(ReadView& view, uint64_t position,
                                      const DetailAccess& access);

}  // namespace ledger

#endif  // LEDGER_VIEWS_DETAILS_H_
