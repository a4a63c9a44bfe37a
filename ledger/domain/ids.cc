#include "ledger/domain/ids.h"

#include <cstdint>

#include "ledger/limits.h"

namespace ledger {

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsDisplayControl(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

namespace {

// What a walk over the text checks besides well-formed UTF-8.
enum class Controls { kAllowed, kRefused, kRefusedButNewline };  // newline: and tab

// Shared walk of IsValidUtf8 and IsValidText. Sets *refused to the code
// point that failed the control rule, if one did.
bool CheckUtf8(absl::string_view text, Controls controls, int64_t* refused = nullptr) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      extra = 0;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= n) return false;
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong encodings, surrogates and values beyond Unicode are invalid.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (controls != Controls::kAllowed && IsDisplayControl(cp) &&
        !(controls == Controls::kRefusedButNewline && (cp == '\n' || cp == '\t'))) {
      if (refused != nullptr) *refused = cp;
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Controls ControlsOf(TextKind kind) {
  return kind == TextKind::kMultiLine ? Controls::kRefusedButNewline : Controls::kRefused;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) { return CheckUtf8(text, Controls::kAllowed); }

bool IsValidText(absl::string_view text, TextKind kind) {
  return CheckUtf8(text, ControlsOf(kind));
}

int64_t FirstRefusedCodePoint(absl::string_view text, TextKind kind) {
  int64_t refused = -1;
  CheckUtf8(text, ControlsOf(kind), &refused);
  return refused;
}

}  // namespace ledger
