// ApprovalPolicySet: an admin says how many approvals a disbursement needs
// (two to sign), by currency and amount. It replaces the policy in force
// and applies to every payment made from then on, of requests already
// made too.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "approval_policy_set";

class ApprovalPolicySet final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kApprovalPolicySet; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    return ValidateApprovalPolicy(body.approval_policy_set(), absl::StrCat("body.", kName));
  }

  absl::Status Decide(const Decision& d, Books&, Effects& out) const override {
    out.approval_policy.push_back(d.body().approval_policy_set());
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& p = body.approval_policy_set();
    std::string text = absl::StrCat("approval policy: ", p.default_approvals(), " approval",
                                    p.default_approvals() == 1 ? "" : "s");
    for (const v1::ApprovalThreshold& t : p.thresholds()) {
      absl::StrAppend(&text, "; ", t.approvals(), " above ",
                      FormatAmount(t.above_minor(), t.currency()));
    }
    return text;
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.details = Describe(body);
    return d;
  }
};

}  // namespace

const EventKind& ApprovalPolicySetKind() {
  static const ApprovalPolicySet kind;
  return kind;
}

}  // namespace ledger
