#include "ledger/rules.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/civil_date.h"
#include "ledger/dated_checks.h"
#include "ledger/effects.h"
#include "ledger/errors.h"
#include "ledger/ids.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/postings.h"

namespace ledger {
namespace {

// ------------------------------------------------------------ stage 1 helpers

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return InvalidField(field, "is required");
  if (!IsValidId(id)) {
    return InvalidField(field, absl::StrCat("\"", id.substr(0, 80),
                                            "\" is not a valid id (1-64 of a-z 0-9 . _ -)"));
  }
  return absl::OkStatus();
}

absl::Status CheckOptionalId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  return CheckId(field, id);
}

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t limit,
                       bool required, TextKind kind) {
  if (required && text.empty()) return InvalidField(field, "is required");
  if (text.size() > limit) {
    return InvalidField(field, absl::StrCat("is ", text.size(), " bytes, over the limit of ",
                                            limit));
  }
  if (!IsValidText(text, kind)) {
    const int64_t cp = FirstRefusedCodePoint(text, kind);
    if (cp < 0) return InvalidField(field, "is not valid UTF-8 text");
    return InvalidField(
        field, absl::StrCat(absl::StrFormat("holds U+%04X", cp),
                            kind == TextKind::kMultiLine
                                ? ": control characters (other than a line feed or a tab), "
                                  "line separators and bidirectional overrides are not "
                                  "allowed"
                                : ": control characters, line breaks and bidirectional "
                                  "overrides are not allowed in a one-line field"));
  }
  return absl::OkStatus();
}

absl::Status CheckName(absl::string_view field, absl::string_view text, bool required) {
  return CheckText(field, text, kMaxNameLength, required, TextKind::kSingleLine);
}
absl::Status CheckMemo(absl::string_view field, absl::string_view text, bool required) {
  return CheckText(field, text, kMaxMemoLength, required, TextKind::kMultiLine);
}

// A positive amount in a known currency, at most kMaxAmountMinor.
absl::Status CheckMoney(absl::string_view field, const v1::Money& money, bool has_money) {
  if (!has_money) return InvalidField(field, "is required");
  if (money.currency().empty()) return InvalidField(absl::StrCat(field, ".currency"), "is required");
  if (!CurrencyExponent(money.currency())) {
    return InvalidField(absl::StrCat(field, ".currency"),
                        absl::StrCat("\"", money.currency().substr(0, 16),
                                     "\" is not a known ISO 4217 currency"));
  }
  if (money.amount_minor() <= 0) {
    return InvalidField(absl::StrCat(field, ".amount_minor"), "must be positive");
  }
  if (money.amount_minor() > kMaxAmountMinor) {
    return InvalidField(absl::StrCat(field, ".amount_minor"),
                        absl::StrCat("is over the limit of ", kMaxAmountMinor,
                                     " minor units for one event"));
  }
  return absl::OkStatus();
}

absl::Status CheckFeeBasis(absl::string_view field, const v1::FeeBasis& basis, bool has) {
  if (!has) return InvalidField(field, "is required");
  switch (basis.period()) {
    case v1::FEE_PERIOD_MONTHLY:
    case v1::FEE_PERIOD_QUARTERLY:
    case v1::FEE_PERIOD_ANNUAL:
      break;
    default:
      return InvalidField(absl::StrCat(field, ".period"), "must be monthly, quarterly or annual");
  }
  switch (basis.basis_case()) {
    case v1::FeeBasis::kFixed:
      return CheckMoney(absl::StrCat(field, ".fixed.fee"), basis.fixed().fee(),
                        basis.fixed().has_fee());
    case v1::FeeBasis::kPerMember: {
      const auto& pm = basis.per_member();
      RETURN_IF_ERROR(CheckMoney(absl::StrCat(field, ".per_member.fee_per_member"),
                                 pm.fee_per_member(), pm.has_fee_per_member()));
      if (pm.has_minimum() && (pm.minimum().amount_minor() != 0 || !pm.minimum().currency().empty())) {
        if (pm.minimum().currency() != pm.fee_per_member().currency()) {
          return InvalidField(absl::StrCat(field, ".per_member.minimum.currency"),
                              "must be the currency of fee_per_member");
        }
        if (pm.minimum().amount_minor() < 0 || pm.minimum().amount_minor() > kMaxAmountMinor) {
          return InvalidField(absl::StrCat(field, ".per_member.minimum.amount_minor"),
                              "must be between 0 and the amount limit");
        }
      }
      return absl::OkStatus();
    }
    case v1::FeeBasis::BASIS_NOT_SET:
      return InvalidField(field, "needs a fixed fee or a per-member fee");
  }
  return absl::OkStatus();
}

absl::Status ValidateBody(const v1::EventBody& body) {
  switch (body.kind_case()) {
    case v1::EventBody::KIND_NOT_SET:
      return InvalidField("body", "has no event kind");
    case v1::EventBody::kLedgerOpened:
      return InvalidField("body.ledger_opened", "is written by the server when a ledger is created");
    case v1::EventBody::kBeneficiaryRegistered: {
      const auto& e = body.beneficiary_registered();
      RETURN_IF_ERROR(CheckId("body.beneficiary_registered.beneficiary_id", e.beneficiary_id()));
      RETURN_IF_ERROR(CheckName("body.beneficiary_registered.display_name", e.display_name(), true));
      return CheckMemo("body.beneficiary_registered.purpose", e.purpose(), false);
    }
    case v1::EventBody::kBeneficiaryUpdated: {
      const auto& e = body.beneficiary_updated();
      RETURN_IF_ERROR(CheckId("body.beneficiary_updated.beneficiary_id", e.beneficiary_id()));
      RETURN_IF_ERROR(CheckName("body.beneficiary_updated.display_name", e.display_name(), false));
      RETURN_IF_ERROR(CheckMemo("body.beneficiary_updated.purpose", e.purpose(), false));
      if (e.display_name().empty() && e.purpose().empty()) {
        return InvalidField("body.beneficiary_updated", "changes nothing (give display_name or purpose)");
      }
      return absl::OkStatus();
    }
    case v1::EventBody::kBeneficiaryClosed: {
      const auto& e = body.beneficiary_closed();
      RETURN_IF_ERROR(CheckId("body.beneficiary_closed.beneficiary_id", e.beneficiary_id()));
      return CheckMemo("body.beneficiary_closed.reason", e.reason(), false);
    }
    case v1::EventBody::kBranchAffiliated: {
      const auto& e = body.branch_affiliated();
      RETURN_IF_ERROR(CheckId("body.branch_affiliated.branch_id", e.branch_id()));
      RETURN_IF_ERROR(CheckName("body.branch_affiliated.union_name", e.union_name(), true));
      RETURN_IF_ERROR(CheckName("body.branch_affiliated.branch_name", e.branch_name(), true));
      RETURN_IF_ERROR(CheckName("body.branch_affiliated.region", e.region(), false));
      if (e.members() < 0 || e.members() > kMaxMembers) {
        return InvalidField("body.branch_affiliated.members",
                            absl::StrCat("must be between 0 and ", kMaxMembers));
      }
      RETURN_IF_ERROR(CheckFeeBasis("body.branch_affiliated.fee_basis", e.fee_basis(),
                                    e.has_fee_basis()));
      if (!FeePerPeriod(e.fee_basis(), e.members()).ok()) {
        return InvalidField("body.branch_affiliated.fee_basis", "fee per period overflows");
      }
      return absl::OkStatus();
    }
    case v1::EventBody::kBranchDisaffiliated: {
      const auto& e = body.branch_disaffiliated();
      RETURN_IF_ERROR(CheckId("body.branch_disaffiliated.branch_id", e.branch_id()));
      return CheckMemo("body.branch_disaffiliated.reason", e.reason(), false);
    }
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& e = body.affiliation_fee_paid();
      RETURN_IF_ERROR(CheckId("body.affiliation_fee_paid.branch_id", e.branch_id()));
      RETURN_IF_ERROR(CheckMoney("body.affiliation_fee_paid.amount", e.amount(), e.has_amount()));
      if (e.periods() < 1 || e.periods() > kMaxFeePeriodsPerPayment) {
        return InvalidField("body.affiliation_fee_paid.periods",
                            absl::StrCat("must be between 1 and ", kMaxFeePeriodsPerPayment));
      }
      RETURN_IF_ERROR(CheckName("body.affiliation_fee_paid.method", e.method(), false));
      return CheckName("body.affiliation_fee_paid.reference", e.reference(), false);
    }
    case v1::EventBody::kDonationReceived: {
      const auto& e = body.donation_received();
      RETURN_IF_ERROR(CheckMoney("body.donation_received.amount", e.amount(), e.has_amount()));
      switch (e.donor_kind()) {
        case v1::DONOR_KIND_BRANCH:
          RETURN_IF_ERROR(CheckId("body.donation_received.branch_id", e.branch_id()));
          break;
        case v1::DONOR_KIND_INDIVIDUAL:
        case v1::DONOR_KIND_ORGANISATION:
        case v1::DONOR_KIND_ANONYMOUS:
          if (!e.branch_id().empty()) {
            return InvalidField("body.donation_received.branch_id",
                                "is only for donations from a branch (donor_kind BRANCH)");
          }
          break;
        default:
          return InvalidField("body.donation_received.donor_kind",
                              "must be individual, branch, organisation or anonymous");
      }
      if (e.donor_kind() == v1::DONOR_KIND_ANONYMOUS && !e.donor_ref().empty()) {
        return InvalidField("body.donation_received.donor_ref", "must be empty for an anonymous donation");
      }
      RETURN_IF_ERROR(CheckName("body.donation_received.donor_ref", e.donor_ref(), false));
      RETURN_IF_ERROR(CheckOptionalId("body.donation_received.earmark_beneficiary_id",
                                      e.earmark_beneficiary_id()));
      RETURN_IF_ERROR(CheckName("body.donation_received.method", e.method(), false));
      return CheckName("body.donation_received.reference", e.reference(), false);
    }
    case v1::EventBody::kFundsAllocated: {
      const auto& e = body.funds_allocated();
      RETURN_IF_ERROR(CheckId("body.funds_allocated.beneficiary_id", e.beneficiary_id()));
      RETURN_IF_ERROR(CheckMoney("body.funds_allocated.amount", e.amount(), e.has_amount()));
      return CheckMemo("body.funds_allocated.memo", e.memo(), false);
    }
    case v1::EventBody::kDisbursementMade: {
      const auto& e = body.disbursement_made();
      RETURN_IF_ERROR(CheckId("body.disbursement_made.beneficiary_id", e.beneficiary_id()));
      RETURN_IF_ERROR(CheckMoney("body.disbursement_made.amount", e.amount(), e.has_amount()));
      RETURN_IF_ERROR(CheckMemo("body.disbursement_made.purpose", e.purpose(), true));
      RETURN_IF_ERROR(CheckName("body.disbursement_made.payee", e.payee(), false));
      RETURN_IF_ERROR(CheckName("body.disbursement_made.method", e.method(), false));
      return CheckName("body.disbursement_made.reference", e.reference(), false);
    }
    case v1::EventBody::kEventReversed: {
      const auto& e = body.event_reversed();
      RETURN_IF_ERROR(CheckId("body.event_reversed.target_event_id", e.target_event_id()));
      switch (e.kind()) {
        case v1::REVERSAL_KIND_REFUND:
        case v1::REVERSAL_KIND_CORRECTION:
        case v1::REVERSAL_KIND_DUPLICATE:
        case v1::REVERSAL_KIND_CHARGEBACK:
          break;
        default:
          return InvalidField("body.event_reversed.kind",
                              "must be refund, correction, duplicate or chargeback");
      }
      if (e.has_amount() && (e.amount().amount_minor() != 0 || !e.amount().currency().empty())) {
        RETURN_IF_ERROR(CheckMoney("body.event_reversed.amount", e.amount(), true));
      }
      return CheckMemo("body.event_reversed.reason", e.reason(), true);
    }
  }
  return InvalidField("body", "has an unknown event kind");
}

// ------------------------------------------------------------ stage 2 helpers

// "a branch_affiliated", "an event_reversed".
std::string WithArticle(absl::string_view noun) {
  const bool vowel = !noun.empty() && absl::string_view("aeiou").find(noun[0]) != absl::string_view::npos;
  return absl::StrCat(vowel ? "an " : "a ", noun);
}

absl::Status Overflow(absl::string_view what) {
  return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow,
                 absl::StrCat(what, " would overflow"));
}

// *field += delta, checked.
absl::Status Add(int64_t delta, int64_t current, int64_t* out, absl::string_view what) {
  auto r = CheckedAdd(current, delta);
  if (!r) return Overflow(what);
  *out = *r;
  return absl::OkStatus();
}

#define LEDGER_ADD_FIELD(msg, name, delta, what)                          \
  do {                                                                    \
    int64_t ledger_tmp_ = 0;                                                \
    RETURN_IF_ERROR(Add((delta), (msg).name(), &ledger_tmp_, (what)));    \
    (msg).set_##name(ledger_tmp_);                                        \
  } while (0)

// Changes to one fund row, all net amounts (may be negative for reversals).
struct FundDelta {
  int64_t received = 0;
  int64_t allocated_in = 0;
  int64_t allocated_out = 0;
  int64_t disbursed = 0;
};

absl::StatusOr<v1::FundBalance> LoadFund(StateView& state, absl::string_view fund,
                                         absl::string_view currency) {
  ASSIGN_OR_RETURN(std::optional<v1::FundBalance> row,
                   state.Load<v1::FundBalance>(FundKey(fund, currency)));
  if (row) return *row;
  v1::FundBalance empty;
  empty.set_fund(std::string(fund));
  empty.set_currency(std::string(currency));
  return empty;
}

// Applies `delta` to a fund. Refuses (FAILED_PRECONDITION) if the fund would
// end below zero: no fund is ever overdrawn.
absl::Status ApplyFundDelta(StateView& state, absl::string_view fund,
                            absl::string_view currency, const FundDelta& d) {
  ASSIGN_OR_RETURN(v1::FundBalance row, LoadFund(state, fund, currency));
  const std::string what = absl::StrCat("fund ", fund, " ", currency);
  LEDGER_ADD_FIELD(row, received_minor, d.received, what);
  LEDGER_ADD_FIELD(row, allocated_in_minor, d.allocated_in, what);
  LEDGER_ADD_FIELD(row, allocated_out_minor, d.allocated_out, what);
  LEDGER_ADD_FIELD(row, disbursed_minor, d.disbursed, what);
  int64_t change = 0;
  auto c1 = CheckedAdd(d.received, d.allocated_in);
  auto c2 = c1 ? CheckedSub(*c1, d.allocated_out) : std::nullopt;
  auto c3 = c2 ? CheckedSub(*c2, d.disbursed) : std::nullopt;
  if (!c3) return Overflow(what);
  change = *c3;
  auto available = CheckedAdd(row.available_minor(), change);
  if (!available) return Overflow(what);
  if (*available < 0) {
    ASSIGN_OR_RETURN(v1::FundBalance before, LoadFund(state, fund, currency));
    return InsufficientFunds(fund, currency, before.available_minor(), -change);
  }
  row.set_available_minor(*available);
  state.Store(FundKey(fund, currency), row);
  return absl::OkStatus();
}

absl::Status UpdateTotals(StateView& state, absl::string_view currency, int64_t raised,
                          int64_t disbursed) {
  ASSIGN_OR_RETURN(std::optional<v1::LedgerTotals> row, state.Load<v1::LedgerTotals>(kTotalsKey));
  v1::LedgerTotals totals = row.value_or(v1::LedgerTotals());
  v1::CurrencyTotals* entry = nullptr;
  for (auto& c : *totals.mutable_currencies()) {
    if (c.currency() == currency) entry = &c;
  }
  if (entry == nullptr) {
    entry = totals.add_currencies();
    entry->set_currency(std::string(currency));
    std::sort(totals.mutable_currencies()->begin(), totals.mutable_currencies()->end(),
              [](const v1::CurrencyTotals& a, const v1::CurrencyTotals& b) {
                return a.currency() < b.currency();
              });
    for (auto& c : *totals.mutable_currencies()) {
      if (c.currency() == currency) entry = &c;
    }
  }
  const std::string what = absl::StrCat("ledger totals ", currency);
  LEDGER_ADD_FIELD(*entry, raised_minor, raised, what);
  LEDGER_ADD_FIELD(*entry, disbursed_minor, disbursed, what);
  auto held_change = CheckedSub(raised, disbursed);
  if (!held_change) return Overflow(what);
  LEDGER_ADD_FIELD(*entry, held_minor, *held_change, what);
  state.Store(kTotalsKey, totals);
  return absl::OkStatus();
}

absl::Status CountEvent(StateView& state, bool is_reversal) {
  ASSIGN_OR_RETURN(std::optional<v1::LedgerTotals> row, state.Load<v1::LedgerTotals>(kTotalsKey));
  v1::LedgerTotals totals = row.value_or(v1::LedgerTotals());
  totals.set_event_count(totals.event_count() + 1);
  if (is_reversal) totals.set_reversal_count(totals.reversal_count() + 1);
  state.Store(kTotalsKey, totals);
  return absl::OkStatus();
}

absl::StatusOr<v1::Beneficiary> LoadBeneficiary(StateView& state, absl::string_view id,
                                                absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> row,
                   state.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  if (!row) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBeneficiary,
                   absl::StrCat(field, ": no beneficiary \"", id, "\""), field);
  }
  return *row;
}

absl::StatusOr<v1::Beneficiary> LoadOpenBeneficiary(StateView& state, absl::string_view id,
                                                    absl::string_view field) {
  ASSIGN_OR_RETURN(v1::Beneficiary b, LoadBeneficiary(state, id, field));
  if (b.status() != v1::STATUS_OPEN) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBeneficiaryClosed,
                   absl::StrCat(field, ": beneficiary \"", id, "\" is closed"), field);
  }
  return b;
}

absl::StatusOr<v1::Branch> LoadBranch(StateView& state, absl::string_view id,
                                      absl::string_view field) {
  ASSIGN_OR_RETURN(std::optional<v1::Branch> row, state.Load<v1::Branch>(BranchKey(id)));
  if (!row) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBranch,
                   absl::StrCat(field, ": no branch \"", id, "\""), field);
  }
  return *row;
}

absl::StatusOr<v1::Branch> LoadAffiliatedBranch(StateView& state, absl::string_view id,
                                                absl::string_view field) {
  ASSIGN_OR_RETURN(v1::Branch b, LoadBranch(state, id, field));
  if (b.status() != v1::STATUS_OPEN) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBranchNotAffiliated,
                   absl::StrCat(field, ": branch \"", id, "\" is not affiliated"), field);
  }
  return b;
}

// Records that a beneficiary's fund holds `currency`.
void NoteCurrency(v1::Beneficiary& b, absl::string_view currency) {
  for (const auto& c : b.currencies()) {
    if (c == currency) return;
  }
  b.add_currencies(std::string(currency));
  std::sort(b.mutable_currencies()->begin(), b.mutable_currencies()->end());
}

absl::Status AddBranchMoney(v1::Branch& branch, absl::string_view currency, int64_t fees,
                            int64_t donations) {
  v1::BranchTotals* entry = nullptr;
  for (auto& t : *branch.mutable_totals()) {
    if (t.currency() == currency) entry = &t;
  }
  if (entry == nullptr) {
    entry = branch.add_totals();
    entry->set_currency(std::string(currency));
    std::sort(branch.mutable_totals()->begin(), branch.mutable_totals()->end(),
              [](const v1::BranchTotals& a, const v1::BranchTotals& b) {
                return a.currency() < b.currency();
              });
    for (auto& t : *branch.mutable_totals()) {
      if (t.currency() == currency) entry = &t;
    }
  }
  const std::string what = absl::StrCat("branch ", branch.branch_id(), " totals");
  LEDGER_ADD_FIELD(*entry, fees_paid_minor, fees, what);
  LEDGER_ADD_FIELD(*entry, donations_minor, donations, what);
  auto both = CheckedAdd(fees, donations);
  if (!both) return Overflow(what);
  LEDGER_ADD_FIELD(*entry, total_minor, *both, what);
  return absl::OkStatus();
}

void SetPaidUntil(v1::Branch& branch) {
  absl::StatusOr<absl::CivilDay> start = ParseDate(branch.affiliated_on());
  if (!start.ok()) return;  // stored rows always hold valid dates
  const int64_t months = branch.periods_paid() * MonthsPerPeriod(branch.fee_basis().period());
  // Thousands of prepaid periods would reach five-digit years; dates end at
  // the last day the ledger accepts (years 1900-2999).
  const absl::CivilDay last(2999, 12, 31);
  const absl::CivilDay until = AddMonths(*start, months);
  branch.set_paid_until(FormatDate(until > last ? last : until));
}

void NoteLastPayment(v1::Branch& branch, absl::string_view occurred_on) {
  // Dates compare as strings in YYYY-MM-DD form.
  if (branch.last_payment_on() < occurred_on) {
    branch.set_last_payment_on(std::string(occurred_on));
  }
}

// ------------------------------------------------------------ per kind

absl::Status ApplyDonation(const v1::EventPayload& p, StateView& state) {
  const auto& e = p.body().donation_received();
  const std::string& cur = e.amount().currency();
  const int64_t amount = e.amount().amount_minor();
  std::string fund = kGeneralFund;
  if (!e.earmark_beneficiary_id().empty()) {
    ASSIGN_OR_RETURN(v1::Beneficiary b,
                     LoadOpenBeneficiary(state, e.earmark_beneficiary_id(),
                                         "body.donation_received.earmark_beneficiary_id"));
    fund = BeneficiaryFund(b.beneficiary_id());
    NoteCurrency(b, cur);
    state.Store(BeneficiaryKey(b.beneficiary_id()), b);
  }
  if (e.donor_kind() == v1::DONOR_KIND_BRANCH) {
    ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(state, e.branch_id(),
                                                         "body.donation_received.branch_id"));
    RETURN_IF_ERROR(AddBranchMoney(br, cur, 0, amount));
    NoteLastPayment(br, p.occurred_on());
    state.Store(BranchKey(br.branch_id()), br);
  }
  FundDelta d;
  d.received = amount;
  RETURN_IF_ERROR(ApplyFundDelta(state, fund, cur, d));
  RETURN_IF_ERROR(UpdateTotals(state, cur, amount, 0));
  return PostMovement(state, *MovementOf(p.body()));
}

absl::Status ApplyFee(const v1::EventPayload& p, StateView& state) {
  const auto& e = p.body().affiliation_fee_paid();
  ASSIGN_OR_RETURN(v1::Branch br,
                   LoadAffiliatedBranch(state, e.branch_id(), "body.affiliation_fee_paid.branch_id"));
  const std::string& cur = e.amount().currency();
  if (cur != FeeCurrency(br.fee_basis())) {
    return InvalidField("body.affiliation_fee_paid.amount.currency",
                        absl::StrCat("branch \"", br.branch_id(), "\" pays its fee in ",
                                     FeeCurrency(br.fee_basis()), ", not ", cur));
  }
  const int64_t amount = e.amount().amount_minor();
  RETURN_IF_ERROR(AddBranchMoney(br, cur, amount, 0));
  br.set_periods_paid(br.periods_paid() + e.periods());
  SetPaidUntil(br);
  NoteLastPayment(br, p.occurred_on());
  state.Store(BranchKey(br.branch_id()), br);
  FundDelta d;
  d.received = amount;
  RETURN_IF_ERROR(ApplyFundDelta(state, kGeneralFund, cur, d));
  RETURN_IF_ERROR(UpdateTotals(state, cur, amount, 0));
  return PostMovement(state, *MovementOf(p.body()));
}

absl::Status ApplyAllocation(const v1::EventPayload& p, StateView& state) {
  const auto& e = p.body().funds_allocated();
  ASSIGN_OR_RETURN(v1::Beneficiary b, LoadOpenBeneficiary(state, e.beneficiary_id(),
                                                          "body.funds_allocated.beneficiary_id"));
  const std::string& cur = e.amount().currency();
  const int64_t amount = e.amount().amount_minor();
  FundDelta out;
  out.allocated_out = amount;
  RETURN_IF_ERROR(ApplyFundDelta(state, kGeneralFund, cur, out));
  FundDelta in;
  in.allocated_in = amount;
  RETURN_IF_ERROR(ApplyFundDelta(state, BeneficiaryFund(b.beneficiary_id()), cur, in));
  NoteCurrency(b, cur);
  state.Store(BeneficiaryKey(b.beneficiary_id()), b);
  return PostMovement(state, *MovementOf(p.body()));
}

absl::Status ApplyDisbursement(const v1::EventPayload& p, StateView& state) {
  const auto& e = p.body().disbursement_made();
  ASSIGN_OR_RETURN(v1::Beneficiary b, LoadOpenBeneficiary(state, e.beneficiary_id(),
                                                          "body.disbursement_made.beneficiary_id"));
  const std::string& cur = e.amount().currency();
  const int64_t amount = e.amount().amount_minor();
  FundDelta d;
  d.disbursed = amount;
  RETURN_IF_ERROR(ApplyFundDelta(state, BeneficiaryFund(b.beneficiary_id()), cur, d));
  RETURN_IF_ERROR(UpdateTotals(state, cur, 0, amount));
  return PostMovement(state, *MovementOf(p.body()));
}

absl::Status ApplyReversal(uint64_t position, const v1::EventPayload& p, StateView& state,
                           EventLookup& lookup) {
  const auto& e = p.body().event_reversed();
  constexpr char kTargetField[] = "body.event_reversed.target_event_id";
  ASSIGN_OR_RETURN(std::optional<LoggedEvent> target, lookup.FindByEventId(e.target_event_id()));
  if (!target) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownEvent,
                   absl::StrCat(kTargetField, ": no event \"", e.target_event_id(), "\""),
                   kTargetField);
  }
  std::optional<Movement> original = MovementOf(target->payload.body());
  if (!original) {
    return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNotReversible,
                   absl::StrCat(kTargetField, ": event \"", e.target_event_id(), "\" is ",
                                WithArticle(KindName(target->payload.body())),
                                ", which moves no money and cannot be reversed"),
                   kTargetField);
  }
  ASSIGN_OR_RETURN(std::optional<v1::ReversalMark> mark,
                   state.Load<v1::ReversalMark>(ReversalKey(target->position)));
  if (mark) {
    v1::ErrorDetail detail;
    detail.set_reason(kReasonAlreadyReversed);
    detail.set_field(kTargetField);
    detail.set_event_id(e.target_event_id());
    detail.set_position(mark->reversed_by_position());
    return WithDetail(absl::StatusCode::kFailedPrecondition,
                      absl::StrCat(kTargetField, ": event \"", e.target_event_id(),
                                   "\" was already reversed at position ",
                                   mark->reversed_by_position()),
                      detail);
  }
  const std::string& cur = original->currency;
  int64_t amount = original->amount_minor;
  if (e.has_amount() && e.amount().amount_minor() != 0) {
    if (e.amount().currency() != cur) {
      return InvalidField("body.event_reversed.amount.currency",
                          absl::StrCat("must be the original's currency, ", cur));
    }
    if (e.amount().amount_minor() > amount) {
      return InvalidField("body.event_reversed.amount",
                          absl::StrCat(FormatAmount(e.amount().amount_minor(), cur),
                                       " is more than the original ", FormatAmount(amount, cur)));
    }
    amount = e.amount().amount_minor();
  }
  const v1::EventBody& tb = target->payload.body();
  const bool whole = amount == original->amount_minor;
  switch (tb.kind_case()) {
    case v1::EventBody::kDonationReceived: {
      const auto& d = tb.donation_received();
      std::string fund = kGeneralFund;
      if (!d.earmark_beneficiary_id().empty()) {
        RETURN_IF_ERROR(LoadOpenBeneficiary(state, d.earmark_beneficiary_id(), kTargetField).status());
        fund = BeneficiaryFund(d.earmark_beneficiary_id());
      }
      FundDelta fd;
      fd.received = -amount;
      RETURN_IF_ERROR(ApplyFundDelta(state, fund, cur, fd));
      if (d.donor_kind() == v1::DONOR_KIND_BRANCH) {
        ASSIGN_OR_RETURN(v1::Branch br, LoadBranch(state, d.branch_id(), kTargetField));
        RETURN_IF_ERROR(AddBranchMoney(br, cur, 0, -amount));
        state.Store(BranchKey(br.branch_id()), br);
      }
      RETURN_IF_ERROR(UpdateTotals(state, cur, -amount, 0));
      break;
    }
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& f = tb.affiliation_fee_paid();
      FundDelta fd;
      fd.received = -amount;
      RETURN_IF_ERROR(ApplyFundDelta(state, kGeneralFund, cur, fd));
      ASSIGN_OR_RETURN(v1::Branch br, LoadBranch(state, f.branch_id(), kTargetField));
      RETURN_IF_ERROR(AddBranchMoney(br, cur, -amount, 0));
      // A whole reversal takes back the periods it paid; a partial one (a
      // part refund) leaves the branch paid up for them.
      if (whole) {
        br.set_periods_paid(std::max<int64_t>(0, br.periods_paid() - f.periods()));
        SetPaidUntil(br);
      }
      state.Store(BranchKey(br.branch_id()), br);
      RETURN_IF_ERROR(UpdateTotals(state, cur, -amount, 0));
      break;
    }
    case v1::EventBody::kFundsAllocated: {
      const auto& a = tb.funds_allocated();
      RETURN_IF_ERROR(LoadOpenBeneficiary(state, a.beneficiary_id(), kTargetField).status());
      FundDelta from;
      from.allocated_in = -amount;
      RETURN_IF_ERROR(ApplyFundDelta(state, BeneficiaryFund(a.beneficiary_id()), cur, from));
      FundDelta to;
      to.allocated_out = -amount;
      RETURN_IF_ERROR(ApplyFundDelta(state, kGeneralFund, cur, to));
      break;
    }
    case v1::EventBody::kDisbursementMade: {
      const auto& d = tb.disbursement_made();
      RETURN_IF_ERROR(LoadOpenBeneficiary(state, d.beneficiary_id(), kTargetField).status());
      FundDelta fd;
      fd.disbursed = -amount;
      RETURN_IF_ERROR(ApplyFundDelta(state, BeneficiaryFund(d.beneficiary_id()), cur, fd));
      RETURN_IF_ERROR(UpdateTotals(state, cur, 0, -amount));
      break;
    }
    default:
      return Refusal(absl::StatusCode::kInternal, kReasonNotReversible, "unreachable");
  }
  v1::ReversalMark new_mark;
  new_mark.set_reversed_by_position(position);
  new_mark.set_amount_minor(amount);
  state.Store(ReversalKey(target->position), new_mark);
  return PostMovement(state, ReverseOf(*original, amount));
}

}  // namespace

absl::string_view KindName(const v1::EventBody& body) {
  switch (body.kind_case()) {
    case v1::EventBody::kLedgerOpened: return "ledger_opened";
    case v1::EventBody::kBeneficiaryRegistered: return "beneficiary_registered";
    case v1::EventBody::kBeneficiaryUpdated: return "beneficiary_updated";
    case v1::EventBody::kBeneficiaryClosed: return "beneficiary_closed";
    case v1::EventBody::kBranchAffiliated: return "branch_affiliated";
    case v1::EventBody::kBranchDisaffiliated: return "branch_disaffiliated";
    case v1::EventBody::kAffiliationFeePaid: return "affiliation_fee_paid";
    case v1::EventBody::kDonationReceived: return "donation_received";
    case v1::EventBody::kFundsAllocated: return "funds_allocated";
    case v1::EventBody::kDisbursementMade: return "disbursement_made";
    case v1::EventBody::kEventReversed: return "event_reversed";
    case v1::EventBody::KIND_NOT_SET: return "unknown";
  }
  return "unknown";
}

int MonthsPerPeriod(v1::FeePeriod period) {
  switch (period) {
    case v1::FEE_PERIOD_MONTHLY: return 1;
    case v1::FEE_PERIOD_QUARTERLY: return 3;
    case v1::FEE_PERIOD_ANNUAL: return 12;
    default: return 12;
  }
}

const std::string& FeeCurrency(const v1::FeeBasis& basis) {
  if (basis.has_per_member()) return basis.per_member().fee_per_member().currency();
  return basis.fixed().fee().currency();
}

absl::StatusOr<int64_t> FeePerPeriod(const v1::FeeBasis& basis, int64_t members) {
  if (basis.has_per_member()) {
    auto fee = CheckedMul(basis.per_member().fee_per_member().amount_minor(), members);
    if (!fee) return Overflow("fee per period");
    return std::max(*fee, basis.per_member().minimum().amount_minor());
  }
  return basis.fixed().fee().amount_minor();
}

absl::Status ValidateInput(const v1::EventInput& input) {
  RETURN_IF_ERROR(CheckId("event_id", input.event_id()));
  if (input.occurred_on().empty()) return InvalidField("occurred_on", "is required");
  if (!ParseDate(input.occurred_on()).ok()) {
    return InvalidField("occurred_on", absl::StrCat("\"", input.occurred_on().substr(0, 40),
                                                    "\" is not a real day written YYYY-MM-DD"));
  }
  RETURN_IF_ERROR(CheckMemo("memo", input.memo(), false));
  if (!input.has_body()) return InvalidField("body", "is required");
  return ValidateBody(input.body());
}

absl::Status ApplyEvent(uint64_t position, const v1::EventPayload& p, StateView& state,
                        EventLookup& lookup, EventChecks checks) {
  const v1::EventBody& body = p.body();
  const bool dated = checks == EventChecks::kWhenRecorded;
  if (dated) {
    RETURN_IF_ERROR(CheckNotInFuture(p.occurred_on(), p.recorded_at_us()));
    RETURN_IF_ERROR(CheckEventDates(p, state, lookup));
  }
  switch (body.kind_case()) {
    case v1::EventBody::kLedgerOpened:
      if (position != 1) {
        return InvalidField("body.ledger_opened", "may only be the first event");
      }
      break;
    case v1::EventBody::kBeneficiaryRegistered: {
      const auto& e = body.beneficiary_registered();
      ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> existing,
                       state.Load<v1::Beneficiary>(BeneficiaryKey(e.beneficiary_id())));
      if (existing) {
        return Refusal(absl::StatusCode::kAlreadyExists, kReasonBeneficiaryExists,
                       absl::StrCat("body.beneficiary_registered.beneficiary_id: beneficiary \"",
                                    e.beneficiary_id(), "\" already exists"),
                       "body.beneficiary_registered.beneficiary_id");
      }
      v1::Beneficiary b;
      b.set_beneficiary_id(e.beneficiary_id());
      b.set_display_name(e.display_name());
      b.set_purpose(e.purpose());
      b.set_sensitive(e.sensitive());
      b.set_status(v1::STATUS_OPEN);
      b.set_registered_position(position);
      b.set_registered_on(p.occurred_on());
      state.Store(BeneficiaryKey(b.beneficiary_id()), b);
      break;
    }
    case v1::EventBody::kBeneficiaryUpdated: {
      const auto& e = body.beneficiary_updated();
      ASSIGN_OR_RETURN(v1::Beneficiary b, LoadOpenBeneficiary(state, e.beneficiary_id(),
                                                              "body.beneficiary_updated.beneficiary_id"));
      if (!e.display_name().empty()) b.set_display_name(e.display_name());
      if (!e.purpose().empty()) b.set_purpose(e.purpose());
      state.Store(BeneficiaryKey(b.beneficiary_id()), b);
      break;
    }
    case v1::EventBody::kBeneficiaryClosed: {
      const auto& e = body.beneficiary_closed();
      ASSIGN_OR_RETURN(v1::Beneficiary b, LoadOpenBeneficiary(state, e.beneficiary_id(),
                                                              "body.beneficiary_closed.beneficiary_id"));
      for (const std::string& cur : b.currencies()) {
        ASSIGN_OR_RETURN(v1::FundBalance f, LoadFund(state, BeneficiaryFund(b.beneficiary_id()), cur));
        if (f.available_minor() != 0) {
          v1::ErrorDetail detail;
          detail.set_reason(kReasonBalanceNotZero);
          detail.set_field("body.beneficiary_closed.beneficiary_id");
          detail.set_fund(BeneficiaryFund(b.beneficiary_id()));
          detail.mutable_available()->set_amount_minor(f.available_minor());
          detail.mutable_available()->set_currency(cur);
          return WithDetail(absl::StatusCode::kFailedPrecondition,
                            absl::StrCat("body.beneficiary_closed.beneficiary_id: fund:",
                                         BeneficiaryFund(b.beneficiary_id()), " still holds ",
                                         FormatAmount(f.available_minor(), cur),
                                         "; only a fund at zero can be closed"),
                            detail);
        }
      }
      b.set_status(v1::STATUS_CLOSED);
      b.set_closed_on(p.occurred_on());
      state.Store(BeneficiaryKey(b.beneficiary_id()), b);
      break;
    }
    case v1::EventBody::kBranchAffiliated: {
      const auto& e = body.branch_affiliated();
      ASSIGN_OR_RETURN(std::optional<v1::Branch> existing,
                       state.Load<v1::Branch>(BranchKey(e.branch_id())));
      if (existing && existing->status() == v1::STATUS_OPEN) {
        return Refusal(absl::StatusCode::kFailedPrecondition, kReasonBranchAffiliated,
                       absl::StrCat("body.branch_affiliated.branch_id: branch \"", e.branch_id(),
                                    "\" is already affiliated"),
                       "body.branch_affiliated.branch_id");
      }
      v1::Branch br = existing.value_or(v1::Branch());
      br.set_branch_id(e.branch_id());
      br.set_union_name(e.union_name());
      br.set_branch_name(e.branch_name());
      br.set_region(e.region());
      br.set_members(e.members());
      *br.mutable_fee_basis() = e.fee_basis();
      br.set_status(v1::STATUS_OPEN);
      br.set_affiliated_on(p.occurred_on());
      br.clear_disaffiliated_on();
      br.set_periods_paid(0);
      if (br.first_affiliated_position() == 0) br.set_first_affiliated_position(position);
      SetPaidUntil(br);
      state.Store(BranchKey(br.branch_id()), br);
      break;
    }
    case v1::EventBody::kBranchDisaffiliated: {
      const auto& e = body.branch_disaffiliated();
      ASSIGN_OR_RETURN(v1::Branch br, LoadAffiliatedBranch(state, e.branch_id(),
                                                           "body.branch_disaffiliated.branch_id"));
      br.set_status(v1::STATUS_CLOSED);
      br.set_disaffiliated_on(p.occurred_on());
      state.Store(BranchKey(br.branch_id()), br);
      break;
    }
    case v1::EventBody::kAffiliationFeePaid:
      RETURN_IF_ERROR(ApplyFee(p, state));
      break;
    case v1::EventBody::kDonationReceived:
      RETURN_IF_ERROR(ApplyDonation(p, state));
      break;
    case v1::EventBody::kFundsAllocated:
      RETURN_IF_ERROR(ApplyAllocation(p, state));
      break;
    case v1::EventBody::kDisbursementMade:
      RETURN_IF_ERROR(ApplyDisbursement(p, state));
      break;
    case v1::EventBody::kEventReversed:
      RETURN_IF_ERROR(ApplyReversal(position, p, state, lookup));
      break;
    case v1::EventBody::KIND_NOT_SET:
      return InvalidField("body", "has no event kind");
  }
  RETURN_IF_ERROR(CountEvent(state, body.has_event_reversed()));
  // The same effects as deltas per day and per position bucket, for
  // point-in-time balances and statements.
  ASSIGN_OR_RETURN(Effects effects, EffectsOf(p, lookup));
  if (dated) RETURN_IF_ERROR(CheckFundsOnEveryDay(state, p.occurred_on(), effects));
  return RecordDeltas(state, position, p.occurred_on(), effects);
}

}  // namespace ledger
