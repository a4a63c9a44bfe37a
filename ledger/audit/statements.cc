#include "ledger/audit/statements.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/keys.h"
#include "ledger/projections/lookup.h"
#include "ledger/views/periods.h"
#include "ledger/views/queries.h"

namespace ledger {
namespace {

struct Range {
  absl::CivilDay from;
  absl::CivilDay to;
  std::string from_text;  // "YYYY-MM-DD"
  std::string end_text;   // the day after `to`, exclusive bound
};

absl::StatusOr<Range> ParseRange(const v1::DateRange& r) {
  absl::StatusOr<absl::CivilDay> from = ParseDate(r.from_date());
  if (!from.ok()) return InvalidField("range.from_date", "must be a real day written YYYY-MM-DD");
  absl::StatusOr<absl::CivilDay> to = ParseDate(r.to_date());
  if (!to.ok()) return InvalidField("range.to_date", "must be a real day written YYYY-MM-DD");
  if (*to < *from) return InvalidField("range.to_date", "is before range.from_date");
  return Range{*from, *to, FormatDate(*from), FormatDate(*to + 1)};
}

template <typename M>
absl::StatusOr<M> Parse(absl::string_view value) {
  M m;
  if (!m.ParseFromString(std::string(value)))
    return absl::DataLossError("a state row cannot be decoded");
  return m;
}

// Sums the day deltas under `prefix` with date in [from, end).
template <typename M, typename Fn>
absl::Status SumDays(ReadView& view, const std::string& prefix, absl::string_view from,
                     absl::string_view end, Fn add) {
  absl::Status inner;
  RETURN_IF_ERROR(view.Scan(prefix, [&](absl::string_view key, absl::string_view value) {
    absl::string_view day = key.substr(prefix.size());
    if (day >= end) return false;
    if (day < from) return true;
    absl::StatusOr<M> m = Parse<M>(value);
    inner = m.ok() ? add(*m) : m.status();
    return inner.ok();
  }));
  return inner;
}

// Every event dated within the range, in (date, position) order, with its
// effects.
absl::Status ForEachEventIn(
    ReadView& view, const Range& range,
    const std::function<absl::Status(const StoredEvent&, const Effects&)>& fn) {
  ReadViewLookup lookup(view);
  absl::Status inner;
  const std::string prefix = kDateIndexPrefix;
  RETURN_IF_ERROR(view.ScanFrom(
      prefix, absl::StrCat(prefix, range.from_text), [&](absl::string_view key, absl::string_view) {
        if (!absl::StartsWith(key, prefix)) return false;
        absl::string_view rest = key.substr(prefix.size());
        if (rest.substr(0, 10) >= range.end_text) return false;
        if (rest.size() != 10 + 1 + 8) {
          inner = absl::DataLossError("a date index key is malformed");
          return false;
        }
        const uint64_t position = DecodeBigEndian64(rest.substr(11));
        if (position > view.head_position()) return true;
        absl::StatusOr<StoredEvent> e = view.GetEvent(position);
        if (!e.ok()) {
          inner = e.status();
          return false;
        }
        absl::StatusOr<Effects> effects = MoneyEffectsOf(e->payload, lookup);
        inner = effects.ok() ? fn(*e, *effects) : effects.status();
        return inner.ok();
      }));
  return inner;
}

// The fee periods a reversal takes back: those of the fee payment it
// reverses, when it reverses all of it; none otherwise.
absl::StatusOr<int64_t> PeriodsTakenBack(ReadView& view, const v1::EventReversed& reversal) {
  ReadViewLookup lookup(view);
  ASSIGN_OR_RETURN(std::optional<LoggedEvent> target,
                   lookup.FindByEventId(reversal.target_event_id()));
  if (!target || !target->payload.body().has_affiliation_fee_paid()) return 0;
  const v1::AffiliationFeePaid& fee = target->payload.body().affiliation_fee_paid();
  const bool whole = reversal.amount().amount_minor() == 0 ||
                     reversal.amount().amount_minor() == fee.amount().amount_minor();
  return whole ? fee.periods() : 0;
}

struct FeesDue {
  int64_t periods = 0;
  int64_t amount_minor = 0;
};

// Fee periods that began within the range while the branch was affiliated
// (period starts are affiliated_on + k periods), each priced by the terms
// of the day it began.
absl::StatusOr<FeesDue> FeesDueIn(const v1::Branch& b, const Range& range) {
  FeesDue due;
  absl::StatusOr<absl::CivilDay> start = ParseDate(b.affiliated_on());
  if (!start.ok()) return due;
  absl::CivilDay last = range.to;
  if (b.status() != v1::STATUS_OPEN) {
    absl::StatusOr<absl::CivilDay> left = ParseDate(b.disaffiliated_on());
    if (left.ok() && *left - 1 < last) last = *left - 1;
  }
  const int months = MonthsPerPeriod(b.fee_basis().period());
  for (int64_t k = 0; k < kMaxFeePeriodsWalked; ++k) {
    const absl::CivilDay period_start = AddMonths(*start, k * months);
    if (period_start > last) break;
    if (period_start < range.from) continue;
    ASSIGN_OR_RETURN(int64_t fee, FeePerPeriodOn(b, FormatDate(period_start)));
    std::optional<int64_t> sum = CheckedAdd(due.amount_minor, fee);
    if (!sum) return absl::OutOfRangeError("the fees due overflow");
    due.amount_minor = *sum;
    ++due.periods;
  }
  return due;
}

// The statement's lines: one per event and currency that changes the
// fund's available balance (a payment of a request both releases what it
// committed and pays it out: one line), with the running balance.
absl::Status AddFundLines(ReadView& view, const Range& range, const std::string& fund,
                          const DetailAccess& access, std::map<std::string, int64_t>& running,
                          v1::GetFundStatementResponse& out) {
  return ForEachEventIn(view, range,
                        [&](const StoredEvent& e, const Effects& effects) -> absl::Status {
                          std::map<std::string, int64_t> change;
                          for (const v1::FundBalance& f : effects.funds) {
                            if (f.fund() == fund) change[f.currency()] += f.available_minor();
                          }
                          for (const auto& [currency, minor] : change) {
                            v1::StatementLine* line = out.add_lines();
                            ASSIGN_OR_RETURN(*line->mutable_event(), ToApiEvent(view, e, access));
                            line->set_currency(currency);
                            line->set_change_minor(minor);
                            running[currency] += minor;
                            line->set_balance_minor(running[currency]);
                          }
                          return absl::OkStatus();
                        });
}

}  // namespace

absl::StatusOr<v1::GetFundStatementResponse> FundStatement(ReadView& view,
                                                           absl::string_view fund_arg,
                                                           const v1::DateRange& range_arg,
                                                           const DetailAccess& access) {
  ASSIGN_OR_RETURN(Range range, ParseRange(range_arg));
  std::string fund;
  if (fund_arg == kGeneralFund) {
    fund = kGeneralFund;
  } else {
    ASSIGN_OR_RETURN(v1::BeneficiaryView b, QueryBeneficiary(view, fund_arg));
    fund = BeneficiaryFund(b.beneficiary().beneficiary_id());
  }
  v1::GetFundStatementResponse out;
  *out.mutable_as_of() = HeadOf(view);
  ASSIGN_OR_RETURN(*out.mutable_closed_through(), ClosedThroughAt(view));
  out.set_fund(fund);
  *out.mutable_range() = range_arg;
  std::map<std::string, v1::FundStatementTotals> totals;
  absl::Status inner;
  RETURN_IF_ERROR(view.Scan(FundPrefix(fund), [&](absl::string_view, absl::string_view value) {
    absl::StatusOr<v1::FundBalance> f = Parse<v1::FundBalance>(value);
    if (!f.ok()) {
      inner = f.status();
      return false;
    }
    v1::FundStatementTotals& t = totals[f->currency()];
    t.set_currency(f->currency());
    const std::string prefix = absl::StrCat(kDayFundPrefix, fund, "/", f->currency(), "/");
    inner =
        SumDays<v1::FundBalance>(view, prefix, "", range.from_text, [&](const v1::FundBalance& d) {
          t.set_opening_minor(t.opening_minor() + d.available_minor());
          t.set_committed_closing_minor(t.committed_closing_minor() + d.committed_minor());
          return absl::OkStatus();
        });
    if (inner.ok()) {
      inner = SumDays<v1::FundBalance>(
          view, prefix, range.from_text, range.end_text, [&](const v1::FundBalance& d) {
            t.set_received_minor(t.received_minor() + d.received_minor());
            t.set_allocated_in_minor(t.allocated_in_minor() + d.allocated_in_minor());
            t.set_allocated_out_minor(t.allocated_out_minor() + d.allocated_out_minor());
            t.set_disbursed_minor(t.disbursed_minor() + d.disbursed_minor());
            t.set_committed_change_minor(t.committed_change_minor() + d.committed_minor());
            return absl::OkStatus();
          });
    }
    return inner.ok();
  }));
  RETURN_IF_ERROR(inner);
  std::map<std::string, int64_t> running;
  for (auto& [cur, t] : totals) {
    running[cur] = t.opening_minor();
    t.set_closing_minor(t.opening_minor() + t.received_minor() + t.allocated_in_minor() -
                        t.allocated_out_minor() - t.disbursed_minor() - t.committed_change_minor());
    t.set_committed_closing_minor(t.committed_closing_minor() + t.committed_change_minor());
  }
  RETURN_IF_ERROR(AddFundLines(view, range, fund, access, running, out));
  for (auto& [cur, t] : totals) {
    if (running[cur] != t.closing_minor()) {
      return absl::DataLossError(absl::StrCat("statement of fund:", fund, " in ", cur,
                                              " does not add up: the projections are damaged "
                                              "(run ledgerctl audit rebuild-check)"));
    }
    *out.add_totals() = t;
  }
  return out;
}

absl::StatusOr<v1::GetBranchStatementResponse> BranchStatement(ReadView& view,
                                                               absl::string_view branch_id,
                                                               const v1::DateRange& range_arg,
                                                               const DetailAccess& access) {
  ASSIGN_OR_RETURN(Range range, ParseRange(range_arg));
  ASSIGN_OR_RETURN(v1::BranchView bv, QueryBranch(view, branch_id, range.to));
  const v1::Branch& b = bv.branch();
  v1::GetBranchStatementResponse out;
  *out.mutable_as_of() = HeadOf(view);
  ASSIGN_OR_RETURN(*out.mutable_closed_through(), ClosedThroughAt(view));
  *out.mutable_branch() = b;
  *out.mutable_range() = range_arg;
  *out.mutable_fee_per_period() = bv.fee_per_period();
  ASSIGN_OR_RETURN(const FeesDue due, FeesDueIn(b, range));
  out.set_periods_due(due.periods);
  out.mutable_fees_due()->set_currency(bv.fee_per_period().currency());
  out.mutable_fees_due()->set_amount_minor(due.amount_minor);
  std::map<std::string, v1::BranchTotals> paid;
  std::map<std::string, int64_t> running;
  int64_t periods_paid = 0;
  RETURN_IF_ERROR(ForEachEventIn(
      view, range, [&](const StoredEvent& e, const Effects& effects) -> absl::Status {
        for (const auto& [id, t] : effects.branches) {
          if (id != b.branch_id()) continue;
          RETURN_IF_ERROR(AddBranchTotals(paid[t.currency()], t));
          v1::StatementLine* line = out.add_lines();
          ASSIGN_OR_RETURN(*line->mutable_event(), ToApiEvent(view, e, access));
          line->set_currency(t.currency());
          line->set_change_minor(t.total_minor());
          running[t.currency()] += t.total_minor();
          line->set_balance_minor(running[t.currency()]);
          const v1::EventBody& body = e.payload.body();
          if (body.has_affiliation_fee_paid())
            periods_paid += body.affiliation_fee_paid().periods();
          // A whole reversal of a fee takes back the periods it paid (as the
          // branch register does); a partial one leaves them paid.
          if (body.has_event_reversed()) {
            ASSIGN_OR_RETURN(int64_t taken_back, PeriodsTakenBack(view, body.event_reversed()));
            periods_paid -= taken_back;
          }
        }
        return absl::OkStatus();
      }));
  out.set_periods_paid(periods_paid);
  for (auto& [cur, t] : paid) *out.add_paid() = t;
  return out;
}

absl::StatusOr<v1::GetIncomeStatementResponse> IncomeStatement(ReadView& view,
                                                               const v1::DateRange& range_arg) {
  ASSIGN_OR_RETURN(Range range, ParseRange(range_arg));
  v1::GetIncomeStatementResponse out;
  *out.mutable_as_of() = HeadOf(view);
  ASSIGN_OR_RETURN(*out.mutable_closed_through(), ClosedThroughAt(view));
  *out.mutable_range() = range_arg;
  // (currency, class) -> row; class 0 unrestricted, 1 restricted.
  std::map<std::pair<std::string, int>, v1::IncomeStatementRow> rows;
  absl::Status inner;
  RETURN_IF_ERROR(view.Scan(kFundKeyPrefix, [&](absl::string_view, absl::string_view value) {
    absl::StatusOr<v1::FundBalance> f = Parse<v1::FundBalance>(value);
    if (!f.ok()) {
      inner = f.status();
      return false;
    }
    const int cls = f->fund() == kGeneralFund ? 0 : 1;
    v1::IncomeStatementRow& row = rows[{f->currency(), cls}];
    row.set_currency(f->currency());
    row.set_fund_class(cls == 0 ? "unrestricted" : "restricted");
    const std::string prefix = absl::StrCat(kDayFundPrefix, f->fund(), "/", f->currency(), "/");
    inner =
        SumDays<v1::FundBalance>(view, prefix, "", range.from_text, [&](const v1::FundBalance& d) {
          row.set_opening_minor(row.opening_minor() + d.available_minor());
          return absl::OkStatus();
        });
    if (inner.ok()) {
      inner = SumDays<v1::FundBalance>(
          view, prefix, range.from_text, range.end_text, [&](const v1::FundBalance& d) {
            row.set_income_minor(row.income_minor() + d.received_minor());
            row.set_transfers_minor(row.transfers_minor() + d.allocated_in_minor() -
                                    d.allocated_out_minor());
            row.set_spending_minor(row.spending_minor() + d.disbursed_minor());
            return absl::OkStatus();
          });
    }
    return inner.ok();
  }));
  RETURN_IF_ERROR(inner);
  for (auto& [key, row] : rows) {
    row.set_closing_minor(row.opening_minor() + row.income_minor() + row.transfers_minor() -
                          row.spending_minor());
    *out.add_rows() = row;
  }
  return out;
}

}  // namespace ledger
