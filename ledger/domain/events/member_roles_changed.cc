// MemberRolesChanged: a member's roles are replaced. The ledger always keeps
// one admin who has not been removed.
#include <algorithm>
#include <vector>

#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

constexpr char kName[] = "member_roles_changed";

class MemberRolesChanged final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kMemberRolesChanged; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.member_roles_changed();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "member_id"), e.member_id()));
    return CheckRoles(events::FieldOf(kName, "roles"), e.roles());
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().member_roles_changed();
    ASSIGN_OR_RETURN(v1::Member m,
                     LoadActiveMember(books, e.member_id(), events::FieldOf(kName, "member_id")));
    const bool was_admin = HasRole(m, v1::ROLE_ADMIN);
    std::vector<int> roles(e.roles().begin(), e.roles().end());
    std::sort(roles.begin(), roles.end());
    m.clear_roles();
    for (int r : roles) m.add_roles(static_cast<v1::Role>(r));
    if (was_admin && !HasRole(m, v1::ROLE_ADMIN)) {
      ASSIGN_OR_RETURN(int admins, books.CountActiveAdmins());
      if (admins <= 1) {
        return Refusal(absl::StatusCode::kFailedPrecondition, kReasonLastAdmin,
                       absl::StrCat(events::FieldOf(kName, "roles"), ": ", e.member_id(),
                                    " is the last admin; make another member admin first"),
                       events::FieldOf(kName, "roles"));
      }
    }
    out.member_rows.push_back(std::move(m));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    std::string roles;
    for (int r : body.member_roles_changed().roles()) {
      absl::StrAppend(&roles, roles.empty() ? "" : ", ", RoleName(static_cast<v1::Role>(r)));
    }
    return absl::StrCat("member ", body.member_roles_changed().member_id(), " now ", roles);
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.member_roles_changed().member_id();
    return d;
  }
};

}  // namespace

const EventKind& MemberRolesChangedKind() {
  static const MemberRolesChanged kind;
  return kind;
}

}  // namespace ledger
