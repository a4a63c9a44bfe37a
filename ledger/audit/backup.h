// Backups: consistent copies of a live ledger with RocksDB's BackupEngine,
// and the tools to list, verify and restore them.
//
// A backup directory holds any number of backups of one ledger (ids 1, 2,
// 3 ...); table files unchanged between backups are stored once. A backup is
// taken while the ledger keeps serving: RocksDB flushes and copies the live
// files, and every commit is one atomic WriteBatch, so a backup holds the log
// up to one commit exactly — a head the writer committed. Which head is read
// back from the backup itself (opened read-only in place), never guessed.
//
// Thread-safety: CreateBackup calls are serialised within the process (a
// BackupEngine directory has one writer); the others may run concurrently
// with it and with each other.
#ifndef LEDGER_AUDIT_BACKUP_H_
#define LEDGER_AUDIT_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/audit/replay.h"
#include "ledger/writer/event_log.h"

namespace ledger {

// One backup in a backup directory.
struct BackupInfo {
  uint32_t backup_id = 0;
  int64_t created_at_seconds = 0;  // UTC, Unix seconds
  uint64_t size_bytes = 0;         // its files, including ones shared with other backups
  uint32_t file_count = 0;
  // Read from the backup itself; empty ledger_id and `problem` set when the
  // backup cannot be opened.
  std::string ledger_id;
  std::string ledger_name;
  uint64_t head_position = 0;
  std::string head_hash;
  std::string problem;
};

// Checks `backup_dir` as the target of a backup of the ledger in `data_dir`:
// an absolute path, not the data directory nor inside it (symlinks
// resolved), and either missing, empty, or a backup directory already.
// INVALID_ARGUMENT / FAILED_PRECONDITION naming the problem.
absl::Status CheckBackupDir(const std::string& backup_dir, const std::string& data_dir);

// Takes a backup of `log` (which must be writable: the live ledger) into
// `backup_dir`, creating it if needed, and reads the new backup's head back
// from it.
absl::StatusOr<BackupInfo> CreateBackup(EventLog& log, const std::string& backup_dir);

// Every backup in `backup_dir`, oldest first, each opened read-only in place
// to read its head (a backup that cannot be opened is listed with `problem`).
// NOT_FOUND when the directory holds no backups.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);

// Deletes every backup in `backup_dir` but the newest `keep` (at least 1),
// with the files only they used: what those backups held, an erased detail's
// key among it, is then gone from the directory. Returns the backups
// deleted, oldest first. INVALID_ARGUMENT for keep 0; NOT_FOUND when the
// directory holds no backups.
absl::StatusOr<std::vector<BackupInfo>> PurgeBackups(const std::string& backup_dir, uint32_t keep);

struct BackupVerifyOptions {
  // Where to restore the backup for the check (a fresh directory under it,
  // removed afterwards). Empty = $TMPDIR, else /tmp.
  std::string scratch_dir;
  // Progress of the chain check, then of the replay: the position reached
  // and the backup's head.
  std::function<void(uint64_t position, uint64_t head)> progress;
};

struct BackupVerifyReport {
  BackupInfo info;            // as listed (head read in place)
  bool files_ok = false;      // every file's size and checksum as recorded
  std::string files_problem;  // when not files_ok
  bool restored = false;      // restored and opened as a ledger
  std::string restore_problem;
  ChainReport chain;           // of the restored copy
  RebuildReport rebuild;       // of the restored copy
  uint64_t head_position = 0;  // of the restored copy
  std::string head_hash;
  std::string ledger_id;
  // Everything checked out: files, restore, chain, projections, and the
  // restored head is the head read from the backup in place.
  bool ok() const;
};

// Verifies backup `backup_id` (0 = the latest): the BackupEngine checks every
// file's size and checksum; then the backup is restored into a scratch
// directory, opened read-only, its hash chain verified from the first event
// and every projection rebuilt from the log and compared. Problems found are
// in the report; a status error means the check could not run at all.
absl::StatusOr<BackupVerifyReport> VerifyBackup(const std::string& backup_dir, uint32_t backup_id,
                                                const BackupVerifyOptions& options = {});

struct RestoreResult {
  uint32_t backup_id = 0;
  uint64_t head_position = 0;
  std::string head_hash;
  std::string ledger_id;
};

// Restores backup `backup_id` (0 = the latest) into `target_dir`, which must
// not exist or be empty; never over a ledger, and never into a directory
// whose LOCK is held (a running ledgerd). The files are restored into a
// sibling directory first and renamed into place once complete, then opened
// read-only to read the head.
absl::StatusOr<RestoreResult> RestoreBackup(const std::string& backup_dir, uint32_t backup_id,
                                            const std::string& target_dir);

}  // namespace ledger

#endif  // LEDGER_AUDIT_BACKUP_H_
