// Goal: the exports an auditor takes out of the ledger (ledger/export.h)
// carry the books exactly. A ledger with donations, fees, allocations,
// disbursements, partial and whole reversals in GBP, JPY (exponent 0) and BHD
// (exponent 3) is exported as postings and as events, in CSV and in JSON
// Lines; a small RFC 4180 / JSON reader (written here, independent of the
// exporter) reads the files back, and the sums of debits and credits per
// account and currency must equal the trial balance, the fund balances and
// the cash held. Text with commas, quotes and newlines survives the round
// trip; the decimal columns equal the minor-unit columns; the event rows
// chain by hash to the head; an export paged as over gRPC is byte for byte
// the offline one at the same head, even when events arrive in between.
#include "ledger/audit/export.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/money.h"
#include "ledger/hash.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/rows.h"
#include "ledger/views/queries.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::AllDetails;
using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Branch;
using ::ledger::testing::BranchDonation;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Fee;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Of;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::WithId;

constexpr char kAwkwardMemo[] =
    "Refund, as \"agreed\" by the committee\nsecond line, with a tab\there";

// ------------------------------------------------------------ readers
// Deliberately simple and independent of ledger/export.cc.

// RFC 4180: records end in CRLF; a quoted field may hold commas, CR, LF and
// doubled quotes.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool quoted = false;
  bool field_started = false;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        i += 2;
      } else if (c == '"') {
        quoted = false;
        ++i;
      } else {
        field.push_back(c);
        ++i;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      ++i;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
    } else {
      EXPECT_NE(c, '\n') << "bare LF outside quotes at byte " << i;
      EXPECT_NE(c, '"') << "quote inside an unquoted field at byte " << i;
      field.push_back(c);
      field_started = true;
      ++i;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  EXPECT_TRUE(row.empty() && field.empty()) << "last record not terminated by CRLF";
  return rows;
}

// A JSON value: strings decoded, numbers and literals kept as their text,
// objects and arrays as their raw text.
struct JsonValue {
  enum Kind { kString, kNumber, kLiteral, kObject, kArray } kind;
  std::string text;
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}

  // A flat view of one object: its members.
  std::map<std::string, JsonValue> Object() {
    std::map<std::string, JsonValue> out;
    Expect('{');
    Ws();
    if (Peek() == '}') {
      ++i_;
      return out;
    }
    for (;;) {
      Ws();
      std::string key = String();
      Ws();
      Expect(':');
      Ws();
      EXPECT_EQ(out.count(key), 0u) << "duplicate key " << key;
      out[key] = Value();
      Ws();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      Expect('}');
      return out;
    }
  }
  bool AtEnd() {
    Ws();
    return i_ == s_.size();
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void Expect(char c) {
    EXPECT_EQ(Peek(), c) << "at " << i_ << " in " << s_;
    ++i_;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  std::string String() {
    Expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character in a string";
        out.push_back(c);
        continue;
      }
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          int code = 0;
          EXPECT_TRUE(absl::SimpleHexAtoi(s_.substr(i_, 4), &code));
          i_ += 4;
          EXPECT_LT(code, 0x80) << "only ASCII escapes are expected";
          out.push_back(static_cast<char>(code));
          break;
        }
        default:
          out.push_back(e);
      }
    }
    Expect('"');
    return out;
  }
  JsonValue Value() {
    const char c = Peek();
    if (c == '"') return {JsonValue::kString, String()};
    if (c == '{' || c == '[') {
      const size_t start = i_;
      Skip();
      return {c == '{' ? JsonValue::kObject : JsonValue::kArray, s_.substr(start, i_ - start)};
    }
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    std::string raw = s_.substr(start, i_ - start);
    if (raw == "null" || raw == "true" || raw == "false") return {JsonValue::kLiteral, raw};
    EXPECT_EQ(raw.find_first_not_of("-0123456789"), std::string::npos)
        << "a number that is not an integer: " << raw;
    return {JsonValue::kNumber, raw};
  }
  // Skips one object or array (strings inside may hold brackets).
  void Skip() {
    int depth = 0;
    do {
      const char c = s_[i_];
      if (c == '"') {
        String();
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i_;
    } while (depth > 0 && i_ < s_.size());
  }

  const std::string& s_;
  size_t i_ = 0;
};

// Rows as maps from column to text, from either format.
std::vector<std::map<std::string, std::string>> ReadRows(const std::string& text,
                                                         ExportFormat format, ExportTable table) {
  std::vector<std::map<std::string, std::string>> out;
  const std::vector<std::string>& columns = ExportColumns(table);
  if (format == ExportFormat::kCsv) {
    auto rows = ParseCsv(text);
    EXPECT_FALSE(rows.empty());
    if (rows.empty()) return out;
    EXPECT_EQ(rows[0], columns) << "header";
    for (size_t r = 1; r < rows.size(); ++r) {
      EXPECT_EQ(rows[r].size(), columns.size()) << "row " << r;
      std::map<std::string, std::string> m;
      for (size_t i = 0; i < columns.size() && i < rows[r].size(); ++i) m[columns[i]] = rows[r][i];
      out.push_back(std::move(m));
    }
    return out;
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string l(line);
    JsonReader reader(l);
    auto object = reader.Object();
    EXPECT_TRUE(reader.AtEnd()) << l;
    std::map<std::string, std::string> m;
    for (const std::string& c : columns) {
      auto it = object.find(c);
      EXPECT_NE(it, object.end()) << "missing " << c << " in " << l;
      if (it == object.end()) continue;
      m[c] = it->second.kind == JsonValue::kLiteral && it->second.text == "null" ? ""
                                                                                 : it->second.text;
    }
    if (table == ExportTable::kEvents) {
      EXPECT_EQ(object["body"].kind, JsonValue::kObject) << l;
      EXPECT_EQ(object.size(), columns.size() + 1) << l;
    } else {
      EXPECT_EQ(object.size(), columns.size()) << l;
    }
    // Numbers are JSON integers, text is JSON strings.
    for (const char* numeric : {"position", "line", "debit_minor", "credit_minor", "amount_minor",
                                "reversed_by_position"}) {
      auto it = object.find(numeric);
      if (it == object.end()) continue;
      EXPECT_TRUE(it->second.kind == JsonValue::kNumber ||
                  (it->second.kind == JsonValue::kLiteral && it->second.text == "null"))
          << numeric << " in " << l;
    }
    out.push_back(std::move(m));
  }
  return out;
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  EXPECT_TRUE(absl::SimpleAtoi(s, &v)) << "not an integer: \"" << s << "\"";
  return v;
}

// ------------------------------------------------------------ fixture

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(ledger_.Open(), IsOk()); }

  void Append(v1::EventInput in) {
    auto r = ledger_.Append(Request({in}), "treasurer:ana");
    ASSERT_TRUE(r.ok()) << r.status() << " appending " << in.ShortDebugString();
    ledger_.clock().Advance(absl::Seconds(61));
  }

  // Books with every money event kind, partial and whole reversals, and
  // three currencies of exponents 2, 0 and 3.
  void BuildBooks() {
    Append(Beneficiary("lawyer", "Legal aid, A.K."));
    Append(Beneficiary("medic", "Medical \"R.\""));
    Append(Branch("leeds", Gbp(1000)));
    Append(Branch("manama", Of(5000, "BHD")));
    Append(WithId(Fee("leeds", Gbp(1000), 1), "fee-leeds"));
    Append(WithId(Fee("manama", Of(5000, "BHD"), 1), "fee-manama"));
    Append(WithId(Donation(Gbp(5000)), "don-gbp"));
    Append(WithId(Donation(Gbp(12000), "lawyer"), "don-gbp-lawyer"));
    Append(WithId(Donation(Of(100000, "JPY")), "don-jpy"));
    Append(WithId(Donation(Of(20000, "JPY"), "medic"), "don-jpy-medic"));
    Append(WithId(Donation(Of(12345, "BHD")), "don-bhd"));
    Append(WithId(BranchDonation("leeds", Gbp(20000), "medic"), "don-leeds"));
    Append(WithId(Allocation("lawyer", Gbp(3000)), "alloc-gbp"));
    Append(WithId(Allocation("medic", Of(50000, "JPY")), "alloc-jpy"));
    Append(WithId(Allocation("lawyer", Of(2000, "BHD")), "alloc-bhd"));
    Append(WithId(Disbursement("lawyer", Gbp(10000)), "disb-gbp"));
    Append(WithId(Disbursement("medic", Of(30000, "JPY")), "disb-jpy"));
    // Partial: 10.00 of a 50.00 GBP donation, with an awkward memo.
    v1::EventInput partial = Reversal("don-gbp", v1::REVERSAL_KIND_REFUND, 1000, "GBP");
    partial.set_memo(kAwkwardMemo);
    Append(WithId(partial, "rev-partial-gbp"));
    // Whole: an earmarked JPY donation, a BHD fee, a BHD allocation.
    Append(WithId(Reversal("don-jpy-medic", v1::REVERSAL_KIND_CHARGEBACK), "rev-whole-jpy"));
    Append(WithId(Reversal("fee-manama", v1::REVERSAL_KIND_CORRECTION), "rev-whole-fee"));
    Append(WithId(Reversal("alloc-bhd", v1::REVERSAL_KIND_CORRECTION), "rev-whole-alloc"));
    // Partial reversal of a disbursement: 25.00 of 100.00 came back.
    Append(WithId(Reversal("disb-gbp", v1::REVERSAL_KIND_REFUND, 2500, "GBP"), "rev-partial-disb"));
    // Text with commas, quotes and newlines in the donor reference too.
    v1::EventInput odd = Donation(Of(7, "BHD"));
    odd.mutable_body()->mutable_donation_received()->set_donor_ref("Smith, \"J\"");
    odd.mutable_body()->mutable_donation_received()->set_reference("ref, \"quoted\"");
    odd.set_memo(kAwkwardMemo);
    Append(WithId(odd, "don-odd"));
  }

  std::string Export(ExportTable table, ExportFormat format) {
    auto view = ledger_.log().NewReadView();
    std::ostringstream out;
    auto summary = ExportFromView(*view, table, format, out, {}, AllDetails(ledger_.log()));
    EXPECT_TRUE(summary.ok()) << summary.status();
    if (summary.ok()) {
      EXPECT_EQ(summary->head_position, view->head_position());
    }
    return out.str();
  }

  // Every balance re-computed from exported postings equals the ledger's.
  void ExpectPostingsReproduceBooks(ExportFormat format) {
    const std::string text = Export(ExportTable::kPostings, format);
    const auto rows = ReadRows(text, format, ExportTable::kPostings);
    ASSERT_FALSE(rows.empty());
    std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> sums;
    std::map<std::string, int64_t> per_currency;
    for (const auto& r : rows) {
      const std::string& cur = r.at("currency");
      const int64_t debit = ToInt(r.at("debit_minor"));
      const int64_t credit = ToInt(r.at("credit_minor"));
      // The decimal columns say the same as the minor-unit ones.
      EXPECT_EQ(r.at("debit"), FormatDecimal(debit, cur));
      EXPECT_EQ(r.at("credit"), FormatDecimal(credit, cur));
      int64_t parsed = 0;
      if (debit != 0) {
        auto p = ParseDecimal(r.at("debit"), cur);
        ASSERT_TRUE(p.ok()) << r.at("debit");
        parsed = *p;
        EXPECT_EQ(parsed, debit);
      }
      EXPECT_TRUE((debit == 0) != (credit == 0)) << "one side per posting";
      auto& s = sums[{r.at("account"), cur}];
      s.first += debit;
      s.second += credit;
      per_currency[cur] += debit - credit;
    }
    for (const auto& [cur, net] : per_currency) EXPECT_EQ(net, 0) << "debits = credits in " << cur;
    EXPECT_EQ(per_currency.size(), 3u) << "GBP, JPY and BHD";

    auto view = ledger_.log().NewReadView();
    auto tb = QueryTrialBalance(*view);
    ASSERT_TRUE(tb.ok()) << tb.status();
    ASSERT_TRUE(tb->balanced());
    size_t accounts = 0;
    for (const v1::AccountBalance& a : tb->accounts()) {
      auto it = sums.find({a.account(), a.currency()});
      ASSERT_NE(it, sums.end()) << "no postings for " << a.account() << " " << a.currency();
      EXPECT_EQ(it->second.first, a.debits_minor()) << a.account() << " " << a.currency();
      EXPECT_EQ(it->second.second, a.credits_minor()) << a.account() << " " << a.currency();
      ++accounts;
    }
    EXPECT_EQ(accounts, sums.size()) << "every exported account is in the trial balance";

    // Fund balances: a fund account's credits less debits is what it holds.
    size_t funds = 0;
    ASSERT_TRUE(view->Scan(kFundKeyPrefix,
                           [&](absl::string_view, absl::string_view value) {
                             v1::FundBalance f;
                             EXPECT_TRUE(f.ParseFromString(std::string(value)));
                             const auto& s = sums[{FundAccount(f.fund()), f.currency()}];
                             EXPECT_EQ(s.second - s.first, f.available_minor())
                                 << f.fund() << " " << f.currency();
                             ++funds;
                             return true;
                           })
                    .ok());
    EXPECT_GE(funds, 6u);
    // Cash: debits less credits is what the campaign holds.
    auto summary = QuerySummary(*view);
    ASSERT_TRUE(summary.ok());
    for (const auto& c : summary->totals().currencies()) {
      const auto& s = sums[{std::string(kCashAccount), c.currency()}];
      EXPECT_EQ(s.first - s.second, c.held_minor()) << "cash " << c.currency();
    }
    // Spot checks by hand: lawyer GBP = 120 + 30 - 100 + 25 = 75.00.
    const auto& lawyer = sums[{"fund:beneficiary/lawyer", "GBP"}];
    EXPECT_EQ(lawyer.second - lawyer.first, 7500);
    // medic JPY = 20000 + 50000 - 30000 - 20000 (whole chargeback) = 20000.
    const auto& medic = sums[{"fund:beneficiary/medic", "JPY"}];
    EXPECT_EQ(medic.second - medic.first, 20000);
    // general BHD = 5.000 fee - 5.000 reversed + 12.345 - 2.000 + 2.000 + 0.007 = 12.352.
    const auto& general_bhd = sums[{"fund:general", "BHD"}];
    EXPECT_EQ(general_bhd.second - general_bhd.first, 12352);
  }

  testing::TempLedger ledger_;
};

TEST(CsvTest, QuotesOnlyWhatNeedsQuoting) {
  EXPECT_EQ(CsvField("plain text"), "plain text");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
  EXPECT_EQ(CsvField("tab\tstays"), "tab\tstays");
  EXPECT_EQ(CsvField("Łódź, €12"), "\"Łódź, €12\"");
}

TEST(JsonTest, EscapesControlCharactersAndQuotes) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("x\ny\tz\r"), "\"x\\ny\\tz\\r\"");
  EXPECT_EQ(JsonString(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonString("€"), "\"€\"");
}

TEST(ExportFormatTest, ParsesNames) {
  EXPECT_EQ(*ParseExportFormat("csv"), ExportFormat::kCsv);
  EXPECT_EQ(*ParseExportFormat("jsonl"), ExportFormat::kJsonLines);
  EXPECT_FALSE(ParseExportFormat("xlsx").ok());
  EXPECT_EQ(*ParseExportTable("events"), ExportTable::kEvents);
  EXPECT_EQ(*ParseExportTable("postings"), ExportTable::kPostings);
  EXPECT_FALSE(ParseExportTable("balances").ok());
  EXPECT_EQ(IsoTimestampUtc(1772366400000001), "2026-03-01T12:00:00.000001Z");
}

TEST_F(ExportTest, PostingsCsvReproduceEveryBalance) {
  BuildBooks();
  ExpectPostingsReproduceBooks(ExportFormat::kCsv);
}

TEST_F(ExportTest, PostingsJsonLinesReproduceEveryBalance) {
  BuildBooks();
  ExpectPostingsReproduceBooks(ExportFormat::kJsonLines);
}

TEST_F(ExportTest, ReversalPostingsSwapTheOriginalsAccountsForTheReversedAmount) {
  BuildBooks();
  const auto rows = ReadRows(Export(ExportTable::kPostings, ExportFormat::kCsv), ExportFormat::kCsv,
                             ExportTable::kPostings);
  std::map<std::string, std::vector<std::map<std::string, std::string>>> by_id;
  for (const auto& r : rows) by_id[r.at("event_id")].push_back(r);
  // Whole reversal of an earmarked JPY donation: Dr fund, Cr cash, full amount.
  const auto& whole = by_id["rev-whole-jpy"];
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].at("line"), "1");
  EXPECT_EQ(whole[0].at("account"), "fund:beneficiary/medic");
  EXPECT_EQ(whole[0].at("debit"), "20000");
  EXPECT_EQ(whole[1].at("account"), "cash");
  EXPECT_EQ(whole[1].at("credit"), "20000");
  EXPECT_EQ(whole[0].at("target_event_id"), "don-jpy-medic");
  EXPECT_EQ(whole[0].at("kind"), "event_reversed");
  // Partial reversal of a disbursement: Dr cash, Cr fund, 25.00.
  const auto& part = by_id["rev-partial-disb"];
  ASSERT_EQ(part.size(), 2u);
  EXPECT_EQ(part[0].at("account"), "cash");
  EXPECT_EQ(part[0].at("debit"), "25.00");
  EXPECT_EQ(part[1].at("account"), "fund:beneficiary/lawyer");
  EXPECT_EQ(part[1].at("credit_minor"), "2500");
  // BHD has three decimals.
  const auto& fee = by_id["rev-whole-fee"];
  ASSERT_EQ(fee.size(), 2u);
  EXPECT_EQ(fee[0].at("debit"), "5.000");
  // Events that move no money have no postings.
  EXPECT_EQ(by_id.count("genesis"), 0u);
}

TEST_F(ExportTest, AwkwardTextSurvivesBothFormats) {
  BuildBooks();
  for (ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJsonLines}) {
    SCOPED_TRACE(format == ExportFormat::kCsv ? "csv" : "jsonl");
    const std::string events = Export(ExportTable::kEvents, format);
    const auto rows = ReadRows(events, format, ExportTable::kEvents);
    bool seen = false;
    for (const auto& r : rows) {
      if (r.at("event_id") != "don-odd") continue;
      seen = true;
      EXPECT_EQ(r.at("memo"), kAwkwardMemo);
      EXPECT_EQ(r.at("donor_ref"), "Smith, \"J\"");
      EXPECT_EQ(r.at("reference"), "ref, \"quoted\"");
      EXPECT_EQ(r.at("amount"), "0.007");
      EXPECT_EQ(r.at("currency"), "BHD");
    }
    EXPECT_TRUE(seen);
    const auto postings =
        ReadRows(Export(ExportTable::kPostings, format), format, ExportTable::kPostings);
    int memos = 0;
    for (const auto& r : postings) {
      if (r.at("memo") == kAwkwardMemo) ++memos;
    }
    EXPECT_EQ(memos, 4) << "two postings each for rev-partial-gbp and don-odd";
  }
  // In CSV the awkward fields are quoted, with quotes doubled.
  const std::string csv = Export(ExportTable::kEvents, ExportFormat::kCsv);
  EXPECT_NE(
      csv.find("\"Refund, as \"\"agreed\"\" by the committee\nsecond line, with a tab\there\""),
      std::string::npos);
  EXPECT_NE(csv.find(",\"Smith, \"\"J\"\"\","), std::string::npos);
}

TEST_F(ExportTest, FormulaLikeTextIsWrittenAsTextInCsvAndAsRecordedInJson) {
  // A donor reference, a memo, a reference and an event id that a
  // spreadsheet would run as formulas (OWASP "CSV Injection").
  BuildBooks();
  v1::EventInput in = WithId(Donation(Gbp(1234)), "-2-3");
  in.set_memo("+SUM(A1:A9)");
  in.mutable_body()->mutable_donation_received()->set_donor_ref(
      "=HYPERLINK(\"http://x\",\"click\")");
  in.mutable_body()->mutable_donation_received()->set_reference("@cmd");
  in.mutable_body()->mutable_donation_received()->set_method("-card");
  Append(in);
  const std::string csv = Export(ExportTable::kEvents, ExportFormat::kCsv);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find(",'+SUM(A1:A9),"), std::string::npos);
  EXPECT_NE(csv.find(",'@cmd,"), std::string::npos);
  EXPECT_NE(csv.find(",'-card,"), std::string::npos);
  EXPECT_NE(csv.find(",'-2-3,"), std::string::npos);
  // No cell of the CSV starts with a formula character, apostrophe aside.
  for (const auto& row : ParseCsv(csv)) {
    for (const std::string& cell : row) {
      if (cell.empty()) continue;
      const bool integer = !cell.empty() && std::all_of(cell.begin(), cell.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '-';
      }) && cell.find('-', 1) == std::string::npos;
      if (integer) continue;
      EXPECT_EQ(std::string("=+-@\t\r").find(cell[0]), std::string::npos) << cell;
    }
  }
  // JSON Lines is exactly as recorded.
  const auto rows = ReadRows(Export(ExportTable::kEvents, ExportFormat::kJsonLines),
                             ExportFormat::kJsonLines, ExportTable::kEvents);
  bool seen = false;
  for (const auto& r : rows) {
    if (r.at("event_id") != "-2-3") continue;
    seen = true;
    EXPECT_EQ(r.at("donor_ref"), "=HYPERLINK(\"http://x\",\"click\")");
    EXPECT_EQ(r.at("memo"), "+SUM(A1:A9)");
  }
  EXPECT_TRUE(seen);
}

TEST(CsvTest, TextCellsThatLookLikeFormulasGetAnApostrophe) {
  EXPECT_EQ(CsvTextField("=1+1"), "'=1+1");
  EXPECT_EQ(CsvTextField("+44 20"), "'+44 20");
  EXPECT_EQ(CsvTextField("-x"), "'-x");
  EXPECT_EQ(CsvTextField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvTextField("\tx"), "'\tx");
  EXPECT_EQ(CsvTextField("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvTextField("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(CsvTextField("plain"), "plain");
  EXPECT_EQ(CsvTextField(""), "");
  EXPECT_EQ(CsvField("-10.00"), "-10.00");
}

TEST_F(ExportTest, EventRowsChainToTheHeadAndShowReversals) {
  BuildBooks();
  auto view = ledger_.log().NewReadView();
  for (ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJsonLines}) {
    const auto rows = ReadRows(Export(ExportTable::kEvents, format), format, ExportTable::kEvents);
    ASSERT_EQ(rows.size(), view->head_position());
    std::string prev = ToHex(ZeroHash());
    std::map<std::string, std::map<std::string, std::string>> by_id;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(ToInt(rows[i].at("position")), static_cast<int64_t>(i + 1));
      EXPECT_EQ(rows[i].at("prev_hash"), prev) << "row " << i + 1;
      prev = rows[i].at("hash");
      by_id[rows[i].at("event_id")] = rows[i];
    }
    EXPECT_EQ(prev, ToHex(view->head_hash()));
    EXPECT_EQ(by_id["genesis"].at("kind"), "ledger_opened");
    EXPECT_EQ(by_id["genesis"].at("amount"), "");
    EXPECT_EQ(by_id["genesis"].at("amount_minor"), "");
    EXPECT_EQ(by_id["don-jpy-medic"].at("reversed_by_position"),
              by_id["rev-whole-jpy"].at("position"));
    EXPECT_EQ(by_id["don-jpy"].at("reversed_by_position"), "");
    // A whole reversal shows the amount it took back.
    EXPECT_EQ(by_id["rev-whole-jpy"].at("amount"), "20000");
    EXPECT_EQ(by_id["rev-whole-jpy"].at("amount_minor"), "20000");
    EXPECT_EQ(by_id["rev-whole-jpy"].at("reversal_kind"), "chargeback");
    EXPECT_EQ(by_id["rev-whole-jpy"].at("debit_account"), "fund:beneficiary/medic");
    EXPECT_EQ(by_id["rev-partial-gbp"].at("amount"), "10.00");
    EXPECT_EQ(by_id["don-leeds"].at("donor_kind"), "branch");
    EXPECT_EQ(by_id["don-leeds"].at("branch_id"), "leeds");
    EXPECT_EQ(by_id["don-leeds"].at("beneficiary_id"), "medic");
    EXPECT_EQ(by_id["disb-gbp"].at("details"), "lawyer fees");
    EXPECT_EQ(by_id["disb-gbp"].at("payee"), "law-firm-1");
    EXPECT_EQ(by_id["don-bhd"].at("amount"), "12.345");
    EXPECT_EQ(by_id["don-bhd"].at("actor"), "treasurer:ana");
    EXPECT_EQ(by_id["don-bhd"].at("recorded_at").size(),
              std::string("2026-03-01T12:00:00.000000Z").size());
    EXPECT_EQ(by_id["don-bhd"].at("recorded_at").back(), 'Z');
  }
}

TEST_F(ExportTest, PagedExportEqualsOfflineExportAtTheSameHead) {
  BuildBooks();
  auto before = ledger_.log().NewReadView();
  std::string expected[2][2];
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) {
      std::ostringstream out;
      ASSERT_TRUE(ExportFromView(*before, t ? ExportTable::kPostings : ExportTable::kEvents,
                                 f ? ExportFormat::kJsonLines : ExportFormat::kCsv, out, {},
                                 AllDetails(ledger_.log()))
                      .ok());
      expected[t][f] = out.str();
    }
  }
  // Events (including a reversal of an exported event) arrive after the
  // export started: the paged export must not show them.
  Append(WithId(Reversal("don-bhd", v1::REVERSAL_KIND_REFUND, 45, "BHD"), "late-reversal"));
  Append(Donation(Gbp(1)));
  auto after = ledger_.log().NewReadView();
  ASSERT_EQ(after->head_position(), before->head_position() + 2);
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) {
      int calls = 0;
      // The first page comes from the old head, later pages from the new
      // one; pages of 5 so that several are read.
      PageReader pages = [&](uint64_t from, uint32_t) -> absl::StatusOr<v1::ReadEventsResponse> {
        ReadView& v = calls++ == 0 ? *before : *after;
        return QueryEvents(v, from, 5, AllDetails(ledger_.log()));
      };
      TargetLookup lookup = [&](absl::string_view id) -> absl::StatusOr<std::optional<v1::Event>> {
        v1::GetEventRequest req;
        req.set_event_id(std::string(id));
        auto e = QueryEvent(*after, req, AllDetails(ledger_.log()));
        if (absl::IsNotFound(e.status())) return std::optional<v1::Event>();
        if (!e.ok()) return e.status();
        return std::optional<v1::Event>(*e);
      };
      std::ostringstream out;
      auto summary =
          ExportFromPages(pages, lookup, t ? ExportTable::kPostings : ExportTable::kEvents,
                          f ? ExportFormat::kJsonLines : ExportFormat::kCsv, out);
      ASSERT_TRUE(summary.ok()) << summary.status();
      EXPECT_EQ(summary->head_position, before->head_position());
      EXPECT_GT(calls, 3);
      EXPECT_EQ(out.str(), expected[t][f]) << "table " << t << " format " << f;
    }
  }
}

TEST_F(ExportTest, ProgressIsReportedAndTheExportIsStable) {
  BuildBooks();
  for (int i = 0; i < 600; ++i) {
    auto r = ledger_.log().Append(Request({Donation(Of(1 + i, "JPY"))}));
    ASSERT_TRUE(r.ok()) << r.status();
  }
  auto view = ledger_.log().NewReadView();
  std::vector<uint64_t> seen;
  std::ostringstream a, b;
  ASSERT_TRUE(ExportPostings(*view, ExportFormat::kCsv, a, [&](uint64_t at, uint64_t last) {
                EXPECT_EQ(last, view->head_position());
                seen.push_back(at);
              }).ok());
  ASSERT_TRUE(ExportPostings(*view, ExportFormat::kCsv, b).ok());
  EXPECT_EQ(a.str(), b.str());
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.back(), view->head_position());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
}

TEST_F(ExportTest, AFailingStreamIsAnError) {
  BuildBooks();
  auto view = ledger_.log().NewReadView();
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto r = ExportEvents(*view, ExportFormat::kCsv, out);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace ledger
