// Private details, on this machine: the ledger's key file and the
// migration of a ledger of an older format (docs/OPERATIONS.md).
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/crypto/keyring.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"
#include "ledger/storage/records.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"

namespace ledgerctl {
namespace {

// Everything a balance depends on, for one ledger, as text: the totals, the
// general fund, every account of the trial balance, every fund with its
// (private too) purpose and balances, every branch. Ledger ids, hashes and
// sealing positions are left out: they differ by design.
absl::StatusOr<std::string> BooksOf(const ledger::EventLog& log) {
  auto view = log.NewReadView();
  const ledger::DetailAccess access{log.keyring(), /*allowed=*/true};
  ASSIGN_OR_RETURN(v1::GetSummaryResponse summary, ledger::QuerySummary(*view));
  ASSIGN_OR_RETURN(v1::GetTrialBalanceResponse trial, ledger::QueryTrialBalance(*view));
  ASSIGN_OR_RETURN(v1::ListBeneficiariesResponse funds,
                   ledger::QueryBeneficiaries(*view, /*include_closed=*/true, access));
  ASSIGN_OR_RETURN(v1::ListBranchesResponse branches,
                   ledger::QueryBranches(*view, /*include_disaffiliated=*/true,
                                         ledger::TodayUtc(ledger::Clock::Real())));
  std::string out =
      absl::StrCat("head ", view->head_position(), "\n", summary.totals().ShortDebugString(), "\n");
  for (const auto& b : summary.general_fund()) absl::StrAppend(&out, b.ShortDebugString(), "\n");
  for (const auto& a : trial.accounts()) absl::StrAppend(&out, a.ShortDebugString(), "\n");
  for (const auto& t : trial.totals()) absl::StrAppend(&out, t.ShortDebugString(), "\n");
  for (v1::BeneficiaryView f : funds.beneficiaries()) {
    f.mutable_beneficiary()->clear_purpose_position();
    absl::StrAppend(&out, f.ShortDebugString(), "\n");
  }
  for (const auto& b : branches.branches()) absl::StrAppend(&out, b.ShortDebugString(), "\n");
  return out;
}

}  // namespace

absl::StatusOr<int> RunKeyCreate(const Invocation& in) {
  const std::string& path = in.Positional("FILE");
  RETURN_IF_ERROR(ledger::CreateKeyFile(path));
  if (in.json()) {
    std::cout << "{\"key_file\": " << JsonQuote(path) << "}\n";
    return kExitOk;
  }
  std::cout << "made the private key file " << Terminal(path)
            << " (mode 0600)\nkeep it outside the data directory and back it up apart from "
               "the data: without it the ledger's private details cannot be read\n";
  return kExitOk;
}

absl::StatusOr<int> RunMigrate(const Invocation& in) {
  const std::string from = in.Get("from");
  const std::string to = in.Get("to");
  if (in.globals().private_key_file.empty()) {
    return Usage(in,
                 "needs --private-key-file FILE: the new ledger's key (make one with `ledgerctl "
                 "key create FILE`)",
                 "--private-key-file");
  }
  std::error_code ec;
  if (std::filesystem::exists(to, ec) && !std::filesystem::is_empty(to, ec)) {
    return ledger::Refusal(absl::StatusCode::kFailedPrecondition, ledger::kReasonStorage,
                           absl::StrCat(to, " is not empty: migrate into a new directory"));
  }
  ASSIGN_OR_RETURN(std::string key, ledger::ReadKeyFile(in.globals().private_key_file));

  ledger::EventLogOptions old_options;
  old_options.read_only = true;
  old_options.create_if_missing = false;
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventLog> old,
                   ledger::EventLog::Open(from, old_options));
  if (old->schema_version() != ledger::kSchemaVersionPublicRecords) {
    return ledger::Refusal(
        absl::StatusCode::kFailedPrecondition, ledger::kReasonFormat,
        absl::StrCat(from, " has format ", old->schema_version(), " already: nothing to migrate"));
  }
  ledger::EventLogOptions options;
  options.private_key = std::move(key);
  options.migrate_from = old.get();
  options.create_if_missing = true;
  absl::StatusOr<std::unique_ptr<ledger::EventLog>> fresh = ledger::EventLog::Open(to, options);
  if (!fresh.ok()) {
    return ledger::Refusal(
        fresh.status().code(), ledger::kReasonFormat,
        absl::StrCat(fresh.status().message(), " (delete ", to, " before trying again)"));
  }
  ASSIGN_OR_RETURN(std::string old_books, BooksOf(*old));
  ASSIGN_OR_RETURN(std::string new_books, BooksOf(**fresh));
  if (old_books != new_books) {
    return ledger::Refusal(
        absl::StatusCode::kDataLoss, ledger::kReasonFormat,
        absl::StrCat("the migrated books in ", to,
                     " differ from the old ones; do not use them (delete ", to, ")"));
  }
  const uint64_t head = (*fresh)->head_position();
  if (in.json()) {
    std::cout << "{\"from_ledger_id\": " << JsonQuote(old->ledger_id())
              << ", \"from_head_hash\": " << JsonQuote(Hex(old->head_hash()))
              << ", \"ledger_id\": " << JsonQuote((*fresh)->ledger_id())
              << ", \"head_position\": " << head
              << ", \"head_hash\": " << JsonQuote(Hex((*fresh)->head_hash()))
              << ", \"books_identical\": true}\n";
    return kExitOk;
  }
  std::cout << "migrated " << head << " events from " << Terminal(from) << " (ledger "
            << old->ledger_id() << ", format " << ledger::kSchemaVersionPublicRecords << ", head #"
            << old->head_position() << " " << Hex(old->head_hash()) << ")\n"
            << "into " << Terminal(to) << " (ledger " << (*fresh)->ledger_id() << ", format "
            << ledger::kSchemaVersion << ", head #" << head << " " << Hex((*fresh)->head_hash())
            << ")\n"
            << "positions, event ids, dates and every balance are the same; its genesis records "
               "the old head\n";
  return kExitOk;
}

}  // namespace ledgerctl
