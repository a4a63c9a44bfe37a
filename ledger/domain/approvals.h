// Two to sign: disbursement requests, their approvals and the approval
// policy, shared by the kinds that change them (ledger/domain/events/
// disbursement_*.cc, approval_policy_set.cc) and by the views that list them.
#ifndef LEDGER_DOMAIN_APPROVALS_H_
#define LEDGER_DOMAIN_APPROVALS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/books.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/kind.h"
#include "solidarity/ledger/v1/events.pb.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// The policy before any ApprovalPolicySet: every disbursement needs one
// approval from someone other than its requester.
v1::ApprovalPolicySet DefaultApprovalPolicy();

// The policy in force: the last one recorded, else the default.
absl::StatusOr<v1::ApprovalPolicySet> PolicyInForce(Books& books);

// Approvals a disbursement of `amount_minor` in `currency` needs under
// `policy`: its default, or the most of any threshold in that currency
// the amount is above.
uint32_t ApprovalsNeeded(const v1::ApprovalPolicySet& policy, int64_t amount_minor,
                         absl::string_view currency);

// Stage 1 of ApprovalPolicySet (`field` is the message's path).
absl::Status ValidateApprovalPolicy(const v1::ApprovalPolicySet& policy, absl::string_view field);

// "pending", "paid", "rejected", "cancelled".
absl::string_view RequestStatusName(v1::RequestStatus status);

// The request, which must exist (NOT_FOUND, UNKNOWN_REQUEST) and be pending
// (FAILED_PRECONDITION, REQUEST_NOT_PENDING), on `field`.
absl::StatusOr<v1::DisbursementRequest> LoadPendingRequest(Books& books,
                                                           absl::string_view request_id,
                                                           absl::string_view field);

// A request is answered (approved, rejected, paid) on or after the day it
// was made (DATE_BEFORE_REQUEST).
absl::Status CheckDatedAfterRequest(absl::string_view occurred_on,
                                    const v1::DisbursementRequest& request);

// The fund change of committing (`amount_minor` > 0) or releasing (< 0)
// money of a beneficiary's fund: committed up, available down.
void AddCommitment(absl::string_view beneficiary_id, const v1::Money& amount, int64_t amount_minor,
                   Effects& out);

// The event repeats the request's fund and amount: FAILED_PRECONDITION
// (REQUEST_MISMATCH, on `field`) if not.
absl::Status CheckSameAsRequest(const v1::DisbursementRequest& request,
                                absl::string_view beneficiary_id, const v1::Money& amount,
                                absl::string_view field);

// The request closed (paid, rejected or cancelled) by the event `d`.
v1::DisbursementRequest ClosedRequest(v1::DisbursementRequest request, v1::RequestStatus status,
                                      const Decision& d);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_APPROVALS_H_
