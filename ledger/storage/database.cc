#include "ledger/storage/database.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;

// Every ledger has these; a directory without one of them is not a ledger.
constexpr const char* kLedgerColumnFamilies[] = {kEventsCf, kIdsCf, kStateCf, kMetaCf};
// Families added later (the verifiable log, the private store): created when
// a ledger that lacks them is opened read-write, left out when it is opened
// read-only.
constexpr const char* kAddedColumnFamilies[] = {kMerkleCf, kCheckpointsCf, kPrivateCf, kKeysCf};

rocksdb::DBOptions DbOptions(const DatabaseOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  // A new ledger gets every family; an existing one (checked to be a ledger
  // first) gets the families added since it was written.
  db.create_missing_column_families = !options.read_only;
  db.paranoid_checks = true;
  // Every acknowledged commit was synced to the WAL, so damage anywhere but
  // a torn record at its very end (a write that was never acknowledged)
  // means acknowledged events would be dropped by replaying up to it
  // (RocksDB's default, point-in-time recovery). Refuse to open instead:
  // Open fails with DATA_LOSS naming the WAL file, and the operator restores
  // a backup (docs/OPERATIONS.md).
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db.IncreaseParallelism(2);
  if (options.env != nullptr) db.env = options.env;
  return db;
}

// DATA_LOSS naming the live WAL files, when a corruption is not in a table
// or the manifest: RocksDB does not name the WAL file that failed its
// checksum.
std::optional<absl::Status> WalDamage(const rocksdb::Status& s, const std::string& dir) {
  if (!s.IsCorruption() || absl::StrContains(s.ToString(), ".sst") ||
      absl::StrContains(s.ToString(), "MANIFEST")) {
    return std::nullopt;
  }
  std::error_code ec;
  std::vector<std::string> wals;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".log") {
      wals.push_back(
          absl::StrCat(entry.path().filename().string(), " (", entry.file_size(ec), " bytes)"));
    }
  }
  if (wals.empty()) return std::nullopt;
  std::sort(wals.begin(), wals.end());
  return FromRocks(s, absl::StrCat("opening ", dir, " (replaying its write-ahead log ",
                                   absl::StrJoin(wals, ", "),
                                   "; the ledger will not drop the acknowledged commits after "
                                   "damaged WAL records: restore the latest backup, see "
                                   "docs/OPERATIONS.md)"));
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string text = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(text);
  if (s.IsNotFound()) return absl::NotFoundError(text);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(text);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(text);
  return absl::UnavailableError(text);
}

Database::Database(std::string dir, const DatabaseOptions& options)
    : dir_(std::move(dir)), options_(options) {}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& dir,
                                                         const DatabaseOptions& options) {
  std::unique_ptr<Database> db(new Database(dir, options));
  RETURN_IF_ERROR(db->OpenRocks());
  return db;
}

absl::Status Database::OpenRocks() {
  std::error_code ec;
  const bool exists = fs::exists(dir_, ec);
  const bool has_db = fs::exists(fs::path(dir_) / "CURRENT", ec);
  if (exists && !fs::is_directory(dir_, ec)) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                   absl::StrCat(dir_, " is not a directory"));
  }
  if (exists && !has_db && !fs::is_empty(dir_, ec)) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                   absl::StrCat(dir_, " is not a ledger data directory (it holds other files)"));
  }
  if (!has_db && (options_.read_only || !options_.create_if_missing)) {
    return absl::NotFoundError(absl::StrCat("no ledger in ", dir_));
  }
  const rocksdb::DBOptions db_options = DbOptions(options_);
  std::vector<std::string> names;
  if (has_db) {
    RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(db_options, dir_, &names),
                              absl::StrCat("reading ", dir_)));
    for (const char* want : kLedgerColumnFamilies) {
      if (std::find(names.begin(), names.end(), want) == names.end()) {
        return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                       absl::StrCat(dir_, " is a RocksDB database but not a ledger (no \"", want,
                                    "\" column family)"));
      }
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (const char* name : kLedgerColumnFamilies) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  for (const char* name : kAddedColumnFamilies) {
    // A read-only open cannot create one; an older ledger simply lacks it.
    const bool present = std::find(names.begin(), names.end(), name) != names.end();
    if (present || !options_.read_only) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options_.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_options, dir_, cfs, &handles_, &raw)
                          : rocksdb::DB::Open(db_options, dir_, cfs, &handles_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("data directory ", dir_,
                                  " is in use by another process (its LOCK is held)"));
    }
    if (std::optional<absl::Status> wal = WalDamage(s, dir_)) return *wal;
    return FromRocks(s, absl::StrCat("opening ", dir_));
  }
  db_.reset(raw);
  LEDGER_CHECK(handles_.size() == cfs.size());
  for (rocksdb::ColumnFamilyHandle* h : handles_) by_name_.emplace_back(h->GetName(), h);
  return absl::OkStatus();
}

Database::~Database() {
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (db_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_.clear();
  if (db_) db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* Database::cf(absl::string_view name) const {
  for (const auto& [n, h] : by_name_) {
    if (n == name) return h;
  }
  LEDGER_CHECK(false && "unknown column family");
  return nullptr;
}

bool Database::has_cf(absl::string_view name) const {
  for (const auto& [n, h] : by_name_) {
    if (n == name) return true;
  }
  return false;
}

absl::StatusOr<std::optional<std::string>> Database::Get(absl::string_view cf_name,
                                                         absl::string_view key,
                                                         const rocksdb::Snapshot* snapshot) const {
  if (!has_cf(cf_name)) return std::optional<std::string>();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::string value;
  rocksdb::Status s =
      db_->Get(options, cf(cf_name), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("reading ", cf_name)));
  return std::optional<std::string>(std::move(value));
}

std::unique_ptr<rocksdb::Iterator> Database::NewIterator(
    absl::string_view cf_name, const rocksdb::ReadOptions& options) const {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options, cf(cf_name)));
}

rocksdb::Status Database::Write(rocksdb::WriteBatch& batch, bool sync) {
  LEDGER_CHECK(!options_.read_only);
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return db_->Write(wo, &batch);
}

uint64_t Database::LatestSequence() const { return db_->GetLatestSequenceNumber(); }

std::optional<uint64_t> Database::IntProperty(const std::string& name) const {
  uint64_t value = 0;
  if (!db_->GetAggregatedIntProperty(name, &value)) return std::nullopt;
  return value;
}

absl::StatusOr<bool> Database::Scrub(const std::vector<std::string>& cfs, uint64_t deleted_at) {
  LEDGER_CHECK(!options_.read_only);
  // A snapshot taken before the deletion keeps the deleted values alive
  // through any compaction: report "not yet" and let the caller retry.
  uint64_t snapshots = 0, oldest = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kNumSnapshots, &snapshots);
  db_->GetIntProperty(rocksdb::DB::Properties::kOldestSnapshotSequence, &oldest);
  if (snapshots > 0 && oldest <= deleted_at) return false;
  // Every family flushed: the memtables hold no old value and no WAL file is
  // needed any more, so RocksDB deletes the WAL files that held them.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  RETURN_IF_ERROR(FromRocks(db_->Flush(flush, handles_), "flushing after an erasure"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = false;
  for (const std::string& name : cfs) {
    if (!has_cf(name)) continue;
    RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, cf(name), nullptr, nullptr),
                              absl::StrCat("compacting ", name, " after an erasure")));
  }
  return true;
}

const rocksdb::Snapshot* Database::GetSnapshot() const { return db_->GetSnapshot(); }

void Database::ReleaseSnapshot(const rocksdb::Snapshot* snapshot) const {
  db_->ReleaseSnapshot(snapshot);
}

absl::Status Database::BackupInto(rocksdb::BackupEngine& engine, const std::string& metadata,
                                  rocksdb::BackupID* id, absl::string_view what) {
  rocksdb::CreateBackupOptions options;
  // Flush the memtables first, so the backup is mostly table files that
  // later backups share; commits made meanwhile are in the copied WAL.
  options.flush_before_backup = true;
  return FromRocks(engine.CreateNewBackupWithMetadata(options, db_.get(), metadata, id), what);
}

}  // namespace ledger
