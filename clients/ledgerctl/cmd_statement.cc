// Statements for any date range: per fund, per branch, and income and
// spending. Printed as a table, JSON, or CSV (text cells guarded against
// spreadsheet formulas, numeric cells as they are).
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "clients/ledgerctl/reader.h"
#include "ledger/domain/money.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

using ledger::FormatAmount;
using ledger::FormatDecimal;
using Rows = std::vector<std::vector<CsvCell>>;

enum class Format { kTable, kJson, kCsv };

struct StatementArgs {
  v1::DateRange range;
  Format format = Format::kTable;
};

absl::StatusOr<StatementArgs> ParseStatementArgs(const Invocation& in) {
  if (!in.Has("from") || !in.Has("to")) {
    return Usage(in, "needs --from YYYY-MM-DD and --to YYYY-MM-DD",
                 in.Has("from") ? "--to" : "--from");
  }
  StatementArgs out;
  out.range.set_from_date(in.Get("from"));
  out.range.set_to_date(in.Get("to"));
  const std::string format = in.Get("format", in.json() ? "json" : "table");
  if (format == "table") {
    out.format = Format::kTable;
  } else if (format == "json") {
    out.format = Format::kJson;
  } else if (format == "csv") {
    out.format = Format::kCsv;
  } else {
    return Usage(in, absl::StrCat("--format must be table, json or csv, not \"", format, "\""),
                 "--format");
  }
  return out;
}

std::vector<CsvCell> Header(std::initializer_list<const char*> names) {
  std::vector<CsvCell> row;
  for (const char* n : names) row.push_back(CsvText(n));
  return row;
}

// A table (the header row first) or CSV.
void PrintRows(const Rows& rows, bool csv) {
  if (csv) {
    PrintCsv(rows, std::cout);
    return;
  }
  std::vector<std::string> header;
  for (const CsvCell& c : rows[0]) header.push_back(c.value);
  Table t(header);
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> row;
    for (const CsvCell& c : rows[i]) row.push_back(TableText(c));
    t.Add(row);
  }
  t.Print(std::cout);
}

// The movements, with their running balance.
void PrintLines(const google::protobuf::RepeatedPtrField<v1::StatementLine>& lines, bool csv,
                const char* change_header) {
  Rows rows = {Header(
      {"date", "position", "event_id", "description", "currency", change_header, "balance"})};
  for (const auto& l : lines) {
    const std::string& c = l.currency();
    rows.push_back({CsvText(l.event().occurred_on()), CsvNumber(absl::StrCat(l.event().position())),
                    CsvText(l.event().event_id()), CsvText(DescribeBody(l.event().body())),
                    CsvText(c), CsvAmount(FormatDecimal(l.change_minor(), c)),
                    CsvAmount(FormatDecimal(l.balance_minor(), c))});
  }
  PrintRows(rows, csv);
}

Rows FundTotals(const v1::GetFundStatementResponse& r) {
  Rows rows = {Header({"currency", "opening", "received", "allocated in", "allocated out",
                       "disbursed", "closing", "committed"})};
  for (const auto& t : r.totals()) {
    const std::string& c = t.currency();
    rows.push_back({CsvText(c), CsvAmount(FormatDecimal(t.opening_minor(), c)),
                    CsvAmount(FormatDecimal(t.received_minor(), c)),
                    CsvAmount(FormatDecimal(t.allocated_in_minor(), c)),
                    CsvAmount(FormatDecimal(t.allocated_out_minor(), c)),
                    CsvAmount(FormatDecimal(t.disbursed_minor(), c)),
                    CsvAmount(FormatDecimal(t.closing_minor(), c)),
                    CsvAmount(FormatDecimal(t.committed_closing_minor(), c))});
  }
  return rows;
}

Rows BranchPaid(const v1::GetBranchStatementResponse& r) {
  Rows rows = {Header({"currency", "fees paid", "donations", "total"})};
  for (const auto& p : r.paid()) {
    const std::string& c = p.currency();
    rows.push_back({CsvText(c), CsvAmount(FormatDecimal(p.fees_paid_minor(), c)),
                    CsvAmount(FormatDecimal(p.donations_minor(), c)),
                    CsvAmount(FormatDecimal(p.total_minor(), c))});
  }
  return rows;
}

void PrintBranchHeading(const v1::GetBranchStatementResponse& r, bool csv) {
  const std::string& fc = r.fee_per_period().currency();
  const std::string fee = FormatAmount(r.fee_per_period().amount_minor(), fc);
  const std::string due = FormatAmount(r.fees_due().amount_minor(), fc);
  if (csv) {
    PrintCsv({Header({"branch", "from", "to", "fee_per_period", "periods_due", "fees_due",
                      "periods_paid"}),
              {CsvText(r.branch().branch_id()), CsvText(r.range().from_date()),
               CsvText(r.range().to_date()), CsvText(fee), CsvNumber(absl::StrCat(r.periods_due())),
               CsvText(due), CsvNumber(absl::StrCat(r.periods_paid()))}},
             std::cout);
    std::cout << "\r\n";
    return;
  }
  std::cout << "Statement of branch " << Terminal(r.branch().union_name()) << " "
            << Terminal(r.branch().branch_name()) << " [" << Terminal(r.branch().branch_id())
            << "], " << Terminal(r.range().from_date()) << " to " << Terminal(r.range().to_date())
            << "\n"
            << "fees due:  " << r.periods_due() << " period(s) x "
            << HumanAmount(r.fee_per_period().amount_minor(), fc) << " = "
            << HumanAmount(r.fees_due().amount_minor(), fc) << "\n"
            << "fees paid: " << r.periods_paid() << " period(s)\n";
}

// "closed through YYYY-MM-DD" (closed periods), or nothing while none is.
std::string ClosedLine(const std::string& closed_through) {
  if (closed_through.empty()) return "";
  return absl::StrCat("closed through ", Terminal(closed_through), "\n");
}

}  // namespace

absl::StatusOr<int> RunStatementFund(const Invocation& in) {
  ASSIGN_OR_RETURN(StatementArgs args, ParseStatementArgs(in));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetFundStatementRequest req;
  req.set_fund(in.Positional("FUND"));
  *req.mutable_range() = args.range;
  ASSIGN_OR_RETURN(v1::GetFundStatementResponse r, reader->FundStatement(req));
  if (args.format == Format::kJson) {
    PrintJson(r);
    return kExitOk;
  }
  const bool csv = args.format == Format::kCsv;
  if (!csv) {
    std::cout << "Statement of fund:" << Terminal(r.fund()) << ", "
              << Terminal(args.range.from_date()) << " to " << Terminal(args.range.to_date())
              << " (read at #" << r.as_of().position() << ")\n"
              << ClosedLine(r.closed_through());
  }
  PrintRows(FundTotals(r), csv);
  std::cout << (csv ? "\r\n" : "\n");
  PrintLines(r.lines(), csv, "change");
  return kExitOk;
}

absl::StatusOr<int> RunStatementBranch(const Invocation& in) {
  ASSIGN_OR_RETURN(StatementArgs args, ParseStatementArgs(in));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetBranchStatementRequest req;
  req.set_branch_id(in.Positional("ID"));
  *req.mutable_range() = args.range;
  ASSIGN_OR_RETURN(v1::GetBranchStatementResponse r, reader->BranchStatement(req));
  if (args.format == Format::kJson) {
    PrintJson(r);
    return kExitOk;
  }
  const bool csv = args.format == Format::kCsv;
  PrintBranchHeading(r, csv);
  if (!csv) std::cout << ClosedLine(r.closed_through());
  PrintRows(BranchPaid(r), csv);
  std::cout << (csv ? "\r\n" : "\n");
  PrintLines(r.lines(), csv, "given");
  return kExitOk;
}

absl::StatusOr<int> RunStatementIncome(const Invocation& in) {
  ASSIGN_OR_RETURN(StatementArgs args, ParseStatementArgs(in));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetIncomeStatementRequest req;
  *req.mutable_range() = args.range;
  ASSIGN_OR_RETURN(v1::GetIncomeStatementResponse r, reader->IncomeStatement(req));
  if (args.format == Format::kJson) {
    PrintJson(r);
    return kExitOk;
  }
  Rows rows = {
      Header({"currency", "fund class", "opening", "income", "transfers", "spending", "closing"})};
  for (const auto& x : r.rows()) {
    const std::string& c = x.currency();
    rows.push_back({CsvText(c), CsvText(x.fund_class()),
                    CsvAmount(FormatDecimal(x.opening_minor(), c)),
                    CsvAmount(FormatDecimal(x.income_minor(), c)),
                    CsvAmount(FormatDecimal(x.transfers_minor(), c)),
                    CsvAmount(FormatDecimal(x.spending_minor(), c)),
                    CsvAmount(FormatDecimal(x.closing_minor(), c))});
  }
  const bool csv = args.format == Format::kCsv;
  if (!csv) {
    std::cout << "Income and spending, " << Terminal(args.range.from_date()) << " to "
              << Terminal(args.range.to_date()) << "\n"
              << ClosedLine(r.closed_through());
  }
  PrintRows(rows, csv);
  return kExitOk;
}

}  // namespace ledgerctl
