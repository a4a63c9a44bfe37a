// FundsTransferred: money leaves a beneficiary's (restricted) fund for
// another beneficiary's fund or the general fund, with the authority for it
// (the donors' consent or a committee decision) recorded.
//
//   Dr fund:beneficiary/<from>   Cr fund:beneficiary/<to> | fund:general
//
// The source must hold the amount (a fund closes only at zero, so a
// released prisoner's leftover moves first, then the fund closes); the
// destination must be open. The money is counted as allocated out of the source and
// allocated in to the destination, so statements show it as a transfer
// between funds, and the income statement as a transfer between restricted
// and unrestricted money when it goes to the general fund.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "funds_transferred";

std::string DestinationFund(const v1::FundsTransferred& e) {
  return e.to_beneficiary_id().empty() ? std::string(kGeneralFund)
                                       : BeneficiaryFund(e.to_beneficiary_id());
}

class FundsTransferred final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kFundsTransferred; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.funds_transferred();
    RETURN_IF_ERROR(
        CheckId(events::FieldOf(kName, "from_beneficiary_id"), e.from_beneficiary_id()));
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "to_beneficiary_id"), e.to_beneficiary_id(),
                            Presence::kOptional));
    if (e.to_beneficiary_id() == e.from_beneficiary_id()) {
      return InvalidField(events::FieldOf(kName, "to_beneficiary_id"),
                          "is the fund the money leaves: a transfer moves money between two funds");
    }
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    if (e.authority() != v1::TRANSFER_AUTHORITY_DONOR_CONSENT &&
        e.authority() != v1::TRANSFER_AUTHORITY_COMMITTEE_DECISION) {
      return InvalidField(events::FieldOf(kName, "authority"),
                          "must say what allows restricted money to move: DONOR_CONSENT or "
                          "COMMITTEE_DECISION");
    }
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "authority_reference"),
                              e.authority_reference(), Presence::kOptional));
    return CheckMemo(events::FieldOf(kName, "memo"), e.memo(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().funds_transferred();
    ASSIGN_OR_RETURN(v1::Beneficiary from,
                     LoadBeneficiary(books, e.from_beneficiary_id(),
                                     events::FieldOf(kName, "from_beneficiary_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), from));
    if (!e.to_beneficiary_id().empty()) {
      ASSIGN_OR_RETURN(v1::Beneficiary to,
                       LoadOpenBeneficiary(books, e.to_beneficiary_id(),
                                           events::FieldOf(kName, "to_beneficiary_id")));
      if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), to));
    }
    // The source must hold it: checked with every fund's balance after the
    // event (INSUFFICIENT_FUNDS, naming the fund and the figures).
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
  }

  std::optional<Movement> MovementOf(const v1::EventBody& body) const override {
    const auto& e = body.funds_transferred();
    return Movement{FundAccount(BeneficiaryFund(e.from_beneficiary_id())),
                    FundAccount(DestinationFund(e)), e.amount().amount_minor(),
                    e.amount().currency()};
  }

  void AddMoneyChanges(const v1::EventBody& body, int64_t amount, Effects& out) const override {
    const auto& e = body.funds_transferred();
    events::AddFundToFundMoney(BeneficiaryFund(e.from_beneficiary_id()), DestinationFund(e),
                               e.amount().currency(), amount, out);
  }

  // A reversal gives the money back to the source, which must be open again
  // to take it (a closed fund receives nothing); the destination must still
  // hold it (checked with the balances).
  absl::Status DecideReversal(const Decision&, const LoggedEvent& original, int64_t, bool,
                              Books& books, Effects&) const override {
    return LoadOpenBeneficiary(books,
                               original.payload.body().funds_transferred().from_beneficiary_id(),
                               "body.event_reversed.target_event_id")
        .status();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.funds_transferred();
    return absl::StrCat(
        "transfer ", events::AmountText(e.amount()), " ", e.from_beneficiary_id(), " -> ",
        e.to_beneficiary_id().empty() ? "general" : e.to_beneficiary_id(), " (",
        e.authority() == v1::TRANSFER_AUTHORITY_DONOR_CONSENT ? "donor consent"
                                                              : "committee decision",
        ")");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.beneficiary_id = body.funds_transferred().from_beneficiary_id();
    d.details = body.funds_transferred().memo();
    return d;
  }
};

}  // namespace

const EventKind& FundsTransferredKind() {
  static const FundsTransferred kind;
  return kind;
}

}  // namespace ledger
