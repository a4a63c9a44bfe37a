// BranchAffiliated: a union branch joins the campaign (or returns after
// leaving). It owes its first fee period from the day it affiliates.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "branch_affiliated";

class BranchAffiliated final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kBranchAffiliated; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.branch_affiliated();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "branch_id"), e.branch_id()));
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "union_name"), e.union_name(), Presence::kRequired));
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "branch_name"), e.branch_name(), Presence::kRequired));
    RETURN_IF_ERROR(CheckName(events::FieldOf(kName, "region"), e.region(), Presence::kOptional));
    RETURN_IF_ERROR(CheckMembers(events::FieldOf(kName, "members"), e.members()));
    RETURN_IF_ERROR(
        CheckFeeBasis(events::FieldOf(kName, "fee_basis"), e.fee_basis(), e.has_fee_basis()));
    if (!FeePerPeriod(e.fee_basis(), e.members()).ok()) {
      return InvalidField(events::FieldOf(kName, "fee_basis"), "fee per period overflows");
    }
    return absl::OkStatus();
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().branch_affiliated();
    const std::string field = events::FieldOf(kName, "branch_id");
    ASSIGN_OR_RETURN(std::optional<v1::Branch> existing, books.FindBranch(e.branch_id()));
    if (existing && existing->status() == v1::STATUS_OPEN) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBranchAffiliated,
                     absl::StrCat(field, ": branch \"", e.branch_id(), "\" is already affiliated"),
                     field);
    }
    if (existing && d.dated()) {
      // A branch that left may return, but not dated before it left.
      RETURN_IF_ERROR(CheckNotBefore(d.occurred_on(), existing->disaffiliated_on(),
                                     kReasonDateBeforeAffiliation,
                                     absl::StrCat("branch \"", e.branch_id(), "\" disaffiliated")));
    }
    v1::Branch br = existing.value_or(v1::Branch());
    br.set_branch_id(e.branch_id());
    br.set_union_name(e.union_name());
    br.set_branch_name(e.branch_name());
    br.set_region(e.region());
    br.set_members(e.members());
    *br.mutable_fee_basis() = e.fee_basis();
    br.set_shown_publicly(e.shown_publicly());
    br.set_status(v1::STATUS_OPEN);
    br.set_affiliated_on(d.occurred_on());
    br.clear_disaffiliated_on();
    br.set_periods_paid(0);
    // A new affiliation starts on its own terms.
    br.clear_earlier_terms();
    br.clear_terms_from();
    if (br.first_affiliated_position() == 0) br.set_first_affiliated_position(d.position);
    SetPaidUntil(br);
    out.branch_rows.push_back(std::move(br));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.branch_affiliated();
    return absl::StrCat("branch ", e.branch_id(), " affiliated: ", e.union_name(), " ",
                        e.branch_name());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.branch_affiliated();
    EventDetails d;
    d.branch_id = e.branch_id();
    d.name = absl::StrCat(e.union_name(), " ", e.branch_name());
    return d;
  }
};

}  // namespace

const EventKind& BranchAffiliatedKind() {
  static const BranchAffiliated kind;
  return kind;
}

}  // namespace ledger
