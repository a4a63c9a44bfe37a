// DisbursementCancelled: a treasurer withdraws a pending disbursement
// request. The committed money returns to the fund's available balance.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_cancelled";

class DisbursementCancelled final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementCancelled;
  }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_TREASURER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_cancelled();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "request_id"), e.request_id()));
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const std::string field = events::FieldOf(kName, "request_id");
    ASSIGN_OR_RETURN(
        v1::DisbursementRequest r,
        LoadPendingRequest(books, d.body().disbursement_cancelled().request_id(), field));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRequest(d.occurred_on(), r));
    const auto& e = d.body().disbursement_cancelled();
    RETURN_IF_ERROR(CheckSameAsRequest(r, e.beneficiary_id(), e.amount(), field));
    AddCommitments(d.body(), out);
    out.request_rows.push_back(ClosedRequest(std::move(r), v1::REQUEST_STATUS_CANCELLED, d));
    return absl::OkStatus();
  }

  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    const auto& e = body.disbursement_cancelled();
    AddCommitment(e.beneficiary_id(), e.amount(), -e.amount().amount_minor(), out);
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("request ", body.disbursement_cancelled().request_id(),
                        " cancelled: ", body.disbursement_cancelled().reason());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.beneficiary_id = body.disbursement_cancelled().beneficiary_id();
    d.target_event_id = body.disbursement_cancelled().request_id();
    d.amount = body.disbursement_cancelled().amount();
    d.details = body.disbursement_cancelled().reason();
    return d;
  }
};

}  // namespace

const EventKind& DisbursementCancelledKind() {
  static const DisbursementCancelled kind;
  return kind;
}

}  // namespace ledger
