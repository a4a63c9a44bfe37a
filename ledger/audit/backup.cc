#include "ledger/audit/backup.h"

#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp is POSIX, not <cstdlib>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"
#include "ledger/storage/database.h"
#include "ledger/sync.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;

// One BackupEngine writer per process at a time (BackupEngine directories
// do not support concurrent writers).
ABSL_CONST_INIT Mutex backup_mu;

// The application metadata of each backup names the ledger.
constexpr char kMetadataPrefix[] = "solidarity-ledger ledger_id=";

std::string LedgerIdOf(const std::string& app_metadata) {
  if (!absl::StartsWith(app_metadata, kMetadataPrefix)) return "";
  return app_metadata.substr(sizeof(kMetadataPrefix) - 1);
}

// A backup directory is recognised by its meta/ subdirectory.
bool IsBackupDir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "meta", ec);
}

// True when `inner` is `outer` or lies inside it (both canonical).
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

fs::path Canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  return p;
}

// Removes a directory tree when it goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens the ledger in `dir` read-only (through `env`, nullptr = default) and
// copies its identity and head into `out`.
absl::Status ReadLedgerHead(const std::string& dir, rocksdb::Env* env, BackupInfo* out) {
  EventLogOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  options.env = env;
  ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, EventLog::Open(dir, options));
  out->ledger_id = log->ledger_id();
  out->ledger_name = log->ledger_name();
  out->head_position = log->head_position();
  out->head_hash = log->head_hash();
  return absl::OkStatus();
}

// Fills `out` from the engine's record of a backup and reads its head by
// opening the backup read-only where it lies (no restore).
BackupInfo Describe(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.backup_id = info.backup_id;
  out.created_at_seconds = info.timestamp;
  out.size_bytes = info.size;
  out.file_count = info.number_files;
  if (info.name_for_open.empty() || !info.env_for_open) {
    out.problem = "the backup cannot be opened in place";
    return out;
  }
  absl::Status s = ReadLedgerHead(info.name_for_open, info.env_for_open.get(), &out);
  if (!s.ok()) out.problem = std::string(s.message());
  return out;
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(
    const std::string& backup_dir) {
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) {
    return absl::NotFoundError(absl::StrCat("no backup directory ", backup_dir));
  }
  if (!IsBackupDir(backup_dir)) {
    return absl::NotFoundError(absl::StrCat(backup_dir, " holds no backups"));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("opening the backups in ", backup_dir)));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

// The backup `backup_id` (0 = the latest good one), with file details.
absl::StatusOr<rocksdb::BackupInfo> FindBackup(const rocksdb::BackupEngineReadOnly& engine,
                                               const std::string& backup_dir, uint32_t backup_id) {
  rocksdb::BackupInfo info;
  rocksdb::Status s = backup_id == 0 ? engine.GetLatestBackupInfo(&info, true)
                                     : engine.GetBackupInfo(backup_id, &info, true);
  if (s.IsNotFound()) {
    return absl::NotFoundError(backup_id == 0
                                   ? absl::StrCat("no backups in ", backup_dir)
                                   : absl::StrCat("no backup ", backup_id, " in ", backup_dir));
  }
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("reading backup ", backup_id, " in ", backup_dir)));
  return info;
}

std::string ScratchBase(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

// ------------------------------------------------------------------ create

absl::Status CheckBackupDir(const std::string& backup_dir, const std::string& data_dir) {
  if (backup_dir.empty()) return InvalidField("backup_dir", "is required");
  if (backup_dir.size() > kMaxPathLength || !IsValidText(backup_dir) ||
      backup_dir.find_first_of(std::string("\0\t\n", 3)) != std::string::npos) {
    return InvalidField(
        "backup_dir",
        absl::StrCat("must be a path of printable UTF-8 text, at most ", kMaxPathLength, " bytes"));
  }
  const fs::path requested(backup_dir);
  if (!requested.is_absolute()) {
    return InvalidField("backup_dir", absl::StrCat("must be an absolute path on the server, not \"",
                                                   backup_dir, "\""));
  }
  const fs::path backup = Canonical(backup_dir);
  const fs::path data = Canonical(data_dir);
  if (IsWithin(backup, data)) {
    return InvalidField("backup_dir",
                        absl::StrCat(backup_dir, " is inside the data directory ", data.string(),
                                     "; choose a directory outside it"));
  }
  std::error_code ec;
  if (fs::exists(backup, ec)) {
    if (!fs::is_directory(backup, ec)) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("backup_dir: ", backup_dir, " is not a directory"), "backup_dir");
    }
    if (!fs::is_empty(backup, ec) && !IsBackupDir(backup)) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("backup_dir: ", backup_dir,
                                  " holds other files and no backups; use a new or empty "
                                  "directory, or one that holds backups already"),
                     "backup_dir");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupInfo> CreateBackup(EventLog& log, const std::string& backup_dir) {
  if (log.read_only()) {
    return absl::FailedPreconditionError(
        "a backup is taken of the live ledger; this one is open read-only");
  }
  RETURN_IF_ERROR(CheckBackupDir(backup_dir, log.database().dir()));
  MutexLock lock(&backup_mu);
  std::error_code ec;
  fs::create_directories(backup_dir, ec);
  if (ec) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                   absl::StrCat("backup_dir: cannot create ", backup_dir, ": ", ec.message()),
                   "backup_dir");
  }
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                                        rocksdb::Env::Default(), &raw),
                            absl::StrCat("opening the backups in ", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // One directory holds the backups of one ledger, so that "the latest
  // backup" is never another ledger's.
  std::vector<rocksdb::BackupInfo> existing;
  engine->GetBackupInfo(&existing);
  for (const rocksdb::BackupInfo& b : existing) {
    const std::string other = LedgerIdOf(b.app_metadata);
    if (!other.empty() && other != log.ledger_id()) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("backup_dir: ", backup_dir, " holds backups of another ledger (",
                                  other, "); use one backup directory per ledger"),
                     "backup_dir");
    }
  }
  const uint64_t head_before = log.head_position();
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(log.database().BackupInto(*engine, absl::StrCat(kMetadataPrefix, log.ledger_id()),
                                            &id, absl::StrCat("backing up into ", backup_dir)));
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocks(engine->GetBackupInfo(id, &info, /*include_file_details=*/true),
                            absl::StrCat("reading back backup ", id)));
  BackupInfo out = Describe(info);
  if (!out.problem.empty() || out.ledger_id != log.ledger_id() || out.head_position < head_before) {
    const std::string why =
        !out.problem.empty()
            ? out.problem
            : absl::StrCat("it holds ledger ", out.ledger_id, " at head ", out.head_position,
                           ", expected ledger ", log.ledger_id(), " at head >= ", head_before);
    engine->DeleteBackup(id).PermitUncheckedError();
    return absl::DataLossError(
        absl::StrCat("backup ", id, " could not be read back (", why, "); it was removed"));
  }
  return out;
}

// ------------------------------------------------------------------ list

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(backup_dir));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos, /*include_file_details=*/true);
  std::vector<BackupInfo> out;
  out.reserve(infos.size());
  for (const rocksdb::BackupInfo& info : infos) out.push_back(Describe(info));
  std::vector<rocksdb::BackupID> corrupt;
  engine->GetCorruptedBackups(&corrupt);
  for (rocksdb::BackupID id : corrupt) {
    BackupInfo bad;
    bad.backup_id = id;
    bad.problem = "corrupt: its description in meta/ cannot be read";
    out.push_back(std::move(bad));
  }
  std::sort(out.begin(), out.end(),
            [](const BackupInfo& a, const BackupInfo& b) { return a.backup_id < b.backup_id; });
  if (out.empty()) return absl::NotFoundError(absl::StrCat(backup_dir, " holds no backups"));
  return out;
}

// ------------------------------------------------------------------ verify

bool BackupVerifyReport::ok() const {
  return info.problem.empty() && files_ok && restored && chain.ok && rebuild.match &&
         rebuild.failed_position == 0 && head_position == info.head_position &&
         head_hash == info.head_hash && ledger_id == info.ledger_id;
}

absl::StatusOr<BackupVerifyReport> VerifyBackup(const std::string& backup_dir, uint32_t backup_id,
                                                const BackupVerifyOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(backup_dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, FindBackup(*engine, backup_dir, backup_id));
  BackupVerifyReport report;
  report.info = Describe(info);
  rocksdb::IOStatus files = engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
  report.files_ok = files.ok();
  if (!files.ok()) {
    report.files_problem = files.ToString();
    return report;
  }
  std::string pattern = absl::StrCat(ScratchBase(options.scratch_dir), "/ledger-verify-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot make a scratch directory in ", ScratchBase(options.scratch_dir),
                     " to restore the backup into (give another with --scratch DIR)"));
  }
  ScratchDir scratch(pattern);
  const std::string restored = absl::StrCat(scratch.path(), "/ledger");
  rocksdb::IOStatus r =
      engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), info.backup_id, restored, restored);
  if (!r.ok()) {
    report.restore_problem = absl::StrCat("restore failed: ", r.ToString());
    return report;
  }
  EventLogOptions open;
  open.read_only = true;
  open.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(restored, open);
  if (!log.ok()) {
    report.restore_problem =
        absl::StrCat("the restored copy does not open as a ledger: ", log.status().message());
    return report;
  }
  report.restored = true;
  std::unique_ptr<ReadView> view = (*log)->NewReadView();
  report.head_position = view->head_position();
  report.head_hash = view->head_hash();
  report.ledger_id = view->ledger_id();
  std::function<void(uint64_t)> progress;
  if (options.progress) {
    progress = [&options, head = report.head_position](uint64_t at) { options.progress(at, head); };
  }
  ASSIGN_OR_RETURN(report.chain, VerifyChain(*view, 0, 0, progress));
  ASSIGN_OR_RETURN(report.rebuild, RebuildAndCompare(*view, progress));
  return report;
}

// ------------------------------------------------------------------ restore

absl::StatusOr<RestoreResult> RestoreBackup(const std::string& backup_dir, uint32_t backup_id,
                                            const std::string& target_dir) {
  if (target_dir.empty()) return absl::InvalidArgumentError("the target directory is required");
  std::error_code ec;
  fs::path target = fs::absolute(target_dir, ec).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(target_dir, " is not a directory"));
    }
    const fs::path lock_file = target / "LOCK";
    if (fs::exists(lock_file, ec)) {
      rocksdb::FileLock* lock = nullptr;
      rocksdb::Status held = rocksdb::Env::Default()->LockFile(lock_file.string(), &lock);
      if (!held.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat(target_dir,
                         " is a live ledger in use by a running process (its LOCK is held); "
                         "a restore never overwrites a ledger: restore into a new directory"));
      }
      rocksdb::Env::Default()->UnlockFile(lock).PermitUncheckedError();
    }
    if (!fs::is_empty(target, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(target_dir,
                       " is not empty; a restore never overwrites anything: restore into a new "
                       "or empty directory"));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(backup_dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, FindBackup(*engine, backup_dir, backup_id));
  fs::create_directories(target.parent_path(), ec);
  // Restore beside the target and rename it into place when complete, so a
  // half-restored directory never looks like a ledger.
  ScratchDir staging(
      (target.parent_path() /
       absl::StrCat(".", target.filename().string(), ".restoring-", NewLedgerId().substr(0, 8)))
          .string());
  RETURN_IF_ERROR(FromRocks(engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), info.backup_id,
                                                        staging.path(), staging.path()),
                            absl::StrCat("restoring backup ", info.backup_id)));
  BackupInfo head;
  RETURN_IF_ERROR(ReadLedgerHead(staging.path(), nullptr, &head));
  if (fs::exists(target, ec)) fs::remove(target, ec);  // empty, checked above
  fs::rename(staging.path(), target, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot move the restored ledger to ", target_dir, ": ", ec.message()));
  }
  RestoreResult out;
  out.backup_id = info.backup_id;
  out.head_position = head.head_position;
  out.head_hash = head.head_hash;
  out.ledger_id = head.ledger_id;
  return out;
}

absl::StatusOr<std::vector<BackupInfo>> PurgeBackups(const std::string& backup_dir, uint32_t keep) {
  if (keep == 0) {
    return InvalidField("keep", "at least the newest backup is kept (keep >= 1)");
  }
  ASSIGN_OR_RETURN(std::vector<BackupInfo> all, ListBackups(backup_dir));
  if (all.size() <= keep) return std::vector<BackupInfo>();
  MutexLock lock(&backup_mu);
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                                        rocksdb::Env::Default(), &raw),
                            absl::StrCat("opening the backups in ", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // PurgeOldBackups deletes the oldest and then every file no backup left
  // refers to.
  RETURN_IF_ERROR(FromRocks(engine->PurgeOldBackups(keep),
                            absl::StrCat("deleting old backups in ", backup_dir)));
  RETURN_IF_ERROR(
      FromRocks(engine->GarbageCollect(), absl::StrCat("deleting unused files in ", backup_dir)));
  all.resize(all.size() - keep);
  return all;
}

}  // namespace ledger
