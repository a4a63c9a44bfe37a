// EventLog: the ledger's append-only event log and its indexes, kept in one
// RocksDB database (layout: ledger/FORMAT.md).
//
// Writes. One writer thread orders every append. Append requests wait in a
// bounded queue (full -> RESOURCE_EXHAUSTED); the writer takes every request
// waiting at once (group commit), checks each one against the state that the
// earlier ones leave (ledger/writer/requests.h), and commits all accepted
// ones in a single WriteBatch with a single WAL sync: the event records, their
// id entries, every index row (ledger/projections/indexer.h) and the new
// head. Each request is atomic: all of its events are accepted or none is. A
// request is answered only after its batch is durable; then every commit
// listener is told.
//
// Reads. A ReadView reads at a RocksDB snapshot, so everything it returns is
// consistent at one position (its head). Reads never block the writer.
//
// Thread-safety: every public method may be called from any thread.
// Memory: nothing here holds events in memory beyond one group commit.
#ifndef LEDGER_WRITER_EVENT_LOG_H_
#define LEDGER_WRITER_EVENT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/crypto/keyring.h"
#include "ledger/domain/civil_date.h"
#include "ledger/limits.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/storage/database.h"
#include "ledger/storage/read_view.h"
#include "ledger/storage/snapshot_view.h"
#include "ledger/sync.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

struct LedgerKeys;  // ledger/writer/requests.h
class EventLog;
class CommitBatch;

// How to open a ledger (Abseil tip #173: an options struct).
struct EventLogOptions {
  // Create the ledger (with its genesis event) if the directory holds none.
  bool create_if_missing = true;
  // Name written into the genesis event of a new ledger.
  std::string ledger_name = "Solidarity Ledger";
  // Open read-only (no writer; for offline audits of a copy or backup). A
  // read-only open does not take the directory lock.
  bool read_only = false;
  // Sync the WAL before answering an append. Turn off only for bulk imports.
  bool sync = true;
  // Append requests that may wait for the writer.
  size_t max_queued_appends = kDefaultMaxQueuedAppends;
  // Events in one group commit.
  size_t max_events_per_group = kMaxEventsPerGroupCommit;
  // The clock for recorded_at and arrears. Not owned; nullptr = real clock.
  Clock* clock = nullptr;
  // RocksDB environment (tests inject faults). Not owned; nullptr = default.
  rocksdb::Env* env = nullptr;
  // The ledger's key-encryption key (32 bytes, from its key file: ReadKeyFile
  // in ledger/crypto/keyring.h). Required to write; a read-only open without
  // it reads the public parts only (private details withheld).
  std::string private_key;
  // Creating a new ledger only: rewrite this older-format ledger into it
  // (`ledgerctl migrate`; ledger/writer/migrate.cc). Not owned; opened
  // read-only by the caller.
  const EventLog* migrate_from = nullptr;
  // Creating a new ledger only: its first member (an admin) and that
  // member's first token, written into the genesis event
  // (LedgerOpened.founder, founder_token). Unset: a ledger without members
  // (tests and tools that need none).
  std::optional<v1::MemberAdded> founder;
  std::optional<v1::TokenIssued> founder_token;
  // The approval policy a new ledger starts with (LedgerOpened.
  // approval_policy); unset: the default, one approval per disbursement.
  std::optional<v1::ApprovalPolicySet> approval_policy;
};

// The outcome of one accepted append.
struct AppendResult {
  std::vector<uint64_t> positions;  // per event of the request
  uint64_t head_position = 0;
  std::string head_hash;
  bool deduplicated = false;  // every event had been recorded before
};

using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;

// Counters since open.
struct EventLogStats {
  uint64_t commits = 0;             // WriteBatches written
  uint64_t syncs = 0;               // of which synced
  uint64_t events = 0;              // events written
  uint64_t requests = 0;            // append requests answered
  uint64_t max_group_requests = 0;  // most requests in one commit
  // CPU time of the writer thread building and writing group commits (the
  // sync's wait is not CPU), nanoseconds.
  uint64_t writer_cpu_ns = 0;
};

// What a commit listener is told after each group commit that tried to
// write: the head after it, how many events it added, and whether the write
// succeeded (not OK: nothing was written; see last_write_status()).
struct CommitInfo {
  uint64_t head_position = 0;
  std::string head_hash;
  uint64_t events = 0;
  absl::Status write_status;
  // Append requests in the group (accepted or refused) and the time from
  // taking the group to knowing its outcome (validation, write, sync),
  // microseconds of a monotonic clock.
  uint64_t requests = 0;
  uint64_t duration_us = 0;
};

// Called on the writer thread after each commit, in order. Must be quick
// and must not call back into the log's writer (a listener that has work to
// do hands it to a thread of its own).
using CommitListener = std::function<void(const CommitInfo&)>;

class EventLog {
 public:
  // Opens (or creates) the ledger in `dir`. Fails with FAILED_PRECONDITION
  // when the directory is locked by another process or holds something that is
  // not a ledger, DATA_LOSS when it is damaged.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(const std::string& dir,
                                                        const EventLogOptions& options);

  // Stops the writer (answering queued requests with UNAVAILABLE) and closes
  // the database.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues an append; `done` runs on the writer thread once the outcome is
  // known (after the sync). Keep `done` short. `actor` names the caller.
  // REQUIRES: not read-only.
  void AppendAsync(v1::AppendRequest request, std::string actor, AppendCallback done);

  // Blocking form of AppendAsync.
  absl::StatusOr<AppendResult> Append(const v1::AppendRequest& request,
                                      absl::string_view actor = "");

  // A snapshot view of the current state.
  std::unique_ptr<ReadView> NewReadView() const;

  // The committed head.
  uint64_t head_position() const;
  std::string head_hash() const;
  const std::string& ledger_id() const { return identity_.id; }
  const std::string& ledger_name() const { return identity_.name; }
  Clock* clock() const { return clock_; }
  // The keys of the private store; nullptr when opened without a key.
  const Keyring* keyring() const { return keyring_ ? &*keyring_ : nullptr; }
  // The ledger's format (meta "schema_version"): "2", or "1" for a ledger
  // from before private details were kept apart (read-only; migrate it).
  const std::string& schema_version() const { return schema_version_; }
  bool read_only() const { return options_.read_only; }

  // Registers `listener`; returns an id for RemoveCommitListener. Listeners
  // added while a commit is being told are told from the next one on.
  uint64_t AddCommitListener(CommitListener listener);
  // After this returns the listener is never called again.
  void RemoveCommitListener(uint64_t id);

  // Wakes every waiter and refuses new appends (UNAVAILABLE); used when the
  // server stops.
  void Shutdown();
  bool shutting_down() const;

  EventLogStats stats() const;
  // Append requests waiting for the writer now.
  size_t queued_requests() const;

  // Events the Merkle tree was built over when this open found a ledger
  // written before the tree (or a tree left behind by a crash); 0 otherwise.
  uint64_t tree_caught_up_at_open() const { return tree_caught_up_; }

  // OK while the last commit that tried to write succeeded (or none has
  // tried); else that commit's error (UNAVAILABLE, reason STORAGE). After a
  // full disk RocksDB recovers by itself and the next commit clears it; after
  // another I/O error RocksDB refuses every write until the ledger is opened
  // again, and this stays set (ledgerd reports it through gRPC health).
  absl::Status last_write_status() const;

  // The database, for backups (ledger/audit/backup.h) and for tests that
  // inspect the stored files.
  Database& database() const { return *db_; }

 private:
  struct Pending {
    v1::AppendRequest request;
    std::string actor;
    AppendCallback done;
  };

  EventLog(std::string dir, const EventLogOptions& options);
  absl::Status LoadOrCreate();
  absl::Status CheckFormat();
  absl::Status CreateGenesis();
  // Loads the tree's right edge and, read-write, builds what the stored
  // tree lacks from the records.
  absl::Status LoadTree();
  // Reads the tree at `head` back after a failed write.
  absl::Status ReloadTree(uint64_t head);
  // ledger/writer/migrate.cc: the genesis of a migrated ledger names the old
  // one; every later event of the old one is recorded again, in order.
  absl::Status NoteMigratedFrom(v1::EventPayload& genesis) const;
  absl::Status CopyEventsFrom(const EventLog& old);
  LedgerKeys Keys() const;
  void WriterLoop();
  // Waits for requests (or the stop) and takes the next group: every waiting
  // request, up to max_events_per_group events. Empty once stopping and
  // every request is answered.
  std::vector<Pending> TakeGroup() ABSL_LOCKS_EXCLUDED(mu_);
  void CommitGroup(std::vector<Pending>& group) ABSL_LOCKS_EXCLUDED(mu_, listeners_mu_);
  // Writes a group's batch: OK, or the refusal its requests are answered with.
  absl::Status Write(const CommitBatch& batch);
  void TellListeners(const CommitInfo& info) ABSL_LOCKS_EXCLUDED(listeners_mu_);
  // After an erasure: its deleted rows out of every live file (writer thread,
  // or Open). Retried while a reader's snapshot older than it is open.
  void ScrubErased() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string dir_;
  const EventLogOptions options_;
  Clock* const clock_;
  std::unique_ptr<Database> db_;
  LedgerIdentity identity_;
  std::optional<Keyring> keyring_;
  std::string schema_version_;

  // Guards the queue, the stop flag, the committed head and the counters.
  // Held only for short bookkeeping, never through a write or a callback.
  mutable Mutex mu_;
  std::condition_variable cv_;  // signalled on queue and stop changes; waited on with mu_
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t head_position_ ABSL_GUARDED_BY(mu_) = 0;
  std::string head_hash_ ABSL_GUARDED_BY(mu_);
  EventLogStats stats_ ABSL_GUARDED_BY(mu_);
  absl::Status last_write_status_ ABSL_GUARDED_BY(mu_);

  // Held while listeners are told (on the writer thread), so that a removed
  // listener is never called after RemoveCommitListener returns.
  Mutex listeners_mu_;
  std::vector<std::pair<uint64_t, CommitListener>> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  uint64_t next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;

  // The Merkle tree at the head: its right edge. Touched only at open and
  // by the writer thread. Empty after a failed write until read back.
  std::optional<merkle::CompactRange> tree_;
  uint64_t tree_caught_up_ = 0;
  // Writer thread only (and Open, before it starts): an erasure is committed
  // whose deleted rows may still be in a live file, deleted at this sequence.
  bool scrub_pending_ = false;
  uint64_t scrub_deleted_at_ = 0;

  std::thread writer_;
};

// The 32-character id of a new ledger (random).
std::string NewLedgerId();

}  // namespace ledger

#endif  // LEDGER_WRITER_EVENT_LOG_H_
