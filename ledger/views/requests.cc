#include "ledger/views/requests.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/domain/approvals.h"
#include "ledger/domain/validate.h"
#include "ledger/errors.h"
#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"
#include "ledger/views/queries.h"

namespace ledger {
namespace {

absl::StatusOr<v1::DisbursementRequestView> ViewOf(ReadView& view, v1::DisbursementRequest row,
                                                   const v1::ApprovalPolicySet& policy,
                                                   const DetailAccess& access) {
  v1::DisbursementRequestView out;
  out.set_approvals_needed(
      ApprovalsNeeded(policy, row.amount().amount_minor(), row.amount().currency()));
  ASSIGN_OR_RETURN(v1::Event event, GetApiEvent(view, row.requested_position(), access));
  if (!event.body().has_disbursement_requested()) {
    return absl::DataLossError(absl::StrCat("request ", row.request_id(), ": position ",
                                            row.requested_position(), " is not its request"));
  }
  const v1::DisbursementRequested& e = event.body().disbursement_requested();
  out.set_purpose(e.purpose());
  out.set_payee(e.payee());
  out.set_method(e.method());
  out.set_private_details(event.private_details());
  *out.mutable_request() = std::move(row);
  return out;
}

}  // namespace

absl::StatusOr<v1::ListDisbursementRequestsResponse> QueryRequests(
    ReadView& view, const v1::ListDisbursementRequestsRequest& request,
    const DetailAccess& access) {
  v1::ListDisbursementRequestsResponse out;
  *out.mutable_as_of() = HeadOf(view);
  ASSIGN_OR_RETURN(std::optional<v1::ApprovalPolicySet> recorded,
                   view.Load<v1::ApprovalPolicySet>(kApprovalPolicyKey));
  out.set_policy_recorded(recorded.has_value());
  *out.mutable_policy() = recorded ? *recorded : DefaultApprovalPolicy();

  std::vector<v1::DisbursementRequest> rows;
  if (!request.request_id().empty()) {
    RETURN_IF_ERROR(CheckId("request_id", request.request_id()));
    ASSIGN_OR_RETURN(std::optional<v1::DisbursementRequest> row,
                     view.Load<v1::DisbursementRequest>(RequestKey(request.request_id())));
    if (!row) {
      return Refusal(absl::StatusCode::kNotFound, kReasonUnknownRequest,
                     absl::StrCat("request_id: no disbursement request \"",
                                  request.request_id().substr(0, 64), "\""),
                     "request_id");
    }
    rows.push_back(*std::move(row));
  } else {
    RETURN_IF_ERROR(view.ForEach<v1::DisbursementRequest>(
        kRequestKeyPrefix, [&](absl::string_view, const v1::DisbursementRequest& r) {
          if (request.include_closed() || r.status() == v1::REQUEST_STATUS_PENDING) {
            rows.push_back(r);
          }
          return absl::OkStatus();
        }));
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.requested_position() < b.requested_position();
    });
  }
  for (v1::DisbursementRequest& row : rows) {
    ASSIGN_OR_RETURN(*out.add_requests(), ViewOf(view, std::move(row), out.policy(), access));
  }
  return out;
}

}  // namespace ledger
