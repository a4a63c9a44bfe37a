#include "ledger/writer/batch.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/hash.h"
#include "ledger/storage/records.h"
#include "ledger/storage/snapshot_view.h"

namespace ledger {

absl::StatusOr<std::optional<std::string>> CommitBatch::Get(absl::string_view key) {
  auto it = changes_.find(key);
  if (it != changes_.end()) return std::optional<std::string>(it->second);
  return db_->Get(kStateCf, key);
}

void CommitBatch::Put(absl::string_view key, std::string value) {
  auto it = changes_.find(key);
  if (it != changes_.end()) {
    it->second = std::move(value);
  } else {
    changes_.emplace(std::string(key), std::move(value));
  }
}

absl::Status CommitBatch::ScanFrom(absl::string_view prefix, absl::string_view start,
                                   const RowFn& fn) {
  return ScanMerged(
      changes_,
      [this](absl::string_view p, absl::string_view from, const RowFn& f) -> absl::Status {
        std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(kStateCf, rocksdb::ReadOptions());
        for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
          const absl::string_view key(it->key().data(), it->key().size());
          if (!absl::StartsWith(key, p)) break;
          if (!f(key, absl::string_view(it->value().data(), it->value().size()))) break;
        }
        return FromRocks(it->status(), "scanning state");
      },
      prefix, start, fn);
}

absl::StatusOr<std::optional<CommitBatch::IdAt>> CommitBatch::FindId(
    absl::string_view event_id) const {
  auto it = ids_.find(event_id);
  if (it != ids_.end()) {
    const NewEvent& e = events_[it->second];
    return std::optional<IdAt>(IdAt{e.position, e.digest});
  }
  ASSIGN_OR_RETURN(std::optional<std::string> value, db_->Get(kIdsCf, event_id));
  if (!value) return std::optional<IdAt>();
  ASSIGN_OR_RETURN(IdEntry entry, DecodeIdEntry(*value));
  return std::optional<IdAt>(IdAt{entry.position, std::move(entry.digest)});
}

absl::StatusOr<std::optional<LoggedEvent>> CommitBatch::FindEvent(
    absl::string_view event_id) const {
  auto it = ids_.find(event_id);
  if (it != ids_.end()) {
    const NewEvent& e = events_[it->second];
    return std::optional<LoggedEvent>(LoggedEvent{e.position, e.payload});
  }
  ASSIGN_OR_RETURN(std::optional<IdAt> found, FindId(event_id));
  if (!found) return std::optional<LoggedEvent>();
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_->Get(kEventsCf, EventKey(found->position)));
  if (!value) {
    return absl::DataLossError(absl::StrCat("event at position ", found->position,
                                            " is in the id index but not in the log"));
  }
  ASSIGN_OR_RETURN(StoredEvent stored, DecodeStoredEvent(found->position, *value));
  return std::optional<LoggedEvent>(LoggedEvent{stored.position, std::move(stored.payload)});
}

void CommitBatch::AddEvents(std::vector<NewEvent>&& events) {
  for (NewEvent& e : events) {
    // Positions are dense and each event chains to the one before it.
    LEDGER_CHECK(e.position == head_position_ + 1);
    LEDGER_CHECK(e.prev_hash == head_hash_);
    head_position_ = e.position;
    head_hash_ = e.hash;
    e.record = EncodeEventRecord(e.prev_hash, e.hash, e.payload_bytes);
    tree_.Append(e.record);
    // Idempotency found every id recorded before: a new event's id is new
    // to the batch too (else the ids CF would name two positions for it).
    const bool new_id = ids_.emplace(e.payload.event_id(), events_.size()).second;
    LEDGER_CHECK(new_id);
    events_.push_back(std::move(e));
  }
}

absl::StatusOr<std::optional<std::string>> CommitBatch::GetAux(absl::string_view cf,
                                                               absl::string_view key) const {
  auto family = aux_.find(cf);
  if (family != aux_.end()) {
    auto it = family->second.find(key);
    if (it != family->second.end()) return it->second;
  }
  return db_->Get(cf, key);
}

void CommitBatch::PutAux(absl::string_view cf, absl::string_view key, std::string value) {
  aux_[std::string(cf)][std::string(key)] = std::move(value);
}

bool CommitBatch::deletes_aux() const {
  for (const auto& [cf, changes] : aux_) {
    for (const auto& [key, value] : changes) {
      if (!value) return true;
    }
  }
  return false;
}

void CommitBatch::DeleteAux(absl::string_view cf, absl::string_view key) {
  aux_[std::string(cf)][std::string(key)] = std::nullopt;
}

rocksdb::WriteBatch CommitBatch::ToWriteBatch() const {
  LEDGER_CHECK(!events_.empty());
  // The head written is the last event's.
  LEDGER_CHECK(events_.back().position == head_position_ && events_.back().hash == head_hash_);
  rocksdb::WriteBatch wb;
  for (const NewEvent& e : events_) {
    // Check before writing: the record decodes back to what was decided.
    absl::StatusOr<EventRecord> back = DecodeEventRecord(e.record);
    LEDGER_CHECK(back.ok() && back->payload == e.payload_bytes && back->hash == e.hash);
    wb.Put(db_->cf(kEventsCf), EventKey(e.position), e.record);
    wb.Put(db_->cf(kIdsCf), e.payload.event_id(), EncodeIdEntry(e.position, e.digest));
  }
  for (const auto& [key, value] : changes_) wb.Put(db_->cf(kStateCf), key, value);
  // The tree has exactly one leaf per event.
  LEDGER_CHECK(tree_.range().size() == head_position_);
  rocksdb::ColumnFamilyHandle* merkle = db_->cf(kMerkleCf);
  for (const auto& [key, hash] : tree_.node_rows()) wb.Put(merkle, key, hash);
  wb.Put(merkle, TreeSizeKey(), EncodeBigEndian64(head_position_));
  for (const auto& [cf, changes] : aux_) {
    for (const auto& [key, value] : changes) {
      if (value) {
        wb.Put(db_->cf(cf), key, *value);
      } else {
        wb.Delete(db_->cf(cf), key);
      }
    }
  }
  wb.Put(db_->cf(kMetaCf), kMetaHead, EncodeHead(head_position_, head_hash_));
  return wb;
}

}  // namespace ledger
