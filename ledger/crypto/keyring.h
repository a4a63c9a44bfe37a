// The keys that protect private details (shared/DESIGN.md, "Private details").
//
// One key-encryption key (KEK) per ledger, 32 random bytes kept in a file
// outside the data directory (0600; backed up apart from the data). From it
// HKDF-SHA256 derives three keys, each for one purpose:
//   wrap   AES-256-GCM: wraps every data key (one per event, one per party)
//   mac    HMAC-SHA256: keyed digests (idempotency digests, party ids), so a
//          disk holds no unkeyed hash of a private detail
//   check  a value kept in the ledger's meta, to tell a wrong key file
// Private parts are sealed with AES-256-GCM under their data key; a data key
// destroyed (its row deleted) makes what it sealed unreadable for good.
//
// Everything here calls OpenSSL 3's EVP interfaces; nothing is hand-rolled.
// Thread-safety: a Keyring is immutable after creation and may be shared.
#ifndef LEDGER_CRYPTO_KEYRING_H_
#define LEDGER_CRYPTO_KEYRING_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr size_t kDataKeySize = 32;  // AES-256
inline constexpr size_t kGcmNonceSize = 12;
inline constexpr size_t kGcmTagSize = 16;

// Reads a key file: 64 hex characters (and an optional line feed). Refused
// with one clear line (FAILED_PRECONDITION) when it is missing, unreadable,
// readable by anyone but its owner, or not a key.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path);

// Creates a new key file with a fresh random key, mode 0600, refusing to
// overwrite an existing file.
absl::Status CreateKeyFile(const std::string& path);

// `n` bytes from OpenSSL's CSPRNG.
std::string RandomBytes(size_t n);

// AES-256-GCM: nonce || ciphertext || tag, with `aad` authenticated.
// REQUIRES: key.size() == kDataKeySize.
std::string Seal(absl::string_view key, absl::string_view plaintext, absl::string_view aad);
// DATA_LOSS if `sealed` was not made by Seal with this key and aad.
absl::StatusOr<std::string> Unseal(absl::string_view key, absl::string_view sealed,
                                   absl::string_view aad);

class Keyring {
 public:
  // REQUIRES: kek.size() == kDataKeySize.
  explicit Keyring(absl::string_view kek);

  // The check value of this key (32 bytes), kept in the ledger's meta.
  const std::string& check_value() const { return check_; }

  // HMAC-SHA256(mac key, label || 0x00 || data): 32 bytes.
  std::string Mac(absl::string_view label, absl::string_view data) const;

  // A data key sealed under the wrap key, bound to `aad`.
  std::string Wrap(absl::string_view data_key, absl::string_view aad) const;
  absl::StatusOr<std::string> Unwrap(absl::string_view wrapped, absl::string_view aad) const;

 private:
  std::string wrap_key_;
  std::string mac_key_;
  std::string check_;
};

}  // namespace ledger

#endif  // LEDGER_CRYPTO_KEYRING_H_
