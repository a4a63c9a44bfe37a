#include "clients/ledgerctl/output.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "ledger/audit/export.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/hash.h"

namespace ledgerctl {
namespace {

namespace v1 = ::solidarity::ledger::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kExitCodePayload[] = "ledgerctl/exit-code";
constexpr char kUsageCommandPayload[] = "ledgerctl/usage-command";

// ------------------------------------------------------------------ UTF-8

// Decodes the code point at `text[*i]` and advances `*i`; nullopt (advancing
// one byte) for a byte that does not start a valid UTF-8 sequence.
std::optional<uint32_t> NextCodePoint(absl::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(*i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > text.size()) {
    ++*i;
    return std::nullopt;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) {
      ++*i;
      return std::nullopt;
    }
    cp = (cp << 6) | (byte(*i + k) & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return std::nullopt;
  }
  *i += len;
  return cp;
}

// Characters that can move a cursor, fake a line or reorder what follows.
bool IsSpoofing(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string Escaped(uint32_t cp) {
  switch (cp) {
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return absl::StrFormat("\\u%04x", cp);
  }
}

size_t Utf8Width(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool LooksNumeric(const std::string& s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-');
}

// ------------------------------------------------------------------ JSON

std::string Indent(int level) { return std::string(static_cast<size_t>(level), ' '); }

// Whether `field` of `m` is printed (protobuf's JSON mapping rules).
bool Printed(const Message& m, const FieldDescriptor* f, const JsonStyle& style) {
  const Reflection* r = m.GetReflection();
  if (f->is_repeated()) return style.all_fields || r->FieldSize(m, f) > 0;
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || f->containing_oneof() != nullptr) {
    return r->HasField(m, f);
  }
  return style.all_fields || r->HasField(m, f);
}

void WriteMessage(const Message& m, const JsonStyle& style, int indent, std::string* out,
                  const JsonMembers& extra = {});

void WriteValue(const Message& m, const FieldDescriptor* f, int index, const JsonStyle& style,
                int indent, std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      return;
    case FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings in protobuf's mapping
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), "\"");
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f),
                      "\"");
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      absl::StrAppend(
          out, (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:  // none in our protos; kept for completeness
      absl::StrAppend(out, rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      absl::StrAppend(out, rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      absl::StrAppend(out, value ? JsonQuote(value->name()) : absl::StrCat(number));
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      absl::StrAppend(out, f->type() == FieldDescriptor::TYPE_BYTES
                               ? absl::StrCat("\"", ledger::ToHex(s), "\"")
                               : JsonQuote(s));
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      WriteMessage(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), style, indent,
                   out);
      return;
  }
}

void WriteField(const Message& m, const FieldDescriptor* f, const JsonStyle& style, int indent,
                std::string* out) {
  absl::StrAppend(out, JsonQuote(f->name()), style.pretty ? ": " : ":");
  if (!f->is_repeated()) {
    WriteValue(m, f, 0, style, indent, out);
    return;
  }
  const int n = m.GetReflection()->FieldSize(m, f);
  if (n == 0) {
    absl::StrAppend(out, "[]");
    return;
  }
  absl::StrAppend(out, "[");
  for (int i = 0; i < n; ++i) {
    if (i > 0) absl::StrAppend(out, ",");
    if (style.pretty) absl::StrAppend(out, "\n", Indent(indent + 1));
    WriteValue(m, f, i, style, indent + 1, out);
  }
  absl::StrAppend(out, style.pretty ? "\n" + Indent(indent) : "", "]");
}

void WriteMessage(const Message& m, const JsonStyle& style, int indent, std::string* out,
                  const JsonMembers& extra) {
  const auto* d = m.GetDescriptor();
  bool first = true;
  const auto separate = [&] {
    if (!first) absl::StrAppend(out, ",");
    first = false;
    if (style.pretty) absl::StrAppend(out, "\n", Indent(indent + 1));
  };
  absl::StrAppend(out, "{");
  // With every field printed, protobuf's JSON mapping puts proto3
  // `optional` fields (synthetic oneofs) after all the others; so does this
  // printer. Otherwise fields come in declaration order.
  for (const bool optional_pass : {false, true}) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      const bool late = style.all_fields && f->real_containing_oneof() == nullptr &&
                        f->containing_oneof() != nullptr;
      if (late != optional_pass || !Printed(m, f, style)) continue;
      separate();
      WriteField(m, f, style, indent + 1, out);
    }
  }
  for (const auto& [name, json] : extra) {
    separate();
    absl::StrAppend(out, JsonQuote(name), style.pretty ? ": " : ":", json);
  }
  if (!first && style.pretty) absl::StrAppend(out, "\n", Indent(indent));
  absl::StrAppend(out, "}");
}

}  // namespace

// ------------------------------------------------------------------ errors

absl::Status UsageError(absl::string_view message, absl::string_view field,
                        absl::string_view command) {
  absl::Status status =
      ledger::Refusal(absl::StatusCode::kInvalidArgument, kReasonUsage, message, field);
  status.SetPayload(kUsageCommandPayload, absl::Cord(command));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsageCommandPayload).has_value();
}

absl::Status WithExitCode(absl::Status status, int exit_code) {
  status.SetPayload(kExitCodePayload, absl::Cord(absl::StrCat(exit_code)));
  return status;
}

int ExitCodeOf(const absl::Status& status) {
  if (IsUsageError(status)) return kExitUsage;
  if (auto code = status.GetPayload(kExitCodePayload)) {
    int n = 0;
    if (absl::SimpleAtoi(std::string(*code), &n)) return n;
  }
  return kExitRefused;
}

void PrintError(const absl::Status& status, bool json, std::ostream& err) {
  const std::optional<v1::ErrorDetail> detail = ledger::GetErrorDetail(status);
  const std::string code = absl::StatusCodeToString(status.code());
  if (json) {
    err << "{\"code\": " << JsonQuote(code)
        << ", \"reason\": " << JsonQuote(detail ? detail->reason() : "")
        << ", \"message\": " << JsonQuote(status.message())
        << ", \"field\": " << JsonQuote(detail ? detail->field() : "")
        << ", \"details\": " << (detail ? ToJson(*detail, JsonStyle{false, false}) : "{}")
        << ", \"exit_code\": " << ExitCodeOf(status) << "}\n";
    return;
  }
  if (IsUsageError(status)) {
    const std::string command(status.GetPayload(kUsageCommandPayload).value_or(absl::Cord()));
    err << "ledgerctl: " << Terminal(status.message()) << " (see ledgerctl "
        << (command.empty() ? "" : command + " ") << "--help)\n";
    return;
  }
  err << "ledgerctl: error: " << Terminal(status.message()) << " (" << code;
  // A server that paces its callers (RATE_LIMITED) says when to come back.
  if (detail && detail->retry_after_ms() > 0) {
    err << ", " << Terminal(detail->reason()) << "; retry after " << detail->retry_after_ms()
        << " ms";
  }
  err << ")\n";
}

// ------------------------------------------------------------------ text

std::string Terminal(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const std::optional<uint32_t> cp = NextCodePoint(text, &i);
    if (!cp) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", static_cast<unsigned char>(text[start])));
    } else if (*cp == '\\') {
      out += "\\\\";
    } else if (IsSpoofing(*cp)) {
      out += Escaped(*cp);
    } else {
      out.append(text.data() + start, i - start);
    }
  }
  return out;
}

std::string Hex(absl::string_view bytes) { return ledger::ToHex(bytes); }
std::string ShortHash(absl::string_view bytes) { return Hex(bytes).substr(0, 16); }

// ------------------------------------------------------------------ money

std::string GroupThousands(absl::string_view decimal) {
  const size_t sign = !decimal.empty() && decimal[0] == '-' ? 1 : 0;
  size_t end = decimal.find('.');
  if (end == absl::string_view::npos) end = decimal.size();
  std::string out(decimal.substr(0, sign));
  for (size_t i = sign; i < end; ++i) {
    // A comma before every digit that has a multiple of three digits after it.
    if (i > sign && (end - i) % 3 == 0) out.push_back(',');
    out.push_back(decimal[i]);
  }
  absl::StrAppend(&out, decimal.substr(end));
  return out;
}

std::string HumanDecimal(int64_t minor, absl::string_view currency) {
  return GroupThousands(ledger::FormatDecimal(minor, currency));
}

std::string HumanAmount(int64_t minor, absl::string_view currency) {
  return absl::StrCat(HumanDecimal(minor, currency), " ", currency);
}

Table::Table(std::vector<std::string> header) { Add(std::move(header)); }

void Table::Add(std::vector<std::string> row) {
  for (std::string& cell : row) cell = Terminal(cell);
  rows_.push_back(std::move(row));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width;
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], Utf8Width(r[i]));
    }
  }
  for (size_t ri = 0; ri < rows_.size(); ++ri) {
    const auto& r = rows_[ri];
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      const size_t pad = width[i] - Utf8Width(r[i]);
      if (i > 0) line += "  ";
      if (ri > 0 && LooksNumeric(r[i])) {
        line += std::string(pad, ' ') + r[i];
      } else {
        line += r[i] + (i + 1 < r.size() ? std::string(pad, ' ') : "");
      }
    }
    out << line << "\n";
  }
  if (rows_.size() == 1) out << "(none)\n";
}

// ------------------------------------------------------------------ CSV

CsvCell CsvText(std::string value) { return CsvCell{CsvCell::Kind::kText, std::move(value)}; }
CsvCell CsvNumber(std::string value) { return CsvCell{CsvCell::Kind::kNumber, std::move(value)}; }
CsvCell CsvAmount(std::string value) { return CsvCell{CsvCell::Kind::kAmount, std::move(value)}; }

std::string TableText(const CsvCell& cell) {
  return cell.kind == CsvCell::Kind::kAmount ? GroupThousands(cell.value) : cell.value;
}

void PrintCsv(const std::vector<std::vector<CsvCell>>& rows, std::ostream& out) {
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out << ",";
      out << (row[i].kind == CsvCell::Kind::kText ? ledger::CsvTextField(row[i].value)
                                                  : ledger::CsvField(row[i].value));
    }
    out << "\r\n";
  }
}

// ------------------------------------------------------------------ JSON

std::string ToJson(const Message& message, JsonStyle style, int indent, const JsonMembers& extra) {
  std::string out;
  WriteMessage(message, style, indent, &out, extra);
  return out;
}

std::string JsonObject(const JsonMembers& members, JsonStyle style, int indent) {
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) {
    absl::StrAppend(&out, i ? "," : "", style.pretty ? "\n" + Indent(indent + 1) : "",
                    JsonQuote(members[i].first), style.pretty ? ": " : ":", members[i].second);
  }
  return absl::StrCat(out, members.empty() || !style.pretty ? "" : "\n" + Indent(indent), "}");
}

std::string JsonList(const std::vector<const Message*>& items, JsonStyle style, int indent) {
  if (items.empty()) return "[]";
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    absl::StrAppend(&out, i ? "," : "", style.pretty ? "\n" + Indent(indent + 1) : "",
                    ToJson(*items[i], style, indent + 1));
  }
  return absl::StrCat(out, style.pretty ? "\n" + Indent(indent) : "", "]");
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const std::optional<uint32_t> cp = NextCodePoint(text, &i);
    if (!cp) {  // not UTF-8 (proto3 strings always are): keep JSON valid
      out += "\\ufffd";
    } else if (*cp == '"' || *cp == '\\') {
      out += '\\';
      out += static_cast<char>(*cp);
    } else if (*cp == '\b' || *cp == '\f' || *cp == '\n' || *cp == '\r' || *cp == '\t') {
      out += *cp == '\b' ? "\\b" : *cp == '\f' ? "\\f" : Escaped(*cp);
    } else if (IsSpoofing(*cp) || *cp == '<' || *cp == '>') {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", *cp));
    } else {
      out.append(text.data() + start, i - start);
    }
  }
  return out + "\"";
}

}  // namespace ledgerctl
