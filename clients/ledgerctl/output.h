// What ledgerctl prints: text tables, JSON, CSV, and errors.
//
// Human output escapes ledger text before it reaches a terminal (Terminal):
// newlines and every other control character, C1 controls (U+0080-U+009F)
// and bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
// are shown as "\n", "\u202e", ..., so a memo cannot move the cursor, fake a
// line or reverse what follows it. JSON is written by our own printer over
// protobuf reflection (ToJson): protobuf's JSON mapping (field names as in
// the proto, enums by name, 64-bit integers as strings) except that bytes
// (hashes) are lower-case hex, as everywhere else a person or script sees a
// hash. (google.protobuf.Any is printed as its two plain fields: no answer
// ledgerctl prints carries one.)
//
// Errors. Every failure is an absl::Status. A usage error is
// INVALID_ARGUMENT carrying an ErrorDetail with reason USAGE (exit 2); a
// failure may carry an explicit exit code (3: the server is unreachable);
// anything else exits 1. PrintError writes ONE line on stderr: text, or with
// --json one JSON object {"code", "reason", "message", "field", "details",
// "exit_code"}.
//
// Thread-safety: the free functions are pure; a Table is used by one thread.
#ifndef CLIENTS_LEDGERCTL_OUTPUT_H_
#define CLIENTS_LEDGERCTL_OUTPUT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ledgerctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

inline constexpr char kReasonUsage[] = "USAGE";

// ------------------------------------------------------------------ errors

// A usage error: INVALID_ARGUMENT, reason USAGE, `field` the option or
// parameter at fault ("--to", "AMOUNT"), exit 2. `command` ("donate"; may be
// empty) names where to look for help.
absl::Status UsageError(absl::string_view message, absl::string_view field = "",
                        absl::string_view command = "");
bool IsUsageError(const absl::Status& status);

// `status` with an explicit exit code.
absl::Status WithExitCode(absl::Status status, int exit_code);
// 2 for usage errors, the explicit code if any, else 1. REQUIRES: !status.ok().
int ExitCodeOf(const absl::Status& status);

// Prints `status` as one line on `err`: "ledgerctl: error: MESSAGE (CODE)",
// "ledgerctl: MESSAGE (see ledgerctl COMMAND --help)" for usage errors, or
// with `json` one JSON object.
void PrintError(const absl::Status& status, bool json, std::ostream& err);

// ------------------------------------------------------------------ text

// Ledger text made safe for a terminal (see the file comment). Backslashes
// are doubled so an escape shown can only come from an escaped character.
std::string Terminal(absl::string_view text);

// Lower-case hex of a hash; the first 16 characters for ShortHash.
std::string Hex(absl::string_view bytes);
std::string ShortHash(absl::string_view bytes);

// ------------------------------------------------------------------ money

// Amounts for people, in human tables and lines: ledger::FormatDecimal with
// a comma between every three whole digits, (5847800, GBP) -> "58,478.00",
// (-123456, GBP) -> "-1,234.56", (1250, JPY) -> "1,250"; HumanAmount adds
// the code, "58,478.00 GBP". --json and CSV keep the exact form
// ("58478.00 GBP"), which ledgerctl also accepts as input.
std::string HumanDecimal(int64_t minor, absl::string_view currency);
std::string HumanAmount(int64_t minor, absl::string_view currency);

// "58478.00" -> "58,478.00": commas between groups of three whole digits of a
// decimal string (an optional '-', digits, an optional fraction).
std::string GroupThousands(absl::string_view decimal);

// A plain text table: columns padded, numeric cells right-aligned, every
// cell passed through Terminal. Prints "(none)" under a header alone.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void Add(std::vector<std::string> row);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// ------------------------------------------------------------------ CSV

// A CSV cell: text (names, ids, descriptions: guarded against spreadsheet
// formulas by ledger::CsvTextField) or a number (amounts, positions, counts:
// ledger::CsvField, never altered, so "-10.00" stays a number), or an amount
// (a number in CSV, "-10.00"; grouped by HumanDecimal where the same rows
// are printed as a table, "-1,234.56").
struct CsvCell {
  enum class Kind { kText, kNumber, kAmount };
  Kind kind;
  std::string value;
};
CsvCell CsvText(std::string value);
CsvCell CsvNumber(std::string value);
// REQUIRES: `value` is a ledger::FormatDecimal result.
CsvCell CsvAmount(std::string value);
// The cell as a table shows it: an amount grouped, anything else as it is.
std::string TableText(const CsvCell& cell);

// Rows as RFC 4180 CSV, lines ended by CRLF.
void PrintCsv(const std::vector<std::vector<CsvCell>>& rows, std::ostream& out);

// ------------------------------------------------------------------ JSON

struct JsonStyle {
  // Indented with one space per level, as protobuf's add_whitespace; else
  // one line without spaces.
  bool pretty = true;
  // Every field, defaults included (protobuf's always_print_primitive_fields:
  // unset message fields and unset oneof members are still left out).
  bool all_fields = true;
};

// Object members already written as JSON: (name, JSON text).
using JsonMembers = std::vector<std::pair<std::string, std::string>>;

// `message` as JSON (no trailing newline), followed by the `extra` members.
// `indent` is the level the text starts at (for a message embedded in a
// larger object).
std::string ToJson(const google::protobuf::Message& message, JsonStyle style = {}, int indent = 0,
                   const JsonMembers& extra = {});

// An object of `members` (each value written for `indent` + 1) and a list of
// messages, in the same style as ToJson.
std::string JsonObject(const JsonMembers& members, JsonStyle style = {}, int indent = 0);
std::string JsonList(const std::vector<const google::protobuf::Message*>& items,
                     JsonStyle style = {}, int indent = 0);

// A JSON string literal (quotes included), escaped like ToJson's strings.
std::string JsonQuote(absl::string_view text);

}  // namespace ledgerctl

#endif  // CLIENTS_LEDGERCTL_OUTPUT_H_
