#include "clients/ledgerctl/args.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/ledgerctl/output.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

// One option token split up: "--to=x" -> {"to", "x", has_value}.
struct OptionToken {
  std::string name;
  std::string value;
  bool has_value = false;   // given with '='
  bool short_form = false;  // "-f"
};

// A word that is an option: "--x", "-x"; not "-", "--", "-5" or "-.5".
bool IsOptionToken(absl::string_view t) {
  if (t.size() < 2 || t[0] != '-' || t == "--") return false;
  return !(std::isdigit(static_cast<unsigned char>(t[1])) || t[1] == '.');
}

OptionToken SplitOption(absl::string_view t) {
  OptionToken o;
  o.short_form = t[1] != '-';
  absl::string_view body = t.substr(o.short_form ? 1 : 2);
  const size_t eq = body.find('=');
  o.name = std::string(body.substr(0, eq));
  if (eq != absl::string_view::npos) {
    o.value = std::string(body.substr(eq + 1));
    o.has_value = true;
  }
  return o;
}

std::string Dashed(const OptionSpec& o) { return absl::StrCat("--", o.name); }

const OptionSpec* FindIn(const std::vector<OptionSpec>& options, const OptionToken& t) {
  for (const OptionSpec& o : options) {
    if (t.short_form ? (t.name.size() == 1 && o.short_name == t.name[0]) : t.name == o.name) {
      return &o;
    }
  }
  return nullptr;
}

// Whether `t` takes a value, judged by the tables of the commands the words
// seen so far may still name (every command before the first word; the
// commands of one group after it; one command once its words are known):
// the command words are found by skipping option values. An option whose
// kind differs between those tables is refused: it must come after the
// command words ("ledgerctl checkpoint --key" is a switch, "ledgerctl
// witness --key FILE" takes a value).
absl::StatusOr<bool> TakesValue(const OptionToken& t, absl::string_view arg,
                                const std::vector<std::string>& words,
                                const std::vector<CommandSpec>& commands) {
  if (t.has_value) return false;
  const OptionSpec* g = FindIn(GlobalOptionSpecs(), t);
  if (g) return g->kind == OptionKind::kValue;
  // The words that may name a command ("help" first asks for help on one).
  size_t first = !words.empty() && words[0] == "help" ? 1 : 0;
  const size_t known = words.size() - first;
  bool sub_named = false;
  if (known >= 2) {
    for (const CommandSpec& c : commands) {
      sub_named |= c.group == words[first] && !c.sub.empty() && c.sub == words[first + 1];
    }
  }
  std::optional<OptionKind> kind;
  for (const CommandSpec& c : commands) {
    if (known >= 1 && c.group != words[first]) continue;
    if (known >= 2 && (sub_named ? c.sub != words[first + 1] : !c.sub.empty())) continue;
    const OptionSpec* o = FindIn(c.options, t);
    if (o == nullptr) continue;
    if (kind && *kind != o->kind) {
      return UsageError(absl::StrCat(arg.substr(0, arg.find('=')),
                                     " means different things to different commands: give it "
                                     "after the command's words"),
                        arg.substr(0, arg.find('=')));
    }
    kind = o->kind;
  }
  return kind == OptionKind::kValue;
}

struct Word {
  size_t index;
  std::string text;
};

// The words that are not options or option values, with their indices.
absl::StatusOr<std::vector<Word>> NonOptionWords(const std::vector<std::string>& args,
                                                 const std::vector<CommandSpec>& commands) {
  std::vector<Word> words;
  std::vector<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      for (++i; i < args.size(); ++i) words.push_back({i, args[i]});
      break;
    }
    if (!IsOptionToken(args[i])) {
      words.push_back({i, args[i]});
      seen.push_back(args[i]);
      continue;
    }
    ASSIGN_OR_RETURN(bool takes_value, TakesValue(SplitOption(args[i]), args[i], seen, commands));
    if (takes_value) ++i;
  }
  return words;
}

// The closest of `candidates` to `word`: within edit distance 2 (1 for short
// words), or one a prefix of the other.
std::string Closest(absl::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  const size_t limit = word.size() <= 3 ? 1 : 2;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d > limit && word.size() >= 2 && (absl::StartsWith(c, word) || absl::StartsWith(word, c))) {
      d = limit;
    }
    if (d <= limit && d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string Suggestion(const OptionToken& t, const CommandSpec& command,
                       const std::vector<CommandSpec>& commands) {
  std::vector<std::string> names;
  for (const auto* table : {&command.options, &GlobalOptionSpecs()}) {
    for (const OptionSpec& o : *table) {
      for (absl::string_view hint : absl::StrSplit(o.hints, ' ', absl::SkipEmpty())) {
        if (EditDistance(t.name, hint) <= 1) return absl::StrCat("; did you mean --", o.name, "?");
      }
      names.emplace_back(o.name);
    }
  }
  const std::string close = Closest(t.name, names);
  if (!close.empty()) return absl::StrCat("; did you mean --", close, "?");
  for (const CommandSpec& other : commands) {
    if (FindIn(other.options, t) != nullptr) {
      return absl::StrCat(" (it is an option of ledgerctl ", other.Path(), ")");
    }
  }
  return "";
}

std::string OrList(const std::vector<std::string>& items) {
  if (items.size() <= 1) return absl::StrJoin(items, "");
  return absl::StrCat(absl::StrJoin(items.begin(), items.end() - 1, ", "), " or ", items.back());
}

// The command named by the leading words; `used` is how many words it took.
absl::StatusOr<const CommandSpec*> FindCommand(const std::vector<Word>& words,
                                               const std::vector<CommandSpec>& commands, bool help,
                                               size_t* used) {
  std::vector<std::string> groups, subs;
  const CommandSpec* group_spec = nullptr;
  const CommandSpec* plain = nullptr;  // the group's command without a subcommand, if any
  for (const CommandSpec& c : commands) {
    if (std::find(groups.begin(), groups.end(), c.group) == groups.end()) groups.push_back(c.group);
    if (c.group != words[0].text) continue;
    group_spec = &c;
    if (c.sub.empty()) {
      plain = &c;
      continue;
    }
    // A group may have both ("receipt EVENT_ID", "receipt verify FILE"): a
    // subcommand's name wins over the plain command's first word.
    if (words.size() >= 2 && c.sub == words[1].text) {
      *used = 2;
      return &c;
    }
    subs.push_back(c.sub);
  }
  if (plain != nullptr) {
    *used = 1;
    return plain;
  }
  if (group_spec == nullptr) {
    const std::string close = Closest(words[0].text, groups);
    return UsageError(
        absl::StrCat("unknown command \"", words[0].text, "\"",
                     close.empty() ? "" : absl::StrCat("; did you mean ", close, "?")));
  }
  if (words.size() < 2) {
    if (help) return nullptr;  // the group's help
    return UsageError(absl::StrCat(words[0].text, " needs a subcommand: ", OrList(subs)), "",
                      words[0].text);
  }
  for (const CommandSpec& c : commands) {
    if (c.group == words[0].text && c.sub == words[1].text) {
      *used = 2;
      return &c;
    }
  }
  const std::string close = Closest(words[1].text, subs);
  return UsageError(
      absl::StrCat("unknown ", words[0].text, " subcommand \"", words[1].text, "\" (", OrList(subs),
                   ")", close.empty() ? "" : absl::StrCat("; did you mean ", close, "?")),
      "", words[0].text);
}

struct RawOptions {
  std::map<std::string, std::string> values;  // by long name; "" for switches
  std::vector<std::string> words;             // positional words in order
};

absl::Status ParseOneOption(const std::vector<std::string>& args, size_t* i,
                            const CommandSpec& command, const std::vector<CommandSpec>& commands,
                            RawOptions* out) {
  const std::string path = command.Path();
  const OptionToken t = SplitOption(args[*i]);
  const OptionSpec* spec = FindIn(command.options, t);
  if (spec == nullptr) spec = FindIn(GlobalOptionSpecs(), t);
  if (spec == nullptr) {
    return UsageError(
        absl::StrCat(path, ": unknown option ", args[*i].substr(0, args[*i].find('=')),
                     Suggestion(t, command, commands)),
        args[*i].substr(0, args[*i].find('=')), path);
  }
  const std::string dashed = Dashed(*spec);
  if (out->values.count(spec->name) > 0) {
    return UsageError(absl::StrCat(path, ": ", dashed, " given twice"), dashed, path);
  }
  if (spec->kind == OptionKind::kSwitch) {
    if (t.has_value) {
      return UsageError(absl::StrCat(path, ": ", dashed, " is a switch and takes no value"), dashed,
                        path);
    }
    out->values[spec->name] = "";
    return absl::OkStatus();
  }
  if (t.has_value) {
    out->values[spec->name] = t.value;
    return absl::OkStatus();
  }
  if (*i + 1 >= args.size() || absl::StartsWith(args[*i + 1], "--")) {
    return UsageError(
        absl::StrCat(path, ": ", dashed, " needs a value (", spec->placeholder, ")",
                     *i + 1 < args.size() ? absl::StrCat("; write ", dashed,
                                                         "=VALUE for a value that starts with --")
                                          : ""),
        dashed, path);
  }
  out->values[spec->name] = args[++*i];
  return absl::OkStatus();
}

absl::StatusOr<RawOptions> ParseOptions(const std::vector<std::string>& args,
                                        const std::set<size_t>& command_words,
                                        const CommandSpec& command,
                                        const std::vector<CommandSpec>& commands) {
  RawOptions out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (command_words.count(i) > 0) continue;
    if (args[i] == "--") {
      for (++i; i < args.size(); ++i) {
        if (command_words.count(i) == 0) out.words.push_back(args[i]);
      }
      break;
    }
    if (!IsOptionToken(args[i])) {
      out.words.push_back(args[i]);
      continue;
    }
    RETURN_IF_ERROR(ParseOneOption(args, &i, command, commands, &out));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> BindPositionals(
    const CommandSpec& command, const std::vector<std::string>& words) {
  const std::string path = command.Path();
  std::map<std::string, std::string> bound;
  size_t next = 0;
  for (const PositionalSpec& p : command.positionals) {
    if (next >= words.size()) {
      return UsageError(absl::StrCat(path, ": missing ", p.name, " (", p.help, ")"), p.name, path);
    }
    std::string value = words[next++];
    if (p.kind == PositionalKind::kAmount && value.find(' ') == std::string::npos) {
      if (next >= words.size()) {
        return UsageError(
            absl::StrCat(path, ": ", p.name, " needs its currency, e.g. ", value, " GBP"), p.name,
            path);
      }
      value = absl::StrCat(value, " ", words[next++]);
    }
    bound[p.name] = value;
  }
  if (next < words.size()) {
    const std::string& stray = words[next];
    return UsageError(
        absl::StrCat(path, ": unexpected word \"", stray, "\"",
                     command.stray_hint.empty()
                         ? ""
                         : absl::StrCat("; did you mean ", command.stray_hint, " ", stray, "?")),
        stray, path);
  }
  return bound;
}

// --timeout SECONDS: whole seconds or with up to three decimals ("2.5"),
// parsed as integers into milliseconds.
absl::StatusOr<int64_t> ParseTimeoutMs(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('.', 1));
  int64_t seconds = 0, millis = 0;
  const bool ok_seconds = !parts[0].empty() && parts[0].size() <= 9 &&
                          std::all_of(parts[0].begin(), parts[0].end(), ::isdigit) &&
                          absl::SimpleAtoi(parts[0], &seconds);
  bool ok_fraction = true;
  if (parts.size() == 2) {
    std::string f = parts[1];
    ok_fraction = !f.empty() && f.size() <= 3 && std::all_of(f.begin(), f.end(), ::isdigit);
    f.resize(3, '0');
    ok_fraction = ok_fraction && absl::SimpleAtoi(f, &millis);
  }
  if (!ok_seconds || !ok_fraction || seconds * 1000 + millis == 0) {
    return UsageError(
        absl::StrCat("--timeout takes seconds, e.g. --timeout 5 or --timeout 0.5, not \"", text,
                     "\""),
        "--timeout");
  }
  return seconds * 1000 + millis;
}

// ./var/ledger.token (what ledgerd writes for ./var/ledger, the quick
// start's data directory), else ~/.config/solidarity-ledger/token, if
// either exists; else "".
std::string DefaultTokenFile() {
  std::error_code ec;
  if (std::filesystem::exists("var/ledger.token", ec)) return "var/ledger.token";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home) {
    std::string path = absl::StrCat(home, "/.config/solidarity-ledger/token");
    if (std::filesystem::exists(path, ec)) return path;
  }
  return "";
}

// `option`, else the environment variable `env` if set and not empty, else "".
std::string FlagOrEnv(RawOptions& raw, const std::string& option, const char* env) {
  if (raw.values.count(option)) return raw.values[option];
  const char* value = std::getenv(env);
  return value != nullptr ? value : "";
}

// --ca, --client-cert and --client-key (or their environment variables):
// a client certificate and its key go together, and only over TLS.
absl::Status TlsFiles(RawOptions& raw, GlobalOptions* g) {
  g->ca_file = FlagOrEnv(raw, "ca", "LEDGER_CA");
  g->client_cert_file = FlagOrEnv(raw, "client-cert", "LEDGER_CLIENT_CERT");
  g->client_key_file = FlagOrEnv(raw, "client-key", "LEDGER_CLIENT_KEY");
  if (g->client_cert_file.empty() != g->client_key_file.empty()) {
    const char* given = g->client_cert_file.empty() ? "--client-key" : "--client-cert";
    const char* missing = g->client_cert_file.empty() ? "--client-cert" : "--client-key";
    return UsageError(absl::StrCat(given, " needs ", missing,
                                   " too: a client certificate and its key go together"),
                      missing);
  }
  if (!g->client_cert_file.empty() && g->ca_file.empty()) {
    return UsageError(
        "--client-cert and --client-key need --ca (or $LEDGER_CA): a client certificate is only "
        "presented over TLS",
        "--ca");
  }
  return absl::OkStatus();
}

absl::StatusOr<GlobalOptions> Globals(RawOptions& raw) {
  GlobalOptions g;
  const char* env = std::getenv("LEDGER_SERVER");
  g.server = env && *env ? env : "localhost:50051";
  if (raw.values.count("server")) {
    g.server = raw.values["server"];
    g.server_given = true;
  }
  g.json = raw.values.count("json") > 0;
  g.no_progress = raw.values.count("no-progress") > 0;
  const char* key_env = std::getenv("LEDGER_PRIVATE_KEY_FILE");
  if (key_env != nullptr) g.private_key_file = key_env;
  if (raw.values.count("private-key-file")) g.private_key_file = raw.values["private-key-file"];
  RETURN_IF_ERROR(TlsFiles(raw, &g));
  const char* token_env = std::getenv("LEDGER_TOKEN_FILE");
  if (raw.values.count("token-file")) {
    g.token_file = raw.values["token-file"];
  } else if (token_env != nullptr && *token_env) {
    g.token_file = token_env;
  } else {
    g.token_file = DefaultTokenFile();
  }
  if (raw.values.count("timeout")) {
    ASSIGN_OR_RETURN(g.timeout_ms, ParseTimeoutMs(raw.values["timeout"]));
    g.timeout_given = true;
  }
  if (raw.values.count("retries")) {
    const std::string& r = raw.values["retries"];
    if (!absl::SimpleAtoi(r, &g.retries) || g.retries < 0 || g.retries > 100) {
      return UsageError(absl::StrCat("--retries takes a number from 0 to 100, not \"", r, "\""),
                        "--retries");
    }
  }
  return g;
}

// "--to BENEFICIARY", "-f, --follow" and the help with its default.
std::vector<std::pair<std::string, std::string>> OptionRows(
    const std::vector<OptionSpec>& options) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const OptionSpec& o : options) {
    std::string left = o.short_name ? absl::StrCat("-", std::string(1, o.short_name), ", ") : "";
    absl::StrAppend(&left, Dashed(o),
                    o.kind == OptionKind::kValue ? absl::StrCat(" ", o.placeholder) : "");
    std::string right = o.help;
    if (absl::string_view(o.default_text) == "required") {
      absl::StrAppend(&right, " (required)");
    } else if (*o.default_text) {
      absl::StrAppend(&right, " (default: ", o.default_text, ")");
    }
    rows.emplace_back(left, right);
  }
  return rows;
}

void PrintHelpRows(absl::string_view title,
                   const std::vector<std::pair<std::string, std::string>>& rows,
                   std::ostream& out) {
  // A long left column (a placeholder listing choices) puts its help on the
  // next line instead of widening every row.
  constexpr size_t kMaxWidth = 24;
  size_t width = 0;
  for (const auto& r : rows) {
    if (r.first.size() <= kMaxWidth) width = std::max(width, r.first.size());
  }
  out << "\n" << title << ":\n";
  for (const auto& r : rows) {
    const bool wrap = r.first.size() > width;
    out << "  " << r.first << (wrap ? "\n  " : "")
        << std::string(width + 2 - (wrap ? 0 : r.first.size()), ' ') << r.second << "\n";
  }
}

bool HelpRequested(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

const OptionSpec* CommandSpec::FindOption(absl::string_view name) const {
  for (const OptionSpec& o : options) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

const std::vector<OptionSpec>& GlobalOptionSpecs() {
  static const auto* kGlobals = new std::vector<OptionSpec>{
      {"server", OptionKind::kValue, "HOST:PORT", "the ledgerd to talk to",
       "$LEDGER_SERVER, else localhost:50051", 0, "host address"},
      {"json", OptionKind::kSwitch, "",
       "print JSON for scripts (errors too, as one JSON line on stderr)", ""},
      {"timeout", OptionKind::kValue, "SECONDS",
       "deadline of each call (whole seconds or e.g. 0.5)", "10"},
      {"retries", OptionKind::kValue, "N",
       "retries of UNAVAILABLE and DEADLINE_EXCEEDED, with backoff and the same event id", "4", 0,
       "retry"},
      {"no-progress", OptionKind::kSwitch, "", "no progress line on stderr, even on a terminal",
       ""},
      {"private-key-file", OptionKind::kValue, "FILE",
       "the ledger's private key file: read private details offline (--data-dir), migrate",
       "$LEDGER_PRIVATE_KEY_FILE, else none (private details withheld offline)", 0, "key"},
      {"token-file", OptionKind::kValue, "FILE", "the bearer token to call with (0600)",
       "$LEDGER_TOKEN_FILE, else ./var/ledger.token, else ~/.config/solidarity-ledger/token, "
       "else none (the public)",
       0, "token auth credentials"},
      {"ca", OptionKind::kValue, "FILE",
       "call ledgerd over TLS, trusting this CA certificate (PEM)",
       "$LEDGER_CA, else none (plaintext, for a ledgerd on loopback)", 0, "tls cacert"},
      {"client-cert", OptionKind::kValue, "FILE",
       "with --ca: present this client certificate (PEM), for a ledgerd started with "
       "--tls_client_ca",
       "$LEDGER_CLIENT_CERT, else none", 0, "cert certificate"},
      {"client-key", OptionKind::kValue, "FILE",
       "with --client-cert: the client certificate's private key (PEM)",
       "$LEDGER_CLIENT_KEY, else none"},
      {"help", OptionKind::kSwitch, "", "this help", "", 'h'},
  };
  return *kGlobals;
}

bool Invocation::Has(absl::string_view option) const {
  return options_.count(std::string(option)) > 0;
}

std::string Invocation::Get(absl::string_view option, absl::string_view fallback) const {
  auto it = options_.find(std::string(option));
  return it == options_.end() ? std::string(fallback) : it->second;
}

const std::string& Invocation::Positional(absl::string_view name) const {
  static const std::string kEmpty;
  auto it = positionals_.find(std::string(name));
  return it == positionals_.end() ? kEmpty : it->second;
}

bool JsonRequested(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--json") return true;
  }
  return false;
}

absl::StatusOr<ParsedCommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                                   const std::vector<CommandSpec>& commands) {
  ParsedCommandLine parsed;
  bool help = HelpRequested(args);
  ASSIGN_OR_RETURN(std::vector<Word> words, NonOptionWords(args, commands));
  if (!words.empty() && words[0].text == "help") {  // "ledgerctl help [COMMAND...]"
    help = true;
    words.erase(words.begin());
  }
  if (words.empty()) {
    parsed.action = ParsedCommandLine::Action::kOverview;
    parsed.overview_exit = help ? kExitOk : kExitUsage;
    return parsed;
  }
  size_t used = 0;
  ASSIGN_OR_RETURN(parsed.command, FindCommand(words, commands, help, &used));
  if (parsed.command == nullptr) {
    parsed.action = ParsedCommandLine::Action::kGroupHelp;
    parsed.group = words[0].text;
    return parsed;
  }
  if (help) {
    parsed.action = ParsedCommandLine::Action::kCommandHelp;
    return parsed;
  }
  std::set<size_t> command_words;
  for (size_t k = 0; k < used; ++k) command_words.insert(words[k].index);
  ASSIGN_OR_RETURN(RawOptions raw, ParseOptions(args, command_words, *parsed.command, commands));
  ASSIGN_OR_RETURN(auto positionals, BindPositionals(*parsed.command, raw.words));
  ASSIGN_OR_RETURN(GlobalOptions globals, Globals(raw));
  for (const OptionSpec& g : GlobalOptionSpecs()) raw.values.erase(g.name);
  parsed.invocation.emplace(*parsed.command, std::move(globals), std::move(raw.values),
                            std::move(positionals));
  return parsed;
}

void PrintCommandHelp(const CommandSpec& command, std::ostream& out) {
  out << "usage: ledgerctl " << command.Path();
  for (const PositionalSpec& p : command.positionals) out << " " << p.name;
  out << " [options]\n\n" << command.summary << "\n";
  if (!command.positionals.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const PositionalSpec& p : command.positionals) rows.emplace_back(p.name, p.help);
    PrintHelpRows("arguments", rows, out);
  }
  if (!command.options.empty()) PrintHelpRows("options", OptionRows(command.options), out);
  PrintHelpRows("global options", OptionRows(GlobalOptionSpecs()), out);
  out << "\nexit codes: 0 ok, 1 refused or failed, 2 bad usage, 3 server unreachable.\n";
}

void PrintGroupHelp(absl::string_view group, const std::vector<CommandSpec>& commands,
                    std::ostream& out) {
  out << "usage: ledgerctl " << group << " SUBCOMMAND ... [options]\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CommandSpec& c : commands) {
    if (c.group != group) continue;
    std::string left = c.sub;
    for (const PositionalSpec& p : c.positionals) absl::StrAppend(&left, " ", p.name);
    rows.emplace_back(left, c.summary);
  }
  PrintHelpRows("subcommands", rows, out);
  out << "\nledgerctl " << group << " SUBCOMMAND --help lists the options of each.\n";
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace ledgerctl
