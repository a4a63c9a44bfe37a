// Signed checkpoints of the ledger's Merkle tree and the cosignatures
// witnesses hand back (docs/AUDITING.md; formats: ledger/merkle/note.h;
// rows: ledger/FORMAT.md, column family `checkpoints`).
//
// CheckpointStore reads and writes the rows. Checkpointer is the signer a
// read-write ledgerd runs: a commit listener tells it the head moved, and its
// thread signs a checkpoint of the head at most once per interval while the
// log grows (never per commit; nothing while it is idle). It keeps every
// checkpoint a witness cosigned and the newest kKeptCheckpoints others.
//
// Before it signs anything the Checkpointer checks the newest stored
// checkpoint against the tree: a log whose tree no longer has that root at
// that size (a history rewritten on disk) or has fewer leaves (events
// removed) is refused with DATA_LOSS, so the ledger never signs a checkpoint
// inconsistent with one it signed before (C2SP tlog-checkpoint).
//
// Thread-safety: CheckpointStore is used by one thread at a time;
// Checkpointer's public methods may be called from any thread.
#ifndef LEDGER_TRANSPARENCY_CHECKPOINTS_H_
#define LEDGER_TRANSPARENCY_CHECKPOINTS_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/domain/civil_date.h"
#include "ledger/limits.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/note.h"
#include "ledger/storage/database.h"
#include "ledger/sync.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// The origin (and key name) a ledger signs with unless told otherwise.
std::string DefaultCheckpointOrigin(absl::string_view ledger_id);

// The rows of the checkpoints column family.
class CheckpointStore {
 public:
  // `db` must outlive the store. A ledger without the family (a read-only
  // copy written before checkpoints existed) holds none.
  explicit CheckpointStore(Database* db) : db_(db) {}

  // The checkpoint of `size` with its cosignatures; nullopt if none is kept.
  absl::StatusOr<std::optional<v1::Checkpoint>> Load(uint64_t size) const;
  // The newest checkpoint, and the newest with a cosignature.
  absl::StatusOr<std::optional<v1::Checkpoint>> Latest() const;
  absl::StatusOr<std::optional<v1::Checkpoint>> LatestCosigned() const;
  // The verifier key the newest checkpoints were signed with.
  absl::StatusOr<std::optional<std::string>> VerifierKey() const;
  // The sizes of the newest `n` checkpoints kept, oldest first.
  absl::StatusOr<std::vector<uint64_t>> NewestSizes(size_t n) const;

  // Writes (REQUIRES: a read-write database), synced.
  absl::Status PutCheckpoint(uint64_t size, absl::string_view note, int64_t signed_at_us,
                             absl::string_view verifier_key);
  absl::Status PutCosignatures(uint64_t size, const std::vector<merkle::NoteSignature>& lines);
  // Drops the checkpoint of `size` unless a witness cosigned it.
  absl::Status PruneUncosigned(uint64_t size);

 private:
  bool present() const { return db_->has_cf(kCheckpointsCf); }
  Database* db_;
};

// Reads the witness keys file given to ledgerd (--witness_keys): one
// verifier key of type 0x04 (cosignature/v1) per line, as `ledgerctl key
// show --witness` prints it; "#" starts a comment. Errors name the line.
absl::StatusOr<std::vector<merkle::VerifierKey>> LoadWitnessKeys(const std::string& path);

struct CheckpointerOptions {
  // The first line of every checkpoint and the ledger key's name; empty =
  // DefaultCheckpointOrigin(ledger id).
  std::string origin;
  // At most one checkpoint per interval while the log grows.
  absl::Duration interval = absl::Seconds(2);
  // Checkpoints kept besides the cosigned ones: the newest this many.
  size_t keep = kKeptCheckpoints;
  // Witnesses whose cosignatures are accepted.
  std::vector<merkle::VerifierKey> witnesses;
  // Not owned; nullptr = the real clock.
  Clock* clock = nullptr;
};

class Checkpointer {
 public:
  // Checks the stored checkpoints against `log`'s tree (DATA_LOSS if the log
  // does not extend the newest; FAILED_PRECONDITION if it was signed under
  // another origin), signs a checkpoint of the head if it has none, and
  // starts signing. `log` must outlive the Checkpointer; REQUIRES: not
  // read-only.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(EventLog* log,
                                                             merkle::Ed25519PrivateKey key,
                                                             CheckpointerOptions options);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // GetCheckpoint's answer: the latest (tree_size 0) or the one of
  // `tree_size` (NOT_FOUND, UNKNOWN_CHECKPOINT, if not kept).
  absl::StatusOr<v1::GetCheckpointResponse> Get(uint64_t tree_size) const;
  // The latest checkpoint (none only before Start returned).
  std::optional<v1::Checkpoint> Latest() const;
  // AddCosignature's answer (see ledger.proto).
  absl::StatusOr<v1::AddCosignatureResponse> AddCosignature(absl::string_view note);

  // Signs a checkpoint of the head now if the newest is older (tests, and a
  // clean stop); returns the newest.
  absl::StatusOr<v1::Checkpoint> SignNow();

  const merkle::VerifierKey& verifier_key() const { return vkey_; }
  const std::string& origin() const { return vkey_.name; }
  // OK unless the last attempt to sign or store failed.
  absl::Status last_error() const;

 private:
  Checkpointer(EventLog* log, merkle::Ed25519PrivateKey key, CheckpointerOptions options,
               std::string origin);
  absl::Status CheckStored() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Checkpoint> Sign() ABSL_LOCKS_EXCLUDED(sign_mu_, store_mu_, mu_);
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  EventLog* const log_;
  const merkle::Ed25519PrivateKey key_;
  const CheckpointerOptions options_;
  Clock* const clock_;
  const merkle::VerifierKey vkey_;
  CheckpointStore store_;
  uint64_t listener_ = 0;

  // Lock order: sign_mu_, then store_mu_, then mu_.
  mutable Mutex mu_;
  std::condition_variable cv_;  // signalled when the head moves or on stop
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;  // as the commits told
  std::optional<v1::Checkpoint> latest_ ABSL_GUARDED_BY(mu_);
  std::deque<uint64_t> kept_ ABSL_GUARDED_BY(mu_);  // sizes of the newest checkpoints
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  Mutex sign_mu_;   // one Sign at a time (the thread, SignNow)
  Mutex store_mu_;  // one cosignature write or prune at a time
  std::thread thread_;
};

}  // namespace ledger

#endif  // LEDGER_TRANSPARENCY_CHECKPOINTS_H_
