// ledgerctl: the treasurer's and auditor's command-line tool.
//
// Talks to ledgerd over gRPC (--server, else $LEDGER_SERVER, else
// localhost:50051), or reads a data directory or restored backup offline
// (--data-dir). Human tables by default, --json for scripts. Any error is one
// line on stderr (one JSON object with --json) and a non-zero exit: 1 refused
// or failed, 2 bad usage, 3 the server could not be reached.
//
// The commands and their options: commands.cc. Parsing and help: args.h.
#include <iostream>
#include <string>
#include <vector>

#include "clients/ledgerctl/args.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/version.h"

int main(int argc, char** argv) {
  using namespace ledgerctl;  // NOLINT(build/namespaces): main only
  const std::vector<std::string> args(argv + 1, argv + argc);
  // "ledgerctl --version", alone.
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << ledger::VersionLine("ledgerctl") << "\n";
    return kExitOk;
  }
  const bool json = JsonRequested(args);
  absl::StatusOr<ParsedCommandLine> parsed = ParseCommandLine(args, Commands());
  if (!parsed.ok()) {
    PrintError(parsed.status(), json, std::cerr);
    return ExitCodeOf(parsed.status());
  }
  switch (parsed->action) {
    case ParsedCommandLine::Action::kOverview:
      std::cout << kOverview;
      return parsed->overview_exit;
    case ParsedCommandLine::Action::kGroupHelp:
      PrintGroupHelp(parsed->group, Commands(), std::cout);
      return kExitOk;
    case ParsedCommandLine::Action::kCommandHelp:
      PrintCommandHelp(*parsed->command, std::cout);
      return kExitOk;
    case ParsedCommandLine::Action::kRun:
      break;
  }
  absl::StatusOr<int> exit_code = parsed->command->handler(*parsed->invocation);
  if (!exit_code.ok()) {
    PrintError(exit_code.status(), json, std::cerr);
    return ExitCodeOf(exit_code.status());
  }
  return *exit_code;
}
