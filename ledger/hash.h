// The hash chain: hash = SHA-256(ledger_id || be64(position) || prev_hash || payload).
#ifndef LEDGER_HASH_H_
#define LEDGER_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr size_t kHashSize = 32;

// 32 zero bytes: the prev_hash of position 1.
const std::string& ZeroHash();

// The chain hash of one event. `ledger_id` is the 32-character hex id as
// ASCII; `payload` the stored payload bytes exactly as written.
std::string ChainHash(absl::string_view ledger_id, uint64_t position, absl::string_view prev_hash,
                      absl::string_view payload);

// SHA-256 of arbitrary bytes (used for idempotency digests).
std::string Sha256(absl::string_view bytes);

// Lower-case hex of bytes.
std::string ToHex(absl::string_view bytes);

// 8-byte big-endian encoding (sorts like the number).
std::string EncodeBigEndian64(uint64_t value);
// Requires: bytes.size() >= 8.
uint64_t DecodeBigEndian64(absl::string_view bytes);

}  // namespace ledger

#endif  // LEDGER_HASH_H_
