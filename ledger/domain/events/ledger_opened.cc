// LedgerOpened: the genesis event, position 1 of every ledger, written by the
// server when the ledger is created. Clients cannot append it.
#include "ledger/domain/approvals.h"
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

class LedgerOpened final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kLedgerOpened; }
  absl::string_view name() const override { return "ledger_opened"; }

  absl::Status Validate(const v1::EventBody&) const override {
    return InvalidField("body.ledger_opened", "is written by the server when a ledger is created");
  }

  v1::Role RequiredRole() const override { return v1::ROLE_UNSPECIFIED; }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    if (d.position != 1) return InvalidField("body.ledger_opened", "may only be the first event");
    // The founding admin and their first token, when ledgerd made them.
    const auto& e = d.body().ledger_opened();
    if (e.has_founder()) {
      RETURN_IF_ERROR(ValidateMemberAdded(e.founder(), "body.ledger_opened.founder"));
      out.member_rows.push_back(MemberRowOf(e.founder(), d.position, d.occurred_on()));
    }
    if (e.has_founder_token()) {
      RETURN_IF_ERROR(ValidateTokenIssued(e.founder_token(), "body.ledger_opened.founder_token"));
      if (e.founder_token().member_id() != e.founder().member_id()) {
        return InvalidField("body.ledger_opened.founder_token.member_id", "is not the founder");
      }
      out.token_rows.push_back(TokenRowOf(e.founder_token(), d.position, d.occurred_on()));
    }
    if (e.has_approval_policy()) {
      RETURN_IF_ERROR(
          ValidateApprovalPolicy(e.approval_policy(), "body.ledger_opened.approval_policy"));
      out.approval_policy.push_back(e.approval_policy());
    }
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("ledger opened: ", body.ledger_opened().name());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.ledger_opened().name();
    return d;
  }
};

}  // namespace

const EventKind& LedgerOpenedKind() {
  static const LedgerOpened kind;
  return kind;
}

}  // namespace ledger
