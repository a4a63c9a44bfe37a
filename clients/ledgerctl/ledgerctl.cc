// ledgerctl: the treasurer's and auditor's command-line tool.
//
// Talks to ledgerd over gRPC (--server, else $LEDGER_SERVER, else
// localhost:50051), or, for `audit`, opens a data directory or backup
// read-only. Human tables by default, --json for scripts. Any error is one
// line on stderr and a non-zero exit: 1 refused or failed, 2 bad usage,
// 3 the server could not be reached.
//
// Every append carries an event id chosen before sending (or given with
// --event-id) and reused on every retry, so a retry never records money twice.
#include <grpcpp/grpcpp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/backup.h"
#include "ledger/civil_date.h"
#include "ledger/errors.h"
#include "ledger/event_log.h"
#include "ledger/export.h"
#include "ledger/hash.h"
#include "ledger/money.h"
#include "ledger/queries.h"
#include "ledger/replay.h"
#include "ledger/rules.h"
#include "services/grpc_status.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace ledger {
namespace {

namespace v1 = ::solidarity::ledger::v1;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// ------------------------------------------------------------------ args

// Parsed command line: flags (--name value, --name=value, or bare --name) and
// positional words, in any order.
struct Args {
  std::vector<std::string> words;
  std::map<std::string, std::string> flags;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }
};

// Flags that take no value.
bool IsSwitch(const std::string& name) {
  return name == "json" || name == "sensitive" || name == "all" || name == "f" ||
         name == "follow" || name == "help" || name == "h" || name == "no-progress";
}

struct UsageError {
  std::string message;
};

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) args.words.push_back(argv[i]);
      break;
    }
    if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(a[1]) || a[1] == '.'))) {
      std::string name = a.substr(a[1] == '-' ? 2 : 1);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        args.flags[name.substr(0, eq)] = name.substr(eq + 1);
      } else if (IsSwitch(name)) {
        args.flags[name] = "true";
      } else {
        if (i + 1 >= argc) throw UsageError{absl::StrCat("--", name, " needs a value")};
        args.flags[name] = argv[++i];
      }
    } else {
      args.words.push_back(a);
    }
  }
  return args;
}

// ------------------------------------------------------------------ output

std::string Amt(int64_t minor, const std::string& currency) {
  return FormatAmount(minor, currency);
}

std::string ShortHash(const std::string& hash) { return ToHex(hash).substr(0, 16); }

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

// A plain text table: columns padded, numbers right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const {
    std::vector<size_t> width;
    for (const auto& r : rows_) {
      for (size_t i = 0; i < r.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], Utf8Width(r[i]));
      }
    }
    for (size_t ri = 0; ri < rows_.size(); ++ri) {
      const auto& r = rows_[ri];
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        const size_t pad = width[i] - Utf8Width(r[i]);
        const bool right = ri > 0 && LooksNumeric(r[i]);
        if (i > 0) line += "  ";
        if (right) line += std::string(pad, ' ') + r[i];
        else line += r[i] + (i + 1 < r.size() ? std::string(pad, ' ') : "");
      }
      out << line << "\n";
    }
    if (rows_.size() == 1) out << "(none)\n";
  }

 private:
  static size_t Utf8Width(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
  static bool LooksNumeric(const std::string& s) {
    return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-');
  }
  std::vector<std::vector<std::string>> rows_;
};

// ------------------------------------------------------------------ client

class Client {
 public:
  explicit Client(const Args& args) {
    target_ = args.Get("server", std::getenv("LEDGER_SERVER") ? std::getenv("LEDGER_SERVER")
                                                              : "localhost:50051");
    double seconds = 10;
    if (args.Has("timeout") && !absl::SimpleAtod(args.Get("timeout"), &seconds)) {
      throw UsageError{"--timeout takes seconds, e.g. --timeout 5"};
    }
    timeout_ = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    if (args.Has("retries") && !absl::SimpleAtoi(args.Get("retries"), &retries_)) {
      throw UsageError{"--retries takes a number"};
    }
    channel_ = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
    commands_ = v1::LedgerCommands::NewStub(channel_);
    queries_ = v1::LedgerQueries::NewStub(channel_);
    audit_ = v1::LedgerAudit::NewStub(channel_);
  }

  const std::string& target() const { return target_; }

  // Calls `rpc` with a deadline, retrying UNAVAILABLE and DEADLINE_EXCEEDED
  // with backoff. Safe for reads; appends are made safe by their event ids.
  template <typename Fn>
  grpc::Status Call(Fn rpc) {
    grpc::Status status;
    auto backoff = std::chrono::milliseconds(100);
    for (int attempt = 0; attempt <= retries_; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + timeout_);
      context.AddMetadata("x-ledger-actor", Actor());
      status = rpc(&context);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        return status;
      }
      if (attempt < retries_) {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      }
    }
    return status;
  }

  v1::LedgerCommands::Stub& commands() { return *commands_; }
  v1::LedgerQueries::Stub& queries() { return *queries_; }
  v1::LedgerAudit::Stub& audit() { return *audit_; }

 private:
  static std::string Actor() {
    const char* user = std::getenv("USER");
    return absl::StrCat("ledgerctl:", user ? user : "unknown");
  }

  std::string target_;
  std::chrono::milliseconds timeout_{10000};
  int retries_ = 4;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerCommands::Stub> commands_;
  std::unique_ptr<v1::LedgerQueries::Stub> queries_;
  std::unique_ptr<v1::LedgerAudit::Stub> audit_;
};

// An error to report: one line, and an exit code.
struct Failure {
  std::string message;
  int exit_code = kExitRefused;
};

Failure FromRpc(const grpc::Status& s, const Client& client) {
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return Failure{absl::StrCat("cannot reach the ledger at ", client.target(), ": ",
                                s.error_message(), " (UNAVAILABLE)"),
                   kExitUnreachable};
  }
  absl::Status as = FromGrpcStatus(s);
  return Failure{absl::StrCat(s.error_message(), " (", absl::StatusCodeToString(as.code()), ")"),
                 kExitRefused};
}

void Check(const grpc::Status& s, const Client& client) {
  if (!s.ok()) throw FromRpc(s, client);
}

// ------------------------------------------------------------------ events

std::string NewEventId() {
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::StrCat("ctl-", absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()),
                      "-", ToHex(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes))));
}

// "12.50 GBP" from one word, or "12.50" "GBP" from two words at `at`.
v1::Money ParseMoneyWords(const std::vector<std::string>& words, size_t at, const std::string& what) {
  if (words.size() <= at) throw UsageError{absl::StrCat("missing ", what, ", e.g. 12.50 GBP")};
  std::string text = words[at];
  if (text.find(' ') == std::string::npos && words.size() > at + 1) {
    text = absl::StrCat(text, " ", words[at + 1]);
  }
  absl::StatusOr<ledger::Amount> a = ParseAmount(text);
  if (!a.ok()) throw Failure{absl::StrCat(what, ": ", a.status().message()), kExitUsage};
  v1::Money m;
  m.set_amount_minor(a->minor);
  m.set_currency(a->currency);
  return m;
}

v1::Money ParseMoneyFlag(const Args& args, const std::string& flag) {
  return ParseMoneyWords({args.Get(flag)}, 0, absl::StrCat("--", flag));
}

const std::string& Word(const Args& args, size_t i, const std::string& what) {
  if (args.words.size() <= i) throw UsageError{absl::StrCat("missing ", what)};
  return args.words[i];
}

int64_t IntFlag(const Args& args, const std::string& name, int64_t fallback) {
  if (!args.Has(name)) return fallback;
  int64_t v;
  if (!absl::SimpleAtoi(args.Get(name), &v)) {
    throw UsageError{absl::StrCat("--", name, " takes a whole number, not \"", args.Get(name), "\"")};
  }
  return v;
}

std::string DescribeBody(const v1::EventBody& b) {
  switch (b.kind_case()) {
    case v1::EventBody::kLedgerOpened:
      return absl::StrCat("ledger opened: ", b.ledger_opened().name());
    case v1::EventBody::kBeneficiaryRegistered:
      return absl::StrCat("beneficiary ", b.beneficiary_registered().beneficiary_id(),
                          " registered: ", b.beneficiary_registered().display_name());
    case v1::EventBody::kBeneficiaryUpdated:
      return absl::StrCat("beneficiary ", b.beneficiary_updated().beneficiary_id(), " updated");
    case v1::EventBody::kBeneficiaryClosed:
      return absl::StrCat("beneficiary ", b.beneficiary_closed().beneficiary_id(), " closed");
    case v1::EventBody::kBranchAffiliated:
      return absl::StrCat("branch ", b.branch_affiliated().branch_id(), " affiliated: ",
                          b.branch_affiliated().union_name(), " ", b.branch_affiliated().branch_name());
    case v1::EventBody::kBranchDisaffiliated:
      return absl::StrCat("branch ", b.branch_disaffiliated().branch_id(), " disaffiliated");
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& e = b.affiliation_fee_paid();
      return absl::StrCat("fee ", Amt(e.amount().amount_minor(), e.amount().currency()),
                          " from branch ", e.branch_id(), " (", e.periods(), " period",
                          e.periods() == 1 ? "" : "s", ")");
    }
    case v1::EventBody::kDonationReceived: {
      const auto& e = b.donation_received();
      std::string from = e.donor_kind() == v1::DONOR_KIND_BRANCH
                             ? absl::StrCat("branch ", e.branch_id())
                             : e.donor_kind() == v1::DONOR_KIND_ANONYMOUS ? "anonymous"
                             : e.donor_ref().empty() ? "a donor" : e.donor_ref();
      return absl::StrCat("donation ", Amt(e.amount().amount_minor(), e.amount().currency()),
                          " from ", from, " to ",
                          e.earmark_beneficiary_id().empty()
                              ? "general fund"
                              : absl::StrCat("fund ", e.earmark_beneficiary_id()));
    }
    case v1::EventBody::kFundsAllocated: {
      const auto& e = b.funds_allocated();
      return absl::StrCat("allocation ", Amt(e.amount().amount_minor(), e.amount().currency()),
                          " general -> ", e.beneficiary_id());
    }
    case v1::EventBody::kDisbursementMade: {
      const auto& e = b.disbursement_made();
      return absl::StrCat("disbursement ", Amt(e.amount().amount_minor(), e.amount().currency()),
                          " from ", e.beneficiary_id(), ": ", e.purpose());
    }
    case v1::EventBody::kEventReversed: {
      const auto& e = b.event_reversed();
      std::string amount = e.amount().amount_minor()
                               ? Amt(e.amount().amount_minor(), e.amount().currency())
                               : "in full";
      return absl::StrCat("reversal of ", e.target_event_id(), " ", amount, ": ", e.reason());
    }
    case v1::EventBody::KIND_NOT_SET:
      break;
  }
  return "(unknown event)";
}

void PrintEventLine(const v1::Event& e) {
  std::cout << "#" << e.position() << "  " << e.occurred_on() << "  " << DescribeBody(e.body())
            << "  [" << e.event_id() << "]";
  if (e.reversed_by_position()) std::cout << "  (reversed by #" << e.reversed_by_position() << ")";
  std::cout << "\n";
}

// --as-of POSITION or --as-of YYYY-MM-DD (end of that day, by occurred_on).
v1::AsOf AsOfFlag(const Args& args) {
  v1::AsOf as_of;
  if (!args.Has("as-of")) return as_of;
  const std::string v = args.Get("as-of");
  uint64_t position;
  if (absl::SimpleAtoi(v, &position)) as_of.set_position(position);
  else as_of.set_end_of_date(v);
  return as_of;
}

std::string AsOfNote(const Args& args) {
  if (!args.Has("as-of")) return "";
  const std::string v = args.Get("as-of");
  uint64_t position;
  return absl::SimpleAtoi(v, &position) ? absl::StrCat(" (as of position ", v, ")")
                                        : absl::StrCat(" (as of the end of ", v, ")");
}

// ------------------------------------------------------------------ append

int AppendOne(Client& client, const Args& args, v1::EventInput input) {
  input.set_event_id(args.Get("event-id", NewEventId()));
  input.set_occurred_on(args.Get("on", FormatDate(TodayUtc(Clock::Real()))));
  if (args.Has("memo")) input.set_memo(args.Get("memo"));
  v1::AppendRequest request;
  *request.add_events() = input;
  v1::AppendResponse response;
  grpc::Status s = client.Call([&](grpc::ClientContext* ctx) {
    return client.commands().Append(ctx, request, &response);
  });
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    // The outcome is unknown: settle it by looking the event id up.
    v1::GetEventRequest lookup;
    lookup.set_event_id(input.event_id());
    v1::GetEventResponse found;
    grpc::Status ls = client.Call([&](grpc::ClientContext* ctx) {
      return client.audit().GetEvent(ctx, lookup, &found);
    });
    if (ls.ok()) {
      response.add_positions(found.event().position());
      s = grpc::Status::OK;
    } else if (ls.error_code() == grpc::StatusCode::NOT_FOUND) {
      throw Failure{absl::StrCat("not recorded: ", s.error_message(), " (",
                                 s.error_code() == grpc::StatusCode::UNAVAILABLE ? "UNAVAILABLE" : "DEADLINE_EXCEEDED",
                                 "); retry with --event-id ", input.event_id()),
                    s.error_code() == grpc::StatusCode::UNAVAILABLE ? kExitUnreachable : kExitRefused};
    } else {
      throw Failure{absl::StrCat("outcome unknown: ", s.error_message(), "; look up or retry with --event-id ",
                                 input.event_id()),
                    kExitUnreachable};
    }
  }
  Check(s, client);
  if (args.Has("json")) {
    std::cout << Json(response) << "\n";
  } else {
    std::cout << "recorded " << KindName(input.body()) << " at position " << response.positions(0)
              << " (event id " << input.event_id() << ")"
              << (response.deduplicated() ? " — already recorded earlier, nothing new written" : "")
              << "\n";
  }
  return 0;
}

int CmdBeneficiary(Client& client, const Args& args) {
  const std::string& sub = Word(args, 1, "beneficiary subcommand (add, update, close, show)");
  v1::EventInput in;
  if (sub == "add") {
    auto* e = in.mutable_body()->mutable_beneficiary_registered();
    e->set_beneficiary_id(Word(args, 2, "beneficiary id"));
    if (!args.Has("name")) throw UsageError{"beneficiary add needs --name \"Display name\""};
    e->set_display_name(args.Get("name"));
    e->set_purpose(args.Get("purpose"));
    e->set_sensitive(args.Has("sensitive"));
  } else if (sub == "update") {
    auto* e = in.mutable_body()->mutable_beneficiary_updated();
    e->set_beneficiary_id(Word(args, 2, "beneficiary id"));
    e->set_display_name(args.Get("name"));
    e->set_purpose(args.Get("purpose"));
  } else if (sub == "close") {
    auto* e = in.mutable_body()->mutable_beneficiary_closed();
    e->set_beneficiary_id(Word(args, 2, "beneficiary id"));
    e->set_reason(args.Get("reason"));
  } else if (sub == "show") {
    v1::GetBeneficiaryRequest req;
    req.set_beneficiary_id(Word(args, 2, "beneficiary id"));
    *req.mutable_as_of() = AsOfFlag(args);
    v1::GetBeneficiaryResponse resp;
    Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetBeneficiary(c, req, &resp); }), client);
    if (args.Has("json")) {
      std::cout << Json(resp) << "\n";
      return 0;
    }
    const auto& b = resp.beneficiary().beneficiary();
    std::cout << b.display_name() << " [" << b.beneficiary_id() << "]"
              << (b.status() == v1::STATUS_OPEN ? "" : " (closed)") << "\n";
    if (!b.purpose().empty()) std::cout << "purpose: " << b.purpose() << "\n";
    Table t({"currency", "received", "allocated in", "disbursed", "available"});
    for (const auto& f : resp.beneficiary().balances()) {
      t.Add({f.currency(), FormatDecimal(f.received_minor(), f.currency()),
             FormatDecimal(f.allocated_in_minor(), f.currency()),
             FormatDecimal(f.disbursed_minor(), f.currency()),
             FormatDecimal(f.available_minor(), f.currency())});
    }
    t.Print(std::cout);
    return 0;
  } else {
    throw UsageError{absl::StrCat("unknown beneficiary subcommand \"", sub, "\"")};
  }
  return AppendOne(client, args, in);
}

v1::FeePeriod ParsePeriod(const std::string& s) {
  if (s == "monthly") return v1::FEE_PERIOD_MONTHLY;
  if (s == "quarterly") return v1::FEE_PERIOD_QUARTERLY;
  if (s == "annual" || s == "annually" || s == "yearly") return v1::FEE_PERIOD_ANNUAL;
  throw UsageError{absl::StrCat("--period must be monthly, quarterly or annual, not \"", s, "\"")};
}

int PrintBranch(Client& client, const Args& args, const std::string& id) {
  v1::GetBranchRequest req;
  req.set_branch_id(id);
  *req.mutable_as_of() = AsOfFlag(args);
  v1::GetBranchResponse resp;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetBranch(c, req, &resp); }), client);
  if (args.Has("json")) {
    std::cout << Json(resp) << "\n";
    return 0;
  }
  const auto& v = resp.branch();
  const auto& b = v.branch();
  std::cout << b.union_name() << " " << b.branch_name() << " [" << b.branch_id() << "]"
            << (b.region().empty() ? "" : absl::StrCat(", ", b.region())) << "\n";
  std::cout << "status: " << (b.status() == v1::STATUS_OPEN ? "affiliated" : "disaffiliated")
            << " since " << b.affiliated_on() << "; " << b.members() << " members; fee "
            << Amt(v.fee_per_period().amount_minor(), v.fee_per_period().currency()) << " per "
            << (b.fee_basis().period() == v1::FEE_PERIOD_MONTHLY ? "month"
                : b.fee_basis().period() == v1::FEE_PERIOD_QUARTERLY ? "quarter" : "year")
            << "\n";
  std::cout << "paid until " << b.paid_until() << (v.in_arrears() ? " — IN ARREARS" : " — paid up")
            << " (as of " << resp.today() << ")\n";
  Table t({"currency", "fees", "donations", "total"});
  for (const auto& x : b.totals()) {
    t.Add({x.currency(), FormatDecimal(x.fees_paid_minor(), x.currency()),
           FormatDecimal(x.donations_minor(), x.currency()), FormatDecimal(x.total_minor(), x.currency())});
  }
  t.Print(std::cout);
  return 0;
}

int CmdBranch(Client& client, const Args& args) {
  const std::string& sub = Word(args, 1, "branch subcommand (affiliate, disaffiliate, pay-fee, show)");
  v1::EventInput in;
  if (sub == "affiliate") {
    auto* e = in.mutable_body()->mutable_branch_affiliated();
    e->set_branch_id(Word(args, 2, "branch id"));
    if (!args.Has("union") || !args.Has("branch-name")) {
      throw UsageError{"branch affiliate needs --union and --branch-name"};
    }
    e->set_union_name(args.Get("union"));
    e->set_branch_name(args.Get("branch-name"));
    e->set_region(args.Get("region"));
    e->set_members(IntFlag(args, "members", 0));
    auto* basis = e->mutable_fee_basis();
    basis->set_period(ParsePeriod(args.Get("period", "monthly")));
    if (args.Has("fee")) {
      *basis->mutable_fixed()->mutable_fee() = ParseMoneyFlag(args, "fee");
    } else if (args.Has("fee-per-member")) {
      *basis->mutable_per_member()->mutable_fee_per_member() = ParseMoneyFlag(args, "fee-per-member");
      if (args.Has("minimum")) *basis->mutable_per_member()->mutable_minimum() = ParseMoneyFlag(args, "minimum");
    } else {
      throw UsageError{"branch affiliate needs --fee \"10.00 GBP\" or --fee-per-member \"0.50 GBP\""};
    }
  } else if (sub == "disaffiliate") {
    auto* e = in.mutable_body()->mutable_branch_disaffiliated();
    e->set_branch_id(Word(args, 2, "branch id"));
    e->set_reason(args.Get("reason"));
  } else if (sub == "pay-fee") {
    auto* e = in.mutable_body()->mutable_affiliation_fee_paid();
    e->set_branch_id(Word(args, 2, "branch id"));
    *e->mutable_amount() = ParseMoneyWords(args.words, 3, "fee amount");
    e->set_periods(static_cast<int32_t>(IntFlag(args, "periods", 1)));
    e->set_method(args.Get("method"));
    e->set_reference(args.Get("reference"));
  } else if (sub == "show") {
    return PrintBranch(client, args, Word(args, 2, "branch id"));
  } else {
    return PrintBranch(client, args, sub);
  }
  return AppendOne(client, args, in);
}

v1::DonorKind ParseDonor(const std::string& s) {
  if (s == "individual") return v1::DONOR_KIND_INDIVIDUAL;
  if (s == "branch") return v1::DONOR_KIND_BRANCH;
  if (s == "organisation" || s == "organization") return v1::DONOR_KIND_ORGANISATION;
  if (s == "anonymous") return v1::DONOR_KIND_ANONYMOUS;
  throw UsageError{absl::StrCat("--donor must be individual, branch, organisation or anonymous, not \"", s, "\"")};
}

int CmdDonate(Client& client, const Args& args) {
  v1::EventInput in;
  auto* e = in.mutable_body()->mutable_donation_received();
  *e->mutable_amount() = ParseMoneyWords(args.words, 1, "amount");
  std::string donor = args.Get("donor", args.Has("branch") ? "branch" : "individual");
  e->set_donor_kind(ParseDonor(donor));
  e->set_branch_id(args.Get("branch"));
  e->set_donor_ref(args.Get("donor-ref"));
  e->set_earmark_beneficiary_id(args.Get("to"));
  e->set_method(args.Get("method"));
  e->set_reference(args.Get("reference"));
  return AppendOne(client, args, in);
}

int CmdAllocate(Client& client, const Args& args) {
  v1::EventInput in;
  auto* e = in.mutable_body()->mutable_funds_allocated();
  e->set_beneficiary_id(Word(args, 1, "beneficiary id"));
  *e->mutable_amount() = ParseMoneyWords(args.words, 2, "amount");
  return AppendOne(client, args, in);
}

int CmdDisburse(Client& client, const Args& args) {
  v1::EventInput in;
  auto* e = in.mutable_body()->mutable_disbursement_made();
  e->set_beneficiary_id(Word(args, 1, "beneficiary id"));
  *e->mutable_amount() = ParseMoneyWords(args.words, 2, "amount");
  if (!args.Has("purpose")) throw UsageError{"disburse needs --purpose \"what it pays for\""};
  e->set_purpose(args.Get("purpose"));
  e->set_payee(args.Get("payee"));
  e->set_method(args.Get("method"));
  e->set_reference(args.Get("reference"));
  return AppendOne(client, args, in);
}

int CmdReverse(Client& client, const Args& args) {
  v1::EventInput in;
  auto* e = in.mutable_body()->mutable_event_reversed();
  e->set_target_event_id(Word(args, 1, "event id to reverse"));
  const std::string kind = args.Get("kind", "correction");
  if (kind == "refund") e->set_kind(v1::REVERSAL_KIND_REFUND);
  else if (kind == "correction") e->set_kind(v1::REVERSAL_KIND_CORRECTION);
  else if (kind == "duplicate") e->set_kind(v1::REVERSAL_KIND_DUPLICATE);
  else if (kind == "chargeback") e->set_kind(v1::REVERSAL_KIND_CHARGEBACK);
  else throw UsageError{"--kind must be refund, correction, duplicate or chargeback"};
  if (!args.Has("reason")) throw UsageError{"reverse needs --reason \"why\""};
  e->set_reason(args.Get("reason"));
  if (args.Has("amount")) *e->mutable_amount() = ParseMoneyFlag(args, "amount");
  return AppendOne(client, args, in);
}

// ------------------------------------------------------------------ reads


int CmdSummary(Client& client, const Args& args) {
  v1::GetSummaryRequest req;
  *req.mutable_as_of() = AsOfFlag(args);
  v1::GetSummaryResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetSummary(c, req, &r); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  std::cout << r.ledger_name() << " — ledger " << r.ledger_id() << AsOfNote(args) << "\n"
            << "head #" << r.as_of().position() << " " << ShortHash(r.as_of().hash()) << ", "
            << r.totals().event_count() << " events, " << r.totals().reversal_count() << " reversals\n";
  Table t({"currency", "raised", "disbursed", "held", "general fund"});
  for (const auto& c : r.totals().currencies()) {
    int64_t general = 0;
    for (const auto& g : r.general_fund()) {
      if (g.currency() == c.currency()) general = g.available_minor();
    }
    t.Add({c.currency(), FormatDecimal(c.raised_minor(), c.currency()),
           FormatDecimal(c.disbursed_minor(), c.currency()), FormatDecimal(c.held_minor(), c.currency()),
           FormatDecimal(general, c.currency())});
  }
  t.Print(std::cout);
  return 0;
}

int CmdBalances(Client& client, const Args& args) {
  v1::ListBeneficiariesRequest req;
  req.set_include_closed(args.Has("all"));
  *req.mutable_as_of() = AsOfFlag(args);
  v1::ListBeneficiariesResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().ListBeneficiaries(c, req, &r); }), client);
  v1::GetSummaryRequest sreq;
  *sreq.mutable_as_of() = AsOfFlag(args);
  v1::GetSummaryResponse s;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetSummary(c, sreq, &s); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  Table t({"fund", "name", "currency", "received", "allocated", "disbursed", "available"});
  for (const auto& g : s.general_fund()) {
    t.Add({"general", "(unrestricted)", g.currency(), FormatDecimal(g.received_minor(), g.currency()),
           FormatDecimal(-g.allocated_out_minor(), g.currency()), FormatDecimal(g.disbursed_minor(), g.currency()),
           FormatDecimal(g.available_minor(), g.currency())});
  }
  for (const auto& bv : r.beneficiaries()) {
    const auto& b = bv.beneficiary();
    std::string name = b.display_name() + (b.status() == v1::STATUS_OPEN ? "" : " (closed)");
    if (bv.balances().empty()) t.Add({b.beneficiary_id(), name, "", "", "", "", ""});
    for (const auto& f : bv.balances()) {
      t.Add({b.beneficiary_id(), name, f.currency(), FormatDecimal(f.received_minor(), f.currency()),
             FormatDecimal(f.allocated_in_minor(), f.currency()), FormatDecimal(f.disbursed_minor(), f.currency()),
             FormatDecimal(f.available_minor(), f.currency())});
    }
  }
  t.Print(std::cout);
  std::cout << "as of #" << r.as_of().position() << " " << ShortHash(r.as_of().hash()) << AsOfNote(args) << "\n";
  return 0;
}

int CmdBranches(Client& client, const Args& args) {
  v1::ListBranchesRequest req;
  req.set_include_disaffiliated(args.Has("all"));
  *req.mutable_as_of() = AsOfFlag(args);
  v1::ListBranchesResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().ListBranches(c, req, &r); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  Table t({"branch", "union", "name", "status", "paid until", "fees", "donations", "total"});
  for (const auto& v : r.branches()) {
    const auto& b = v.branch();
    std::string status = b.status() != v1::STATUS_OPEN ? "disaffiliated" : v.in_arrears() ? "ARREARS" : "paid up";
    if (b.totals().empty()) t.Add({b.branch_id(), b.union_name(), b.branch_name(), status, b.paid_until(), "-", "-", "-"});
    for (const auto& x : b.totals()) {
      t.Add({b.branch_id(), b.union_name(), b.branch_name(), status, b.paid_until(),
             Amt(x.fees_paid_minor(), x.currency()), Amt(x.donations_minor(), x.currency()),
             Amt(x.total_minor(), x.currency())});
    }
  }
  t.Print(std::cout);
  return 0;
}

int CmdTrialBalance(Client& client, const Args& args) {
  v1::GetTrialBalanceRequest req;
  *req.mutable_as_of() = AsOfFlag(args);
  v1::GetTrialBalanceResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetTrialBalance(c, req, &r); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  Table t({"account", "currency", "debits", "credits", "balance"});
  for (const auto& a : r.accounts()) {
    t.Add({a.account(), a.currency(), FormatDecimal(a.debits_minor(), a.currency()),
           FormatDecimal(a.credits_minor(), a.currency()),
           FormatDecimal(a.debits_minor() - a.credits_minor(), a.currency())});
  }
  for (const auto& x : r.totals()) {
    t.Add({"TOTAL", x.currency(), FormatDecimal(x.debits_minor(), x.currency()),
           FormatDecimal(x.credits_minor(), x.currency()),
           FormatDecimal(x.debits_minor() - x.credits_minor(), x.currency())});
  }
  t.Print(std::cout);
  std::cout << (r.balanced() ? "balanced: debits equal credits in every currency\n"
                             : "NOT BALANCED: the stored projections are damaged\n");
  return r.balanced() ? 0 : kExitRefused;
}

int CmdEvents(Client& client, const Args& args) {
  v1::ReadEventsRequest req;
  req.set_from_position(static_cast<uint64_t>(IntFlag(args, "from", 1)));
  req.set_limit(static_cast<uint32_t>(IntFlag(args, "limit", 100)));
  v1::ReadEventsResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.audit().ReadEvents(c, req, &r); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  for (const auto& e : r.events()) PrintEventLine(e);
  return 0;
}

int CmdEvent(Client& client, const Args& args) {
  const std::string& key = Word(args, 1, "event id or position");
  v1::GetEventRequest req;
  uint64_t position;
  if (absl::SimpleAtoi(key, &position)) req.set_position(position);
  else req.set_event_id(key);
  v1::GetEventResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.audit().GetEvent(c, req, &r); }), client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
    return 0;
  }
  PrintEventLine(r.event());
  std::cout << "recorded " << absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(r.event().recorded_at_us()), absl::UTCTimeZone())
            << " by " << r.event().actor() << "\nhash " << ToHex(r.event().hash()) << "\nprev "
            << ToHex(r.event().prev_hash()) << "\n";
  return 0;
}

int CmdTail(Client& client, const Args& args) {
  const bool follow = args.Has("f") || args.Has("follow");
  v1::GetHeadResponse head;
  Check(client.Call([&](grpc::ClientContext* c) { return client.audit().GetHead(c, v1::GetHeadRequest(), &head); }), client);
  const int64_t n = IntFlag(args, "n", 10);
  uint64_t from = head.head().position() > static_cast<uint64_t>(n) ? head.head().position() - n + 1 : 1;
  if (args.Has("from")) from = static_cast<uint64_t>(IntFlag(args, "from", 1));
  v1::SubscribeRequest req;
  req.set_from_position(from);
  grpc::ClientContext ctx;
  auto reader = client.audit().Subscribe(&ctx, req);
  v1::SubscribeResponse item;
  while (reader->Read(&item)) {
    if (item.has_caught_up()) {
      if (!follow) {
        ctx.TryCancel();
        break;
      }
      continue;
    }
    if (args.Has("json")) {
      std::string line;
      google::protobuf::util::JsonPrintOptions o;
      o.preserve_proto_field_names = true;
      (void)google::protobuf::util::MessageToJsonString(item.event(), &line, o);
      std::cout << line << "\n" << std::flush;
    } else {
      PrintEventLine(item.event());
      std::cout << std::flush;
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) Check(s, client);
  return 0;
}

int CmdHead(Client& client, const Args& args) {
  v1::GetHeadResponse r;
  Check(client.Call([&](grpc::ClientContext* c) { return client.audit().GetHead(c, v1::GetHeadRequest(), &r); }), client);
  if (args.Has("json")) std::cout << Json(r) << "\n";
  else std::cout << r.head().position() << " " << ToHex(r.head().hash()) << "\n";
  return 0;
}

// ------------------------------------------------------------------ audit

void PrintChain(const ChainReport& r, bool json) {
  if (json) {
    v1::VerifyChainResponse out;
    out.set_ok(r.ok);
    out.set_events_checked(r.events_checked);
    out.set_first_bad_position(r.first_bad_position);
    out.set_problem(r.problem);
    out.mutable_verified_head()->set_position(r.verified_position);
    out.mutable_verified_head()->set_hash(r.verified_hash);
    std::cout << Json(out) << "\n";
    return;
  }
  if (r.ok) {
    std::cout << "chain OK: " << r.events_checked << " events verified, head #" << r.verified_position
              << " " << ToHex(r.verified_hash) << "\n";
  } else {
    std::cout << "chain BROKEN at position " << r.first_bad_position << ": " << r.problem << "\n";
  }
}

int AuditOffline(const Args& args, const std::string& sub) {
  EventLogOptions options;
  options.read_only = true;
  auto log = EventLog::Open(args.Get("data-dir"), options);
  if (!log.ok()) throw Failure{std::string(log.status().message()), kExitRefused};
  auto view = (*log)->NewReadView();
  const bool tty = isatty(STDERR_FILENO) && !args.Has("no-progress");
  const uint64_t head = view->head_position();
  auto progress = [&](const char* what) {
    return [=](uint64_t at) {
      if (tty) std::fprintf(stderr, "\r%s %llu / %llu (%3.0f%%)", what, static_cast<unsigned long long>(at),
                            static_cast<unsigned long long>(head), head ? 100.0 * at / head : 100.0);
    };
  };
  bool ok = true;
  ChainReport chain;
  if (sub == "verify" || sub == "replay") {
    auto r = VerifyChain(*view, static_cast<uint64_t>(IntFlag(args, "from", 0)),
                         static_cast<uint64_t>(IntFlag(args, "to", 0)), progress("verifying"));
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!r.ok()) throw Failure{std::string(r.status().message())};
    chain = *r;
    ok = ok && chain.ok;
    if (sub == "verify") {
      PrintChain(chain, args.Has("json"));
      return ok ? 0 : kExitRefused;
    }
  }
  auto rebuild = RebuildAndCompare(*view, progress("replaying"));
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!rebuild.ok()) throw Failure{std::string(rebuild.status().message())};
  ok = ok && rebuild->match;
  auto summary = QuerySummary(*view);
  auto trial = QueryTrialBalance(*view);
  if (!summary.ok() || !trial.ok()) throw Failure{"cannot read the summary"};
  if (args.Has("json")) {
    std::cout << "{\"chain_ok\": " << (chain.ok ? "true" : "false") << ", \"projections_match\": "
              << (rebuild->match ? "true" : "false") << ", \"events\": " << rebuild->events_replayed
              << ", \"head_position\": " << head << ", \"head_hash\": \"" << ToHex(view->head_hash())
              << "\", \"trial_balance_zero\": " << (trial->balanced() ? "true" : "false") << "}\n";
    return ok ? 0 : kExitRefused;
  }
  std::cout << "Offline audit of " << args.Get("data-dir") << "\n"
            << "ledger      " << view->ledger_id() << " (" << view->ledger_name() << ")\n"
            << "events      " << rebuild->events_replayed << " replayed from position 1\n"
            << "head        #" << head << " " << ToHex(view->head_hash()) << "\n";
  if (sub == "replay") {
    std::cout << "hash chain  " << (chain.ok ? "verified" : absl::StrCat("BROKEN at position ", chain.first_bad_position, ": ", chain.problem)) << "\n";
  }
  std::cout << "projections " << (rebuild->match ? "rebuilt from the log and equal to the stored ones"
                                                 : "DIFFER from a rebuild")
            << " (" << rebuild->rows_compared << " rows)\n";
  if (rebuild->failed_position) {
    std::cout << "  event #" << rebuild->failed_position << " fails the rules on replay: " << rebuild->failure << "\n";
  }
  for (const auto& m : rebuild->mismatches) {
    std::cout << "  " << m.key << "\n    stored:  " << m.stored << "\n    rebuilt: " << m.rebuilt << "\n";
  }
  std::cout << "trial bal.  " << (trial->balanced() ? "zero in every currency" : "NOT ZERO") << "\n";
  Table t({"currency", "raised", "disbursed", "held"});
  for (const auto& c : summary->totals().currencies()) {
    t.Add({c.currency(), FormatDecimal(c.raised_minor(), c.currency()),
           FormatDecimal(c.disbursed_minor(), c.currency()), FormatDecimal(c.held_minor(), c.currency())});
  }
  t.Print(std::cout);
  std::cout << (ok ? "RESULT: the books verify.\n" : "RESULT: PROBLEMS FOUND (see above).\n");
  return ok ? 0 : kExitRefused;
}

int CmdAudit(Client* client, const Args& args) {
  const std::string& sub = Word(args, 1, "audit subcommand (verify, rebuild-check, replay)");
  if (sub != "verify" && sub != "rebuild-check" && sub != "replay") {
    throw UsageError{absl::StrCat("unknown audit subcommand \"", sub, "\"")};
  }
  if (args.Has("data-dir")) return AuditOffline(args, sub == "rebuild-check" ? "rebuild" : sub);
  if (sub == "replay") throw UsageError{"audit replay works offline: give --data-dir DIR (a copy or backup)"};
  if (sub == "verify") {
    v1::VerifyChainRequest req;
    req.set_from_position(static_cast<uint64_t>(IntFlag(args, "from", 0)));
    req.set_to_position(static_cast<uint64_t>(IntFlag(args, "to", 0)));
    v1::VerifyChainResponse r;
    Check(client->Call([&](grpc::ClientContext* c) { return client->audit().VerifyChain(c, req, &r); }), *client);
    ChainReport report;
    report.ok = r.ok();
    report.events_checked = r.events_checked();
    report.first_bad_position = r.first_bad_position();
    report.problem = r.problem();
    report.verified_position = r.verified_head().position();
    report.verified_hash = r.verified_head().hash();
    PrintChain(report, args.Has("json"));
    return r.ok() ? 0 : kExitRefused;
  }
  v1::RebuildProjectionsResponse r;
  Check(client->Call([&](grpc::ClientContext* c) {
    return client->audit().RebuildProjections(c, v1::RebuildProjectionsRequest(), &r);
  }), *client);
  if (args.Has("json")) {
    std::cout << Json(r) << "\n";
  } else {
    std::cout << (r.match() ? "projections OK: " : "projections DIFFER: ") << r.events_replayed()
              << " events replayed, " << r.rows_compared() << " rows compared at #" << r.as_of().position() << "\n";
    for (const auto& m : r.mismatches()) {
      std::cout << "  " << m.key() << "\n    stored:  " << m.stored() << "\n    rebuilt: " << m.rebuilt() << "\n";
    }
  }
  return r.match() ? 0 : kExitRefused;
}

// ------------------------------------------------------------------ export and backup

// A progress line on stderr, only on a terminal and without --no-progress.
std::function<void(uint64_t, uint64_t)> ProgressLine(const Args& args, const std::string& what) {
  if (!isatty(STDERR_FILENO) || args.Has("no-progress")) return {};
  return [what](uint64_t at, uint64_t last) {
    const unsigned long long percent = last == 0 ? 100 : at * 100 / last;
    std::fprintf(stderr, "\r%s %llu / %llu (%3llu%%)", what.c_str(),
                 static_cast<unsigned long long>(at), static_cast<unsigned long long>(last), percent);
    std::fflush(stderr);
  };
}

void ClearProgressLine(const Args& args) {
  if (isatty(STDERR_FILENO) && !args.Has("no-progress")) std::fprintf(stderr, "\r\033[K");
}

std::string Bytes(uint64_t n) {
  if (n < 10 * 1024) return absl::StrCat(n, " bytes");
  if (n < 10 * 1024 * 1024) return absl::StrCat(n / 1024, " KiB");
  return absl::StrCat(n / (1024 * 1024), " MiB");
}

std::string UtcSeconds(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
}

// ledgerctl export events|postings [--format csv|jsonl] [--output FILE] [--data-dir DIR]
int CmdExport(const Args& args) {
  const std::string& what = Word(args, 1, "what to export: events or postings");
  absl::StatusOr<ExportTable> table = ParseExportTable(what);
  if (!table.ok()) throw UsageError{std::string(table.status().message())};
  absl::StatusOr<ExportFormat> format = ParseExportFormat(args.Get("format", "csv"));
  if (!format.ok()) throw UsageError{std::string(format.status().message())};
  const std::string output = args.Get("output");
  // A file is written beside its final name and renamed when complete, so a
  // failed export never leaves a file that looks whole.
  const std::string partial = output.empty() ? "" : absl::StrCat(output, ".partial");
  std::ofstream file;
  if (!output.empty()) {
    file.open(partial, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!file) throw Failure{absl::StrCat("cannot write ", partial)};
  }
  std::ostream& out = output.empty() ? std::cout : file;
  auto progress = ProgressLine(args, absl::StrCat("exporting ", what));
  absl::StatusOr<ExportSummary> summary;
  if (args.Has("data-dir")) {
    EventLogOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    auto log = EventLog::Open(args.Get("data-dir"), options);
    if (!log.ok()) throw Failure{std::string(log.status().message())};
    auto view = (*log)->NewReadView();
    summary = ExportFromView(*view, *table, *format, out, progress);
  } else {
    Client client(args);
    std::optional<Failure> rpc_failure;
    PageReader pages = [&](uint64_t from, uint32_t limit) -> absl::StatusOr<v1::ReadEventsResponse> {
      v1::ReadEventsRequest req;
      req.set_from_position(from);
      req.set_limit(limit);
      v1::ReadEventsResponse r;
      grpc::Status s = client.Call([&](grpc::ClientContext* c) { return client.audit().ReadEvents(c, req, &r); });
      if (!s.ok()) {
        rpc_failure = FromRpc(s, client);
        return FromGrpcStatus(s);
      }
      return r;
    };
    TargetLookup lookup = [&](absl::string_view id) -> absl::StatusOr<std::optional<v1::Event>> {
      v1::GetEventRequest req;
      req.set_event_id(std::string(id));
      v1::GetEventResponse r;
      grpc::Status s = client.Call([&](grpc::ClientContext* c) { return client.audit().GetEvent(c, req, &r); });
      if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<v1::Event>();
      if (!s.ok()) {
        rpc_failure = FromRpc(s, client);
        return FromGrpcStatus(s);
      }
      return std::optional<v1::Event>(std::move(*r.mutable_event()));
    };
    summary = ExportFromPages(pages, lookup, *table, *format, out, progress);
    if (!summary.ok() && rpc_failure) {
      ClearProgressLine(args);
      if (!partial.empty()) std::remove(partial.c_str());
      throw *rpc_failure;
    }
  }
  ClearProgressLine(args);
  if (!summary.ok()) {
    if (!partial.empty()) std::remove(partial.c_str());
    throw Failure{absl::StrCat("export failed: ", summary.status().message())};
  }
  if (output.empty()) return 0;
  file.close();
  if (!file || std::rename(partial.c_str(), output.c_str()) != 0) {
    std::remove(partial.c_str());
    throw Failure{absl::StrCat("cannot write ", output)};
  }
  if (args.Has("json")) {
    std::cout << "{\"file\": \"" << output << "\", \"events\": " << summary->events
              << ", \"rows\": " << summary->rows << ", \"head_position\": " << summary->head_position
              << ", \"head_hash\": \"" << ToHex(summary->head_hash) << "\"}\n";
  } else {
    std::cout << "exported " << summary->rows << (*table == ExportTable::kEvents ? " event" : " posting")
              << " rows (" << summary->events
              << " events, head #" << summary->head_position << " " << ToHex(summary->head_hash)
              << ") to " << output << "\n";
  }
  return 0;
}

uint32_t BackupIdFlag(const Args& args) {
  const int64_t id = IntFlag(args, "id", 0);
  if (id < 0 || id > std::numeric_limits<uint32_t>::max()) throw UsageError{"--id takes a backup id (1, 2, ...)"};
  return static_cast<uint32_t>(id);
}

v1::CreateBackupResponse BackupMessage(const BackupInfo& b) {
  v1::CreateBackupResponse m;
  m.set_backup_id(b.backup_id);
  m.mutable_head()->set_position(b.head_position);
  m.mutable_head()->set_hash(b.head_hash);
  m.set_size_bytes(b.size_bytes);
  m.set_file_count(b.file_count);
  m.set_created_at_seconds(b.created_at_seconds);
  m.set_ledger_id(b.ledger_id);
  return m;
}

// ledgerctl backup create --to DIR | list DIR | verify DIR [--id N] | restore DIR [--id N] --data-dir TARGET
int CmdBackup(const Args& args) {
  const std::string& sub = Word(args, 1, "backup subcommand (create, list, verify, restore)");
  const bool json = args.Has("json");
  if (sub == "create") {
    if (!args.Has("to")) throw UsageError{"backup create needs --to DIR (an absolute path on the server)"};
    Client client(args);
    auto channel = grpc::CreateChannel(client.target(), grpc::InsecureChannelCredentials());
    auto admin = v1::LedgerAdmin::NewStub(channel);
    v1::CreateBackupRequest req;
    req.set_backup_dir(args.Get("to"));
    v1::CreateBackupResponse r;
    grpc::ClientContext context;
    // A backup copies files: allow it an hour unless --timeout says otherwise.
    double seconds = 3600;
    if (args.Has("timeout") && !absl::SimpleAtod(args.Get("timeout"), &seconds)) {
      throw UsageError{"--timeout takes seconds, e.g. --timeout 5"};
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
    const char* user = std::getenv("USER");
    context.AddMetadata("x-ledger-actor", absl::StrCat("ledgerctl:", user ? user : "unknown"));
    Check(admin->CreateBackup(&context, req, &r), client);
    if (json) {
      std::cout << Json(r) << "\n";
    } else {
      std::cout << "backup " << r.backup_id() << " of ledger " << r.ledger_id() << " in " << req.backup_dir()
                << ": head #" << r.head().position() << " " << ToHex(r.head().hash()) << ", "
                << Bytes(r.size_bytes()) << " in " << r.file_count() << " files\n";
    }
    return 0;
  }
  if (sub == "list") {
    const std::string& dir = Word(args, 2, "backup directory");
    auto list = ListBackups(dir);
    if (!list.ok()) throw Failure{std::string(list.status().message())};
    if (json) {
      std::cout << "{\"backups\": [";
      for (size_t i = 0; i < list->size(); ++i) {
        std::string one;
        google::protobuf::util::JsonPrintOptions o;
        o.always_print_primitive_fields = true;
        o.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(BackupMessage((*list)[i]), &one, o);
        if (!(*list)[i].problem.empty()) {
          one.pop_back();
          one += absl::StrCat(",\"problem\":", JsonString((*list)[i].problem), "}");
        }
        std::cout << (i ? ", " : "") << one;
      }
      std::cout << "]}\n";
      return 0;
    }
    Table t({"id", "taken", "head", "hash", "size", "files", "problem"});
    for (const BackupInfo& b : *list) {
      t.Add({absl::StrCat(b.backup_id), b.created_at_seconds ? UtcSeconds(b.created_at_seconds) : "",
             b.problem.empty() ? absl::StrCat("#", b.head_position) : "",
             b.problem.empty() ? ShortHash(b.head_hash) : "", Bytes(b.size_bytes),
             absl::StrCat(b.file_count), b.problem});
    }
    t.Print(std::cout);
    return 0;
  }
  if (sub == "verify") {
    const std::string& dir = Word(args, 2, "backup directory");
    BackupVerifyOptions options;
    options.scratch_dir = args.Get("scratch");
    options.progress = ProgressLine(args, "verifying");
    auto found = VerifyBackup(dir, BackupIdFlag(args), options);
    ClearProgressLine(args);
    if (!found.ok()) throw Failure{std::string(found.status().message())};
    const BackupVerifyReport& r = *found;
    if (json) {
      std::cout << "{\"backup_id\": " << r.info.backup_id << ", \"files_ok\": " << (r.files_ok ? "true" : "false")
                << ", \"restored\": " << (r.restored ? "true" : "false")
                << ", \"chain_ok\": " << (r.restored && r.chain.ok ? "true" : "false")
                << ", \"projections_match\": " << (r.restored && r.rebuild.match ? "true" : "false")
                << ", \"head_position\": " << r.head_position << ", \"head_hash\": \"" << ToHex(r.head_hash)
                << "\", \"ledger_id\": \"" << r.ledger_id << "\", \"ok\": " << (r.ok() ? "true" : "false") << "}\n";
      return r.ok() ? 0 : kExitRefused;
    }
    std::cout << "Backup " << r.info.backup_id << " in " << dir;
    if (r.info.created_at_seconds) std::cout << ", taken " << UtcSeconds(r.info.created_at_seconds);
    std::cout << "\n";
    if (!r.info.problem.empty()) std::cout << "opening     FAILED: " << r.info.problem << "\n";
    std::cout << "files       "
              << (r.files_ok ? absl::StrCat("checksums OK (", r.info.file_count, " files, ", Bytes(r.info.size_bytes), ")")
                             : absl::StrCat("DAMAGED: ", r.files_problem))
              << "\n";
    if (r.files_ok) {
      std::cout << "restore     "
                << (r.restored ? absl::StrCat("restored into scratch space, opens as ledger ", r.ledger_id)
                               : absl::StrCat("FAILED: ", r.restore_problem))
                << "\n";
    }
    if (r.restored) {
      std::cout << "hash chain  "
                << (r.chain.ok ? absl::StrCat("verified: ", r.chain.events_checked, " events from position 1")
                               : absl::StrCat("BROKEN at position ", r.chain.first_bad_position, ": ", r.chain.problem))
                << "\n";
      std::cout << "projections "
                << (r.rebuild.match ? "rebuilt from the log and equal to the stored ones" : "DIFFER from a rebuild")
                << " (" << r.rebuild.rows_compared << " rows)\n";
      if (r.rebuild.failed_position) {
        std::cout << "  event #" << r.rebuild.failed_position << " fails the rules on replay: " << r.rebuild.failure << "\n";
      }
      for (const auto& m : r.rebuild.mismatches) {
        std::cout << "  " << m.key << "\n    stored:  " << m.stored << "\n    rebuilt: " << m.rebuilt << "\n";
      }
      std::cout << "head        #" << r.head_position << " " << ToHex(r.head_hash) << "\n";
      if (r.info.problem.empty() && (r.head_position != r.info.head_position || r.head_hash != r.info.head_hash)) {
        std::cout << "  DIFFERS from the head read from the backup in place: #" << r.info.head_position << " "
                  << ToHex(r.info.head_hash) << "\n";
      }
    }
    std::cout << (r.ok() ? "RESULT: the backup verifies.\n" : "RESULT: PROBLEMS FOUND (see above).\n");
    return r.ok() ? 0 : kExitRefused;
  }
  if (sub == "restore") {
    const std::string& dir = Word(args, 2, "backup directory");
    if (!args.Has("data-dir")) throw UsageError{"backup restore needs --data-dir TARGET (a new or empty directory)"};
    auto r = RestoreBackup(dir, BackupIdFlag(args), args.Get("data-dir"));
    if (!r.ok()) throw Failure{std::string(r.status().message())};
    if (json) {
      std::cout << "{\"backup_id\": " << r->backup_id << ", \"data_dir\": " << JsonString(args.Get("data-dir"))
                << ", \"ledger_id\": \"" << r->ledger_id << "\", \"head_position\": " << r->head_position
                << ", \"head_hash\": \"" << ToHex(r->head_hash) << "\"}\n";
    } else {
      std::cout << "restored backup " << r->backup_id << " of ledger " << r->ledger_id << " into "
                << args.Get("data-dir") << ": head #" << r->head_position << " " << ToHex(r->head_hash)
                << "\ncheck it offline with: ledgerctl audit replay --data-dir " << args.Get("data-dir")
                << "\n";
    }
    return 0;
  }
  throw UsageError{absl::StrCat("unknown backup subcommand \"", sub, "\"")};
}

// ------------------------------------------------------------------ statements

// RFC 4180 field: quoted when it holds a comma, quote or line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintCsv(const std::vector<std::vector<std::string>>& rows) {
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) std::cout << (i ? "," : "") << CsvField(r[i]);
    std::cout << "\r\n";
  }
}

void PrintLines(const google::protobuf::RepeatedPtrField<v1::StatementLine>& lines, bool csv,
                const std::string& change_header) {
  std::vector<std::vector<std::string>> rows = {{"date", "position", "event_id", "description",
                                                 "currency", change_header, "balance"}};
  for (const auto& l : lines) {
    rows.push_back({l.event().occurred_on(), absl::StrCat(l.event().position()), l.event().event_id(),
                    DescribeBody(l.event().body()), l.currency(),
                    FormatDecimal(l.change_minor(), l.currency()),
                    FormatDecimal(l.balance_minor(), l.currency())});
  }
  if (csv) {
    PrintCsv(rows);
    return;
  }
  Table t(rows[0]);
  for (size_t i = 1; i < rows.size(); ++i) t.Add(rows[i]);
  t.Print(std::cout);
}

int CmdStatement(Client& client, const Args& args) {
  const std::string& kind = Word(args, 1, "statement kind (fund, branch, income)");
  if (!args.Has("from") || !args.Has("to")) {
    throw UsageError{"a statement needs --from YYYY-MM-DD and --to YYYY-MM-DD"};
  }
  v1::DateRange range;
  range.set_from_date(args.Get("from"));
  range.set_to_date(args.Get("to"));
  const std::string format = args.Get("format", args.Has("json") ? "json" : "table");
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError{"--format must be table, json or csv"};
  }
  const bool csv = format == "csv";
  if (kind == "fund") {
    v1::GetFundStatementRequest req;
    req.set_fund(Word(args, 2, "fund (general or a beneficiary id)"));
    *req.mutable_range() = range;
    v1::GetFundStatementResponse r;
    Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetFundStatement(c, req, &r); }), client);
    if (format == "json") {
      std::cout << Json(r) << "\n";
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"currency", "opening", "received", "allocated in",
                                                   "allocated out", "disbursed", "closing"}};
    for (const auto& t : r.totals()) {
      const std::string& c = t.currency();
      rows.push_back({c, FormatDecimal(t.opening_minor(), c), FormatDecimal(t.received_minor(), c),
                      FormatDecimal(t.allocated_in_minor(), c), FormatDecimal(t.allocated_out_minor(), c),
                      FormatDecimal(t.disbursed_minor(), c), FormatDecimal(t.closing_minor(), c)});
    }
    if (csv) {
      PrintCsv(rows);
      std::cout << "\r\n";
    } else {
      std::cout << "Statement of fund:" << r.fund() << ", " << range.from_date() << " to " << range.to_date()
                << " (read at #" << r.as_of().position() << ")\n";
      Table t(rows[0]);
      for (size_t i = 1; i < rows.size(); ++i) t.Add(rows[i]);
      t.Print(std::cout);
      std::cout << "\n";
    }
    PrintLines(r.lines(), csv, "change");
    return 0;
  }
  if (kind == "branch") {
    v1::GetBranchStatementRequest req;
    req.set_branch_id(Word(args, 2, "branch id"));
    *req.mutable_range() = range;
    v1::GetBranchStatementResponse r;
    Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetBranchStatement(c, req, &r); }), client);
    if (format == "json") {
      std::cout << Json(r) << "\n";
      return 0;
    }
    const std::string& fc = r.fee_per_period().currency();
    std::vector<std::vector<std::string>> rows = {{"currency", "fees paid", "donations", "total"}};
    for (const auto& p : r.paid()) {
      rows.push_back({p.currency(), FormatDecimal(p.fees_paid_minor(), p.currency()),
                      FormatDecimal(p.donations_minor(), p.currency()), FormatDecimal(p.total_minor(), p.currency())});
    }
    if (csv) {
      PrintCsv({{"branch", "from", "to", "fee_per_period", "periods_due", "fees_due", "periods_paid"},
                {r.branch().branch_id(), range.from_date(), range.to_date(),
                 FormatAmount(r.fee_per_period().amount_minor(), fc), absl::StrCat(r.periods_due()),
                 FormatAmount(r.fees_due().amount_minor(), fc), absl::StrCat(r.periods_paid())}});
      std::cout << "\r\n";
      PrintCsv(rows);
      std::cout << "\r\n";
    } else {
      std::cout << "Statement of branch " << r.branch().union_name() << " " << r.branch().branch_name() << " ["
                << r.branch().branch_id() << "], " << range.from_date() << " to " << range.to_date() << "\n"
                << "fees due:  " << r.periods_due() << " period(s) x " << FormatAmount(r.fee_per_period().amount_minor(), fc)
                << " = " << FormatAmount(r.fees_due().amount_minor(), fc) << "\n"
                << "fees paid: " << r.periods_paid() << " period(s)\n";
      Table t(rows[0]);
      for (size_t i = 1; i < rows.size(); ++i) t.Add(rows[i]);
      t.Print(std::cout);
      std::cout << "\n";
    }
    PrintLines(r.lines(), csv, "given");
    return 0;
  }
  if (kind == "income") {
    v1::GetIncomeStatementRequest req;
    *req.mutable_range() = range;
    v1::GetIncomeStatementResponse r;
    Check(client.Call([&](grpc::ClientContext* c) { return client.queries().GetIncomeStatement(c, req, &r); }), client);
    if (format == "json") {
      std::cout << Json(r) << "\n";
      return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"currency", "fund class", "opening", "income", "transfers",
                                                   "spending", "closing"}};
    for (const auto& x : r.rows()) {
      const std::string& c = x.currency();
      rows.push_back({c, x.fund_class(), FormatDecimal(x.opening_minor(), c), FormatDecimal(x.income_minor(), c),
                      FormatDecimal(x.transfers_minor(), c), FormatDecimal(x.spending_minor(), c),
                      FormatDecimal(x.closing_minor(), c)});
    }
    if (csv) {
      PrintCsv(rows);
      return 0;
    }
    std::cout << "Income and spending, " << range.from_date() << " to " << range.to_date() << "\n";
    Table t(rows[0]);
    for (size_t i = 1; i < rows.size(); ++i) t.Add(rows[i]);
    t.Print(std::cout);
    return 0;
  }
  throw UsageError{absl::StrCat("unknown statement kind \"", kind, "\" (fund, branch, income)")};
}

// ------------------------------------------------------------------ help

constexpr char kUsage[] = R"(ledgerctl — Solidarity Ledger treasurer and auditor tool

usage: ledgerctl [--server HOST:PORT] [--json] COMMAND ...

treasurers (each records one event; options: --on YYYY-MM-DD, --event-id ID, --memo TEXT):
  beneficiary add ID --name NAME [--purpose TEXT] [--sensitive]
  beneficiary update ID [--name NAME] [--purpose TEXT]
  beneficiary close ID [--reason TEXT]
  branch affiliate ID --union NAME --branch-name NAME [--region R] [--members N]
                      (--fee "10.00 GBP" | --fee-per-member "0.50 GBP" [--minimum "5.00 GBP"])
                      [--period monthly|quarterly|annual]
  branch disaffiliate ID [--reason TEXT]
  branch pay-fee ID AMOUNT CURRENCY [--periods N] [--method M] [--reference R]
  donate AMOUNT CURRENCY [--to BENEFICIARY] [--donor individual|branch|organisation|anonymous]
                         [--branch ID] [--donor-ref REF] [--method M] [--reference R]
  allocate BENEFICIARY AMOUNT CURRENCY
  disburse BENEFICIARY AMOUNT CURRENCY --purpose TEXT [--payee P] [--method M] [--reference R]
  reverse EVENT_ID --kind refund|correction|duplicate|chargeback --reason TEXT [--amount "5.00 GBP"]

readers:
  summary                      totals per currency and the head
  balances [--all]             every fund (--all: closed ones too)
  branches [--all]             affiliated branches, fee status and contributions
  branch show ID               one branch
  beneficiary show ID          one beneficiary's fund
  trial-balance                every account; debits equal credits
  events [--from N] [--limit N]
  event ID|POSITION            one event with its hashes
  tail [-f] [-n N] [--from N]  the latest events; -f keeps following
  head                         head position and hash
  (summary, balances, branches, branch show, beneficiary show and trial-balance take
   --as-of POSITION or --as-of YYYY-MM-DD: balances as they stood then)

statements (any date range by occurred_on; --format table|json|csv):
  statement fund general|BENEFICIARY --from YYYY-MM-DD --to YYYY-MM-DD
  statement branch ID --from YYYY-MM-DD --to YYYY-MM-DD
  statement income --from YYYY-MM-DD --to YYYY-MM-DD

auditors:
  audit verify [--from N] [--to N] [--data-dir DIR]   recompute the hash chain
  audit rebuild-check [--data-dir DIR]                rebuild projections and compare
  audit replay --data-dir DIR                         offline: verify, rebuild, summary
  export events|postings [--format csv|jsonl] [--output FILE] [--data-dir DIR]
                      the log, or its postings, for a spreadsheet or an accounting
                      package (columns: docs/AUDITING.md); online unless --data-dir;
                      a progress bar on a terminal unless --no-progress
  backup create --to DIR                  online backup into DIR on the server (absolute path)
  backup list DIR                         the backups in DIR with their heads
  backup verify DIR [--id N] [--scratch DIR]
                      checksums, then restore to scratch space, verify the chain, rebuild
  backup restore DIR [--id N] --data-dir TARGET
                      restore (latest, or N) into a new or empty TARGET; never overwrites

amounts are decimal strings with a currency: 12.50 GBP, 1250 JPY, 1.250 BHD.
--server defaults to $LEDGER_SERVER, else localhost:50051. --timeout SECONDS (10),
--retries N (4): UNAVAILABLE and DEADLINE_EXCEEDED are retried with the same event id.
exit codes: 0 ok, 1 refused or failed, 2 bad usage, 3 server unreachable.
)";

int Run(int argc, char** argv) {
  Args args = Parse(argc, argv);
  if (!args.words.empty() && (args.Has("help") || args.Has("h"))) {
    // Per-command help: the usage lines of that command and their options.
    std::cout << "usage: ledgerctl [--server HOST:PORT] [--json] ...\n";
    bool in = false;
    for (absl::string_view line : absl::StrSplit(kUsage, '\n')) {
      const bool starts = absl::StartsWith(line, absl::StrCat("  ", args.words[0]));
      if (starts) in = true;
      else if (!absl::StartsWith(line, "    ")) in = false;
      if (in) std::cout << line << "\n";
    }
    std::cout << "amounts: 12.50 GBP, 1250 JPY, 1.250 BHD. See ledgerctl --help for all commands.\n";
    return 0;
  }
  if (args.words.empty() || args.Has("help") || args.Has("h") || args.words[0] == "help") {
    std::cout << kUsage;
    return args.words.empty() && !args.Has("help") && !args.Has("h") ? kExitUsage : 0;
  }
  const std::string& cmd = args.words[0];
  if (cmd == "audit" && args.Has("data-dir")) return CmdAudit(nullptr, args);
  if (cmd == "export") return CmdExport(args);
  if (cmd == "backup") return CmdBackup(args);
  Client client(args);
  if (cmd == "beneficiary") return CmdBeneficiary(client, args);
  if (cmd == "branch") return CmdBranch(client, args);
  if (cmd == "donate") return CmdDonate(client, args);
  if (cmd == "allocate") return CmdAllocate(client, args);
  if (cmd == "disburse") return CmdDisburse(client, args);
  if (cmd == "reverse") return CmdReverse(client, args);
  if (cmd == "summary") return CmdSummary(client, args);
  if (cmd == "balances") return CmdBalances(client, args);
  if (cmd == "branches") return CmdBranches(client, args);
  if (cmd == "trial-balance") return CmdTrialBalance(client, args);
  if (cmd == "events") return CmdEvents(client, args);
  if (cmd == "event") return CmdEvent(client, args);
  if (cmd == "tail") return CmdTail(client, args);
  if (cmd == "head") return CmdHead(client, args);
  if (cmd == "statement") return CmdStatement(client, args);
  if (cmd == "audit") return CmdAudit(&client, args);
  throw UsageError{absl::StrCat("unknown command \"", cmd, "\" (see ledgerctl --help)")};
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  try {
    return ledger::Run(argc, argv);
  } catch (const ledger::UsageError& e) {
    std::cerr << "ledgerctl: " << e.message << " (see ledgerctl --help)\n";
    return ledger::kExitUsage;
  } catch (const ledger::Failure& f) {
    std::cerr << "ledgerctl: error: " << f.message << "\n";
    return f.exit_code;
  }
}
