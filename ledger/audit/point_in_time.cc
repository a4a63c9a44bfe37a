#include "ledger/audit/point_in_time.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/keys.h"
#include "ledger/projections/lookup.h"

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
                  std::map<std::string, std::string, std::less<>> rows)
      : base_(std::move(base)),
        position_(position),
        hash_(std::move(hash)),
        rows_(std::move(rows)) {
    // A view as of an earlier point never reaches past its base (the
    // position asked for was checked against the head).
    LEDGER_CHECK(position_ <= base_->head_position());
  }

  uint64_t head_position() const override { return position_; }
  const std::string& head_hash() const override { return hash_; }
  const std::string& ledger_id() const override { return base_->ledger_id(); }
  const std::string& ledger_name() const override { return base_->ledger_name(); }

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    if (!InDomain(key)) return base_->Get(key);
    auto it = rows_.find(key);
    if (it == rows_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override {
    if (!InDomain(prefix)) return base_->ScanFrom(prefix, start, fn);
    const absl::string_view from = start < prefix ? prefix : start;
    for (auto it = rows_.lower_bound(from);
         it != rows_.end() && absl::StartsWith(it->first, prefix); ++it) {
      if (!fn(it->first, it->second)) break;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<StoredEvent> GetEvent(uint64_t position) override {
    if (position > position_) {
      return absl::NotFoundError(
          absl::StrCat("no event at position ", position, " as of ", position_));
    }
    return base_->GetEvent(position);
  }
  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view event_id) override {
    ASSIGN_OR_RETURN(std::optional<uint64_t> p, base_->FindEventId(event_id));
    if (p && *p > position_) return std::optional<uint64_t>();
    return p;
  }
  absl::StatusOr<std::optional<std::string>> GetSealedPart(uint64_t position) override {
    if (position > position_) return std::optional<std::string>();
    return base_->GetSealedPart(position);
  }
  absl::StatusOr<std::optional<std::string>> GetPartyKey(absl::string_view party_id) override {
    return base_->GetPartyKey(party_id);
  }
  absl::Status ScanEvents(uint64_t from,
                          const std::function<bool(const StoredEvent&)>& fn) override {
    return base_->ScanEvents(
        from, [&](const StoredEvent& e) { return e.position <= position_ && fn(e); });
  }
  // Tree nodes never change once complete: the current rows hold every
  // node of the tree as it stood at position_.
  RowReader* tree_rows() override { return base_->tree_rows(); }

 private:
  std::unique_ptr<ReadView> base_;
  uint64_t position_;
  std::string hash_;
  std::map<std::string, std::string, std::less<>> rows_;
};

// Accumulated as-of rows, keyed like the current rows.
struct Accumulator {
  std::map<std::string, v1::FundBalance> funds;                             // FundKey
  std::map<std::string, v1::AccountBalance> accounts;                       // AccountKey
  std::map<std::string, std::map<std::string, v1::BranchTotals>> branches;  // id -> cur -> totals
  v1::LedgerTotals totals;

  absl::Status Add(const Effects& e) {
    for (const auto& f : e.funds)
      RETURN_IF_ERROR(AddFund(funds[FundKey(f.fund(), f.currency())], f));
    for (const auto& a : AccountDeltas(e.postings)) {
      RETURN_IF_ERROR(AddAccount(accounts[AccountKey(a.account(), a.currency())], a));
    }
    for (const auto& [id, t] : e.branches)
      RETURN_IF_ERROR(AddBranchTotals(branches[id][t.currency()], t));
    return AddTotals(totals, e.totals);
  }
};

// Adds every delta row under `prefix` whose dimension (the rest of the key:
// a date or a be64 bucket) sorts before `end`.
template <typename M, typename Add>
absl::Status SumDeltas(ReadView& view, const std::string& prefix, const std::string& end, Add add) {
  absl::Status failed;
  RETURN_IF_ERROR(view.Scan(prefix, [&](absl::string_view key, absl::string_view value) {
    if (key.substr(prefix.size()) >= end) return false;
    M row;
    if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      failed = CorruptRow(key);
      return false;
    }
    failed = add(row);
    return failed.ok();
  }));
  return failed;
}

struct Dimension {
  const char* fund;
  const char* account;
  const char* branch;
  const char* totals;
  std::string end;  // exclusive
};

absl::Status SumAllDeltas(ReadView& base, const Dimension& dim, Accumulator& acc) {
  RETURN_IF_ERROR(base.ForEach<v1::FundBalance>(
      kFundKeyPrefix, [&](absl::string_view key, const v1::FundBalance& f) {
        return SumDeltas<v1::FundBalance>(
            base, absl::StrCat(dim.fund, f.fund(), "/", f.currency(), "/"), dim.end,
            [&](const v1::FundBalance& d) { return AddFund(acc.funds[std::string(key)], d); });
      }));
  RETURN_IF_ERROR(base.ForEach<v1::AccountBalance>(
      kAccountKeyPrefix, [&](absl::string_view key, const v1::AccountBalance& a) {
        return SumDeltas<v1::AccountBalance>(
            base, absl::StrCat(dim.account, a.account(), "/", a.currency(), "/"), dim.end,
            [&](const v1::AccountBalance& d) {
              return AddAccount(acc.accounts[std::string(key)], d);
            });
      }));
  RETURN_IF_ERROR(base.ForEach<v1::Branch>(
      kBranchKeyPrefix, [&](absl::string_view, const v1::Branch& b) -> absl::Status {
        for (const auto& t : b.totals()) {
          RETURN_IF_ERROR(SumDeltas<v1::BranchTotals>(
              base, absl::StrCat(dim.branch, b.branch_id(), "/", t.currency(), "/"), dim.end,
              [&](const v1::BranchTotals& d) {
                return AddBranchTotals(acc.branches[b.branch_id()][t.currency()], d);
              }));
        }
        return absl::OkStatus();
      }));
  return SumDeltas<v1::LedgerTotals>(base, dim.totals, dim.end, [&](const v1::LedgerTotals& d) {
    return AddTotals(acc.totals, d);
  });
}

template <typename Visible>
absl::StatusOr<std::map<std::string, std::string, std::less<>>> Materialize(ReadView& base,
                                                                            Accumulator& acc,
                                                                            Visible visible) {
  std::map<std::string, std::string, std::less<>> rows;
  for (auto& [key, f] : acc.funds) {
    if (f.received_minor() || f.allocated_in_minor() || f.allocated_out_minor() ||
        f.disbursed_minor() || f.committed_minor()) {
      rows[key] = f.SerializeAsString();
    }
  }
  for (auto& [key, a] : acc.accounts) {
    if (a.debits_minor() || a.credits_minor()) rows[key] = a.SerializeAsString();
  }
  RETURN_IF_ERROR(base.ForEach<v1::Beneficiary>(
      kBeneficiaryKeyPrefix, [&](absl::string_view key, const v1::Beneficiary& b) {
        if (visible(b)) rows[std::string(key)] = b.SerializeAsString();
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(
      base.ForEach<v1::Branch>(kBranchKeyPrefix, [&](absl::string_view key, const v1::Branch& b) {
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
  RETURN_IF_ERROR(
      SumAllDeltas(*base,
                   Dimension{kBucketFundPrefix, kBucketAccountPrefix, kBucketBranchPrefix,
                             kBucketTotalsPrefix, EncodeBigEndian64(bucket)},
                   acc));
  // The rest of P's bucket, from the log: at most kPositionBucketSize events.
  ReadViewLookup lookup(*base);
  absl::Status inner;
  RETURN_IF_ERROR(base->ScanEvents(
      std::max<uint64_t>(1, bucket * kPositionBucketSize), [&](const StoredEvent& e) {
        if (e.position > position) return false;
        absl::StatusOr<Effects> effects = MoneyEffectsOf(e.payload, lookup);
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
  return std::unique_ptr<ReadView>(
      new PointInTimeView(std::move(base), position, at.hash, std::move(rows)));
}

absl::StatusOr<std::unique_ptr<ReadView>> AsOfEndOfDay(std::unique_ptr<ReadView> base,
                                                       absl::CivilDay day) {
  Accumulator acc;
  const std::string end = FormatDate(day + 1);
  RETURN_IF_ERROR(SumAllDeltas(
      *base, Dimension{kDayFundPrefix, kDayAccountPrefix, kDayBranchPrefix, kDayTotalsPrefix, end},
      acc));
  struct Visible {
    std::string end;
    bool operator()(const v1::Beneficiary& b) const { return b.registered_on() < end; }
    bool operator()(const v1::Branch& b) const { return b.affiliated_on() < end; }
  };
  ASSIGN_OR_RETURN(auto rows, Materialize(*base, acc, Visible{end}));
  const uint64_t head = base->head_position();
  const std::string hash = base->head_hash();
  return std::unique_ptr<ReadView>(
      new PointInTimeView(std::move(base), head, hash, std::move(rows)));
}

absl::StatusOr<std::unique_ptr<ReadView>> ApplyAsOf(std::unique_ptr<ReadView> base,
                                                    const v1::AsOf& as_of) {
  switch (as_of.point_case()) {
    case v1::AsOf::kPosition:
      return AsOfPosition(std::move(base), as_of.position());
    case v1::AsOf::kEndOfDate: {
      absl::StatusOr<absl::CivilDay> day = ParseDate(as_of.end_of_date());
      if (!day.ok()) {
        return InvalidField("as_of.end_of_date",
                            absl::StrCat("\"", as_of.end_of_date().substr(0, 40),
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
