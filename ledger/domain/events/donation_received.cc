// DonationReceived: money comes in as a gift, to the general fund or
// earmarked for one beneficiary's (restricted) fund.
//
//   Dr cash   Cr fund:general | fund:beneficiary/<earmark>
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "donation_received";

std::string DonorKindName(v1::DonorKind kind) {
  switch (kind) {
    case v1::DONOR_KIND_INDIVIDUAL:
      return "individual";
    case v1::DONOR_KIND_BRANCH:
      return "branch";
    case v1::DONOR_KIND_ORGANISATION:
      return "organisation";
    case v1::DONOR_KIND_ANONYMOUS:
      return "anonymous";
    default:
      return "";
  }
}

std::string FundOf(const v1::DonationReceived& e) {
  return e.earmark_beneficiary_id().empty() ? std::string(kGeneralFund)
                                            : BeneficiaryFund(e.earmark_beneficiary_id());
}

class DonationReceived final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kDonationReceived; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.donation_received();
    RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), e.has_amount()));
    switch (e.donor_kind()) {
      case v1::DONOR_KIND_BRANCH:
        RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "branch_id"), e.branch_id()));
        break;
      case v1::DONOR_KIND_INDIVIDUAL:
      case v1::DONOR_KIND_ORGANISATION:
      case v1::DONOR_KIND_ANONYMOUS:
        if (!e.branch_id().empty()) {
          return InvalidField(events::FieldOf(kName, "branch_id"),
                              "is only for donations from a branch (donor_kind BRANCH)");
        }
        break;
      default:
        return InvalidField(events::FieldOf(kName, "donor_kind"),
                            "must be individual, branch, organisation or anonymous");
    }
    if (e.donor_kind() == v1::DONOR_KIND_ANONYMOUS && !e.donor_ref().empty()) {
      return InvalidField(events::FieldOf(kName, "donor_ref"),
                          "must be empty for an anonymous donation");
    }
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "donor_ref"), e.donor_ref(), Presence::kOptional));
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "earmark_beneficiary_id"),
                            e.earmark_beneficiary_id(), Presence::kOptional));
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "method"), e.method(), Presence::kOptional));
    return CheckName(events::FieldOf(kName, "reference"), e.reference(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().donation_received();
    if (!e.earmark_beneficiary_id().empty()) {
      ASSIGN_OR_RETURN(v1::Beneficiary b,
                       LoadOpenBeneficiary(books, e.earmark_beneficiary_id(),
                                           events::FieldOf(kName, "earmark_beneficiary_id")));
      if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), b));
    }
    if (e.donor_kind() == v1::DONOR_KIND_BRANCH) {
      ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(books, e.branch_id(),
                                                           events::FieldOf(kName, "branch_id")));
      if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterAffiliation(d.occurred_on(), br));
      NoteLastPayment(br, d.occurred_on());
      out.branch_rows.push_back(std::move(br));
    }
    events::AddOwnMoney(*this, d.body(), out);
    return absl::OkStatus();
  }

  std::optional<Movement> MovementOf(const v1::EventBody& body) const override {
    const auto& e = body.donation_received();
    return Movement{kCashAccount, FundAccount(FundOf(e)), e.amount().amount_minor(),
                    e.amount().currency()};
  }

  void AddMoneyChanges(const v1::EventBody& body, int64_t amount, Effects& out) const override {
    const auto& e = body.donation_received();
    const std::string& cur = e.amount().currency();
    v1::FundBalance f = FundChange(FundOf(e), cur);
    f.set_received_minor(amount);
    f.set_available_minor(amount);
    out.AddFund(std::move(f));
    if (e.donor_kind() == v1::DONOR_KIND_BRANCH) out.AddBranchMoney(e.branch_id(), cur, 0, amount);
    out.AddTotals(cur, amount, 0);
  }

  // A reversal that leaves a giving branch no standing payment empties its
  // last payment day (NoteReversedPayment).
  absl::Status DecideReversal(const Decision&, const LoggedEvent& original, int64_t amount_minor,
                              bool, Books& books, Effects& out) const override {
    const auto& e = original.payload.body().donation_received();
    constexpr char kTargetField[] = "body.event_reversed.target_event_id";
    if (!e.earmark_beneficiary_id().empty()) {
      RETURN_IF_ERROR(
          LoadOpenBeneficiary(books, e.earmark_beneficiary_id(), kTargetField).status());
    }
    if (e.donor_kind() == v1::DONOR_KIND_BRANCH) {
      ASSIGN_OR_RETURN(v1::Branch br, LoadBranch(books, e.branch_id(), kTargetField));
      if (NoteReversedPayment(br, e.amount().currency(), amount_minor)) {
        out.branch_rows.push_back(std::move(br));
      }
    }
    return absl::OkStatus();
  }

  // A named donor's details are sealed under the donor's key (a branch
  // gives in its own public name; an anonymous donor has no reference).
  std::string PartyOf(const v1::EventBody& body) const override {
    const auto& e = body.donation_received();
    return e.donor_kind() == v1::DONOR_KIND_BRANCH ? "" : e.donor_ref();
  }

  absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body,
                                             Books& books) const override {
    const auto& e = body.donation_received();
    if (e.earmark_beneficiary_id().empty()) return false;
    ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                     books.FindBeneficiary(e.earmark_beneficiary_id()));
    return b && b->sensitive();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.donation_received();
    const std::string from = e.donor_kind() == v1::DONOR_KIND_BRANCH
                                 ? absl::StrCat("branch ", e.branch_id())
                             : e.donor_kind() == v1::DONOR_KIND_ANONYMOUS ? "anonymous"
                             : e.donor_ref().empty()                      ? "a donor"
                                                                          : e.donor_ref();
    return absl::StrCat("donation ", events::AmountText(e.amount()), " from ", from, " to ",
                        e.earmark_beneficiary_id().empty()
                            ? "general fund"
                            : absl::StrCat("fund ", e.earmark_beneficiary_id()));
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.donation_received();
    EventDetails d;
    d.beneficiary_id = e.earmark_beneficiary_id();
    d.branch_id = e.branch_id();
    d.donor_kind = DonorKindName(e.donor_kind());
    d.donor_ref = e.donor_ref();
    d.method = e.method();
    d.reference = e.reference();
    return d;
  }
};

}  // namespace

const EventKind& DonationReceivedKind() {
  static const DonationReceived kind;
  return kind;
}

}  // namespace ledger
