// Validation of ids and free text.
//
// Text a treasurer types ends up in terminals (`ledgerctl tail`), tables,
// spreadsheets and browsers, so besides being well-formed UTF-8 it may not
// hold characters that change how the text around it is shown: control
// characters (C0, DEL, C1 U+0080-U+009F), line and paragraph separators
// (U+2028, U+2029) and the bidirectional embeddings, overrides and isolates
// (U+202A-U+202E, U+2066-U+2069) that can make "gro.evil" read "live.org".
// Single-line text (names, references) allows none of them; multi-line text
// (purposes, reasons, memos) allows the line feed and the tab, which every
// output escapes.
#ifndef LEDGER_DOMAIN_IDS_H_
#define LEDGER_DOMAIN_IDS_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ledger {

// True when `id` is 1..kMaxIdLength characters of a-z 0-9 . _ -
[[nodiscard]] bool IsValidId(absl::string_view id);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// values beyond U+10FFFF): what protobuf demands of a proto3 string.
[[nodiscard]] bool IsValidUtf8(absl::string_view text);

enum class TextKind {
  kSingleLine,  // names, references, methods, payees: no control characters
  kMultiLine,   // purposes, reasons, memos: line feeds and tabs allowed, nothing else
};

// True when `text` is well-formed UTF-8 without a character that may spoof a
// display (see above); kMultiLine also allows '\n' and '\t'.
[[nodiscard]] bool IsValidText(absl::string_view text, TextKind kind = TextKind::kSingleLine);

// The first code point of well-formed `text` that IsValidText(kind) refuses,
// or -1 if there is none (or the text is not UTF-8 at all).
[[nodiscard]] int64_t FirstRefusedCodePoint(absl::string_view text, TextKind kind);

// True for a code point that text may never hold (C0 other than '\n', DEL,
// C1, U+2028/U+2029, bidi embeddings, overrides and isolates). '\n' is
// reported too; IsValidText decides by kind.
[[nodiscard]] bool IsDisplayControl(uint32_t code_point);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_IDS_H_
