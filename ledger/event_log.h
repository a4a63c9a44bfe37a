// EventLog: the ledger's append-only event log and its projections, kept in
// one RocksDB database (layout: ledger/FORMAT.md).
//
// Writes. One writer thread orders every append. Append requests wait in a
// bounded queue (full -> RESOURCE_EXHAUSTED); the writer takes every request
// waiting at once (group commit), checks each one against the state that the
// earlier ones leave, and commits all accepted ones in a single WriteBatch with
// a single WAL sync. Each request is atomic: all of its events are accepted or
// none is. A request is answered only after its batch is durable.
//
// Reads. A ReadView reads at a RocksDB snapshot, so everything it returns is
// consistent at one position (its head). Reads never block the writer.
//
// Thread-safety: every public method may be called from any thread.
// Memory: nothing here holds events in memory beyond one group commit.
#ifndef LEDGER_EVENT_LOG_H_
#define LEDGER_EVENT_LOG_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
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
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/civil_date.h"
#include "ledger/limits.h"
#include "ledger/rules.h"
#include "rocksdb/db.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

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
};

// The outcome of one accepted append.
struct AppendResult {
  std::vector<uint64_t> positions;  // per event of the request
  uint64_t head_position = 0;
  std::string head_hash;
  bool deduplicated = false;        // every event had been recorded before
};

using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;

// Counters since open.
struct EventLogStats {
  uint64_t commits = 0;        // WriteBatches written
  uint64_t syncs = 0;          // of which synced
  uint64_t events = 0;         // events written
  uint64_t requests = 0;       // append requests answered
  uint64_t max_group_requests = 0;  // most requests in one commit
  // CPU time of the writer thread building and writing group commits (the
  // sync's wait is not CPU), nanoseconds.
  uint64_t writer_cpu_ns = 0;
};

// An event decoded from the log, with its stored bytes.
struct StoredEvent {
  uint64_t position = 0;
  std::string prev_hash;
  std::string hash;
  std::string payload_bytes;   // exactly as stored (and hashed)
  v1::EventPayload payload;
};

// A consistent, read-only view at one position.
class ReadView {
 public:
  virtual ~ReadView() = default;
  virtual uint64_t head_position() const = 0;
  virtual const std::string& head_hash() const = 0;
  virtual const std::string& ledger_id() const = 0;
  virtual const std::string& ledger_name() const = 0;

  // One state row (see ledger/state.h for keys); nullopt if absent.
  virtual absl::StatusOr<std::optional<std::string>> GetState(absl::string_view key) = 0;
  // Every state row whose key starts with `prefix`, in key order. Stops
  // early (returning OK) when `fn` returns false.
  virtual absl::Status ScanState(
      absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>& fn) = 0;

  // Like ScanState, but starting at the first key >= `start` (which should
  // itself start with `prefix`). The default skips keys before `start`.
  virtual absl::Status ScanStateFrom(
      absl::string_view prefix, absl::string_view start,
      const std::function<bool(absl::string_view key, absl::string_view value)>& fn) {
    return ScanState(prefix, [&](absl::string_view key, absl::string_view value) {
      return key < start ? true : fn(key, value);
    });
  }

  // The event at `position` (NOT_FOUND beyond the head).
  virtual absl::StatusOr<StoredEvent> GetEvent(uint64_t position) = 0;
  // The position of `event_id`, or nullopt.
  virtual absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) = 0;
  // Events from `from` (inclusive) up to the head, in order, until `fn`
  // returns false. Checks that positions are dense.
  virtual absl::Status ScanEvents(uint64_t from,
                                  const std::function<bool(const StoredEvent&)>& fn) = 0;

  // The API form of an event (decoded payload + envelope + reversal mark).
  absl::StatusOr<v1::Event> GetApiEvent(uint64_t position);
  absl::StatusOr<v1::Event> ToApiEvent(const StoredEvent& stored);

  // Typed state access.
  template <typename M>
  absl::StatusOr<std::optional<M>> Load(absl::string_view key) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, GetState(key));
    if (!raw) return std::optional<M>();
    M m;
    if (!m.ParseFromString(*raw)) {
      return absl::DataLossError(absl::StrCat("state row \"", key, "\" cannot be decoded"));
    }
    return std::optional<M>(std::move(m));
  }
};

// Finds reversal targets among the events of a ReadView. With
// set_before(p), events at position p or later are invisible (a replay at p).
class ReadViewLookup : public EventLookup {
 public:
  explicit ReadViewLookup(ReadView& view) : view_(view) {}
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override;
  void set_before(uint64_t position) { before_ = position; }

 private:
  ReadView& view_;
  uint64_t before_ = UINT64_MAX;
};

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
  std::unique_ptr<ReadView> NewReadView();

  // The committed head.
  uint64_t head_position() const;
  std::string head_hash() const;
  const std::string& ledger_id() const { return ledger_id_; }
  const std::string& ledger_name() const { return ledger_name_; }
  Clock* clock() const { return clock_; }
  bool read_only() const { return options_.read_only; }

  // Waits until the head is beyond `position`, `deadline` passes, or the log
  // shuts down. Returns the head then.
  uint64_t WaitForHeadBeyond(uint64_t position, absl::Time deadline);

  // Wakes every waiter and refuses new appends (UNAVAILABLE); used when the
  // server stops.
  void Shutdown();
  bool shutting_down() const;

  EventLogStats stats() const;

  // OK while the last commit that tried to write succeeded (or none has
  // tried); else that commit's error (UNAVAILABLE, reason STORAGE). After a
  // full disk RocksDB recovers by itself and the next commit clears it; after
  // another I/O error RocksDB refuses every write until the ledger is opened
  // again, and this stays set (ledgerd reports it through gRPC health).
  absl::Status last_write_status() const;

  // The underlying database, for tools that inspect it (tests, benchmarks).
  rocksdb::DB* db() const { return db_.get(); }
  // "events", "ids", "state" or "meta"; nullptr for any other name.
  rocksdb::ColumnFamilyHandle* column_family(absl::string_view name) const;

  // Internal: one group commit being built (event_log.cc).
  class Batch;

 private:
  struct Pending {
    v1::AppendRequest request;
    std::string actor;
    AppendCallback done;
  };

  EventLog(const std::string& dir, const EventLogOptions& options);
  absl::Status OpenDb();
  absl::Status LoadOrCreate();
  void WriterLoop();
  void CommitGroup(std::vector<Pending>& group);

  const std::string dir_;
  const EventLogOptions options_;
  Clock* const clock_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; deleted before db_
  rocksdb::ColumnFamilyHandle* events_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  std::string ledger_id_;
  std::string ledger_name_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // signalled on queue, head and stop changes
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t head_position_ ABSL_GUARDED_BY(mu_) = 0;
  std::string head_hash_ ABSL_GUARDED_BY(mu_);
  EventLogStats stats_ ABSL_GUARDED_BY(mu_);
  absl::Status last_write_status_ ABSL_GUARDED_BY(mu_);
  std::thread writer_;

  friend class EventLogReadView;
};

// The 32-character id of a new ledger (random).
std::string NewLedgerId();

}  // namespace ledger

#endif  // LEDGER_EVENT_LOG_H_
