// ledgerctl's commands: the table (commands.cc), the handlers (one file per
// group: cmd_record.cc, cmd_read.cc, cmd_statement.cc, cmd_audit.cc,
// cmd_backup_export.cc, cmd_transparency.cc, cmd_private.cc) and the helpers
// they share (common.cc).
//
// To add a command: a CommandSpec entry in commands.cc (words, positional
// parameters, options with help and defaults, handler) and the handler in
// the cmd_*.cc file of its group. Parsing, help and usage errors come from
// the table; the handler reads only what the table declares.
//
// A handler validates everything it reads before it sends or writes
// anything, so a usage error never leaves a trace.
#ifndef CLIENTS_LEDGERCTL_COMMANDS_H_
#define CLIENTS_LEDGERCTL_COMMANDS_H_

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/ledgerctl/args.h"
#include "clients/ledgerctl/output.h"
#include "google/protobuf/message.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledgerctl {

namespace v1 = ::solidarity::ledger::v1;

// Every command, in the order the overview lists them.
const std::vector<CommandSpec>& Commands();

// The overview printed by `ledgerctl --help`.
extern const char kOverview[];

// ------------------------------------------------------------------ handlers

// cmd_record.cc: treasurers; each records one event.
absl::StatusOr<int> RunBeneficiaryAdd(const Invocation& in);
absl::StatusOr<int> RunBeneficiaryUpdate(const Invocation& in);
absl::StatusOr<int> RunBeneficiaryClose(const Invocation& in);
absl::StatusOr<int> RunBranchAffiliate(const Invocation& in);
absl::StatusOr<int> RunBranchUpdate(const Invocation& in);
absl::StatusOr<int> RunBranchDisaffiliate(const Invocation& in);
absl::StatusOr<int> RunBranchPayFee(const Invocation& in);
absl::StatusOr<int> RunDonate(const Invocation& in);
absl::StatusOr<int> RunAllocate(const Invocation& in);
absl::StatusOr<int> RunTransfer(const Invocation& in);
// cmd_sign.cc: two to sign.
absl::StatusOr<int> RunDisburse(const Invocation& in);
absl::StatusOr<int> RunApprove(const Invocation& in);
absl::StatusOr<int> RunReject(const Invocation& in);
absl::StatusOr<int> RunCancel(const Invocation& in);
absl::StatusOr<int> RunPay(const Invocation& in);
absl::StatusOr<int> RunRequests(const Invocation& in);
absl::StatusOr<int> RunPolicySet(const Invocation& in);
absl::StatusOr<int> RunPolicyShow(const Invocation& in);
// cmd_period.cc: closed periods.
absl::StatusOr<int> RunPeriodClose(const Invocation& in);
absl::StatusOr<int> RunPeriodApprove(const Invocation& in);
absl::StatusOr<int> RunPeriodShow(const Invocation& in);
// cmd_record.cc
absl::StatusOr<int> RunReverse(const Invocation& in);
absl::StatusOr<int> RunPartyErase(const Invocation& in);
absl::StatusOr<int> RunEventEraseDetails(const Invocation& in);
// cmd_record.cc too: admins; members and tokens.
absl::StatusOr<int> RunMemberAdd(const Invocation& in);
absl::StatusOr<int> RunMemberList(const Invocation& in);
absl::StatusOr<int> RunMemberRoles(const Invocation& in);
absl::StatusOr<int> RunMemberRemove(const Invocation& in);
absl::StatusOr<int> RunTokenIssue(const Invocation& in);
absl::StatusOr<int> RunTokenRevoke(const Invocation& in);
absl::StatusOr<int> RunWhoAmI(const Invocation& in);

// cmd_private.cc: on this machine, with the ledger's key file.
absl::StatusOr<int> RunKeyCreate(const Invocation& in);
absl::StatusOr<int> RunMigrate(const Invocation& in);

// cmd_read.cc: readers, online or offline (--data-dir).
absl::StatusOr<int> RunSummary(const Invocation& in);
absl::StatusOr<int> RunBalances(const Invocation& in);
absl::StatusOr<int> RunBranches(const Invocation& in);
absl::StatusOr<int> RunBranchShow(const Invocation& in);
absl::StatusOr<int> RunBeneficiaryShow(const Invocation& in);
absl::StatusOr<int> RunTrialBalance(const Invocation& in);
absl::StatusOr<int> RunEvents(const Invocation& in);
absl::StatusOr<int> RunEvent(const Invocation& in);
absl::StatusOr<int> RunTail(const Invocation& in);
absl::StatusOr<int> RunHead(const Invocation& in);

// cmd_statement.cc
absl::StatusOr<int> RunStatementFund(const Invocation& in);
absl::StatusOr<int> RunStatementBranch(const Invocation& in);
absl::StatusOr<int> RunStatementIncome(const Invocation& in);

// cmd_audit.cc
absl::StatusOr<int> RunAuditVerify(const Invocation& in);
absl::StatusOr<int> RunAuditRebuildCheck(const Invocation& in);
absl::StatusOr<int> RunAuditReplay(const Invocation& in);

// cmd_backup_export.cc
absl::StatusOr<int> RunExportEvents(const Invocation& in);
absl::StatusOr<int> RunExportPostings(const Invocation& in);
absl::StatusOr<int> RunBackupCreate(const Invocation& in);
absl::StatusOr<int> RunBackupList(const Invocation& in);
absl::StatusOr<int> RunBackupVerify(const Invocation& in);
absl::StatusOr<int> RunBackupPurge(const Invocation& in);
absl::StatusOr<int> RunBackupRestore(const Invocation& in);

// cmd_transparency.cc: the verifiable log.
absl::StatusOr<int> RunCheckpoint(const Invocation& in);
absl::StatusOr<int> RunProofInclusion(const Invocation& in);
absl::StatusOr<int> RunProofConsistency(const Invocation& in);
absl::StatusOr<int> RunWitness(const Invocation& in);
absl::StatusOr<int> RunReceipt(const Invocation& in);
absl::StatusOr<int> RunReceiptVerify(const Invocation& in);
absl::StatusOr<int> RunKeyGenerate(const Invocation& in);
absl::StatusOr<int> RunKeyShow(const Invocation& in);
// `audit verify --checkpoint FILE` (called by RunAuditVerify).
absl::StatusOr<int> AuditVerifyCheckpoint(const Invocation& in);

// ------------------------------------------------------------------ helpers (common.cc)

// A new client-side event id: "ctl-<UTC time>-<16 hex>".
std::string NewEventId();

// What a command prints besides the usual: JSON members, and text after
// the "recorded ..." line.
struct Extras {
  JsonMembers json;
  std::string text;
};

// Fills the envelope (--event-id, --on, --memo), appends, and prints what
// was recorded and the date it was dated with.
absl::StatusOr<int> AppendOne(const Invocation& in, v1::EventInput input,
                              const Extras& extras = {});

// A usage error unless --`option` was given ("needs --option EXAMPLE").
absl::Status Require(const Invocation& in, absl::string_view option, absl::string_view example);

// A usage error about this invocation's command.
absl::Status Usage(const Invocation& in, absl::string_view message, absl::string_view field = "");

// An integer option in [min, max], or `fallback` when it was not given.
absl::StatusOr<int64_t> IntOption(const Invocation& in, absl::string_view name, int64_t fallback,
                                  int64_t min, int64_t max);

// "12.50 GBP" as Money; a usage error naming `field` otherwise.
absl::StatusOr<v1::Money> MoneyOf(const Invocation& in, const std::string& text,
                                  absl::string_view field);

// --as-of POSITION or --as-of YYYY-MM-DD (unset when not given), and the
// note the tables print for it: " (as of position 7)".
v1::AsOf AsOfOption(const Invocation& in);
std::string AsOfNote(const Invocation& in);

// `message` as indented JSON and a newline on stdout.
void PrintJson(const google::protobuf::Message& message);

// One line about an event body, in plain (unescaped) text.
std::string DescribeBody(const v1::EventBody& body);
// "#7  2026-03-02  donation 50.00 GBP from ...  [id]  (reversed by #14)",
// escaped for a terminal.
void PrintEventLine(const v1::Event& event, std::ostream& out = std::cout);
// "shown", "withheld", "erased" or "none": an event's private details.
const char* DetailWord(v1::DetailState state);

// A progress line on stderr (only on a terminal, and not with --no-progress),
// and its clearing.
bool ShowProgress(const Invocation& in);
void ClearProgress(const Invocation& in);

}  // namespace ledgerctl

#endif  // CLIENTS_LEDGERCTL_COMMANDS_H_
