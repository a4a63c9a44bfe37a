#include "ledger/event_log.h"

#include <openssl/rand.h>
#include <time.h>

#include <filesystem>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/record.h"
#include "ledger/state.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

constexpr char kEventsCf[] = "events";
constexpr char kIdsCf[] = "ids";
constexpr char kStateCf[] = "state";
constexpr char kMetaCf[] = "meta";
constexpr char kMetaHead[] = "head";
constexpr char kMetaLedgerId[] = "ledger_id";
constexpr char kMetaLedgerName[] = "ledger_name";
constexpr char kMetaSchemaVersion[] = "schema_version";
constexpr char kSchemaVersion[] = "1";
constexpr char kGenesisEventId[] = "genesis";

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string text = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(text);
  if (s.IsNotFound()) return absl::NotFoundError(text);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(text);
  return absl::UnavailableError(text);
}

// The content an event_id stands for: what the client sent.
std::string ContentDigest(const v1::EventInput& input) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    input.SerializeToCodedStream(&out);
  }
  return Sha256(bytes);
}

std::string SerializeDeterministic(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&out);
  }
  return bytes;
}

// CPU time of the calling thread.
uint64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

std::string NewLedgerId() {
  unsigned char bytes[16];
  LEDGER_CHECK(RAND_bytes(bytes, sizeof(bytes)) == 1);
  return ToHex(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

// ------------------------------------------------------------------ read view

class EventLogReadView : public ReadView {
 public:
  explicit EventLogReadView(const EventLog* log)
      : log_(log), snapshot_(log->db_.get()) {
    options_.snapshot = snapshot_.snapshot();
    std::string head;
    rocksdb::Status s = log_->db_->Get(options_, log_->meta_cf_, kMetaHead, &head);
    if (s.ok()) {
      absl::StatusOr<HeadEntry> h = DecodeHead(head);
      if (h.ok()) {
        head_position_ = h->position;
        head_hash_ = h->hash;
      }
    }
  }

  uint64_t head_position() const override { return head_position_; }
  const std::string& head_hash() const override { return head_hash_; }
  const std::string& ledger_id() const override { return log_->ledger_id_; }
  const std::string& ledger_name() const override { return log_->ledger_name_; }

  absl::StatusOr<std::optional<std::string>> GetState(absl::string_view key) override {
    std::string value;
    rocksdb::Status s = log_->db_->Get(options_, log_->state_cf_, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(FromRocks(s, "reading state"));
    return std::optional<std::string>(std::move(value));
  }

  absl::Status ScanState(absl::string_view prefix,
                         const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(log_->db_->NewIterator(options_, log_->state_cf_));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, prefix)) break;
      if (!fn(key, absl::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status(), "scanning state");
  }

  absl::Status ScanStateFrom(absl::string_view prefix, absl::string_view start,
                             const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(log_->db_->NewIterator(options_, log_->state_cf_));
    absl::string_view from = start < prefix ? prefix : start;
    for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
      absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, prefix)) break;
      if (!fn(key, absl::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status(), "scanning state");
  }

  absl::StatusOr<StoredEvent> GetEvent(uint64_t position) override {
    if (position == 0 || position > head_position_) {
      return absl::NotFoundError(absl::StrCat("no event at position ", position, " (head is ",
                                              head_position_, ")"));
    }
    std::string value;
    rocksdb::Status s = log_->db_->Get(options_, log_->events_cf_, EventKey(position), &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat("event at position ", position,
                                              " is missing from the log"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading an event"));
    return Decode(position, value);
  }

  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) override {
    std::string value;
    rocksdb::Status s = log_->db_->Get(options_, log_->ids_cf_, rocksdb::Slice(event_id.data(), event_id.size()), &value);
    if (s.IsNotFound()) return std::optional<uint64_t>();
    RETURN_IF_ERROR(FromRocks(s, "reading the id index"));
    ASSIGN_OR_RETURN(IdEntry entry, DecodeIdEntry(value));
    if (entry.position > head_position_) return std::optional<uint64_t>();
    return std::optional<uint64_t>(entry.position);
  }

  absl::Status ScanEvents(uint64_t from, const std::function<bool(const StoredEvent&)>& fn) override {
    if (from == 0) from = 1;
    rocksdb::ReadOptions options = options_;
    options.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(log_->db_->NewIterator(options, log_->events_cf_));
    uint64_t expected = from;
    for (it->Seek(EventKey(from)); it->Valid() && expected <= head_position_; it->Next()) {
      ASSIGN_OR_RETURN(uint64_t position,
                       DecodeEventKey(absl::string_view(it->key().data(), it->key().size())));
      if (position != expected) {
        return absl::DataLossError(absl::StrCat("the log has a gap: expected position ", expected,
                                                ", found ", position));
      }
      ASSIGN_OR_RETURN(StoredEvent e,
                       Decode(position, absl::string_view(it->value().data(), it->value().size())));
      if (!fn(e)) return absl::OkStatus();
      ++expected;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scanning events"));
    if (expected <= head_position_) {
      return absl::DataLossError(absl::StrCat("the log ends at position ", expected - 1,
                                              " but the head is ", head_position_));
    }
    return absl::OkStatus();
  }

 private:
  static absl::StatusOr<StoredEvent> Decode(uint64_t position, absl::string_view value) {
    absl::StatusOr<EventRecord> record = DecodeEventRecord(value);
    if (!record.ok()) {
      return absl::DataLossError(absl::StrCat("position ", position, ": ", record.status().message()));
    }
    StoredEvent e;
    e.position = position;
    e.prev_hash = std::move(record->prev_hash);
    e.hash = std::move(record->hash);
    e.payload_bytes = std::move(record->payload);
    if (!e.payload.ParseFromString(e.payload_bytes)) {
      return absl::DataLossError(absl::StrCat("position ", position, ": payload cannot be decoded"));
    }
    return e;
  }

  const EventLog* log_;
  rocksdb::ManagedSnapshot snapshot_;
  rocksdb::ReadOptions options_;
  uint64_t head_position_ = 0;
  std::string head_hash_;
};

absl::StatusOr<v1::Event> ReadView::ToApiEvent(const StoredEvent& stored) {
  v1::Event e;
  e.set_position(stored.position);
  e.set_event_id(stored.payload.event_id());
  e.set_recorded_at_us(stored.payload.recorded_at_us());
  e.set_occurred_on(stored.payload.occurred_on());
  e.set_actor(stored.payload.actor());
  e.set_memo(stored.payload.memo());
  *e.mutable_body() = stored.payload.body();
  e.set_prev_hash(stored.prev_hash);
  e.set_hash(stored.hash);
  ASSIGN_OR_RETURN(std::optional<v1::ReversalMark> mark,
                   Load<v1::ReversalMark>(ReversalKey(stored.position)));
  if (mark) e.set_reversed_by_position(mark->reversed_by_position());
  return e;
}

absl::StatusOr<std::optional<LoggedEvent>> ReadViewLookup::FindByEventId(absl::string_view event_id) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> position, view_.FindEventId(event_id));
  if (!position || *position >= before_) return std::optional<LoggedEvent>();
  ASSIGN_OR_RETURN(StoredEvent e, view_.GetEvent(*position));
  return std::optional<LoggedEvent>(LoggedEvent{e.position, std::move(e.payload)});
}

absl::StatusOr<v1::Event> ReadView::GetApiEvent(uint64_t position) {
  ASSIGN_OR_RETURN(StoredEvent stored, GetEvent(position));
  return ToApiEvent(stored);
}

// ------------------------------------------------------------------ batch

// One group commit being built by the writer: the state and events of every
// request accepted so far, layered over the database.
class EventLog::Batch : public StateView {
 public:
  struct NewEvent {
    uint64_t position;
    v1::EventPayload payload;
    std::string payload_bytes;
    std::string prev_hash;
    std::string hash;
    std::string digest;
  };

  Batch(EventLog* log, uint64_t head_position, std::string head_hash)
      : log_(log), head_position_(head_position), head_hash_(std::move(head_hash)) {}

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    auto it = changes_.find(key);
    if (it != changes_.end()) return std::optional<std::string>(it->second);
    std::string value;
    rocksdb::Status s = log_->db_->Get(rocksdb::ReadOptions(), log_->state_cf_,
                                       rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(FromRocks(s, "reading state"));
    return std::optional<std::string>(std::move(value));
  }
  void Put(absl::string_view key, std::string value) override {
    changes_[std::string(key)] = std::move(value);
  }
  absl::Status Scan(absl::string_view prefix, absl::string_view start, const RowFn& fn) override {
    // The writer is the only one writing, so the database needs no snapshot
    // while a batch is being built.
    return ScanMerged(
        changes_,
        [this](absl::string_view p, absl::string_view from, const RowFn& f) -> absl::Status {
          std::unique_ptr<rocksdb::Iterator> it(
              log_->db_->NewIterator(rocksdb::ReadOptions(), log_->state_cf_));
          for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
            absl::string_view key(it->key().data(), it->key().size());
            if (!absl::StartsWith(key, p)) break;
            if (!f(key, absl::string_view(it->value().data(), it->value().size()))) break;
          }
          return FromRocks(it->status(), "scanning state");
        },
        prefix, start, fn);
  }

  // The event recorded under `event_id`: in this batch or in the log.
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> FindId(absl::string_view event_id) {
    auto it = ids_.find(event_id);
    if (it != ids_.end()) {
      const NewEvent& e = events_[it->second];
      return std::optional<std::pair<uint64_t, std::string>>({e.position, e.digest});
    }
    std::string value;
    rocksdb::Status s = log_->db_->Get(rocksdb::ReadOptions(), log_->ids_cf_,
                                       rocksdb::Slice(event_id.data(), event_id.size()), &value);
    if (s.IsNotFound()) return std::optional<std::pair<uint64_t, std::string>>();
    RETURN_IF_ERROR(FromRocks(s, "reading the id index"));
    ASSIGN_OR_RETURN(IdEntry entry, DecodeIdEntry(value));
    return std::optional<std::pair<uint64_t, std::string>>({entry.position, entry.digest});
  }

  absl::StatusOr<std::optional<LoggedEvent>> FindEvent(absl::string_view event_id) {
    auto it = ids_.find(event_id);
    if (it != ids_.end()) {
      const NewEvent& e = events_[it->second];
      return std::optional<LoggedEvent>(LoggedEvent{e.position, e.payload});
    }
    ASSIGN_OR_RETURN(auto found, FindId(event_id));
    if (!found) return std::optional<LoggedEvent>();
    std::string value;
    rocksdb::Status s = log_->db_->Get(rocksdb::ReadOptions(), log_->events_cf_,
                                       EventKey(found->first), &value);
    RETURN_IF_ERROR(FromRocks(s, "reading a reversal's target"));
    ASSIGN_OR_RETURN(EventRecord record, DecodeEventRecord(value));
    LoggedEvent logged;
    logged.position = found->first;
    if (!logged.payload.ParseFromString(record.payload)) {
      return absl::DataLossError(absl::StrCat("event at position ", found->first,
                                              " cannot be decoded"));
    }
    return std::optional<LoggedEvent>(std::move(logged));
  }

  void AddEvents(std::vector<NewEvent>&& events) {
    for (NewEvent& e : events) {
      head_position_ = e.position;
      head_hash_ = e.hash;
      ids_[e.payload.event_id()] = events_.size();
      events_.push_back(std::move(e));
    }
  }

  uint64_t head_position() const { return head_position_; }
  const std::string& head_hash() const { return head_hash_; }
  const std::vector<NewEvent>& events() const { return events_; }
  const std::map<std::string, std::string, std::less<>>& changes() const { return changes_; }

 private:
  EventLog* log_;
  uint64_t head_position_;
  std::string head_hash_;
  std::map<std::string, std::string, std::less<>> changes_;
  std::vector<NewEvent> events_;
  absl::flat_hash_map<std::string, size_t> ids_;
};

namespace {

// Looks reversal targets up in the request being built, then the batch and
// the log.
class RequestLookup : public EventLookup {
 public:
  using NewEvent = std::vector<LoggedEvent>;
  RequestLookup(std::function<absl::StatusOr<std::optional<LoggedEvent>>(absl::string_view)> batch,
                const std::vector<LoggedEvent>* local)
      : batch_(std::move(batch)), local_(local) {}
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override {
    for (const LoggedEvent& e : *local_) {
      if (e.payload.event_id() == event_id) return std::optional<LoggedEvent>(e);
    }
    return batch_(event_id);
  }

 private:
  std::function<absl::StatusOr<std::optional<LoggedEvent>>(absl::string_view)> batch_;
  const std::vector<LoggedEvent>* local_;
};

}  // namespace

// ------------------------------------------------------------------ open

EventLog::EventLog(const std::string& dir, const EventLogOptions& options)
    : dir_(dir), options_(options), clock_(options.clock ? options.clock : Clock::Real()) {}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const std::string& dir,
                                                         const EventLogOptions& options) {
  std::unique_ptr<EventLog> log(new EventLog(dir, options));
  RETURN_IF_ERROR(log->OpenDb());
  RETURN_IF_ERROR(log->LoadOrCreate());
  if (!options.read_only) log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

absl::Status EventLog::OpenDb() {
  namespace fs = std::filesystem;
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
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = !has_db;
  db_options.paranoid_checks = true;
  // Every acknowledged commit was synced to the WAL, so damage anywhere but
  // a torn record at its very end (a write that was never acknowledged)
  // means acknowledged events would be dropped by replaying up to it
  // (RocksDB's default, point-in-time recovery). Refuse to open instead:
  // Open fails with DATA_LOSS naming the WAL file, and the operator restores
  // a backup (docs/OPERATIONS.md).
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.IncreaseParallelism(2);
  if (options_.env != nullptr) db_options.env = options_.env;
  rocksdb::ColumnFamilyOptions cf_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEventsCf, cf_options},
      {kIdsCf, cf_options},
      {kStateCf, cf_options},
      {kMetaCf, cf_options}};
  if (has_db) {
    std::vector<std::string> names;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir_, &names);
    RETURN_IF_ERROR(FromRocks(s, absl::StrCat("reading ", dir_)));
    for (const char* want : {kEventsCf, kIdsCf, kStateCf, kMetaCf}) {
      if (std::find(names.begin(), names.end(), want) == names.end()) {
        return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                       absl::StrCat(dir_, " is a RocksDB database but not a ledger (no \"", want,
                                    "\" column family)"));
      }
    }
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir_, cfs, &handles_, &raw)
          : rocksdb::DB::Open(db_options, dir_, cfs, &handles_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("data directory ", dir_,
                                  " is in use by another process (its LOCK is held)"));
    }
    if (s.IsCorruption() && !absl::StrContains(s.ToString(), ".sst") &&
        !absl::StrContains(s.ToString(), "MANIFEST")) {
      // RocksDB does not name the WAL file that failed its checksum; the
      // live ones are the *.log files in the directory.
      std::vector<std::string> wals;
      for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        if (entry.path().extension() == ".log") {
          wals.push_back(absl::StrCat(entry.path().filename().string(), " (",
                                      entry.file_size(ec), " bytes)"));
        }
      }
      std::sort(wals.begin(), wals.end());
      if (!wals.empty()) {
        return FromRocks(
            s, absl::StrCat("opening ", dir_, " (replaying its write-ahead log ",
                            absl::StrJoin(wals, ", "),
                            "; the ledger will not drop the acknowledged commits after damaged "
                            "WAL records: restore the latest backup, see docs/OPERATIONS.md)"));
      }
    }
    return FromRocks(s, absl::StrCat("opening ", dir_));
  }
  db_.reset(raw);
  events_cf_ = handles_[1];
  ids_cf_ = handles_[2];
  state_cf_ = handles_[3];
  meta_cf_ = handles_[4];
  return absl::OkStatus();
}

absl::Status EventLog::LoadOrCreate() {
  std::string id, head;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, kMetaLedgerId, &id);
  if (s.ok()) {
    std::string version;
    RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), meta_cf_, kMetaSchemaVersion, &version),
                              "reading the schema version"));
    if (version != kSchemaVersion) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                     absl::StrCat("ledger in ", dir_, " has schema version ", version,
                                  "; this build reads version ", kSchemaVersion));
    }
    RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), meta_cf_, kMetaHead, &head),
                              "reading the head"));
    ASSIGN_OR_RETURN(HeadEntry h, DecodeHead(head));
    db_->Get(rocksdb::ReadOptions(), meta_cf_, kMetaLedgerName, &ledger_name_).PermitUncheckedError();
    ledger_id_ = id;
    // Check the head against the log: the last event must be the head.
    std::string last;
    s = db_->Get(rocksdb::ReadOptions(), events_cf_, EventKey(h.position), &last);
    if (!s.ok()) {
      return absl::DataLossError(absl::StrCat("ledger in ", dir_, ": head event ", h.position,
                                              " is missing: ", s.ToString()));
    }
    ASSIGN_OR_RETURN(EventRecord record, DecodeEventRecord(last));
    if (record.hash != h.hash) {
      return absl::DataLossError(absl::StrCat("ledger in ", dir_, ": the head hash does not match ",
                                              "the event at position ", h.position));
    }
    std::lock_guard<std::mutex> lock(mu_);
    head_position_ = h.position;
    head_hash_ = h.hash;
    return absl::OkStatus();
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading the ledger id");
  if (options_.read_only) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonStorage,
                   absl::StrCat(dir_, " holds no ledger"));
  }
  // A new ledger: write the genesis event.
  ledger_id_ = NewLedgerId();
  ledger_name_ = options_.ledger_name;
  v1::EventPayload payload;
  payload.set_event_id(kGenesisEventId);
  payload.set_recorded_at_us(absl::ToUnixMicros(clock_->Now()));
  payload.set_occurred_on(FormatDate(TodayUtc(clock_)));
  payload.set_actor("ledgerd");
  payload.mutable_body()->mutable_ledger_opened()->set_ledger_id(ledger_id_);
  payload.mutable_body()->mutable_ledger_opened()->set_name(ledger_name_);
  Batch batch(this, 0, ZeroHash());
  class NoLookup : public EventLookup {
   public:
    absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view) override {
      return std::optional<LoggedEvent>();
    }
  } no_lookup;
  RETURN_IF_ERROR(ApplyEvent(1, payload, batch, no_lookup, EventChecks::kWhenRecorded));
  const std::string bytes = SerializeDeterministic(payload);
  const std::string hash = ChainHash(ledger_id_, 1, ZeroHash(), bytes);
  rocksdb::WriteBatch wb;
  wb.Put(events_cf_, EventKey(1), EncodeEventRecord(ZeroHash(), hash, bytes));
  v1::EventInput genesis_input;
  genesis_input.set_event_id(kGenesisEventId);
  wb.Put(ids_cf_, kGenesisEventId, EncodeIdEntry(1, ContentDigest(genesis_input)));
  for (const auto& [key, value] : batch.changes()) wb.Put(state_cf_, key, value);
  wb.Put(meta_cf_, kMetaLedgerId, ledger_id_);
  wb.Put(meta_cf_, kMetaLedgerName, ledger_name_);
  wb.Put(meta_cf_, kMetaSchemaVersion, kSchemaVersion);
  wb.Put(meta_cf_, kMetaHead, EncodeHead(1, hash));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "creating the ledger"));
  std::lock_guard<std::mutex> lock(mu_);
  head_position_ = 1;
  head_hash_ = hash;
  return absl::OkStatus();
}

EventLog::~EventLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (db_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_.clear();
  if (db_) db_->Close().PermitUncheckedError();
}

void EventLog::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool EventLog::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

uint64_t EventLog::head_position() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_position_;
}

std::string EventLog::head_hash() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_hash_;
}

rocksdb::ColumnFamilyHandle* EventLog::column_family(absl::string_view name) const {
  if (name == kEventsCf) return events_cf_;
  if (name == kIdsCf) return ids_cf_;
  if (name == kStateCf) return state_cf_;
  if (name == kMetaCf) return meta_cf_;
  return nullptr;
}

EventLogStats EventLog::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::Status EventLog::last_write_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_write_status_;
}

std::unique_ptr<ReadView> EventLog::NewReadView() {
  return std::make_unique<EventLogReadView>(this);
}

uint64_t EventLog::WaitForHeadBeyond(uint64_t position, absl::Time deadline) {
  // std::mutex rather than absl::Mutex here and below: Debian's Abseil is not
  // built for ThreadSanitizer, which then cannot see absl::Mutex's ordering.
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, absl::ToChronoTime(deadline),
                 [&] { return head_position_ > position || stopping_; });
  return head_position_;
}

// ------------------------------------------------------------------ append

void EventLog::AppendAsync(v1::AppendRequest request, std::string actor, AppendCallback done) {
  LEDGER_CHECK(!options_.read_only);
  absl::Status refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refusal = Refusal(absl::StatusCode::kUnavailable, kReasonStorage,
                        "the ledger is shutting down; nothing was recorded");
    } else if (queue_.size() >= options_.max_queued_appends) {
      refusal = Refusal(absl::StatusCode::kResourceExhausted, kReasonQueueFull,
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
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  absl::StatusOr<AppendResult> result;
  AppendAsync(request, std::string(actor), [&](absl::StatusOr<AppendResult> r) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    finished = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

void EventLog::WriterLoop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and every request answered
      size_t events = 0;
      while (!queue_.empty()) {
        const size_t n = static_cast<size_t>(queue_.front().request.events_size());
        if (!group.empty() && events + n > options_.max_events_per_group) break;
        events += n;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const uint64_t cpu0 = ThreadCpuNanos();
    CommitGroup(group);
    const uint64_t used = ThreadCpuNanos() - cpu0;
    std::lock_guard<std::mutex> lock(mu_);
    stats_.writer_cpu_ns += used;
  }
}

namespace {

// Checks one request and, if it is accepted, adds its events and state to
// `batch`. Returns the answer for the request.
absl::StatusOr<AppendResult> ProcessRequest(const v1::AppendRequest& req, absl::string_view actor,
                                            int64_t recorded_at_us, const std::string& ledger_id,
                                            EventLog::Batch& batch);

}  // namespace

void EventLog::CommitGroup(std::vector<Pending>& group) {
  uint64_t head;
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    head = head_position_;
    hash = head_hash_;
  }
  Batch batch(this, head, hash);
  const int64_t now_us = absl::ToUnixMicros(clock_->Now());
  std::vector<absl::StatusOr<AppendResult>> results;
  results.reserve(group.size());
  for (const Pending& p : group) {
    results.push_back(ProcessRequest(p.request, p.actor, now_us, ledger_id_, batch));
  }
  absl::Status write_status;
  const bool wrote = !batch.events().empty();
  if (wrote) {
    rocksdb::WriteBatch wb;
    for (const Batch::NewEvent& e : batch.events()) {
      wb.Put(events_cf_, EventKey(e.position),
             EncodeEventRecord(e.prev_hash, e.hash, e.payload_bytes));
      wb.Put(ids_cf_, e.payload.event_id(), EncodeIdEntry(e.position, e.digest));
    }
    for (const auto& [key, value] : batch.changes()) wb.Put(state_cf_, key, value);
    wb.Put(meta_cf_, kMetaHead, EncodeHead(batch.head_position(), batch.head_hash()));
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    rocksdb::Status s = db_->Write(wo, &wb);
    if (!s.ok()) {
      write_status = Refusal(
          absl::StatusCode::kUnavailable, kReasonStorage,
          absl::StrCat("the ledger could not write to its disk (", s.ToString(),
                       "); the outcome is unknown: look the event ids up, or retry with the same ids"));
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
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
  }
  cv_.notify_all();
  for (size_t i = 0; i < group.size(); ++i) {
    if (results[i].ok() && !write_status.ok()) {
      group[i].done(write_status);
    } else {
      group[i].done(std::move(results[i]));
    }
  }
}

namespace {

absl::StatusOr<AppendResult> ProcessRequest(const v1::AppendRequest& req, absl::string_view actor,
                                            int64_t recorded_at_us, const std::string& ledger_id,
                                            EventLog::Batch& batch) {
  const int n = req.events_size();
  if (n == 0) return InvalidField("events", "at least one event is required");
  if (static_cast<size_t>(n) > kMaxEventsPerAppend) {
    return InvalidField("events", absl::StrCat(n, " events is over the limit of ",
                                               kMaxEventsPerAppend, " per append"));
  }
  absl::flat_hash_map<absl::string_view, int> seen;
  for (int i = 0; i < n; ++i) {
    RETURN_IF_ERROR(AtEventIndex(ValidateInput(req.events(i)), i));
    auto [it, inserted] = seen.emplace(req.events(i).event_id(), i);
    if (!inserted) {
      return AtEventIndex(InvalidField("event_id", absl::StrCat("repeats events[", it->second,
                                                                "].event_id in the same append")),
                          i);
    }
  }
  // Idempotency: ids recorded before must carry the same content.
  AppendResult result;
  result.positions.assign(n, 0);
  std::vector<std::string> digests(n);
  int known = 0;
  for (int i = 0; i < n; ++i) {
    digests[i] = ContentDigest(req.events(i));
    ASSIGN_OR_RETURN(auto found, batch.FindId(req.events(i).event_id()));
    if (!found) continue;
    if (found->second != digests[i]) {
      v1::ErrorDetail detail;
      detail.set_reason(kReasonEventIdReused);
      detail.set_field(absl::StrCat("events[", i, "].event_id"));
      detail.set_event_id(req.events(i).event_id());
      detail.set_position(found->first);
      detail.set_event_index(i);
      return WithDetail(absl::StatusCode::kAlreadyExists,
                        absl::StrCat("events[", i, "].event_id: \"", req.events(i).event_id(),
                                     "\" was recorded at position ", found->first,
                                     " with different content; choose a new event id"),
                        detail);
    }
    result.positions[i] = found->first;
    ++known;
  }
  if (known == n) {
    result.head_position = batch.head_position();
    result.head_hash = batch.head_hash();
    result.deduplicated = true;
    return result;
  }
  if (req.has_expected_head_position() && req.expected_head_position() != batch.head_position()) {
    v1::ErrorDetail detail;
    detail.set_reason(kReasonHeadMoved);
    detail.set_position(batch.head_position());
    return WithDetail(absl::StatusCode::kAborted,
                      absl::StrCat("expected_head_position is ", req.expected_head_position(),
                                   " but the head is at ", batch.head_position(),
                                   "; read again and retry"),
                      detail);
  }
  OverlayState overlay(&batch);
  std::vector<LoggedEvent> local;
  std::vector<EventLog::Batch::NewEvent> fresh;
  RequestLookup lookup([&batch](absl::string_view id) { return batch.FindEvent(id); }, &local);
  uint64_t position = batch.head_position();
  std::string prev_hash = batch.head_hash();
  for (int i = 0; i < n; ++i) {
    if (result.positions[i] != 0) continue;
    const v1::EventInput& in = req.events(i);
    EventLog::Batch::NewEvent e;
    e.position = ++position;
    e.payload.set_event_id(in.event_id());
    e.payload.set_recorded_at_us(recorded_at_us);
    e.payload.set_occurred_on(in.occurred_on());
    e.payload.set_actor(std::string(actor.substr(0, kMaxNameLength)));
    e.payload.set_memo(in.memo());
    *e.payload.mutable_body() = in.body();
    RETURN_IF_ERROR(AtEventIndex(
        ApplyEvent(e.position, e.payload, overlay, lookup, EventChecks::kWhenRecorded), i));
    e.payload_bytes = SerializeDeterministic(e.payload);
    e.prev_hash = prev_hash;
    e.hash = ChainHash(ledger_id, e.position, prev_hash, e.payload_bytes);
    e.digest = digests[i];
    prev_hash = e.hash;
    result.positions[i] = e.position;
    local.push_back(LoggedEvent{e.position, e.payload});
    fresh.push_back(std::move(e));
  }
  overlay.CommitToBase();
  batch.AddEvents(std::move(fresh));
  result.head_position = batch.head_position();
  result.head_hash = batch.head_hash();
  return result;
}

}  // namespace

}  // namespace ledger
