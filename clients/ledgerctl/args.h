// Command-line parsing for ledgerctl, driven by one table per command.
//
// Every command is a CommandSpec: its words ("branch pay-fee"), its named
// positional parameters, and ONE table of options (name, whether it takes a
// value, the value's placeholder, what it does, the default shown in help).
// The same table drives the parser and the per-command help, so an option
// cannot be accepted without being documented, or documented without being
// accepted. The tables themselves live in commands.cc.
//
// The parser is strict: an unknown option, a missing value, a value given to
// a switch, a repeated option and an unexpected positional word are usage
// errors (INVALID_ARGUMENT with reason USAGE, exit 2), with a "did you mean
// --to?" when a known option is close. Global options (--server, --json,
// --timeout, --retries, --no-progress, --help) may come before or after the
// command words. "--" ends the options. A word such as "-5" is a word, not an
// option, so amounts may be negative enough to be refused by the ledger.
//
// Thread-safety: everything here is immutable after parsing.
#ifndef CLIENTS_LEDGERCTL_ARGS_H_
#define CLIENTS_LEDGERCTL_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledgerctl {

class Invocation;

// A command's body. Returns the exit code (0, or 1 when the command printed
// a negative finding such as "NOT BALANCED"), or an error status to print.
using Handler = absl::StatusOr<int> (*)(const Invocation& in);

enum class OptionKind { kSwitch, kValue };

struct OptionSpec {
  const char* name;  // long name without dashes: "to", "event-id"
  OptionKind kind;
  const char* placeholder;   // the value's name in help: "BENEFICIARY"; "" for a switch
  const char* help;          // what it does
  const char* default_text;  // the default shown in help; "" = none, "required"
  char short_name = 0;       // 'f' for -f; 0 = none
  // Words a person may type for this option (space-separated): "fund" for
  // --to, so `--fund` suggests --to.
  const char* hints = "";
};

enum class PositionalKind {
  kWord,    // one word
  kAmount,  // "12.50 GBP" as one word, or "12.50" "GBP" as two
};

struct PositionalSpec {
  const char* name;  // "ID", "AMOUNT"
  PositionalKind kind;
  const char* help;
};

struct CommandSpec {
  std::string group;    // "branch"
  std::string sub;      // "pay-fee"; empty for a command without subcommands
  std::string summary;  // one line
  std::vector<PositionalSpec> positionals;
  std::vector<OptionSpec> options;
  Handler handler = nullptr;
  // Shown after "unexpected word W": e.g. "--to" gives "did you mean --to W?".
  std::string stray_hint{};

  // "branch pay-fee".
  std::string Path() const { return sub.empty() ? group : group + " " + sub; }
  const OptionSpec* FindOption(absl::string_view name) const;
};

// Options every command takes (--server, --json, ...).
const std::vector<OptionSpec>& GlobalOptionSpecs();

// The settings the global options give.
struct GlobalOptions {
  std::string server;          // --server, else $LEDGER_SERVER, else localhost:50051
  bool server_given = false;   // --server was on the command line
  bool json = false;           // --json
  int64_t timeout_ms = 10000;  // --timeout SECONDS (10)
  bool timeout_given = false;  // --timeout was on the command line
  int retries = 4;             // --retries N
  bool no_progress = false;    // --no-progress
  // --private-key-file, else $LEDGER_PRIVATE_KEY_FILE: opens private details
  // offline (--data-dir) and writes a migrated ledger.
  std::string private_key_file;
  // The bearer token's file: --token-file, else $LEDGER_TOKEN_FILE, else
  // ./var/ledger.token or ~/.config/solidarity-ledger/token if it exists;
  // empty: no token (the public).
  std::string token_file;
  // --ca FILE, else $LEDGER_CA: the CA (PEM) ledgerd's TLS certificate
  // chains to; empty: plaintext (a ledgerd on loopback).
  std::string ca_file;
  // --client-cert FILE and --client-key FILE, else $LEDGER_CLIENT_CERT and
  // $LEDGER_CLIENT_KEY: the certificate (PEM) ledgerctl presents to a
  // ledgerd that asks for one (--tls_client_ca) and its private key. Both or
  // neither, and only with ca_file.
  std::string client_cert_file;
  std::string client_key_file;
};

// A parsed command line for one command.
class Invocation {
 public:
  Invocation(const CommandSpec& command, GlobalOptions globals,
             std::map<std::string, std::string> options,
             std::map<std::string, std::string> positionals)
      : command_(&command),
        globals_(std::move(globals)),
        options_(std::move(options)),
        positionals_(std::move(positionals)) {}

  const CommandSpec& command() const { return *command_; }
  const GlobalOptions& globals() const { return globals_; }
  bool json() const { return globals_.json; }

  // Whether the option (by long name) was given.
  bool Has(absl::string_view option) const;
  // The option's value, or `fallback` when it was not given.
  std::string Get(absl::string_view option, absl::string_view fallback = "") const;
  // A positional parameter by its name in the spec ("ID"; an AMOUNT is
  // returned as "12.50 GBP"). REQUIRES: the name is in the spec.
  const std::string& Positional(absl::string_view name) const;

 private:
  const CommandSpec* command_;
  GlobalOptions globals_;
  std::map<std::string, std::string> options_;
  std::map<std::string, std::string> positionals_;
};

// What the command line asks for.
struct ParsedCommandLine {
  enum class Action { kRun, kOverview, kCommandHelp, kGroupHelp };
  Action action = Action::kRun;
  int overview_exit = 0;                 // kOverview: 0 for --help/help, 2 with no command at all
  std::string group;                     // kGroupHelp
  const CommandSpec* command = nullptr;  // kCommandHelp, kRun
  std::optional<Invocation> invocation;  // kRun
};

// Parses `args` (argv without the program name) against `commands`.
// Errors are usage errors (see output.h, UsageError).
absl::StatusOr<ParsedCommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                                   const std::vector<CommandSpec>& commands);

// Whether --json is among `args` (before any "--"): decides how an error,
// even a usage error, is printed.
bool JsonRequested(const std::vector<std::string>& args);

// The help of one command, generated from its spec.
void PrintCommandHelp(const CommandSpec& command, std::ostream& out);
// The subcommands of a group with their summaries.
void PrintGroupHelp(absl::string_view group, const std::vector<CommandSpec>& commands,
                    std::ostream& out);

// Levenshtein distance (for suggestions).
size_t EditDistance(absl::string_view a, absl::string_view b);

}  // namespace ledgerctl

#endif  // CLIENTS_LEDGERCTL_ARGS_H_
