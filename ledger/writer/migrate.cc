// Migration: a ledger of an older format rewritten into a new one
// (`ledgerctl migrate --from OLD --to NEW`).
//
// The new ledger has a new id and its own chain. Its genesis names the old
// ledger, its format and the head it had (id, position and hash), so a head
// written down before the migration can still be checked against the old
// chain. Every later event is recorded again at the same position with the
// same event id, dates, recorded_at and actor: split into its public part
// and its private details (sealed), decided by the rules of recording order
// (EventChecks::kOnReplay, as a rebuild does), hashed and indexed. The
// idempotency entry of each event is the keyed digest of what its client
// sent, so a retry of an old request after the migration is still
// recognised.
//
// The whole rewrite is refused if the old chain does not verify; the new
// ledger is marked "migrating" until its last event is written, and a ledger
// left so by a crash is refused on open.
#include "absl/strings/str_cat.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/status_macros.h"
#include "ledger/storage/records.h"
#include "ledger/writer/batch.h"
#include "ledger/writer/event_log.h"
#include "ledger/writer/private_writes.h"
#include "ledger/writer/requests.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

// Events are copied this many per WriteBatch.
constexpr uint64_t kMigrateChunk = 2000;

class BatchLookup : public EventLookup {
 public:
  explicit BatchLookup(const CommitBatch& batch) : batch_(batch) {}
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override {
    return batch_.FindEvent(event_id);
  }

 private:
  const CommitBatch& batch_;
};

// What the event's client sent: the EventInput its payload was made from.
v1::EventInput InputOf(const v1::EventPayload& payload) {
  v1::EventInput in;
  in.set_event_id(payload.event_id());
  in.set_occurred_on(payload.occurred_on());
  in.set_memo(payload.memo());
  *in.mutable_body() = payload.body();
  return in;
}

absl::Status Refused(absl::string_view message) {
  return Refusal(absl::StatusCode::kFailedPrecondition, kReasonFormat, message);
}

}  // namespace

absl::Status EventLog::NoteMigratedFrom(v1::EventPayload& genesis) const {
  const EventLog& old = *options_.migrate_from;
  if (old.schema_version() != kSchemaVersionPublicRecords) {
    return Refused(absl::StrCat("the ledger to migrate has format ", old.schema_version(),
                                "; only format ", kSchemaVersionPublicRecords,
                                " is migrated (this build writes format ", kSchemaVersion, ")"));
  }
  auto view = old.NewReadView();
  ASSIGN_OR_RETURN(StoredEvent first, view->GetEvent(1));
  genesis.set_recorded_at_us(first.payload.recorded_at_us());
  genesis.set_occurred_on(first.payload.occurred_on());
  auto* opened = genesis.mutable_body()->mutable_ledger_opened();
  opened->set_name(view->ledger_name());
  auto* from = opened->mutable_migrated_from();
  from->set_ledger_id(view->ledger_id());
  from->set_head_position(view->head_position());
  from->set_head_hash(view->head_hash());
  from->set_schema_version(old.schema_version());
  return absl::OkStatus();
}

absl::Status EventLog::CopyEventsFrom(const EventLog& old) {
  auto view = old.NewReadView();
  // The old chain must verify before anything of it is trusted.
  std::string prev = ZeroHash();
  absl::Status broken;
  RETURN_IF_ERROR(view->ScanEvents(1, [&](const StoredEvent& e) {
    if (e.prev_hash != prev ||
        e.hash != ChainHash(view->ledger_id(), e.position, prev, e.payload_bytes)) {
      broken = Refusal(absl::StatusCode::kDataLoss, kReasonFormat,
                       absl::StrCat("the ledger to migrate does not verify at position ",
                                    e.position, ": nothing was migrated"));
      return false;
    }
    prev = e.hash;
    return true;
  }));
  RETURN_IF_ERROR(broken);

  const uint64_t last = view->head_position();
  LedgerKeys keys = Keys();
  uint64_t from = 2;
  while (from <= last) {
    uint64_t head;
    std::string hash;
    {
      MutexLock lock(&mu_);
      head = head_position_;
      hash = head_hash_;
    }
    // The tree moves into the batch and back once it is written.
    CommitBatch batch(db_.get(), head, hash, std::move(*tree_));
    tree_.reset();
    PrivateWrites privacy(*keyring_, identity_.id, batch);
    BatchLookup lookup(batch);
    std::vector<CommitBatch::NewEvent> chunk;
    absl::Status inner;
    uint64_t position = head;
    std::string prev_hash = hash;
    const uint64_t to = std::min(last, from + kMigrateChunk - 1);
    RETURN_IF_ERROR(view->ScanEvents(from, [&](const StoredEvent& e) {
      if (e.position > to) return false;
      absl::StatusOr<CommitBatch::NewEvent> fresh = RecordEvent(
          ++position, prev_hash, e.payload, EventChecks::kOnReplay, keys, batch, lookup, privacy);
      if (!fresh.ok()) {
        inner = Refusal(absl::StatusCode::kFailedPrecondition, kReasonFormat,
                        absl::StrCat("migrating the event at position ", e.position, " (",
                                     e.payload.event_id(), "): ", fresh.status().message()));
        return false;
      }
      fresh->digest = ContentDigest(*keyring_, InputOf(e.payload));
      prev_hash = fresh->hash;
      std::vector<CommitBatch::NewEvent> one;
      one.push_back(*std::move(fresh));
      batch.AddEvents(std::move(one));  // later events of the chunk see it
      return true;
    }));
    RETURN_IF_ERROR(inner);
    privacy.Commit();
    rocksdb::WriteBatch wb = batch.ToWriteBatch();
    RETURN_IF_ERROR(FromRocks(db_->Write(wb, /*sync=*/to == last), "writing the migrated events"));
    tree_ = batch.TakeTree();
    MutexLock lock(&mu_);
    head_position_ = batch.head_position();
    head_hash_ = batch.head_hash();
    from = to + 1;
  }
  return absl::OkStatus();
}

}  // namespace ledger
