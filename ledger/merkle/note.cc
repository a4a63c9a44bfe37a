#include "ledger/merkle/note.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/check.h"
#include "ledger/hash.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/status_macros.h"

namespace ledger::merkle {
namespace {

constexpr absl::string_view kDash = "\xE2\x80\x94 ";  // U+2014 and a space
constexpr absl::string_view kCosignatureHeader = "cosignature/v1\n";

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

// Decodes one UTF-8 code point at `text[*i]`, advancing *i; -1 if invalid
// (overlong forms, surrogates and values past U+10FFFF included).
int32_t NextCodePoint(absl::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(*i);
  int len;
  int32_t cp;
  if (b0 < 0x80) {
    *i += 1;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (*i + len > text.size()) return -1;
  for (int k = 1; k < len; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += len;
  return cp;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool IsUnicodeSpace(int32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// UTF-8 with no control character but "\n".
absl::Status CheckNoteText(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) return Invalid("the note is not valid UTF-8");
    if ((cp < 0x20 && cp != '\n') || cp == 0x7F) {
      return Invalid(absl::StrFormat("the note holds the control character U+%04X", cp));
    }
  }
  return absl::OkStatus();
}

std::string KeyIdBytes(uint32_t id) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<char>(id & 0xff);
    id >>= 8;
  }
  return out;
}

uint32_t ReadKeyId(absl::string_view bytes) {
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>(bytes[i]);
  return id;
}

absl::StatusOr<NoteSignature> ParseSignatureLine(absl::string_view line) {
  if (!absl::StartsWith(line, kDash)) {
    return Invalid("a signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kDash.size());
  const size_t space = line.rfind(' ');
  if (space == absl::string_view::npos) return Invalid("a signature line has no signature");
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  if (!IsValidKeyName(sig.name)) {
    return Invalid("a signature line names a key with a space, a \"+\" or nothing");
  }
  std::optional<std::string> bytes = DecodeBase64(line.substr(space + 1));
  if (!bytes || bytes->size() < 5) {
    return Invalid(absl::StrCat("the signature of \"", sig.name,
                                "\" is not base64 of a key id and a signature"));
  }
  sig.key_id = ReadKeyId(*bytes);
  sig.signature = bytes->substr(4);
  return sig;
}

}  // namespace

bool IsValidKeyName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxKeyNameBytes) return false;
  for (size_t i = 0; i < name.size();) {
    const int32_t cp = NextCodePoint(name, &i);
    if (cp < 0 || cp < 0x20 || cp == 0x7F || cp == '+' || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

uint32_t KeyId(absl::string_view name, uint8_t type, absl::string_view public_key) {
  std::string data = absl::StrCat(name, "\n");
  data.push_back(static_cast<char>(type));
  data.append(public_key.data(), public_key.size());
  return ReadKeyId(Sha256(data));
}

std::optional<std::string> DecodeBase64(absl::string_view text) {
  std::string out;
  if (text.empty() || !absl::Base64Unescape(text, &out)) return std::nullopt;
  if (absl::Base64Escape(out) != text) return std::nullopt;  // not canonical
  return out;
}

std::string EncodeBase64(absl::string_view bytes) { return absl::Base64Escape(bytes); }

// ------------------------------------------------------------------ keys

std::string VerifierKey::ToString() const {
  std::string key(1, static_cast<char>(type));
  key += public_key;
  return absl::StrFormat("%s+%08x+%s", name, id(), EncodeBase64(key));
}

absl::StatusOr<VerifierKey> ParseVerifierKey(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  // The name holds no "+"; the base64 may.
  const size_t first = text.find('+');
  const size_t second = first == absl::string_view::npos ? first : text.find('+', first + 1);
  if (second == absl::string_view::npos) {
    return Invalid("a verifier key reads NAME+KEYID+BASE64 (ledgerctl checkpoint --key prints it)");
  }
  VerifierKey key;
  key.name = std::string(text.substr(0, first));
  if (!IsValidKeyName(key.name)) return Invalid("the verifier key's name is not a valid key name");
  const absl::string_view id_hex = text.substr(first + 1, second - first - 1);
  uint32_t id = 0;
  if (id_hex.size() != 8 || !absl::SimpleHexAtoi(id_hex, &id)) {
    return Invalid("the verifier key's id is not 8 hex digits");
  }
  std::optional<std::string> bytes = DecodeBase64(text.substr(second + 1));
  if (!bytes || bytes->size() != 1 + kEd25519PublicKeyBytes) {
    return Invalid("the verifier key is not base64 of a type byte and a 32-byte Ed25519 key");
  }
  key.type = static_cast<uint8_t>((*bytes)[0]);
  if (key.type != kTypeEd25519 && key.type != kTypeCosignatureV1) {
    return Invalid(absl::StrFormat(
        "the verifier key has signature type 0x%02x; this ledger knows 0x01 (Ed25519) and 0x04 "
        "(cosignature/v1)",
        key.type));
  }
  key.public_key = bytes->substr(1);
  if (key.id() != id) return Invalid("the verifier key's id does not match its name and key");
  return key;
}

// ------------------------------------------------------------------ notes

std::string NoteSignature::Line() const {
  return absl::StrCat(kDash, name, " ", EncodeBase64(KeyIdBytes(key_id) + signature), "\n");
}

std::string SignedNote::Format() const {
  std::string out = absl::StrCat(text, "\n");
  for (const NoteSignature& s : signatures) out += s.Line();
  return out;
}

absl::StatusOr<SignedNote> ParseNote(absl::string_view note) {
  if (note.size() > kMaxNoteBytes) {
    return Invalid(
        absl::StrCat("the note is ", note.size(), " bytes, over the limit of ", kMaxNoteBytes));
  }
  RETURN_IF_ERROR(CheckNoteText(note));
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos)
    return Invalid("the note has no blank line before its signatures");
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  absl::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Invalid("the note's signature lines do not end in a newline");
  }
  sigs.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(sigs, '\n')) {
    if (out.signatures.size() == kMaxNoteSignatures) {
      return Invalid(absl::StrCat("the note has more than ", kMaxNoteSignatures, " signatures"));
    }
    ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(line));
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

NoteSignature SignNote(absl::string_view text, absl::string_view name,
                       const Ed25519PrivateKey& key) {
  LEDGER_CHECK(IsValidKeyName(name));
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = KeyId(name, kTypeEd25519, key.public_key());
  sig.signature = key.Sign(text);
  return sig;
}

absl::Status VerifyNoteSignature(const SignedNote& note, const VerifierKey& key) {
  if (key.type != kTypeEd25519) return Invalid("the key is not an Ed25519 note key (type 0x01)");
  bool found = false;
  for (const NoteSignature& s : note.signatures) {
    if (s.name != key.name || s.key_id != key.id()) continue;
    found = true;
    if (!Ed25519Verify(key.public_key, note.text, s.signature)) {
      return Invalid(
          absl::StrCat("the signature of \"", key.name,
                       "\" does not verify: the note was changed or not signed by this key"));
    }
  }
  if (!found) {
    return absl::NotFoundError(absl::StrCat("the note carries no signature of the key ", key.name,
                                            "+", absl::StrFormat("%08x", key.id())));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ checkpoints

std::string Checkpoint::Text() const {
  LEDGER_CHECK(root.size() == kHashBytes);
  return absl::StrCat(origin, "\n", size, "\n", EncodeBase64(root), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointText(absl::string_view text) {
  if (text.empty() || text.back() != '\n') return Invalid("a checkpoint ends in a newline");
  std::vector<absl::string_view> lines = absl::StrSplit(text.substr(0, text.size() - 1), '\n');
  if (lines.size() < 3) return Invalid("a checkpoint has three lines: origin, tree size, root");
  if (lines.size() > 3)
    return Invalid("the checkpoint has extension lines; this ledger signs none");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Invalid("the checkpoint's origin line is empty");
  const absl::string_view size = lines[1];
  if (size.empty() || size.size() > 20 || (size.size() > 1 && size[0] == '0') ||
      !std::all_of(size.begin(), size.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
      !absl::SimpleAtoi(size, &c.size)) {
    return Invalid("the checkpoint's tree size is not a decimal number without leading zeros");
  }
  std::optional<std::string> root = DecodeBase64(lines[2]);
  if (!root || root->size() != kHashBytes) {
    return Invalid("the checkpoint's root is not base64 of 32 bytes");
  }
  c.root = std::move(*root);
  return c;
}

// ------------------------------------------------------------------ cosignatures

std::string CosignatureMessage(uint64_t timestamp, absl::string_view checkpoint_text) {
  return absl::StrCat(kCosignatureHeader, "time ", timestamp, "\n", checkpoint_text);
}

NoteSignature Cosign(absl::string_view checkpoint_text, uint64_t timestamp, absl::string_view name,
                     const Ed25519PrivateKey& key) {
  LEDGER_CHECK(IsValidKeyName(name));
  LEDGER_CHECK(timestamp <= static_cast<uint64_t>(INT64_MAX));
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = KeyId(name, kTypeCosignatureV1, key.public_key());
  sig.signature =
      EncodeBigEndian64(timestamp) + key.Sign(CosignatureMessage(timestamp, checkpoint_text));
  return sig;
}

absl::StatusOr<uint64_t> VerifyCosignature(absl::string_view checkpoint_text,
                                           const NoteSignature& signature, const VerifierKey& key) {
  if (key.type != kTypeCosignatureV1) {
    return Invalid("the key is not a cosignature/v1 key (type 0x04)");
  }
  if (signature.name != key.name || signature.key_id != key.id()) {
    return absl::NotFoundError(absl::StrCat("the signature is not from ", key.name));
  }
  if (signature.signature.size() != 8 + kEd25519SignatureBytes) {
    return Invalid(absl::StrCat("the cosignature of ", key.name,
                                " is not a timestamp and an Ed25519 signature"));
  }
  const uint64_t timestamp = DecodeBigEndian64(signature.signature);
  if (timestamp > static_cast<uint64_t>(INT64_MAX)) {
    return Invalid(absl::StrCat("the cosignature of ", key.name, " has a timestamp past 2^63-1"));
  }
  if (!Ed25519Verify(key.public_key, CosignatureMessage(timestamp, checkpoint_text),
                     absl::string_view(signature.signature).substr(8))) {
    return Invalid(absl::StrCat("the cosignature of ", key.name, " does not verify"));
  }
  return timestamp;
}

}  // namespace ledger::merkle
