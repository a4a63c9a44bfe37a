// Readers' commands: the same output online (gRPC) and offline (--data-dir).
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "clients/ledgerctl/reader.h"
#include "ledger/limits.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

std::string Amt(const v1::Money& m) { return HumanAmount(m.amount_minor(), m.currency()); }

const char* PeriodWord(v1::FeePeriod p) {
  return p == v1::FEE_PERIOD_MONTHLY ? "month" : p == v1::FEE_PERIOD_QUARTERLY ? "quarter" : "year";
}

void PrintSummaryTable(const v1::GetSummaryResponse& r) {
  Table t({"currency", "raised", "disbursed", "held", "general fund"});
  for (const auto& c : r.totals().currencies()) {
    int64_t general = 0;
    for (const auto& g : r.general_fund()) {
      if (g.currency() == c.currency()) general = g.available_minor();
    }
    t.Add({c.currency(), HumanDecimal(c.raised_minor(), c.currency()),
           HumanDecimal(c.disbursed_minor(), c.currency()),
           HumanDecimal(c.held_minor(), c.currency()), HumanDecimal(general, c.currency())});
  }
  t.Print(std::cout);
}

void AddGeneralRows(const v1::GetSummaryResponse& s, Table* t) {
  for (const auto& g : s.general_fund()) {
    const std::string& c = g.currency();
    t->Add({"general", "(unrestricted)", c, HumanDecimal(g.received_minor(), c),
            HumanDecimal(-g.allocated_out_minor(), c), HumanDecimal(g.disbursed_minor(), c),
            HumanDecimal(g.committed_minor(), c), HumanDecimal(g.available_minor(), c)});
  }
}

void AddBeneficiaryRows(const v1::ListBeneficiariesResponse& r, Table* t) {
  for (const auto& bv : r.beneficiaries()) {
    const auto& b = bv.beneficiary();
    const std::string name = b.display_name() + (b.status() == v1::STATUS_OPEN ? "" : " (closed)");
    if (bv.balances().empty()) t->Add({b.beneficiary_id(), name, "", "", "", "", "", ""});
    for (const auto& f : bv.balances()) {
      const std::string& c = f.currency();
      t->Add({b.beneficiary_id(), name, c, HumanDecimal(f.received_minor(), c),
              HumanDecimal(f.allocated_in_minor(), c), HumanDecimal(f.disbursed_minor(), c),
              HumanDecimal(f.committed_minor(), c), HumanDecimal(f.available_minor(), c)});
    }
  }
}

// {"as_of", "general_fund", "beneficiaries"}: every fund in one object.
void PrintBalancesJson(const v1::GetSummaryResponse& s, const v1::ListBeneficiariesResponse& r) {
  std::vector<const google::protobuf::Message*> general, beneficiaries;
  for (const auto& g : s.general_fund()) general.push_back(&g);
  for (const auto& b : r.beneficiaries()) beneficiaries.push_back(&b);
  std::cout << JsonObject({{"as_of", ToJson(r.as_of(), {}, 1)},
                           {"general_fund", JsonList(general, {}, 1)},
                           {"beneficiaries", JsonList(beneficiaries, {}, 1)}})
            << "\n";
}

void PrintBranch(const v1::GetBranchResponse& resp) {
  const auto& v = resp.branch();
  const auto& b = v.branch();
  std::cout << Terminal(b.union_name()) << " " << Terminal(b.branch_name()) << " ["
            << Terminal(b.branch_id()) << "]"
            << (b.region().empty() ? "" : absl::StrCat(", ", Terminal(b.region()))) << "\n";
  std::cout << "status: " << (b.status() == v1::STATUS_OPEN ? "affiliated" : "disaffiliated")
            << " since " << Terminal(b.affiliated_on()) << "; " << b.members() << " members; fee "
            << Amt(v.fee_per_period()) << " per " << PeriodWord(b.fee_basis().period()) << "\n";
  std::cout << "paid until " << Terminal(b.paid_until())
            << (v.in_arrears() ? " — IN ARREARS" : " — paid up") << " (as of "
            << Terminal(resp.today()) << ")\n";
  Table t({"currency", "fees", "donations", "total"});
  for (const auto& x : b.totals()) {
    const std::string& c = x.currency();
    t.Add({c, HumanDecimal(x.fees_paid_minor(), c), HumanDecimal(x.donations_minor(), c),
           HumanDecimal(x.total_minor(), c)});
  }
  t.Print(std::cout);
}

}  // namespace

absl::StatusOr<int> RunSummary(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetSummaryRequest req;
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::GetSummaryResponse r, reader->Summary(req));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  std::cout << Terminal(r.ledger_name()) << " — ledger " << Terminal(r.ledger_id()) << AsOfNote(in)
            << "\nhead #" << r.as_of().position() << " " << ShortHash(r.as_of().hash()) << ", "
            << r.totals().event_count() << " events, " << r.totals().reversal_count()
            << " reversals\n";
  PrintSummaryTable(r);
  return kExitOk;
}

absl::StatusOr<int> RunBalances(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::ListBeneficiariesRequest req;
  req.set_include_closed(in.Has("all"));
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::ListBeneficiariesResponse r, reader->Beneficiaries(req));
  v1::GetSummaryRequest sreq;
  *sreq.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::GetSummaryResponse s, reader->Summary(sreq));
  if (in.json()) {
    PrintBalancesJson(s, r);
    return kExitOk;
  }
  Table t(
      {"fund", "name", "currency", "received", "allocated", "disbursed", "committed", "available"});
  AddGeneralRows(s, &t);
  AddBeneficiaryRows(r, &t);
  t.Print(std::cout);
  std::cout << "as of #" << r.as_of().position() << " " << ShortHash(r.as_of().hash())
            << AsOfNote(in) << "\n";
  return kExitOk;
}

absl::StatusOr<int> RunBranches(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::ListBranchesRequest req;
  req.set_include_disaffiliated(in.Has("all"));
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::ListBranchesResponse r, reader->Branches(req));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  Table t({"branch", "union", "name", "status", "paid until", "fees", "donations", "total"});
  for (const auto& v : r.branches()) {
    const auto& b = v.branch();
    const std::string status = b.status() != v1::STATUS_OPEN ? "disaffiliated"
                               : v.in_arrears()              ? "ARREARS"
                                                             : "paid up";
    if (b.totals().empty()) {
      t.Add(
          {b.branch_id(), b.union_name(), b.branch_name(), status, b.paid_until(), "-", "-", "-"});
    }
    for (const auto& x : b.totals()) {
      t.Add({b.branch_id(), b.union_name(), b.branch_name(), status, b.paid_until(),
             HumanAmount(x.fees_paid_minor(), x.currency()),
             HumanAmount(x.donations_minor(), x.currency()),
             HumanAmount(x.total_minor(), x.currency())});
    }
  }
  t.Print(std::cout);
  return kExitOk;
}

absl::StatusOr<int> RunBranchShow(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetBranchRequest req;
  req.set_branch_id(in.Positional("ID"));
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::GetBranchResponse r, reader->Branch(req));
  if (in.json()) {
    PrintJson(r);
  } else {
    PrintBranch(r);
  }
  return kExitOk;
}

absl::StatusOr<int> RunBeneficiaryShow(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetBeneficiaryRequest req;
  req.set_beneficiary_id(in.Positional("ID"));
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::GetBeneficiaryResponse resp, reader->Beneficiary(req));
  if (in.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  const auto& b = resp.beneficiary().beneficiary();
  std::cout << Terminal(b.display_name()) << " [" << Terminal(b.beneficiary_id()) << "]"
            << (b.status() == v1::STATUS_OPEN ? "" : " (closed)") << "\n";
  if (!b.purpose().empty()) std::cout << "purpose: " << Terminal(b.purpose()) << "\n";
  Table t({"currency", "received", "allocated in", "disbursed", "committed", "available"});
  for (const auto& f : resp.beneficiary().balances()) {
    const std::string& c = f.currency();
    t.Add({c, HumanDecimal(f.received_minor(), c), HumanDecimal(f.allocated_in_minor(), c),
           HumanDecimal(f.disbursed_minor(), c), HumanDecimal(f.committed_minor(), c),
           HumanDecimal(f.available_minor(), c)});
  }
  t.Print(std::cout);
  return kExitOk;
}

absl::StatusOr<int> RunTrialBalance(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetTrialBalanceRequest req;
  *req.mutable_as_of() = AsOfOption(in);
  ASSIGN_OR_RETURN(v1::GetTrialBalanceResponse r, reader->TrialBalance(req));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  Table t({"account", "currency", "debits", "credits", "balance"});
  for (const auto& a : r.accounts()) {
    const std::string& c = a.currency();
    t.Add({a.account(), c, HumanDecimal(a.debits_minor(), c), HumanDecimal(a.credits_minor(), c),
           HumanDecimal(a.debits_minor() - a.credits_minor(), c)});
  }
  for (const auto& x : r.totals()) {
    const std::string& c = x.currency();
    t.Add({"TOTAL", c, HumanDecimal(x.debits_minor(), c), HumanDecimal(x.credits_minor(), c),
           HumanDecimal(x.debits_minor() - x.credits_minor(), c)});
  }
  t.Print(std::cout);
  std::cout << (r.balanced() ? "balanced: debits equal credits in every currency\n"
                             : "NOT BALANCED: the stored projections are damaged\n");
  return r.balanced() ? kExitOk : kExitRefused;
}

absl::StatusOr<int> RunEvents(const Invocation& in) {
  ASSIGN_OR_RETURN(int64_t from, IntOption(in, "from", 1, 0, INT64_MAX));
  ASSIGN_OR_RETURN(int64_t limit, IntOption(in, "limit", ledger::kDefaultReadEventsPage, 0,
                                            ledger::kMaxReadEventsPage));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::ReadEventsRequest req;
  req.set_from_position(static_cast<uint64_t>(from));
  req.set_limit(static_cast<uint32_t>(limit));
  ASSIGN_OR_RETURN(v1::ReadEventsResponse r, reader->Events(req));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  for (const auto& e : r.events()) PrintEventLine(e);
  return kExitOk;
}

absl::StatusOr<int> RunEvent(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  const std::string& key = in.Positional("EVENT");
  v1::GetEventRequest req;
  uint64_t position = 0;
  if (absl::SimpleAtoi(key, &position)) {
    req.set_position(position);
  } else {
    req.set_event_id(key);
  }
  ASSIGN_OR_RETURN(v1::GetEventResponse r, reader->Event(req));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  const v1::Event& e = r.event();
  PrintEventLine(e);
  if (!e.memo().empty()) std::cout << "memo " << Terminal(e.memo()) << "\n";
  std::cout << "recorded "
            << absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(e.recorded_at_us()),
                                absl::UTCTimeZone())
            << " by "
            << (e.private_details() == v1::DETAIL_STATE_SHOWN ||
                        e.private_details() == v1::DETAIL_STATE_UNSPECIFIED
                    ? Terminal(e.actor())
                    : absl::StrCat("(", DetailWord(e.private_details()), ")"))
            << "\n";
  if (e.private_details() != v1::DETAIL_STATE_UNSPECIFIED) {
    std::cout << "private details " << DetailWord(e.private_details()) << ", commitment "
              << Hex(e.private_commitment()) << "\n";
  }
  std::cout << "hash " << Hex(e.hash()) << "\nprev " << Hex(e.prev_hash()) << "\n";
  return kExitOk;
}

absl::StatusOr<int> RunTail(const Invocation& in) {
  const bool follow = in.Has("follow");
  if (follow && in.Has("data-dir")) {
    return Usage(in, "-f follows a live server; a data directory does not grow (drop -f)",
                 "--follow");
  }
  ASSIGN_OR_RETURN(int64_t n, IntOption(in, "lines", 10, 1, INT64_MAX));
  ASSIGN_OR_RETURN(int64_t from_option, IntOption(in, "from", 1, 0, INT64_MAX));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  auto from = static_cast<uint64_t>(from_option);
  if (!in.Has("from")) {
    ASSIGN_OR_RETURN(v1::GetHeadResponse head, reader->Head());
    const uint64_t at = head.head().position();
    from = at > static_cast<uint64_t>(n) ? at - static_cast<uint64_t>(n) + 1 : 1;
  }
  const bool json = in.json();
  RETURN_IF_ERROR(reader->Tail(from, follow, [json](const v1::Event& e) {
    if (json) {
      std::cout << ToJson(e, JsonStyle{false, false}) << "\n";
    } else {
      PrintEventLine(e);
    }
    std::cout << std::flush;
  }));
  return kExitOk;
}

absl::StatusOr<int> RunHead(const Invocation& in) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  ASSIGN_OR_RETURN(v1::GetHeadResponse r, reader->Head());
  if (in.json()) {
    PrintJson(r);
  } else {
    std::cout << r.head().position() << " " << Hex(r.head().hash()) << "\n";
  }
  return kExitOk;
}

}  // namespace ledgerctl
