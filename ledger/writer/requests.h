// One append request, checked and added to the group commit being built.
//
//   * stage 1 for every event (ledger/domain/decide.h), and no event id
//     twice in one request;
//   * idempotency: event ids recorded before must carry the same content
//     (the digest of the EventInput); a request whose every event was
//     recorded before is answered with the original positions;
//   * expected_head_position, when given;
//   * stage 2 for each new event against the state the earlier ones leave,
//     then its record (hashed over the stored bytes) and its index rows.
// A refused request leaves the batch as it was.
#ifndef LEDGER_WRITER_REQUESTS_H_
#define LEDGER_WRITER_REQUESTS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/crypto/keyring.h"
#include "ledger/domain/kind.h"
#include "ledger/writer/batch.h"
#include "ledger/writer/event_log.h"
#include "ledger/writer/private_writes.h"

namespace ledger {

// What every event of a ledger is recorded with.
struct LedgerKeys {
  std::string ledger_id;   // goes into every hash
  const Keyring* keyring;  // seals private details, keys digests
};

// The answer for `request`, whose new events (if accepted) are added to
// `batch`. `recorded_at_us` is the commit's time.
absl::StatusOr<AppendResult> ProcessRequest(const v1::AppendRequest& request,
                                            absl::string_view actor, int64_t recorded_at_us,
                                            const LedgerKeys& keys, CommitBatch& batch);

// One event, from its full payload (private details included) to its
// record: prepared by its kind, split into its public part and its private
// details (sealed through `privacy`), decided against `rows` with `checks`,
// hashed after `prev_hash`, and indexed into `rows`. The event is not yet
// added to the batch.
absl::StatusOr<CommitBatch::NewEvent> RecordEvent(uint64_t position, const std::string& prev_hash,
                                                  v1::EventPayload full, EventChecks checks,
                                                  const LedgerKeys& keys, StateView& rows,
                                                  EventLookup& lookup, PrivateWrites& privacy);

// The content an event_id stands for: an HMAC (keyed by the ledger's key,
// so a disk holds no unkeyed hash of a private detail) of the deterministic
// serialisation of what the client sent.
std::string ContentDigest(const Keyring& keyring, const v1::EventInput& input);

// The deterministic serialisation of a message (the bytes stored and hashed).
std::string SerializeDeterministic(const google::protobuf::Message& message);

}  // namespace ledger

#endif  // LEDGER_WRITER_REQUESTS_H_
