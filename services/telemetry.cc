#include "services/telemetry.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/audit/export.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/version.h"
#include "services/access.h"
#include "services/grpc_status.h"

namespace ledger {
namespace {

// Distinct refusal reasons counted; more fall under "other" (reasons are
// the server's own constants, but the set is bounded all the same).
constexpr size_t kMaxReasons = 128;

const char* const kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

const char* CodeName(grpc::StatusCode code) {
  const auto i = static_cast<size_t>(code);
  return i < sizeof(kCodeNames) / sizeof(kCodeNames[0]) ? kCodeNames[i] : "UNKNOWN";
}

// "/solidarity.ledger.v1.LedgerQueries/GetSummary" -> "LedgerQueries/GetSummary"
// when the access table has it; else "other" (health, reflection, and
// whatever name a client makes up).
std::string MethodLabel(absl::string_view full) {
  static const auto* const known = [] {
    auto* set = new std::vector<std::string>(MethodsInAccessTable());
    std::sort(set->begin(), set->end());
    return set;
  }();
  absl::string_view m = full;
  absl::ConsumePrefix(&m, "/solidarity.ledger.v1.");
  if (std::binary_search(known->begin(), known->end(), m)) return std::string(m);
  if (absl::StartsWith(full, "/grpc.health.v1.Health/")) return "grpc.health.v1.Health";
  return "other";
}

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
}

// `value` / `unit` as an exact decimal ("0.0025" for 2500 / 1000000).
std::string Decimal(uint64_t value, uint64_t unit) {
  if (unit <= 1) return absl::StrCat(value);
  std::string frac = absl::StrCat(value % unit + unit).substr(1);  // zero-padded
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? absl::StrCat(value / unit) : absl::StrCat(value / unit, ".", frac);
}

// A label value escaped as the exposition format asks.
std::string LabelValue(absl::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Family(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void Sample(std::string* out, absl::string_view name, uint64_t value) {
  absl::StrAppend(out, name, " ", value, "\n");
}

class CallObserver : public grpc::experimental::Interceptor {
 public:
  CallObserver(grpc::experimental::ServerRpcInfo* info, Telemetry* telemetry)
      : info_(info), telemetry_(telemetry), started_(std::chrono::steady_clock::now()) {}
  ~CallObserver() override { telemetry_->ForgetCall(info_->server_context()); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
      telemetry_->CallDone(info_->server_context(), info_->method(), methods->GetSendStatus(),
                           static_cast<uint64_t>(us));
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  Telemetry* const telemetry_;
  const std::chrono::steady_clock::time_point started_;
};

class ObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObserverFactory(Telemetry* telemetry) : telemetry_(telemetry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserver(info, telemetry_);
  }

 private:
  Telemetry* const telemetry_;
};

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format is \"text\" or \"json\", not \"", name, "\""));
}

Histogram::Histogram(std::vector<uint64_t> bounds) : bounds_(std::move(bounds)) {
  LEDGER_CHECK(bounds_.size() <= kMaxBuckets);
  LEDGER_CHECK(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::Observe(uint64_t value) {
  const size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                       bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::Write(const std::string& name, uint64_t unit, std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    absl::StrAppend(out, name, "_bucket{le=\"", Decimal(bounds_[i], unit), "\"} ", cumulative,
                    "\n");
  }
  cumulative += counts_[bounds_.size()].load(std::memory_order_relaxed);
  absl::StrAppend(out, name, "_bucket{le=\"+Inf\"} ", cumulative, "\n");
  absl::StrAppend(out, name, "_sum ", Decimal(sum_.load(std::memory_order_relaxed), unit), "\n");
  // The count is the +Inf bucket's, so that a scrape never sees them differ.
  absl::StrAppend(out, name, "_count ", cumulative, "\n");
}

Gauges ReadGauges(const EventLog& log, const std::string& data_dir, uint64_t streams) {
  Gauges g;
  g.head_position = log.head_position();
  g.queued_requests = log.queued_requests();
  g.streams = streams;
  g.writes_ok = log.last_write_status().ok();
  g.stats = log.stats();
  static const std::pair<const char*, const char*> kProperties[] = {
      {"ledger_rocksdb_pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes"},
      {"ledger_rocksdb_running_compactions", "rocksdb.num-running-compactions"},
      {"ledger_rocksdb_running_flushes", "rocksdb.num-running-flushes"},
      {"ledger_rocksdb_write_stopped", "rocksdb.is-write-stopped"},
      {"ledger_rocksdb_delayed_write_rate_bytes", "rocksdb.actual-delayed-write-rate"},
      {"ledger_rocksdb_live_sst_bytes", "rocksdb.live-sst-files-size"},
      {"ledger_rocksdb_memtable_bytes", "rocksdb.cur-size-all-mem-tables"},
  };
  for (const auto& [metric, property] : kProperties) {
    if (std::optional<uint64_t> v = log.database().IntProperty(property)) {
      g.rocksdb.emplace_back(metric, *v);
    }
  }
  struct statvfs fs {};
  if (statvfs(data_dir.c_str(), &fs) == 0) {
    g.disk_free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    g.disk_size_bytes = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  }
  return g;
}

Telemetry::Telemetry(LogFormat format, std::FILE* out)
    : format_(format),
      out_(out),
      commit_us_({250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000}),
      group_requests_({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Telemetry::NewInterceptorFactory() {
  return std::make_unique<ObserverFactory>(this);
}

void Telemetry::NoteCaller(const grpc::ServerContextBase* call, absl::string_view member_id) {
  MutexLock lock(&mu_);
  members_[call] = std::string(member_id);
}

void Telemetry::ForgetCall(const grpc::ServerContextBase* call) {
  MutexLock lock(&mu_);
  members_.erase(call);
}

void Telemetry::WriteLine(const std::string& line) {
  MutexLock lock(&out_mu_);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void Telemetry::Log(absl::string_view level, absl::string_view text) {
  if (format_ == LogFormat::kText) {
    WriteLine(absl::StrCat("ledgerd: ", text, "\n"));
    return;
  }
  WriteLine(absl::StrCat("{\"time\":", JsonString(NowRfc3339()), ",\"level\":", JsonString(level),
                         ",\"msg\":", JsonString(text), "}\n"));
}

void Telemetry::OnCommit(const CommitInfo& info) {
  commit_us_.Observe(info.duration_us);
  group_requests_.Observe(info.requests);
  if (!info.write_status.ok()) {
    commit_failures_.fetch_add(1, std::memory_order_relaxed);
    Log("error",
        absl::StrCat("commit failed (", info.requests,
                     " requests refused UNAVAILABLE STORAGE): ", info.write_status.message()));
    return;
  }
  const std::string hash = ToHex(info.head_hash).substr(0, 16);
  // The line first, then the counters: whoever sees a commit counted finds
  // its line written.
  if (format_ == LogFormat::kText) {
    WriteLine(absl::StrFormat("ledgerd: commit head=%d hash=%s (+%d events, %d requests, %s ms)\n",
                              info.head_position, hash, info.events, info.requests,
                              Decimal(info.duration_us, 1000)));
  } else {
    WriteLine(absl::StrCat("{\"time\":", JsonString(NowRfc3339()),
                           ",\"level\":\"info\",\"msg\":\"commit\",\"head\":", info.head_position,
                           ",\"hash\":", JsonString(hash), ",\"events\":", info.events,
                           ",\"requests\":", info.requests, ",\"duration_us\":", info.duration_us,
                           "}\n"));
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  events_.fetch_add(info.events, std::memory_order_relaxed);
}

std::string Telemetry::RefusalLine(absl::string_view method, absl::string_view member,
                                   const grpc::Status& status, absl::string_view reason,
                                   absl::string_view field, uint64_t duration_us) const {
  const char* code = CodeName(status.error_code());
  if (format_ == LogFormat::kText) {
    return absl::StrCat("ledgerd: refused ", method, " member=", member.empty() ? "-" : member,
                        " code=", code, " reason=", reason.empty() ? "-" : reason,
                        " field=", field.empty() ? "-" : field, " (", Decimal(duration_us, 1000),
                        " ms)\n");
  }
  return absl::StrCat("{\"time\":", JsonString(NowRfc3339()),
                      ",\"level\":\"warn\",\"msg\":\"refused\",\"method\":", JsonString(method),
                      ",\"member\":", JsonString(member), ",\"code\":", JsonString(code),
                      ",\"reason\":", JsonString(reason), ",\"field\":", JsonString(field),
                      ",\"duration_us\":", duration_us, "}\n");
}

void Telemetry::CallDone(const grpc::ServerContextBase* call, absl::string_view method,
                         const grpc::Status& status, uint64_t duration_us) {
  const std::string label = MethodLabel(method);
  std::string member;
  std::string reason;
  std::string field;
  if (!status.ok()) {
    if (std::optional<v1::ErrorDetail> d = GetErrorDetail(FromGrpcStatus(status))) {
      reason = d->reason();
      field = d->field();
    }
  }
  {
    MutexLock lock(&mu_);
    calls_[{label, CodeName(status.error_code())}]++;
    if (auto it = members_.find(call); it != members_.end()) member = it->second;
    if (!status.ok()) {
      const std::string key = reason.empty() ? "NONE" : reason;
      if (refusals_.count(key) || refusals_.size() < kMaxReasons) {
        refusals_[key]++;
      } else {
        refusals_["other"]++;
      }
    }
  }
  // A stream the client left, or a call it gave up on, is no refusal.
  if (status.ok() || status.error_code() == grpc::StatusCode::CANCELLED) return;
  WriteLine(RefusalLine(label, member, status, reason, field, duration_us));
}

std::string Telemetry::Render(const Gauges& g) const {
  std::string out;
  Family(&out, "ledger_build_info", "gauge", "the running ledgerd's version (always 1)");
  absl::StrAppend(&out, "ledger_build_info{version=\"", LabelValue(VersionLine("ledgerd")),
                  "\"} 1\n");
  WriteCounters(g, &out);
  WriteGauges(g, &out);
  return out;
}

void Telemetry::WriteCounters(const Gauges& g, std::string* out) const {
  Family(out, "ledger_commits_total", "counter", "group commits written");
  Sample(out, "ledger_commits_total", commits_.load());
  Family(out, "ledger_commit_failures_total", "counter",
         "group commits whose write failed (their appends were refused UNAVAILABLE)");
  Sample(out, "ledger_commit_failures_total", commit_failures_.load());
  Family(out, "ledger_events_appended_total", "counter", "events written");
  Sample(out, "ledger_events_appended_total", events_.load());
  Family(out, "ledger_commit_duration_seconds", "histogram",
         "time from taking a group to knowing its outcome (validation, write, sync)");
  commit_us_.Write("ledger_commit_duration_seconds", 1000000, out);
  Family(out, "ledger_commit_group_requests", "histogram", "append requests per group commit");
  group_requests_.Write("ledger_commit_group_requests", 1, out);
  Family(out, "ledger_writer_cpu_seconds_total", "counter", "CPU time of the writer thread");
  absl::StrAppend(out, "ledger_writer_cpu_seconds_total ",
                  Decimal(g.stats.writer_cpu_ns, 1000000000), "\n");
  MutexLock lock(&mu_);
  Family(out, "ledger_rpc_calls_total", "counter", "gRPC calls finished, by method and code");
  for (const auto& [key, n] : calls_) {
    absl::StrAppend(out, "ledger_rpc_calls_total{method=\"", LabelValue(key.first), "\",code=\"",
                    key.second, "\"} ", n, "\n");
  }
  Family(out, "ledger_refusals_total", "counter",
         "calls answered with an error, by reason code (NONE: no reason given)");
  for (const auto& [reason, n] : refusals_) {
    absl::StrAppend(out, "ledger_refusals_total{reason=\"", LabelValue(reason), "\"} ", n, "\n");
  }
}

void Telemetry::WriteGauges(const Gauges& g, std::string* out) {
  Family(out, "ledger_head_position", "gauge", "position of the newest committed event");
  Sample(out, "ledger_head_position", g.head_position);
  Family(out, "ledger_append_queue_depth", "gauge", "append requests waiting for the writer");
  Sample(out, "ledger_append_queue_depth", g.queued_requests);
  Family(out, "ledger_streams_open", "gauge", "WatchBalances and Subscribe streams open");
  Sample(out, "ledger_streams_open", g.streams);
  Family(out, "ledger_writes_healthy", "gauge",
         "1 while the last commit that tried to write succeeded, 0 after a failed write");
  Sample(out, "ledger_writes_healthy", g.writes_ok ? 1 : 0);
  for (const auto& [name, v] : g.rocksdb) {
    Family(out, name, "gauge", "RocksDB's own figure of the same name (docs/OPERATIONS.md)");
    Sample(out, name, v);
  }
  Family(out, "ledger_disk_free_bytes", "gauge", "bytes free to ledgerd on the data directory");
  Sample(out, "ledger_disk_free_bytes", g.disk_free_bytes);
  Family(out, "ledger_disk_size_bytes", "gauge", "size of the data directory's filesystem");
  Sample(out, "ledger_disk_size_bytes", g.disk_size_bytes);
}

}  // namespace ledger
