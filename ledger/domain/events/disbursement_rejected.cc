// DisbursementRejected: an approver rejects a pending disbursement request
// (never their own: its requester cancels it instead). The committed money
// returns to the fund's available balance.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_rejected";

class DisbursementRejected final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementRejected;
  }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_APPROVER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_rejected();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "request_id"), e.request_id()));
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const std::string field = events::FieldOf(kName, "request_id");
    ASSIGN_OR_RETURN(
        v1::DisbursementRequest r,
        LoadPendingRequest(books, d.body().disbursement_rejected().request_id(), field));
    if (d.payload->actor() == r.requested_by()) {
      return Refusal(absl::StatusCode::kPermissionDenied, kReasonSelfApproval,
                     absl::StrCat(field, ": ", d.payload->actor(), " asked for request ",
                                  r.request_id(), "; cancel it (disbursement_cancelled) instead"),
                     field);
    }
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRequest(d.occurred_on(), r));
    const auto& e = d.body().disbursement_rejected();
    RETURN_IF_ERROR(CheckSameAsRequest(r, e.beneficiary_id(), e.amount(), field));
    AddCommitments(d.body(), out);
    out.request_rows.push_back(ClosedRequest(std::move(r), v1::REQUEST_STATUS_REJECTED, d));
    return absl::OkStatus();
  }

  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    const auto& e = body.disbursement_rejected();
    AddCommitment(e.beneficiary_id(), e.amount(), -e.amount().amount_minor(), out);
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("request ", body.disbursement_rejected().request_id(),
                        " rejected: ", body.disbursement_rejected().reason());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.beneficiary_id = body.disbursement_rejected().beneficiary_id();
    d.target_event_id = body.disbursement_rejected().request_id();
    d.amount = body.disbursement_rejected().amount();
    d.details = body.disbursement_rejected().reason();
    return d;
  }
};

}  // namespace

const EventKind& DisbursementRejectedKind() {
  static const DisbursementRejected kind;
  return kind;
}

}  // namespace ledger
