#include "tests/testing/tamper.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/crypto/keyring.h"
#include "ledger/domain/decide.h"
#include "ledger/hash.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/projections/lookup.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"
#include "ledger/storage/database.h"
#include "ledger/storage/records.h"
#include "ledger/storage/rows.h"
#include "ledger/storage/snapshot_view.h"
#include "ledger/writer/requests.h"
#include "rocksdb/write_batch.h"

namespace ledger::testing {
namespace {

absl::Status Rocks(const rocksdb::Status& s) { return FromRocks(s, "tampering"); }

// Deletes every row of one column family.
absl::Status Clear(Database& db, const char* cf) {
  rocksdb::DB* raw = db.raw_for_testing();
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), db.cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) wb.Delete(db.cf(cf), it->key());
  RETURN_IF_ERROR(Rocks(it->status()));
  return Rocks(raw->Write(rocksdb::WriteOptions(), &wb));
}

// Step 1: the edited record and the chain after it; the id entry; the head.
absl::Status RewriteRecords(Database& db, const Keyring& keyring, const std::string& ledger_id,
                            uint64_t target, const std::function<void(v1::EventPayload&)>& edit) {
  rocksdb::DB* raw = db.raw_for_testing();
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), db.cf(kEventsCf)));
  std::string prev;
  uint64_t last = 0;
  for (it->Seek(EventKey(target)); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(const uint64_t position, DecodeEventKey(it->key().ToString()));
    ASSIGN_OR_RETURN(EventRecord record, DecodeEventRecord(it->value().ToString()));
    if (position == target) {
      v1::EventPayload payload;
      if (!payload.ParseFromString(record.payload)) return absl::DataLossError("payload");
      edit(payload);
      record.payload = SerializeDeterministic(payload);
      // The id entry's digest is of what the client would have sent.
      v1::EventInput input;
      input.set_event_id(payload.event_id());
      input.set_occurred_on(payload.occurred_on());
      input.set_memo(payload.memo());
      *input.mutable_body() = payload.body();
      wb.Put(db.cf(kIdsCf), payload.event_id(),
             EncodeIdEntry(position, ContentDigest(keyring, input)));
      prev = record.prev_hash;
    }
    record.prev_hash = prev;
    record.hash = ChainHash(ledger_id, position, prev, record.payload);
    wb.Put(db.cf(kEventsCf), it->key(),
           EncodeEventRecord(record.prev_hash, record.hash, record.payload));
    prev = record.hash;
    last = position;
  }
  RETURN_IF_ERROR(Rocks(it->status()));
  wb.Put(db.cf(kMetaCf), kMetaHead, EncodeHead(last, prev));
  return Rocks(raw->Write(rocksdb::WriteOptions(), &wb));
}

// Step 2: every projection row and the tree, rebuilt from the new records.
absl::Status RebuildIndexes(Database& db, const LedgerIdentity& identity) {
  RETURN_IF_ERROR(Clear(db, kStateCf));
  RETURN_IF_ERROR(Clear(db, kMerkleCf));
  std::unique_ptr<ReadView> view = NewSnapshotView(db, identity);
  ReadViewLookup lookup(*view);
  MemoryState rows;
  TreeAppender tree{merkle::CompactRange()};
  absl::Status failed;
  RETURN_IF_ERROR(view->ScanEvents(1, [&](const StoredEvent& e) {
    lookup.set_before(e.position);
    OverlayState overlay(&rows);
    RowBooks books(overlay);
    absl::StatusOr<Effects> effects =
        Decide(e.position, e.payload, books, lookup, EventChecks::kOnReplay);
    failed = effects.status();
    if (failed.ok()) {
      failed = IndexEvent(IndexedEvent{e.position, &e.payload, e.payload_bytes, e.hash, &*effects},
                          overlay);
    }
    if (!failed.ok()) return false;
    overlay.CommitToBase();
    tree.Append(e.Record());
    return true;
  }));
  RETURN_IF_ERROR(failed);
  rocksdb::WriteBatch wb;
  for (const auto& [key, value] : rows.rows()) wb.Put(db.cf(kStateCf), key, value);
  for (const auto& [key, hash] : tree.node_rows()) wb.Put(db.cf(kMerkleCf), key, hash);
  wb.Put(db.cf(kMerkleCf), TreeSizeKey(), EncodeBigEndian64(tree.range().size()));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return Rocks(db.raw_for_testing()->Write(wo, &wb));
}

}  // namespace

absl::Status RewriteHistoryForTest(const std::string& dir, absl::string_view event_id,
                                   const std::function<void(v1::EventPayload&)>& edit,
                                   RewriteOptions options) {
  if (options.private_key.size() != kDataKeySize) {
    return absl::InvalidArgumentError("the ledger's private key is needed (32 bytes)");
  }
  DatabaseOptions db_options;
  db_options.create_if_missing = false;
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(dir, db_options));
  LedgerIdentity identity;
  ASSIGN_OR_RETURN(std::optional<std::string> id, db->Get(kMetaCf, kMetaLedgerId));
  ASSIGN_OR_RETURN(std::optional<std::string> name, db->Get(kMetaCf, kMetaLedgerName));
  if (!id) return absl::NotFoundError(absl::StrCat("no ledger in ", dir));
  identity.id = *id;
  identity.name = name.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> entry, db->Get(kIdsCf, event_id));
  if (!entry) return absl::NotFoundError(absl::StrCat("no event ", event_id));
  ASSIGN_OR_RETURN(IdEntry at, DecodeIdEntry(*entry));
  const Keyring keyring(options.private_key);
  RETURN_IF_ERROR(RewriteRecords(*db, keyring, identity.id, at.position, edit));
  RETURN_IF_ERROR(RebuildIndexes(*db, identity));
  if (!options.keep_checkpoints) RETURN_IF_ERROR(Clear(*db, kCheckpointsCf));
  return absl::OkStatus();
}

}  // namespace ledger::testing
