// Two to sign: a treasurer requests a disbursement (`disburse`), an approver
// who is not the requester approves or rejects it, a treasurer pays it or
// cancels it; `requests` lists what waits on whom; admins set the policy.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/domain/approvals.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

std::string Amt(const v1::Money& m) { return HumanAmount(m.amount_minor(), m.currency()); }

std::string NewRequestId() {
  // "req-" and the tail of a fresh event id (time and random hex).
  const std::string event_id = NewEventId();
  absl::string_view tail = event_id;
  absl::ConsumePrefix(&tail, "ctl-");
  return absl::StrCat("req-", tail);
}

absl::StatusOr<v1::ListDisbursementRequestsResponse> Requests(
    Client& client, const v1::ListDisbursementRequestsRequest& request) {
  v1::ListDisbursementRequestsResponse r;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    return client.queries().ListDisbursementRequests(c, request, &r);
  }));
  return r;
}

// One request, closed ones too (NOT_FOUND from the server otherwise).
absl::StatusOr<v1::DisbursementRequestView> OneRequest(Client& client, const std::string& id) {
  v1::ListDisbursementRequestsRequest ask;
  ask.set_request_id(id);
  ask.set_include_closed(true);
  ASSIGN_OR_RETURN(v1::ListDisbursementRequestsResponse found, Requests(client, ask));
  if (found.requests_size() != 1) return absl::NotFoundError("no such request");
  return found.requests(0);
}

// A rejection or cancellation repeats the request's fund and amount.
template <typename Event>
void Repeat(const v1::DisbursementRequestView& v, Event* e) {
  e->set_beneficiary_id(v.request().beneficiary_id());
  *e->mutable_amount() = v.request().amount();
}

// What a pending request waits for, in words.
std::string WaitsOn(const v1::DisbursementRequestView& v) {
  const v1::DisbursementRequest& r = v.request();
  if (r.status() != v1::REQUEST_STATUS_PENDING) {
    return absl::StrCat(ledger::RequestStatusName(r.status()), " on ", r.closed_on(), " by ",
                        r.closed_by());
  }
  const int given = r.approved_by_size();
  const int needed = static_cast<int>(v.approvals_needed());
  if (given < needed) {
    return absl::StrCat(needed - given, " more approval", needed - given == 1 ? "" : "s",
                        " by an approver other than ", r.requested_by());
  }
  return "payment by a treasurer (ledgerctl pay)";
}

std::string PolicyText(const v1::ApprovalPolicySet& p, bool recorded) {
  std::string text = absl::StrCat(p.default_approvals(), " approval",
                                  p.default_approvals() == 1 ? "" : "s", " for every disbursement");
  for (const v1::ApprovalThreshold& t : p.thresholds()) {
    absl::StrAppend(&text, "; ", t.approvals(), " above ",
                    HumanAmount(t.above_minor(), t.currency()));
  }
  if (!recorded) absl::StrAppend(&text, " (the default: no policy recorded)");
  return text;
}

}  // namespace

absl::StatusOr<int> RunDisburse(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_requested();
  e->set_request_id(in.Get("request-id", NewRequestId()));
  e->set_beneficiary_id(in.Positional("BENEFICIARY"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  RETURN_IF_ERROR(Require(in, "purpose", "\"what it pays for\""));
  e->set_purpose(in.Get("purpose"));
  e->set_payee(in.Get("payee"));
  e->set_method(in.Get("method"));
  Extras extras;
  extras.json = {{"request_id", JsonQuote(e->request_id())}};
  extras.text =
      absl::StrCat("request ", Terminal(e->request_id()), ": ", Amt(e->amount()),
                   " committed; next: ledgerctl approve ", Terminal(e->request_id()),
                   " (another member), then ledgerctl pay ", Terminal(e->request_id()), "\n");
  return AppendOne(in, std::move(input), extras);
}

absl::StatusOr<int> RunApprove(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_approved();
  e->set_request_id(in.Positional("REQUEST"));
  e->set_note(in.Get("note"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunReject(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "\"why\""));
  Client client(in.globals());
  ASSIGN_OR_RETURN(v1::DisbursementRequestView v, OneRequest(client, in.Positional("REQUEST")));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_rejected();
  e->set_request_id(in.Positional("REQUEST"));
  e->set_reason(in.Get("reason"));
  Repeat(v, e);
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunCancel(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "\"why\""));
  Client client(in.globals());
  ASSIGN_OR_RETURN(v1::DisbursementRequestView v, OneRequest(client, in.Positional("REQUEST")));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_cancelled();
  e->set_request_id(in.Positional("REQUEST"));
  e->set_reason(in.Get("reason"));
  Repeat(v, e);
  return AppendOne(in, std::move(input));
}

// The payment names its request and repeats its fund and amount (the
// server checks they match); its purpose and payee are the request's.
absl::StatusOr<int> RunPay(const Invocation& in) {
  Client client(in.globals());
  ASSIGN_OR_RETURN(v1::DisbursementRequestView v, OneRequest(client, in.Positional("REQUEST")));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_made();
  e->set_request_id(v.request().request_id());
  e->set_beneficiary_id(v.request().beneficiary_id());
  *e->mutable_amount() = v.request().amount();
  e->set_purpose(v.purpose());
  e->set_payee(v.payee());
  e->set_method(in.Get("method", v.method()));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunRequests(const Invocation& in) {
  Client client(in.globals());
  v1::ListDisbursementRequestsRequest ask;
  ask.set_include_closed(in.Has("all"));
  ASSIGN_OR_RETURN(v1::ListDisbursementRequestsResponse r, Requests(client, ask));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  Table t({"request", "fund", "amount", "asked by", "on", "approvals", "waits on"});
  for (const v1::DisbursementRequestView& v : r.requests()) {
    const v1::DisbursementRequest& q = v.request();
    t.Add({q.request_id(), q.beneficiary_id(), Amt(q.amount()), q.requested_by(), q.requested_on(),
           absl::StrCat(q.approved_by_size(), "/", v.approvals_needed()), WaitsOn(v)});
  }
  t.Print(std::cout);
  std::cout << "policy: " << PolicyText(r.policy(), r.policy_recorded()) << "\n";
  return kExitOk;
}

absl::StatusOr<int> RunPolicyShow(const Invocation& in) {
  Client client(in.globals());
  v1::ListDisbursementRequestsRequest ask;
  ask.set_request_id("");
  ASSIGN_OR_RETURN(v1::ListDisbursementRequestsResponse r, Requests(client, ask));
  if (in.json()) {
    PrintJson(r.policy());
    return kExitOk;
  }
  std::cout << PolicyText(r.policy(), r.policy_recorded()) << "\n";
  return kExitOk;
}

// --approvals N [--above "500.00 GBP=2,2000.00 GBP=3"].
absl::StatusOr<int> RunPolicySet(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "approvals", "N"));
  v1::EventInput input;
  auto* p = input.mutable_body()->mutable_approval_policy_set();
  ASSIGN_OR_RETURN(int64_t approvals, IntOption(in, "approvals", 1, 0, ledger::kMaxApprovals));
  p->set_default_approvals(static_cast<uint32_t>(approvals));
  if (in.Has("above")) {
    for (absl::string_view part : absl::StrSplit(in.Get("above"), ',', absl::SkipWhitespace())) {
      std::vector<std::string> sides = absl::StrSplit(part, '=');
      uint32_t n = 0;
      if (sides.size() != 2 || !absl::SimpleAtoi(absl::StripAsciiWhitespace(sides[1]), &n) ||
          n > ledger::kMaxApprovals) {
        return Usage(in,
                     absl::StrCat("--above takes \"AMOUNT CURRENCY=N\" entries, comma-separated, "
                                  "N at most ",
                                  ledger::kMaxApprovals, ", not \"", part, "\""),
                     "--above");
      }
      ASSIGN_OR_RETURN(v1::Money m,
                       MoneyOf(in, std::string(absl::StripAsciiWhitespace(sides[0])), "--above"));
      v1::ApprovalThreshold* t = p->add_thresholds();
      t->set_currency(m.currency());
      t->set_above_minor(m.amount_minor());
      t->set_approvals(n);
    }
  }
  return AppendOne(in, std::move(input));
}

}  // namespace ledgerctl
