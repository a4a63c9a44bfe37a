// ReadView: a consistent, read-only view of a ledger at one position: its
// head, its events and its state rows. What a query, an export or an audit
// reads through.
//
// The database's view reads at a RocksDB snapshot (ledger/storage/database.h),
// so everything it returns is consistent at its head; a point-in-time view
// (ledger/audit/point_in_time.h) answers the state rows as they stood at an
// earlier point and reads the rest through. Reads never block the writer.
//
// Thread-safety: a view is used by one thread at a time.
#ifndef LEDGER_STORAGE_READ_VIEW_H_
#define LEDGER_STORAGE_READ_VIEW_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/storage/records.h"
#include "ledger/storage/rows.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// An event decoded from the log, with its stored bytes.
struct StoredEvent {
  uint64_t position = 0;
  std::string prev_hash;
  std::string hash;
  std::string payload_bytes;  // exactly as stored (and hashed)
  v1::EventPayload payload;

  // The record exactly as stored: what the Merkle tree's leaf hashes. The
  // record's header is fixed-width (version, prev_hash, hash) and decoding
  // only splits it, so joining the parts again gives the stored bytes.
  std::string Record() const { return EncodeEventRecord(prev_hash, hash, payload_bytes); }
};

class ReadView : public RowReader {
 public:
  virtual uint64_t head_position() const = 0;
  virtual const std::string& head_hash() const = 0;
  virtual const std::string& ledger_id() const = 0;
  virtual const std::string& ledger_name() const = 0;

  // The event at `position` (NOT_FOUND beyond the head).
  virtual absl::StatusOr<StoredEvent> GetEvent(uint64_t position) = 0;
  // The position of `event_id`, or nullopt.
  virtual absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) = 0;
  // The sealed private part of the event at `position` (column family
  // `private`), and the wrapped data key of a party (`keys`); nullopt when
  // there is none (never sealed, erased, or a ledger of format 1).
  virtual absl::StatusOr<std::optional<std::string>> GetSealedPart(uint64_t position) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetPartyKey(absl::string_view party_id) = 0;
  // Events from `from` (inclusive) up to the head, in order, until `fn`
  // returns false. Checks that positions are dense (DATA_LOSS otherwise).
  virtual absl::Status ScanEvents(uint64_t from,
                                  const std::function<bool(const StoredEvent&)>& fn) = 0;

  // The Merkle tree's rows (the merkle column family, ledger/FORMAT.md) at
  // this view's snapshot; nullptr when the ledger keeps none (a copy written
  // before the tree existed, opened read-only): the tree is then computed
  // from the records (ledger/projections/tree_index.h).
  virtual RowReader* tree_rows() { return nullptr; }
};

}  // namespace ledger

#endif  // LEDGER_STORAGE_READ_VIEW_H_
