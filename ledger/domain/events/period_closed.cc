// PeriodClosed: a second member closes the books through the day a pending
// proposal names. From then on an event dated on or before it is refused
// (PERIOD_CLOSED, decide.cc); corrections are dated in the open period.
//
// Who may: an admin or an approver who is not the proposer. The role table
// of appends names one role per kind, so the door lets any member try
// (ROLE_VIEWER) and Decide reads the actor's member row: it must be a
// member now, holding admin or approver (PERMISSION_DENIED, ROLE_REQUIRED,
// role "approver"). That is a rule of recording order, so replay reaches
// the same answer.
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"
#include "ledger/domain/periods.h"

namespace ledger {
namespace {

constexpr char kName[] = "period_closed";

// The member recording the closure: a member, admin or approver, and not
// the proposer.
absl::Status CheckCloser(Books& books, const std::string& actor, const v1::PeriodProposal& p,
                         absl::string_view field) {
  if (actor == p.proposed_by()) {
    return Refusal(absl::StatusCode::kPermissionDenied, kReasonSelfApproval,
                   absl::StrCat(field, ": ", actor, " proposed ", p.proposal_id(),
                                " and may not close the period; another admin or approver must"),
                   field);
  }
  ASSIGN_OR_RETURN(std::optional<v1::Member> m, books.FindMember(actor));
  if (m && m->status() == v1::STATUS_OPEN &&
      (HasRole(*m, v1::ROLE_ADMIN) || HasRole(*m, v1::ROLE_APPROVER))) {
    return absl::OkStatus();
  }
  v1::ErrorDetail detail;
  detail.set_reason(kReasonRoleRequired);
  detail.set_field(std::string(field));
  detail.set_role("approver");
  return WithDetail(absl::StatusCode::kPermissionDenied,
                    absl::StrCat("recording ", kName, " needs the admin or approver role; ",
                                 actor.empty() ? "the caller" : actor, " holds neither"),
                    detail);
}

class PeriodClosed final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kPeriodClosed; }
  absl::string_view name() const override { return kName; }
  // Admin or approver, checked in Decide (above).
  v1::Role RequiredRole() const override { return v1::ROLE_VIEWER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.period_closed();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "proposal_id"), e.proposal_id()));
    return CheckThroughDate(events::FieldOf(kName, "through"), e.through());
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().period_closed();
    const std::string id_field = events::FieldOf(kName, "proposal_id");
    const std::string through_field = events::FieldOf(kName, "through");
    ASSIGN_OR_RETURN(v1::PeriodProposal p, LoadPendingProposal(books, e.proposal_id(), id_field));
    RETURN_IF_ERROR(CheckCloser(books, d.payload->actor(), p, id_field));
    if (e.through() != p.through()) {
      v1::ErrorDetail detail;
      detail.set_reason(kReasonProposalMismatch);
      detail.set_field(through_field);
      detail.set_date(p.through());
      return WithDetail(absl::StatusCode::kFailedPrecondition,
                        absl::StrCat(through_field, ": proposal ", p.proposal_id(),
                                     " closes through ", p.through(), ", not ", e.through()),
                        detail);
    }
    ASSIGN_OR_RETURN(std::string closed_through, ClosedThrough(books));
    RETURN_IF_ERROR(CheckThroughAfterClosed(e.through(), closed_through, through_field));
    if (d.dated()) {
      RETURN_IF_ERROR(CheckThroughDatedRules(e.through(), d.occurred_on(),
                                             d.payload->recorded_at_us(), through_field));
    }
    p.set_closed_by(d.payload->actor());
    p.set_closed_on(d.occurred_on());
    p.set_closed_position(d.position);
    v1::ClosedPeriod closed;
    closed.set_through(p.through());
    closed.set_closed_position(d.position);
    closed.set_closed_by(p.closed_by());
    closed.set_proposed_by(p.proposed_by());
    closed.set_proposal_id(p.proposal_id());
    closed.set_closed_on(d.occurred_on());
    out.period_proposals.push_back(std::move(p));
    out.closed_period.push_back(std::move(closed));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.period_closed();
    return absl::StrCat("books closed through ", e.through(), " (proposal ", e.proposal_id(), ")");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.period_closed();
    EventDetails d;
    d.target_event_id = e.proposal_id();
    d.name = e.through();
    d.details = Describe(body);
    return d;
  }
};

}  // namespace

const EventKind& PeriodClosedKind() {
  static const PeriodClosed kind;
  return kind;
}

}  // namespace ledger
