#include "ledger/domain/approvals.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registers.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"

namespace ledger {

v1::ApprovalPolicySet DefaultApprovalPolicy() {
  v1::ApprovalPolicySet policy;
  policy.set_default_approvals(1);
  return policy;
}

absl::StatusOr<v1::ApprovalPolicySet> PolicyInForce(Books& books) {
  ASSIGN_OR_RETURN(std::optional<v1::ApprovalPolicySet> policy, books.FindApprovalPolicy());
  return policy ? *std::move(policy) : DefaultApprovalPolicy();
}

uint32_t ApprovalsNeeded(const v1::ApprovalPolicySet& policy, int64_t amount_minor,
                         absl::string_view currency) {
  uint32_t needed = policy.default_approvals();
  for (const v1::ApprovalThreshold& t : policy.thresholds()) {
    if (t.currency() == currency && amount_minor > t.above_minor()) {
      needed = std::max(needed, t.approvals());
    }
  }
  return needed;
}

absl::Status ValidateApprovalPolicy(const v1::ApprovalPolicySet& policy, absl::string_view field) {
  if (policy.default_approvals() > kMaxApprovals) {
    return InvalidField(absl::StrCat(field, ".default_approvals"),
                        absl::StrCat("is ", policy.default_approvals(), "; at most ", kMaxApprovals,
                                     " approvals may be asked for"));
  }
  if (policy.thresholds_size() > kMaxApprovalThresholds) {
    return InvalidField(absl::StrCat(field, ".thresholds"),
                        absl::StrCat("has ", policy.thresholds_size(), " entries; at most ",
                                     kMaxApprovalThresholds));
  }
  std::set<std::pair<std::string, int64_t>> seen;
  for (int i = 0; i < policy.thresholds_size(); ++i) {
    const v1::ApprovalThreshold& t = policy.thresholds(i);
    const std::string at = absl::StrCat(field, ".thresholds[", i, "]");
    if (!CurrencyExponent(t.currency())) {
      return InvalidField(
          absl::StrCat(at, ".currency"),
          absl::StrCat("\"", t.currency().substr(0, 8), "\" is not a supported ISO 4217 code"));
    }
    if (t.above_minor() < 0 || t.above_minor() > kMaxAmountMinor) {
      return InvalidField(absl::StrCat(at, ".above_minor"),
                          absl::StrCat("must be from 0 to ", kMaxAmountMinor));
    }
    if (t.approvals() > kMaxApprovals) {
      return InvalidField(absl::StrCat(at, ".approvals"),
                          absl::StrCat("is ", t.approvals(), "; at most ", kMaxApprovals));
    }
    if (!seen.emplace(t.currency(), t.above_minor()).second) {
      return InvalidField(at, absl::StrCat("repeats the threshold above ",
                                           FormatAmount(t.above_minor(), t.currency())));
    }
  }
  return absl::OkStatus();
}

absl::string_view RequestStatusName(v1::RequestStatus status) {
  switch (status) {
    case v1::REQUEST_STATUS_PENDING:
      return "pending";
    case v1::REQUEST_STATUS_PAID:
      return "paid";
    case v1::REQUEST_STATUS_REJECTED:
      return "rejected";
    case v1::REQUEST_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

absl::StatusOr<v1::DisbursementRequest> LoadPendingRequest(Books& books,
                                                           absl::string_view request_id,
                                                           absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::DisbursementRequest> r, books.FindRequest(request_id));
  if (!r) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownRequest,
                   absl::StrCat(field, ": no disbursement request \"", request_id, "\""), field);
  }
  if (r->status() != v1::REQUEST_STATUS_PENDING) {
    return Refusal(
        absl::StatusCode::kFailedPrecondition, kReasonRequestNotPending,
        absl::StrCat(field, ": request ", request_id, " is ", RequestStatusName(r->status()),
                     " (since ", r->closed_on(), ", by ", r->closed_by(), ")"),
        field);
  }
  return *std::move(r);
}

absl::Status CheckDatedAfterRequest(absl::string_view occurred_on,
                                    const v1::DisbursementRequest& request) {
  return CheckNotBefore(occurred_on, request.requested_on(), kReasonDateBeforeRequest,
                        absl::StrCat("request ", request.request_id(), " was made"));
}

void AddCommitment(absl::string_view beneficiary_id, const v1::Money& amount, int64_t amount_minor,
                   Effects& out) {
  v1::FundBalance f = FundChange(BeneficiaryFund(beneficiary_id), amount.currency());
  f.set_committed_minor(amount_minor);
  f.set_available_minor(-amount_minor);
  out.AddFund(std::move(f));
}

absl::Status CheckSameAsRequest(const v1::DisbursementRequest& request,
                                absl::string_view beneficiary_id, const v1::Money& amount,
                                absl::string_view field) {
  if (request.beneficiary_id() == beneficiary_id &&
      request.amount().currency() == amount.currency() &&
      request.amount().amount_minor() == amount.amount_minor()) {
    return absl::OkStatus();
  }
  return Refusal(
      absl::StatusCode::kFailedPrecondition, kReasonRequestMismatch,
      absl::StrCat(field, ": request ", request.request_id(), " is for ",
                   FormatAmount(request.amount().amount_minor(), request.amount().currency()),
                   " from ", request.beneficiary_id(), ", not ",
                   FormatAmount(amount.amount_minor(), amount.currency()), " from ",
                   beneficiary_id),
      field);
}

v1::DisbursementRequest ClosedRequest(v1::DisbursementRequest request, v1::RequestStatus status,
                                      const Decision& d) {
  request.set_status(status);
  request.set_closed_by(d.payload->actor());
  request.set_closed_on(d.occurred_on());
  request.set_closed_position(d.position);
  return request;
}

}  // namespace ledger
