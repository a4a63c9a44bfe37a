// DisbursementMade: money leaves a beneficiary's fund, paid out for the
// beneficiary.
//
//   Dr fund:beneficiary/<id>   Cr cash
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_made";

class DisbursementMade final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kDisbursementMade; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.disbursement_made();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    RETURN_IF_ERROR(CheckMemo(events::FieldOf(kName, "purpose"), e.purpose(), Presence::kRequired));
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
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
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
    return d;
  }
};

}  // namespace

const EventKind& DisbursementMadeKind() {
  static const DisbursementMade kind;
  return kind;
}

}  // namespace ledger
