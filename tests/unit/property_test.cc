// Goal: over thousands of random, seeded (reproducible) sequences of valid and
// invalid events, the books always hold: after every step the trial balance
// sums to zero per currency, no fund is below zero, every fund equals an
// independent model of it, and a rebuild of every projection from the log
// equals what is stored. A failing seed is printed so it can be replayed:
//   LEDGER_PROPERTY_SEED=<seed> ./property_test
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/replay.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/effects.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/rows.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Of;

// An independent model of the funds: fund -> currency -> available.
struct Model {
  std::map<std::string, std::map<std::string, int64_t>> available;
  std::map<std::string, bool> beneficiary_open;
  std::map<std::string, bool> branch_open;
  std::map<std::string, std::string> branch_currency;
  struct Money {
    std::string debit_fund, credit_fund;  // "" = cash
    int64_t amount;
    std::string currency;
  };
  std::map<std::string, Money> money_events;  // event id -> movement
  std::map<std::string, bool> reversed;
  // fund -> currency -> day -> change of available that day.
  std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>> by_day;
};

// Dates for the dated run: events fall on random days from kFirstDay to the
// day after "today" (the fixed clock), in random order, a few beyond the
// last day the ledger accepts.
const absl::CivilDay kFirstDay(2026, 1, 1);
const absl::CivilDay kToday(2026, 1, 20);

class PropertyRun {
 public:
  // `dated`: events carry random dates in random order, and the books are
  // checked as of every day too.
  PropertyRun(uint64_t seed, bool dated) : rng_(seed), seed_(seed), dated_(dated) {}

  std::string RandomDate() {
    if (!dated_) return rng_() % 50 == 0 ? "2026-02-30" : "2026-03-01";
    // One date in twenty is past the last day accepted (today + 1).
    if (rng_() % 20 == 0) return FormatDate(kToday + 2 + static_cast<int>(rng_() % 3));
    return FormatDate(kFirstDay + static_cast<int>(rng_() % (kToday + 2 - kFirstDay)));
  }

  // One random event, valid or not (about one in five is refused).
  v1::EventInput RandomEvent() {
    auto pick = [&](const auto& v) { return v[rng_() % v.size()]; };
    auto amount = [&] {
      return static_cast<int64_t>(rng_() % 5000) + (rng_() % 20 == 0 ? -10 : 1);
    };
    v1::EventInput in;
    in.set_event_id(absl::StrCat("e", seed_, "-", counter_++));
    in.set_occurred_on(RandomDate());
    v1::EventInput out = Pick(in, pick, amount);
    out.set_occurred_on(in.occurred_on());
    // Funds and branches mostly come into being early in the window, so
    // that most money events have something to refer to.
    const bool opens =
        out.body().has_beneficiary_registered() || out.body().has_branch_affiliated();
    if (dated_ && opens && rng_() % 5 != 0) {
      out.set_occurred_on(FormatDate(kFirstDay + static_cast<int>(rng_() % 4)));
    }
    return out;
  }

  template <typename PickFn, typename AmountFn>
  v1::EventInput Pick(const v1::EventInput& in, PickFn pick, AmountFn amount) {
    const std::vector<std::string> bens = {"ana", "ben", "cai"};
    const std::vector<std::string> branches = {"leeds", "york"};
    const std::vector<std::string> currencies = {"GBP", "GBP", "EUR", "JPY", "BHD"};
    switch (rng_() % 12) {
      case 0:
        return testing::WithId(testing::Beneficiary(pick(bens)), in.event_id());
      case 1:
        return testing::WithId(testing::CloseBeneficiary(pick(bens)), in.event_id());
      case 2:
        return testing::WithId(testing::Branch(pick(branches), Of(1000, pick(currencies))),
                               in.event_id());
      case 3:
        return testing::WithId(testing::Disaffiliate(pick(branches)), in.event_id());
      case 4:
        return testing::WithId(
            testing::Fee(pick(branches), Of(amount(), pick(currencies)), 1 + rng_() % 3),
            in.event_id());
      case 5:
      case 6: {
        auto e = testing::Donation(Of(amount(), pick(currencies)), rng_() % 2 ? pick(bens) : "");
        if (rng_() % 4 == 0)
          e = testing::BranchDonation(pick(branches), Of(amount(), pick(currencies)));
        return testing::WithId(e, in.event_id());
      }
      case 7:
        return testing::WithId(testing::Allocation(pick(bens), Of(amount(), pick(currencies))),
                               in.event_id());
      case 8:
        return testing::WithId(testing::Disbursement(pick(bens), Of(amount(), pick(currencies))),
                               in.event_id());
      case 9:
        return testing::WithId(testing::Transfer(pick(bens), rng_() % 3 == 0 ? "" : pick(bens),
                                                 Of(amount(), pick(currencies))),
                               in.event_id());
      default: {
        if (issued_.empty())
          return testing::WithId(testing::Donation(Of(amount(), "GBP")), in.event_id());
        const std::string& target = issued_[rng_() % issued_.size()];
        int64_t part = rng_() % 3 == 0 ? static_cast<int64_t>(rng_() % 3000) + 1 : 0;
        return testing::WithId(
            testing::Reversal(target, v1::REVERSAL_KIND_REFUND, part, part ? "GBP" : ""),
            in.event_id());
      }
    }
  }

  // Applies an accepted event to the model.
  void ApplyToModel(const v1::EventInput& in) {
    const auto& b = in.body();
    auto fund_of_ben = [](const std::string& id) { return BeneficiaryFund(id); };
    switch (b.kind_case()) {
      case v1::EventBody::kBeneficiaryRegistered:
        model_.beneficiary_open[b.beneficiary_registered().beneficiary_id()] = true;
        break;
      case v1::EventBody::kBeneficiaryClosed:
        model_.beneficiary_open[b.beneficiary_closed().beneficiary_id()] = false;
        break;
      case v1::EventBody::kDonationReceived: {
        const auto& d = b.donation_received();
        std::string fund = d.earmark_beneficiary_id().empty()
                               ? "general"
                               : fund_of_ben(d.earmark_beneficiary_id());
        Move(in.event_id(), "", fund, d.amount(), in.occurred_on());
        break;
      }
      case v1::EventBody::kAffiliationFeePaid:
        Move(in.event_id(), "", "general", b.affiliation_fee_paid().amount(), in.occurred_on());
        break;
      case v1::EventBody::kFundsAllocated:
        Move(in.event_id(), "general", fund_of_ben(b.funds_allocated().beneficiary_id()),
             b.funds_allocated().amount(), in.occurred_on());
        break;
      case v1::EventBody::kFundsTransferred: {
        const auto& t = b.funds_transferred();
        Move(in.event_id(), fund_of_ben(t.from_beneficiary_id()),
             t.to_beneficiary_id().empty() ? "general" : fund_of_ben(t.to_beneficiary_id()),
             t.amount(), in.occurred_on());
        break;
      }
      case v1::EventBody::kDisbursementMade:
        Move(in.event_id(), fund_of_ben(b.disbursement_made().beneficiary_id()), "",
             b.disbursement_made().amount(), in.occurred_on());
        break;
      case v1::EventBody::kEventReversed: {
        const auto& r = b.event_reversed();
        const Model::Money& m = model_.money_events.at(r.target_event_id());
        int64_t amount = r.amount().amount_minor() ? r.amount().amount_minor() : m.amount;
        if (!m.credit_fund.empty()) Change(m.credit_fund, m.currency, in.occurred_on(), -amount);
        if (!m.debit_fund.empty()) Change(m.debit_fund, m.currency, in.occurred_on(), amount);
        break;
      }
      default:
        break;
    }
  }

  void Move(const std::string& id, const std::string& from, const std::string& to,
            const v1::Money& money, const std::string& day) {
    if (!from.empty()) Change(from, money.currency(), day, -money.amount_minor());
    if (!to.empty()) Change(to, money.currency(), day, money.amount_minor());
    model_.money_events[id] = Model::Money{from, to, money.amount_minor(), money.currency()};
    issued_.push_back(id);
  }

  void Change(const std::string& fund, const std::string& currency, const std::string& day,
              int64_t delta) {
    model_.available[fund][currency] += delta;
    model_.by_day[fund][currency][day] += delta;
  }

  void Run(int steps, int* accepted_out, int* refused_out) {
    testing::FixedClock clock(absl::FromCivil(absl::CivilSecond(kToday), absl::UTCTimeZone()) +
                              absl::Hours(12));
    EventLogOptions options;
    options.sync = false;  // durability is not under test here; speed is welcome
    if (dated_) options.clock = &clock;
    testing::TempLedger ledger(options);
    ASSERT_THAT(ledger.Open(), ::ledger::testing::IsOk());
    EventLog* log = &ledger.log();
    for (int step = 0; step < steps; ++step) {
      v1::AppendRequest req;
      const int n = rng_() % 4 == 0 ? 2 + static_cast<int>(rng_() % 2) : 1;
      for (int i = 0; i < n; ++i) *req.add_events() = RandomEvent();
      const uint64_t head_before = log->head_position();
      auto result = log->Append(req);
      if (result.ok()) {
        ++*accepted_out;
        for (const auto& e : req.events()) ApplyToModel(e);
        ASSERT_EQ(log->head_position(), head_before + n) << "seed " << seed_;
      } else {
        ++*refused_out;
        ASSERT_EQ(log->head_position(), head_before) << "seed " << seed_;
        ASSERT_NE(result.status().code(), absl::StatusCode::kInternal) << result.status();
        ASSERT_NE(result.status().code(), absl::StatusCode::kDataLoss) << result.status();
        std::string reason = testing::Reason(result.status());
        if (GetErrorDetail(result.status()) && !GetErrorDetail(result.status())->date().empty()) {
          reason += "+date";
        }
        ++reasons_[reason];
      }
      CheckInvariants(*log, step);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  void CheckInvariants(EventLog& log, int step) {
    auto view = log.NewReadView();
    const std::string where = absl::StrCat("seed ", seed_, " step ", step);
    // Trial balance: every currency sums to zero.
    std::string sums = testing::TrialBalanceSums(*view);
    for (absl::string_view part : absl::StrSplit(sums, ' ', absl::SkipEmpty())) {
      ASSERT_TRUE(absl::EndsWith(part, "=0")) << where << ": " << sums;
    }
    // No fund below zero, and every fund equals the model.
    std::map<std::string, std::map<std::string, int64_t>> stored;
    ASSERT_TRUE(view->Scan(kFundKeyPrefix,
                           [&](absl::string_view, absl::string_view value) {
                             v1::FundBalance f;
                             f.ParseFromString(std::string(value));
                             EXPECT_GE(f.available_minor(), 0) << where << " " << f.fund();
                             if (f.available_minor() != 0)
                               stored[f.fund()][f.currency()] = f.available_minor();
                             return true;
                           })
                    .ok());
    std::map<std::string, std::map<std::string, int64_t>> expected;
    for (const auto& [fund, per] : model_.available) {
      for (const auto& [cur, v] : per) {
        if (v != 0) expected[fund][cur] = v;
      }
    }
    ASSERT_EQ(stored, expected) << where;
    if (dated_) CheckEveryDay(log, where);
    // Rebuild every few steps (and at the end) to keep the run quick: the
    // rebuild replays the whole log.
    if (step % 5 == 0) {
      auto rebuild = RebuildAndCompare(*view);
      ASSERT_TRUE(rebuild.ok()) << rebuild.status();
      ASSERT_TRUE(rebuild->match) << where << ": "
                                  << (rebuild->mismatches.empty() ? rebuild->failure
                                                                  : rebuild->mismatches[0].key);
    }
  }

  // As of the end of every day from the day before the window to the last
  // day the ledger accepts: no fund below zero, every fund equals the dated
  // model, and the funds add up to the cash in every currency.
  void CheckEveryDay(EventLog& log, const std::string& where) {
    for (absl::CivilDay day = kFirstDay - 1; day <= kToday + 1; ++day) {
      const std::string d = FormatDate(day);
      auto view = AsOfEndOfDay(log.NewReadView(), day);
      ASSERT_TRUE(view.ok()) << view.status();
      std::map<std::string, std::map<std::string, int64_t>> stored;
      std::map<std::string, int64_t> funds_total;
      ASSERT_TRUE((*view)
                      ->Scan(kFundKeyPrefix,
                             [&](absl::string_view, absl::string_view value) {
                               v1::FundBalance f;
                               f.ParseFromString(std::string(value));
                               EXPECT_GE(f.available_minor(), 0)
                                   << where << " on " << d << ": " << f.fund();
                               if (f.available_minor() != 0)
                                 stored[f.fund()][f.currency()] = f.available_minor();
                               funds_total[f.currency()] += f.available_minor();
                               return true;
                             })
                      .ok());
      std::map<std::string, std::map<std::string, int64_t>> expected;
      for (const auto& [fund, per] : model_.by_day) {
        for (const auto& [cur, days] : per) {
          int64_t v = 0;
          for (const auto& [when, delta] : days) {
            if (when <= d) v += delta;
          }
          if (v != 0) expected[fund][cur] = v;
        }
      }
      ASSERT_EQ(stored, expected) << where << " as of the end of " << d;
      std::map<std::string, int64_t> cash;
      ASSERT_TRUE((*view)
                      ->Scan(kAccountKeyPrefix,
                             [&](absl::string_view, absl::string_view value) {
                               v1::AccountBalance a;
                               a.ParseFromString(std::string(value));
                               if (a.account() == "cash")
                                 cash[a.currency()] = a.debits_minor() - a.credits_minor();
                               return true;
                             })
                      .ok());
      for (auto it = funds_total.begin(); it != funds_total.end();) {
        it = it->second == 0 ? funds_total.erase(it) : std::next(it);
      }
      for (auto it = cash.begin(); it != cash.end();) {
        it = it->second == 0 ? cash.erase(it) : std::next(it);
      }
      ASSERT_EQ(funds_total, cash) << where << ": funds and cash as of the end of " << d;
    }
  }

 private:
  std::mt19937_64 rng_;
  uint64_t seed_;
  bool dated_;

 public:
  // Refusals seen, by reason ("+date" when the detail names a day).
  std::map<std::string, int> reasons_;

 private:
  uint64_t counter_ = 0;
  Model model_;
  std::vector<std::string> issued_;
};

TEST(PropertyTest, BooksBalanceAfterEveryStepOfRandomSequences) {
  std::vector<uint64_t> seeds;
  if (const char* s = std::getenv("LEDGER_PROPERTY_SEED")) {
    seeds.push_back(std::strtoull(s, nullptr, 10));
  } else {
    for (uint64_t s = 1; s <= 40; ++s) seeds.push_back(s * 7919);
  }
  int accepted = 0, refused = 0;
  for (uint64_t seed : seeds) {
    SCOPED_TRACE(absl::StrCat("LEDGER_PROPERTY_SEED=", seed));
    PropertyRun run(seed, /*dated=*/false);
    run.Run(150, &accepted, &refused);
    if (HasFatalFailure()) return;
  }
  // Both paths must really be exercised, or the test proves little.
  EXPECT_GT(accepted, 1200);
  EXPECT_GT(refused, 1000);
  std::printf("property: %zu seeds, %d appends accepted, %d refused\n", seeds.size(), accepted,
              refused);
}

TEST(PropertyTest, DatedBooksHoldOnEveryDayWhateverTheOrderOfEntry) {
  // Goal: events dated on random days and entered in random order never leave
  // a fund below zero on any day, and as of the end of every day the funds
  // equal a dated model and add up to the cash.
  std::vector<uint64_t> seeds;
  if (const char* s = std::getenv("LEDGER_PROPERTY_SEED")) {
    seeds.push_back(std::strtoull(s, nullptr, 10));
  } else {
    for (uint64_t s = 1; s <= 24; ++s) seeds.push_back(s * 104729);
  }
  int accepted = 0, refused = 0;
  std::map<std::string, int> reasons;
  for (uint64_t seed : seeds) {
    SCOPED_TRACE(absl::StrCat("LEDGER_PROPERTY_SEED=", seed));
    PropertyRun run(seed, /*dated=*/true);
    run.Run(120, &accepted, &refused);
    if (HasFatalFailure()) return;
    for (const auto& [reason, n] : run.reasons_) reasons[reason] += n;
  }
  for (const auto& [reason, n] : reasons) std::printf("  %5d refused %s\n", n, reason.c_str());
  // Every dated rule was really met.
  for (const char* reason :
       {"INSUFFICIENT_FUNDS+date", "DATE_BEFORE_REGISTRATION+date", "DATE_BEFORE_AFFILIATION+date",
        "DATE_BEFORE_TARGET+date", "DATE_IN_FUTURE+date"}) {
    EXPECT_GT(reasons[reason], 0) << reason;
  }
  // Both paths must really be exercised (the counts are fixed by the seeds).
  EXPECT_GT(accepted, 500);
  EXPECT_GT(refused, 1000);
  std::printf("dated property: %zu seeds, %d appends accepted, %d refused\n", seeds.size(),
              accepted, refused);
}

}  // namespace
}  // namespace ledger
