// Goal: ledgerctl's pieces that need no server. The JSON printer keeps
// protobuf's JSON mapping for every message of the API (field names, enums
// by name, 64-bit integers as strings, defaults printed) except bytes, which
// are lower-case hex; terminal text cannot carry control or bidi characters;
// CSV cells are guarded by kind; the parser refuses what it does not know.
#include <cstdint>
#include <string>
#include <vector>

#include "clients/ledgerctl/args.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/errors.h"
#include "solidarity/ledger/v1/admin.pb.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledgerctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Sets every field (two elements in lists; the last member of a oneof wins)
// to a value that differs from the default. Bytes and Any are left unset.
void Fill(Message* m, int depth) {
  const auto* r = m->GetReflection();
  const Descriptor* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() == FieldDescriptor::TYPE_BYTES) continue;
    const int n = f->is_repeated() ? 2 : 1;
    for (int k = 0; k < n; ++k) {
      const bool rep = f->is_repeated();
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          rep ? r->AddInt32(m, f, -7) : r->SetInt32(m, f, -7);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          rep ? r->AddUInt32(m, f, 7) : r->SetUInt32(m, f, 7);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          rep ? r->AddInt64(m, f, -9007199254740993) : r->SetInt64(m, f, -9007199254740993);
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          rep ? r->AddUInt64(m, f, 18446744073709551615u)
              : r->SetUInt64(m, f, 18446744073709551615u);
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          rep ? r->AddBool(m, f, true) : r->SetBool(m, f, true);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const auto* e = f->enum_type();
          const int v = e->value(e->value_count() - 1)->number();
          rep ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          const std::string s = "caf\xc3\xa9 \"" + f->name() + "\" \\ 12.50";
          rep ? r->AddString(m, f, s) : r->SetString(m, f, s);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (f->message_type()->full_name() == "google.protobuf.Any" || depth >= 3) break;
          Fill(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), depth + 1);
          break;
        default:
          break;
      }
    }
  }
}

std::string Protobuf(const Message& m, bool pretty, bool all) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = pretty;
  o.always_print_primitive_fields = all;
  o.preserve_proto_field_names = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, o).ok());
  if (pretty && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<const Descriptor*> ApiMessages() {
  std::vector<const Descriptor*> all;
  for (const auto* file :
       {v1::GetSummaryResponse::descriptor()->file(), v1::Event::descriptor()->file(),
        v1::CreateBackupResponse::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) all.push_back(file->message_type(i));
    for (int i = 0; i < file->dependency_count(); ++i) {
      const auto* dep = file->dependency(i);
      if (dep->package() != "solidarity.ledger.v1") continue;
      for (int j = 0; j < dep->message_type_count(); ++j) all.push_back(dep->message_type(j));
    }
  }
  return all;
}

TEST(JsonPrinter, MatchesProtobufMappingForEveryApiMessage) {
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  int compared = 0;
  for (const Descriptor* d : ApiMessages()) {
    std::unique_ptr<Message> empty(factory->GetPrototype(d)->New());
    std::unique_ptr<Message> full(factory->GetPrototype(d)->New());
    Fill(full.get(), 0);
    for (const Message* m : {empty.get(), full.get()}) {
      EXPECT_EQ(ToJson(*m), Protobuf(*m, true, true)) << d->full_name();
      EXPECT_EQ(ToJson(*m, JsonStyle{false, true}), Protobuf(*m, false, true)) << d->full_name();
      EXPECT_EQ(ToJson(*m, JsonStyle{false, false}), Protobuf(*m, false, false)) << d->full_name();
      ++compared;
    }
  }
  EXPECT_GT(compared, 60);
}

TEST(JsonPrinter, BytesAreLowerCaseHex) {
  v1::GetHeadResponse r;
  r.mutable_head()->set_position(7);
  r.mutable_head()->set_hash(std::string("\x00\xab\xff\x10", 4));
  EXPECT_EQ(ToJson(r, JsonStyle{false, false}), R"({"head":{"position":"7","hash":"00abff10"}})");
}

TEST(JsonPrinter, ExtraMembersObjectsAndLists) {
  v1::AppendResponse r;
  r.add_positions(7);
  EXPECT_EQ(ToJson(r, {}, 0, {{"occurred_on", JsonQuote("2026-01-15")}}),
            "{\n \"positions\": [\n  \"7\"\n ],\n \"deduplicated\": false,\n"
            " \"occurred_on\": \"2026-01-15\"\n}");
  v1::Head h;
  EXPECT_EQ(JsonObject({{"as_of", ToJson(h, {}, 1)}, {"list", JsonList({}, {}, 1)}}),
            "{\n \"as_of\": {\n  \"position\": \"0\",\n  \"hash\": \"\"\n },\n \"list\": []\n}");
}

TEST(Terminal, EscapesControlC1AndBidi) {
  EXPECT_EQ(Terminal("plain café"), "plain café");
  EXPECT_EQ(Terminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(Terminal("\x1b[2J"), "\\u001b[2J");
  EXPECT_EQ(Terminal("x\xc2\x85y"), "x\\u0085y");  // U+0085 NEL
  EXPECT_EQ(Terminal("\xe2\x80\xae"
                     "evil"),
            "\\u202eevil");  // RLO
  EXPECT_EQ(Terminal("\xe2\x81\xa6"
                     "x"),
            "\\u2066x");  // LRI
  EXPECT_EQ(Terminal("back\\slash"), "back\\\\slash");
  EXPECT_EQ(Terminal("bad\xff"), "bad\\xff");
}

TEST(Table, EscapesCells) {
  Table t({"a", "b"});
  t.Add({"x\ny", "1.00"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(), "a     b\nx\\ny  1.00\n");
}

TEST(Csv, TextGuardedNumbersAsIs) {
  std::ostringstream out;
  PrintCsv({{CsvText("=HYPERLINK(1)"), CsvNumber("-10.00"), CsvText("-1+1"), CsvText("a,b")}}, out);
  EXPECT_EQ(out.str(), "'=HYPERLINK(1),-10.00,'-1+1,\"a,b\"\r\n");
}

// Goal: people read amounts grouped ("58,478.00 GBP") in tables; CSV keeps
// the exact form a script or spreadsheet parses ("58478.00").
TEST(Money, HumanAmountsAreGroupedByThousands) {
  EXPECT_EQ(HumanDecimal(5847800, "GBP"), "58,478.00");
  EXPECT_EQ(HumanAmount(5847800, "GBP"), "58,478.00 GBP");
  EXPECT_EQ(HumanAmount(99999, "GBP"), "999.99 GBP");
  EXPECT_EQ(HumanAmount(100000, "GBP"), "1,000.00 GBP");
  EXPECT_EQ(HumanAmount(-123456, "GBP"), "-1,234.56 GBP");
  EXPECT_EQ(HumanAmount(-5, "GBP"), "-0.05 GBP");
  EXPECT_EQ(HumanAmount(0, "GBP"), "0.00 GBP");
  EXPECT_EQ(HumanAmount(100000, "KZT"), "1,000.00 KZT");
  EXPECT_EQ(HumanAmount(1250, "JPY"), "1,250 JPY");
  EXPECT_EQ(HumanAmount(999, "JPY"), "999 JPY");
  EXPECT_EQ(HumanAmount(-1234567, "JPY"), "-1,234,567 JPY");
  EXPECT_EQ(HumanAmount(1234567, "BHD"), "1,234.567 BHD");
  EXPECT_EQ(HumanAmount(INT64_MAX, "GBP"), "92,233,720,368,547,758.07 GBP");
  EXPECT_EQ(HumanAmount(INT64_MIN, "JPY"), "-9,223,372,036,854,775,808 JPY");
  EXPECT_EQ(GroupThousands("123"), "123");
  EXPECT_EQ(GroupThousands("-123456"), "-123,456");
  EXPECT_EQ(GroupThousands(""), "");
}

TEST(Money, CsvAmountsExactTableAmountsGrouped) {
  std::ostringstream out;
  PrintCsv({{CsvAmount("58478.00"), CsvAmount("-1234.56"), CsvNumber("1234")}}, out);
  EXPECT_EQ(out.str(), "58478.00,-1234.56,1234\r\n");
  EXPECT_EQ(TableText(CsvAmount("-1234.56")), "-1,234.56");
  EXPECT_EQ(TableText(CsvNumber("1234")), "1234");
  EXPECT_EQ(TableText(CsvText("1234")), "1234");
}

TEST(Errors, UsageErrorsAsJsonAndText) {
  absl::Status s =
      UsageError("donate: unknown option --fund; did you mean --to?", "--fund", "donate");
  EXPECT_EQ(ExitCodeOf(s), kExitUsage);
  std::ostringstream json, text;
  PrintError(s, true, json);
  PrintError(s, false, text);
  EXPECT_EQ(
      json.str(),
      "{\"code\": \"INVALID_ARGUMENT\", \"reason\": \"USAGE\", \"message\": \"donate: unknown "
      "option --fund; did you mean --to?\", \"field\": \"--fund\", \"details\": "
      "{\"reason\":\"USAGE\",\"field\":\"--fund\"}, \"exit_code\": 2}\n");
  EXPECT_EQ(text.str(),
            "ledgerctl: donate: unknown option --fund; did you mean --to? (see ledgerctl donate "
            "--help)\n");
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::UnavailableError("x"), kExitUnreachable)),
            kExitUnreachable);
  EXPECT_EQ(ExitCodeOf(absl::FailedPreconditionError("x")), kExitRefused);
}

// ------------------------------------------------------------------ parser

absl::StatusOr<ParsedCommandLine> Parse(std::vector<std::string> args) {
  return ParseCommandLine(args, Commands());
}

std::string ErrorOf(std::vector<std::string> args) {
  auto p = Parse(std::move(args));
  if (p.ok()) return "OK";
  EXPECT_EQ(ExitCodeOf(p.status()), kExitUsage);
  return std::string(p.status().message());
}

TEST(Parser, RefusesWhatItDoesNotKnow) {
  EXPECT_EQ(ErrorOf({"donate", "10.00", "GBP", "--fund", "lawyer"}),
            "donate: unknown option --fund; did you mean --to?");
  EXPECT_EQ(ErrorOf({"donate", "25.00", "GBP", "lawyer"}),
            "donate: unexpected word \"lawyer\"; did you mean --to lawyer?");
  EXPECT_EQ(ErrorOf({"disburse", "a", "1", "GBP", "--purpose", "x", "--payeee", "X"}),
            "disburse: unknown option --payeee; did you mean --payee?");
  EXPECT_EQ(ErrorOf({"balances", "--sensitive"}),
            "balances: unknown option --sensitive (it is an option of ledgerctl beneficiary add)");
  EXPECT_EQ(ErrorOf({"export", "events", "--redact", "--output", "f.csv"}),
            "export events: unknown option --redact");
  EXPECT_EQ(ErrorOf({"donate", "1", "GBP", "--to"}), "donate: --to needs a value (BENEFICIARY)");
  EXPECT_EQ(ErrorOf({"donate", "1", "GBP", "--to", "a", "--to", "b"}), "donate: --to given twice");
  EXPECT_EQ(ErrorOf({"summary", "--json=yes"}), "summary: --json is a switch and takes no value");
  EXPECT_EQ(ErrorOf({"donate", "1"}), "donate: AMOUNT needs its currency, e.g. 1 GBP");
  EXPECT_EQ(ErrorOf({"allocate"}), "allocate: missing BENEFICIARY (the beneficiary id)");
  EXPECT_EQ(ErrorOf({"frobnicate"}), "unknown command \"frobnicate\"");
  EXPECT_EQ(ErrorOf({"sumary"}), "unknown command \"sumary\"; did you mean summary?");
  EXPECT_EQ(ErrorOf({"branch", "pay-fe"}),
            "unknown branch subcommand \"pay-fe\" (affiliate, update, disaffiliate, pay-fee or "
            "show); did you "
            "mean pay-fee?");
  EXPECT_EQ(ErrorOf({"--timeout", "soon", "summary"}),
            "--timeout takes seconds, e.g. --timeout 5 or --timeout 0.5, not \"soon\"");
}

TEST(Parser, GlobalsAnywhereAndAmountsInOneOrTwoWords) {
  auto p = Parse(
      {"--server", "h:1", "donate", "12.50 GBP", "--json", "--to", "lawyer", "--timeout", "2.5"});
  ASSERT_TRUE(p.ok()) << p.status();
  const Invocation& in = *p->invocation;
  EXPECT_EQ(in.command().Path(), "donate");
  EXPECT_EQ(in.Positional("AMOUNT"), "12.50 GBP");
  EXPECT_EQ(in.Get("to"), "lawyer");
  EXPECT_TRUE(in.json());
  EXPECT_EQ(in.globals().server, "h:1");
  EXPECT_EQ(in.globals().timeout_ms, 2500);
  auto two = Parse({"branch", "pay-fee", "leeds", "24.00", "GBP", "--periods=2"});
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->invocation->Positional("AMOUNT"), "24.00 GBP");
  EXPECT_EQ(two->invocation->Get("periods"), "2");
  auto negative = Parse({"donate", "-5", "GBP"});
  ASSERT_TRUE(negative.ok()) << negative.status();
  EXPECT_EQ(negative->invocation->Positional("AMOUNT"), "-5 GBP");
  auto tail = Parse({"tail", "-f", "-n", "3"});
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_TRUE(tail->invocation->Has("follow"));
  EXPECT_EQ(tail->invocation->Get("lines"), "3");
}

TEST(Parser, HelpForCommandsGroupsAndOverview) {
  auto help = Parse({"donate", "--fund", "x", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->action, ParsedCommandLine::Action::kCommandHelp);
  auto group = Parse({"branch", "--help"});
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->action, ParsedCommandLine::Action::kGroupHelp);
  auto none = Parse({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->action, ParsedCommandLine::Action::kOverview);
  EXPECT_EQ(none->overview_exit, kExitUsage);
  // Every option in every table shows in that command's help, with its default.
  for (const CommandSpec& c : Commands()) {
    std::ostringstream out;
    PrintCommandHelp(c, out);
    for (const OptionSpec& o : c.options) {
      EXPECT_NE(out.str().find(std::string("--") + o.name), std::string::npos)
          << c.Path() << " " << o.name;
      if (*o.default_text && std::string(o.default_text) != "required") {
        EXPECT_NE(out.str().find(std::string("(default: ") + o.default_text + ")"),
                  std::string::npos)
            << c.Path() << " " << o.name;
      }
    }
  }
}

TEST(Parser, SameOptionNameHasOneKindInEveryCommandOfAGroup) {
  // The command words are found before the command is known, by skipping
  // option values: that needs one kind per option name among the commands
  // one word can still name (a group). Across groups a name may differ
  // ("checkpoint --key" is a switch, "witness --key FILE" takes a value);
  // such an option is refused before the command's words.
  std::map<std::pair<std::string, std::string>, OptionKind> kinds;
  for (const CommandSpec& c : Commands()) {
    for (const OptionSpec& o : c.options) {
      auto [it, inserted] = kinds.emplace(std::make_pair(c.group, std::string(o.name)), o.kind);
      EXPECT_EQ(it->second, o.kind) << o.name << " in " << c.Path();
    }
  }
  // Global options never conflict with a command's.
  for (const OptionSpec& g : GlobalOptionSpecs()) {
    for (const CommandSpec& c : Commands()) {
      EXPECT_EQ(c.FindOption(g.name), nullptr) << g.name << " in " << c.Path();
    }
  }
}

TEST(Parser, AnOptionOfTwoKindsIsJudgedByItsCommand) {
  auto words = [](std::vector<std::string> args) -> std::string {
    absl::StatusOr<ParsedCommandLine> p = ParseCommandLine(args, Commands());
    if (!p.ok()) return std::string(p.status().message());
    return p->command ? p->command->Path() : "";
  };
  EXPECT_EQ(words({"checkpoint", "--key"}), "checkpoint");
  EXPECT_EQ(words({"checkpoint", "--key", "--server", "localhost:1"}), "checkpoint");
  EXPECT_EQ(words({"witness", "--key", "w.key", "--state", "d"}), "witness");
  EXPECT_EQ(words({"receipt", "verify", "r.txt", "--log-key", "k"}), "receipt verify");
  EXPECT_EQ(words({"receipt", "don-1", "--output", "r.txt"}), "receipt");
  EXPECT_NE(words({"--key", "checkpoint"}).find("means different things"), std::string::npos);
}

}  // namespace
}  // namespace ledgerctl
