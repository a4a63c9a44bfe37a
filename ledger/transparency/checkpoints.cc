#include "ledger/transparency/checkpoints.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"
#include "rocksdb/write_batch.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {
namespace {

// Rows of the checkpoints column family (ledger/FORMAT.md).
constexpr absl::string_view kCheckpointPrefix = "cp/";
constexpr absl::string_view kCosignaturePrefix = "co/";
constexpr char kCosignedKey[] = "cosigned";
constexpr char kVerifierKeyKey[] = "key";

std::string CheckpointKey(uint64_t size) {
  return absl::StrCat(kCheckpointPrefix, EncodeBigEndian64(size));
}
std::string CosignaturePrefix(uint64_t size) {
  return absl::StrCat(kCosignaturePrefix, EncodeBigEndian64(size), "/");
}

bool KeyStartsWith(const rocksdb::Slice& key, absl::string_view prefix) {
  return absl::StartsWith(absl::string_view(key.data(), key.size()), prefix);
}

absl::Status Damaged(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("the checkpoints column family is damaged: ", what));
}

// The timestamp a cosignature/v1 signature states.
int64_t CosignatureTime(const merkle::NoteSignature& s) {
  return s.signature.size() >= 8 ? static_cast<int64_t>(DecodeBigEndian64(s.signature)) : 0;
}

int64_t NowMicros(Clock* clock) { return absl::ToUnixMicros(clock->Now()); }

}  // namespace

std::string DefaultCheckpointOrigin(absl::string_view ledger_id) {
  return absl::StrCat("solidarity-ledger/", ledger_id);
}

// ------------------------------------------------------------------ store

absl::StatusOr<std::optional<v1::Checkpoint>> CheckpointStore::Load(uint64_t size) const {
  if (!present()) return std::optional<v1::Checkpoint>();
  ASSIGN_OR_RETURN(std::optional<std::string> row, db_->Get(kCheckpointsCf, CheckpointKey(size)));
  if (!row) return std::optional<v1::Checkpoint>();
  v1::StoredCheckpoint stored;
  if (!stored.ParseFromString(*row)) return Damaged(absl::StrCat("checkpoint ", size));
  // The note as served: the stored note and each cosignature line, by name.
  std::string note = stored.note();
  const std::string prefix = CosignaturePrefix(size);
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(kCheckpointsCf, rocksdb::ReadOptions());
  for (it->Seek(prefix); it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
    note.append(it->value().data(), it->value().size());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading cosignatures"));
  absl::StatusOr<merkle::SignedNote> parsed = merkle::ParseNote(note);
  if (!parsed.ok()) return Damaged(parsed.status().message());
  absl::StatusOr<merkle::Checkpoint> cp = merkle::ParseCheckpointText(parsed->text);
  if (!cp.ok() || cp->size != size) return Damaged(absl::StrCat("checkpoint ", size));
  v1::Checkpoint out;
  out.set_note(note);
  out.set_origin(cp->origin);
  out.set_tree_size(cp->size);
  out.set_root_hash(cp->root);
  out.set_signed_at_us(stored.signed_at_us());
  for (const merkle::NoteSignature& s : parsed->signatures) {
    if (s.name == cp->origin) continue;  // the ledger's own
    v1::Cosignature* c = out.add_cosignatures();
    c->set_witness(s.name);
    c->set_key_id(s.key_id);
    c->set_timestamp_seconds(CosignatureTime(s));
  }
  return std::optional<v1::Checkpoint>(std::move(out));
}

absl::StatusOr<std::vector<uint64_t>> CheckpointStore::NewestSizes(size_t n) const {
  std::vector<uint64_t> sizes;
  if (!present()) return sizes;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(kCheckpointsCf, rocksdb::ReadOptions());
  for (it->SeekForPrev(CheckpointKey(UINT64_MAX));
       it->Valid() && KeyStartsWith(it->key(), kCheckpointPrefix) && sizes.size() < n; it->Prev()) {
    if (it->key().size() != kCheckpointPrefix.size() + 8) return Damaged("a checkpoint key");
    sizes.push_back(DecodeBigEndian64(
        absl::string_view(it->key().data(), it->key().size()).substr(kCheckpointPrefix.size())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading checkpoints"));
  std::reverse(sizes.begin(), sizes.end());
  return sizes;
}

absl::StatusOr<std::optional<v1::Checkpoint>> CheckpointStore::Latest() const {
  ASSIGN_OR_RETURN(std::vector<uint64_t> newest, NewestSizes(1));
  if (newest.empty()) return std::optional<v1::Checkpoint>();
  return Load(newest.back());
}

absl::StatusOr<std::optional<v1::Checkpoint>> CheckpointStore::LatestCosigned() const {
  if (!present()) return std::optional<v1::Checkpoint>();
  ASSIGN_OR_RETURN(std::optional<std::string> row, db_->Get(kCheckpointsCf, kCosignedKey));
  if (!row) return std::optional<v1::Checkpoint>();
  if (row->size() != 8) return Damaged("the newest cosigned size");
  return Load(DecodeBigEndian64(*row));
}

absl::StatusOr<std::optional<std::string>> CheckpointStore::VerifierKey() const {
  if (!present()) return std::optional<std::string>();
  return db_->Get(kCheckpointsCf, kVerifierKeyKey);
}

absl::Status CheckpointStore::PutCheckpoint(uint64_t size, absl::string_view note,
                                            int64_t signed_at_us, absl::string_view verifier_key) {
  v1::StoredCheckpoint row;
  row.set_note(std::string(note));
  row.set_signed_at_us(signed_at_us);
  rocksdb::WriteBatch wb;
  wb.Put(db_->cf(kCheckpointsCf), CheckpointKey(size), row.SerializeAsString());
  wb.Put(db_->cf(kCheckpointsCf), kVerifierKeyKey,
         rocksdb::Slice(verifier_key.data(), verifier_key.size()));
  // The writer writes the log's families; only the signer and the
  // cosignatures write this one.
  return FromRocks(db_->Write(wb, /*sync=*/true), "storing a checkpoint");
}

absl::Status CheckpointStore::PutCosignatures(uint64_t size,
                                              const std::vector<merkle::NoteSignature>& lines) {
  rocksdb::WriteBatch wb;
  for (const merkle::NoteSignature& s : lines) {
    wb.Put(db_->cf(kCheckpointsCf), absl::StrCat(CosignaturePrefix(size), s.name), s.Line());
  }
  ASSIGN_OR_RETURN(std::optional<std::string> newest, db_->Get(kCheckpointsCf, kCosignedKey));
  if (!newest || newest->size() != 8 || DecodeBigEndian64(*newest) < size) {
    wb.Put(db_->cf(kCheckpointsCf), kCosignedKey, EncodeBigEndian64(size));
  }
  return FromRocks(db_->Write(wb, /*sync=*/true), "storing a cosignature");
}

absl::Status CheckpointStore::PruneUncosigned(uint64_t size) {
  const std::string prefix = CosignaturePrefix(size);
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(kCheckpointsCf, rocksdb::ReadOptions());
  it->Seek(prefix);
  if (it->Valid() && KeyStartsWith(it->key(), prefix)) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocks(it->status(), "reading cosignatures"));
  rocksdb::WriteBatch wb;
  wb.Delete(db_->cf(kCheckpointsCf), CheckpointKey(size));
  return FromRocks(db_->Write(wb, /*sync=*/false), "pruning a checkpoint");
}

// ------------------------------------------------------------------ witness keys

absl::StatusOr<std::vector<merkle::VerifierKey>> LoadWitnessKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("witness keys file ", path, " cannot be read"));
  }
  std::vector<merkle::VerifierKey> keys;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const std::string where = absl::StrCat("witness keys file ", path, " line ", number, ": ");
    absl::StatusOr<merkle::VerifierKey> key = merkle::ParseVerifierKey(text);
    if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat(where, key.status().message()));
    if (key->type != merkle::kTypeCosignatureV1) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          "a witness key has signature type 0x04 (cosignature/v1); `ledgerctl key show --key FILE "
          "--name NAME --witness` prints one"));
    }
    for (const merkle::VerifierKey& k : keys) {
      if (k.name == key->name) {
        return absl::InvalidArgumentError(absl::StrCat(where, "a second key named ", k.name));
      }
    }
    if (keys.size() == kMaxWitnesses) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "more than ", kMaxWitnesses, " witnesses"));
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

// ------------------------------------------------------------------ signer

Checkpointer::Checkpointer(EventLog* log, merkle::Ed25519PrivateKey key,
                           CheckpointerOptions options, std::string origin)
    : log_(log),
      key_(std::move(key)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : Clock::Real()),
      vkey_{std::move(origin), merkle::kTypeEd25519, key_.public_key()},
      store_(&log->database()) {}

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(EventLog* log,
                                                                  merkle::Ed25519PrivateKey key,
                                                                  CheckpointerOptions options) {
  LEDGER_CHECK(!log->read_only());
  std::string origin =
      options.origin.empty() ? DefaultCheckpointOrigin(log->ledger_id()) : options.origin;
  if (!merkle::IsValidKeyName(origin)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint origin \"", origin,
                     "\" is not a valid name (no spaces, no \"+\"; e.g. example.org/books)"));
  }
  std::unique_ptr<Checkpointer> c(
      new Checkpointer(log, std::move(key), std::move(options), std::move(origin)));
  RETURN_IF_ERROR(c->CheckStored());
  {
    MutexLock lock(&c->mu_);
    c->head_ = log->head_position();
  }
  c->listener_ = log->AddCommitListener([raw = c.get()](const CommitInfo& info) {
    if (!info.write_status.ok()) return;
    MutexLock lock(&raw->mu_);
    raw->head_ = std::max(raw->head_, info.head_position);
    raw->cv_.notify_all();
  });
  RETURN_IF_ERROR(c->Sign().status());
  c->thread_ = std::thread([raw = c.get()] { raw->Loop(); });
  return c;
}

Checkpointer::~Checkpointer() {
  if (listener_ != 0) log_->RemoveCommitListener(listener_);
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::Status Checkpointer::CheckStored() {
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> latest, store_.Latest());
  if (latest) {
    if (latest->origin() != origin()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this ledger's checkpoints are signed for origin \"", latest->origin(), "\", not \"",
          origin(),
          "\": witnesses and auditors would see another log (keep --checkpoint_origin as it "
          "was)"));
    }
    std::unique_ptr<ReadView> view = log_->NewReadView();
    if (latest->tree_size() > view->head_position()) {
      return absl::DataLossError(absl::StrCat(
          "this ledger signed a checkpoint of ", latest->tree_size(),
          " events but its log now ends at ", view->head_position(),
          ": events were removed after they were signed; refusing to sign (docs/AUDITING.md)"));
    }
    ViewTree tree(*view);
    ASSIGN_OR_RETURN(std::string root, tree.Root(latest->tree_size()));
    if (root != latest->root_hash()) {
      return absl::DataLossError(absl::StrCat(
          "the log was changed after checkpoint ", latest->tree_size(), " was signed: its first ",
          latest->tree_size(),
          " events no longer have the signed root; refusing to sign (docs/AUDITING.md)"));
    }
  }
  ASSIGN_OR_RETURN(std::vector<uint64_t> kept,
                   store_.NewestSizes(std::max<size_t>(1, options_.keep)));
  MutexLock lock(&mu_);
  latest_ = std::move(latest);
  kept_.assign(kept.begin(), kept.end());
  return absl::OkStatus();
}

absl::StatusOr<v1::Checkpoint> Checkpointer::Sign() {
  MutexLock sign_lock(&sign_mu_);
  std::unique_ptr<ReadView> view = log_->NewReadView();
  const uint64_t size = view->head_position();
  {
    MutexLock lock(&mu_);
    if (latest_ && latest_->tree_size() >= size) return *latest_;
  }
  ViewTree tree(*view);
  ASSIGN_OR_RETURN(std::string root, tree.Root(size));
  const std::string text = merkle::Checkpoint{origin(), size, root}.Text();
  const merkle::SignedNote note{text, {merkle::SignNote(text, origin(), key_)}};
  const int64_t now_us = NowMicros(clock_);
  const std::string formatted = note.Format();
  RETURN_IF_ERROR(store_.PutCheckpoint(size, formatted, now_us, vkey_.ToString()));
  v1::Checkpoint signed_cp;
  signed_cp.set_note(formatted);
  signed_cp.set_origin(origin());
  signed_cp.set_tree_size(size);
  signed_cp.set_root_hash(root);
  signed_cp.set_signed_at_us(now_us);
  std::vector<uint64_t> drop;
  {
    MutexLock lock(&mu_);
    latest_ = signed_cp;
    kept_.push_back(size);
    while (kept_.size() > std::max<size_t>(1, options_.keep)) {
      drop.push_back(kept_.front());
      kept_.pop_front();
    }
  }
  MutexLock store_lock(&store_mu_);
  for (uint64_t old : drop) RETURN_IF_ERROR(store_.PruneUncosigned(old));
  return signed_cp;
}

void Checkpointer::Loop() {
  using Steady = std::chrono::steady_clock;
  const auto interval = absl::ToChronoMilliseconds(options_.interval);
  Steady::time_point last = Steady::now();
  for (;;) {
    {
      // Until the head has moved past the latest checkpoint and the
      // interval since the last one has passed (or the stop).
      MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        const uint64_t signed_size = latest_ ? latest_->tree_size() : 0;
        if (head_ <= signed_size) {
          mu_.Wait(cv_);
          continue;
        }
        const Steady::time_point due = last + interval;
        if (Steady::now() >= due) break;
        mu_.WaitUntil(cv_, due);
      }
    }
    const absl::Status signed_ok = Sign().status();
    last = Steady::now();
    MutexLock lock(&mu_);
    last_error_ = signed_ok;
  }
}

absl::StatusOr<v1::Checkpoint> Checkpointer::SignNow() {
  absl::StatusOr<v1::Checkpoint> out = Sign();
  MutexLock lock(&mu_);
  last_error_ = out.status();
  return out;
}

std::optional<v1::Checkpoint> Checkpointer::Latest() const {
  MutexLock lock(&mu_);
  return latest_;
}

absl::Status Checkpointer::last_error() const {
  MutexLock lock(&mu_);
  return last_error_;
}

absl::StatusOr<v1::GetCheckpointResponse> Checkpointer::Get(uint64_t tree_size) const {
  v1::GetCheckpointResponse out;
  out.set_verifier_key(vkey_.ToString());
  for (const merkle::VerifierKey& w : options_.witnesses) out.add_witnesses(w.name);
  out.set_server_time_us(NowMicros(clock_));
  if (tree_size != 0) {
    ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> cp, store_.Load(tree_size));
    if (!cp) {
      return Refusal(absl::StatusCode::kNotFound, kReasonUnknownCheckpoint,
                     absl::StrCat("tree_size: this ledger keeps no checkpoint of size ", tree_size,
                                  " (it signs one every few seconds while the log grows, and "
                                  "keeps those witnesses cosigned)"),
                     "tree_size");
    }
    *out.mutable_checkpoint() = std::move(*cp);
    return out;
  }
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> latest, store_.Latest());
  if (!latest) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNoCheckpoint,
                   "this ledger has signed no checkpoint yet");
  }
  *out.mutable_checkpoint() = std::move(*latest);
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> cosigned, store_.LatestCosigned());
  if (cosigned) *out.mutable_latest_cosigned() = std::move(*cosigned);
  return out;
}

absl::StatusOr<v1::AddCosignatureResponse> Checkpointer::AddCosignature(absl::string_view note) {
  constexpr char kField[] = "cosigned_checkpoint";
  if (note.empty()) return InvalidField(kField, "is empty: send the cosigned checkpoint note");
  absl::StatusOr<merkle::SignedNote> parsed = merkle::ParseNote(note);
  if (!parsed.ok()) return InvalidField(kField, parsed.status().message());
  absl::StatusOr<merkle::Checkpoint> cp = merkle::ParseCheckpointText(parsed->text);
  if (!cp.ok()) return InvalidField(kField, cp.status().message());
  if (cp->origin != origin()) {
    return InvalidField(kField, absl::StrCat("is a checkpoint of \"", cp->origin.substr(0, 100),
                                             "\", not of this ledger (\"", origin(), "\")"));
  }
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> stored, store_.Load(cp->size));
  if (!stored) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownCheckpoint,
                   absl::StrCat(kField, ": this ledger keeps no checkpoint of size ", cp->size,
                                "; cosign its latest"),
                   kField);
  }
  if (!absl::StartsWith(stored->note(), parsed->text + "\n")) {
    return Refusal(absl::StatusCode::kInvalidArgument, kReasonUnknownCheckpoint,
                   absl::StrCat(kField, ": is not the checkpoint this ledger signed at size ",
                                cp->size, " (another root)"),
                   kField);
  }
  const int64_t now_s = absl::ToUnixSeconds(clock_->Now());
  std::vector<merkle::NoteSignature> accepted;
  for (const merkle::NoteSignature& s : parsed->signatures) {
    const merkle::VerifierKey* witness = nullptr;
    for (const merkle::VerifierKey& w : options_.witnesses) {
      if (w.name == s.name && w.id() == s.key_id) witness = &w;
    }
    if (witness == nullptr) continue;  // the ledger's own line, or a key not configured
    absl::StatusOr<uint64_t> ts = merkle::VerifyCosignature(parsed->text, s, *witness);
    if (!ts.ok()) {
      return Refusal(absl::StatusCode::kInvalidArgument, kReasonBadCosignature,
                     absl::StrCat(kField, ": ", ts.status().message()), kField);
    }
    if (static_cast<int64_t>(*ts) > now_s + kMaxCosignatureClockSkewSeconds) {
      return Refusal(absl::StatusCode::kInvalidArgument, kReasonBadCosignature,
                     absl::StrCat(kField, ": the cosignature of ", s.name, " is dated ",
                                  static_cast<int64_t>(*ts) - now_s,
                                  " seconds in the future; check the witness's clock"),
                     kField);
    }
    accepted.push_back(s);
  }
  if (accepted.empty()) {
    return Refusal(absl::StatusCode::kPermissionDenied, kReasonUnknownWitness,
                   absl::StrCat(kField,
                                ": carries no cosignature of a witness this ledger accepts "
                                "(its operator lists them in ledgerd --witness_keys)"),
                   kField);
  }
  MutexLock lock(&store_mu_);
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> still, store_.Load(cp->size));
  if (!still) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownCheckpoint,
                   absl::StrCat(kField, ": the checkpoint of size ", cp->size,
                                " was just pruned; cosign the latest"),
                   kField);
  }
  RETURN_IF_ERROR(store_.PutCosignatures(cp->size, accepted));
  v1::AddCosignatureResponse out;
  ASSIGN_OR_RETURN(std::optional<v1::Checkpoint> now_cp, store_.Load(cp->size));
  LEDGER_CHECK(now_cp.has_value());
  *out.mutable_checkpoint() = std::move(*now_cp);
  for (const merkle::NoteSignature& s : accepted) out.add_accepted(s.name);
  return out;
}

}  // namespace ledger
