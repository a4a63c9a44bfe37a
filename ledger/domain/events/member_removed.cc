// MemberRemoved: a member leaves; every token of theirs stops working. The
// last admin cannot be removed.
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

constexpr char kName[] = "member_removed";

class MemberRemoved final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kMemberRemoved; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.member_removed();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "member_id"), e.member_id()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().member_removed();
    ASSIGN_OR_RETURN(v1::Member m,
                     LoadActiveMember(books, e.member_id(), events::FieldOf(kName, "member_id")));
    if (HasRole(m, v1::ROLE_ADMIN)) {
      ASSIGN_OR_RETURN(int admins, books.CountActiveAdmins());
      if (admins <= 1) {
        return Refusal(absl::StatusCode::kFailedPrecondition, kReasonLastAdmin,
                       absl::StrCat(events::FieldOf(kName, "member_id"), ": ", e.member_id(),
                                    " is the last admin; make another member admin first"),
                       events::FieldOf(kName, "member_id"));
      }
    }
    m.set_status(v1::STATUS_CLOSED);
    m.set_removed_on(d.occurred_on());
    out.member_rows.push_back(std::move(m));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("member ", body.member_removed().member_id(), " removed");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.member_removed().member_id();
    d.details = body.member_removed().reason();
    return d;
  }
};

}  // namespace

const EventKind& MemberRemovedKind() {
  static const MemberRemoved kind;
  return kind;
}

}  // namespace ledger
