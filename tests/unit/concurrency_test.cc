// Goal: many threads appending at once lose nothing and duplicate nothing:
// every acknowledged event is present exactly once, positions are dense 1..N,
// the chain verifies, a rebuild matches, and group commit really batches
// (fewer syncs than requests). Also run under ThreadSanitizer.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Gbp;

TEST(ConcurrencyTest, ManyWritersEveryAcknowledgedEventExactlyOnce) {
  testing::TempLedger ledger;
  ASSERT_THAT(ledger.Open(), testing::IsOk());
  EventLog* log = &ledger.log();
  ASSERT_TRUE(log->Append(testing::Request({testing::Beneficiary("fund")})).ok());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 60;
  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // event id -> position
  std::atomic<bool> readers_stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    // Readers see consistent snapshots while writers run.
    while (!readers_stop.load()) {
      auto view = log->NewReadView();
      EXPECT_EQ(testing::TrialBalanceSums(*view).find("GBP=0") != std::string::npos ||
                    testing::TrialBalanceSums(*view).empty(),
                true);
      reads++;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        v1::AppendRequest req;
        const int n = 1 + (i % 3);
        for (int k = 0; k < n; ++k) {
          *req.add_events() = testing::WithId(testing::Donation(Gbp(100 + k), k == 1 ? "fund" : ""),
                                              absl::StrCat("t", t, "-", i, "-", k));
        }
        auto r = log->Append(req);
        ASSERT_TRUE(r.ok()) << r.status();
        // A retry of the same request is answered from the id index.
        if (i % 10 == 0) {
          auto again = log->Append(req);
          ASSERT_TRUE(again.ok() && again->deduplicated);
          ASSERT_EQ(again->positions, r->positions);
        }
        std::lock_guard<std::mutex> lock(mu);
        for (int k = 0; k < n; ++k) acknowledged[req.events(k).event_id()] = r->positions[k];
      }
    });
  }
  for (auto& w : writers) w.join();
  readers_stop = true;
  reader.join();

  auto view = log->NewReadView();
  const uint64_t head = view->head_position();
  EXPECT_EQ(head, 2 + acknowledged.size());
  // Every acknowledged event is at its position, exactly once.
  std::set<uint64_t> positions;
  for (const auto& [id, pos] : acknowledged) {
    EXPECT_TRUE(positions.insert(pos).second) << "position " << pos << " acknowledged twice";
    auto e = view->GetEvent(pos);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->payload.event_id(), id);
  }
  // Dense: scanning 1..head sees each position once, in order.
  uint64_t expected = 1;
  ASSERT_TRUE(view->ScanEvents(1,
                               [&](const StoredEvent& e) {
                                 EXPECT_EQ(e.position, expected++);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(expected, head + 1);
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_TRUE(chain.ok() && chain->ok) << chain->problem;
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_TRUE(rebuild.ok() && rebuild->match);
  EventLogStats stats = log->stats();
  std::printf(
      "concurrency: %llu requests, %llu commits, %llu syncs, biggest group %llu, %d reads\n",
      static_cast<unsigned long long>(stats.requests),
      static_cast<unsigned long long>(stats.commits), static_cast<unsigned long long>(stats.syncs),
      static_cast<unsigned long long>(stats.max_group_requests), reads.load());
  // Group commit: concurrent requests share syncs.
  EXPECT_LT(stats.syncs, stats.requests);
  EXPECT_GT(stats.max_group_requests, 1u);
}

}  // namespace
}  // namespace ledger
