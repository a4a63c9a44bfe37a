// Goal: storage faults never turn into a lie.
//  * A failed WAL sync is answered with an error (UNAVAILABLE, reason STORAGE),
//    never with an acknowledgement, and the head does not move; after a
//    reopen nothing acknowledged is lost, even when every unsynced byte is
//    dropped (a power cut), and the failed append is there at most once.
//  * A power cut in the middle of concurrent appends (sync on) loses nothing
//    acknowledged; with sync off it may lose acknowledged appends (but never
//    in a mere process crash), and the ledger stays consistent either way.
//  * A full disk refuses appends with a clear error, reads keep working, and
//    appends work again (RocksDB recovers by itself) once space returns.
//  * A damaged SST file is reported as DATA_LOSS naming the file, and the
//    chain check names the first position it cannot read.
#include <rocksdb/metadata.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/storage/records.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::FaultEnv;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Reason;
using ::ledger::testing::Request;
using ::ledger::testing::StatusIs;
using ::ledger::testing::TempLedger;
using ::ledger::testing::WithId;
using ::testing::HasSubstr;

// The options of a ledger on `env`, with its WAL synced (or not).
EventLogOptions OnEnv(rocksdb::Env* env, bool sync = true) {
  EventLogOptions options;
  options.env = env;
  options.sync = sync;
  return options;
}

// Money moved by one event, per fund ("general", "beneficiary/x"), in GBP.
void ApplyToModel(const v1::EventInput& in, std::map<std::string, int64_t>& funds) {
  const v1::EventBody& b = in.body();
  if (b.has_donation_received()) {
    const auto& d = b.donation_received();
    funds[d.earmark_beneficiary_id().empty() ? "general"
                                             : "beneficiary/" + d.earmark_beneficiary_id()] +=
        d.amount().amount_minor();
  } else if (b.has_funds_allocated()) {
    funds["general"] -= b.funds_allocated().amount().amount_minor();
    funds["beneficiary/" + b.funds_allocated().beneficiary_id()] +=
        b.funds_allocated().amount().amount_minor();
  } else if (b.has_disbursement_made()) {
    funds["beneficiary/" + b.disbursement_made().beneficiary_id()] -=
        b.disbursement_made().amount().amount_minor();
  }
}

// The appends a test made, by outcome.
struct Outcomes {
  std::vector<v1::AppendRequest> acked;    // answered OK: present exactly once
  std::vector<v1::AppendRequest> unknown;  // answered UNAVAILABLE: present at most once
  uint64_t acked_head = 0;                 // the highest head an answer reported
};

// Appends `req`, files it under its outcome, and returns the status. Any
// refusal other than UNAVAILABLE fails the test (these tests make none).
absl::Status AppendAndRecord(EventLog& log, const v1::AppendRequest& req, Outcomes& out,
                             absl::Mutex* mu = nullptr) {
  auto r = log.Append(req);
  if (mu) mu->Lock();
  if (r.ok()) {
    out.acked.push_back(req);
    out.acked_head = std::max(out.acked_head, r->head_position);
  } else {
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(Reason(r.status()), kReasonStorage);
    out.unknown.push_back(req);
  }
  if (mu) mu->Unlock();
  return r.status();
}

// After a reopen: every acknowledged event is present exactly once, every
// unknown request is present wholly or not at all, no other event is in the
// log, the id index agrees with the log, the chain verifies, every projection
// equals a rebuild, debits equal credits, and the funds hold what the
// acknowledged and found-unknown events say. Returns how many unknown
// requests were found present.
int ExpectIntact(EventLog& log, const Outcomes& out,
                 const std::vector<v1::EventInput>& setup = {}) {
  auto view = log.NewReadView();
  EXPECT_GE(view->head_position(), out.acked_head);
  std::map<std::string, std::vector<uint64_t>> positions;
  EXPECT_THAT(view->ScanEvents(1,
                               [&](const StoredEvent& e) {
                                 positions[e.payload.event_id()].push_back(e.position);
                                 return true;
                               }),
              IsOk());
  std::set<std::string> expected_ids = {"genesis"};
  std::map<std::string, int64_t> model;
  for (const v1::EventInput& in : setup) {
    expected_ids.insert(in.event_id());
    ApplyToModel(in, model);
  }
  for (const v1::AppendRequest& req : out.acked) {
    for (const v1::EventInput& in : req.events()) {
      EXPECT_EQ(positions[in.event_id()].size(), 1u) << "acknowledged event " << in.event_id();
      expected_ids.insert(in.event_id());
      ApplyToModel(in, model);
    }
  }
  int found = 0;
  for (const v1::AppendRequest& req : out.unknown) {
    size_t present = 0;
    for (const v1::EventInput& in : req.events()) {
      EXPECT_LE(positions[in.event_id()].size(), 1u) << "unknown event " << in.event_id();
      present += positions[in.event_id()].size();
    }
    EXPECT_TRUE(present == 0 || present == static_cast<size_t>(req.events_size()))
        << "request of " << req.events_size() << " events is partly present (" << present << ")";
    if (present == 0) continue;
    ++found;
    for (const v1::EventInput& in : req.events()) {
      expected_ids.insert(in.event_id());
      ApplyToModel(in, model);
    }
  }
  for (const auto& [id, at] : positions) {
    if (at.empty()) continue;
    EXPECT_EQ(at.size(), 1u) << "event " << id << " appears " << at.size() << " times";
    EXPECT_TRUE(expected_ids.count(id)) << "event " << id << " was never appended";
  }
  // The id index points every id at the event that carries it.
  std::unique_ptr<rocksdb::Iterator> it(log.database().raw_for_testing()->NewIterator(
      rocksdb::ReadOptions(), log.database().cf("ids")));
  size_t ids = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string id = it->key().ToString();
    auto entry = DecodeIdEntry(absl::string_view(it->value().data(), it->value().size()));
    EXPECT_THAT(entry, IsOk());
    if (!entry.ok()) continue;
    auto event = view->GetEvent(entry->position);
    EXPECT_THAT(event, IsOk()) << "id " << id << " points at position " << entry->position;
    if (!event.ok()) continue;
    EXPECT_EQ(event->payload.event_id(), id) << "id index entry for " << id << " is stale";
    ++ids;
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(ids, view->head_position());
  auto chain = VerifyChain(*view, 0, 0);
  EXPECT_THAT(chain, IsOk());
  if (chain.ok()) {
    EXPECT_TRUE(chain->ok) << "position " << chain->first_bad_position << ": " << chain->problem;
  }
  auto rebuild = RebuildAndCompare(*view);
  EXPECT_THAT(rebuild, IsOk());
  if (rebuild.ok()) {
    EXPECT_TRUE(rebuild->match) << (rebuild->mismatches.empty() ? rebuild->failure
                                                                : rebuild->mismatches[0].key);
  }
  const std::string sums = testing::TrialBalanceSums(*view);
  EXPECT_TRUE(sums.empty() || sums == "GBP=0") << sums;
  for (const auto& [fund, available] : model) {
    EXPECT_EQ(testing::Available(*view, fund, "GBP"), available) << "fund " << fund;
  }
  return found;
}

v1::AppendRequest Donate(const std::string& id, int64_t minor) {
  return Request({WithId(Donation(Gbp(minor)), id)});
}

TEST(StorageFaultTest, FailedWalSyncIsAnErrorNeverAnAcknowledgement) {
  FaultEnv env;
  TempLedger ledger;
  Outcomes out;
  {
    ASSERT_THAT(ledger.Open(OnEnv(&env)), IsOk());
    EventLog* log = &ledger.log();
    for (int i = 0; i < 5; ++i)
      ASSERT_THAT(AppendAndRecord(*log, Donate(absl::StrCat("ok-", i), 100), out), IsOk());
    const uint64_t head = log->head_position();
    const std::string hash = log->head_hash();

    env.FailWalSyncs(FaultEnv::Fault::kIOError);
    const absl::Status failed = AppendAndRecord(*log, Donate("failed-sync", 7), out);
    EXPECT_THAT(failed, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(Reason(failed), kReasonStorage);
    EXPECT_THAT(std::string(failed.message()), HasSubstr("outcome is unknown"));
    EXPECT_THAT(std::string(failed.message()), HasSubstr("injected fault: sync"));
    EXPECT_GE(env.injected(), 1);
    // Nothing moved: not the head, not the balances, not the id index.
    EXPECT_EQ(log->head_position(), head);
    EXPECT_EQ(log->head_hash(), hash);
    auto view = log->NewReadView();
    EXPECT_EQ(view->head_position(), head);
    EXPECT_EQ(testing::Available(*view, "general", "GBP"), 500);
    auto found = view->FindEventId("failed-sync");
    ASSERT_THAT(found, IsOk());
    EXPECT_FALSE(found->has_value());
    // Reads keep working.
    EXPECT_THAT(QuerySummary(*view), IsOk());

    // RocksDB treats an I/O error on the WAL as fatal: every later append is
    // refused (never acknowledged) until the ledger is reopened, even once
    // the disk works again.
    env.ClearFaults();
    for (int i = 0; i < 3; ++i) {
      EXPECT_THAT(AppendAndRecord(*log, Donate(absl::StrCat("after-", i), 1), out),
                  StatusIs(absl::StatusCode::kUnavailable));
    }
    EXPECT_EQ(log->head_position(), head);
  }
  // Reopen on the real Env, as a restarted ledgerd would. The failed append
  // reached the file before its sync failed, so RocksDB may replay it: its
  // outcome was unknown, and it is there at most once.
  ASSERT_THAT(ledger.Reopen(), IsOk());
  EventLog* log = &ledger.log();
  ExpectIntact(*log, out);
  // Retrying every unknown append with its ids records each exactly once.
  for (const v1::AppendRequest& req : out.unknown) ASSERT_THAT(log->Append(req), IsOk());
  Outcomes all;
  all.acked = out.acked;
  all.acked.insert(all.acked.end(), out.unknown.begin(), out.unknown.end());
  all.acked_head = out.acked_head;
  ExpectIntact(*log, all);
}

TEST(StorageFaultTest, PowerCutAfterAFailedSyncLosesNothingAcknowledged) {
  FaultEnv env;
  TempLedger ledger;
  Outcomes out;
  {
    ASSERT_THAT(ledger.Open(OnEnv(&env)), IsOk());
    EventLog* log = &ledger.log();
    ASSERT_THAT(AppendAndRecord(*log, Request({WithId(Beneficiary("lawyer"), "reg-lawyer")}), out),
                IsOk());
    for (int i = 0; i < 5; ++i) {
      ASSERT_THAT(
          AppendAndRecord(*log,
                          Request({WithId(Donation(Gbp(1000)), absl::StrCat("d-", i)),
                                   WithId(Allocation("lawyer", Gbp(400)), absl::StrCat("a-", i))}),
                          out),
          IsOk());
    }
    env.FailWalSyncs(FaultEnv::Fault::kIOError);
    EXPECT_THAT(
        AppendAndRecord(*log, Request({WithId(Disbursement("lawyer", Gbp(300)), "x-1")}), out),
        StatusIs(absl::StatusCode::kUnavailable));
    env.Crash();
    ledger.Close();
  }
  // The power cut drops what was never synced: the failed append's bytes.
  EXPECT_GT(env.DropUnsyncedData(), 0u);
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_EQ(ExpectIntact(*log, out), 0) << "the unsynced append survived a power cut";
  EXPECT_EQ(log->head_position(), out.acked_head);
}

// Four writers append concurrently (single events and batches, so that group
// commits hold several requests); the power goes at a random commit. Every
// acknowledged append survives, each unknown one is there wholly or not at
// all, and the ledger is consistent.
void PowerCutDuringConcurrentAppends(bool sync, uint32_t seed, Outcomes& out,
                                     std::vector<v1::EventInput>& setup, TempLedger& ledger,
                                     FaultEnv& env) {
  ASSERT_THAT(ledger.Open(OnEnv(&env, sync)), IsOk());
  EventLog* log = &ledger.log();
  for (int b = 0; b < 3; ++b) {
    setup.push_back(WithId(Beneficiary(absl::StrCat("b", b)), absl::StrCat("reg-b", b)));
  }
  ASSERT_THAT(log->Append([&] {
    v1::AppendRequest r;
    for (const auto& in : setup) *r.add_events() = in;
    return r;
  }()),
              IsOk());
  std::mt19937 rng(seed);
  const int crash_after = 40 + static_cast<int>(rng() % 80);
  std::atomic<int> acked{0};
  absl::Mutex mu;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937 r(seed * 31 + t);
      for (int i = 0; i < 60; ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        const std::string ben = absl::StrCat("b", r() % 3);
        v1::AppendRequest req;
        switch (r() % 3) {
          case 0:
            req = Request({WithId(Donation(Gbp(100 + r() % 900), r() % 2 ? ben : ""), id)});
            break;
          case 1:  // a batch: money in, then allocated and paid out at once
            req = Request({WithId(Donation(Gbp(500)), id + "-d"),
                           WithId(Allocation(ben, Gbp(300)), id + "-a"),
                           WithId(Disbursement(ben, Gbp(200)), id + "-p")});
            break;
          default:
            req = Request({WithId(Donation(Gbp(50), ben), id + "-e"),
                           WithId(Disbursement(ben, Gbp(50)), id + "-q")});
        }
        if (AppendAndRecord(*log, req, out, &mu).ok()) {
          if (acked.fetch_add(1) + 1 == crash_after) env.Crash();
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  env.Crash();  // in case the writers finished first
  ledger.Close();
}

TEST(StorageFaultTest, PowerCutDuringConcurrentAppendsLosesNothingAcknowledged) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    FaultEnv env;
    TempLedger ledger;
    Outcomes out;
    std::vector<v1::EventInput> setup;
    PowerCutDuringConcurrentAppends(/*sync=*/true, seed, out, setup, ledger, env);
    env.DropUnsyncedData();
    ASSERT_THAT(ledger.Reopen(), IsOk());
    EventLog* log = &ledger.log();
    EXPECT_FALSE(out.acked.empty());
    EXPECT_FALSE(out.unknown.empty());
    const int found = ExpectIntact(*log, out, setup);
    std::cerr << "seed " << seed << ": " << out.acked.size() << " acknowledged, "
              << out.unknown.size() << " unknown (" << found << " found), head "
              << log->head_position() << "\n";
  }
}

TEST(StorageFaultTest, SyncOffLosesAcknowledgedAppendsInAPowerCutNotInAProcessCrash) {
  // A process crash (kill -9): the OS still has every written byte.
  {
    FaultEnv env;
    TempLedger ledger;
    Outcomes out;
    std::vector<v1::EventInput> setup;
    PowerCutDuringConcurrentAppends(/*sync=*/false, 7, out, setup, ledger, env);
    // No DropUnsyncedData: nothing is lost.
    ASSERT_THAT(ledger.Reopen(), IsOk());
    EventLog* log = &ledger.log();
    ExpectIntact(*log, out, setup);
  }
  // A power cut: what was never synced is gone, acknowledged or not. The
  // ledger that remains is a consistent prefix.
  FaultEnv env;
  TempLedger ledger;
  Outcomes out;
  std::vector<v1::EventInput> setup;
  PowerCutDuringConcurrentAppends(/*sync=*/false, 7, out, setup, ledger, env);
  EXPECT_GT(env.DropUnsyncedData(), 0u);
  ASSERT_THAT(ledger.Reopen(), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_LT(log->head_position(), out.acked_head) << "expected acknowledged appends to be lost";
  auto view = log->NewReadView();
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_TRUE(chain->ok) << chain->problem;
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_TRUE(rebuild->match);
  std::cerr << "sync=false power cut: " << out.acked.size() << " appends acknowledged up to head "
            << out.acked_head << "; head after the cut " << log->head_position() << "\n";
}

TEST(StorageFaultTest, DiskFullRefusesAppendsKeepsReadsAndRecoversWhenSpaceReturns) {
  FaultEnv env;
  TempLedger ledger;
  Outcomes out;
  {
    ASSERT_THAT(ledger.Open(OnEnv(&env)), IsOk());
    EventLog* log = &ledger.log();
    ASSERT_THAT(AppendAndRecord(*log, Request({WithId(Beneficiary("lawyer"), "reg")}), out),
                IsOk());
    for (int i = 0; i < 5; ++i) {
      ASSERT_THAT(
          AppendAndRecord(
              *log, Request({WithId(Donation(Gbp(100), "lawyer"), absl::StrCat("d-", i))}), out),
          IsOk());
    }
    const uint64_t head = log->head_position();

    env.DiskFull(true);
    const v1::AppendRequest full = Request({WithId(Donation(Gbp(7), "lawyer"), "while-full")});
    auto refused = log->Append(full);
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(Reason(refused.status()), kReasonStorage);
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("No space left on device"));
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("could not write to its disk"));
    // More appends are refused too, and nothing moves.
    EXPECT_THAT(log->Append(Request({Donation(Gbp(1))})), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(log->head_position(), head);

    // Reads keep working: views, events, ids, queries.
    {
      auto view = log->NewReadView();
      EXPECT_EQ(view->head_position(), head);
      EXPECT_THAT(view->GetEvent(head), IsOk());
      auto found = view->FindEventId("d-3");
      ASSERT_THAT(found, IsOk());
      EXPECT_TRUE(found->has_value());
      auto summary = QuerySummary(*view);
      ASSERT_THAT(summary, IsOk());
      EXPECT_EQ(summary->as_of().position(), head);
      auto ben = QueryBeneficiary(*view, "lawyer");
      ASSERT_THAT(ben, IsOk());
      EXPECT_EQ(ben->balances(0).available_minor(), 500);
      auto tb = QueryTrialBalance(*view);
      ASSERT_THAT(tb, IsOk());
      EXPECT_TRUE(tb->balanced());
      auto chain = VerifyChain(*view, 0, 0);
      ASSERT_THAT(chain, IsOk());
      EXPECT_TRUE(chain->ok);
    }

    // Space returns. RocksDB recovers from a full disk by itself (it retries
    // every few seconds); the client retries with the same id meanwhile.
    env.DiskFull(false);
    const absl::Time start = absl::Now();
    absl::StatusOr<AppendResult> retried;
    do {
      retried = log->Append(full);
      if (!retried.ok()) absl::SleepFor(absl::Milliseconds(100));
    } while (!retried.ok() && absl::Now() - start < absl::Seconds(30));
    ASSERT_THAT(retried, IsOk()) << "appends did not work again within 30 s of space returning";
    out.acked.push_back(full);
    out.acked_head = retried->head_position;
    std::cerr << "appends worked again " << (absl::Now() - start) << " after space returned\n";
    for (int i = 0; i < 5; ++i) {
      ASSERT_THAT(AppendAndRecord(
                      *log, Request({WithId(Donation(Gbp(10)), absl::StrCat("after-", i))}), out),
                  IsOk());
    }
    // And a power cut now loses none of it.
    env.Crash();
    ledger.Close();
  }
  env.DropUnsyncedData();
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  ExpectIntact(*log, out);
}

// Flips 16 bytes in the middle of `path`.
void DamageMiddle(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  const std::streamoff at = size / 2;
  std::string bytes(16, '\0');
  f.seekg(at);
  f.read(bytes.data(), bytes.size());
  for (char& c : bytes) c = static_cast<char>(~c);
  f.seekp(at);
  f.write(bytes.data(), bytes.size());
  ASSERT_TRUE(f.good());
}

TEST(StorageFaultTest, CorruptedSstIsReportedAsDataLossNamingTheFileAndPosition) {
  TempLedger ledger;
  std::string sst;
  uint64_t head = 0;
  {
    ASSERT_THAT(ledger.Open(), IsOk());
    EventLog* log = &ledger.log();
    for (int i = 0; i < 20; ++i) {
      v1::AppendRequest req;
      for (int j = 0; j < 20; ++j) *req.add_events() = Donation(Gbp(100 + i * 20 + j));
      ASSERT_THAT(log->Append(req), IsOk());
    }
    head = log->head_position();
    ASSERT_TRUE(log->database()
                    .raw_for_testing()
                    ->Flush(rocksdb::FlushOptions(), log->database().cf("events"))
                    .ok());
    std::vector<rocksdb::LiveFileMetaData> files;
    log->database().raw_for_testing()->GetLiveFilesMetaData(&files);
    for (const auto& f : files) {
      if (f.column_family_name == "events") sst = f.db_path + f.name;
    }
    ledger.Close();
  }
  ASSERT_FALSE(sst.empty()) << "no SST file for the events column family";
  DamageMiddle(sst);
  const std::string file_name = std::filesystem::path(sst).filename().string();

  // RocksDB checks the footer, index and filter blocks of each SST at open;
  // a data block is checked when it is read. The middle of the file is data,
  // so the ledger opens (its head event is intact) and the damage shows on
  // the first read of the block: the chain check names the position and the
  // file, and reading an event there is DATA_LOSS naming the file.
  const absl::Status opened = ledger.Open();
  if (!opened.ok()) {
    // Had the damage hit the head's block, the open itself would refuse.
    EXPECT_THAT(opened, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(opened.message()), HasSubstr(file_name));
    FAIL() << "open refused (acceptable, but not what this layout should give): " << opened;
  }
  EventLog* log = &ledger.log();
  EXPECT_EQ(log->head_position(), head);
  auto view = log->NewReadView();
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_FALSE(chain->ok);
  EXPECT_GT(chain->first_bad_position, 1u);
  EXPECT_LT(chain->first_bad_position, head);
  EXPECT_THAT(chain->problem, HasSubstr("Corruption"));
  EXPECT_THAT(chain->problem, HasSubstr(file_name));
  std::cerr << "chain check: position " << chain->first_bad_position << ": " << chain->problem
            << "\n";
  // The events before the damaged block still read; the first bad one is
  // DATA_LOSS naming the file.
  EXPECT_THAT(view->GetEvent(chain->first_bad_position - 1), IsOk());
  auto bad = view->GetEvent(chain->first_bad_position);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr(file_name));
  // A rebuild stops there too, with the same error.
  EXPECT_THAT(RebuildAndCompare(*view), StatusIs(absl::StatusCode::kDataLoss));
}

// The path of the largest write-ahead-log file (*.log) in `dir`, or "" if
// none holds anything.
std::string LargestWal(const std::string& dir) {
  std::string wal;
  uintmax_t size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && entry.file_size() > size) {
      wal = entry.path().string();
      size = entry.file_size();
    }
  }
  return wal;
}

// Damage in the middle of the write-ahead log: the commits after it were
// acknowledged (each was synced), so opening at the last good record would
// silently drop acknowledged money. The ledger refuses to open instead,
// with DATA_LOSS naming the WAL file, and writes nothing; the operator
// restores a backup (docs/OPERATIONS.md). A torn record at the very end (a
// crash during a write that was never acknowledged) is still dropped.
TEST(StorageFaultTest, DamageInTheMiddleOfTheWalRefusesToOpen) {
  TempLedger ledger;
  uint64_t head = 0;
  {
    ASSERT_THAT(ledger.Open(), IsOk());
    EventLog* log = &ledger.log();
    for (int i = 0; i < 40; ++i) {
      v1::AppendRequest req;
      for (int j = 0; j < 10; ++j) *req.add_events() = Donation(Gbp(100 + i * 10 + j));
      ASSERT_THAT(log->Append(req), IsOk());
    }
    head = log->head_position();
    ledger.Close();
  }
  // Everything since the last flush is only in the WAL (the memtable was
  // never flushed: far below its size limit).
  const std::string wal = LargestWal(ledger.path());
  ASSERT_FALSE(wal.empty());
  ASSERT_GT(std::filesystem::file_size(wal), 20000u);
  DamageMiddle(wal);
  const std::string file_name = std::filesystem::path(wal).filename().string();

  const absl::Status opened = ledger.Open();
  ASSERT_FALSE(opened.ok()) << "opened with head " << ledger.log().head_position() << " of " << head
                            << ": acknowledged events were dropped silently";
  EXPECT_THAT(opened, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(opened.message()), HasSubstr(file_name));
  std::cerr << "open refused: " << opened << "\n";
  // Read-only (an auditor's copy) refuses the same way.
  EventLogOptions ro;
  ro.read_only = true;
  EXPECT_THAT(ledger.Open(ro), StatusIs(absl::StatusCode::kDataLoss));
}

// A torn write at the very end of the WAL (the process died in the middle
// of appending a commit it never acknowledged) is not damage: the ledger
// opens at the last whole commit.
TEST(StorageFaultTest, TornTailOfTheWalIsDroppedAtOpen) {
  TempLedger ledger;
  uint64_t head = 0;
  {
    ASSERT_THAT(ledger.Open(), IsOk());
    EventLog* log = &ledger.log();
    for (int i = 0; i < 10; ++i)
      ASSERT_THAT(log->Append(Request({Donation(Gbp(100 + i))})), IsOk());
    head = log->head_position();
    ledger.Close();
  }
  const std::string wal = LargestWal(ledger.path());
  ASSERT_FALSE(wal.empty());
  {
    // Half a record: a header promising 4000 bytes and a few of them.
    std::ofstream f(wal, std::ios::binary | std::ios::app);
    const char torn[] =
        "\x12\x34\x56\x78\xa0\x0f\x01"
        "partial";
    f.write(torn, sizeof(torn) - 1);
  }
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_EQ(log->head_position(), head);
  ASSERT_THAT(log->Append(Request({Donation(Gbp(5))})), IsOk());
  auto view = log->NewReadView();
  EXPECT_TRUE(VerifyChain(*view, 0, 0)->ok);
}

}  // namespace
}  // namespace ledger
