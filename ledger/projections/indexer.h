// Indexers: everything kept beside the log that is computed from it, fed by
// the same commit in the commit's own WriteBatch (so an index is never
// behind or ahead of the log), and rebuilt and compared by the audit.
//
// The projections (current balances, registers, per-day and per-bucket
// rows) are one indexer; a new index of state rows is another, added to
// DefaultIndexers. An index with a column family of its own is a sibling fed
// the same way: the Merkle tree over the records (tree_index.h) is fed each
// accepted event's record by CommitBatch::AddEvents and by the rebuild.
#ifndef LEDGER_PROJECTIONS_INDEXER_H_
#define LEDGER_PROJECTIONS_INDEXER_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/effects.h"
#include "ledger/storage/rows.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

// An event being committed (or replayed), as every index sees it.
struct IndexedEvent {
  uint64_t position = 0;
  const v1::EventPayload* payload = nullptr;
  absl::string_view payload_bytes;  // as stored and hashed
  absl::string_view hash;           // its chain hash
  const Effects* effects = nullptr;
};

class Indexer {
 public:
  virtual ~Indexer() = default;
  virtual absl::string_view name() const = 0;
  // Adds what the event contributes to `rows` (the commit being built, or a
  // rebuild's in-memory rows). Events come in position order.
  virtual absl::Status Index(const IndexedEvent& event, StateView& rows) = 0;
};

// The indexers of every ledger, in the order they run. Stateless
// singletons.
const std::vector<Indexer*>& DefaultIndexers();

// Runs every default indexer over one event.
absl::Status IndexEvent(const IndexedEvent& event, StateView& rows);

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_INDEXER_H_
