// Benchmarks of the ledger core (Google Benchmark):
//   DurableAppend     appends with EventLogOptions.sync = true, at several
//                     batch sizes (events per request) and thread counts,
//                     with the group-commit counters (syncs vs requests);
//   ScanEvents        reading and decoding every event (the floor of a replay);
//   VerifyChain       ledger::VerifyChain over the whole log;
//   RebuildAndCompare ledger::RebuildAndCompare over the whole log;
//   ReplayMemory      the peak RSS of a fresh process that opens the log
//                     read-only and replays it (VerifyChain, then Rebuild);
//   BalanceRead       a new ReadView and one FundBalance Load;
//   BeneficiaryBalances  a new ReadView, a scan of every beneficiary and a
//                     Load of each one's fund balance;
//   Hash/*            the two SHA-256 paths, on one event-sized payload;
//   Merkle/TreeAppend the writer's tree work per event: the leaf hash of a
//                     typical record, the merges, the node rows and their
//                     WriteBatch puts (one batch per 1000 events);
//   Merkle/InclusionProof, Merkle/ConsistencyProof  a new ReadView and one
//                     proof at the head of the log (random leaf / old size);
//   Merkle/SignCheckpoint  a new ReadView, the root at the head, an Ed25519
//                     signature of the checkpoint;
//   Merkle/TreeStorage  the merkle column family's bytes on disk per event;
// the read-side ones at several log sizes (100k and 1M events by default).
// Each log is built once per process, with sync = false and requests of 1000
// events of a fixed mix (see Mix).
//
// Run with tests/bench/run_benchmarks.sh; docs/BENCHMARKS.md has the results
// and what they mean. Flags of our own, given before Google Benchmark's:
//   --ledger_sizes=100000,1000000   log sizes (events) for the read benchmarks
//   --append_batches=1,10,100,1000  events per append request
//   --append_threads=1,16           appending threads sharing one EventLog
//   --append_min_time=2             seconds each append benchmark runs at least
//   --read_min_time=0.5             the same for the read-side benchmarks
// Temporary ledgers go under $TMPDIR (else /tmp) and are removed on exit.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/replay.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/effects.h"
#include "ledger/hash.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/projections/keys.h"
#include "ledger/projections/tree_index.h"
#include "ledger/storage/records.h"
#include "ledger/storage/rows.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "services/server.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace v1 = ::solidarity::ledger::v1;
using SteadyClock = std::chrono::steady_clock;

constexpr int kBeneficiaries = 100;
constexpr int kBranches = 5;
constexpr int kMixKinds = 10;
constexpr int kBuildBatch = 1000;  // events per request when building a log
constexpr int kBuildInFlight = 8;  // requests queued at once when building
// Events of one stream per day of occurred_on, from kFirstDay: a 1M-event log
// spans 1,000 days (2023-01-01 .. 2025-09-27), as a busy campaign's might.
constexpr int kEventsPerDay = 1000;
constexpr absl::CivilDay kFirstDay(2023, 1, 1);
// Larger logs (10M events, for the tree's proofs) put the events past the
// first million on the last of those days: no date after today is accepted.
constexpr int64_t kMaxDays = 1000;
absl::CivilDay DayOf(uint64_t seq) {
  return kFirstDay + std::min<int64_t>(static_cast<int64_t>(seq / kEventsPerDay), kMaxDays - 1);
}

std::string BenId(int i) { return absl::StrFormat("ben-%03d", i); }
std::string BranchId(int i) { return absl::StrFormat("br-%d", i); }

// ------------------------------------------------------------------ helpers

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 if unreadable.
double ProcStatusKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::atof(line.c_str() + n + 1);
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so a later VmHWM is the peak
// of what ran in between. False where that is not possible.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

double MicrosSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count();
}

// CPU seconds used by the whole process (every thread, user + system).
double ProcessCpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

// ------------------------------------------------------------------ the mix

// A cycle of ten events (kind = seq % 10) about beneficiary (seq / 10) % 100
// and branch (seq / 10) % 5: four kinds of donation (general, earmarked, from
// a branch), a branch fee, two allocations and two disbursements. Within one
// cycle no fund ever goes below what the cycle itself brought in, so a stream
// of cycles never overdraws a fund, however streams of several threads
// interleave (each thread spends only what its own earlier events brought).
//
//   kind  event                               general    beneficiary
//   0     donation, individual         50.xx  +5000
//   1     donation earmarked, individ. 30.xx              +3000
//   2     allocation general -> ben    20.00  -2000       +2000
//   3     disbursement from ben        15.00              -1500
//   4     donation, organisation       25.xx  +2500
//   5     donation from a branch       15.xx  +1500
//   6     donation earmarked, anon.    20.xx              +2000
//   7     disbursement from ben        10.00              -1000
//   8     branch fee                   10.00  +1000
//   9     allocation general -> ben     5.00   -500        +500
class Mix {
 public:
  static const Mix& Get() {
    static const Mix* mix = new Mix();
    return *mix;
  }

  // Registers every beneficiary and affiliates every branch.
  v1::AppendRequest SetupRequest() const {
    v1::AppendRequest req;
    for (int b = 0; b < kBeneficiaries; ++b) {
      *req.add_events() =
          testing::WithId(testing::Beneficiary(BenId(b), absl::StrCat("Strike fund ", b)),
                          absl::StrCat("setup-ben-", b));
    }
    for (int b = 0; b < kBranches; ++b) {
      *req.add_events() =
          testing::WithId(testing::Branch(BranchId(b)), absl::StrCat("setup-br-", b));
    }
    for (auto& e : *req.mutable_events()) e.set_occurred_on(FormatDate(kFirstDay));
    return req;
  }

  // Adds event `seq` of the stream whose event ids are "<prefix><seq>".
  void AddEvent(v1::AppendRequest& req, absl::string_view prefix, uint64_t seq) const {
    const int kind = static_cast<int>(seq % kMixKinds);
    const uint64_t cycle = seq / kMixKinds;
    const int ben = static_cast<int>(cycle % kBeneficiaries);
    v1::EventInput* e = req.add_events();
    *e = prototypes_[kind][ben];
    e->set_event_id(absl::StrCat(prefix, seq));
    e->set_occurred_on(FormatDate(DayOf(seq)));
    if (e->body().has_donation_received()) {
      // Donations vary a little (spending amounts are fixed; see above).
      auto* amount = e->mutable_body()->mutable_donation_received()->mutable_amount();
      amount->set_amount_minor(amount->amount_minor() + static_cast<int64_t>(cycle % 97));
    }
  }

 private:
  Mix() : prototypes_(kMixKinds) {
    using testing::Gbp;
    for (int b = 0; b < kBeneficiaries; ++b) {
      const std::string ben = BenId(b);
      const std::string br = BranchId(b % kBranches);
      std::vector<v1::EventInput> p;
      p.push_back(testing::Donation(Gbp(5000)));
      p.push_back(testing::Donation(Gbp(3000), ben));
      p.push_back(testing::Allocation(ben, Gbp(2000)));
      p.push_back(testing::Disbursement(ben, Gbp(1500)));
      v1::EventInput org = testing::Donation(Gbp(2500));
      org.mutable_body()->mutable_donation_received()->set_donor_kind(v1::DONOR_KIND_ORGANISATION);
      org.mutable_body()->mutable_donation_received()->set_donor_ref("Trades council");
      p.push_back(org);
      p.push_back(testing::BranchDonation(br, Gbp(1500)));
      v1::EventInput anon = testing::Donation(Gbp(2000), ben);
      anon.mutable_body()->mutable_donation_received()->set_donor_kind(v1::DONOR_KIND_ANONYMOUS);
      anon.mutable_body()->mutable_donation_received()->clear_donor_ref();
      p.push_back(anon);
      p.push_back(testing::Disbursement(ben, Gbp(1000)));
      p.push_back(testing::Fee(br, Gbp(1000)));
      p.push_back(testing::Allocation(ben, Gbp(500)));
      for (int k = 0; k < kMixKinds; ++k) {
        v1::EventInput& in = p[k];
        if (in.body().has_donation_received()) {
          in.mutable_body()->mutable_donation_received()->set_method("card");
          in.mutable_body()->mutable_donation_received()->set_reference("collection bucket");
        }
        prototypes_[k].push_back(std::move(in));
      }
    }
  }

  std::vector<std::vector<v1::EventInput>> prototypes_;  // [kind][beneficiary]
};

// ------------------------------------------------------------------ logs to read

// A log of exactly `events` events (genesis + setup + the mix), built once per
// process with sync = false and requests of kBuildBatch events, then flushed
// and left with no compaction running.
class LedgerFixture {
 public:
  static LedgerFixture* Get(int64_t events) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = fixtures_[events];
    if (!slot) slot.reset(new LedgerFixture(events));
    return slot.get();
  }
  // Closes and removes every log (before exit, while RocksDB is still whole).
  static void DeleteAll() {
    std::lock_guard<std::mutex> lock(mu_);
    fixtures_.clear();
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  EventLog& log() { return *log_; }
  int64_t events() const { return events_; }
  double db_mib() const { return static_cast<double>(db_bytes_) / (1 << 20); }
  double bytes_per_event() const { return static_cast<double>(db_bytes_) / events_; }

  ~LedgerFixture() {
    log_.reset();
    dir_.reset();
  }

 private:
  explicit LedgerFixture(int64_t events) : events_(events) {
    const auto t0 = SteadyClock::now();
    error_ = Build();
    const double seconds = MicrosSince(t0) / 1e6;
    if (ok()) {
      std::fprintf(stderr,
                   "[ledger_bench] built a %lld-event log in %.1f s (%.0f events/s incl. flush and "
                   "compaction; sync=false, %d events per request); %.1f MiB on disk, %.0f bytes "
                   "per event\n",
                   static_cast<long long>(events_), seconds, events_ / seconds, kBuildBatch,
                   db_mib(), bytes_per_event());
    } else {
      std::fprintf(stderr, "[ledger_bench] building a %lld-event log failed: %s\n",
                   static_cast<long long>(events_), error_.c_str());
    }
  }

  std::string Build() {
    dir_ = std::make_unique<testing::TempDir>();
    path_ = dir_->Sub("ledger");
    const std::string& path = path_;
    EventLogOptions options;
    options.sync = false;
    auto log = EventLog::Open(path, ::ledger::testing::KeyedOptions(options));
    if (!log.ok()) return log.status().ToString();
    log_ = std::move(*log);
    auto setup = log_->Append(Mix::Get().SetupRequest(), "bench");
    if (!setup.ok()) return setup.status().ToString();
    const int64_t head = static_cast<int64_t>(log_->head_position());
    if (events_ < head) return absl::StrCat("a log holds at least ", head, " events");

    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    std::string first_error;
    const Mix& mix = Mix::Get();
    uint64_t seq = 0;
    // Append throughput per tenth of the log, to show whether appending gets
    // slower as the log grows (measured at submission, so approximate).
    const int64_t tenth = std::max<int64_t>(1, events_ / 10);
    int64_t next_mark = tenth;
    auto mark_time = SteadyClock::now();
    std::string rates;
    for (int64_t left = events_ - head; left > 0;) {
      const int n = static_cast<int>(std::min<int64_t>(left, kBuildBatch));
      v1::AppendRequest req;
      for (int i = 0; i < n; ++i) mix.AddEvent(req, "ev-", seq++);
      left -= n;
      if (events_ - left >= next_mark) {
        absl::StrAppend(&rates, rates.empty() ? "" : " ",
                        static_cast<int64_t>(tenth / (MicrosSince(mark_time) / 1e6)));
        mark_time = SteadyClock::now();
        next_mark += tenth;
      }
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kBuildInFlight; });
        if (!first_error.empty()) break;
        ++in_flight;
      }
      log_->AppendAsync(std::move(req), "bench", [&](absl::StatusOr<AppendResult> r) {
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok() && first_error.empty()) first_error = r.status().ToString();
        --in_flight;
        cv.notify_all();
      });
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight == 0; });
    }
    if (!first_error.empty()) return first_error;
    if (tenth >= 10 * kBuildInFlight * kBuildBatch) {  // else the queue hides the rate
      std::fprintf(
          stderr,
          "[ledger_bench] %lld-event log: appends/s (sync=false) per tenth of the log: %s\n",
          static_cast<long long>(events_), rates.c_str());
    }
    if (static_cast<int64_t>(log_->head_position()) != events_) {
      return absl::StrCat("head is ", log_->head_position(), ", wanted ", events_);
    }
    // Flush and let compaction finish, so the measurements see a settled
    // database rather than background work.
    rocksdb::DB* db = log_->database().raw_for_testing();
    std::vector<rocksdb::ColumnFamilyHandle*> cfs;
    for (const char* name : {"events", "ids", "state", "meta", "merkle"})
      cfs.push_back(log_->database().cf(name));
    rocksdb::Status s = db->Flush(rocksdb::FlushOptions(), cfs);
    if (!s.ok()) return s.ToString();
    const auto deadline = SteadyClock::now() + std::chrono::seconds(180);
    for (;;) {
      uint64_t busy = 0, v = 0;
      if (db->GetIntProperty("rocksdb.num-running-compactions", &v)) busy += v;
      if (db->GetIntProperty("rocksdb.num-running-flushes", &v)) busy += v;
      for (auto* cf : cfs) {
        if (db->GetIntProperty(cf, "rocksdb.compaction-pending", &v)) busy += v;
        if (db->GetIntProperty(cf, "rocksdb.mem-table-flush-pending", &v)) busy += v;
      }
      if (busy == 0 || SteadyClock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    db_bytes_ = DirectoryBytes(path);
    return "";
  }

  static std::mutex mu_;
  static std::map<int64_t, std::unique_ptr<LedgerFixture>> fixtures_;

  const int64_t events_;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<EventLog> log_;
  std::string path_;
  uint64_t db_bytes_ = 0;
  std::string error_;
};

std::mutex LedgerFixture::mu_;
std::map<int64_t, std::unique_ptr<LedgerFixture>> LedgerFixture::fixtures_;

// Memory counters of a replay: RSS when it started, its peak, and the growth.
class PeakRss {
 public:
  PeakRss() : reset_(ResetPeakRss()), base_kib_(ProcStatusKiB("VmRSS")) {}
  void Report(benchmark::State& state) const {
    const double peak_kib = reset_ ? ProcStatusKiB("VmHWM") : -1;
    state.counters["rss_start_MiB"] = base_kib_ / 1024;
    if (peak_kib >= 0) {
      state.counters["rss_peak_MiB"] = peak_kib / 1024;
      state.counters["rss_growth_MiB"] = (peak_kib - base_kib_) / 1024;
    } else {
      // No per-run peak here: the process's lifetime peak instead.
      struct rusage ru;
      getrusage(RUSAGE_SELF, &ru);
      state.counters["maxrss_lifetime_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024;
    }
  }

 private:
  const bool reset_;
  const double base_kib_;
};

void ReportLogFacts(benchmark::State& state, LedgerFixture& f) {
  state.counters["log_events"] = static_cast<double>(f.events());
  state.counters["db_MiB"] = f.db_mib();
  // The events column family's block cache (RocksDB's default: 8 MiB per
  // column family): most of what a replay's RSS grows by.
  uint64_t cache = 0;
  if (f.log().database().raw_for_testing()->GetIntProperty(f.log().database().cf("events"),
                                                           "rocksdb.block-cache-usage", &cache)) {
    state.counters["ev_cache_MiB"] = static_cast<double>(cache) / (1 << 20);
  }
}

// ------------------------------------------------------------------ appends

// The log the threads of one DurableAppend run share; set up by thread 0
// before the timing loop, whose start barrier publishes it to the others.
struct AppendShared {
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<EventLog> log;
  EventLogStats before;
  double cpu_before = 0;
};
AppendShared* g_append = nullptr;

void BM_DurableAppend(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    auto shared = std::make_unique<AppendShared>();
    shared->dir = std::make_unique<testing::TempDir>();
    EventLogOptions options;
    options.sync = true;
    auto log = EventLog::Open(shared->dir->Sub("ledger"), ::ledger::testing::KeyedOptions(options));
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
    } else {
      shared->log = std::move(*log);
      auto setup = shared->log->Append(Mix::Get().SetupRequest(), "bench");
      if (!setup.ok()) {
        state.SkipWithError(setup.status().ToString().c_str());
      } else {
        shared->before = shared->log->stats();
        shared->cpu_before = ProcessCpuSeconds();
        g_append = shared.release();
      }
    }
  }
  const Mix& mix = Mix::Get();
  const std::string prefix = absl::StrCat("t", state.thread_index(), "-");
  v1::AppendRequest req;
  uint64_t seq = 0;
  int64_t events = 0;
  std::vector<double> latency_us;
  latency_us.reserve(1 << 14);
  for (auto _ : state) {
    if (g_append == nullptr) {
      state.SkipWithError("the shared log could not be opened");
      break;
    }
    // Building the request is a few hundred ns per event (a copy of a
    // prototype); it stays in the timed loop, as a client's would.
    req.mutable_events()->Clear();
    for (int i = 0; i < batch; ++i) mix.AddEvent(req, prefix, seq++);
    const auto t0 = SteadyClock::now();
    absl::StatusOr<AppendResult> r = g_append->log->Append(req, "bench");
    latency_us.push_back(MicrosSince(t0));
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    events += batch;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  // Per-thread percentiles, averaged over the threads.
  state.counters["p50_ms"] =
      benchmark::Counter(Percentile(latency_us, 50) / 1000, benchmark::Counter::kAvgThreads);
  state.counters["p99_ms"] =
      benchmark::Counter(Percentile(latency_us, 99) / 1000, benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0 && g_append != nullptr) {
    const EventLogStats after = g_append->log->stats();
    const double syncs = static_cast<double>(after.syncs - g_append->before.syncs);
    const double requests = static_cast<double>(after.requests - g_append->before.requests);
    const double written = static_cast<double>(after.events - g_append->before.events);
    state.counters["syncs"] = syncs;
    state.counters["requests"] = requests;
    state.counters["req_per_sync"] = syncs > 0 ? requests / syncs : 0;
    state.counters["ev_per_sync"] = syncs > 0 ? written / syncs : 0;
    state.counters["max_group"] = static_cast<double>(after.max_group_requests);
    // CPU of the writer thread alone per event: rules, rows, hashing and the
    // WriteBatch (the sync's wait is not CPU).
    state.counters["writer_us_per_ev"] =
        written > 0 ? static_cast<double>(after.writer_cpu_ns - g_append->before.writer_cpu_ns) /
                          1e3 / written
                    : 0;
    // CPU of every thread (clients, writer, RocksDB) per event written.
    state.counters["cpu_us_per_ev"] =
        written > 0 ? (ProcessCpuSeconds() - g_append->cpu_before) * 1e6 / written : 0;
    delete g_append;
    g_append = nullptr;
  }
}

// ------------------------------------------------------------------ replay

void BM_ScanEvents(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  PeakRss rss;
  const double cpu0 = ProcessCpuSeconds();
  int64_t events = 0;
  double record_bytes = 0;
  for (auto _ : state) {
    auto view = f->log().NewReadView();
    int64_t n = 0;
    double bytes = 0;
    absl::Status s = view->ScanEvents(1, [&](const StoredEvent& e) {
      ++n;
      bytes += static_cast<double>(e.payload_bytes.size() + 65);  // + record header
      return true;
    });
    if (!s.ok() || n != f->events()) {
      state.SkipWithError(s.ok() ? "short scan" : s.ToString().c_str());
      break;
    }
    events += n;
    record_bytes = bytes / static_cast<double>(n);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["record_bytes"] = record_bytes;
  ReportLogFacts(state, *f);
  state.counters["cpu_us_per_ev"] =
      events > 0 ? (ProcessCpuSeconds() - cpu0) * 1e6 / static_cast<double>(events) : 0;
  rss.Report(state);
}

void BM_VerifyChain(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  PeakRss rss;
  const double cpu0 = ProcessCpuSeconds();
  int64_t events = 0;
  for (auto _ : state) {
    auto view = f->log().NewReadView();
    absl::StatusOr<ChainReport> report = VerifyChain(*view, 0, 0);
    if (!report.ok() || !report->ok ||
        static_cast<int64_t>(report->events_checked) != f->events()) {
      state.SkipWithError(report.ok() ? report->problem.c_str()
                                      : report.status().ToString().c_str());
      break;
    }
    events += static_cast<int64_t>(report->events_checked);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  ReportLogFacts(state, *f);
  state.counters["cpu_us_per_ev"] =
      events > 0 ? (ProcessCpuSeconds() - cpu0) * 1e6 / static_cast<double>(events) : 0;
  rss.Report(state);
}

void BM_RebuildAndCompare(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  PeakRss rss;
  const double cpu0 = ProcessCpuSeconds();
  int64_t events = 0;
  uint64_t rows = 0;
  for (auto _ : state) {
    auto view = f->log().NewReadView();
    absl::StatusOr<RebuildReport> report = RebuildAndCompare(*view);
    if (!report.ok() || !report->match) {
      state.SkipWithError(report.ok() ? "the rebuilt projections do not match"
                                      : report.status().ToString().c_str());
      break;
    }
    events += static_cast<int64_t>(report->events_replayed);
    rows = report->rows_compared;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["state_rows"] = static_cast<double>(rows);
  ReportLogFacts(state, *f);
  state.counters["cpu_us_per_ev"] =
      events > 0 ? (ProcessCpuSeconds() - cpu0) * 1e6 / static_cast<double>(events) : 0;
  rss.Report(state);
}

// ------------------------------------------------------------------ reads

void ReportLatencies(benchmark::State& state, std::vector<double>& latency_us) {
  state.counters["p50_us"] = Percentile(latency_us, 50);
  state.counters["p99_us"] = Percentile(latency_us, 99);
  state.counters["p999_us"] = Percentile(latency_us, 99.9);
}

void BM_BalanceRead(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  std::vector<std::string> keys;
  keys.push_back(FundKey(kGeneralFund, "GBP"));
  for (int b = 0; b < kBeneficiaries; ++b)
    keys.push_back(FundKey(BeneficiaryFund(BenId(b)), "GBP"));
  std::vector<double> latency_us;
  latency_us.reserve(1 << 20);
  size_t i = 0;
  int64_t reads = 0;
  for (auto _ : state) {
    const auto t0 = SteadyClock::now();
    auto view = f->log().NewReadView();
    auto row = view->Load<v1::FundBalance>(keys[i++ % keys.size()]);
    latency_us.push_back(MicrosSince(t0));
    if (!row.ok() || !row->has_value()) {
      state.SkipWithError("a fund balance is missing");
      break;
    }
    benchmark::DoNotOptimize((*row)->available_minor());
    ++reads;
  }
  state.counters["reads_per_s"] =
      benchmark::Counter(static_cast<double>(reads), benchmark::Counter::kIsRate);
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}

void BM_BeneficiaryBalances(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  std::vector<double> latency_us;
  latency_us.reserve(1 << 16);
  int64_t rows = 0;
  for (auto _ : state) {
    const auto t0 = SteadyClock::now();
    auto view = f->log().NewReadView();
    int64_t n = 0, total = 0;
    absl::Status inner;
    absl::Status s =
        view->Scan(kBeneficiaryKeyPrefix, [&](absl::string_view, absl::string_view value) {
          v1::Beneficiary b;
          if (!b.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            inner = absl::DataLossError("a beneficiary row cannot be decoded");
            return false;
          }
          auto fund =
              view->Load<v1::FundBalance>(FundKey(BeneficiaryFund(b.beneficiary_id()), "GBP"));
          if (!fund.ok()) {
            inner = fund.status();
            return false;
          }
          if (fund->has_value()) total += (*fund)->available_minor();
          ++n;
          return true;
        });
    latency_us.push_back(MicrosSince(t0));
    if (!s.ok() || !inner.ok() || n != kBeneficiaries) {
      state.SkipWithError("the beneficiary scan failed");
      break;
    }
    benchmark::DoNotOptimize(total);
    rows += n;
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}

// ------------------------------------------------------------------ replay memory

// In a fresh process (so nothing the log's build left in the heap hides what a
// replay needs): opens the ledger at `dir` read-only, scans the events column
// family with a plain RocksDB iterator (no readahead), then runs VerifyChain
// and RebuildAndCompare, and writes "key value" lines to `out`: RSS after the
// open and the peak RSS (VmHWM, reset between the phases) of each phase.
int RunReplayProbe(const std::string& dir, const std::string& out_path) {
  std::ofstream out(out_path);
  EventLogOptions options;
  options.read_only = true;
  auto log = EventLog::Open(dir, ::ledger::testing::KeyedOptions(options));
  if (!log.ok()) {
    out << "error " << log.status().ToString() << "\n";
    return 1;
  }
  out << "rss_open_kib " << ProcStatusKiB("VmRSS") << "\n";
  out << "open_peak_kib " << ProcStatusKiB("VmHWM") << "\n";
  if (!ResetPeakRss()) out << "no_peak_reset 1\n";
  {
    // A plain RocksDB scan of the events, without readahead: the memory the
    // storage engine itself needs for one pass (block cache, iterators).
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(
        (*log)->database().raw_for_testing()->NewIterator(ro, (*log)->database().cf("events")));
    uint64_t n = 0, bytes = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++n;
      bytes += it->value().size();
    }
    benchmark::DoNotOptimize(bytes);
    out << "raw_scan_events " << n << "\n";
  }
  out << "raw_scan_peak_kib " << ProcStatusKiB("VmHWM") << "\n";
  ResetPeakRss();
  {
    auto view = (*log)->NewReadView();
    const auto t0 = SteadyClock::now();
    auto report = VerifyChain(*view, 0, 0);
    if (!report.ok() || !report->ok) {
      out << "error verify failed\n";
      return 1;
    }
    out << "verify_s " << MicrosSince(t0) / 1e6 << "\n";
    out << "verify_events " << report->events_checked << "\n";
  }
  out << "verify_peak_kib " << ProcStatusKiB("VmHWM") << "\n";
  {
    // What the growth is made of: the events column family's block cache, the
    // table readers (index blocks), and the files a scan merges.
    rocksdb::DB* db = (*log)->database().raw_for_testing();
    rocksdb::ColumnFamilyHandle* events = (*log)->database().cf("events");
    uint64_t v = 0;
    if (db->GetIntProperty(events, "rocksdb.block-cache-usage", &v))
      out << "ev_cache_bytes " << v << "\n";
    if (db->GetIntProperty(events, "rocksdb.estimate-table-readers-mem", &v)) {
      out << "ev_table_readers_bytes " << v << "\n";
    }
    std::string files;
    int sorted_runs = 0;
    for (int level = 0; level < 7; ++level) {
      if (db->GetProperty(events, "rocksdb.num-files-at-level" + std::to_string(level), &files)) {
        const int n = std::atoi(files.c_str());
        sorted_runs += level == 0 ? n : (n > 0 ? 1 : 0);
      }
    }
    out << "ev_sorted_runs " << sorted_runs << "\n";
  }
  out << "rss_before_rebuild_kib " << ProcStatusKiB("VmRSS") << "\n";
  ResetPeakRss();
  {
    auto view = (*log)->NewReadView();
    const auto t0 = SteadyClock::now();
    auto report = RebuildAndCompare(*view);
    if (!report.ok() || !report->match) {
      out << "error rebuild failed\n";
      return 1;
    }
    out << "rebuild_s " << MicrosSince(t0) / 1e6 << "\n";
  }
  out << "rebuild_peak_kib " << ProcStatusKiB("VmHWM") << "\n";
  // (Not getrusage's ru_maxrss: after posix_spawn it carries the parent's
  // peak, since the child ran on the parent's memory until its exec.)
  return 0;
}

// ------------------------------------------------------------------ point in time

// The books as they stood at a random point: the view (AsOfPosition or
// AsOfEndOfDay over the per-bucket / per-day delta rows), then what
// `ledgerctl balances --as-of` and `ledgerctl trial-balance --as-of` read
// from it: every beneficiary's balances and the trial balance.
void PointInTime(benchmark::State& state, bool by_day) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  const uint64_t head = f->log().head_position();
  const int64_t days = std::clamp<int64_t>(f->events() / kEventsPerDay, 1, kMaxDays);
  std::mt19937_64 rng(42);
  std::vector<double> latency_us;
  latency_us.reserve(1 << 16);
  int64_t queries = 0;
  for (auto _ : state) {
    const auto t0 = SteadyClock::now();
    absl::StatusOr<std::unique_ptr<ReadView>> view =
        by_day ? AsOfEndOfDay(f->log().NewReadView(),
                              kFirstDay + static_cast<int64_t>(rng() % static_cast<uint64_t>(days)))
               : AsOfPosition(f->log().NewReadView(), 1 + rng() % head);
    if (!view.ok()) {
      state.SkipWithError(view.status().ToString().c_str());
      break;
    }
    auto bens = QueryBeneficiaries(**view, true);
    auto trial = QueryTrialBalance(**view);
    latency_us.push_back(MicrosSince(t0));
    if (!bens.ok() || !trial.ok() || !trial->balanced() ||
        bens->beneficiaries_size() != kBeneficiaries) {
      state.SkipWithError("a point-in-time view does not balance or lacks beneficiaries");
      break;
    }
    ++queries;
  }
  state.counters["queries_per_s"] =
      benchmark::Counter(static_cast<double>(queries), benchmark::Counter::kIsRate);
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}
void BM_AsOfPosition(benchmark::State& state) { PointInTime(state, false); }
void BM_AsOfEndOfDay(benchmark::State& state) { PointInTime(state, true); }

// ------------------------------------------------------------------ offline audit

// What `ledgerctl audit replay --data-dir DIR` does (clients/ledgerctl,
// AuditOffline), in process: open the directory read-only (beside the open
// ledger, as an auditor opens a copy), verify the whole chain, replay every
// event into fresh projections and compare them with the stored ones, read
// the summary and the trial balance.
// One PartyErased on a grown log: the append of the erasure, which is
// answered only once the erased key has left every live file (a flush of
// every column family and a compaction of the private store). Runs last: it
// changes the shared log. The party is the one donor reference of the mix's
// organisation donations, a tenth of all events.
void BM_EraseParty(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  int n = 0;
  for (auto _ : state) {
    v1::AppendRequest req;
    v1::EventInput* e = req.add_events();
    e->set_event_id(absl::StrCat("erase-", n++));
    e->set_occurred_on(FormatDate(kFirstDay));
    e->mutable_body()->mutable_party_erased()->set_party_ref("Trades council");
    e->mutable_body()->mutable_party_erased()->set_reason("benchmark");
    auto r = f->log().Append(req, "bench");
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
  }
  state.counters["log_events"] = static_cast<double>(f->events());
  state.counters["db_MiB"] = f->db_mib();
}

void BM_OfflineAudit(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  PeakRss rss;
  double verify_s = 0, rebuild_s = 0;
  for (auto _ : state) {
    EventLogOptions options;
    options.read_only = true;
    auto log = EventLog::Open(f->path(), ::ledger::testing::KeyedOptions(options));
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
      break;
    }
    auto view = (*log)->NewReadView();
    auto t0 = SteadyClock::now();
    auto chain = VerifyChain(*view, 0, 0);
    verify_s += MicrosSince(t0) / 1e6;
    t0 = SteadyClock::now();
    auto rebuild = RebuildAndCompare(*view);
    rebuild_s += MicrosSince(t0) / 1e6;
    auto summary = QuerySummary(*view);
    auto trial = QueryTrialBalance(*view);
    if (!chain.ok() || !chain->ok || !rebuild.ok() || !rebuild->match || !summary.ok() ||
        !trial.ok() || !trial->balanced() ||
        static_cast<int64_t>(rebuild->events_replayed) != f->events()) {
      state.SkipWithError("the offline audit did not pass");
      break;
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["verify_s"] = n > 0 ? verify_s / n : 0;
  state.counters["rebuild_s"] = n > 0 ? rebuild_s / n : 0;
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(f->events()) * n, benchmark::Counter::kIsRate);
  ReportLogFacts(state, *f);
  rss.Report(state);
}

// ------------------------------------------------------------------ through gRPC

// Query latency as a client sees it: LedgerServer on the log, loopback, port
// 0, one synchronous client, one call at a time.
enum class GrpcQuery { kGetBeneficiary, kListBeneficiaries, kTrialBalanceAsOfPosition };

void GrpcQueries(benchmark::State& state, GrpcQuery which) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  auto server = LedgerServer::Start(&f->log(), options);
  if (!server.ok()) {
    state.SkipWithError(server.status().ToString().c_str());
    return;
  }
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::LedgerQueries::NewStub(channel);
  const uint64_t head = f->log().head_position();
  std::mt19937_64 rng(7);
  std::vector<double> latency_us;
  latency_us.reserve(1 << 16);
  int64_t calls = 0;
  for (auto _ : state) {
    grpc::ClientContext ctx;
    grpc::Status s;
    const auto t0 = SteadyClock::now();
    switch (which) {
      case GrpcQuery::kGetBeneficiary: {
        v1::GetBeneficiaryRequest req;
        req.set_beneficiary_id(BenId(static_cast<int>(rng() % kBeneficiaries)));
        v1::GetBeneficiaryResponse resp;
        s = stub->GetBeneficiary(&ctx, req, &resp);
        break;
      }
      case GrpcQuery::kListBeneficiaries: {
        v1::ListBeneficiariesResponse resp;
        s = stub->ListBeneficiaries(&ctx, v1::ListBeneficiariesRequest(), &resp);
        if (s.ok() && resp.beneficiaries_size() != kBeneficiaries) {
          s = grpc::Status(grpc::StatusCode::INTERNAL, "beneficiaries missing");
        }
        break;
      }
      case GrpcQuery::kTrialBalanceAsOfPosition: {
        v1::GetTrialBalanceRequest req;
        req.mutable_as_of()->set_position(1 + rng() % head);
        v1::GetTrialBalanceResponse resp;
        s = stub->GetTrialBalance(&ctx, req, &resp);
        break;
      }
    }
    latency_us.push_back(MicrosSince(t0));
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
    ++calls;
  }
  (*server)->Stop(absl::Seconds(2));
  state.counters["calls_per_s"] =
      benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}
void BM_GrpcGetBeneficiary(benchmark::State& s) { GrpcQueries(s, GrpcQuery::kGetBeneficiary); }
void BM_GrpcListBeneficiaries(benchmark::State& s) {
  GrpcQueries(s, GrpcQuery::kListBeneficiaries);
}
void BM_GrpcTrialBalanceAsOf(benchmark::State& s) {
  GrpcQueries(s, GrpcQuery::kTrialBalanceAsOfPosition);
}

void BM_ReplayMemory(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) {
    state.SkipWithError("cannot find this program's path");
    return;
  }
  exe[n] = '\0';
  const std::string out_path = f->path() + ".probe";
  std::map<std::string, double> result;
  for (auto _ : state) {
    std::string a0 = exe, a1 = "--replay_probe=" + f->path(), a2 = "--probe_out=" + out_path;
    char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, exe, nullptr, nullptr, argv, environ) != 0) {
      state.SkipWithError("posix_spawn failed");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(out_path);
    std::string key;
    double value = 0;
    while (in >> key) {
      if (key == "error") {
        std::string rest;
        std::getline(in, rest);
        state.SkipWithError(("probe: " + rest).c_str());
        break;
      }
      in >> value;
      result[key] = value;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (!state.error_occurred()) state.SkipWithError("the probe process failed");
      break;
    }
  }
  std::remove(out_path.c_str());
  if (state.error_occurred()) return;
  ReportLogFacts(state, *f);  // (its ev_cache_MiB, of this process, is replaced below)
  const double open = result["rss_open_kib"];
  state.counters["rss_open_MiB"] = open / 1024;
  state.counters["verify_peak_MiB"] = result["verify_peak_kib"] / 1024;
  state.counters["verify_growth_MiB"] = (result["verify_peak_kib"] - open) / 1024;
  state.counters["rebuild_peak_MiB"] = result["rebuild_peak_kib"] / 1024;
  state.counters["rebuild_growth_MiB"] = (result["rebuild_peak_kib"] - open) / 1024;
  state.counters["open_peak_MiB"] = result["open_peak_kib"] / 1024;
  state.counters["raw_scan_growth_MiB"] = (result["raw_scan_peak_kib"] - open) / 1024;
  state.counters["ev_cache_MiB"] = result["ev_cache_bytes"] / (1 << 20);
  state.counters["ev_readers_MiB"] = result["ev_table_readers_bytes"] / (1 << 20);
  state.counters["ev_sorted_runs"] = result["ev_sorted_runs"];
  state.counters["peak_MiB"] = std::max({result["open_peak_kib"], result["raw_scan_peak_kib"],
                                         result["verify_peak_kib"], result["rebuild_peak_kib"]}) /
                               1024;
  // Write-ahead log files a read-only open replays into memory.
  uint64_t wal = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(f->path(), ec)) {
    if (e.path().extension() == ".log") wal += e.file_size(ec);
  }
  state.counters["wal_MiB"] = static_cast<double>(wal) / (1 << 20);
  if (result["verify_s"] > 0) {
    state.counters["verify_ev_per_s"] = result["verify_events"] / result["verify_s"];
    state.counters["rebuild_ev_per_s"] = result["verify_events"] / result["rebuild_s"];
  }
}

// ------------------------------------------------------------------ hashing

// The two SHA-256 paths the ledger uses per event, on a typical payload: the
// chain hash (low-level SHA256_* calls) and Sha256 (EVP_Digest, used for each
// event's content digest on append).
std::string TypicalPayload() {
  v1::AppendRequest req;
  Mix::Get().AddEvent(req, "ev-", 123456);
  std::string bytes;
  req.events(0).SerializeToString(&bytes);
  return bytes;
}

void BM_ChainHash(benchmark::State& state) {
  const std::string payload = TypicalPayload();
  const std::string id(32, 'a');
  uint64_t position = 1;
  std::string prev = ZeroHash();
  for (auto _ : state) {
    prev = ChainHash(id, position++, prev, payload);
    benchmark::DoNotOptimize(prev);
  }
  state.counters["payload_bytes"] = static_cast<double>(payload.size());
}

void BM_Sha256Evp(benchmark::State& state) {
  const std::string payload = TypicalPayload();
  for (auto _ : state) {
    std::string digest = Sha256(payload);
    benchmark::DoNotOptimize(digest);
  }
  state.counters["payload_bytes"] = static_cast<double>(payload.size());
}

// ------------------------------------------------------------------ the Merkle tree

// A stored record of the typical size (header + payload).
std::string TypicalRecord() {
  return EncodeEventRecord(std::string(32, '\1'), std::string(32, '\2'), TypicalPayload());
}

void BM_TreeAppend(benchmark::State& state) {
  const std::string record = TypicalRecord();
  TreeAppender tree{merkle::CompactRange()};
  rocksdb::WriteBatch wb;  // the default family: the cost of a Put is the same
  int64_t events = 0;
  for (auto _ : state) {
    tree.Append(record);
    if (++events % 1000 == 0) {
      for (const auto& [key, hash] : tree.node_rows()) wb.Put(key, hash);
      wb.Put(TreeSizeKey(), EncodeBigEndian64(tree.range().size()));
      benchmark::DoNotOptimize(wb.Data().size());
      wb.Clear();
      tree.ClearRows();
    }
  }
  state.counters["record_bytes"] = static_cast<double>(record.size());
}

void BM_LeafHash(benchmark::State& state) {
  const std::string record = TypicalRecord();
  for (auto _ : state) {
    std::string h = RecordLeafHash(record);
    benchmark::DoNotOptimize(h);
  }
  state.counters["record_bytes"] = static_cast<double>(record.size());
}

// One proof per iteration: `consistency` false = inclusion of a random leaf
// at the head; true = consistency of a random old size with the head. Each
// proof is checked against the root (outside the timing).
void Proof(benchmark::State& state, bool consistency) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  std::mt19937_64 rng(6962);
  std::vector<double> latency_us;
  latency_us.reserve(1 << 16);
  std::string root;
  size_t hashes = 0;
  for (auto _ : state) {
    const auto t0 = SteadyClock::now();
    auto view = f->log().NewReadView();
    ViewTree tree(*view);
    const uint64_t n = view->head_position();
    const uint64_t pick = 1 + rng() % (n - 1);
    absl::StatusOr<std::vector<std::string>> proof = consistency
                                                         ? merkle::ConsistencyProof(tree, pick, n)
                                                         : merkle::InclusionProof(tree, pick, n);
    latency_us.push_back(MicrosSince(t0));
    if (!proof.ok()) {
      state.SkipWithError(proof.status().ToString().c_str());
      break;
    }
    hashes += proof->size();
    state.PauseTiming();
    if (root.empty()) root = *tree.Root(n);
    absl::Status checked =
        consistency ? merkle::VerifyConsistency(pick, n, *tree.Root(pick), root, *proof)
                    : merkle::VerifyInclusion(pick, n, *tree.Node(0, pick), *proof, root);
    state.ResumeTiming();
    if (!checked.ok()) {
      state.SkipWithError(checked.ToString().c_str());
      break;
    }
  }
  state.counters["hashes"] =
      latency_us.empty() ? 0 : static_cast<double>(hashes) / static_cast<double>(latency_us.size());
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}
void BM_InclusionProof(benchmark::State& state) { Proof(state, false); }
void BM_ConsistencyProof(benchmark::State& state) { Proof(state, true); }

void BM_SignCheckpoint(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  auto key = merkle::Ed25519PrivateKey::Generate();
  std::vector<double> latency_us;
  for (auto _ : state) {
    const auto t0 = SteadyClock::now();
    auto view = f->log().NewReadView();
    ViewTree tree(*view);
    absl::StatusOr<std::string> root = tree.Root(view->head_position());
    if (!root.ok()) {
      state.SkipWithError(root.status().ToString().c_str());
      break;
    }
    const std::string text = merkle::Checkpoint{"bench", view->head_position(), *root}.Text();
    merkle::NoteSignature sig = merkle::SignNote(text, "bench", *key);
    benchmark::DoNotOptimize(sig);
    latency_us.push_back(MicrosSince(t0));
  }
  ReportLatencies(state, latency_us);
  ReportLogFacts(state, *f);
}

void BM_TreeStorage(benchmark::State& state) {
  LedgerFixture* f = LedgerFixture::Get(state.range(0));
  if (!f->ok()) {
    state.SkipWithError(f->error().c_str());
    return;
  }
  rocksdb::DB* db = f->log().database().raw_for_testing();
  uint64_t tree_sst = 0, events_sst = 0, keys = 0;
  for (auto _ : state) {
    db->GetIntProperty(f->log().database().cf("merkle"), "rocksdb.total-sst-files-size", &tree_sst);
    db->GetIntProperty(f->log().database().cf("events"), "rocksdb.total-sst-files-size",
                       &events_sst);
    db->GetIntProperty(f->log().database().cf("merkle"), "rocksdb.estimate-num-keys", &keys);
  }
  const double n = static_cast<double>(f->events());
  state.counters["tree_bytes_per_event"] = static_cast<double>(tree_sst) / n;
  state.counters["event_bytes_per_event"] = static_cast<double>(events_sst) / n;
  state.counters["tree_rows_per_event"] = static_cast<double>(keys) / n;
  state.counters["tree_MiB"] = static_cast<double>(tree_sst) / (1 << 20);
  ReportLogFacts(state, *f);
}

// ------------------------------------------------------------------ main

struct Flags {
  std::vector<int64_t> sizes = {100'000, 1'000'000};
  std::vector<int64_t> batches = {1, 10, 100, 1000};
  std::vector<int64_t> threads = {1, 16};
  double append_min_time = 2.0;
  double read_min_time = 0.5;
};

bool ParseList(absl::string_view text, std::vector<int64_t>* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || v <= 0) return false;
    out->push_back(v);
  }
  return !out->empty();
}

// Takes our flags out of argv; false on a malformed one.
bool ParseFlags(int* argc, char** argv, Flags* flags) {
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    absl::string_view arg = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&arg, "--ledger_sizes=")) {
      ok = ParseList(arg, &flags->sizes);
    } else if (absl::ConsumePrefix(&arg, "--append_batches=")) {
      ok = ParseList(arg, &flags->batches);
    } else if (absl::ConsumePrefix(&arg, "--append_threads=")) {
      ok = ParseList(arg, &flags->threads);
    } else if (absl::ConsumePrefix(&arg, "--append_min_time=")) {
      ok = absl::SimpleAtod(arg, &flags->append_min_time) && flags->append_min_time > 0;
    } else if (absl::ConsumePrefix(&arg, "--read_min_time=")) {
      ok = absl::SimpleAtod(arg, &flags->read_min_time) && flags->read_min_time > 0;
    } else {
      argv[kept++] = argv[i];
      continue;
    }
    if (!ok) {
      std::fprintf(stderr, "ledger_bench: bad flag %s\n", argv[i]);
      return false;
    }
  }
  *argc = kept;
  argv[kept] = nullptr;
  return true;
}

void Register(const Flags& flags) {
  for (int64_t batch : flags.batches) {
    for (int64_t threads : flags.threads) {
      benchmark::RegisterBenchmark("DurableAppend", BM_DurableAppend)
          ->ArgName("batch")
          ->Arg(batch)
          ->Threads(static_cast<int>(threads))
          ->UseRealTime()
          ->MinTime(flags.append_min_time)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("Hash/ChainHash", BM_ChainHash)->MinTime(flags.read_min_time);
  benchmark::RegisterBenchmark("Hash/Sha256Evp", BM_Sha256Evp)->MinTime(flags.read_min_time);
  benchmark::RegisterBenchmark("Merkle/TreeAppend", BM_TreeAppend)->MinTime(flags.read_min_time);
  benchmark::RegisterBenchmark("Merkle/LeafHash", BM_LeafHash)->MinTime(flags.read_min_time);
  struct Replay {
    const char* name;
    void (*fn)(benchmark::State&);
    benchmark::TimeUnit unit;
  };
  for (const Replay& r :
       {Replay{"ScanEvents", BM_ScanEvents, benchmark::kMillisecond},
        Replay{"VerifyChain", BM_VerifyChain, benchmark::kMillisecond},
        Replay{"RebuildAndCompare", BM_RebuildAndCompare, benchmark::kMillisecond},
        Replay{"ReplayMemory", BM_ReplayMemory, benchmark::kMillisecond},
        Replay{"BalanceRead", BM_BalanceRead, benchmark::kMicrosecond},
        Replay{"BeneficiaryBalances", BM_BeneficiaryBalances, benchmark::kMicrosecond},
        Replay{"AsOfPosition", BM_AsOfPosition, benchmark::kMicrosecond},
        Replay{"AsOfEndOfDay", BM_AsOfEndOfDay, benchmark::kMicrosecond},
        Replay{"OfflineAudit", BM_OfflineAudit, benchmark::kMillisecond},
        Replay{"Grpc/GetBeneficiary", BM_GrpcGetBeneficiary, benchmark::kMicrosecond},
        Replay{"Grpc/ListBeneficiaries", BM_GrpcListBeneficiaries, benchmark::kMicrosecond},
        Replay{"Grpc/TrialBalanceAsOfPosition", BM_GrpcTrialBalanceAsOf, benchmark::kMicrosecond},
        Replay{"Merkle/InclusionProof", BM_InclusionProof, benchmark::kMicrosecond},
        Replay{"Merkle/ConsistencyProof", BM_ConsistencyProof, benchmark::kMicrosecond},
        Replay{"Merkle/SignCheckpoint", BM_SignCheckpoint, benchmark::kMicrosecond},
        Replay{"Merkle/TreeStorage", BM_TreeStorage, benchmark::kMicrosecond}}) {
    for (int64_t size : flags.sizes) {
      auto* b = benchmark::RegisterBenchmark(r.name, r.fn)
                    ->ArgName("events")
                    ->Arg(size)
                    ->UseRealTime()
                    ->Unit(r.unit);
      if (r.fn == BM_ReplayMemory) {
        b->Iterations(1)->Repetitions(1);  // one probe process; its memory is what counts
      } else if (r.fn == BM_OfflineAudit || r.fn == BM_TreeStorage) {
        b->Iterations(1);  // one whole audit (one look at the files) per repetition
      } else {
        b->MinTime(flags.read_min_time);
      }
    }
  }
  for (int64_t size : flags.sizes) {
    benchmark::RegisterBenchmark("EraseParty", BM_EraseParty)
        ->ArgName("events")
        ->Arg(size)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  // The child of ReplayMemory: --replay_probe=DIR --probe_out=FILE.
  if (argc == 3 && std::strncmp(argv[1], "--replay_probe=", 15) == 0 &&
      std::strncmp(argv[2], "--probe_out=", 12) == 0) {
    return ledger::RunReplayProbe(argv[1] + 15, argv[2] + 12);
  }
  ledger::Flags flags;
  if (!ledger::ParseFlags(&argc, argv, &flags)) return 2;
  ledger::Register(flags);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  ledger::LedgerFixture::DeleteAll();
  return 0;
}
