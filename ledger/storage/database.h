// Database: the RocksDB database that holds one ledger, with its column
// families registered by name (layout: ledger/FORMAT.md).
//
// The one place that opens RocksDB, chooses its options (a synced,
// append-only log: WAL damage anywhere but a torn tail refuses to open
// rather than drop acknowledged commits), converts rocksdb::Status to
// absl::Status, and takes backups. Nothing here knows events or rows.
//
// Thread-safety: every method may be called from any thread (RocksDB's own
// guarantees); the writer is the only one writing.
#ifndef LEDGER_STORAGE_DATABASE_H_
#define LEDGER_STORAGE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/backup_engine.h"

namespace ledger {

// The column families of a ledger, by name.
inline constexpr char kEventsCf[] = "events";
inline constexpr char kIdsCf[] = "ids";
inline constexpr char kStateCf[] = "state";
inline constexpr char kMetaCf[] = "meta";
// Added with the verifiable log (ledger/FORMAT.md). A ledger written before
// them lacks them: opened read-write it gets them (empty; the EventLog then
// builds the tree from the records), opened read-only it goes without.
inline constexpr char kMerkleCf[] = "merkle";
inline constexpr char kCheckpointsCf[] = "checkpoints";
// Format 2 and later: sealed private parts and the data keys of parties.
inline constexpr char kPrivateCf[] = "private";
inline constexpr char kKeysCf[] = "keys";

// The absl::Status for a RocksDB status, "<what>: <rocksdb's words>":
// corruption DATA_LOSS, not found NOT_FOUND, no space RESOURCE_EXHAUSTED,
// invalid argument INVALID_ARGUMENT, anything else UNAVAILABLE.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

struct DatabaseOptions {
  // Open read-only (no lock taken; for audits of a copy or a backup).
  bool read_only = false;
  // Create the database (and its column families) if the directory holds none.
  bool create_if_missing = true;
  // RocksDB environment (tests inject faults). Not owned; nullptr = default.
  rocksdb::Env* env = nullptr;
};

class Database {
 public:
  // Opens the database in `dir`: FAILED_PRECONDITION when the directory is
  // locked by another process, is not a directory, or holds something that
  // is not a ledger; NOT_FOUND when it holds none and creating is off;
  // DATA_LOSS when it is damaged (naming the WAL files when the WAL is).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& dir,
                                                        const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // REQUIRES: `name` is one of the column families above, and has_cf(name).
  rocksdb::ColumnFamilyHandle* cf(absl::string_view name) const;
  // False only for an added family in a ledger opened read-only that was
  // written before it existed.
  bool has_cf(absl::string_view name) const;

  // One key; nullopt if absent (or the family is absent). `snapshot` may be
  // nullptr (latest).
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view cf_name, absl::string_view key,
                                                 const rocksdb::Snapshot* snapshot = nullptr) const;
  std::unique_ptr<rocksdb::Iterator> NewIterator(absl::string_view cf_name,
                                                 const rocksdb::ReadOptions& options) const;
  // Writes `batch` atomically; with `sync`, after the WAL is synced.
  rocksdb::Status Write(rocksdb::WriteBatch& batch, bool sync);

  // The sequence number of the last write.
  uint64_t LatestSequence() const;
  // A RocksDB integer property ("rocksdb.estimate-pending-compaction-bytes",
  // ...) summed over the column families; nullopt if RocksDB has no such.
  std::optional<uint64_t> IntProperty(const std::string& name) const;
  // Makes values deleted by writes up to sequence `deleted_at` leave every
  // live file: flushes every family (so the WAL files that held them are
  // deleted) and compacts `cfs` through their bottom level. False, and
  // nothing done, while a snapshot older than the deletion is open (it
  // would keep them); retry once it is released.
  absl::StatusOr<bool> Scrub(const std::vector<std::string>& cfs, uint64_t deleted_at);

  const rocksdb::Snapshot* GetSnapshot() const;
  void ReleaseSnapshot(const rocksdb::Snapshot* snapshot) const;

  // A new backup of the whole database into `engine`, consistent at one
  // commit, with `metadata` kept beside it.
  // Errors read "<what>: <rocksdb's words>".
  absl::Status BackupInto(rocksdb::BackupEngine& engine, const std::string& metadata,
                          rocksdb::BackupID* id, absl::string_view what);

  const std::string& dir() const { return dir_; }
  bool read_only() const { return options_.read_only; }

  // The RocksDB handle itself, for tests and benchmarks that inspect or
  // damage the files on purpose. Never used by the ledger.
  rocksdb::DB* raw_for_testing() const { return db_.get(); }

 private:
  Database(std::string dir, const DatabaseOptions& options);
  absl::Status OpenRocks();

  const std::string dir_;
  const DatabaseOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; deleted before db_
  std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> by_name_;
};

}  // namespace ledger

#endif  // LEDGER_STORAGE_DATABASE_H_
