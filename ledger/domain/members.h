// Members, roles and tokens (the governance registers), shared by the kinds
// that change them (ledger/domain/events/member_*.cc, token_*.cc) and by
// whoever checks a caller (ledger/views/callers.h).
#ifndef LEDGER_DOMAIN_MEMBERS_H_
#define LEDGER_DOMAIN_MEMBERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "ledger/domain/books.h"
#include "solidarity/ledger/v1/events.pb.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// Size of a token and of its hash.
inline constexpr size_t kTokenBytes = 32;

// "viewer", "treasurer", "approver", "auditor", "admin"; "" for none.
absl::string_view RoleName(v1::Role role);
// The role named so (case-insensitive), or ROLE_UNSPECIFIED.
v1::Role RoleNamed(absl::string_view name);

// At least one role, each a known one but UNSPECIFIED, none twice
// (INVALID_ARGUMENT naming `field`).
absl::Status CheckRoles(absl::string_view field, const google::protobuf::RepeatedField<int>& roles);

bool HasRole(const v1::Member& member, v1::Role role);

// The member, who must not have been removed: NOT_FOUND (UNKNOWN_MEMBER),
// FAILED_PRECONDITION (MEMBER_REMOVED).
absl::StatusOr<v1::Member> LoadActiveMember(Books& books, absl::string_view member_id,
                                            absl::string_view field);

// The register rows a MemberAdded and a TokenIssued make (at `position`,
// dated `on`); the checks against the books come first (CheckNewMember,
// CheckNewToken).
absl::Status CheckNewMember(Books& books, const v1::MemberAdded& e, absl::string_view field);
v1::Member MemberRowOf(const v1::MemberAdded& e, uint64_t position, absl::string_view on);
absl::Status CheckNewToken(Books& books, const v1::TokenIssued& e, absl::string_view field);
v1::Token TokenRowOf(const v1::TokenIssued& e, uint64_t position, absl::string_view on);

// Stage 1 of the two (fields alone); `field` is the message's path.
absl::Status ValidateMemberAdded(const v1::MemberAdded& e, absl::string_view field);
absl::Status ValidateTokenIssued(const v1::TokenIssued& e, absl::string_view field);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_MEMBERS_H_
