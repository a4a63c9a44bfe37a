// The ReadView of a Database at a RocksDB snapshot: every read is consistent
// at the head the snapshot holds.
#ifndef LEDGER_STORAGE_SNAPSHOT_VIEW_H_
#define LEDGER_STORAGE_SNAPSHOT_VIEW_H_

#include <memory>
#include <string>

#include "ledger/storage/database.h"
#include "ledger/storage/read_view.h"

namespace ledger {

// The ledger's id and name (from the meta column family; fixed once open).
struct LedgerIdentity {
  std::string id;  // 32 lower-case hex characters
  std::string name;
};

// A view of `db` now. `db` and `identity` must outlive it.
std::unique_ptr<ReadView> NewSnapshotView(const Database& db, const LedgerIdentity& identity);

// Decodes the stored record of the event at `position` (DATA_LOSS naming
// the position if it is damaged).
absl::StatusOr<StoredEvent> DecodeStoredEvent(uint64_t position, absl::string_view value);

}  // namespace ledger

#endif  // LEDGER_STORAGE_SNAPSHOT_VIEW_H_
