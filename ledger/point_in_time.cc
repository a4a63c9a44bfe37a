#include "ledger/point_in_time.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"
#include "ledger/effects.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/state.h"

namespace ledger {
namespace {

// Domains of state rows that a point-in-time view replaces.
constexpr const char* kDomains[] = {kFundKeyPrefix, kAccountKeyPrefix, kBeneficiaryKeyPrefix,
                                    kBranchKeyPrefix, kTotalsKey};

bool InDomain(absl::string_view key) {
  for (const char* d : kDomains) {
    if (absl::StartsWith(key, d)) return true;
  }
  return false;
}

class PointInTimeView : public ReadView {
 public:
  PointInTimeView(std::unique_ptr<ReadView> base, uint64_t position, std::string hash,
                  std::map<std::string, std::string> rows)
      : base_(std::move(base)), position_(position), hash_(std::move(hash)), rows_(std::move(rows)) {}

  uint64_t head_position() const override { return position_; }
  const std::string& head_hash() const override { return hash_; }
  const std::string& ledger_id() const override { return base_->ledger_id(); }
  const std::string& ledger_name() const override { return base_->ledger_name(); }

  absl::StatusOr<std::optional<std::string>> GetState(absl::string_view key) override {
    if (!InDomain(key)) return base_->GetState(key);
    auto it = rows_.find(std::string(key));
    if (it == rows_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  absl::Status ScanState(absl::string_view prefix,
                         const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    if (!InDomain(prefix)) return base_->ScanState(prefix, fn);
    for (auto it = rows_.lower_bound(std::string(prefix));
         it != rows_.end() && absl::StartsWith(it->first, prefix); ++it) {
      if (!fn(it->first, it->second)) break;
    }
    return absl::OkStatus();
  }

  absl::Status ScanStateFrom(absl::string_view prefix, absl::string_view start,
                             const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    if (!InDomain(prefix)) return base_->ScanStateFrom(prefix, start, fn);
    return ReadView::ScanStateFrom(prefix, start, fn);
  }

  absl::StatusOr<StoredEvent> GetEvent(uint64_t position) override {
    if (position > position_) return absl::NotFoundError(absl::StrCat("no event at position ", position, " as of ", position_));
    return base_->GetEvent(position);
  }
  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) override {
    ASSIGN_OR_RETURN(std::optional<uint64_t> p, base_->FindEventId(event_id));
    if (p && *p > position_) return std::optional<uint64_t>();
    return p;
  }
  absl::Status ScanEvents(uint64_t from, const std::function<bool(const StoredEvent&)>& fn) override {
    return base_->ScanEvents(from, [&](const StoredEvent& e) { return e.position <= position_ && fn(e); });
  }

 private:
  std::unique_ptr<ReadView> base_;
  uint64_t position_;
  std::string hash_;
  std::map<std::string, std::string> rows_;
};

// Accumulated as-of rows, keyed like the current rows.
struct Accumulator {
  std::map<std::string, v1::FundBalance> funds;        // FundKey
  std::map<std::string, v1::AccountBalance> accounts;  // AccountKey
  std::map<std::string, std::map<std::string, v1::BranchTotals>> branches;  // id -> cur -> totals
  v1::LedgerTotals totals;

  absl::Status Add(const Effects& e) {
    for (const auto& f : e.funds) RETURN_IF_ERROR(AddFund(funds[FundKey(f.fund(), f.currency())], f));
    for (const auto& a : e.accounts) {
      RETURN_IF_ERROR(AddAccount(accounts[AccountKey(a.account(), a.currency())], a));
    }
    for (const auto& [id, t] : e.branches) RETURN_IF_ERROR(AddBranchTotals(branches[id][t.currency()], t));
    return AddTotals(totals, e.totals);
  }
};

template <typename M>
absl::StatusOr<M> Parse(absl::string_view value) {
  M m;
  if (!m.ParseFromString(std::string(value))) {
    return absl::DataLossError("a point-in-time row cannot be decoded");
  }
  return m;
}

// Calls fn(row) for every delta row under `prefix` whose dimension (the rest
// of the key: a date or a be64 bucket) sorts before `end`.
template <typename M, typename Fn>
absl::Status ScanDeltas(ReadView& view, const std::string& prefix, const std::string& end, Fn fn) {
  absl::Status inner;
  RETURN_IF_ERROR(view.ScanState(prefix, [&](absl::string_view key, absl::string_view value) {
    if (key.substr(prefix.size()) >= end) return false;
    absl::StatusOr<M> m = Parse<M>(value);
    if (!m.ok()) {
      inner = m.status();
      return false;
    }
    inner = fn(*m);
    return inner.ok();
  }));
  return inner;
}

template <typename M, typename Fn>
absl::Status ScanRows(ReadView& view, absl::string_view prefix, Fn fn) {
  absl::Status inner;
  RETURN_IF_ERROR(view.ScanState(prefix, [&](absl::string_view key, absl::string_view value) {
    absl::StatusOr<M> m = Parse<M>(value);
    if (!m.ok()) {
      inner = m.status();
      return false;
    }
    inner = fn(key, *m);
    return inner.ok();
  }));
  return inner;
}

struct Dimension {
  const char* fund;
  const char* account;
  const char* branch;
  const char* totals;
  std::string end;  // exclusive
};

absl::Status SumDeltas(ReadView& base, const Dimension& dim, Accumulator& acc) {
  RETURN_IF_ERROR(ScanRows<v1::FundBalance>(base, kFundKeyPrefix, [&](absl::string_view key, const v1::FundBalance& f) {
    return ScanDeltas<v1::FundBalance>(base, absl::StrCat(dim.fund, f.fund(), "/", f.currency(), "/"), dim.end,
                                       [&](const v1::FundBalance& d) { return AddFund(acc.funds[std::string(key)], d); });
  }));
  RETURN_IF_ERROR(ScanRows<v1::AccountBalance>(base, kAccountKeyPrefix, [&](absl::string_view key, const v1::AccountBalance& a) {
    return ScanDeltas<v1::AccountBalance>(base, absl::StrCat(dim.account, a.account(), "/", a.currency(), "/"), dim.end,
                                          [&](const v1::AccountBalance& d) { return AddAccount(acc.accounts[std::string(key)], d); });
  }));
  RETURN_IF_ERROR(ScanRows<v1::Branch>(base, kBranchKeyPrefix, [&](absl::string_view, const v1::Branch& b) -> absl::Status {
    for (const auto& t : b.totals()) {
      RETURN_IF_ERROR(ScanDeltas<v1::BranchTotals>(
          base, absl::StrCat(dim.branch, b.branch_id(), "/", t.currency(), "/"), dim.end,
          [&](const v1::BranchTotals& d) { return AddBranchTotals(acc.branches[b.branch_id()][t.currency()], d); }));
    }
    return absl::OkStatus();
  }));
  return ScanDeltas<v1::LedgerTotals>(base, dim.totals, dim.end,
                                      [&](const v1::LedgerTotals& d) { return AddTotals(acc.totals, d); });
}


template <typename Visible>
absl::StatusOr<std::map<std::string, std::string>> Materialize(ReadView& base, Accumulator& acc,
                                                               Visible visible) {
  std::map<std::string, std::string> rows;
  for (auto& [key, f] : acc.funds) {
    if (f.received_minor() || f.allocated_in_minor() || f.allocated_out_minor() || f.disbursed_minor()) {
      rows[key] = f.SerializeAsString();
    }
  }
  for (auto& [key, a] : acc.accounts) {
    if (a.debits_minor() || a.credits_minor()) rows[key] = a.SerializeAsString();
  }
  RETURN_IF_ERROR(ScanRows<v1::Beneficiary>(base, kBeneficiaryKeyPrefix, [&](absl::string_view key, const v1::Beneficiary& b) {
    if (visible(b)) rows[std::string(key)] = b.SerializeAsString();
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(ScanRows<v1::Branch>(base, kBranchKeyPrefix, [&](absl::string_view key, const v1::Branch& b) {
    if (!visible(b)) return absl::OkStatus();
    v1::Branch out = b;
    out.clear_totals();
    for (auto& [cur, t] : acc.branches[b.branch_id()]) {
      if (t.fees_paid_minor() || t.donations_minor()) *out.add_totals() = t;
    }
    rows[std::string(key)] = out.SerializeAsString();
    return absl::OkStatus();
  }));
  rows[kTotalsKey] = acc.totals.SerializeAsString();
  return rows;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReadView>> AsOfPosition(std::unique_ptr<ReadView> base,
                                                       uint64_t position) {
  if (position == 0 || position > base->head_position()) {
    return InvalidField("as_of.position", absl::StrCat(position, " is not between 1 and the head, ",
                                                       base->head_position()));
  }
  const uint64_t bucket = position / kPositionBucketSize;
  Accumulator acc;
  RETURN_IF_ERROR(SumDeltas(*base, Dimension{kBucketFundPrefix, kBucketAccountPrefix, kBucketBranchPrefix,
                                             kBucketTotalsPrefix, EncodeBigEndian64(bucket)},
                            acc));
  // The rest of P's bucket, from the log: at most kPositionBucketSize events.
  ReadViewLookup lookup(*base);
  absl::Status inner;
  RETURN_IF_ERROR(base->ScanEvents(std::max<uint64_t>(1, bucket * kPositionBucketSize), [&](const StoredEvent& e) {
    if (e.position > position) return false;
    absl::StatusOr<Effects> effects = EffectsOf(e.payload, lookup);
    inner = effects.ok() ? acc.Add(*effects) : effects.status();
    return inner.ok();
  }));
  RETURN_IF_ERROR(inner);
  ASSIGN_OR_RETURN(StoredEvent at, base->GetEvent(position));
  struct Visible {
    uint64_t p;
    bool operator()(const v1::Beneficiary& b) const { return b.registered_position() <= p; }
    bool operator()(const v1::Branch& b) const { return b.first_affiliated_position() <= p; }
  };
  ASSIGN_OR_RETURN(auto rows, Materialize(*base, acc, Visible{position}));
  return std::unique_ptr<ReadView>(new PointInTimeView(std::move(base), position, at.hash, std::move(rows)));
}

absl::StatusOr<std::unique_ptr<ReadView>> AsOfEndOfDay(std::unique_ptr<ReadView> base,
                                                       absl::CivilDay day) {
  Accumulator acc;
  const std::string end = FormatDate(day + 1);
  RETURN_IF_ERROR(SumDeltas(*base, Dimension{kDayFundPrefix, kDayAccountPrefix, kDayBranchPrefix,
                                             kDayTotalsPrefix, end},
                            acc));
  struct Visible {
    std::string end;
    bool operator()(const v1::Beneficiary& b) const { return b.registered_on() < end; }
    bool operator()(const v1::Branch& b) const { return b.affiliated_on() < end; }
  };
  ASSIGN_OR_RETURN(auto rows, Materialize(*base, acc, Visible{end}));
  const uint64_t head = base->head_position();
  const std::string hash = base->head_hash();
  return std::unique_ptr<ReadView>(new PointInTimeView(std::move(base), head, hash, std::move(rows)));
}

absl::StatusOr<std::unique_ptr<ReadView>> ApplyAsOf(std::unique_ptr<ReadView> base,
                                                    const v1::AsOf& as_of) {
  switch (as_of.point_case()) {
    case v1::AsOf::kPosition:
      return AsOfPosition(std::move(base), as_of.position());
    case v1::AsOf::kEndOfDate: {
      absl::StatusOr<absl::CivilDay> day = ParseDate(as_of.end_of_date());
      if (!day.ok()) {
        return InvalidField("as_of.end_of_date", absl::StrCat("\"", as_of.end_of_date().substr(0, 40),
                                                              "\" is not a real day written YYYY-MM-DD"));
      }
      return AsOfEndOfDay(std::move(base), *day);
    }
    case v1::AsOf::POINT_NOT_SET:
      break;
  }
  return base;
}

}  // namespace ledger
