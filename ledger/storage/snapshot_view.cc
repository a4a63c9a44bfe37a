#include "ledger/storage/snapshot_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/storage/records.h"

namespace ledger {
namespace {

// The rows of one column family at a snapshot.
class FamilyRows final : public RowReader {
 public:
  FamilyRows(const Database& db, const char* cf, const rocksdb::Snapshot* snapshot)
      : db_(db), cf_(cf), snapshot_(snapshot) {}

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    return db_.Get(cf_, key, snapshot_);
  }

  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_;
    std::unique_ptr<rocksdb::Iterator> it = db_.NewIterator(cf_, options);
    const absl::string_view from = start < prefix ? prefix : start;
    for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, prefix)) break;
      if (!fn(key, absl::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status(), absl::StrCat("scanning ", cf_));
  }

 private:
  const Database& db_;
  const char* cf_;
  const rocksdb::Snapshot* snapshot_;
};

class SnapshotView final : public ReadView {
 public:
  SnapshotView(const Database& db, const LedgerIdentity& identity)
      : db_(db), identity_(identity), snapshot_(db.GetSnapshot()) {
    options_.snapshot = snapshot_;
    absl::StatusOr<std::optional<std::string>> head = db_.Get(kMetaCf, kMetaHead, snapshot_);
    if (head.ok() && *head) {
      absl::StatusOr<HeadEntry> h = DecodeHead(**head);
      if (h.ok()) {
        head_position_ = h->position;
        head_hash_ = h->hash;
      }
    }
  }
  ~SnapshotView() override { db_.ReleaseSnapshot(snapshot_); }

  RowReader* tree_rows() override {
    if (!db_.has_cf(kMerkleCf)) return nullptr;
    if (!tree_rows_) tree_rows_ = std::make_unique<FamilyRows>(db_, kMerkleCf, snapshot_);
    return tree_rows_.get();
  }

  uint64_t head_position() const override { return head_position_; }
  const std::string& head_hash() const override { return head_hash_; }
  const std::string& ledger_id() const override { return identity_.id; }
  const std::string& ledger_name() const override { return identity_.name; }

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    return db_.Get(kStateCf, key, snapshot_);
  }

  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override {
    std::unique_ptr<rocksdb::Iterator> it = db_.NewIterator(kStateCf, options_);
    const absl::string_view from = start < prefix ? prefix : start;
    for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, prefix)) break;
      if (!fn(key, absl::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status(), "scanning state");
  }

  absl::StatusOr<StoredEvent> GetEvent(uint64_t position) override {
    if (position == 0 || position > head_position_) {
      return absl::NotFoundError(
          absl::StrCat("no event at position ", position, " (head is ", head_position_, ")"));
    }
    ASSIGN_OR_RETURN(std::optional<std::string> value,
                     db_.Get(kEventsCf, EventKey(position), snapshot_));
    if (!value) {
      return absl::DataLossError(
          absl::StrCat("event at position ", position, " is missing from the log"));
    }
    return DecodeStoredEvent(position, *value);
  }

  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) override {
    ASSIGN_OR_RETURN(std::optional<std::string> value, db_.Get(kIdsCf, event_id, snapshot_));
    if (!value) return std::optional<uint64_t>();
    ASSIGN_OR_RETURN(IdEntry entry, DecodeIdEntry(*value));
    if (entry.position > head_position_) return std::optional<uint64_t>();
    return std::optional<uint64_t>(entry.position);
  }

  absl::StatusOr<std::optional<std::string>> GetSealedPart(uint64_t position) override {
    if (position == 0 || position > head_position_) return std::optional<std::string>();
    return db_.Get(kPrivateCf, EventKey(position), snapshot_);
  }

  absl::StatusOr<std::optional<std::string>> GetPartyKey(absl::string_view party_id) override {
    return db_.Get(kKeysCf, absl::StrCat("party/", party_id), snapshot_);
  }

  absl::Status ScanEvents(uint64_t from,
                          const std::function<bool(const StoredEvent&)>& fn) override {
    if (from == 0) from = 1;
    if (from > head_position_) return absl::OkStatus();
    rocksdb::ReadOptions options = options_;
    options.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it = db_.NewIterator(kEventsCf, options);
    uint64_t expected = from;
    for (it->Seek(EventKey(from)); it->Valid() && expected <= head_position_; it->Next()) {
      ASSIGN_OR_RETURN(uint64_t position,
                       DecodeEventKey(absl::string_view(it->key().data(), it->key().size())));
      if (position != expected) {
        return absl::DataLossError(
            absl::StrCat("the log has a gap: expected position ", expected, ", found ", position));
      }
      ASSIGN_OR_RETURN(
          StoredEvent e,
          DecodeStoredEvent(position, absl::string_view(it->value().data(), it->value().size())));
      if (!fn(e)) return absl::OkStatus();
      ++expected;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scanning events"));
    if (expected <= head_position_) {
      return absl::DataLossError(absl::StrCat("the log ends at position ", expected - 1,
                                              " but the head is ", head_position_));
    }
    return absl::OkStatus();
  }

 private:
  const Database& db_;
  const LedgerIdentity& identity_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
  uint64_t head_position_ = 0;
  std::string head_hash_;
  std::unique_ptr<FamilyRows> tree_rows_;
};

}  // namespace

std::unique_ptr<ReadView> NewSnapshotView(const Database& db, const LedgerIdentity& identity) {
  return std::make_unique<SnapshotView>(db, identity);
}

absl::StatusOr<StoredEvent> DecodeStoredEvent(uint64_t position, absl::string_view value) {
  absl::StatusOr<EventRecord> record = DecodeEventRecord(value);
  if (!record.ok()) {
    return absl::DataLossError(
        absl::StrCat("position ", position, ": ", record.status().message()));
  }
  StoredEvent e;
  e.position = position;
  e.prev_hash = std::move(record->prev_hash);
  e.hash = std::move(record->hash);
  e.payload_bytes = std::move(record->payload);
  if (!e.payload.ParseFromString(e.payload_bytes)) {
    return absl::DataLossError(absl::StrCat("position ", position, ": payload cannot be decoded"));
  }
  return e;
}

}  // namespace ledger
