#include "ledger/projections/apply.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ledger/check.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registers.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/keys.h"

namespace ledger {
namespace {

// RecordDeltas tells a day's rows from a bucket's by the length of their
// last key part: a date, or an 8-byte big-endian bucket number.
static_assert(kDateLength != sizeof(uint64_t));

template <typename M>
absl::StatusOr<M> LoadOr(StateView& state, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<M> row, state.Load<M>(key));
  return row.value_or(M());
}

// Records that a beneficiary's fund holds `currency` (kept sorted).
void NoteCurrency(v1::Beneficiary& b, absl::string_view currency) {
  for (const auto& c : b.currencies()) {
    if (c == currency) return;
  }
  b.add_currencies(std::string(currency));
  std::sort(b.mutable_currencies()->begin(), b.mutable_currencies()->end());
}

// Adds fees and donations to a branch's totals in one currency (kept sorted).
absl::Status AddBranchMoney(v1::Branch& branch, const v1::BranchTotals& delta) {
  v1::BranchTotals* entry = nullptr;
  for (auto& t : *branch.mutable_totals()) {
    if (t.currency() == delta.currency()) entry = &t;
  }
  if (entry == nullptr) {
    entry = branch.add_totals();
    entry->set_currency(delta.currency());
    std::sort(branch.mutable_totals()->begin(), branch.mutable_totals()->end(),
              [](const v1::BranchTotals& a, const v1::BranchTotals& b) {
                return a.currency() < b.currency();
              });
    for (auto& t : *branch.mutable_totals()) {
      if (t.currency() == delta.currency()) entry = &t;
    }
    LEDGER_CHECK(entry != nullptr);  // the entry just added
  }
  if (!AddBranchTotals(*entry, delta).ok()) {
    return Overflow(absl::StrCat("branch ", branch.branch_id(), " totals"));
  }
  return absl::OkStatus();
}

// Register rows, by id, as the event leaves them: the kind's rows first,
// then what the money adds to them.
absl::Status ApplyRegisters(StateView& state, const Effects& effects) {
  std::map<std::string, v1::Beneficiary> beneficiaries;
  for (const v1::Beneficiary& b : effects.beneficiary_rows) beneficiaries[b.beneficiary_id()] = b;
  for (const v1::FundBalance& f : effects.funds) {
    absl::string_view fund = f.fund();
    if (!absl::ConsumePrefix(&fund, "beneficiary/")) continue;
    auto it = beneficiaries.find(std::string(fund));
    if (it == beneficiaries.end()) {
      ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> row,
                       state.Load<v1::Beneficiary>(BeneficiaryKey(fund)));
      if (!row) return absl::DataLossError(absl::StrCat("fund ", f.fund(), " has no register row"));
      it = beneficiaries.emplace(std::string(fund), *std::move(row)).first;
    }
    NoteCurrency(it->second, f.currency());
  }
  for (const auto& [id, b] : beneficiaries) state.Store(BeneficiaryKey(id), b);

  std::map<std::string, v1::Branch> branches;
  for (const v1::Branch& b : effects.branch_rows) branches[b.branch_id()] = b;
  for (const auto& [id, delta] : effects.branches) {
    auto it = branches.find(id);
    if (it == branches.end()) {
      ASSIGN_OR_RETURN(std::optional<v1::Branch> row, state.Load<v1::Branch>(BranchKey(id)));
      if (!row) return absl::DataLossError(absl::StrCat("branch ", id, " has no register row"));
      it = branches.emplace(id, *std::move(row)).first;
    }
    RETURN_IF_ERROR(AddBranchMoney(it->second, delta));
  }
  for (const auto& [id, b] : branches) state.Store(BranchKey(id), b);

  for (const v1::Member& m : effects.member_rows) state.Store(MemberKey(m.member_id()), m);
  for (const v1::Token& t : effects.token_rows) {
    state.Store(TokenKey(t.token_id()), t);
    state.Put(TokenHashKey(t.token_hash()), t.token_id());
  }

  for (const v1::DisbursementRequest& r : effects.request_rows) {
    state.Store(RequestKey(r.request_id()), r);
  }
  for (const v1::ApprovalPolicySet& p : effects.approval_policy) state.Store(kApprovalPolicyKey, p);

  for (const v1::PeriodProposal& p : effects.period_proposals) {
    state.Store(PeriodProposalKey(p.proposal_id()), p);
  }
  for (const v1::ClosedPeriod& c : effects.closed_period) state.Store(kClosedPeriodKey, c);

  for (const auto& [position, mark] : effects.reversal_marks)
    state.Store(ReversalKey(position), mark);
  return absl::OkStatus();
}

absl::Status ApplyBalances(StateView& state, const Effects& effects) {
  for (const v1::FundBalance& f : effects.funds) {
    const std::string key = FundKey(f.fund(), f.currency());
    ASSIGN_OR_RETURN(v1::FundBalance row, LoadOr<v1::FundBalance>(state, key));
    if (!AddFund(row, f).ok()) return Overflow(absl::StrCat("fund ", f.fund(), " ", f.currency()));
    state.Store(key, row);
  }
  for (const v1::AccountBalance& a : AccountDeltas(effects.postings)) {
    const std::string key = AccountKey(a.account(), a.currency());
    ASSIGN_OR_RETURN(v1::AccountBalance row, LoadOr<v1::AccountBalance>(state, key));
    if (!AddAccount(row, a).ok()) {
      return Refusal(
          absl::StatusCode::kOutOfRange, kReasonOverflow,
          absl::StrCat("account ", a.account(), " would overflow its ", a.currency(), " totals"));
    }
    state.Store(key, row);
  }
  ASSIGN_OR_RETURN(v1::LedgerTotals totals, LoadOr<v1::LedgerTotals>(state, kTotalsKey));
  if (!AddTotals(totals, effects.totals).ok()) return Overflow("the ledger totals");
  state.Store(kTotalsKey, totals);
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyEffects(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects) {
  // Decide counts the event once (a kind adds to the totals, never resets
  // them): the ledger's event count is the head's position.
  LEDGER_CHECK(effects.totals.event_count() == 1);
  LEDGER_CHECK(position >= 1);
  RETURN_IF_ERROR(ApplyRegisters(state, effects));
  RETURN_IF_ERROR(ApplyBalances(state, effects));
  return RecordDeltas(state, position, occurred_on, effects);
}

absl::Status RecordDeltas(StateView& state, uint64_t position, absl::string_view occurred_on,
                          const Effects& effects) {
  const std::string bucket = EncodeBigEndian64(position / kPositionBucketSize);
  state.Put(absl::StrCat(kDateIndexPrefix, occurred_on, "/", EncodeBigEndian64(position)), "");
  const std::vector<v1::AccountBalance> accounts = AccountDeltas(effects.postings);
  for (const std::string& dim : {std::string(occurred_on), bucket}) {
    const bool day = dim.size() == kDateLength;
    for (const v1::FundBalance& f : effects.funds) {
      const std::string key = absl::StrCat(day ? kDayFundPrefix : kBucketFundPrefix, f.fund(), "/",
                                           f.currency(), "/", dim);
      ASSIGN_OR_RETURN(v1::FundBalance row, LoadOr<v1::FundBalance>(state, key));
      RETURN_IF_ERROR(AddFund(row, f));
      state.Store(key, row);
    }
    for (const v1::AccountBalance& a : accounts) {
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
