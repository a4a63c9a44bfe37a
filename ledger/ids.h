// Validation of ids and free text.
#ifndef LEDGER_IDS_H_
#define LEDGER_IDS_H_

#include "absl/strings/string_view.h"

namespace ledger {

// True when `id` is 1..kMaxIdLength characters of a-z 0-9 . _ -
[[nodiscard]] bool IsValidId(absl::string_view id);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// values beyond U+10FFFF): what protobuf demands of a proto3 string.
[[nodiscard]] bool IsValidUtf8(absl::string_view text);

// True when `text` is well-formed UTF-8 without control characters other
// than tab and newline.
[[nodiscard]] bool IsValidText(absl::string_view text);

}  // namespace ledger

#endif  // LEDGER_IDS_H_
