#include "tests/testing/fault_env.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ledger::testing {
namespace {

// A file RocksDB writes, with its appends and syncs checked against the
// Env's faults and its sizes reported back.
class FaultFile : public rocksdb::WritableFileWrapper {
 public:
  FaultFile(FaultEnv* env, std::string fname, std::unique_ptr<rocksdb::WritableFile> target)
      : rocksdb::WritableFileWrapper(target.get()),
        env_(env),
        fname_(std::move(fname)),
        owned_(std::move(target)) {}

  rocksdb::Status Append(const rocksdb::Slice& data) override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kAppend);
    if (s.ok()) s = rocksdb::WritableFileWrapper::Append(data);
    if (s.ok()) env_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::Status Append(const rocksdb::Slice& data,
                         const rocksdb::DataVerificationInfo& info) override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kAppend);
    if (s.ok()) s = rocksdb::WritableFileWrapper::Append(data, info);
    if (s.ok()) env_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::Status PositionedAppend(const rocksdb::Slice& data, uint64_t offset) override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kAppend);
    if (s.ok()) s = rocksdb::WritableFileWrapper::PositionedAppend(data, offset);
    if (s.ok()) env_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::Status PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                   const rocksdb::DataVerificationInfo& info) override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kAppend);
    if (s.ok()) s = rocksdb::WritableFileWrapper::PositionedAppend(data, offset, info);
    if (s.ok()) env_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::Status Sync() override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kSync);
    if (s.ok()) s = rocksdb::WritableFileWrapper::Sync();
    if (s.ok()) env_->Synced(fname_);
    return s;
  }
  rocksdb::Status Fsync() override {
    rocksdb::Status s = env_->Check(fname_, FaultEnv::Op::kSync);
    if (s.ok()) s = rocksdb::WritableFileWrapper::Fsync();
    if (s.ok()) env_->Synced(fname_);
    return s;
  }

 private:
  FaultEnv* const env_;
  const std::string fname_;
  std::unique_ptr<rocksdb::WritableFile> owned_;
};

}  // namespace

FaultEnv::FaultEnv(rocksdb::Env* base) : rocksdb::EnvWrapper(base) {}
FaultEnv::~FaultEnv() = default;

void FaultEnv::FailWalSyncs(Fault f) {
  absl::MutexLock lock(&mu_);
  wal_sync_ = f;
}

void FaultEnv::FailWalAppends(Fault f) {
  absl::MutexLock lock(&mu_);
  wal_append_ = f;
}

void FaultEnv::DiskFull(bool full) {
  absl::MutexLock lock(&mu_);
  disk_full_ = full;
}

void FaultEnv::ClearFaults() {
  absl::MutexLock lock(&mu_);
  wal_sync_ = wal_append_ = Fault::kNone;
  disk_full_ = false;
}

int FaultEnv::injected() const {
  absl::MutexLock lock(&mu_);
  return injected_;
}

void FaultEnv::Crash() {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
}

uint64_t FaultEnv::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  uint64_t dropped = 0;
  for (auto& [name, state] : files_) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(name, ec);
    if (ec || size <= state.synced_size) continue;
    std::filesystem::resize_file(name, state.synced_size, ec);
    if (!ec) dropped += size - state.synced_size;
    state.size = state.synced_size;
  }
  crashed_ = false;
  return dropped;
}

bool FaultEnv::IsWal(const std::string& fname) { return absl::EndsWith(fname, ".log"); }

rocksdb::Status FaultEnv::Injected(Fault f, const std::string& fname, const char* what) {
  ++injected_;
  const std::string msg = absl::StrCat("injected fault: ", what, " ", fname);
  if (f == Fault::kNoSpace) return rocksdb::Status::NoSpace(msg);
  return rocksdb::Status::IOError(msg);
}

rocksdb::Status FaultEnv::Check(const std::string& fname, Op op) {
  absl::MutexLock lock(&mu_);
  if (crashed_) return rocksdb::Status::IOError("simulated power cut", fname);
  if (disk_full_) return Injected(Fault::kNoSpace, fname, op == Op::kAppend ? "append" : "sync");
  if (IsWal(fname)) {
    if (op == Op::kAppend && wal_append_ != Fault::kNone)
      return Injected(wal_append_, fname, "append");
    if (op == Op::kSync && wal_sync_ != Fault::kNone) return Injected(wal_sync_, fname, "sync");
  }
  return rocksdb::Status::OK();
}

void FaultEnv::Appended(const std::string& fname, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  files_[fname].size += bytes;
}

void FaultEnv::Synced(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  FileState& f = files_[fname];
  f.synced_size = f.size;
}

rocksdb::Status FaultEnv::Wrap(const std::string& fname, rocksdb::Status s,
                               std::unique_ptr<rocksdb::WritableFile>* result, bool keep_size) {
  if (!s.ok()) return s;
  uint64_t existing = 0;
  if (keep_size) target()->GetFileSize(fname, &existing).PermitUncheckedError();
  {
    absl::MutexLock lock(&mu_);
    // What was in the file before this Env opened it counts as durable.
    files_[fname] = FileState{existing, existing};
  }
  *result = std::make_unique<FaultFile>(this, fname, std::move(*result));
  return s;
}

rocksdb::Status FaultEnv::NewWritableFile(const std::string& fname,
                                          std::unique_ptr<rocksdb::WritableFile>* result,
                                          const rocksdb::EnvOptions& options) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::Status::IOError("simulated power cut", fname);
  }
  return Wrap(fname, target()->NewWritableFile(fname, result, options), result, false);
}

rocksdb::Status FaultEnv::ReopenWritableFile(const std::string& fname,
                                             std::unique_ptr<rocksdb::WritableFile>* result,
                                             const rocksdb::EnvOptions& options) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::Status::IOError("simulated power cut", fname);
  }
  return Wrap(fname, target()->ReopenWritableFile(fname, result, options), result, true);
}

rocksdb::Status FaultEnv::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                            std::unique_ptr<rocksdb::WritableFile>* result,
                                            const rocksdb::EnvOptions& options) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::Status::IOError("simulated power cut", fname);
    files_.erase(old_fname);
  }
  return Wrap(fname, target()->ReuseWritableFile(fname, old_fname, result, options), result, false);
}

rocksdb::Status FaultEnv::DeleteFile(const std::string& fname) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::Status::IOError("simulated power cut", fname);
  }
  rocksdb::Status s = target()->DeleteFile(fname);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(fname);
  }
  return s;
}

rocksdb::Status FaultEnv::RenameFile(const std::string& src, const std::string& target_name) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::Status::IOError("simulated power cut", src);
  }
  rocksdb::Status s = target()->RenameFile(src, target_name);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[target_name] = it->second;
      files_.erase(src);
    } else {
      files_.erase(target_name);
    }
  }
  return s;
}

}  // namespace ledger::testing
