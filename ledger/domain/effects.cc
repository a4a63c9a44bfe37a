#include "ledger/domain/effects.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

absl::Status TotalOverflow() {
  return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow, "a running total would overflow");
}

#define LEDGER_SUM(into, from, field)                    \
  do {                                                   \
    auto s = CheckedAdd((into).field(), (from).field()); \
    if (!s) return TotalOverflow();                      \
    (into).set_##field(*s);                              \
  } while (0)

}  // namespace

std::string BeneficiaryFund(absl::string_view beneficiary_id) {
  return absl::StrCat("beneficiary/", beneficiary_id);
}

std::string FundAccount(absl::string_view fund) { return absl::StrCat("fund:", fund); }

std::vector<Posting> PostingsOf(const Movement& m) {
  return {Posting{m.debit_account, m.currency, m.amount_minor, 0},
          Posting{m.credit_account, m.currency, 0, m.amount_minor}};
}

Movement ReverseOf(const Movement& original, int64_t amount_minor) {
  return Movement{original.credit_account, original.debit_account, amount_minor, original.currency};
}

void Effects::AddMovement(const Movement& movement) {
  for (Posting& p : PostingsOf(movement)) postings.push_back(std::move(p));
}

void Effects::AddBranchMoney(absl::string_view branch_id, absl::string_view currency,
                             int64_t fees_minor, int64_t donations_minor) {
  v1::BranchTotals t;
  t.set_currency(std::string(currency));
  t.set_fees_paid_minor(fees_minor);
  t.set_donations_minor(donations_minor);
  t.set_total_minor(fees_minor + donations_minor);
  branches.emplace_back(std::string(branch_id), std::move(t));
}

void Effects::AddTotals(absl::string_view currency, int64_t raised_minor, int64_t disbursed_minor) {
  v1::CurrencyTotals* c = totals.add_currencies();
  c->set_currency(std::string(currency));
  c->set_raised_minor(raised_minor);
  c->set_disbursed_minor(disbursed_minor);
  c->set_held_minor(raised_minor - disbursed_minor);
}

v1::FundBalance FundChange(absl::string_view fund, absl::string_view currency) {
  v1::FundBalance f;
  f.set_fund(std::string(fund));
  f.set_currency(std::string(currency));
  return f;
}

absl::Status CheckBalanced(const Effects& effects) {
  std::map<std::string, int64_t> net;  // currency -> debits - credits
  for (const Posting& p : effects.postings) {
    if (p.debit_minor < 0 || p.credit_minor < 0) {
      return absl::InternalError(absl::StrCat("a posting to ", p.account, " is negative"));
    }
    std::optional<int64_t> d = CheckedAdd(net[p.currency], p.debit_minor);
    std::optional<int64_t> c = d ? CheckedSub(*d, p.credit_minor) : std::nullopt;
    if (!c) return TotalOverflow();
    net[p.currency] = *c;
  }
  for (const auto& [currency, n] : net) {
    if (n != 0) {
      return absl::InternalError(
          absl::StrCat("the postings of an event do not balance in ", currency));
    }
  }
  return absl::OkStatus();
}

absl::Status AddFund(v1::FundBalance& into, const v1::FundBalance& from) {
  into.set_fund(from.fund());
  into.set_currency(from.currency());
  LEDGER_SUM(into, from, received_minor);
  LEDGER_SUM(into, from, allocated_in_minor);
  LEDGER_SUM(into, from, allocated_out_minor);
  LEDGER_SUM(into, from, disbursed_minor);
  LEDGER_SUM(into, from, available_minor);
  LEDGER_SUM(into, from, committed_minor);
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

std::vector<v1::AccountBalance> AccountDeltas(const std::vector<Posting>& postings) {
  std::vector<v1::AccountBalance> out;
  out.reserve(postings.size());
  for (const Posting& p : postings) {
    v1::AccountBalance a;
    a.set_account(p.account);
    a.set_currency(p.currency);
    a.set_debits_minor(p.debit_minor);
    a.set_credits_minor(p.credit_minor);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ledger
