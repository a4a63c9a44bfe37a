// Closed periods: an admin proposes closing the books through a day
// (`period close`), a different admin or approver closes it (`period
// approve`); `period show` says what is closed and what waits.
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

std::string NewProposalId() {
  const std::string event_id = NewEventId();
  absl::string_view tail = event_id;
  absl::ConsumePrefix(&tail, "ctl-");
  return absl::StrCat("close-", tail);
}

}  // namespace

absl::StatusOr<int> RunPeriodClose(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "through", "YYYY-MM-DD"));
  RETURN_IF_ERROR(Require(in, "reason", "\"why\""));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_period_close_proposed();
  e->set_proposal_id(in.Get("proposal-id", NewProposalId()));
  e->set_through(in.Get("through"));
  e->set_reason(in.Get("reason"));
  Extras extras;
  extras.json = {{"proposal_id", JsonQuote(e->proposal_id())}};
  extras.text = absl::StrCat("proposal ", Terminal(e->proposal_id()), ": close the books through ",
                             Terminal(e->through()), "; next: ledgerctl period approve ",
                             Terminal(e->proposal_id()), " --through ", Terminal(e->through()),
                             " (another admin or an approver)\n");
  return AppendOne(in, std::move(input), extras);
}

absl::StatusOr<int> RunPeriodApprove(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "through", "YYYY-MM-DD"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_period_closed();
  e->set_proposal_id(in.Positional("PROPOSAL"));
  e->set_through(in.Get("through"));
  Extras extras;
  extras.text = absl::StrCat("the books are closed through ", Terminal(e->through()),
                             "; corrections are dated after it\n");
  return AppendOne(in, std::move(input), extras);
}

absl::StatusOr<int> RunPeriodShow(const Invocation& in) {
  Client client(in.globals());
  v1::GetPeriodsResponse r;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    return client.queries().GetPeriods(c, v1::GetPeriodsRequest(), &r);
  }));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  if (r.has_closed()) {
    const v1::ClosedPeriod& c = r.closed();
    std::cout << "closed through " << Terminal(c.through()) << " (proposed by "
              << Terminal(c.proposed_by()) << ", closed by " << Terminal(c.closed_by()) << " on "
              << Terminal(c.closed_on()) << ")\n";
  } else {
    std::cout << "no period is closed\n";
  }
  if (r.pending_size() == 0) {
    std::cout << "no proposal waits\n";
    return kExitOk;
  }
  Table t({"proposal", "through", "proposed by", "on", "waits on"});
  for (const v1::PeriodProposal& p : r.pending()) {
    t.Add({p.proposal_id(), p.through(), p.proposed_by(), p.proposed_on(),
           absl::StrCat("an admin or approver other than ", p.proposed_by())});
  }
  t.Print(std::cout);
  return kExitOk;
}

}  // namespace ledgerctl
