// Helpers shared by the command handlers (declared in commands.h).
#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/domain/money.h"

namespace ledgerctl {
namespace {

std::string Amt(const v1::Money& m) { return ledger::FormatAmount(m.amount_minor(), m.currency()); }

std::string DonorOf(const v1::DonationReceived& e) {
  if (e.donor_kind() == v1::DONOR_KIND_BRANCH) return absl::StrCat("branch ", e.branch_id());
  if (e.donor_kind() == v1::DONOR_KIND_ANONYMOUS) return "anonymous";
  return e.donor_ref().empty() ? "a donor" : e.donor_ref();
}

std::string DescribeMoneyBody(const v1::EventBody& b) {
  switch (b.kind_case()) {
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& e = b.affiliation_fee_paid();
      return absl::StrCat("fee ", Amt(e.amount()), " from branch ", e.branch_id(), " (",
                          e.periods(), " period", e.periods() == 1 ? "" : "s", ")");
    }
    case v1::EventBody::kDonationReceived: {
      const auto& e = b.donation_received();
      return absl::StrCat("donation ", Amt(e.amount()), " from ", DonorOf(e), " to ",
                          e.earmark_beneficiary_id().empty()
                              ? "general fund"
                              : absl::StrCat("fund ", e.earmark_beneficiary_id()));
    }
    case v1::EventBody::kFundsAllocated:
      return absl::StrCat("allocation ", Amt(b.funds_allocated().amount()), " general -> ",
                          b.funds_allocated().beneficiary_id());
    case v1::EventBody::kDisbursementMade:
      return absl::StrCat("disbursement ", Amt(b.disbursement_made().amount()), " from ",
                          b.disbursement_made().beneficiary_id(), ": ",
                          b.disbursement_made().purpose());
    case v1::EventBody::kEventReversed: {
      const auto& e = b.event_reversed();
      return absl::StrCat("reversal of ", e.target_event_id(), " ",
                          e.amount().amount_minor() ? Amt(e.amount()) : "in full", ": ",
                          e.reason());
    }
    default:
      return "(unknown event)";
  }
}

}  // namespace

absl::Status Usage(const Invocation& in, absl::string_view message, absl::string_view field) {
  const std::string path = in.command().Path();
  return UsageError(absl::StrCat(path, ": ", message), field, path);
}

absl::StatusOr<int64_t> IntOption(const Invocation& in, absl::string_view name, int64_t fallback,
                                  int64_t min, int64_t max) {
  if (!in.Has(name)) return fallback;
  const std::string text = in.Get(name);
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) {
    return Usage(in,
                 absl::StrCat("--", name, " takes a whole number from ", min, " to ", max,
                              ", not \"", text, "\""),
                 absl::StrCat("--", name));
  }
  return v;
}

absl::StatusOr<v1::Money> MoneyOf(const Invocation& in, const std::string& text,
                                  absl::string_view field) {
  absl::StatusOr<ledger::Amount> a = ledger::ParseAmount(text);
  if (!a.ok()) return Usage(in, absl::StrCat(field, ": ", a.status().message()), field);
  v1::Money m;
  m.set_amount_minor(a->minor);
  m.set_currency(a->currency);
  return m;
}

v1::AsOf AsOfOption(const Invocation& in) {
  v1::AsOf as_of;
  if (!in.Has("as-of")) return as_of;
  const std::string v = in.Get("as-of");
  uint64_t position = 0;
  if (absl::SimpleAtoi(v, &position)) {
    as_of.set_position(position);
  } else {
    as_of.set_end_of_date(v);
  }
  return as_of;
}

std::string AsOfNote(const Invocation& in) {
  if (!in.Has("as-of")) return "";
  const std::string v = in.Get("as-of");
  uint64_t position = 0;
  return absl::SimpleAtoi(v, &position) ? absl::StrCat(" (as of position ", v, ")")
                                        : absl::StrCat(" (as of the end of ", Terminal(v), ")");
}

void PrintJson(const google::protobuf::Message& message) { std::cout << ToJson(message) << "\n"; }

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
      return absl::StrCat("branch ", b.branch_affiliated().branch_id(),
                          " affiliated: ", b.branch_affiliated().union_name(), " ",
                          b.branch_affiliated().branch_name());
    case v1::EventBody::kBranchDisaffiliated:
      return absl::StrCat("branch ", b.branch_disaffiliated().branch_id(), " disaffiliated");
    case v1::EventBody::KIND_NOT_SET:
      return "(unknown event)";
    default:
      return DescribeMoneyBody(b);
  }
}

void PrintEventLine(const v1::Event& e, std::ostream& out) {
  out << "#" << e.position() << "  " << Terminal(e.occurred_on()) << "  "
      << Terminal(DescribeBody(e.body())) << "  [" << Terminal(e.event_id()) << "]";
  if (e.reversed_by_position()) out << "  (reversed by #" << e.reversed_by_position() << ")";
  out << "\n";
}

bool ShowProgress(const Invocation& in) {
  return isatty(STDERR_FILENO) && !in.globals().no_progress;
}

void ClearProgress(const Invocation& in) {
  if (ShowProgress(in)) std::fprintf(stderr, "\r\033[K");
}

}  // namespace ledgerctl
