// The stored forms of events and id entries (grammar: ledger/FORMAT.md).
//
//   events CF   key   := be64(position)
//               value := version:u8(=1) prev_hash:32 hash:32 payload:bytes
//   ids CF      key   := event_id
//               value := be64(position) content_digest:32
//   meta CF     "head" := be64(position) hash:32
//
// Decoders never trust their input: every length is checked and a damaged
// record is a DATA_LOSS status naming what is wrong. Encoders check what
// they are given (hashes of 32 bytes, positions from 1): a bad record is a
// bug, and the process stops before writing it (LEDGER_CHECK).
#ifndef LEDGER_STORAGE_RECORDS_H_
#define LEDGER_STORAGE_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr uint8_t kEventRecordVersion = 1;
inline constexpr size_t kEventRecordHeaderSize = 1 + 32 + 32;

// Keys of the meta column family.
inline constexpr char kMetaHead[] = "head";
inline constexpr char kMetaLedgerId[] = "ledger_id";
inline constexpr char kMetaLedgerName[] = "ledger_name";
inline constexpr char kMetaSchemaVersion[] = "schema_version";
// The check value of the ledger's key (ledger/crypto/keyring.h), 32 bytes.
inline constexpr char kMetaKeyCheck[] = "key_check";
// Present from an erasure's commit until its deleted rows have left every
// live file (EventLog scrubs, and scrubs again on open while it is there).
inline constexpr char kMetaScrubPending[] = "scrub_pending";
// Present while a migration is writing the ledger; a ledger that still has
// it is an unfinished migration and is refused.
inline constexpr char kMetaMigrating[] = "migrating";
// The format this build writes: 2 keeps private details out of the records
// (a salted commitment in each, the details sealed in the `private` column
// family). Format 1 (everything in the record) is read, read-only.
inline constexpr char kSchemaVersion[] = "2";
inline constexpr char kSchemaVersionPublicRecords[] = "1";

struct EventRecord {
  std::string prev_hash;  // 32 bytes
  std::string hash;       // 32 bytes
  std::string payload;    // serialized EventPayload, as hashed
};

std::string EncodeEventRecord(absl::string_view prev_hash, absl::string_view hash,
                              absl::string_view payload);
absl::StatusOr<EventRecord> DecodeEventRecord(absl::string_view value);

// Event position keys.
std::string EventKey(uint64_t position);
absl::StatusOr<uint64_t> DecodeEventKey(absl::string_view key);

struct IdEntry {
  uint64_t position = 0;
  std::string digest;  // 32 bytes: SHA-256 of the deterministic EventInput
};
std::string EncodeIdEntry(uint64_t position, absl::string_view digest);
absl::StatusOr<IdEntry> DecodeIdEntry(absl::string_view value);

struct HeadEntry {
  uint64_t position = 0;
  std::string hash;
};
std::string EncodeHead(uint64_t position, absl::string_view hash);
absl::StatusOr<HeadEntry> DecodeHead(absl::string_view value);

}  // namespace ledger

#endif  // LEDGER_STORAGE_RECORDS_H_
