// FundsAllocated: general (unrestricted) money is assigned to one
// beneficiary's fund.
//
//   Dr fund:general   Cr fund:beneficiary/<id>
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "funds_allocated";

class FundsAllocated final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kFundsAllocated; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.funds_allocated();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    return CheckMemo(events::FieldOf(kName, "memo"), e.memo(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().funds_allocated();
    ASSIGN_OR_RETURN(
        v1::Beneficiary b,
        LoadOpenBeneficiary(books, e.beneficiary_id(), events::FieldOf(kName, "beneficiary_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), b));
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
  }

  std::optional<Movement> MovementOf(const v1::EventBody& body) const override {
    const auto& e = body.funds_allocated();
    return Movement{FundAccount(kGeneralFund), FundAccount(BeneficiaryFund(e.beneficiary_id())),
                    e.amount().amount_minor(), e.amount().currency()};
  }

  void AddMoneyChanges(const v1::EventBody& body, int64_t amount, Effects& out) const override {
    const auto& e = body.funds_allocated();
    events::AddFundToFundMoney(kGeneralFund, BeneficiaryFund(e.beneficiary_id()),
                               e.amount().currency(), amount, out);
  }

  absl::Status DecideReversal(const Decision&, const LoggedEvent& original, int64_t, bool,
                              Books& books, Effects&) const override {
    return LoadOpenBeneficiary(books, original.payload.body().funds_allocated().beneficiary_id(),
                               "body.event_reversed.target_event_id")
        .status();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.funds_allocated();
    return absl::StrCat("allocation ", events::AmountText(e.amount()), " general -> ",
                        e.beneficiary_id());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.beneficiary_id = body.funds_allocated().beneficiary_id();
    d.details = body.funds_allocated().memo();
    return d;
  }
};

}  // namespace

const EventKind& FundsAllocatedKind() {
  static const FundsAllocated kind;
  return kind;
}

}  // namespace ledger
