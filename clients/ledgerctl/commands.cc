// The command table: every command's words, positional parameters and
// options. The parser (args.cc) and the per-command help read only this.
#include "clients/ledgerctl/commands.h"

#include "ledger/limits.h"

namespace ledgerctl {
namespace {

using K = OptionKind;
using P = PositionalKind;

// ------------------------------------------------------------------ shared options

const OptionSpec kOn{"on",         K::kValue, "YYYY-MM-DD",   "the date it happened (occurred_on)",
                     "today, UTC", 0,         "date occurred"};
const OptionSpec kEventId{"event-id",
                          K::kValue,
                          "ID",
                          "the event's id; reused on every retry, so nothing is recorded twice",
                          "a fresh random id, ctl-<time>-<random>",
                          0,
                          "id"};
const OptionSpec kMemo{"memo", K::kValue, "TEXT",        "a free note kept with the event",
                       "none", 0,         "note comment"};
const OptionSpec kAsOf{
    "as-of",
    K::kValue,
    "POSITION|YYYY-MM-DD",
    "balances as they stood right after that position, or at the end of that day",
    "now",
    0,
    "asof at date"};
const OptionSpec kDataDir{"data-dir",
                          K::kValue,
                          "DIR",
                          "read this data directory or restored backup offline (read-only) "
                          "instead of asking the server",
                          "ask the server",
                          0,
                          "dir datadir"};
const OptionSpec kMethod{"method", K::kValue, "M", "how it was paid (\"card\", \"bank transfer\")",
                         "none"};
const OptionSpec kReference{"reference", K::kValue, "R",  "a bank or payment reference",
                            "none",      0,         "ref"};
const OptionSpec kFrom{"from", K::kValue, "YYYY-MM-DD",
                       "first day of the statement (by occurred_on)", "required"};
const OptionSpec kTo{"to", K::kValue, "YYYY-MM-DD", "last day of the statement, included",
                     "required"};
const OptionSpec kFormat{"format", K::kValue, "table|json|csv", "how to print the statement",
                         "table (json with --json)"};
const OptionSpec kBackupId{"id", K::kValue, "N", "which backup (see backup list)", "the latest"};

const PositionalSpec kId{"ID", P::kWord, "an id: 1-64 of a-z 0-9 . _ -"};
const PositionalSpec kBeneficiary{"BENEFICIARY", P::kWord, "the beneficiary id"};
const PositionalSpec kAmount{"AMOUNT", P::kAmount,
                             "amount and currency: 12.50 GBP, 1250 JPY (one word or two)"};
const PositionalSpec kRequest{"REQUEST", P::kWord, "a disbursement request id"};
const PositionalSpec kBackupDir{"DIR", P::kWord, "the backup directory"};

// Whether the public page names a branch (BranchAffiliated/Updated.shown_publicly).
const OptionSpec kShownWhenAffiliated{"shown-publicly",
                                      K::kValue,
                                      "yes|no",
                                      "name the branch and its contributions on the public page",
                                      "no",
                                      0,
                                      "public shown"};
const OptionSpec kShownFromNowOn{
    "shown-publicly", K::kValue, "yes|no",      "name the branch on the public page from now on",
    "unchanged",      0,         "public shown"};

// A treasurer's options plus the three every recorded event takes.
std::vector<OptionSpec> Record(std::vector<OptionSpec> options) {
  options.insert(options.end(), {kOn, kEventId, kMemo});
  return options;
}

// Treasurers' commands that open, change and close beneficiaries.
std::vector<CommandSpec> Registers() {
  const OptionSpec name{"name", K::kValue, "NAME", "public display name, may be a pseudonym",
                        "required"};
  const OptionSpec purpose{"purpose", K::kValue, "TEXT", "what the fund is for", "none"};
  const OptionSpec reason{"reason", K::kValue, "TEXT", "why", "none"};
  return {
      {"beneficiary",
       "add",
       "Register a beneficiary's fund (restricted: spent only on them).",
       {kId},
       Record({name,
               purpose,
               {"sensitive", K::kSwitch, "",
                "the beneficiary is at risk: shown by the display name only", "not sensitive"}}),
       RunBeneficiaryAdd},
      {"beneficiary",
       "update",
       "Change a beneficiary's display name or purpose.",
       {kId},
       Record({{"name", K::kValue, "NAME", "new display name (public: a rename stays in the log)",
                "unchanged"},
               {"purpose", K::kValue, "TEXT", "new purpose", "unchanged"},
               {"sensitive", K::kSwitch, "",
                "the beneficiary is at risk from now on: its id and purpose leave public views "
                "(for good)",
                "unchanged"}}),
       RunBeneficiaryUpdate},
      {"beneficiary",
       "close",
       "Close a beneficiary's fund (its balance must be zero).",
       {kId},
       Record({reason}),
       RunBeneficiaryClose},
  };
}

// Treasurers' commands that open, change and close branches.
std::vector<CommandSpec> Branches() {
  const OptionSpec reason{"reason", K::kValue, "TEXT", "why", "none"};
  return {
      {"branch",
       "affiliate",
       "Affiliate a union branch with its fee basis.",
       {kId},
       Record({{"union", K::kValue, "NAME", "the union (\"UNISON\")", "required"},
               {"branch-name", K::kValue, "NAME", "the branch's name", "required", 0, "name"},
               {"region", K::kValue, "R", "the region", "none"},
               {"members", K::kValue, "N", "number of members", "0"},
               {"fee", K::kValue, "AMOUNT", "a fixed fee per period, e.g. \"25.00 GBP\"",
                "none; --fee or --fee-per-member is required"},
               {"fee-per-member", K::kValue, "AMOUNT",
                "a fee per member per period, e.g. \"0.10 GBP\"", "none"},
               {"minimum", K::kValue, "AMOUNT", "the least fee per period (with --fee-per-member)",
                "none"},
               {"period", K::kValue, "monthly|quarterly|annual", "how often the fee is due",
                "monthly"},
               kShownWhenAffiliated}),
       RunBranchAffiliate},
      {"branch",
       "update",
       "Change a branch's declared members or fee from one of its fee periods on, or whether "
       "the public page names it.",
       {kId},
       Record(
           {{"from-period", K::kValue, "YYYY-MM-DD",
             "the first day the new terms apply: a fee period start, not yet paid",
             "required with new terms", 0, "from since"},
            kShownFromNowOn,
            {"members", K::kValue, "N", "number of members", "unchanged"},
            {"fee", K::kValue, "AMOUNT", "a fixed fee per period, e.g. \"25.00 GBP\"", "unchanged"},
            {"fee-per-member", K::kValue, "AMOUNT",
             "a fee per member per period, e.g. \"0.10 GBP\"", "unchanged"},
            {"minimum", K::kValue, "AMOUNT", "the least fee per period (with --fee-per-member)",
             "none"}}),
       RunBranchUpdate},
      {"branch",
       "disaffiliate",
       "A branch leaves the campaign.",
       {kId},
       Record({reason}),
       RunBranchDisaffiliate},
  };
}

// Restricted money moved on, with its authority.
std::vector<CommandSpec> Transfers() {
  return {
      {"transfer",
       "",
       "Move money out of a beneficiary's fund into another beneficiary's fund or the general "
       "fund, with the authority for it (a fund closes once its leftover has moved).",
       {{"FROM", P::kWord, "the beneficiary whose fund the money leaves"},
        {"TO", P::kWord,
         "the beneficiary whose fund it goes to, or general (the general fund; "
         "beneficiary/general for a beneficiary of that id)"},
        kAmount},
       Record({{"authority", K::kValue, "donor-consent|committee-decision",
                "what allows money given for one purpose to move", "required"},
               {"authority-ref", K::kValue, "REF",
                "where the authority is written down (a minute number; kept private)", "none"}}),
       RunTransfer},
  };
}

// Treasurers' commands that move money.
std::vector<CommandSpec> Money() {
  return {
      {"branch",
       "pay-fee",
       "Record a branch's affiliation fee (to the general fund).",
       {kId, kAmount},
       Record(
           {{"periods", K::kValue, "N", "how many fee periods it pays", "1"}, kMethod, kReference}),
       RunBranchPayFee},
      {"donate",
       "",
       "Record a donation: to the general fund, or earmarked for one fund.",
       {kAmount},
       Record({{"to", K::kValue, "BENEFICIARY", "earmark it for this beneficiary's fund",
                "the general fund", 0, "fund earmark beneficiary for"},
               {"donor", K::kValue, "individual|branch|organisation|anonymous", "who gave",
                "individual, or branch with --branch", 0, "kind"},
               {"branch", K::kValue, "ID", "the giving branch (with --donor branch)", "none"},
               {"donor-ref", K::kValue, "REF",
                "the donor's pseudonymous reference, never a legal name", "none", 0,
                "ref donorref pseudonym"},
               kMethod,
               kReference}),
       RunDonate,
       "--to"},
      {"allocate",
       "",
       "Move general-fund money to a beneficiary's fund.",
       {kBeneficiary, kAmount},
       Record({}),
       RunAllocate},
      {"disburse",
       "",
       "Request a payment out of a beneficiary's fund (two to sign): the money is committed "
       "until another member approves and a treasurer pays it (ledgerctl pay).",
       {kBeneficiary, kAmount},
       Record({{"purpose", K::kValue, "TEXT", "what it pays for", "required"},
               {"payee", K::kValue, "P", "who is to be paid (a pseudonym is fine)", "none"},
               kMethod,
               {"request-id", K::kValue, "ID", "the request's id (see id rules)",
                "req-<time>-<random>"}}),
       RunDisburse},
      {"reverse",
       "",
       "Undo an event's money effect, wholly or in part; the original stays.",
       {{"EVENT_ID", P::kWord, "the event id to reverse"}},
       Record({{"kind", K::kValue, "refund|correction|duplicate|chargeback", "why it is undone",
                "required"},
               {"reason", K::kValue, "TEXT", "the reason, in words", "required"},
               {"amount", K::kValue, "AMOUNT", "reverse only this much, e.g. \"5.00 GBP\"",
                "the whole amount"}}),
       RunReverse},
      {"party",
       "erase",
       "Destroy the private details of a donor or payee, in every event that names them.",
       {{"REF", P::kWord, "the donor reference or payee as recorded"}},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunPartyErase},
      {"event",
       "erase-details",
       "Destroy one event's private details; its money and hashes stay.",
       {{"EVENT_ID", P::kWord, "the event id whose details go"}},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunEventEraseDetails},
  };
}

// The help of `events --limit` quotes the ReadEvents page limits.
static_assert(ledger::kDefaultReadEventsPage == 100 && ledger::kMaxReadEventsPage == 1000,
              "update the help of events --limit");

std::vector<CommandSpec> Readers() {
  const OptionSpec all_funds{"all", K::kSwitch, "", "closed funds too", "open ones only"};
  const OptionSpec all_branches{"all", K::kSwitch, "", "disaffiliated branches too",
                                "affiliated ones only"};
  return {
      {"summary", "", "Totals per currency and the head.", {}, {kAsOf, kDataDir}, RunSummary},
      {"balances",
       "",
       "Every fund: the general fund and each beneficiary's.",
       {},
       {all_funds, kAsOf, kDataDir},
       RunBalances},
      {"branches",
       "",
       "Affiliated branches, fee status and contributions.",
       {},
       {all_branches, kAsOf, kDataDir},
       RunBranches},
      {"branch", "show", "One branch.", {kId}, {kAsOf, kDataDir}, RunBranchShow},
      {"beneficiary",
       "show",
       "One beneficiary's fund.",
       {kId},
       {kAsOf, kDataDir},
       RunBeneficiaryShow},
      {"trial-balance",
       "",
       "Every account; debits equal credits.",
       {},
       {kAsOf, kDataDir},
       RunTrialBalance},
      {"events",
       "",
       "Events by position.",
       {},
       {{"from", K::kValue, "N", "first position", "1"},
        {"limit", K::kValue, "N", "most events to print (at most 1000)", "100"},
        kDataDir},
       RunEvents},
      {"event",
       "",
       "One event with its hashes.",
       {{"EVENT", P::kWord, "an event id, or a position (a number)"}},
       {kDataDir},
       RunEvent},
      {"tail",
       "",
       "The latest events; -f keeps following.",
       {},
       {{"follow", K::kSwitch, "", "keep following new events (online only)", "stop at the head",
         'f'},
        {"lines", K::kValue, "N", "how many of the latest events", "10", 'n'},
        {"from", K::kValue, "N", "start at this position instead", "the last --lines", 0, "start"},
        kDataDir},
       RunTail},
      {"head", "", "The head's position and hash.", {}, {kDataDir}, RunHead},
  };
}

// Readers' statements for a date range.
std::vector<CommandSpec> Statements() {
  return {
      {"statement",
       "fund",
       "A fund's statement for any date range.",
       {{"FUND", P::kWord, "general, or a beneficiary id"}},
       {kFrom, kTo, kFormat, kDataDir},
       RunStatementFund},
      {"statement",
       "branch",
       "A branch's fees due and paid, and its gifts, for a date range.",
       {kId},
       {kFrom, kTo, kFormat, kDataDir},
       RunStatementBranch},
      {"statement",
       "income",
       "Income and spending by fund class for a date range.",
       {},
       {kFrom, kTo, kFormat, kDataDir},
       RunStatementIncome},
  };
}

std::vector<CommandSpec> Auditors() {
  const OptionSpec output{
      "output", K::kValue, "FILE",    "write to FILE (complete or not at all) and print a summary",
      "stdout", 0,         "out file"};
  const OptionSpec format{"format", K::kValue, "csv|jsonl", "the file format", "csv"};
  return {
      {"audit",
       "verify",
       "Recompute the hash chain; with --checkpoint, prove the log extends a kept checkpoint.",
       {},
       {{"from", K::kValue, "N", "first position to check", "1"},
        {"to", K::kValue, "N", "last position to check", "the head"},
        {"checkpoint", K::kValue, "FILE",
         "a checkpoint you kept (`ledgerctl checkpoint --output FILE`): check its signature, "
         "recompute the root from the events (offline) and prove the log extends it",
         "the chain only", 0, "cp kept"},
        {"log-key", K::kValue, "VKEY|FILE",
         "the ledger's verifier key as its operator published it, or a file holding it",
         "the key the server (or the copy) announces, which proves nothing: pin the published "
         "one",
         0, "vkey pubkey ledger-key"},
        kDataDir},
       RunAuditVerify},
      {"audit",
       "rebuild-check",
       "Rebuild every projection from the log and compare.",
       {},
       {kDataDir},
       RunAuditRebuildCheck},
      {"audit",
       "replay",
       "Offline: verify the chain, rebuild, trial balance and summary.",
       {},
       {{"data-dir", K::kValue, "DIR", "the data directory or restored backup to audit", "required",
         0, "dir datadir"}},
       RunAuditReplay},
      {"export",
       "events",
       "The log, one row per event (columns: docs/AUDITING.md).",
       {},
       {format, output, kDataDir},
       RunExportEvents},
      {"export",
       "postings",
       "The double-entry postings, two rows per money event.",
       {},
       {format, output, kDataDir},
       RunExportPostings},
  };
}

// Backups: made on the server, listed, purged, verified and restored here.
std::vector<CommandSpec> Backups() {
  return {
      {"backup",
       "create",
       "Online backup into NAME under the server's backup root (ledgerd --backup_root; "
       "--timeout defaults to 3600 here).",
       {{"NAME", P::kWord,
         "the backup directory's name under the backup root: 1-64 of A-Z a-z 0-9 . _ -, "
         "starting with a letter or digit (a name, never a path)"}},
       {},
       RunBackupCreate},
      {"backup", "list", "The backups in DIR with their heads.", {kBackupDir}, {}, RunBackupList},
      {"backup",
       "prune",
       "Delete all but the newest N backups in DIR, and the files only they used (the "
       "backup timer's retention; `backup purge` is the same).",
       {kBackupDir},
       {{"keep", K::kValue, "N", "how many of the newest backups to keep (at least 1)",
         "required"}},
       RunBackupPurge},
      {"backup",
       "purge",
       "The same as `backup prune`: delete all but the newest N backups in DIR.",
       {kBackupDir},
       {{"keep", K::kValue, "N", "how many of the newest backups to keep (at least 1)",
         "required"}},
       RunBackupPurge},
      {"backup",
       "verify",
       "Checksums, then restore to scratch space, verify the chain, rebuild.",
       {kBackupDir},
       {kBackupId,
        {"scratch", K::kValue, "DIR", "where to restore for the check",
         "a new temporary directory"}},
       RunBackupVerify},
      {"backup",
       "restore",
       "Restore a backup into a new or empty directory; never overwrites.",
       {kBackupDir},
       {kBackupId,
        {"data-dir", K::kValue, "TARGET", "the new or empty directory to restore into", "required",
         0, "dir datadir target"}},
       RunBackupRestore},
  };
}

// --log-key: the ledger's verifier key, pinned.
OptionSpec LogKeyOption() {
  return {"log-key",
          K::kValue,
          "VKEY|FILE",
          "the ledger's verifier key as its operator published it (`ledgerctl checkpoint --key` "
          "prints it), or a file holding it",
          "the key the server announces, which proves nothing: pin the published one",
          0,
          "vkey pubkey ledger-key"};
}

// The verifiable log: checkpoints, proofs, witnesses.
std::vector<CommandSpec> Verifiers() {
  const OptionSpec log_key = LogKeyOption();
  const OptionSpec output{
      "output", K::kValue, "FILE",    "write to FILE (complete or not at all) and print a summary",
      "stdout", 0,         "out file"};
  return {
      {"checkpoint",
       "",
       "The latest signed checkpoint (a C2SP signed note to keep), or the ledger's key.",
       {},
       {{"key", K::kSwitch, "",
         "print the ledger's public key and verifier key line instead (with --output, write "
         "the line to FILE, for --log-key)",
         "the checkpoint", 0, "pubkey vkey"},
        {"cosigned", K::kSwitch, "", "the newest checkpoint a witness cosigned", "the latest"},
        {"size", K::kValue, "N", "the checkpoint of this tree size", "the latest", 0, "tree-size"},
        output,
        kDataDir},
       RunCheckpoint},
      {"proof",
       "inclusion",
       "Prove an event is in the signed log: its inclusion proof, checked here.",
       {{"EVENT", P::kWord, "an event id, or a position (a number)"}},
       {{"size", K::kValue, "N", "prove it in the tree of N events", "the latest checkpoint's size",
         0, "tree-size"},
        log_key,
        kDataDir},
       RunProofInclusion},
      {"proof",
       "consistency",
       "Prove the log of OLD events is a prefix of a larger one, checked here.",
       {{"OLD", P::kWord, "the smaller tree size (events)"}},
       {{"size", K::kValue, "N", "the larger tree size", "the latest checkpoint's size", 0,
         "tree-size new"},
        log_key,
        kDataDir},
       RunProofConsistency},
      {"witness",
       "",
       "Cosign the ledger's checkpoint if it extends the last one cosigned; refuse a fork.",
       {},
       {{"state", K::kValue, "DIR",
         "this witness's state: the ledger key it trusts, the last checkpoint it cosigned",
         "required", 0, "dir state-dir"},
        {"key", K::kValue, "FILE", "the witness's Ed25519 private key (PEM, mode 0600)", "required",
         0, "key-file"},
        {"name", K::kValue, "NAME",
         "the witness's key name, as the ledger's operator configured it",
         "witness-<first 8 hex digits of SHA-256(public key)>"},
        log_key},
       RunWitness},
  };
}

// Donors' receipts, and the Ed25519 keys of the ledger and its witnesses.
std::vector<CommandSpec> Receipts() {
  const OptionSpec log_key = LogKeyOption();
  const OptionSpec witness_keys{"witness-keys",
                                K::kValue,
                                "FILE",
                                "witnesses' verifier keys, one per line (the file ledgerd's "
                                "--witness_keys reads): their cosignatures are checked",
                                "cosignatures are listed, not checked",
                                0,
                                "witnesses"};
  return {
      {"receipt",
       "",
       "A donor's receipt: the event's record, its inclusion proof and a cosigned checkpoint.",
       {{"EVENT_ID", P::kWord, "the event id (or position) the receipt is for"}},
       {{"output", K::kValue, "FILE", "the receipt file to write (mode 0600)", "required", 0,
         "out file"},
        log_key},
       RunReceipt},
      {"receipt",
       "verify",
       "Check a receipt offline with the ledger's key; with --server, that the live log holds it.",
       {{"FILE", P::kWord, "the receipt file"}},
       {{"log-key", K::kValue, "VKEY|FILE",
         "the ledger's verifier key as its operator published it, or a file holding it", "required",
         0, "vkey pubkey ledger-key"},
        witness_keys},
       RunReceiptVerify},
      {"key",
       "generate",
       "Make an Ed25519 key file (mode 0600) for the ledger or a witness; never overwrites.",
       {},
       {{"output", K::kValue, "FILE", "the key file to create", "required", 0, "out file"},
        {"name", K::kValue, "NAME", "also print the verifier key line for this key name",
         "the public key only"},
        {"witness", K::kSwitch, "", "the key is a witness's: its line is of type 0x04",
         "a ledger key (type 0x01)"}},
       RunKeyGenerate},
      {"key",
       "show",
       "The public key and verifier key line of a key file.",
       {{"FILE", P::kWord, "the key file"}},
       {{"name", K::kValue, "NAME",
         "the key's name: the ledger's checkpoint origin, or the witness's name", "required"},
        {"witness", K::kSwitch, "", "the key is a witness's: its line is of type 0x04",
         "a ledger key (type 0x01)"}},
       RunKeyShow},
  };
}

std::vector<CommandSpec> Keepers() {
  return {
      {"key",
       "create",
       "Make a new private key file (0600), for a new ledger or a migration.",
       {{"FILE", P::kWord, "where to write it; never inside the data directory"}},
       {},
       RunKeyCreate},
      {"migrate",
       "",
       "Rewrite a ledger of format 1 into a new directory in today's format.",
       {},
       {{"from", K::kValue, "OLD", "the old data directory (read only)", "required", 0, "old"},
        {"to", K::kValue, "NEW", "a new or empty directory for the migrated ledger", "required", 0,
         "new"}},
       RunMigrate},
  };
}

// Admins' commands: members and their tokens (governance events).
std::vector<CommandSpec> Governance() {
  const OptionSpec roles{
      "role",     K::kValue,
      "R[,R]",    "roles, comma-separated: viewer, treasurer, approver, auditor, admin",
      "required", 0,
      "roles"};
  const PositionalSpec member{"MEMBER", P::kWord, "the member id"};
  return {
      {"member",
       "add",
       "Add a member with one or more roles (admins only).",
       {kId},
       Record({{"name", K::kValue, "NAME", "a name the admins know them by (kept private)", "none"},
               roles}),
       RunMemberAdd},
      {"member",
       "list",
       "Every member and token, removed and revoked ones too.",
       {},
       {},
       RunMemberList},
      {"member",
       "roles",
       "Replace a member's roles (the last admin keeps admin).",
       {kId},
       Record({roles}),
       RunMemberRoles},
      {"member",
       "remove",
       "Remove a member: every token of theirs stops working.",
       {kId},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunMemberRemove},
      {"token",
       "issue",
       "Make a token for a member; it is printed once, only its hash is sent.",
       {member},
       Record({{"label", K::kValue, "TEXT", "what it is for (\"laptop\"; kept private)", "none"},
               {"token-id", K::kValue, "ID", "the token's id", "<MEMBER>-<random>"},
               {"output", K::kValue, "FILE",
                "write the token to this new file (0600) instead of printing it", "print it"}}),
       RunTokenIssue},
      {"token",
       "revoke",
       "A token stops working.",
       {{"TOKEN_ID", P::kWord, "the token's id (see member list)"}},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunTokenRevoke},
      {"whoami", "", "The member the token belongs to, and their roles.", {}, {}, RunWhoAmI},
  };
}

// Two to sign: treasurers pay or withdraw requests, approvers approve or
// reject them (disburse, the request, is with the money commands).
std::vector<CommandSpec> Payments() {
  return {
      {"pay",
       "",
       "Pay an approved disbursement request: the money leaves the fund.",
       {kRequest},
       Record({{"method", K::kValue, "M", "how it was paid", "the request's"}, kReference}),
       RunPay},
      {"cancel",
       "",
       "Withdraw a pending disbursement request: its money is released.",
       {kRequest},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunCancel},
      {"approve",
       "",
       "Approve a pending disbursement request (never your own).",
       {kRequest},
       Record({{"note", K::kValue, "TEXT", "a note (kept private)", "none"}}),
       RunApprove},
      {"reject",
       "",
       "Reject a pending disbursement request: its money is released.",
       {kRequest},
       Record({{"reason", K::kValue, "TEXT", "why (kept private)", "required"}}),
       RunReject},
      {"requests",
       "",
       "Disbursement requests waiting for approval or payment, and on whom.",
       {},
       {{"all", K::kSwitch, "", "paid, rejected and cancelled ones too", "pending only"}},
       RunRequests},
  };
}

// Admins: the approval policy.
std::vector<CommandSpec> Policy() {
  return {
      {"policy",
       "set",
       "Set how many approvals a disbursement needs (admins only).",
       {},
       Record(
           {{"approvals", K::kValue, "N", "approvals every disbursement needs (0-5)", "required"},
            {"above", K::kValue, "\"AMOUNT CUR=N,...\"",
             "more approvals above an amount: \"500.00 GBP=2,2000.00 GBP=3\"", "none"}}),
       RunPolicySet},
      {"policy", "show", "The approval policy in force.", {}, {}, RunPolicyShow},
      {"period",
       "close",
       "Propose closing the books through a day (admins); another admin or approver closes it.",
       {},
       Record({{"through", K::kValue, "YYYY-MM-DD", "the last day of the period", "required"},
               {"reason", K::kValue, "TEXT", "why (kept private)", "required"},
               {"proposal-id", K::kValue, "ID", "the proposal's id", "close-<random>"}}),
       RunPeriodClose},
      {"period",
       "approve",
       "Close the period of another admin's proposal (admin or approver, never the proposer).",
       {{"PROPOSAL", P::kWord, "the proposal's id (see period show)"}},
       Record({{"through", K::kValue, "YYYY-MM-DD", "the proposal's day, repeated", "required"}}),
       RunPeriodApprove},
      {"period",
       "show",
       "The day the books are closed through and the proposals waiting.",
       {},
       {},
       RunPeriodShow},
  };
}

std::vector<CommandSpec> All() {
  std::vector<CommandSpec> all;
  for (auto part :
       {Registers(), Branches(), Money(), Transfers(), Payments(), Governance(), Policy(),
        Readers(), Statements(), Auditors(), Backups(), Verifiers(), Receipts(), Keepers()}) {
    for (CommandSpec& c : part) all.push_back(std::move(c));
  }
  return all;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const auto* kCommands = new std::vector<CommandSpec>(All());
  return *kCommands;
}

const char kOverview[] = R"(ledgerctl — Solidarity Ledger treasurer and auditor tool

usage: ledgerctl [--server HOST:PORT] [--json] COMMAND ... [options]
       ledgerctl COMMAND [SUBCOMMAND] --help    every option of a command, with defaults
       ledgerctl --version                      the version and the git commit it was built from

treasurers (each records one event; options: --on YYYY-MM-DD, --event-id ID, --memo TEXT):
  beneficiary add ID --name NAME [--purpose TEXT] [--sensitive]
  beneficiary update ID [--name NAME] [--purpose TEXT] [--sensitive]
  beneficiary close ID [--reason TEXT]
  branch affiliate ID --union NAME --branch-name NAME [--region R] [--members N]
                      (--fee "10.00 GBP" | --fee-per-member "0.50 GBP" [--minimum "5.00 GBP"])
                      [--period monthly|quarterly|annual] [--shown-publicly yes|no]
  branch update ID --from-period YYYY-MM-DD [--members N]
                   [--fee "10.00 GBP" | --fee-per-member "0.50 GBP" [--minimum "5.00 GBP"]]
  branch update ID --shown-publicly yes|no     name it on the public page, or stop
  branch disaffiliate ID [--reason TEXT]
  branch pay-fee ID AMOUNT CURRENCY [--periods N] [--method M] [--reference R]
  donate AMOUNT CURRENCY [--to BENEFICIARY] [--donor individual|branch|organisation|anonymous]
                         [--branch ID] [--donor-ref REF] [--method M] [--reference R]
  allocate BENEFICIARY AMOUNT CURRENCY
  transfer FROM TO|general AMOUNT CURRENCY --authority donor-consent|committee-decision
                               [--authority-ref REF]   restricted money to another fund
  disburse BENEFICIARY AMOUNT CURRENCY --purpose TEXT [--payee P] [--method M] [--request-id ID]
                               request a payment: the money is committed (two to sign)
  pay REQUEST [--reference R] [--method M]     pay it once approved
  cancel REQUEST --reason TEXT                 withdraw a pending request
  reverse EVENT_ID --kind refund|correction|duplicate|chargeback --reason TEXT [--amount "5.00 GBP"]
  beneficiary update ID --sensitive            its id and purpose leave public views, for good
  party erase REF --reason TEXT                destroy a donor's or payee's private details
  event erase-details EVENT_ID --reason TEXT   destroy one event's private details

approvers (two to sign):
  requests [--all]                             what waits for approval or payment, on whom
  approve REQUEST [--note TEXT]                never your own request
  reject REQUEST --reason TEXT                 its money is released

admins (members and tokens; each records one event, but member list and whoami):
  member add ID --role R[,R] [--name NAME]     roles: viewer treasurer approver auditor admin
  member list                                  every member and token
  member roles ID --role R[,R]                 replace a member's roles
  member remove ID --reason TEXT               every token of theirs stops working
  token issue MEMBER [--label TEXT] [--output FILE]
                                               a new token, printed once (or written to FILE)
  token revoke TOKEN_ID --reason TEXT
  whoami                                       the member and roles of your token
  policy set --approvals N [--above "500.00 GBP=2,..."]
                                               approvals a disbursement needs
  policy show                                  the approval policy in force
  period close --through YYYY-MM-DD --reason TEXT [--proposal-id ID]
                                               propose closing the books through a day
  period approve PROPOSAL --through YYYY-MM-DD  close it (another admin or an approver)
  period show                                  closed through what, proposals waiting

readers (online, or offline on a data directory or restored backup with --data-dir DIR):
  summary                      totals per currency and the head
  balances [--all]             every fund (--all: closed ones too)
  branches [--all]             affiliated branches, fee status and contributions
  branch show ID               one branch
  beneficiary show ID          one beneficiary's fund
  trial-balance                every account; debits equal credits
  events [--from N] [--limit N]
  event ID|POSITION            one event with its hashes
  tail [-f] [-n N] [--from N]  the latest events; -f keeps following (online only)
  head                         head position and hash
  (summary, balances, branches, branch show, beneficiary show and trial-balance take
   --as-of POSITION or --as-of YYYY-MM-DD: balances as they stood then)

statements (any date range by occurred_on; --format table|json|csv; --data-dir DIR):
  statement fund general|BENEFICIARY --from YYYY-MM-DD --to YYYY-MM-DD
  statement branch ID --from YYYY-MM-DD --to YYYY-MM-DD
  statement income --from YYYY-MM-DD --to YYYY-MM-DD

auditors:
  audit verify [--from N] [--to N] [--data-dir DIR]   recompute the hash chain
  audit rebuild-check [--data-dir DIR]                rebuild projections and compare
  audit replay --data-dir DIR                         offline: verify, rebuild, summary
  export events|postings [--format csv|jsonl] [--output FILE] [--data-dir DIR]
                      the log, or its postings, for a spreadsheet or an accounting
                      package (columns: docs/AUDITING.md); online unless --data-dir;
                      a progress bar on a terminal unless --no-progress
  backup create NAME                      online backup into NAME under the server's backup root
  backup list DIR                         the backups in DIR with their heads
  backup prune DIR --keep N               delete all but the newest N backups (and what
                                          only they held, erased details' keys too);
                                          `backup purge` is the same
  backup verify DIR [--id N] [--scratch DIR]
                      checksums, then restore to scratch space, verify the chain, rebuild
  backup restore DIR [--id N] --data-dir TARGET
                      restore (latest, or N) into a new or empty TARGET; never overwrites

the verifiable log (docs/AUDITING.md; --log-key VKEY|FILE pins the ledger's published key):
  checkpoint [--key] [--cosigned] [--size N] [--output FILE] [--data-dir DIR]
                      the latest signed checkpoint (keep it), or the ledger's key
  proof inclusion EVENT [--size N]        an event's inclusion proof, checked
  proof consistency OLD [--size N]        the log of OLD events is a prefix, checked
  audit verify --checkpoint FILE [--data-dir DIR]
                      prove the live log (or a copy) extends a checkpoint you kept
  witness --state DIR --key FILE [--name NAME] [--log-key VKEY]
                      cosign the checkpoint if it extends the last one; refuse a fork
  receipt EVENT_ID --output FILE          a donor's receipt: record, proof, checkpoint
  receipt verify FILE --log-key VKEY [--witness-keys FILE] [--server ADDR]
                      check a receipt offline; with --server, that the live log holds it
  key generate --output FILE [--name NAME [--witness]]
                      an Ed25519 signing key for checkpoints or a witness
  key show FILE --name NAME [--witness]   a key file's public key and verifier key line

private details (on this machine; --private-key-file FILE or $LEDGER_PRIVATE_KEY_FILE):
  key create FILE                         a new private key file (0600)
  migrate --from OLD --to NEW             rewrite a format-1 ledger in today's format
  (offline readers with the key file show donors, payees, references and memos;
   without it they print (withheld) in their place)

amounts are decimal strings with a currency: 12.50 GBP, 1250 JPY, 1.250 BHD.
hashes are lower-case hex, in text and in --json.
--server defaults to $LEDGER_SERVER, else localhost:50051. The token is read from
--token-file FILE, else $LEDGER_TOKEN_FILE, else ./var/ledger.token, else
~/.config/solidarity-ledger/token; with none, calls are the public's. --timeout SECONDS (10),
--retries N (4): UNAVAILABLE and DEADLINE_EXCEEDED are retried with the same event id.
--json: JSON on stdout, and an error as one JSON object on stderr.
unknown options, missing values and unexpected words are refused (exit 2).
exit codes: 0 ok, 1 refused or failed, 2 bad usage, 3 server unreachable.
)";

}  // namespace ledgerctl
