// Effects: what one event does to the books, computed once by its kind and
// applied by every projection (the current balances, the registers, the
// per-day and per-bucket rows, and any later index).
//
// Money effects are postings (double entry, per currency: the debits of an
// event equal its credits in each currency) and the changes they make to
// fund balances, branch contributions and the ledger's totals. Register
// changes are the rows of beneficiaries and branches as the event leaves
// them (money aside: a projection adds the branch totals and fund
// currencies from the money effects), and the reversal mark it sets.
//
// Thread-safety: plain values.
#ifndef LEDGER_DOMAIN_EFFECTS_H_
#define LEDGER_DOMAIN_EFFECTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/projections.pb.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// Accounts of the books. Asset accounts are debit-normal, funds credit-normal.
inline constexpr char kCashAccount[] = "cash";
// Funds: "general" (unrestricted) and "beneficiary/<id>" (restricted).
inline constexpr char kGeneralFund[] = "general";
std::string BeneficiaryFund(absl::string_view beneficiary_id);  // "beneficiary/<id>"
std::string FundAccount(absl::string_view fund);                // "fund:<fund>"

// One line of the books.
struct Posting {
  std::string account;
  std::string currency;
  int64_t debit_minor = 0;
  int64_t credit_minor = 0;
};

// The money movement of an event that moves one amount from one account to
// another (every kind of today).
struct Movement {
  std::string debit_account;
  std::string credit_account;
  int64_t amount_minor = 0;
  std::string currency;
};

// The two postings of a movement, debit first.
std::vector<Posting> PostingsOf(const Movement& movement);
// The movement that undoes `amount_minor` of `original`: its accounts swapped.
Movement ReverseOf(const Movement& original, int64_t amount_minor);

struct Effects {
  // ---- money
  std::vector<Posting> postings;
  // Fund balance changes: fund, currency and the deltas of every counter
  // (available included). Negative for money taken back.
  std::vector<v1::FundBalance> funds;
  // Branch contributions: branch id -> fees and donations deltas.
  std::vector<std::pair<std::string, v1::BranchTotals>> branches;
  // event_count 1, reversal_count, and per-currency raised/disbursed/held.
  v1::LedgerTotals totals;

  // ---- registers (rows as the event leaves them; money aside)
  std::vector<v1::Beneficiary> beneficiary_rows;
  std::vector<v1::Branch> branch_rows;
  std::vector<v1::Member> member_rows;
  std::vector<v1::Token> token_rows;
  std::vector<v1::DisbursementRequest> request_rows;
  // An ApprovalPolicySet's new policy (at most one).
  std::vector<v1::ApprovalPolicySet> approval_policy;
  // Closed periods: proposals as the event leaves them, and a
  // PeriodClosed's new closed-through row (at most one).
  std::vector<v1::PeriodProposal> period_proposals;
  std::vector<v1::ClosedPeriod> closed_period;
  // The mark set on a reversed event: (its position, the mark).
  std::vector<std::pair<uint64_t, v1::ReversalMark>> reversal_marks;

  // ---- private details to destroy (the writer deletes their keys)
  std::vector<std::string> erased_parties;     // keyed party ids
  std::vector<uint64_t> erased_event_details;  // positions

  // The postings of `movement` and nothing else.
  void AddMovement(const Movement& movement);
  // A fund counter change; `row` carries the deltas (fund and currency set).
  void AddFund(v1::FundBalance row) { funds.push_back(std::move(row)); }
  void AddBranchMoney(absl::string_view branch_id, absl::string_view currency, int64_t fees_minor,
                      int64_t donations_minor);
  void AddTotals(absl::string_view currency, int64_t raised_minor, int64_t disbursed_minor);
};

// A fund delta row for `fund` in `currency`, counters zero.
v1::FundBalance FundChange(absl::string_view fund, absl::string_view currency);

// OK when the postings of `effects` balance in every currency (and no sum
// overflows); the writer checks every event with it.
absl::Status CheckBalanced(const Effects& effects);

// Adds `from` into `into` (rows of the same kind), field by field, checked:
// OUT_OF_RANGE, reason OVERFLOW, if a total would overflow int64.
absl::Status AddFund(v1::FundBalance& into, const v1::FundBalance& from);
absl::Status AddAccount(v1::AccountBalance& into, const v1::AccountBalance& from);
absl::Status AddBranchTotals(v1::BranchTotals& into, const v1::BranchTotals& from);
absl::Status AddTotals(v1::LedgerTotals& into, const v1::LedgerTotals& from);

// The account rows (debits and credits per account and currency) of postings.
std::vector<v1::AccountBalance> AccountDeltas(const std::vector<Posting>& postings);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_EFFECTS_H_
