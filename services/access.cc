#include "services/access.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/crypto/tokens.h"
#include "ledger/domain/members.h"
#include "ledger/domain/registry.h"
#include "ledger/errors.h"
#include "ledger/views/callers.h"

namespace ledger {
namespace {

struct MethodRole {
  const char* method;
  v1::Role role;
};

// THE table. ROLE_UNSPECIFIED: the public may call it.
constexpr MethodRole kMethodRoles[] = {
    // Appends: any member may try; each event's kind says who may record
    // it (CheckAppend).
    {"LedgerCommands/Append", v1::ROLE_VIEWER},
    // The public page: totals, fund balances, branches shown publicly.
    {"LedgerQueries/GetSummary", v1::ROLE_UNSPECIFIED},
    {"LedgerQueries/ListBeneficiaries", v1::ROLE_UNSPECIFIED},
    {"LedgerQueries/GetBeneficiary", v1::ROLE_UNSPECIFIED},
    {"LedgerQueries/ListBranches", v1::ROLE_UNSPECIFIED},
    {"LedgerQueries/GetBranch", v1::ROLE_UNSPECIFIED},
    {"LedgerQueries/WatchBalances", v1::ROLE_UNSPECIFIED},
    {"LedgerAudit/GetHead", v1::ROLE_UNSPECIFIED},
    {"LedgerAdmin/WhoAmI", v1::ROLE_UNSPECIFIED},
    // A proof that the chain is intact (the head, and whether every hash
    // holds): the public's "checkpoints and proofs". It reveals nothing but
    // the head; the whole-log slots (kMaxWholeLogCalls) bound its cost.
    {"LedgerAudit/VerifyChain", v1::ROLE_UNSPECIFIED},
    // The verifiable log: checkpoints and proofs carry hashes only. A
    // cosignature is authenticated by its own signature, from a witness key
    // the operator configured (--witness_keys), not by a member's token.
    {"LedgerAudit/GetCheckpoint", v1::ROLE_UNSPECIFIED},
    {"LedgerAudit/GetInclusionProof", v1::ROLE_UNSPECIFIED},
    {"LedgerAudit/GetConsistencyProof", v1::ROLE_UNSPECIFIED},
    {"LedgerAudit/AddCosignature", v1::ROLE_UNSPECIFIED},
    // The committee.
    {"LedgerQueries/GetTrialBalance", v1::ROLE_VIEWER},
    {"LedgerQueries/GetFundStatement", v1::ROLE_VIEWER},
    {"LedgerQueries/GetBranchStatement", v1::ROLE_VIEWER},
    {"LedgerQueries/GetIncomeStatement", v1::ROLE_VIEWER},
    {"LedgerQueries/ListDisbursementRequests", v1::ROLE_VIEWER},
    {"LedgerQueries/GetPeriods", v1::ROLE_VIEWER},
    {"LedgerAudit/ReadEvents", v1::ROLE_VIEWER},
    {"LedgerAudit/GetEvent", v1::ROLE_VIEWER},
    {"LedgerAudit/Subscribe", v1::ROLE_VIEWER},
    // Whole-log work.
    {"LedgerAudit/RebuildProjections", v1::ROLE_AUDITOR},
    // Governance, and copies of everything (written on the server's disk,
    // under its backup root).
    {"LedgerAdmin/CreateBackup", v1::ROLE_ADMIN},
    {"LedgerAdmin/ListMembers", v1::ROLE_ADMIN},
};

absl::Status BadToken(absl::string_view why) {
  return Refusal(absl::StatusCode::kUnauthenticated, kReasonBadToken,
                 absl::StrCat("the authorization header ", why,
                              " (send \"authorization: Bearer <64 hex characters>\")"));
}

std::string RoleWord(v1::Role role) {
  return role == v1::ROLE_UNSPECIFIED ? "public" : std::string(RoleName(role));
}

}  // namespace

bool Caller::Has(v1::Role role) const { return authenticated && HasRole(member, role); }

bool Caller::SeesPrivateDetails() const {
  return Has(v1::ROLE_TREASURER) || Has(v1::ROLE_AUDITOR) || Has(v1::ROLE_ADMIN);
}

bool Caller::SeesIdentities() const { return SeesPrivateDetails() || Has(v1::ROLE_APPROVER); }

bool Satisfies(const Caller& caller, v1::Role required) {
  switch (required) {
    case v1::ROLE_UNSPECIFIED:
      return true;
    case v1::ROLE_VIEWER:
      return caller.authenticated;
    case v1::ROLE_AUDITOR:
      return caller.Has(v1::ROLE_AUDITOR) || caller.Has(v1::ROLE_ADMIN);
    default:
      return caller.Has(required);
  }
}

v1::Role RequiredRoleOf(absl::string_view method) {
  for (const MethodRole& row : kMethodRoles) {
    if (method == row.method) return row.role;
  }
  LEDGER_CHECK(false && "a method served without a row in the access table");
  return v1::ROLE_ADMIN;
}

std::vector<std::string> MethodsInAccessTable() {
  std::vector<std::string> out;
  for (const MethodRole& row : kMethodRoles) out.emplace_back(row.method);
  return out;
}

absl::StatusOr<Caller> Authenticate(EventLog& log, const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  const auto range = md.equal_range("authorization");
  if (range.first == range.second) return Caller{};
  if (std::next(range.first) != range.second) return BadToken("is given more than once");
  absl::string_view value(range.first->second.data(), range.first->second.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return BadToken("is not a bearer token");
  }
  std::optional<std::string> token =
      ParseBearerToken(absl::StripAsciiWhitespace(value.substr(kScheme.size())));
  if (!token) return BadToken("does not hold a token of 64 hex characters");
  auto view = log.NewReadView();
  absl::StatusOr<AuthenticatedMember> who = MemberOfToken(*view, *token);
  if (!who.ok()) return who.status();
  Caller caller;
  caller.authenticated = true;
  caller.member = std::move(who->row);
  caller.token_id = std::move(who->token_id);
  return caller;
}

absl::Status RoleRequired(v1::Role role, absl::string_view what) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonRoleRequired);
  detail.set_role(RoleWord(role));
  return WithDetail(absl::StatusCode::kPermissionDenied,
                    absl::StrCat(what, " needs the ", RoleWord(role), " role",
                                 role == v1::ROLE_VIEWER ? " (any member's token)" : "",
                                 role == v1::ROLE_AUDITOR ? " (or admin)" : ""),
                    detail);
}

absl::StatusOr<Caller> Admit(EventLog& log, const grpc::ServerContextBase& context,
                             absl::string_view method) {
  const v1::Role required = RequiredRoleOf(method);
  absl::StatusOr<Caller> caller = Authenticate(log, context);
  if (!caller.ok()) return caller.status();
  if (!Satisfies(*caller, required)) return RoleRequired(required, method);
  return caller;
}

absl::Status CheckAppend(const Caller& caller, const v1::AppendRequest& request) {
  for (int i = 0; i < request.events_size(); ++i) {
    const EventKind* kind = KindOf(request.events(i).body());
    if (kind == nullptr) continue;  // refused by the writer, naming the field
    const v1::Role required = kind->RequiredRole();
    if (required == v1::ROLE_UNSPECIFIED) continue;  // no client may; the writer says so
    if (!Satisfies(caller, required)) {
      return AtEventIndex(
          RoleRequired(required, absl::StrCat("recording ", kind->name(), " (events[", i, "])")),
          static_cast<uint32_t>(i));
    }
  }
  return absl::OkStatus();
}

}  // namespace ledger
