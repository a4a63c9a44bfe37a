// Treasurers' commands: each builds one event and appends it.
#include <openssl/rand.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/registry.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

std::string NewEventId() {
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::StrCat("ctl-", absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()),
                      "-", Hex(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes))));
}

// Fills the envelope (--event-id, --on, --memo), appends, and prints what
// was recorded and the date it was dated with.
absl::StatusOr<int> AppendOne(const Invocation& in, v1::EventInput input) {
  input.set_event_id(in.Get("event-id", NewEventId()));
  const bool dated_today = !in.Has("on");
  input.set_occurred_on(in.Get("on", ledger::FormatDate(ledger::TodayUtc(ledger::Clock::Real()))));
  if (in.Has("memo")) input.set_memo(in.Get("memo"));
  Client client(in.globals());
  ASSIGN_OR_RETURN(AppendOutcome outcome, client.Append(input));
  if (in.json()) {
    std::cout << ToJson(outcome.response, {}, 0, {{"occurred_on", JsonQuote(outcome.occurred_on)}})
              << "\n";
    return kExitOk;
  }
  std::cout << "recorded " << ledger::KindName(input.body()) << " at position "
            << outcome.response.positions(0) << " (event id " << Terminal(input.event_id())
            << "), dated " << Terminal(outcome.occurred_on)
            << (dated_today && outcome.occurred_on == input.occurred_on() ? " (today)" : "")
            << (outcome.response.deduplicated() ? " — already recorded earlier, nothing new written"
                                                : "")
            << "\n";
  return kExitOk;
}

absl::StatusOr<v1::FeePeriod> PeriodOf(const Invocation& in) {
  const std::string s = in.Get("period", "monthly");
  if (s == "monthly") return v1::FEE_PERIOD_MONTHLY;
  if (s == "quarterly") return v1::FEE_PERIOD_QUARTERLY;
  if (s == "annual" || s == "annually" || s == "yearly") return v1::FEE_PERIOD_ANNUAL;
  return Usage(in, absl::StrCat("--period must be monthly, quarterly or annual, not \"", s, "\""),
               "--period");
}

absl::StatusOr<v1::DonorKind> DonorOf(const Invocation& in) {
  const std::string s = in.Get("donor", in.Has("branch") ? "branch" : "individual");
  if (s == "individual") return v1::DONOR_KIND_INDIVIDUAL;
  if (s == "branch") return v1::DONOR_KIND_BRANCH;
  if (s == "organisation" || s == "organization") return v1::DONOR_KIND_ORGANISATION;
  if (s == "anonymous") return v1::DONOR_KIND_ANONYMOUS;
  return Usage(in,
               absl::StrCat("--donor must be individual, branch, organisation or anonymous, not \"",
                            s, "\""),
               "--donor");
}

absl::StatusOr<v1::ReversalKind> ReversalKindOf(const Invocation& in) {
  constexpr char kKinds[] = "refund, correction, duplicate or chargeback";
  if (!in.Has("kind")) {
    return Usage(in, absl::StrCat("needs --kind: ", kKinds), "--kind");
  }
  const std::string kind = in.Get("kind");
  if (kind == "refund") return v1::REVERSAL_KIND_REFUND;
  if (kind == "correction") return v1::REVERSAL_KIND_CORRECTION;
  if (kind == "duplicate") return v1::REVERSAL_KIND_DUPLICATE;
  if (kind == "chargeback") return v1::REVERSAL_KIND_CHARGEBACK;
  return Usage(in, absl::StrCat("--kind must be ", kKinds, ", not \"", kind, "\""), "--kind");
}

absl::Status Require(const Invocation& in, absl::string_view option, absl::string_view example) {
  if (in.Has(option)) return absl::OkStatus();
  return Usage(in, absl::StrCat("needs --", option, " ", example), absl::StrCat("--", option));
}

// The fee of a basis: --fee, or --fee-per-member [--minimum].
absl::Status FeeAmounts(const Invocation& in, v1::FeeBasis* basis) {
  if (in.Has("fee") && in.Has("fee-per-member")) {
    return Usage(in, "takes --fee or --fee-per-member, not both", "--fee");
  }
  if (in.Has("minimum") && !in.Has("fee-per-member")) {
    return Usage(in, "--minimum goes with --fee-per-member", "--minimum");
  }
  if (in.Has("fee")) {
    ASSIGN_OR_RETURN(*basis->mutable_fixed()->mutable_fee(), MoneyOf(in, in.Get("fee"), "--fee"));
    return absl::OkStatus();
  }
  if (!in.Has("fee-per-member")) {
    return Usage(in, "needs --fee \"10.00 GBP\" or --fee-per-member \"0.50 GBP\"", "--fee");
  }
  auto* per_member = basis->mutable_per_member();
  ASSIGN_OR_RETURN(*per_member->mutable_fee_per_member(),
                   MoneyOf(in, in.Get("fee-per-member"), "--fee-per-member"));
  if (in.Has("minimum")) {
    ASSIGN_OR_RETURN(*per_member->mutable_minimum(), MoneyOf(in, in.Get("minimum"), "--minimum"));
  }
  return absl::OkStatus();
}

// The fee basis of `branch affiliate`: its period and fee.
absl::Status FeeBasis(const Invocation& in, v1::FeeBasis* basis) {
  ASSIGN_OR_RETURN(v1::FeePeriod period, PeriodOf(in));
  basis->set_period(period);
  return FeeAmounts(in, basis);
}

}  // namespace

absl::StatusOr<int> RunBeneficiaryAdd(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "name", "\"Display name\""));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_registered();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_display_name(in.Get("name"));
  e->set_purpose(in.Get("purpose"));
  e->set_sensitive(in.Has("sensitive"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBeneficiaryUpdate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_updated();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_display_name(in.Get("name"));
  e->set_purpose(in.Get("purpose"));
  if (in.Has("sensitive")) e->set_sensitive(true);
  if (!in.Has("name") && !in.Has("purpose") && !in.Has("sensitive")) {
    return Usage(in, "changes nothing: give --name, --purpose or --sensitive", "--name");
  }
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunPartyErase(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_party_erased();
  e->set_party_ref(in.Positional("REF"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunEventEraseDetails(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_event_details_erased();
  e->set_target_event_id(in.Positional("EVENT_ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBeneficiaryClose(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_closed();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchAffiliate(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "union", "NAME"));
  RETURN_IF_ERROR(Require(in, "branch-name", "NAME"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id(in.Positional("ID"));
  e->set_union_name(in.Get("union"));
  e->set_branch_name(in.Get("branch-name"));
  e->set_region(in.Get("region"));
  ASSIGN_OR_RETURN(int64_t members, IntOption(in, "members", 0, 0, INT32_MAX));
  e->set_members(members);
  RETURN_IF_ERROR(FeeBasis(in, e->mutable_fee_basis()));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchUpdate(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "from-period", "YYYY-MM-DD"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_updated();
  e->set_branch_id(in.Positional("ID"));
  e->set_from_period(in.Get("from-period"));
  if (in.Has("members")) {
    ASSIGN_OR_RETURN(int64_t members, IntOption(in, "members", 0, 0, INT32_MAX));
    e->set_members(members);
  }
  if (in.Has("fee") || in.Has("fee-per-member") || in.Has("minimum")) {
    // The period stays the branch's own (FEE_PERIOD_UNSPECIFIED).
    RETURN_IF_ERROR(FeeAmounts(in, e->mutable_fee_basis()));
  }
  if (!in.Has("members") && !e->has_fee_basis()) {
    return Usage(in, "changes nothing: give --members, --fee or --fee-per-member", "--members");
  }
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchDisaffiliate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_disaffiliated();
  e->set_branch_id(in.Positional("ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchPayFee(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_affiliation_fee_paid();
  e->set_branch_id(in.Positional("ID"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  ASSIGN_OR_RETURN(int64_t periods, IntOption(in, "periods", 1, 1, INT32_MAX));
  e->set_periods(static_cast<int32_t>(periods));
  e->set_method(in.Get("method"));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunDonate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_donation_received();
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  ASSIGN_OR_RETURN(v1::DonorKind donor, DonorOf(in));
  e->set_donor_kind(donor);
  e->set_branch_id(in.Get("branch"));
  e->set_donor_ref(in.Get("donor-ref"));
  e->set_earmark_beneficiary_id(in.Get("to"));
  e->set_method(in.Get("method"));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunAllocate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_funds_allocated();
  e->set_beneficiary_id(in.Positional("BENEFICIARY"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunDisburse(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_disbursement_made();
  e->set_beneficiary_id(in.Positional("BENEFICIARY"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  RETURN_IF_ERROR(Require(in, "purpose", "\"what it pays for\""));
  e->set_purpose(in.Get("purpose"));
  e->set_payee(in.Get("payee"));
  e->set_method(in.Get("method"));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunReverse(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_event_reversed();
  e->set_target_event_id(in.Positional("EVENT_ID"));
  ASSIGN_OR_RETURN(v1::ReversalKind kind, ReversalKindOf(in));
  e->set_kind(kind);
  RETURN_IF_ERROR(Require(in, "reason", "\"why\""));
  e->set_reason(in.Get("reason"));
  if (in.Has("amount")) {
    ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Get("amount"), "--amount"));
  }
  return AppendOne(in, std::move(input));
}

}  // namespace ledgerctl
