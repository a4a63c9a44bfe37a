// Goal: balances as they stood at a past position equal a replay of the log
// stopped at that position, for random positions across many buckets; and
// balances at the end of a day equal the sum of the postings of every event
// dated on or before it, even when events were recorded out of date order.
#include "ledger/audit/point_in_time.h"

#include <map>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/audit/statements.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/registry.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/projections/keys.h"
#include "ledger/projections/lookup.h"
#include "ledger/storage/rows.h"
#include "ledger/views/queries.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Of;

// Rows of the given domains, rendered, from a view.
std::string Render(ReadView& view) {
  std::string out;
  for (const char* prefix : {kFundKeyPrefix, kAccountKeyPrefix, kTotalsKey}) {
    auto s = view.Scan(prefix, [&](absl::string_view key, absl::string_view value) {
      absl::StrAppend(&out, key, " => ", DescribeRow(key, value), "\n");
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
  }
  // Branches: the money they gave as of then (their standing - periods paid,
  // paid until - is shown as it is now; see docs/AUDITING.md).
  auto s = view.Scan(kBranchKeyPrefix, [&](absl::string_view key, absl::string_view value) {
    v1::Branch b;
    b.ParseFromString(std::string(value));
    for (const auto& t : b.totals()) absl::StrAppend(&out, key, " ", t.ShortDebugString(), "\n");
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// Replays events 1..position with the real rules into memory.
class StoppedReplay : public ReadView {
 public:
  StoppedReplay(ReadView& log, uint64_t position) : log_(log), position_(position) {}
  absl::Status Run() {
    ReadViewLookup lookup(log_);
    absl::Status inner;
    RETURN_IF_ERROR(log_.ScanEvents(1, [&](const StoredEvent& e) {
      if (e.position > position_) return false;
      lookup.set_before(e.position);
      RowBooks books(state_);
      absl::StatusOr<Effects> effects =
          Decide(e.position, e.payload, books, lookup, EventChecks::kOnReplay);
      inner = effects.status();
      if (inner.ok()) {
        inner = IndexEvent(IndexedEvent{e.position, &e.payload, e.payload_bytes, e.hash, &*effects},
                           state_);
      }
      return inner.ok();
    }));
    return inner;
  }
  uint64_t head_position() const override { return position_; }
  const std::string& head_hash() const override { return hash_; }
  const std::string& ledger_id() const override { return log_.ledger_id(); }
  const std::string& ledger_name() const override { return log_.ledger_name(); }
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    return state_.Get(key);
  }
  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override {
    return state_.ScanFrom(prefix, start, fn);
  }
  absl::StatusOr<StoredEvent> GetEvent(uint64_t p) override { return log_.GetEvent(p); }
  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view id) override {
    return log_.FindEventId(id);
  }
  absl::StatusOr<std::optional<std::string>> GetSealedPart(uint64_t) override {
    return std::optional<std::string>();
  }
  absl::StatusOr<std::optional<std::string>> GetPartyKey(absl::string_view) override {
    return std::optional<std::string>();
  }
  absl::Status ScanEvents(uint64_t from,
                          const std::function<bool(const StoredEvent&)>& fn) override {
    return log_.ScanEvents(from, fn);
  }

 private:
  ReadView& log_;
  uint64_t position_;
  std::string hash_;
  MemoryState state_;
};

class PointInTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.sync = false;
    ASSERT_THAT(ledger_.Open(options), testing::IsOk());
    std::mt19937_64 rng(20261130);
    // The funds and the branch exist before the first day any money is dated
    // (an event dated before what it needs is refused).
    v1::AppendRequest setup = testing::Request(
        {testing::Beneficiary("ana"), testing::Beneficiary("ben"), testing::Branch("leeds")});
    for (auto& in : *setup.mutable_events()) in.set_occurred_on("2025-12-31");
    ASSERT_TRUE(ledger_.log().Append(setup).ok());
    std::vector<std::string> money_ids;
    // ~3000 events over 60 days, recorded out of date order.
    for (int i = 0; i < 3000; ++i) {
      v1::EventInput in;
      const int64_t amount = 1 + static_cast<int64_t>(rng() % 5000);
      const char* cur = rng() % 5 == 0 ? "JPY" : "GBP";
      switch (rng() % 6) {
        case 0:
          in = testing::Donation(Of(amount, cur), rng() % 2 ? "ana" : "");
          break;
        case 1:
          in = testing::BranchDonation("leeds", Of(amount, cur), "ben");
          break;
        case 2:
          in = testing::Fee("leeds", Of(amount, "GBP"));
          break;
        case 3:
          in = testing::Allocation(rng() % 2 ? "ana" : "ben", Of(amount / 4 + 1, cur));
          break;
        case 4:
          in = testing::Disbursement(rng() % 2 ? "ana" : "ben", Of(amount / 8 + 1, cur));
          break;
        default:
          if (money_ids.empty()) continue;
          in = testing::Reversal(money_ids[rng() % money_ids.size()]);
      }
      in.set_occurred_on(FormatDate(absl::CivilDay(2026, 1, 1) + static_cast<int>(rng() % 60)));
      auto r = ledger_.log().Append(testing::Request({in}));
      if (r.ok() && !in.body().has_event_reversed()) money_ids.push_back(in.event_id());
    }
    ASSERT_GT(ledger_.log().head_position(), 2 * kPositionBucketSize);
  }

  testing::TempLedger ledger_;
};

TEST_F(PointInTimeTest, AtAPositionEqualsAReplayStoppedThere) {
  std::mt19937_64 rng(7);
  const uint64_t head = ledger_.log().head_position();
  std::vector<uint64_t> positions = {
      1, 2, kPositionBucketSize - 1, kPositionBucketSize, kPositionBucketSize + 1, head};
  for (int i = 0; i < 20; ++i) positions.push_back(1 + rng() % head);
  for (uint64_t p : positions) {
    SCOPED_TRACE(absl::StrCat("position ", p));
    auto at = AsOfPosition(ledger_.log().NewReadView(), p);
    ASSERT_TRUE(at.ok()) << at.status();
    auto base = ledger_.log().NewReadView();
    StoppedReplay replay(*base, p);
    ASSERT_TRUE(replay.Run().ok());
    ASSERT_EQ(Render(**at), Render(replay));
    EXPECT_EQ((*at)->head_position(), p);
    auto event = base->GetEvent(p);
    EXPECT_EQ((*at)->head_hash(), event->hash);
  }
  auto too_far = AsOfPosition(ledger_.log().NewReadView(), head + 1);
  EXPECT_EQ(too_far.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PointInTimeTest, AtTheEndOfADayEqualsThePostingsDatedUpToIt) {
  for (int d : {0, 1, 17, 30, 59, 60}) {
    const absl::CivilDay day = absl::CivilDay(2026, 1, 1) + d;
    SCOPED_TRACE(FormatDate(day));
    // Independent sum: postings of every event dated on or before `day`.
    std::map<std::string, std::pair<int64_t, int64_t>> expected;  // account/cur -> debits, credits
    auto view = ledger_.log().NewReadView();
    ASSERT_TRUE(view->ScanEvents(1,
                                 [&](const StoredEvent& e) {
                                   if (e.payload.occurred_on() > FormatDate(day)) return true;
                                   std::optional<Movement> m = MovementOf(e.payload.body());
                                   if (e.payload.body().has_event_reversed()) {
                                     const auto& r = e.payload.body().event_reversed();
                                     auto pos = view->FindEventId(r.target_event_id());
                                     auto target = view->GetEvent(**pos);
                                     auto original = MovementOf(target->payload.body());
                                     m = ReverseOf(*original, r.amount().amount_minor()
                                                                  ? r.amount().amount_minor()
                                                                  : original->amount_minor);
                                   }
                                   if (!m) return true;
                                   for (const Posting& p : PostingsOf(*m)) {
                                     auto& slot = expected[AccountKey(p.account, p.currency)];
                                     slot.first += p.debit_minor;
                                     slot.second += p.credit_minor;
                                   }
                                   return true;
                                 })
                    .ok());
    auto at = AsOfEndOfDay(ledger_.log().NewReadView(), day);
    ASSERT_TRUE(at.ok()) << at.status();
    std::map<std::string, std::pair<int64_t, int64_t>> actual;
    ASSERT_TRUE((*at)
                    ->Scan(kAccountKeyPrefix,
                           [&](absl::string_view key, absl::string_view value) {
                             v1::AccountBalance a;
                             a.ParseFromString(std::string(value));
                             actual[std::string(key)] = {a.debits_minor(), a.credits_minor()};
                             return true;
                           })
                    .ok());
    for (auto it = expected.begin(); it != expected.end();) {
      it = (it->second.first == 0 && it->second.second == 0) ? expected.erase(it) : std::next(it);
    }
    EXPECT_EQ(actual, expected);
    // And every fund's available equals its account's credits minus debits.
    auto tb = QueryTrialBalance(**at);
    ASSERT_TRUE(tb.ok());
    EXPECT_TRUE(tb->balanced());
  }
}

TEST_F(PointInTimeTest, StatementOpeningPlusMovementsEqualsClosingForRandomRanges) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 15; ++i) {
    const absl::CivilDay from = absl::CivilDay(2025, 12, 25) + static_cast<int>(rng() % 70);
    const absl::CivilDay to = from + static_cast<int>(rng() % 40);
    v1::DateRange range;
    range.set_from_date(FormatDate(from));
    range.set_to_date(FormatDate(to));
    for (const char* fund : {"general", "ana", "ben"}) {
      SCOPED_TRACE(absl::StrCat(fund, " ", range.ShortDebugString()));
      auto view = ledger_.log().NewReadView();
      auto st = FundStatement(*view, fund, range);
      ASSERT_TRUE(st.ok()) << st.status();
      std::map<std::string, int64_t> sum;
      for (const auto& l : st->lines()) {
        sum[l.currency()] += l.change_minor();
        EXPECT_GE(l.event().occurred_on(), range.from_date());
        EXPECT_LE(l.event().occurred_on(), range.to_date());
      }
      auto opening_view = AsOfEndOfDay(ledger_.log().NewReadView(), from - 1);
      auto closing_view = AsOfEndOfDay(ledger_.log().NewReadView(), to);
      ASSERT_TRUE(opening_view.ok() && closing_view.ok());
      const std::string fund_name =
          std::string(fund) == "general" ? "general" : BeneficiaryFund(fund);
      for (const auto& t : st->totals()) {
        EXPECT_EQ(t.opening_minor() + sum[t.currency()], t.closing_minor()) << t.currency();
        EXPECT_EQ(t.opening_minor(), testing::Available(**opening_view, fund_name, t.currency()));
        EXPECT_EQ(t.closing_minor(), testing::Available(**closing_view, fund_name, t.currency()));
      }
    }
    auto income = IncomeStatement(*ledger_.log().NewReadView(), range);
    ASSERT_TRUE(income.ok());
    for (const auto& row : income->rows()) {
      EXPECT_EQ(
          row.opening_minor() + row.income_minor() + row.transfers_minor() - row.spending_minor(),
          row.closing_minor());
    }
  }
  v1::DateRange backwards;
  backwards.set_from_date("2026-02-01");
  backwards.set_to_date("2026-01-01");
  EXPECT_EQ(FundStatement(*ledger_.log().NewReadView(), "general", backwards).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PointInTimeTest, DeltaRowsAreProjectionsThatRebuild) {
  auto view = ledger_.log().NewReadView();
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_TRUE(rebuild.ok());
  EXPECT_TRUE(rebuild->match) << (rebuild->mismatches.empty() ? "" : rebuild->mismatches[0].key);
}

}  // namespace
}  // namespace ledger
