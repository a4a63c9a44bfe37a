// CommitBatch: one group commit being built by the writer. The state rows of
// every request accepted so far, layered over the database, the events and
// id entries they add, and the Merkle tree grown by their records; what
// becomes the commit's one WriteBatch.
//
// The writer is the only one writing the database, so while a batch is
// being built the database needs no snapshot.
#ifndef LEDGER_WRITER_BATCH_H_
#define LEDGER_WRITER_BATCH_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ledger/domain/books.h"
#include "ledger/projections/tree_index.h"
#include "ledger/storage/database.h"
#include "ledger/storage/rows.h"
#include "rocksdb/write_batch.h"

namespace ledger {

class CommitBatch : public StateView {
 public:
  struct NewEvent {
    uint64_t position = 0;
    v1::EventPayload payload;
    std::string payload_bytes;
    std::string prev_hash;
    std::string hash;
    std::string digest;  // of the EventInput, for idempotency
    std::string record;  // the stored record; set by AddEvents
  };

  // An id entry: the position an event id was recorded at and its digest.
  struct IdAt {
    uint64_t position = 0;
    std::string digest;
  };

  // `tree` is the Merkle tree at the head.
  CommitBatch(const Database* db, uint64_t head_position, std::string head_hash,
              merkle::CompactRange tree)
      : db_(db),
        head_position_(head_position),
        head_hash_(std::move(head_hash)),
        tree_(std::move(tree)) {}

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, std::string value) override;
  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override;

  // The event recorded under `event_id`: in this batch or in the log.
  absl::StatusOr<std::optional<IdAt>> FindId(absl::string_view event_id) const;
  absl::StatusOr<std::optional<LoggedEvent>> FindEvent(absl::string_view event_id) const;

  // Adds the events of an accepted request, and their records to the tree.
  // REQUIRES: their positions follow the head, densely.
  void AddEvents(std::vector<NewEvent>&& events);

  // The commit's WriteBatch: records, id entries, state rows, the tree's
  // new nodes and size, the head. REQUIRES: at least one event.
  // Rows of the private store (column families `private` and `keys`),
  // written or deleted in the same WriteBatch; reads see them first.
  // nullopt in a pending change is a delete.
  using AuxChanges = std::map<std::string, std::optional<std::string>, std::less<>>;
  absl::StatusOr<std::optional<std::string>> GetAux(absl::string_view cf,
                                                    absl::string_view key) const;
  void PutAux(absl::string_view cf, absl::string_view key, std::string value);
  void DeleteAux(absl::string_view cf, absl::string_view key);
  // True when the batch deletes a row of the private store (an erasure).
  bool deletes_aux() const;

  // The commit's WriteBatch: records, id entries, state rows, the head.
  // REQUIRES: at least one event.
  rocksdb::WriteBatch ToWriteBatch() const;

  // The tree after every event added so far.
  const merkle::CompactRange& tree() const { return tree_.range(); }
  // The same, moved out (the batch is done).
  merkle::CompactRange TakeTree() { return tree_.TakeRange(); }

  uint64_t head_position() const { return head_position_; }
  const std::string& head_hash() const { return head_hash_; }
  const std::vector<NewEvent>& events() const { return events_; }

 private:
  const Database* db_;
  uint64_t head_position_;
  std::string head_hash_;
  std::map<std::string, std::string, std::less<>> changes_;
  std::vector<NewEvent> events_;
  absl::flat_hash_map<std::string, size_t> ids_;
  TreeAppender tree_;
  std::map<std::string, AuxChanges, std::less<>> aux_;  // by column family
};

}  // namespace ledger

#endif  // LEDGER_WRITER_BATCH_H_
