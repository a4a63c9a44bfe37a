#include "ledger/effects.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/money.h"
#include "ledger/postings.h"

namespace ledger {
namespace {

absl::Status Overflow() {
  return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow, "a running total would overflow");
}

#define LEDGER_SUM(into, from, field)                                   \
  do {                                                                  \
    auto s = CheckedAdd((into).field(), (from).field());                \
    if (!s) return Overflow();                                          \
    (into).set_##field(*s);                                             \
  } while (0)

v1::FundBalance FundDelta(absl::string_view fund, absl::string_view cur) {
  v1::FundBalance f;
  f.set_fund(std::string(fund));
  f.set_currency(std::string(cur));
  return f;
}

// The effects of a money event of `body`'s kind, for `amount` (negative for
// a reversal).
void MoneyEffects(const v1::EventBody& body, int64_t amount, Effects& out) {
  switch (body.kind_case()) {
    case v1::EventBody::kDonationReceived: {
      const auto& d = body.donation_received();
      const std::string& cur = d.amount().currency();
      std::string fund = d.earmark_beneficiary_id().empty() ? std::string(kGeneralFund)
                                                            : BeneficiaryFund(d.earmark_beneficiary_id());
      v1::FundBalance f = FundDelta(fund, cur);
      f.set_received_minor(amount);
      f.set_available_minor(amount);
      out.funds.push_back(f);
      if (d.donor_kind() == v1::DONOR_KIND_BRANCH) {
        v1::BranchTotals t;
        t.set_currency(cur);
        t.set_donations_minor(amount);
        t.set_total_minor(amount);
        out.branches.emplace_back(d.branch_id(), t);
      }
      auto* c = out.totals.add_currencies();
      c->set_currency(cur);
      c->set_raised_minor(amount);
      c->set_held_minor(amount);
      break;
    }
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& e = body.affiliation_fee_paid();
      const std::string& cur = e.amount().currency();
      v1::FundBalance f = FundDelta(kGeneralFund, cur);
      f.set_received_minor(amount);
      f.set_available_minor(amount);
      out.funds.push_back(f);
      v1::BranchTotals t;
      t.set_currency(cur);
      t.set_fees_paid_minor(amount);
      t.set_total_minor(amount);
      out.branches.emplace_back(e.branch_id(), t);
      auto* c = out.totals.add_currencies();
      c->set_currency(cur);
      c->set_raised_minor(amount);
      c->set_held_minor(amount);
      break;
    }
    case v1::EventBody::kFundsAllocated: {
      const auto& e = body.funds_allocated();
      const std::string& cur = e.amount().currency();
      v1::FundBalance from = FundDelta(kGeneralFund, cur);
      from.set_allocated_out_minor(amount);
      from.set_available_minor(-amount);
      v1::FundBalance to = FundDelta(BeneficiaryFund(e.beneficiary_id()), cur);
      to.set_allocated_in_minor(amount);
      to.set_available_minor(amount);
      out.funds.push_back(from);
      out.funds.push_back(to);
      break;
    }
    case v1::EventBody::kDisbursementMade: {
      const auto& e = body.disbursement_made();
      const std::string& cur = e.amount().currency();
      v1::FundBalance f = FundDelta(BeneficiaryFund(e.beneficiary_id()), cur);
      f.set_disbursed_minor(amount);
      f.set_available_minor(-amount);
      out.funds.push_back(f);
      auto* c = out.totals.add_currencies();
      c->set_currency(cur);
      c->set_disbursed_minor(amount);
      c->set_held_minor(-amount);
      break;
    }
    default:
      break;
  }
}

void AddPostings(const Movement& m, Effects& out) {
  for (const Posting& p : PostingsOf(m)) {
    v1::AccountBalance a;
    a.set_account(p.account);
    a.set_currency(p.currency);
    a.set_debits_minor(p.debit_minor);
    a.set_credits_minor(p.credit_minor);
    out.accounts.push_back(a);
  }
}

template <typename M>
absl::StatusOr<M> LoadOr(StateView& state, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<M> row, state.Load<M>(key));
  return row.value_or(M());
}

}  // namespace

absl::Status AddFund(v1::FundBalance& into, const v1::FundBalance& from) {
  into.set_fund(from.fund());
  into.set_currency(from.currency());
  LEDGER_SUM(into, from, received_minor);
  LEDGER_SUM(into, from, allocated_in_minor);
  LEDGER_SUM(into, from, allocated_out_minor);
  LEDGER_SUM(into, from, disbursed_minor);
  LEDGER_SUM(into, from, available_minor);
  return absl::OkStatus();
}

absl::Status AddAccount(v1::AccountBalance& into, const v1::AccountBalance& from) {
  into.set_account(from.account());
  into.set_currency(from.currency());
  LEDGER_SUM(into, from, debits_minor);
  LEDGER_SUM(into, from, credits_minor);
  return absl::OkStatus();
}

absl::Status AddBranchTotals(v1::BranchTotals& into, const v1::BranchTotals& from) {
  into.set_currency(from.currency());
  LEDGER_SUM(into, from, fees_paid_minor);
  LEDGER_SUM(into, from, donations_minor);
  LEDGER_SUM(into, from, total_minor);
  return absl::OkStatus();
}

absl::Status AddTotals(v1::LedgerTotals& into, const v1::LedgerTotals& from) {
  into.set_event_count(into.event_count() + from.event_count());
  into.set_reversal_count(into.reversal_count() + from.reversal_count());
  for (const auto& c : from.currencies()) {
    v1::CurrencyTotals* entry = nullptr;
    for (auto& e : *into.mutable_currencies()) {
      if (e.currency() == c.currency()) entry = &e;
    }
    if (entry == nullptr) {
      entry = into.add_currencies();
      entry->set_currency(c.currency());
    }
    LEDGER_SUM(*entry, c, raised_minor);
    LEDGER_SUM(*entry, c, disbursed_minor);
    LEDGER_SUM(*entry, c, held_minor);
  }
  std::sort(into.mutable_currencies()->begin(), into.mutable_currencies()->end(),
            [](const v1::CurrencyTotals& a, const v1::CurrencyTotals& b) {
              return a.currency() < b.currency();
            });
  return absl::OkStatus();
}

absl::StatusOr<Effects> EffectsOf(const v1::EventPayload& payload, EventLookup& lookup) {
  Effects out;
  out.totals.set_event_count(1);
  const v1::EventBody& body = payload.body();
  if (body.has_event_reversed()) {
    out.totals.set_reversal_count(1);
    const auto& r = body.event_reversed();
    ASSIGN_OR_RETURN(std::optional<LoggedEvent> target, lookup.FindByEventId(r.target_event_id()));
    if (!target) return absl::DataLossError(absl::StrCat("reversal target ", r.target_event_id(), " is missing"));
    std::optional<Movement> original = MovementOf(target->payload.body());
    if (!original) return absl::DataLossError("reversal target moves no money");
    const int64_t amount = r.amount().amount_minor() != 0 ? r.amount().amount_minor()
                                                          : original->amount_minor;
    MoneyEffects(target->payload.body(), -amount, out);
    AddPostings(ReverseOf(*original, amount), out);
    return out;
  }
  std::optional<Movement> m = MovementOf(body);
  if (m) {
    MoneyEffects(body, m->amount_minor, out);
    AddPostings(*m, out);
  }
  return out;
}

absl::Status RecordDeltas(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects) {
  const std::string bucket = EncodeBigEndian64(position / kPositionBucketSize);
  state.Put(absl::StrCat(kDateIndexPrefix, occurred_on, "/", EncodeBigEndian64(position)), "");
  for (const std::string& dim : {std::string(occurred_on), bucket}) {
    const bool day = dim.size() == 10;
    for (const v1::FundBalance& f : effects.funds) {
      const std::string key = absl::StrCat(day ? kDayFundPrefix : kBucketFundPrefix, f.fund(), "/",
                                           f.currency(), "/", dim);
      ASSIGN_OR_RETURN(v1::FundBalance row, LoadOr<v1::FundBalance>(state, key));
      RETURN_IF_ERROR(AddFund(row, f));
      state.Store(key, row);
    }
    for (const v1::AccountBalance& a : effects.accounts) {
      const std::string key = absl::StrCat(day ? kDayAccountPrefix : kBucketAccountPrefix,
                                           a.account(), "/", a.currency(), "/", dim);
      ASSIGN_OR_RETURN(v1::AccountBalance row, LoadOr<v1::AccountBalance>(state, key));
      RETURN_IF_ERROR(AddAccount(row, a));
      state.Store(key, row);
    }
    for (const auto& [branch, t] : effects.branches) {
      const std::string key = absl::StrCat(day ? kDayBranchPrefix : kBucketBranchPrefix, branch,
                                           "/", t.currency(), "/", dim);
      ASSIGN_OR_RETURN(v1::BranchTotals row, LoadOr<v1::BranchTotals>(state, key));
      RETURN_IF_ERROR(AddBranchTotals(row, t));
      state.Store(key, row);
    }
    const std::string key = absl::StrCat(day ? kDayTotalsPrefix : kBucketTotalsPrefix, dim);
    ASSIGN_OR_RETURN(v1::LedgerTotals row, LoadOr<v1::LedgerTotals>(state, key));
    RETURN_IF_ERROR(AddTotals(row, effects.totals));
    state.Store(key, row);
  }
  return absl::OkStatus();
}

}  // namespace ledger
