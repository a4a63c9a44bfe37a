// AffiliationFeePaid: a branch pays its fee for one or more periods, into
// the general fund. Its paid-up date moves on by that many periods.
//
//   Dr cash   Cr fund:general
#include "ledger/domain/events/kind_support.h"
#include "ledger/limits.h"

namespace ledger {
namespace {

constexpr char kName[] = "affiliation_fee_paid";

class AffiliationFeePaid final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kAffiliationFeePaid; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.affiliation_fee_paid();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "branch_id"), e.branch_id()));
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    if (e.periods() < 1 || e.periods() > kMaxFeePeriodsPerPayment) {
      return InvalidField(events::FieldOf(kName, "periods"),
                          absl::StrCat("must be between 1 and ", kMaxFeePeriodsPerPayment));
    }
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "method"), e.method(), Presence::kOptional));
    return CheckName(events::FieldOf(kName, "reference"), e.reference(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().affiliation_fee_paid();
    ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(books, e.branch_id(),
                                                         events::FieldOf(kName, "branch_id")));
    const std::string& cur = e.amount().currency();
    if (cur != FeeCurrency(br.fee_basis())) {
      const std::string field = events::FieldOf(kName, "amount.currency");
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonFeeCurrencyMismatch,
                     absl::StrCat(field, ": branch \"", br.branch_id(), "\" pays its fee in ",
                                  FeeCurrency(br.fee_basis()), ", not ", cur),
                     field);
    }
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterAffiliation(d.occurred_on(), br));
    NoteFeePayment(br, d.position);
    br.set_periods_paid(br.periods_paid() + e.periods());
    SetPaidUntil(br);
    NoteLastPayment(br, d.occurred_on());
    out.branch_rows.push_back(std::move(br));
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
  }

  std::optional<Movement> MovementOf(const v1::EventBody& body) const override {
    const auto& e = body.affiliation_fee_paid();
    return Movement{kCashAccount, FundAccount(kGeneralFund), e.amount().amount_minor(),
                    e.amount().currency()};
  }

  void AddMoneyChanges(const v1::EventBody& body, int64_t amount, Effects& out) const override {
    const auto& e = body.affiliation_fee_paid();
    const std::string& cur = e.amount().currency();
    v1::FundBalance f = FundChange(kGeneralFund, cur);
    f.set_received_minor(amount);
    f.set_available_minor(amount);
    out.AddFund(std::move(f));
    out.AddBranchMoney(e.branch_id(), cur, amount, 0);
    out.AddTotals(cur, amount, 0);
  }

  // A whole reversal takes back the periods it paid; a partial one (a part
  // refund) leaves the branch paid up for them. A fee paid under an earlier
  // affiliation paid none of the current one's periods: its reversal takes
  // its money back and leaves the periods alone. A reversal that leaves the
  // branch no standing payment empties its last payment day.
  absl::Status DecideReversal(const Decision&, const LoggedEvent& original, int64_t amount_minor,
                              bool whole, Books& books, Effects& out) const override {
    const auto& f = original.payload.body().affiliation_fee_paid();
    ASSIGN_OR_RETURN(v1::Branch br,
                     LoadBranch(books, f.branch_id(), "body.event_reversed.target_event_id"));
    if (whole && CountsInPeriodsPaid(br, original.position)) {
      // Not below 0: a branch that met the reversal of an earlier
      // affiliation's fee before current_fees_from_position existed may
      // count fewer periods than this fee paid.
      br.set_periods_paid(std::max<int64_t>(0, br.periods_paid() - f.periods()));
      SetPaidUntil(br);
    }
    NoteReversedPayment(br, f.amount().currency(), amount_minor);
    out.branch_rows.push_back(std::move(br));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.affiliation_fee_paid();
    return absl::StrCat("fee ", events::AmountText(e.amount()), " from branch ", e.branch_id(),
                        " (", e.periods(), " period", e.periods() == 1 ? "" : "s", ")");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.affiliation_fee_paid();
    EventDetails d;
    d.branch_id = e.branch_id();
    d.method = e.method();
    d.reference = e.reference();
    return d;
  }
};

}  // namespace

const EventKind& AffiliationFeePaidKind() {
  static const AffiliationFeePaid kind;
  return kind;
}

}  // namespace ledger
