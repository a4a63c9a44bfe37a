#include "ledger/audit/export.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registry.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"
#include "ledger/views/queries.h"

namespace ledger {
namespace {

// How often progress is reported, in events.
constexpr uint64_t kProgressEvery = 512;

// A cell of a row: text, or an integer (empty text = no value: an empty CSV
// field, JSON null).
struct Cell {
  std::string text;
  bool integer = false;
};

Cell Text(std::string s) { return Cell{std::move(s), false}; }
Cell Int(uint64_t v) { return Cell{absl::StrCat(v), true}; }
Cell SignedInt(int64_t v) { return Cell{absl::StrCat(v), true}; }
Cell NoInt() { return Cell{"", true}; }

const std::vector<std::string>& EventColumnList() {
  static const auto* columns = new std::vector<std::string>{
      "position",      "event_id",      "occurred_on",    "recorded_at",
      "actor",         "kind",          "amount",         "currency",
      "amount_minor",  "debit_account", "credit_account", "beneficiary_id",
      "branch_id",     "donor_kind",    "donor_ref",      "target_event_id",
      "reversal_kind", "name",          "details",        "method",
      "reference",     "payee",         "memo",           "reversed_by_position",
      "hash",          "prev_hash"};
  return *columns;
}

const std::vector<std::string>& PostingColumnList() {
  static const auto* columns = new std::vector<std::string>{
      "position",    "event_id",     "occurred_on",     "recorded_at", "kind",
      "line",        "account",      "currency",        "debit",       "credit",
      "debit_minor", "credit_minor", "target_event_id", "details",     "memo"};
  return *columns;
}

// A column that may hold a private detail: as recorded, or, when the
// reader does not get the event's details, what happened to them.
std::string Private(const v1::Event& e, const std::string& value) {
  if (!value.empty()) return value;
  switch (e.private_details()) {
    case v1::DETAIL_STATE_WITHHELD:
      return "(withheld)";
    case v1::DETAIL_STATE_ERASED:
      return "(erased)";
    default:
      return "";
  }
}

// The money an event moves; nullopt for events that move none. A reversal
// moves its target's movement backwards, for the reversed amount.
absl::StatusOr<std::optional<Movement>> ResolveMovement(const v1::Event& event,
                                                        const TargetLookup& lookup) {
  if (!event.body().has_event_reversed()) return MovementOf(event.body());
  const v1::EventReversed& r = event.body().event_reversed();
  if (!lookup) {
    return absl::FailedPreconditionError("exporting a reversal needs a lookup for its target");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Event> target, lookup(r.target_event_id()));
  if (!target) {
    return absl::DataLossError(absl::StrCat("event ", event.position(), " reverses \"",
                                            r.target_event_id(), "\", which is not in the log"));
  }
  std::optional<Movement> original = MovementOf(target->body());
  if (!original) {
    return absl::DataLossError(absl::StrCat("event ", event.position(), " reverses \"",
                                            r.target_event_id(), "\", which moves no money"));
  }
  const int64_t amount = r.has_amount() && r.amount().amount_minor() != 0
                             ? r.amount().amount_minor()
                             : original->amount_minor;
  return std::optional<Movement>(ReverseOf(*original, amount));
}

}  // namespace

absl::StatusOr<ExportFormat> ParseExportFormat(absl::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "jsonl" || name == "json-lines" || name == "ndjson") return ExportFormat::kJsonLines;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown export format \"", name, "\" (csv or jsonl)"));
}

absl::StatusOr<ExportTable> ParseExportTable(absl::string_view name) {
  if (name == "events") return ExportTable::kEvents;
  if (name == "postings") return ExportTable::kPostings;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown export \"", name, "\" (events or postings)"));
}

const std::vector<std::string>& ExportColumns(ExportTable table) {
  return table == ExportTable::kEvents ? EventColumnList() : PostingColumnList();
}

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvTextField(absl::string_view text) {
  if (!text.empty() && absl::string_view("=+-@\t\r").find(text[0]) != absl::string_view::npos) {
    return CsvField(absl::StrCat("'", text));
  }
  return CsvField(text);
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string IsoTimestampUtc(int64_t unix_micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(unix_micros),
                          absl::UTCTimeZone());
}

// ------------------------------------------------------------------ writer

ExportWriter::ExportWriter(ExportTable table, ExportFormat format, std::ostream& out)
    : table_(table), format_(format), out_(out) {}

absl::Status ExportWriter::Check() {
  if (out_.fail()) {
    return absl::UnavailableError(
        "cannot write the export (disk full, or the reader of the output went away)");
  }
  return absl::OkStatus();
}

absl::Status ExportWriter::Begin() {
  if (format_ != ExportFormat::kCsv) return absl::OkStatus();
  const std::vector<std::string>& columns = ExportColumns(table_);
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line.push_back(',');
    line += columns[i];
  }
  line += "\r\n";
  out_ << line;
  return Check();
}

namespace {

// Renders one row of cells (and, for JSON, an optional trailing raw member).
std::string RenderRow(ExportFormat format, const std::vector<std::string>& columns,
                      const std::vector<Cell>& cells, const std::string& json_tail) {
  std::string line;
  if (format == ExportFormat::kCsv) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line.push_back(',');
      // Integer cells are numbers; every other cell may hold text a
      // treasurer typed and is guarded against formula injection.
      line += cells[i].integer ? CsvField(cells[i].text) : CsvTextField(cells[i].text);
    }
    line += "\r\n";
    return line;
  }
  line.push_back('{');
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line.push_back(',');
    line += JsonString(columns[i]);
    line.push_back(':');
    if (cells[i].integer) {
      line += cells[i].text.empty() ? "null" : cells[i].text;
    } else {
      line += JsonString(cells[i].text);
    }
  }
  line += json_tail;
  line += "}\n";
  return line;
}

// What the rows of one event share.
struct RowContext {
  explicit RowContext(const v1::Event& event)
      : e(event),
        details(DetailsOf(event.body())),
        kind(KindName(event.body())),
        recorded_at(IsoTimestampUtc(event.recorded_at_us())) {}
  const v1::Event& e;
  const EventDetails details;
  const std::string kind;
  const std::string recorded_at;
};

// The one row of an event in the events table.
std::vector<Cell> EventCells(const RowContext& c, const std::optional<Movement>& movement,
                             size_t columns) {
  const v1::Event& e = c.e;
  const EventDetails& d = c.details;
  std::vector<Cell> cells;
  cells.reserve(columns);
  cells.push_back(Int(e.position()));
  cells.push_back(Text(e.event_id()));
  cells.push_back(Text(e.occurred_on()));
  cells.push_back(Text(c.recorded_at));
  cells.push_back(Text(Private(e, e.actor())));
  cells.push_back(Text(c.kind));
  if (movement) {
    cells.push_back(Text(FormatDecimal(movement->amount_minor, movement->currency)));
    cells.push_back(Text(movement->currency));
    cells.push_back(SignedInt(movement->amount_minor));
    cells.push_back(Text(movement->debit_account));
    cells.push_back(Text(movement->credit_account));
  } else if (d.amount) {
    // Committed or released, not moved: no accounts.
    cells.push_back(Text(FormatDecimal(d.amount->amount_minor(), d.amount->currency())));
    cells.push_back(Text(d.amount->currency()));
    cells.push_back(SignedInt(d.amount->amount_minor()));
    cells.push_back(Text(""));
    cells.push_back(Text(""));
  } else {
    cells.push_back(Text(""));
    cells.push_back(Text(""));
    cells.push_back(NoInt());
    cells.push_back(Text(""));
    cells.push_back(Text(""));
  }
  cells.push_back(Text(d.beneficiary_id));
  cells.push_back(Text(d.branch_id));
  cells.push_back(Text(d.donor_kind));
  cells.push_back(Text(Private(e, d.donor_ref)));
  cells.push_back(Text(d.target_event_id));
  cells.push_back(Text(d.reversal_kind));
  cells.push_back(Text(d.name));
  cells.push_back(Text(Private(e, d.details)));
  cells.push_back(Text(d.method));
  cells.push_back(Text(Private(e, d.reference)));
  cells.push_back(Text(Private(e, d.payee)));
  cells.push_back(Text(Private(e, e.memo())));
  cells.push_back(e.reversed_by_position() ? Int(e.reversed_by_position()) : NoInt());
  cells.push_back(Text(ToHex(e.hash())));
  cells.push_back(Text(ToHex(e.prev_hash())));
  return cells;
}

// The whole body of an event as a JSON member of its events-table line, so
// nothing of the event is lost (proto3 JSON: 64-bit integers as strings,
// enums by name; no floating point).
absl::StatusOr<std::string> BodyMember(const v1::Event& e) {
  std::string body;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto s = google::protobuf::util::MessageToJsonString(e.body(), &body, options);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("event ", e.position(), ": cannot render its body as JSON"));
  }
  return absl::StrCat(",\"body\":", body);
}

// Line `line_no` (from 1) of an event in the postings table.
std::vector<Cell> PostingCells(const RowContext& c, const Posting& p, int line_no, size_t columns) {
  const v1::Event& e = c.e;
  std::vector<Cell> cells;
  cells.reserve(columns);
  cells.push_back(Int(e.position()));
  cells.push_back(Text(e.event_id()));
  cells.push_back(Text(e.occurred_on()));
  cells.push_back(Text(c.recorded_at));
  cells.push_back(Text(c.kind));
  cells.push_back(Int(line_no));
  cells.push_back(Text(p.account));
  cells.push_back(Text(p.currency));
  cells.push_back(Text(FormatDecimal(p.debit_minor, p.currency)));
  cells.push_back(Text(FormatDecimal(p.credit_minor, p.currency)));
  cells.push_back(SignedInt(p.debit_minor));
  cells.push_back(SignedInt(p.credit_minor));
  cells.push_back(Text(c.details.target_event_id));
  cells.push_back(Text(Private(e, c.details.details)));
  cells.push_back(Text(Private(e, e.memo())));
  return cells;
}

}  // namespace

absl::Status ExportWriter::Add(const v1::Event& e, const TargetLookup& lookup) {
  ASSIGN_OR_RETURN(std::optional<Movement> movement, ResolveMovement(e, lookup));
  const RowContext context(e);
  const std::vector<std::string>& columns = ExportColumns(table_);
  if (table_ == ExportTable::kEvents) {
    std::string tail;
    if (format_ == ExportFormat::kJsonLines) {
      ASSIGN_OR_RETURN(tail, BodyMember(e));
    }
    out_ << RenderRow(format_, columns, EventCells(context, movement, columns.size()), tail);
    ++rows_;
  } else if (movement) {
    int line_no = 0;
    for (const Posting& p : PostingsOf(*movement)) {
      out_ << RenderRow(format_, columns, PostingCells(context, p, ++line_no, columns.size()), "");
      ++rows_;
    }
  }
  ++events_;
  return Check();
}

absl::Status ExportWriter::Finish() {
  out_.flush();
  return Check();
}

// ------------------------------------------------------------------ sources

absl::StatusOr<ExportSummary> ExportFromView(ReadView& view, ExportTable table, ExportFormat format,
                                             std::ostream& out, const ExportProgress& progress,
                                             const DetailAccess& access) {
  ExportSummary summary;
  summary.head_position = view.head_position();
  summary.head_hash = view.head_hash();
  ExportWriter writer(table, format, out);
  RETURN_IF_ERROR(writer.Begin());
  TargetLookup lookup =
      [&view, &access](absl::string_view event_id) -> absl::StatusOr<std::optional<v1::Event>> {
    ASSIGN_OR_RETURN(std::optional<uint64_t> position, view.FindEventId(event_id));
    if (!position) return std::optional<v1::Event>();
    ASSIGN_OR_RETURN(v1::Event e, GetApiEvent(view, *position, access));
    return std::optional<v1::Event>(std::move(e));
  };
  absl::Status inner;
  RETURN_IF_ERROR(view.ScanEvents(1, [&](const StoredEvent& stored) {
    absl::StatusOr<v1::Event> e = ToApiEvent(view, stored, access);
    inner = e.ok() ? writer.Add(*e, lookup) : e.status();
    if (!inner.ok()) return false;
    if (progress && stored.position % kProgressEvery == 0) {
      progress(stored.position, summary.head_position);
    }
    return true;
  }));
  RETURN_IF_ERROR(inner);
  RETURN_IF_ERROR(writer.Finish());
  if (writer.events() != summary.head_position) {
    return absl::DataLossError(absl::StrCat("the log ends at position ", writer.events(),
                                            " but its head is ", summary.head_position));
  }
  if (progress) progress(summary.head_position, summary.head_position);
  summary.events = writer.events();
  summary.rows = writer.rows();
  return summary;
}

absl::StatusOr<ExportSummary> ExportEvents(ReadView& view, ExportFormat format, std::ostream& out,
                                           const ExportProgress& progress) {
  return ExportFromView(view, ExportTable::kEvents, format, out, progress);
}

absl::StatusOr<ExportSummary> ExportPostings(ReadView& view, ExportFormat format, std::ostream& out,
                                             const ExportProgress& progress) {
  return ExportFromView(view, ExportTable::kPostings, format, out, progress);
}

absl::StatusOr<ExportSummary> ExportFromPages(const PageReader& read_page,
                                              const TargetLookup& lookup, ExportTable table,
                                              ExportFormat format, std::ostream& out,
                                              const ExportProgress& progress) {
  ExportSummary summary;
  ExportWriter writer(table, format, out);
  RETURN_IF_ERROR(writer.Begin());
  uint64_t next = 1;
  uint64_t reported = 0;
  ASSIGN_OR_RETURN(v1::ReadEventsResponse page, read_page(next, kMaxReadEventsPage));
  // The export is of this head, whatever is appended while it runs.
  summary.head_position = page.head().position();
  summary.head_hash = page.head().hash();
  while (next <= summary.head_position) {
    if (page.events().empty()) {
      return absl::DataLossError(absl::StrCat("the server returned no events from position ", next,
                                              " (its head is ", summary.head_position, ")"));
    }
    for (v1::Event& e : *page.mutable_events()) {
      if (e.position() > summary.head_position) break;
      if (e.position() != next) {
        return absl::DataLossError(absl::StrCat("expected the event at position ", next,
                                                ", the server sent position ", e.position()));
      }
      if (e.reversed_by_position() > summary.head_position) e.clear_reversed_by_position();
      RETURN_IF_ERROR(writer.Add(e, lookup));
      ++next;
    }
    if (progress && next - reported >= kProgressEvery) {
      progress(next - 1, summary.head_position);
      reported = next;
    }
    if (next > summary.head_position) break;
    ASSIGN_OR_RETURN(page, read_page(next, kMaxReadEventsPage));
  }
  RETURN_IF_ERROR(writer.Finish());
  if (progress) progress(summary.head_position, summary.head_position);
  summary.events = writer.events();
  summary.rows = writer.rows();
  return summary;
}

}  // namespace ledger
