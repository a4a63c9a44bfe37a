// Exports for auditors: the event log, or its double-entry postings, as CSV
// (RFC 4180) or JSON Lines, with stable columns documented in
// docs/AUDITING.md ("Exports").
//
// Rows are built from one v1::Event at a time, in log order, so the same code
// serves an offline export (a ReadView over a data directory or a restored
// backup) and an online one (pages of LedgerAudit.ReadEvents): memory holds
// one event, never the log. An EventReversed needs its target (for the
// account pair and, for a whole reversal, the amount); a TargetLookup finds it
// by event id.
//
// No floating point: amounts are decimal strings formatted by the currency's
// ISO 4217 exponent, next to integer minor-unit columns.
//
// Thread-safety: an ExportWriter is used by one thread; the free functions
// are pure.
#ifndef LEDGER_AUDIT_EXPORT_H_
#define LEDGER_AUDIT_EXPORT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/storage/read_view.h"
#include "ledger/views/details.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

enum class ExportFormat { kCsv, kJsonLines };
enum class ExportTable { kEvents, kPostings };

// "csv" / "jsonl"; INVALID_ARGUMENT otherwise.
absl::StatusOr<ExportFormat> ParseExportFormat(absl::string_view name);
// "events" / "postings"; INVALID_ARGUMENT otherwise.
absl::StatusOr<ExportTable> ParseExportTable(absl::string_view name);

// The columns of a table, in order (the CSV header; the JSON keys).
const std::vector<std::string>& ExportColumns(ExportTable table);

// Finds an event by event_id; nullopt when there is none.
using TargetLookup =
    std::function<absl::StatusOr<std::optional<v1::Event>>(absl::string_view event_id)>;

// Called every few hundred events with the position reached and the last
// position of the export.
using ExportProgress = std::function<void(uint64_t position, uint64_t last)>;

// One RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF,
// with every double quote doubled; otherwise as is.
std::string CsvField(absl::string_view text);

// A CSV field for a text cell (a name, a reference, a memo, an id): as
// CsvField, but a cell that a spreadsheet would read as a formula (one that
// starts with '=', '+', '-', '@', a tab or a carriage return) is written with
// a leading apostrophe, so it shows as text (OWASP, "CSV Injection"). Numeric
// cells are written with CsvField and never altered.
std::string CsvTextField(absl::string_view text);

// A JSON string literal: quotes, backslashes and control characters escaped;
// UTF-8 passed through.
std::string JsonString(absl::string_view text);

// "2026-03-01T12:00:00.000000Z": ISO 8601, UTC, microseconds.
std::string IsoTimestampUtc(int64_t unix_micros);

// Writes the rows of events given one at a time, in log order.
class ExportWriter {
 public:
  ExportWriter(ExportTable table, ExportFormat format, std::ostream& out);

  // The CSV header row (nothing for JSON Lines). Call once, before Add.
  absl::Status Begin();

  // The rows of one event: one row in the events table; in the postings
  // table two rows for an event that moves money (debit line, then credit
  // line) and none otherwise. An EventReversed is resolved with `lookup`
  // (DATA_LOSS if its target cannot be found or moves no money).
  absl::Status Add(const v1::Event& event, const TargetLookup& lookup);

  // Flushes the stream; fails if any write failed.
  absl::Status Finish();

  uint64_t events() const { return events_; }
  uint64_t rows() const { return rows_; }

 private:
  absl::Status Check();

  ExportTable table_;
  ExportFormat format_;
  std::ostream& out_;
  uint64_t events_ = 0;
  uint64_t rows_ = 0;
};

// What an export covered.
struct ExportSummary {
  uint64_t events = 0;         // events read (positions 1..head_position)
  uint64_t rows = 0;           // rows written, header excluded
  uint64_t head_position = 0;  // the export is of the log up to this head
  std::string head_hash;
};

// Exports every event of `view` (positions 1 to its head), streaming; with
// private details as `access` allows ("(withheld)" or "(erased)" in their
// columns otherwise).
absl::StatusOr<ExportSummary> ExportFromView(ReadView& view, ExportTable table, ExportFormat format,
                                             std::ostream& out, const ExportProgress& progress = {},
                                             const DetailAccess& access = {});

// The two exports named by the table.
absl::StatusOr<ExportSummary> ExportEvents(ReadView& view, ExportFormat format, std::ostream& out,
                                           const ExportProgress& progress = {});
absl::StatusOr<ExportSummary> ExportPostings(ReadView& view, ExportFormat format, std::ostream& out,
                                             const ExportProgress& progress = {});

// Reads one page of events from `from_position` (as LedgerAudit.ReadEvents).
using PageReader =
    std::function<absl::StatusOr<v1::ReadEventsResponse>(uint64_t from_position, uint32_t limit)>;

// Exports page by page (kMaxReadEventsPage events per page) from a source
// such as a ledger server. The export stops at the head the first page
// reports, and a reversal recorded after that head is not shown
// (reversed_by_position empty), so the result is byte for byte what
// ExportFromView writes for a view at that head.
absl::StatusOr<ExportSummary> ExportFromPages(const PageReader& read_page,
                                              const TargetLookup& lookup, ExportTable table,
                                              ExportFormat format, std::ostream& out,
                                              const ExportProgress& progress = {});

}  // namespace ledger

#endif  // LEDGER_AUDIT_EXPORT_H_
