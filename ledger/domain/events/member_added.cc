// MemberAdded: a person (or a program) becomes a member with one or more
// roles. Member ids are pseudonyms, never reused; the display name is a
// private detail.
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

constexpr char kName[] = "member_added";

class MemberAdded final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kMemberAdded; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    return ValidateMemberAdded(body.member_added(), absl::StrCat("body.", kName));
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().member_added();
    RETURN_IF_ERROR(CheckNewMember(books, e, absl::StrCat("body.", kName)));
    out.member_rows.push_back(MemberRowOf(e, d.position, d.occurred_on()));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    std::string roles;
    for (int r : body.member_added().roles()) {
      absl::StrAppend(&roles, roles.empty() ? "" : ", ", RoleName(static_cast<v1::Role>(r)));
    }
    return absl::StrCat("member ", body.member_added().member_id(), " added (", roles, ")");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.member_added().member_id();
    d.details = body.member_added().display_name();
    return d;
  }
};

}  // namespace

const EventKind& MemberAddedKind() {
  static const MemberAdded kind;
  return kind;
}

}  // namespace ledger
