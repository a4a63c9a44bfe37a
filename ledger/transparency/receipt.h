// What verifiers outside the ledger check, with nothing but the ledger's
// public key: a checkpoint's signature, and a donor's receipt.
//
// A receipt (format below, and docs/AUDITING.md) carries one event's stored
// record exactly as the Merkle tree's leaf hashes it, the inclusion proof of
// that leaf, and a checkpoint (cosigned when one was) that the proof leads
// to. Checking it needs no server: the checkpoint's signature under the
// ledger's key, the proof from SHA-256(0x00 || record) to the checkpoint's
// root, and the record decoded to show what it records. Designed around the
// record's bytes: once the private details leave the record (a salted
// commitment in their place), a receipt carries no private detail, with no
// change to its format.
//
//   receipt  := "solidarity-ledger receipt v1\n"
//               "position " decimal "\n"
//               "record " base64(record) "\n"
//               ("proof " base64(hash) "\n")*        bottom-up, RFC 6962 PATH
//               "\n"
//               checkpoint note                      text, "\n", signature lines
#ifndef LEDGER_TRANSPARENCY_RECEIPT_H_
#define LEDGER_TRANSPARENCY_RECEIPT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/merkle/note.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// Receipt files larger than this are refused.
inline constexpr size_t kMaxReceiptBytes = size_t{64} * 1024;

// `note` checked as a checkpoint of the ledger whose key is `log_key`: its
// signature verifies (NOT_FOUND: it carries no signature of that key;
// INVALID_ARGUMENT: one that fails, or a note that is no checkpoint).
absl::StatusOr<merkle::Checkpoint> OpenCheckpoint(absl::string_view note,
                                                  const merkle::VerifierKey& log_key);
// The same with any of `log_keys` (a ledger's current and retired keys,
// across a key rotation): the first whose signature the note carries.
absl::StatusOr<merkle::Checkpoint> OpenCheckpoint(absl::string_view note,
                                                  const std::vector<merkle::VerifierKey>& log_keys);

// Verifier keys, one a line ("#" starts a comment, blank lines skipped);
// INVALID_ARGUMENT naming the line of one that does not parse, or when there
// is none.
absl::StatusOr<std::vector<merkle::VerifierKey>> ParseVerifierKeys(absl::string_view text);

// The cosignatures of `note` by `witnesses` that verify, by name; a
// cosignature that fails is INVALID_ARGUMENT. `others` (may be null) gets
// the names of the signature lines of keys not given (neither verified nor
// the ledger's).
absl::StatusOr<std::vector<std::string>> VerifiedCosigners(
    absl::string_view note, const std::vector<merkle::VerifierKey>& witnesses,
    std::vector<std::string>* others = nullptr);

struct Receipt {
  uint64_t position = 0;
  std::string record;              // the stored bytes
  std::vector<std::string> proof;  // 32 bytes each
  std::string checkpoint_note;
};

std::string FormatReceipt(const Receipt& receipt);
absl::StatusOr<Receipt> ParseReceipt(absl::string_view text);

// What a receipt proves once checked.
struct ReceiptCheck {
  merkle::Checkpoint checkpoint;
  uint64_t position = 0;
  v1::EventPayload payload;            // decoded from the record
  std::string record_hash;             // the event's chain hash, from the record
  std::vector<std::string> cosigners;  // witnesses whose cosignatures verified
  std::vector<std::string> unknown_signers;
};

// Checks `receipt` offline (see the file comment). INVALID_ARGUMENT saying
// what fails; NOT_FOUND when the checkpoint is not signed by `log_key`.
absl::StatusOr<ReceiptCheck> VerifyReceipt(const Receipt& receipt,
                                           const std::vector<merkle::VerifierKey>& log_keys,
                                           const std::vector<merkle::VerifierKey>& witnesses);

}  // namespace ledger

#endif  // LEDGER_TRANSPARENCY_RECEIPT_H_
