// BranchUpdated: a branch's terms (its declared members, its fee basis)
// change from one of its fee periods on. Periods already paid keep the
// terms they were paid on; the fee period and currency stay the branch's.
#include "ledger/domain/civil_date.h"
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "branch_updated";

// The branch's latest terms, and the day they apply from.
v1::BranchTerms LatestTerms(const v1::Branch& br) {
  v1::BranchTerms t;
  t.set_from_date(br.terms_from().empty() ? br.affiliated_on() : br.terms_from());
  t.set_members(br.members());
  *t.mutable_fee_basis() = br.fee_basis();
  return t;
}

absl::Status CheckSameSchedule(const v1::Branch& br, const v1::FeeBasis& basis) {
  if (basis.period() != br.fee_basis().period()) {
    return InvalidField(events::FieldOf(kName, "fee_basis.period"),
                        "must stay the branch's fee period; to change it, disaffiliate the "
                        "branch and affiliate it again");
  }
  if (FeeCurrency(basis) != FeeCurrency(br.fee_basis())) {
    return InvalidField(
        events::FieldOf(kName, "fee_basis"),
        absl::StrCat("must stay in the branch's fee currency, ", FeeCurrency(br.fee_basis())));
  }
  return absl::OkStatus();
}

// The new terms start on a period boundary, not inside a paid period, and
// not before the branch's latest terms.
absl::Status CheckFromPeriod(const v1::Branch& br, const std::string& from) {
  const std::string field = events::FieldOf(kName, "from_period");
  absl::StatusOr<absl::CivilDay> day = ParseDate(from);
  if (!day.ok() || !IsPeriodStart(br, *day)) {
    return InvalidField(field, absl::StrCat(from, " does not begin a fee period of branch \"",
                                            br.branch_id(), "\" (its periods begin on ",
                                            br.affiliated_on(), " and every period after)"));
  }
  if (from < br.paid_until()) {
    v1::ErrorDetail detail;
    detail.set_reason(kReasonPeriodAlreadyPaid);
    detail.set_field(field);
    detail.set_date(br.paid_until());
    return WithDetail(absl::StatusCode::kFailedPrecondition,
                      absl::StrCat(field, ": ", from, " is within the periods branch \"",
                                   br.branch_id(), "\" has paid (paid until ", br.paid_until(),
                                   "); new terms apply from ", br.paid_until(), " or later"),
                      detail);
  }
  const std::string latest = LatestTerms(br).from_date();
  if (from < latest) {
    return Refusal(
        absl::StatusCode::kFailedPrecondition, kReasonTermsOutOfOrder,
        absl::StrCat(field, ": ", from, " is before the branch's latest terms, from ", latest),
        field);
  }
  return absl::OkStatus();
}

class BranchUpdated final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kBranchUpdated; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.branch_updated();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "branch_id"), e.branch_id()));
    if (!e.has_members() && !e.has_fee_basis() && !e.has_shown_publicly()) {
      return InvalidField("body.branch_updated",
                          "changes nothing (give members, fee_basis or shown_publicly)");
    }
    // Only whether it is shown: no new terms, so no period they start from.
    if (!e.has_members() && !e.has_fee_basis()) {
      if (!e.from_period().empty()) {
        return InvalidField(events::FieldOf(kName, "from_period"),
                            "is for new terms (members or fee_basis); none are given");
      }
      return absl::OkStatus();
    }
    if (e.has_members())
      RETURN_IF_ERROR(CheckMembers(events::FieldOf(kName, "members"), e.members()));
    if (e.has_fee_basis()) {
      // An unspecified period is the branch's own, checked in Decide.
      v1::FeeBasis basis = e.fee_basis();
      if (basis.period() == v1::FEE_PERIOD_UNSPECIFIED) basis.set_period(v1::FEE_PERIOD_MONTHLY);
      RETURN_IF_ERROR(CheckFeeBasis(events::FieldOf(kName, "fee_basis"), basis, true));
    }
    if (e.from_period().empty())
      return InvalidField(events::FieldOf(kName, "from_period"), "is required");
    if (!ParseDate(e.from_period()).ok()) {
      return InvalidField(events::FieldOf(kName, "from_period"),
                          absl::StrCat("\"", e.from_period().substr(0, 40),
                                       "\" is not a real day written YYYY-MM-DD"));
    }
    return absl::OkStatus();
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().branch_updated();
    ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(books, e.branch_id(),
                                                         events::FieldOf(kName, "branch_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterAffiliation(d.occurred_on(), br));
    if (e.has_shown_publicly()) br.set_shown_publicly(e.shown_publicly());
    if (!e.has_members() && !e.has_fee_basis()) {
      out.branch_rows.push_back(std::move(br));
      return absl::OkStatus();
    }
    v1::FeeBasis basis = e.has_fee_basis() ? e.fee_basis() : br.fee_basis();
    if (basis.period() == v1::FEE_PERIOD_UNSPECIFIED) basis.set_period(br.fee_basis().period());
    const int64_t members = e.has_members() ? e.members() : br.members();
    RETURN_IF_ERROR(CheckSameSchedule(br, basis));
    RETURN_IF_ERROR(CheckFromPeriod(br, e.from_period()));
    if (!FeePerPeriod(basis, members).ok()) {
      return InvalidField(events::FieldOf(kName, "fee_basis"), "fee per period overflows");
    }
    // New terms from a later period keep the latest ones as earlier terms;
    // from the same period they replace them.
    const v1::BranchTerms latest = LatestTerms(br);
    if (e.from_period() > latest.from_date()) *br.add_earlier_terms() = latest;
    br.set_members(members);
    *br.mutable_fee_basis() = basis;
    br.set_terms_from(e.from_period());
    out.branch_rows.push_back(std::move(br));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.branch_updated();
    const std::string shown = !e.has_shown_publicly() ? ""
                              : e.shown_publicly()    ? "shown publicly"
                                                      : "not shown publicly";
    if (!e.has_members() && !e.has_fee_basis()) {
      return absl::StrCat("branch ", e.branch_id(), " ", shown);
    }
    return absl::StrCat("branch ", e.branch_id(), " terms from ", e.from_period(),
                        e.has_members() ? absl::StrCat(": ", e.members(), " members") : "",
                        e.has_fee_basis() ? " (new fee basis)" : "",
                        shown.empty() ? "" : absl::StrCat("; ", shown));
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.branch_updated();
    EventDetails d;
    d.branch_id = e.branch_id();
    d.details = absl::StrCat(e.from_period().empty() ? "" : absl::StrCat("from ", e.from_period()),
                             e.has_members() ? absl::StrCat("; ", e.members(), " members") : "",
                             e.has_fee_basis() ? "; new fee basis" : "",
                             !e.has_shown_publicly() ? ""
                             : e.shown_publicly()    ? "; shown publicly"
                                                     : "; not shown publicly");
    return d;
  }
};

}  // namespace

const EventKind& BranchUpdatedKind() {
  static const BranchUpdated kind;
  return kind;
}

}  // namespace ledger
