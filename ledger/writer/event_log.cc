#include "ledger/writer/event_log.h"

#include <openssl/rand.h>
#include <time.h>  // NOLINT(modernize-deprecated-headers): POSIX clock_gettime, not <ctime>

#include <chrono>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/domain/decide.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/storage/records.h"
#include "ledger/writer/batch.h"
#include "ledger/writer/private_writes.h"
#include "ledger/writer/requests.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

constexpr char kGenesisEventId[] = "genesis";

// CPU time of the calling thread.
uint64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// The genesis event never reverses anything.
class NoLookup : public EventLookup {
 public:
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view) override {
    return std::optional<LoggedEvent>();
  }
};

}  // namespace

std::string NewLedgerId() {
  unsigned char bytes[16];
  LEDGER_CHECK(RAND_bytes(bytes, sizeof(bytes)) == 1);
  return ToHex(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

// ------------------------------------------------------------------ open

EventLog::EventLog(std::string dir, const EventLogOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      clock_(options.clock ? options.clock : Clock::Real()) {}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const std::string& dir,
                                                         const EventLogOptions& options) {
  std::unique_ptr<EventLog> log(new EventLog(dir, options));
  DatabaseOptions db_options;
  db_options.read_only = options.read_only;
  db_options.create_if_missing = options.create_if_missing;
  db_options.env = options.env;
  if (!options.private_key.empty()) {
    if (options.private_key.size() != kDataKeySize) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonKeyFile,
                     "the private key is not 32 bytes");
    }
    log->keyring_.emplace(options.private_key);
  }
  ASSIGN_OR_RETURN(log->db_, Database::Open(dir, db_options));
  RETURN_IF_ERROR(log->LoadOrCreate());
  if (!options.read_only) log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

absl::Status EventLog::LoadOrCreate() {
  ASSIGN_OR_RETURN(std::optional<std::string> id, db_->Get(kMetaCf, kMetaLedgerId));
  if (!id) {
    if (options_.read_only) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat(dir_, " holds no ledger"));
    }
    return CreateGenesis();
  }
  if (options_.migrate_from != nullptr) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                   absl::StrCat(dir_, " holds a ledger already: migrate into a new directory"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> migrating, db_->Get(kMetaCf, kMetaMigrating));
  if (migrating) {
    return Refusal(
        absl::StatusCode::kFailedPrecondition, kReasonFormat,
        absl::StrCat(dir_, " holds an unfinished migration: delete it and migrate again"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> version, db_->Get(kMetaCf, kMetaSchemaVersion));
  schema_version_ = version.value_or("");
  RETURN_IF_ERROR(CheckFormat());
  ASSIGN_OR_RETURN(std::optional<std::string> head_bytes, db_->Get(kMetaCf, kMetaHead));
  if (!head_bytes) return absl::NotFoundError("reading the head: NotFound: ");
  ASSIGN_OR_RETURN(HeadEntry h, DecodeHead(*head_bytes));
  ASSIGN_OR_RETURN(std::optional<std::string> name, db_->Get(kMetaCf, kMetaLedgerName));
  identity_.id = *id;
  identity_.name = name.value_or("");
  // Check the head against the log: the last event must be the head.
  ASSIGN_OR_RETURN(std::optional<std::string> last, db_->Get(kEventsCf, EventKey(h.position)));
  if (!last) {
    return absl::DataLossError(
        absl::StrCat("ledger in ", dir_, ": head event ", h.position, " is missing: NotFound: "));
  }
  ASSIGN_OR_RETURN(EventRecord record, DecodeEventRecord(*last));
  if (record.hash != h.hash) {
    return absl::DataLossError(absl::StrCat("ledger in ", dir_, ": the head hash does not match ",
                                            "the event at position ", h.position));
  }
  if (!options_.read_only) {
    // An erasure committed before a crash, its rows perhaps still on disk.
    ASSIGN_OR_RETURN(std::optional<std::string> pending, db_->Get(kMetaCf, kMetaScrubPending));
    if (pending) {
      scrub_pending_ = true;
      scrub_deleted_at_ = db_->LatestSequence();
      ScrubErased();
    }
  }
  {
    MutexLock lock(&mu_);
    head_position_ = h.position;
    head_hash_ = h.hash;
  }
  return options_.read_only ? absl::OkStatus() : LoadTree();
}

absl::Status EventLog::CheckFormat() {
  if (schema_version_ == kSchemaVersionPublicRecords) {
    if (options_.read_only) return absl::OkStatus();
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonFormat,
                   absl::StrCat("ledger in ", dir_,
                                " has format 1 (private details kept in its records); this "
                                "build writes format 2: open it read-only, or rewrite it with "
                                "`ledgerctl migrate --from ",
                                dir_, " --to NEW_DIR --private-key-file FILE`"));
  }
  if (schema_version_ != kSchemaVersion) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonFormat,
                   absl::StrCat("ledger in ", dir_, " has schema version ", schema_version_,
                                "; this build reads versions 1 and ", kSchemaVersion));
  }
  if (!keyring_) {
    if (options_.read_only) return absl::OkStatus();
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonKeyFile,
                   absl::StrCat("ledger in ", dir_,
                                " keeps private details sealed: give its private key file"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> check, db_->Get(kMetaCf, kMetaKeyCheck));
  if (check.value_or("") != keyring_->check_value()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonKeyFile,
                   absl::StrCat("the private key file does not belong to the ledger in ", dir_));
  }
  return absl::OkStatus();
}

absl::Status EventLog::CreateGenesis() {
  identity_.id = NewLedgerId();
  identity_.name = options_.ledger_name;
  v1::EventPayload payload;
  payload.set_event_id(kGenesisEventId);
  payload.set_recorded_at_us(absl::ToUnixMicros(clock_->Now()));
  payload.set_occurred_on(FormatDate(TodayUtc(clock_)));
  payload.set_actor("ledgerd");
  payload.mutable_body()->mutable_ledger_opened()->set_ledger_id(identity_.id);
  payload.mutable_body()->mutable_ledger_opened()->set_name(identity_.name);
  if (options_.founder) {
    *payload.mutable_body()->mutable_ledger_opened()->mutable_founder() = *options_.founder;
  }
  if (options_.approval_policy) {
    *payload.mutable_body()->mutable_ledger_opened()->mutable_approval_policy() =
        *options_.approval_policy;
  }
  if (options_.founder_token) {
    *payload.mutable_body()->mutable_ledger_opened()->mutable_founder_token() =
        *options_.founder_token;
  }
  if (!keyring_) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonKeyFile,
                   "a new ledger needs its private key file (to seal private details)");
  }
  if (options_.migrate_from != nullptr) {
    RETURN_IF_ERROR(NoteMigratedFrom(payload));
    identity_.name = payload.body().ledger_opened().name();
  }
  schema_version_ = kSchemaVersion;
  CommitBatch batch(db_.get(), 0, ZeroHash(), merkle::CompactRange());
  NoLookup no_lookup;
  PrivateWrites privacy(*keyring_, identity_.id, batch);
  ASSIGN_OR_RETURN(CommitBatch::NewEvent e,
                   RecordEvent(1, ZeroHash(), payload, EventChecks::kWhenRecorded, Keys(), batch,
                               no_lookup, privacy));
  v1::EventInput genesis_input;
  genesis_input.set_event_id(kGenesisEventId);
  e.digest = ContentDigest(*keyring_, genesis_input);
  const std::string hash = e.hash;
  privacy.Commit();
  std::vector<CommitBatch::NewEvent> events;
  events.push_back(std::move(e));
  batch.AddEvents(std::move(events));
  rocksdb::WriteBatch wb = batch.ToWriteBatch();
  wb.Put(db_->cf(kMetaCf), kMetaLedgerId, identity_.id);
  wb.Put(db_->cf(kMetaCf), kMetaLedgerName, identity_.name);
  wb.Put(db_->cf(kMetaCf), kMetaSchemaVersion, kSchemaVersion);
  wb.Put(db_->cf(kMetaCf), kMetaKeyCheck, keyring_->check_value());
  if (options_.migrate_from != nullptr) wb.Put(db_->cf(kMetaCf), kMetaMigrating, "1");
  RETURN_IF_ERROR(FromRocks(db_->Write(wb, /*sync=*/true), "creating the ledger"));
  tree_ = batch.TakeTree();
  {
    MutexLock lock(&mu_);
    head_position_ = 1;
    head_hash_ = hash;
  }
  if (options_.migrate_from != nullptr) {
    RETURN_IF_ERROR(CopyEventsFrom(*options_.migrate_from));
    rocksdb::WriteBatch done;
    done.Delete(db_->cf(kMetaCf), kMetaMigrating);
    RETURN_IF_ERROR(FromRocks(db_->Write(done, /*sync=*/true), "finishing the migration"));
  }
  return absl::OkStatus();
}

EventLog::~EventLog() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  db_.reset();
}

// ------------------------------------------------------------------ state

void EventLog::Shutdown() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool EventLog::shutting_down() const {
  MutexLock lock(&mu_);
  return stopping_;
}

uint64_t EventLog::head_position() const {
  MutexLock lock(&mu_);
  return head_position_;
}

std::string EventLog::head_hash() const {
  MutexLock lock(&mu_);
  return head_hash_;
}

EventLogStats EventLog::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

size_t EventLog::queued_requests() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

absl::Status EventLog::last_write_status() const {
  MutexLock lock(&mu_);
  return last_write_status_;
}

LedgerKeys EventLog::Keys() const { return LedgerKeys{identity_.id, keyring()}; }

std::unique_ptr<ReadView> EventLog::NewReadView() const { return NewSnapshotView(*db_, identity_); }

uint64_t EventLog::AddCommitListener(CommitListener listener) {
  MutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_id_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void EventLog::RemoveCommitListener(uint64_t id) {
  MutexLock lock(&listeners_mu_);
  for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
    if (it->first == id) {
      listeners_.erase(it);
      return;
    }
  }
}

void EventLog::TellListeners(const CommitInfo& info) {
  MutexLock lock(&listeners_mu_);
  for (const auto& [id, listener] : listeners_) listener(info);
}

// ------------------------------------------------------------------ append

void EventLog::AppendAsync(v1::AppendRequest request, std::string actor, AppendCallback done) {
  LEDGER_CHECK(!options_.read_only);
  LEDGER_CHECK(done != nullptr);  // every request is answered
  absl::Status refusal;
  {
    MutexLock lock(&mu_);
    if (stopping_) {
      refusal = Refusal(absl::StatusCode::kUnavailable, kReasonStorage,
                        "the ledger is shutting down; nothing was recorded");
    } else if (queue_.size() >= options_.max_queued_appends) {
      refusal =
          Refusal(absl::StatusCode::kResourceExhausted, kReasonQueueFull,
                  absl::StrCat("the ledger has ", queue_.size(),
                               " appends waiting, its limit; nothing was recorded, retry later"));
    } else {
      queue_.push_back(Pending{std::move(request), std::move(actor), std::move(done)});
      cv_.notify_all();
      return;
    }
  }
  done(refusal);
}

absl::StatusOr<AppendResult> EventLog::Append(const v1::AppendRequest& request,
                                              absl::string_view actor) {
  Mutex mu;
  std::condition_variable cv;
  bool finished = false;  // guarded by mu, like result
  absl::StatusOr<AppendResult> result;
  AppendAsync(request, std::string(actor), [&](absl::StatusOr<AppendResult> r) {
    MutexLock lock(&mu);
    result = std::move(r);
    finished = true;
    cv.notify_all();
  });
  MutexLock lock(&mu);
  while (!finished) mu.Wait(cv);
  return result;
}

std::vector<EventLog::Pending> EventLog::TakeGroup() {
  std::vector<Pending> group;
  MutexLock lock(&mu_);
  while (queue_.empty() && !stopping_) {
    if (!scrub_pending_) {
      mu_.Wait(cv_);
      continue;
    }
    // An erasure's rows were held by a reader's snapshot: try again soon.
    mu_.WaitFor(cv_, std::chrono::milliseconds(100));
    if (queue_.empty()) return group;  // empty: scrub, then wait again
  }
  size_t events = 0;
  while (!queue_.empty()) {
    const auto n = static_cast<size_t>(queue_.front().request.events_size());
    if (!group.empty() && events + n > options_.max_events_per_group) break;
    events += n;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

void EventLog::WriterLoop() {
  for (;;) {
    std::vector<Pending> group = TakeGroup();
    if (group.empty()) {
      ScrubErased();                // a retry after a reader's snapshot, or before stopping
      if (shutting_down()) return;  // stopping, and every request answered
      continue;
    }
    const uint64_t cpu0 = ThreadCpuNanos();
    CommitGroup(group);
    const uint64_t used = ThreadCpuNanos() - cpu0;
    MutexLock lock(&mu_);
    stats_.writer_cpu_ns += used;
  }
}

absl::Status EventLog::Write(const CommitBatch& batch) {
  rocksdb::WriteBatch wb = batch.ToWriteBatch();
  const bool erases = batch.deletes_aux();
  if (erases) wb.Put(db_->cf(kMetaCf), kMetaScrubPending, "1");
  rocksdb::Status s = db_->Write(wb, options_.sync);
  if (s.ok()) {
    if (erases) {
      scrub_pending_ = true;
      scrub_deleted_at_ = db_->LatestSequence();
    }
    return absl::OkStatus();
  }
  return Refusal(
      absl::StatusCode::kUnavailable, kReasonStorage,
      absl::StrCat("the ledger could not write to its disk (", s.ToString(),
                   "); the outcome is unknown: look the event ids up, or retry with the same ids"));
}

void EventLog::CommitGroup(std::vector<Pending>& group) {
  const auto started = std::chrono::steady_clock::now();
  uint64_t head;
  std::string hash;
  {
    MutexLock lock(&mu_);
    head = head_position_;
    hash = head_hash_;
  }
  if (!tree_) {
    absl::Status reloaded = ReloadTree(head);
    if (!reloaded.ok()) {
      for (Pending& p : group) p.done(reloaded);
      return;
    }
  }
  // The tree moves into the batch and back once the outcome is known.
  CommitBatch batch(db_.get(), head, hash, std::move(*tree_));
  tree_.reset();
  const int64_t now_us = absl::ToUnixMicros(clock_->Now());
  std::vector<absl::StatusOr<AppendResult>> results;
  results.reserve(group.size());
  for (const Pending& p : group) {
    results.push_back(ProcessRequest(p.request, p.actor, now_us, Keys(), batch));
  }
  const bool wrote = !batch.events().empty();
  // The batch holds exactly the events it adds to the head.
  LEDGER_CHECK(batch.head_position() == head + batch.events().size());
  const absl::Status write_status = wrote ? Write(batch) : absl::OkStatus();
  // The batch's tree holds leaves that were not written when the write
  // failed: the next commit reads the tree at the head back.
  if (write_status.ok()) tree_ = batch.TakeTree();
  CommitInfo info;
  {
    MutexLock lock(&mu_);
    // Only the writer moves the head, so it is where this group began.
    LEDGER_CHECK(head_position_ == head && head_hash_ == hash);
    if (wrote) last_write_status_ = write_status;
    if (wrote && write_status.ok()) {
      head_position_ = batch.head_position();
      head_hash_ = batch.head_hash();
      stats_.commits++;
      if (options_.sync) stats_.syncs++;
      stats_.events += batch.events().size();
    }
    stats_.requests += group.size();
    stats_.max_group_requests = std::max<uint64_t>(stats_.max_group_requests, group.size());
    info.head_position = head_position_;
    info.head_hash = head_hash_;
  }
  // An erasure is answered once what it erased has left the live files
  // (unless a reader's snapshot holds it: then soon after, by the loop).
  if (scrub_pending_) ScrubErased();
  for (size_t i = 0; i < group.size(); ++i) {
    if (results[i].ok() && !write_status.ok()) {
      group[i].done(write_status);
    } else {
      group[i].done(std::move(results[i]));
    }
  }
  if (wrote) {
    info.events = write_status.ok() ? batch.events().size() : 0;
    info.write_status = write_status;
    info.requests = group.size();
    info.duration_us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                 std::chrono::steady_clock::now() - started)
                                                 .count());
    TellListeners(info);
  }
}

void EventLog::ScrubErased() {
  if (!scrub_pending_) return;
  absl::StatusOr<bool> done = db_->Scrub({kPrivateCf, kKeysCf}, scrub_deleted_at_);
  if (!done.ok()) {
    std::fprintf(stderr, "ledger: erased details not yet out of the live files: %s\n",
                 std::string(done.status().message()).c_str());
    return;  // retried by the writer loop
  }
  if (!*done) return;
  rocksdb::WriteBatch wb;
  wb.Delete(db_->cf(kMetaCf), kMetaScrubPending);
  if (db_->Write(wb, options_.sync).ok()) scrub_pending_ = false;
}

}  // namespace ledger
