// FaultEnv: a RocksDB Env for storage-fault tests. It wraps the files RocksDB
// writes so that a test can
//   * make appends and syncs of the write-ahead log (or of every file) fail,
//     with a plain I/O error or with ENOSPC ("disk full"), on demand;
//   * simulate a power cut: Crash() freezes the files as they are (every later
//     write, rename or delete fails), and DropUnsyncedData() then truncates
//     every file written through this Env to its size at its last successful
//     Sync/Fsync (0 if it was never synced), i.e. throws away what the disk
//     had not made durable. Files are truncated, never deleted, and renames
//     and deletes made before the crash stand (RocksDB syncs the directory
//     after them).
//
// Use: EventLogOptions.env = &fault_env. Not owned by the EventLog; must
// outlive it. After DropUnsyncedData(), reopen on the real Env (env = nullptr)
// to see what a restarted ledgerd would see.
//
// Thread-safety: every method may be called from any thread (RocksDB's
// writer and background threads call into the files concurrently).
#ifndef LEDGER_TESTS_FAULT_ENV_H_
#define LEDGER_TESTS_FAULT_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"

namespace ledger::testing {

class FaultEnv : public rocksdb::EnvWrapper {
 public:
  enum class Fault {
    kNone,
    kIOError,  // "IO error: injected fault"
    kNoSpace,  // "IO error: No space left on device" (RocksDB's NoSpace)
  };

  explicit FaultEnv(rocksdb::Env* base = rocksdb::Env::Default());
  ~FaultEnv() override;

  static const char* kClassName() { return "LedgerFaultEnv"; }
  const char* Name() const override { return kClassName(); }

  // Sync/Fsync of write-ahead-log files (*.log) fail with `f` (kNone: they
  // work again). The bytes appended before reach the file; only the sync
  // fails, as when the disk reports an error on flush.
  void FailWalSyncs(Fault f);
  // Appends to write-ahead-log files fail with `f`; nothing is written.
  void FailWalAppends(Fault f);
  // Disk full: appends and syncs of every file fail with ENOSPC until
  // DiskFull(false). Creating a file still works, as on a real full disk
  // (an empty file needs no data blocks).
  void DiskFull(bool full);
  // Clears every fault above (not a crash).
  void ClearFaults();

  // Faults returned so far.
  int injected() const;

  // A power cut at this instant: the synced size of every file is frozen,
  // and from now on every write, sync, rename, delete or new file fails (so
  // closing the database changes nothing on disk).
  void Crash();
  // After Crash() and once the database is closed: truncates every file
  // written through this Env to its last synced size, and ends the crash (the
  // Env works again). Returns the number of bytes dropped.
  uint64_t DropUnsyncedData();

  rocksdb::Status NewWritableFile(const std::string& fname,
                                  std::unique_ptr<rocksdb::WritableFile>* result,
                                  const rocksdb::EnvOptions& options) override;
  rocksdb::Status ReopenWritableFile(const std::string& fname,
                                     std::unique_ptr<rocksdb::WritableFile>* result,
                                     const rocksdb::EnvOptions& options) override;
  rocksdb::Status ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                    std::unique_ptr<rocksdb::WritableFile>* result,
                                    const rocksdb::EnvOptions& options) override;
  rocksdb::Status DeleteFile(const std::string& fname) override;
  rocksdb::Status RenameFile(const std::string& src, const std::string& target) override;

  // Called by the wrapped files.
  enum class Op { kAppend, kSync };
  // The fault to return for `op` on `fname` (OK when none); counts it.
  rocksdb::Status Check(const std::string& fname, Op op);
  void Appended(const std::string& fname, uint64_t bytes);
  void Synced(const std::string& fname);

 private:
  struct FileState {
    uint64_t size = 0;         // bytes appended through this Env
    uint64_t synced_size = 0;  // size at the last successful sync
  };
  static bool IsWal(const std::string& fname);
  rocksdb::Status Injected(Fault f, const std::string& fname, const char* what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  rocksdb::Status Wrap(const std::string& fname, rocksdb::Status s,
                       std::unique_ptr<rocksdb::WritableFile>* result, bool keep_size);

  mutable absl::Mutex mu_;
  Fault wal_sync_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  Fault wal_append_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  int injected_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_FAULT_ENV_H_
