// PeriodCloseProposed: an admin proposes closing the books through a day
// (closed periods). Nothing is closed yet: a different member who is an
// admin or an approver closes it with PeriodClosed naming the proposal.
// `through` must be after the day the books are already closed through
// and, when recorded, no later than the server's today; the proposal is
// dated after `through` (typically today).
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/periods.h"

namespace ledger {
namespace {

constexpr char kName[] = "period_close_proposed";

class PeriodCloseProposed final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kPeriodCloseProposed; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.period_close_proposed();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "proposal_id"), e.proposal_id()));
    RETURN_IF_ERROR(CheckThroughDate(events::FieldOf(kName, "through"), e.through()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().period_close_proposed();
    const std::string id_field = events::FieldOf(kName, "proposal_id");
    ASSIGN_OR_RETURN(std::optional<v1::PeriodProposal> existing,
                     books.FindPeriodProposal(e.proposal_id()));
    if (existing) {
      return Refusal(absl::StatusCode::kAlreadyExists, kReasonProposalExists,
                     absl::StrCat(id_field, ": proposal ", e.proposal_id(), " exists (made on ",
                                  existing->proposed_on(), " by ", existing->proposed_by(), ")"),
                     id_field);
    }
    const std::string through_field = events::FieldOf(kName, "through");
    ASSIGN_OR_RETURN(std::string closed_through, ClosedThrough(books));
    RETURN_IF_ERROR(CheckThroughAfterClosed(e.through(), closed_through, through_field));
    if (d.dated()) {
      RETURN_IF_ERROR(CheckThroughDatedRules(e.through(), d.occurred_on(),
                                             d.payload->recorded_at_us(), through_field));
    }
    v1::PeriodProposal row;
    row.set_proposal_id(e.proposal_id());
    row.set_through(e.through());
    row.set_proposed_by(d.payload->actor());
    row.set_proposed_on(d.occurred_on());
    row.set_proposed_position(d.position);
    out.period_proposals.push_back(std::move(row));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.period_close_proposed();
    std::string text =
        absl::StrCat("proposal ", e.proposal_id(), ": close the books through ", e.through());
    if (!e.reason().empty()) absl::StrAppend(&text, ": ", e.reason());
    return text;
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.period_close_proposed();
    EventDetails d;
    d.target_event_id = e.proposal_id();
    d.name = e.through();
    d.details = e.reason();
    return d;
  }
};

}  // namespace

const EventKind& PeriodCloseProposedKind() {
  static const PeriodCloseProposed kind;
  return kind;
}

}  // namespace ledger
