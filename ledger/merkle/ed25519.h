// Ed25519 keys, signatures and key files, through OpenSSL 3's EVP interface
// (RFC 8032; nothing here implements the curve itself).
//
// Key files hold one private key in PEM (PKCS#8, "BEGIN PRIVATE KEY"), the
// form `openssl genpkey -algorithm ed25519` and `ledgerctl key generate`
// write. A key file must be a regular file that only its owner can read or
// write (mode 0600 or 0400): LoadPrivateKeyFile refuses anything else with
// one line that says what to do. Names are not part of a key file: the
// ledger's key is named after its checkpoint origin, a witness's after the
// name it is configured with (ledger/merkle/note.h).
//
// Thread-safety: a key is immutable once made; signing and verifying may run
// on any thread (each call makes its own EVP context).
#ifndef LEDGER_MERKLE_ED25519_H_
#define LEDGER_MERKLE_ED25519_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ledger::merkle {

inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;
// Larger files are not key files.
inline constexpr size_t kMaxKeyFileBytes = size_t{16} * 1024;

class Ed25519PrivateKey {
 public:
  // A fresh random key.
  static absl::StatusOr<Ed25519PrivateKey> Generate();
  // A key from PEM text (PKCS#8). INVALID_ARGUMENT if it holds no
  // unencrypted Ed25519 private key.
  static absl::StatusOr<Ed25519PrivateKey> FromPem(absl::string_view pem);
  // The key of a 32-byte RFC 8032 seed (known-answer tests).
  static absl::StatusOr<Ed25519PrivateKey> FromSeed(absl::string_view seed);

  // The 32-byte public key.
  const std::string& public_key() const { return public_key_; }
  // The RFC 8032 signature (64 bytes) of `message`.
  std::string Sign(absl::string_view message) const;
  // PKCS#8 PEM.
  std::string ToPem() const;

 private:
  struct Free {
    void operator()(EVP_PKEY* key) const;
  };
  explicit Ed25519PrivateKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;  // shared: copies of a key share the handle
  std::string public_key_;
};

// Whether `signature` is `public_key`'s RFC 8032 signature of `message`.
bool Ed25519Verify(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature);

// Reads the key in `path`, refusing with one line:
//   NOT_FOUND            the file does not exist;
//   FAILED_PRECONDITION  not a regular file, or group or others may read or
//                        write it ("chmod 600 FILE");
//   INVALID_ARGUMENT     not an Ed25519 private key in PEM form.
// `what` names the key in the messages ("checkpoint key", "witness key").
absl::StatusOr<Ed25519PrivateKey> LoadPrivateKeyFile(const std::string& path,
                                                     absl::string_view what);

// Writes `key` to a new file `path` with mode 0600 (never over an existing
// file: ALREADY_EXISTS), synced before it returns.
absl::Status WritePrivateKeyFile(const std::string& path, const Ed25519PrivateKey& key);

}  // namespace ledger::merkle

#endif  // LEDGER_MERKLE_ED25519_H_
