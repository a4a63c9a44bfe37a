// DisbursementMade: money leaves a beneficiary's fund, paid out for the
// beneficiary. When recorded, it needs the approvals the approval policy
// asks for (two to sign): it names its DisbursementRequested, which must be
// pending and approved, or the policy must ask for none at its amount.
//
//   Dr fund:beneficiary/<id>   Cr cash
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_made";

absl::Status ApprovalRequired(const v1::DisbursementMade& e, uint32_t needed, uint32_t given,
                              absl::string_view field) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonApprovalRequired);
  detail.set_field(std::string(field));
  detail.set_fund(BeneficiaryFund(e.beneficiary_id()));
  detail.set_approvals_needed(needed);
  detail.set_approvals_given(given);
  const std::string amount = events::AmountText(e.amount());
  if (e.request_id().empty()) {
    return WithDetail(
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat(field, ": a disbursement of ", amount, " needs ", needed,
                     " approval(s) under the approval policy; request it (ledgerctl disburse), "
                     "have another member approve it, then pay the request"),
        detail);
  }
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat(field, ": request ", e.request_id(), " has ", given, " of the ",
                                 needed, " approval(s) the policy asks for at ", amount),
                    detail);
}

// The request this pays, checked and closed; or, without one, that the
// policy asks for no approval at this amount.
absl::Status DecideRequest(const Decision& d, Books& books, Effects& out) {
  const auto& e = d.body().disbursement_made();
  const std::string field = events::FieldOf(kName, "request_id");
  std::optional<v1::DisbursementRequest> request;
  if (!e.request_id().empty()) {
    ASSIGN_OR_RETURN(request, LoadPendingRequest(books, e.request_id(), field));
    RETURN_IF_ERROR(CheckSameAsRequest(*request, e.beneficiary_id(), e.amount(), field));
  }
  if (d.dated()) {
    // Approvals are a rule of recording: a replay takes what was accepted.
    ASSIGN_OR_RETURN(v1::ApprovalPolicySet policy, PolicyInForce(books));
    const uint32_t needed =
        ApprovalsNeeded(policy, e.amount().amount_minor(), e.amount().currency());
    const uint32_t given = request ? static_cast<uint32_t>(request->approved_by_size()) : 0;
    if (given < needed) return ApprovalRequired(e, needed, given, field);
    if (request) RETURN_IF_ERROR(CheckDatedAfterRequest(d.occurred_on(), *request));
  }
  if (request) {
    AddCommitment(e.beneficiary_id(), e.amount(), -e.amount().amount_minor(), out);
    out.request_rows.push_back(ClosedRequest(*std::move(request), v1::REQUEST_STATUS_PAID, d));
  }
  return absl::OkStatus();
}

class DisbursementMade final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kDisbursementMade; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_made();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    RETURN_IF_ERROR(
        CheckId(events::FieldOf(kName, "request_id"), e.request_id(), Presence::kOptional));
    // With a request, its purpose stands.
    RETURN_IF_ERROR(CheckMemo(events::FieldOf(kName, "purpose"), e.purpose(),
                              e.request_id().empty() ? Presence::kRequired : Presence::kOptional));
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "payee"), e.payee(), Presence::kOptional));
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "method"), e.method(), Presence::kOptional));
    return CheckName(events::FieldOf(kName, "reference"), e.reference(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().disbursement_made();
    ASSIGN_OR_RETURN(
        v1::Beneficiary b,
        LoadOpenBeneficiary(books, e.beneficiary_id(), events::FieldOf(kName, "beneficiary_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), b));
    RETURN_IF_ERROR(DecideRequest(d, books, out));
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
  }

  // Paying a request releases what it committed.
  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    const auto& e = body.disbursement_made();
    if (!e.request_id().empty()) {
      AddCommitment(e.beneficiary_id(), e.amount(), -e.amount().amount_minor(), out);
    }
  }

  std::optional<Movement> MovementOf(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_made();
    return Movement{FundAccount(BeneficiaryFund(e.beneficiary_id())), kCashAccount,
                    e.amount().amount_minor(), e.amount().currency()};
  }

  void AddMoneyChanges(const v1::EventBody& body, int64_t amount, Effects& out) const override {
    const auto& e = body.disbursement_made();
    const std::string& cur = e.amount().currency();
    v1::FundBalance f = FundChange(BeneficiaryFund(e.beneficiary_id()), cur);
    f.set_disbursed_minor(amount);
    f.set_available_minor(-amount);
    out.AddFund(std::move(f));
    out.AddTotals(cur, 0, amount);
  }

  absl::Status DecideReversal(const Decision&, const LoggedEvent& original, int64_t, bool,
                              Books& books, Effects&) const override {
    return LoadOpenBeneficiary(books, original.payload.body().disbursement_made().beneficiary_id(),
                               "body.event_reversed.target_event_id")
        .status();
  }

  absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body,
                                             Books& books) const override {
    ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                     books.FindBeneficiary(body.disbursement_made().beneficiary_id()));
    return b && b->sensitive();
  }

  // The payee's details are sealed under the payee's key.
  std::string PartyOf(const v1::EventBody& body) const override {
    return body.disbursement_made().payee();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_made();
    return absl::StrCat("disbursement ", events::AmountText(e.amount()), " from ",
                        e.beneficiary_id(), ": ", e.purpose());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_made();
    EventDetails d;
    d.beneficiary_id = e.beneficiary_id();
    d.details = e.purpose();
    d.payee = e.payee();
    d.method = e.method();
    d.reference = e.reference();
    d.target_event_id = e.request_id();
    return d;
  }
};

}  // namespace

const EventKind& DisbursementMadeKind() {
  static const DisbursementMade kind;
  return kind;
}

}  // namespace ledger
