// C2SP signed notes (c2sp.org/signed-note), checkpoints
// (c2sp.org/tlog-checkpoint) and Ed25519 cosignatures
// (c2sp.org/tlog-cosignature, "cosignature/v1").
//
//   note       := text "\n" signature+          text ends in "\n"
//   signature  := "— " key_name " " base64(key_id:be32 || sig) "\n"
//   checkpoint text := origin "\n" tree_size "\n" base64(root) "\n" (extension "\n")*
//   key_id     := SHA-256(key_name || "\n" || type || public_key)[:4]
//                 type 0x01 for the log's Ed25519 signature, 0x04 for a
//                 cosignature/v1
//   cosignature sig := be64(timestamp) || Ed25519(key,
//                 "cosignature/v1\n" "time " timestamp "\n" checkpoint text)
//   verifier key    := key_name "+" hex8(key_id) "+" base64(type || public_key)
//
// Parsing never trusts its input: sizes are bounded (kMaxNoteBytes,
// kMaxNoteSignatures), text must be UTF-8 without control characters other
// than "\n", names may hold no Unicode space or "+", base64 must be canonical.
// Errors are INVALID_ARGUMENT saying what is wrong.
//
// Thread-safety: pure functions and plain values.
#ifndef LEDGER_MERKLE_NOTE_H_
#define LEDGER_MERKLE_NOTE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/merkle/ed25519.h"

namespace ledger::merkle {

// Signature type identifier bytes (signed-note).
inline constexpr uint8_t kTypeEd25519 = 0x01;
inline constexpr uint8_t kTypeCosignatureV1 = 0x04;

// A note longer than this, or with more signatures, is refused.
inline constexpr size_t kMaxNoteBytes = size_t{16} * 1024;
inline constexpr size_t kMaxNoteSignatures = 64;
// Key names and checkpoint origins.
inline constexpr size_t kMaxKeyNameBytes = 256;

// Non-empty, at most kMaxKeyNameBytes of UTF-8, no Unicode space, no "+",
// no control character.
bool IsValidKeyName(absl::string_view name);

// The 4-byte key id of (name, type, public key), as a big-endian number.
uint32_t KeyId(absl::string_view name, uint8_t type, absl::string_view public_key);

// Canonical standard base64 (RFC 4648 section 4, with padding); nullopt for
// anything else (so one value has one spelling).
std::optional<std::string> DecodeBase64(absl::string_view text);
std::string EncodeBase64(absl::string_view bytes);

// A verifier key: what a verifier is configured with.
struct VerifierKey {
  std::string name;
  uint8_t type = kTypeEd25519;
  std::string public_key;  // 32 bytes
  uint32_t id() const { return KeyId(name, type, public_key); }
  // name+hex8(id)+base64(type || public key)
  std::string ToString() const;
};
// Parses the text form; checks the id against the key. Only Ed25519 (0x01)
// and cosignature/v1 (0x04) keys are known.
absl::StatusOr<VerifierKey> ParseVerifierKey(absl::string_view text);

// One signature line.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // what follows the key id
  // "— name base64(key_id || signature)\n"
  std::string Line() const;
};

struct SignedNote {
  std::string text;  // ends in "\n"
  std::vector<NoteSignature> signatures;
  // text, the blank line, the signature lines.
  std::string Format() const;
};

// A whole note. Needs at least one signature line.
absl::StatusOr<SignedNote> ParseNote(absl::string_view note);

// The signature line of `key` named `name` (type 0x01) over `text`.
NoteSignature SignNote(absl::string_view text, absl::string_view name,
                       const Ed25519PrivateKey& key);

// The signatures of `note` made by `key` (name and id match): none ->
// NOT_FOUND; one that fails -> INVALID_ARGUMENT; else OK.
absl::Status VerifyNoteSignature(const SignedNote& note, const VerifierKey& key);

// The first three lines of a checkpoint.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root;  // 32 bytes
  // origin "\n" size "\n" base64(root) "\n"
  std::string Text() const;
};
// A checkpoint's note text (extension lines are refused: this ledger writes
// none and witnesses would not vouch for them).
absl::StatusOr<Checkpoint> ParseCheckpointText(absl::string_view text);

// cosignature/v1: what a witness signs for `checkpoint_text` at `timestamp`
// (POSIX seconds).
std::string CosignatureMessage(uint64_t timestamp, absl::string_view checkpoint_text);
// The witness's signature line (name `name`, type 0x04).
NoteSignature Cosign(absl::string_view checkpoint_text, uint64_t timestamp, absl::string_view name,
                     const Ed25519PrivateKey& key);
// The timestamp of `signature` when it is `key`'s valid cosignature of
// `checkpoint_text`; INVALID_ARGUMENT otherwise (NOT_FOUND if the line is
// not from this key at all).
absl::StatusOr<uint64_t> VerifyCosignature(absl::string_view checkpoint_text,
                                           const NoteSignature& signature, const VerifierKey& key);

}  // namespace ledger::merkle

#endif  // LEDGER_MERKLE_NOTE_H_
