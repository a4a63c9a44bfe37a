// DisbursementRequested: a treasurer asks for money to be paid out of a
// beneficiary's fund (two to sign). The money is committed: the fund's
// available balance drops by it until the request is paid, rejected or
// cancelled. No postings: the cash has not moved.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_requested";

class DisbursementRequested final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementRequested;
  }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_requested();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "request_id"), e.request_id()));
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    RETURN_IF_ERROR(CheckMemo(events::FieldOf(kName, "purpose"), e.purpose(), Presence::kRequired));
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "payee"), e.payee(), Presence::kOptional));
    return CheckName(events::FieldOf(kName, "method"), e.method(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().disbursement_requested();
    const std::string id_field = events::FieldOf(kName, "request_id");
    ASSIGN_OR_RETURN(std::optional<v1::DisbursementRequest> existing,
                     books.FindRequest(e.request_id()));
    if (existing) {
      return Refusal(absl::StatusCode::kAlreadyExists, kReasonRequestExists,
                     absl::StrCat(id_field, ": request ", e.request_id(), " exists (made on ",
                                  existing->requested_on(), ")"),
                     id_field);
    }
    ASSIGN_OR_RETURN(
        v1::Beneficiary b,
        LoadOpenBeneficiary(books, e.beneficiary_id(), events::FieldOf(kName, "beneficiary_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), b));
    AddCommitments(d.body(), out);
    v1::DisbursementRequest row;
    row.set_request_id(e.request_id());
    row.set_beneficiary_id(e.beneficiary_id());
    *row.mutable_amount() = e.amount();
    row.set_status(v1::REQUEST_STATUS_PENDING);
    row.set_requested_by(d.payload->actor());
    row.set_requested_on(d.occurred_on());
    row.set_requested_position(d.position);
    out.request_rows.push_back(std::move(row));
    return absl::OkStatus();
  }

  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    const auto& e = body.disbursement_requested();
    AddCommitment(e.beneficiary_id(), e.amount(), e.amount().amount_minor(), out);
  }

  absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body,
                                             Books& books) const override {
    ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                     books.FindBeneficiary(body.disbursement_requested().beneficiary_id()));
    return b && b->sensitive();
  }

  // The payee's details are sealed under the payee's key.
  std::string PartyOf(const v1::EventBody& body) const override {
    return body.disbursement_requested().payee();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_requested();
    return absl::StrCat("request ", e.request_id(), ": pay ", events::AmountText(e.amount()),
                        " from ", e.beneficiary_id(), ": ", e.purpose());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_requested();
    EventDetails d;
    d.beneficiary_id = e.beneficiary_id();
    d.target_event_id = e.request_id();
    d.details = e.purpose();
    d.payee = e.payee();
    d.method = e.method();
    d.amount = e.amount();
    return d;
  }
};

}  // namespace

const EventKind& DisbursementRequestedKind() {
  static const DisbursementRequested kind;
  return kind;
}

}  // namespace ledger
