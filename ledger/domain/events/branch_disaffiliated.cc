// BranchDisaffiliated: a branch leaves the campaign. Its history stays; it
// may affiliate again later.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "branch_disaffiliated";

class BranchDisaffiliated final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kBranchDisaffiliated; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.branch_disaffiliated();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "branch_id"), e.branch_id()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().branch_disaffiliated();
    ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(books, e.branch_id(),
                                                         events::FieldOf(kName, "branch_id")));
    if (d.dated()) {
      RETURN_IF_ERROR(CheckDatedAfterAffiliation(d.occurred_on(), br));
      RETURN_IF_ERROR(
          CheckNotBefore(d.occurred_on(), br.last_payment_on(), kReasonDateBeforeLastMovement,
                         absl::StrCat("the last payment from branch \"", e.branch_id(), "\"")));
    }
    br.set_status(v1::STATUS_CLOSED);
    br.set_disaffiliated_on(d.occurred_on());
    out.branch_rows.push_back(std::move(br));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("branch ", body.branch_disaffiliated().branch_id(), " disaffiliated");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.branch_id = body.branch_disaffiliated().branch_id();
    d.details = body.branch_disaffiliated().reason();
    return d;
  }
};

}  // namespace

const EventKind& BranchDisaffiliatedKind() {
  static const BranchDisaffiliated kind;
  return kind;
}

}  // namespace ledger
