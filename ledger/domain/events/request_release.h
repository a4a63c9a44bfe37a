// What a rejection and a cancellation of a disbursement request share (two
// to sign): both name a pending request, repeat its fund and amount, give a
// reason, and release the money it committed. Only for
// ledger/domain/events/disbursement_rejected.cc and disbursement_cancelled.cc.
#ifndef LEDGER_DOMAIN_EVENTS_REQUEST_RELEASE_H_
#define LEDGER_DOMAIN_EVENTS_REQUEST_RELEASE_H_

#include <string>
#include <utility>

#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger::events {

// Who may release a request: any treasurer (a cancellation), or only an
// approver other than its requester (a rejection).
enum class Releaser { kAnyone, kNotTheRequester };

template <typename E>
absl::Status ValidateRelease(absl::string_view kind, const E& e) {
  RETURN_IF_ERROR(CheckId(FieldOf(kind, "request_id"), e.request_id()));
  RETURN_IF_ERROR(CheckId(FieldOf(kind, "beneficiary_id"), e.beneficiary_id()));
  RETURN_IF_ERROR(CheckMoney(FieldOf(kind, "amount"), e.amount(), e.has_amount()));
  return CheckMemo(FieldOf(kind, "reason"), e.reason(), Presence::kRequired);
}

// The money the release gives back to the fund's available balance.
template <typename E>
void AddRelease(const E& e, Effects& out) {
  AddCommitment(e.beneficiary_id(), e.amount(), -e.amount().amount_minor(), out);
}

template <typename E>
absl::Status DecideRelease(absl::string_view kind, const E& e, Releaser who,
                           v1::RequestStatus status, const Decision& d, Books& books,
                           Effects& out) {
  const std::string field = FieldOf(kind, "request_id");
  ASSIGN_OR_RETURN(v1::DisbursementRequest r, LoadPendingRequest(books, e.request_id(), field));
  if (who == Releaser::kNotTheRequester && d.payload->actor() == r.requested_by()) {
    return Refusal(absl::StatusCode::kPermissionDenied, kReasonSelfApproval,
                   absl::StrCat(field, ": ", d.payload->actor(), " asked for request ",
                                r.request_id(), "; cancel it (disbursement_cancelled) instead"),
                   field);
  }
  if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRequest(d.occurred_on(), r));
  RETURN_IF_ERROR(CheckSameAsRequest(r, e.beneficiary_id(), e.amount(), field));
  AddRelease(e, out);
  out.request_rows.push_back(ClosedRequest(std::move(r), status, d));
  return absl::OkStatus();
}

template <typename E>
EventDetails ReleaseDetails(const E& e) {
  EventDetails d;
  d.beneficiary_id = e.beneficiary_id();
  d.target_event_id = e.request_id();
  d.amount = e.amount();
  d.details = e.reason();
  return d;
}

}  // namespace ledger::events

#endif  // LEDGER_DOMAIN_EVENTS_REQUEST_RELEASE_H_
