// Bearer tokens (shared/DESIGN.md, "Identities and roles").
//
// A token is 32 bytes from OpenSSL's CSPRNG, handed to a person once as 64
// hex characters (a token file, or `ledgerctl token issue`'s output) and
// sent on every call as `authorization: Bearer <64 hex>`. The ledger keeps
// only its SHA-256 (TokenIssued.token_hash); a caller's token is hashed and
// compared with the stored hash in constant time.
//
// A token file holds the 64 hex characters and a line feed, mode 0600; it
// is created with O_CREAT | O_EXCL, so an existing file is never
// overwritten. Thread-safety: all functions are pure or touch only the file
// they are given.
#ifndef LEDGER_CRYPTO_TOKENS_H_
#define LEDGER_CRYPTO_TOKENS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

// Bytes in a token, and in its hash.
inline constexpr size_t kBearerTokenSize = 32;

// A new token: 32 random bytes.
std::string NewBearerToken();
// SHA-256 of the token's bytes: what the ledger stores.
std::string BearerTokenHash(absl::string_view token);
// The 32 bytes written as 64 hex characters (either case); nullopt for
// anything else.
std::optional<std::string> ParseBearerToken(absl::string_view hex);
// Whether two hashes are equal, in time that does not depend on where they
// differ (CRYPTO_memcmp). Different lengths are unequal.
bool SameTokenHash(absl::string_view a, absl::string_view b);

// Creates `path` (O_CREAT | O_EXCL, mode 0600) holding the token as 64 hex
// characters and a line feed, synced. FAILED_PRECONDITION (TOKEN_FILE) if
// it exists or cannot be written; a file half written is removed.
absl::Status WriteNewTokenFile(const std::string& path, absl::string_view token);
// The token in `path`. FAILED_PRECONDITION (TOKEN_FILE) when it is missing,
// unreadable, readable by others than its owner, or holds no token.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace ledger

#endif  // LEDGER_CRYPTO_TOKENS_H_
