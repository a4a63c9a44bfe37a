#include "ledger/transparency/receipt.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"
#include "ledger/storage/records.h"

namespace ledger {
namespace {

constexpr absl::string_view kReceiptHeader = "solidarity-ledger receipt v1";

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("the receipt ", why));
}

}  // namespace

absl::StatusOr<merkle::Checkpoint> OpenCheckpoint(absl::string_view note,
                                                  const merkle::VerifierKey& log_key) {
  ASSIGN_OR_RETURN(merkle::SignedNote parsed, merkle::ParseNote(note));
  RETURN_IF_ERROR(merkle::VerifyNoteSignature(parsed, log_key));
  ASSIGN_OR_RETURN(merkle::Checkpoint cp, merkle::ParseCheckpointText(parsed.text));
  if (cp.origin != log_key.name) {
    return absl::InvalidArgumentError(absl::StrCat("the checkpoint's origin \"", cp.origin,
                                                   "\" is not the key's name \"", log_key.name,
                                                   "\""));
  }
  return cp;
}

absl::StatusOr<merkle::Checkpoint> OpenCheckpoint(
    absl::string_view note, const std::vector<merkle::VerifierKey>& log_keys) {
  absl::Status last = absl::NotFoundError("no key given to check the checkpoint with");
  for (const merkle::VerifierKey& key : log_keys) {
    absl::StatusOr<merkle::Checkpoint> cp = OpenCheckpoint(note, key);
    if (cp.ok() || cp.status().code() != absl::StatusCode::kNotFound) return cp;
    last = cp.status();
  }
  return last;
}

absl::StatusOr<std::vector<merkle::VerifierKey>> ParseVerifierKeys(absl::string_view text) {
  std::vector<merkle::VerifierKey> keys;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    absl::StatusOr<merkle::VerifierKey> key = merkle::ParseVerifierKey(line);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": ", key.status().message()));
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return absl::InvalidArgumentError("holds no verifier key");
  return keys;
}

absl::StatusOr<std::vector<std::string>> VerifiedCosigners(
    absl::string_view note, const std::vector<merkle::VerifierKey>& witnesses,
    std::vector<std::string>* others) {
  ASSIGN_OR_RETURN(merkle::SignedNote parsed, merkle::ParseNote(note));
  ASSIGN_OR_RETURN(merkle::Checkpoint cp, merkle::ParseCheckpointText(parsed.text));
  std::vector<std::string> verified;
  for (const merkle::NoteSignature& s : parsed.signatures) {
    bool known = false;
    for (const merkle::VerifierKey& w : witnesses) {
      if (w.name != s.name || w.id() != s.key_id) continue;
      known = true;
      RETURN_IF_ERROR(merkle::VerifyCosignature(parsed.text, s, w).status());
      verified.push_back(s.name);
    }
    if (!known && s.name != cp.origin && others != nullptr) others->push_back(s.name);
  }
  return verified;
}

std::string FormatReceipt(const Receipt& r) {
  std::string out = absl::StrCat(kReceiptHeader, "\n", "position ", r.position, "\n", "record ",
                                 merkle::EncodeBase64(r.record), "\n");
  for (const std::string& h : r.proof)
    absl::StrAppend(&out, "proof ", merkle::EncodeBase64(h), "\n");
  absl::StrAppend(&out, "\n", r.checkpoint_note);
  return out;
}

absl::StatusOr<Receipt> ParseReceipt(absl::string_view text) {
  if (text.size() > kMaxReceiptBytes) return Bad("is too large to be a receipt");
  const size_t blank = text.find("\n\n");
  if (blank == absl::string_view::npos) return Bad("has no blank line before its checkpoint");
  std::vector<absl::string_view> lines = absl::StrSplit(text.substr(0, blank), '\n');
  if (lines.empty() || lines[0] != kReceiptHeader) {
    return Bad(absl::StrCat("does not start with \"", kReceiptHeader, "\""));
  }
  Receipt r;
  if (lines.size() < 3 || !absl::StartsWith(lines[1], "position ") ||
      !absl::SimpleAtoi(lines[1].substr(9), &r.position) || r.position == 0) {
    return Bad("has no \"position N\" line (N from 1)");
  }
  std::optional<std::string> record;
  if (absl::StartsWith(lines[2], "record ")) record = merkle::DecodeBase64(lines[2].substr(7));
  if (!record) return Bad("has no \"record BASE64\" line");
  r.record = std::move(*record);
  for (size_t i = 3; i < lines.size(); ++i) {
    std::optional<std::string> hash;
    if (absl::StartsWith(lines[i], "proof ")) hash = merkle::DecodeBase64(lines[i].substr(6));
    if (!hash || hash->size() != merkle::kHashBytes) {
      return Bad(absl::StrCat("line ", i + 1, " is not \"proof BASE64\" of a 32-byte hash"));
    }
    r.proof.push_back(std::move(*hash));
  }
  r.checkpoint_note = std::string(text.substr(blank + 2));
  return r;
}

absl::StatusOr<ReceiptCheck> VerifyReceipt(const Receipt& receipt,
                                           const std::vector<merkle::VerifierKey>& log_keys,
                                           const std::vector<merkle::VerifierKey>& witnesses) {
  ReceiptCheck out;
  absl::StatusOr<merkle::Checkpoint> cp = OpenCheckpoint(receipt.checkpoint_note, log_keys);
  if (!cp.ok()) {
    return absl::Status(cp.status().code(),
                        absl::StrCat("the receipt's checkpoint: ", cp.status().message()));
  }
  out.checkpoint = std::move(*cp);
  out.position = receipt.position;
  if (receipt.position > out.checkpoint.size) {
    return Bad(absl::StrCat("names position ", receipt.position, ", beyond its checkpoint (",
                            out.checkpoint.size, " events)"));
  }
  absl::Status included =
      merkle::VerifyInclusion(receipt.position - 1, out.checkpoint.size,
                              RecordLeafHash(receipt.record), receipt.proof, out.checkpoint.root);
  if (!included.ok()) {
    return Bad(absl::StrCat("does not prove its record is event ", receipt.position,
                            " of the signed log: ", included.message()));
  }
  absl::StatusOr<EventRecord> record = DecodeEventRecord(receipt.record);
  if (!record.ok() || !out.payload.ParseFromString(record->payload)) {
    return Bad("holds a record that is not an event record");
  }
  out.record_hash = record->hash;
  absl::StatusOr<std::vector<std::string>> cosigners =
      VerifiedCosigners(receipt.checkpoint_note, witnesses, &out.unknown_signers);
  if (!cosigners.ok()) {
    return Bad(absl::StrCat("carries a cosignature that fails: ", cosigners.status().message()));
  }
  out.cosigners = std::move(*cosigners);
  return out;
}

}  // namespace ledger
