#include "ledger/domain/members.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/validate.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger {

absl::string_view RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_VIEWER:
      return "viewer";
    case v1::ROLE_TREASURER:
      return "treasurer";
    case v1::ROLE_APPROVER:
      return "approver";
    case v1::ROLE_AUDITOR:
      return "auditor";
    case v1::ROLE_ADMIN:
      return "admin";
    default:
      return "";
  }
}

v1::Role RoleNamed(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (v1::Role r :
       {v1::ROLE_VIEWER, v1::ROLE_TREASURER, v1::ROLE_APPROVER, v1::ROLE_AUDITOR, v1::ROLE_ADMIN}) {
    if (RoleName(r) == lower) return r;
  }
  return v1::ROLE_UNSPECIFIED;
}

absl::Status CheckRoles(absl::string_view field,
                        const google::protobuf::RepeatedField<int>& roles) {
  if (roles.empty()) return InvalidField(field, "needs at least one role");
  std::set<int> seen;
  for (int r : roles) {
    if (!v1::Role_IsValid(r) || r == v1::ROLE_UNSPECIFIED) {
      return InvalidField(field, absl::StrCat("holds an unknown role (", r, ")"));
    }
    if (!seen.insert(r).second) {
      return InvalidField(field,
                          absl::StrCat("names ", RoleName(static_cast<v1::Role>(r)), " twice"));
    }
  }
  return absl::OkStatus();
}

bool HasRole(const v1::Member& member, v1::Role role) {
  return std::find(member.roles().begin(), member.roles().end(), role) != member.roles().end();
}

absl::StatusOr<v1::Member> LoadActiveMember(Books& books, absl::string_view member_id,
                                            absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Member> m, books.FindMember(member_id));
  if (!m) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownMember,
                   absl::StrCat(field, ": no member \"", member_id, "\""), field);
  }
  if (m->status() != v1::STATUS_OPEN) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonMemberRemoved,
                   absl::StrCat(field, ": member ", member_id, " was removed on ", m->removed_on()),
                   field);
  }
  return *std::move(m);
}

absl::Status ValidateMemberAdded(const v1::MemberAdded& e, absl::string_view field) {
  RETURN_IF_ERROR(CheckId(absl::StrCat(field, ".member_id"), e.member_id()));
  RETURN_IF_ERROR(
      CheckName(absl::StrCat(field, ".display_name"), e.display_name(), Presence::kOptional));
  return CheckRoles(absl::StrCat(field, ".roles"), e.roles());
}

absl::Status ValidateTokenIssued(const v1::TokenIssued& e, absl::string_view field) {
  RETURN_IF_ERROR(CheckId(absl::StrCat(field, ".token_id"), e.token_id()));
  RETURN_IF_ERROR(CheckId(absl::StrCat(field, ".member_id"), e.member_id()));
  if (e.token_hash().size() != kTokenBytes) {
    return InvalidField(
        absl::StrCat(field, ".token_hash"),
        absl::StrCat("is ", e.token_hash().size(), " bytes; a token's SHA-256 is 32"));
  }
  return CheckName(absl::StrCat(field, ".label"), e.label(), Presence::kOptional);
}

absl::Status CheckNewMember(Books& books, const v1::MemberAdded& e, absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Member> existing, books.FindMember(e.member_id()));
  if (existing) {
    const std::string f = absl::StrCat(field, ".member_id");
    return Refusal(absl::StatusCode::kAlreadyExists, kReasonMemberExists,
                   absl::StrCat(f, ": member ", e.member_id(),
                                existing->status() == v1::STATUS_OPEN
                                    ? " exists"
                                    : " was a member before; member ids are never reused"),
                   f);
  }
  return absl::OkStatus();
}

v1::Member MemberRowOf(const v1::MemberAdded& e, uint64_t position, absl::string_view on) {
  v1::Member m;
  m.set_member_id(e.member_id());
  std::vector<int> roles(e.roles().begin(), e.roles().end());
  std::sort(roles.begin(), roles.end());
  for (int r : roles) m.add_roles(static_cast<v1::Role>(r));
  m.set_status(v1::STATUS_OPEN);
  m.set_added_position(position);
  m.set_added_on(std::string(on));
  m.set_name_position(position);
  return m;
}

absl::Status CheckNewToken(Books& books, const v1::TokenIssued& e, absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Token> existing, books.FindToken(e.token_id()));
  if (existing) {
    const std::string f = absl::StrCat(field, ".token_id");
    return Refusal(absl::StatusCode::kAlreadyExists, kReasonTokenExists,
                   absl::StrCat(f, ": token ", e.token_id(), " was issued before"), f);
  }
  ASSIGN_OR_RETURN(std::optional<std::string> same, books.FindTokenIdByHash(e.token_hash()));
  if (same) {
    const std::string f = absl::StrCat(field, ".token_hash");
    return Refusal(absl::StatusCode::kAlreadyExists, kReasonTokenExists,
                   absl::StrCat(f, ": this token was issued before; make a new one"), f);
  }
  return absl::OkStatus();
}

v1::Token TokenRowOf(const v1::TokenIssued& e, uint64_t position, absl::string_view on) {
  v1::Token t;
  t.set_token_id(e.token_id());
  t.set_member_id(e.member_id());
  t.set_token_hash(e.token_hash());
  t.set_status(v1::STATUS_OPEN);
  t.set_issued_position(position);
  t.set_issued_on(std::string(on));
  return t;
}

}  // namespace ledger
