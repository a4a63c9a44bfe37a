// DisbursementApproved: an approver approves a pending disbursement request.
// Never the member who asked for it, and once per member; the request is
// paid (DisbursementMade naming it) once it has the approvals the policy
// asks for.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_approved";

class DisbursementApproved final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementApproved;
  }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_APPROVER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_approved();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "request_id"), e.request_id()));
    return CheckMemo(events::FieldOf(kName, "note"), e.note(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const std::string field = events::FieldOf(kName, "request_id");
    ASSIGN_OR_RETURN(
        v1::DisbursementRequest r,
        LoadPendingRequest(books, d.body().disbursement_approved().request_id(), field));
    const std::string& approver = d.payload->actor();
    if (approver == r.requested_by()) {
      return Refusal(absl::StatusCode::kPermissionDenied, kReasonSelfApproval,
                     absl::StrCat(field, ": ", approver, " asked for request ", r.request_id(),
                                  " and may not approve it; another approver must"),
                     field);
    }
    for (const std::string& earlier : r.approved_by()) {
      if (earlier == approver) {
        return Refusal(
            absl::StatusCode::kAlreadyExists, kReasonAlreadyApproved,
            absl::StrCat(field, ": ", approver, " has already approved request ", r.request_id()),
            field);
      }
    }
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRequest(d.occurred_on(), r));
    r.add_approved_by(approver);
    out.request_rows.push_back(std::move(r));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("request ", body.disbursement_approved().request_id(), " approved");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.target_event_id = body.disbursement_approved().request_id();
    d.details = body.disbursement_approved().note();
    return d;
  }
};

}  // namespace

const EventKind& DisbursementApprovedKind() {
  static const DisbursementApproved kind;
  return kind;
}

}  // namespace ledger
