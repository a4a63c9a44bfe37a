// Who may call what: the one table of methods and the role each needs, and
// the one check every handler makes before it reads its request.
//
// A call carries `authorization: Bearer <64 hex>` or nothing. Nothing is the
// public; a token is looked up as of the newest commit (ledger/views/
// callers.h): a token the ledger does not accept - malformed, unknown,
// revoked, or its member removed - is UNAUTHENTICATED (reason BAD_TOKEN),
// never treated as the public. A caller without the role a method needs is
// PERMISSION_DENIED (reason ROLE_REQUIRED, ErrorDetail.role naming it).
//
// Roles (shared/DESIGN.md, "Identities and roles"; docs/SECURITY.md):
//   public     no token: summary, fund balances, branches shown publicly,
//              the head and chain verification
//   viewer     every member: + events, registers, statements, without
//              private details
//   treasurer  + appends of money and register events; private details
//   approver   + approve or reject disbursement requests (never their own)
//   auditor    + rebuilds, backups; private details
//   admin      + members, tokens, erasure; private details; whatever an
//              auditor may
// Which events an append may hold is each kind's RequiredRole()
// (ledger/domain/kind.h), checked by CheckAppend.
//
// The `x-ledger-actor` header is ignored: the recorded actor is the member.
//
// Thread-safety: pure functions over the log's read views.
#ifndef SERVICES_ACCESS_H_
#define SERVICES_ACCESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/views/identities.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/ledger.pb.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

// The caller of one call.
struct Caller {
  // False for the public (no token); then the rest is empty.
  bool authenticated = false;
  v1::Member member;     // as of the call
  std::string token_id;  // the token used

  const std::string& member_id() const { return member.member_id(); }
  bool Has(v1::Role role) const;
  // Whether the caller may see private details (treasurer, auditor, admin).
  bool SeesPrivateDetails() const;
  // Whether the caller may see who is who: sensitive funds' ids, event ids
  // and request ids (treasurer, approver, auditor, admin). The public and
  // viewers get aliases (ledger/views/identities.h).
  bool SeesIdentities() const;

  // Set by ServiceContext::Admit for a caller who does not SeesIdentities:
  // what rewrites their requests, answers and refusals.
  std::shared_ptr<IdentityMask> mask;
};

// Whether `caller` holds what `required` asks for: ROLE_UNSPECIFIED =
// anyone; ROLE_VIEWER = any member; ROLE_AUDITOR = an auditor or an admin;
// otherwise that role.
bool Satisfies(const Caller& caller, v1::Role required);

// The role `method` ("LedgerQueries/GetSummary": service name without the
// package, a slash, the method) needs. Every method served has a row;
// LEDGER_CHECK fails for one that has none (a method served without one is
// a bug).
v1::Role RequiredRoleOf(absl::string_view method);
// Every method of the table, for tests that hold it against the services.
std::vector<std::string> MethodsInAccessTable();

// The caller of `context` (public, or the member of its bearer token).
absl::StatusOr<Caller> Authenticate(EventLog& log, const grpc::ServerContextBase& context);

// Authenticate, then the table: the caller, or UNAUTHENTICATED /
// PERMISSION_DENIED.
absl::StatusOr<Caller> Admit(EventLog& log, const grpc::ServerContextBase& context,
                             absl::string_view method);

// PERMISSION_DENIED, reason ROLE_REQUIRED, ErrorDetail.role = `role`'s name.
absl::Status RoleRequired(v1::Role role, absl::string_view what);

// Every event of `request` is of a kind `caller` may record.
absl::Status CheckAppend(const Caller& caller, const v1::AppendRequest& request);

}  // namespace ledger

#endif  // SERVICES_ACCESS_H_
