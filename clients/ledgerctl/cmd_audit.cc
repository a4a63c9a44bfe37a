// Auditors' checks: the hash chain and a rebuild of every projection, online
// (the server does the work) or offline on a data directory or backup copy.
#include <cstdio>
#include <functional>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "clients/ledgerctl/reader.h"
#include "ledger/audit/replay.h"
#include "ledger/status_macros.h"
#include "ledger/views/queries.h"

namespace ledgerctl {
namespace {

using ledger::ChainReport;
using ledger::RebuildReport;

void PrintChain(const ChainReport& r, bool json) {
  if (json) {
    v1::VerifyChainResponse out;
    out.set_ok(r.ok);
    out.set_events_checked(r.events_checked);
    out.set_first_bad_position(r.first_bad_position);
    out.set_problem(r.problem);
    out.mutable_verified_head()->set_position(r.verified_position);
    out.mutable_verified_head()->set_hash(r.verified_hash);
    PrintJson(out);
    return;
  }
  if (r.ok) {
    std::cout << "chain OK: " << r.events_checked << " events verified, head #"
              << r.verified_position << " " << Hex(r.verified_hash) << "\n";
  } else {
    std::cout << "chain BROKEN at position " << r.first_bad_position << ": " << Terminal(r.problem)
              << "\n";
  }
}

std::function<void(uint64_t)> Progress(const Invocation& in, const char* what, uint64_t head) {
  if (!ShowProgress(in)) return {};
  return [what, head](uint64_t at) {
    const unsigned long long percent = head == 0 ? 100 : at * 100 / head;
    std::fprintf(stderr, "\r%s %llu / %llu (%3llu%%)", what, static_cast<unsigned long long>(at),
                 static_cast<unsigned long long>(head), percent);
  };
}

void PrintMismatches(const RebuildReport& r) {
  if (r.failed_position) {
    std::cout << "  event #" << r.failed_position
              << " fails the rules on replay: " << Terminal(r.failure) << "\n";
  }
  for (const auto& m : r.mismatches) {
    std::cout << "  " << Terminal(m.key) << "\n    stored:  " << Terminal(m.stored)
              << "\n    rebuilt: " << Terminal(m.rebuilt) << "\n";
  }
}

// What an offline audit found.
struct OfflineFindings {
  bool verify_chain = false;
  ChainReport chain;
  RebuildReport rebuild;
  v1::GetSummaryResponse summary;
  bool trial_balanced = false;
};

void PrintOfflineReport(const Invocation& in, ledger::ReadView& view, const OfflineFindings& f) {
  const bool ok = f.chain.ok && f.rebuild.match;
  if (in.json()) {
    std::cout << "{\"chain_ok\": " << (f.chain.ok ? "true" : "false")
              << ", \"projections_match\": " << (f.rebuild.match ? "true" : "false")
              << ", \"events\": " << f.rebuild.events_replayed
              << ", \"head_position\": " << view.head_position() << ", \"head_hash\": \""
              << Hex(view.head_hash())
              << "\", \"trial_balance_zero\": " << (f.trial_balanced ? "true" : "false") << "}\n";
    return;
  }
  std::cout << "Offline audit of " << Terminal(in.Get("data-dir")) << "\n"
            << "ledger      " << Terminal(view.ledger_id()) << " (" << Terminal(view.ledger_name())
            << ")\n"
            << "events      " << f.rebuild.events_replayed << " replayed from position 1\n"
            << "head        #" << view.head_position() << " " << Hex(view.head_hash()) << "\n";
  if (f.verify_chain) {
    std::cout << "hash chain  "
              << (f.chain.ok ? "verified"
                             : absl::StrCat("BROKEN at position ", f.chain.first_bad_position, ": ",
                                            Terminal(f.chain.problem)))
              << "\n";
  }
  std::cout << "projections "
            << (f.rebuild.match ? "rebuilt from the log and equal to the stored ones"
                                : "DIFFER from a rebuild")
            << " (" << f.rebuild.rows_compared << " rows)\n";
  PrintMismatches(f.rebuild);
  std::cout << "trial bal.  " << (f.trial_balanced ? "zero in every currency" : "NOT ZERO") << "\n";
  Table t({"currency", "raised", "disbursed", "held"});
  for (const auto& c : f.summary.totals().currencies()) {
    const std::string& cur = c.currency();
    t.Add({cur, HumanDecimal(c.raised_minor(), cur), HumanDecimal(c.disbursed_minor(), cur),
           HumanDecimal(c.held_minor(), cur)});
  }
  t.Print(std::cout);
  std::cout << (ok ? "RESULT: the books verify.\n" : "RESULT: PROBLEMS FOUND (see above).\n");
}

// Offline: "verify" checks the chain only; "rebuild" rebuilds and compares;
// "replay" does both, with the trial balance and the summary.
absl::StatusOr<int> AuditOffline(const Invocation& in, absl::string_view what, uint64_t from,
                                 uint64_t to) {
  ASSIGN_OR_RETURN(auto log, OpenDataDir(in.Get("data-dir"), in.globals()));
  auto view = log->NewReadView();
  OfflineFindings f;
  f.verify_chain = what != "rebuild";
  if (f.verify_chain) {
    auto chain =
        ledger::VerifyChain(*view, from, to, Progress(in, "verifying", view->head_position()));
    ClearProgress(in);
    RETURN_IF_ERROR(chain.status());
    f.chain = *chain;
    if (what == "verify") {
      PrintChain(f.chain, in.json());
      return f.chain.ok ? kExitOk : kExitRefused;
    }
  }
  auto rebuild = ledger::RebuildAndCompare(*view, Progress(in, "replaying", view->head_position()));
  ClearProgress(in);
  RETURN_IF_ERROR(rebuild.status());
  f.rebuild = *rebuild;
  ASSIGN_OR_RETURN(f.summary, ledger::QuerySummary(*view));
  ASSIGN_OR_RETURN(v1::GetTrialBalanceResponse trial, ledger::QueryTrialBalance(*view));
  f.trial_balanced = trial.balanced();
  PrintOfflineReport(in, *view, f);
  return f.chain.ok && f.rebuild.match ? kExitOk : kExitRefused;
}

}  // namespace

absl::StatusOr<int> RunAuditVerify(const Invocation& in) {
  ASSIGN_OR_RETURN(int64_t from, IntOption(in, "from", 0, 0, INT64_MAX));
  ASSIGN_OR_RETURN(int64_t to, IntOption(in, "to", 0, 0, INT64_MAX));
  if (to != 0 && from > to) return Usage(in, "--from is after --to", "--from");
  if (in.Has("checkpoint")) {
    if (in.Has("from") || in.Has("to")) {
      return Usage(in, "--checkpoint checks the whole log; it takes no --from or --to",
                   "--checkpoint");
    }
    return AuditVerifyCheckpoint(in);
  }
  if (in.Has("log-key")) return Usage(in, "--log-key goes with --checkpoint FILE", "--log-key");
  if (in.Has("data-dir")) return AuditOffline(in, "verify", from, to);
  Client client(in.globals());
  v1::VerifyChainRequest req;
  req.set_from_position(static_cast<uint64_t>(from));
  req.set_to_position(static_cast<uint64_t>(to));
  v1::VerifyChainResponse r;
  RETURN_IF_ERROR(
      client.Call([&](grpc::ClientContext* c) { return client.audit().VerifyChain(c, req, &r); }));
  ChainReport report;
  report.ok = r.ok();
  report.events_checked = r.events_checked();
  report.first_bad_position = r.first_bad_position();
  report.problem = r.problem();
  report.verified_position = r.verified_head().position();
  report.verified_hash = r.verified_head().hash();
  PrintChain(report, in.json());
  return r.ok() ? kExitOk : kExitRefused;
}

absl::StatusOr<int> RunAuditRebuildCheck(const Invocation& in) {
  if (in.Has("data-dir")) return AuditOffline(in, "rebuild", 0, 0);
  Client client(in.globals());
  v1::RebuildProjectionsResponse r;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    return client.audit().RebuildProjections(c, v1::RebuildProjectionsRequest(), &r);
  }));
  if (in.json()) {
    PrintJson(r);
    return r.match() ? kExitOk : kExitRefused;
  }
  std::cout << (r.match() ? "projections OK: " : "projections DIFFER: ") << r.events_replayed()
            << " events replayed, " << r.rows_compared() << " rows compared at #"
            << r.as_of().position() << "\n";
  for (const auto& m : r.mismatches()) {
    std::cout << "  " << Terminal(m.key()) << "\n    stored:  " << Terminal(m.stored())
              << "\n    rebuilt: " << Terminal(m.rebuilt()) << "\n";
  }
  return r.match() ? kExitOk : kExitRefused;
}

absl::StatusOr<int> RunAuditReplay(const Invocation& in) {
  if (!in.Has("data-dir")) {
    return Usage(in, "works offline: give --data-dir DIR (a copy or backup)", "--data-dir");
  }
  return AuditOffline(in, "replay", 0, 0);
}

}  // namespace ledgerctl
