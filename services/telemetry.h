// Telemetry: what ledgerd counts and logs about its own work.
//
// Every gRPC call passes an interceptor (NewInterceptorFactory) that, when
// the call's status is sent, counts it by method and code, counts a refusal
// by its reason, and writes one log line per refusal: the method, the
// member (noted by ServiceContext::Admit through NoteCaller), the code, the
// reason code, the field at fault and the duration - never the message,
// which may quote what a client sent. Each commit (a commit listener) is
// counted in histograms of its duration and group size and logged as one
// line. Lines are plain text or, with LogFormat::kJson, one JSON object per
// line (docs/OPERATIONS.md, "Logs").
//
// Render writes every figure in the Prometheus text exposition format
// (version 0.0.4), for services/metrics_http.h to serve.
//
// Thread-safety: every method may be called from any thread.
#ifndef SERVICES_TELEMETRY_H_
#define SERVICES_TELEMETRY_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/sync.h"
#include "ledger/writer/event_log.h"

namespace ledger {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// A histogram of integer observations with fixed upper bounds, cumulative
// as Prometheus has it. Observations are lock-free.
class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 16;
  // `bounds` ascending, at most kMaxBuckets; values above the last fall in
  // +Inf.
  explicit Histogram(std::vector<uint64_t> bounds);
  void Observe(uint64_t value);
  // Appends the _bucket, _sum and _count lines of `name`; each bound and
  // the sum are divided by `unit` (1000000: microseconds as seconds), in
  // exact decimal.
  void Write(const std::string& name, uint64_t unit, std::string* out) const;

 private:
  std::vector<uint64_t> bounds_;
  std::array<std::atomic<uint64_t>, kMaxBuckets + 1> counts_{};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// The figures Render reads at the moment it is asked, besides its counters.
struct Gauges {
  uint64_t head_position = 0;
  uint64_t queued_requests = 0;
  uint64_t streams = 0;
  bool writes_ok = true;
  EventLogStats stats;
  // RocksDB properties by their metric name; absent = RocksDB did not say.
  std::vector<std::pair<std::string, uint64_t>> rocksdb;
  // The filesystem of the data directory; 0/0 when statvfs fails.
  uint64_t disk_free_bytes = 0;
  uint64_t disk_size_bytes = 0;
};

// The gauges of `log` (head, queue, RocksDB, the disk under `data_dir`).
Gauges ReadGauges(const EventLog& log, const std::string& data_dir, uint64_t streams);

class Telemetry {
 public:
  // Log lines go to `out` (stderr in ledgerd).
  explicit Telemetry(LogFormat format, std::FILE* out = stderr);
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  LogFormat format() const { return format_; }

  // For grpc::ServerBuilder::experimental().SetInterceptorCreators.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  // The member a call was admitted as (ServiceContext::Admit); kept until
  // the call ends.
  void NoteCaller(const grpc::ServerContextBase* call, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // A commit listener's work: counts and one log line.
  void OnCommit(const CommitInfo& info) ABSL_LOCKS_EXCLUDED(mu_);

  // One log line of ledgerd's own (start, stop, warnings): "ledgerd: text",
  // or a JSON object with "msg".
  void Log(absl::string_view level, absl::string_view text);

  // The exposition: counters, histograms and `gauges`.
  std::string Render(const Gauges& gauges) const ABSL_LOCKS_EXCLUDED(mu_);

  // Called by the interceptor.
  void CallDone(const grpc::ServerContextBase* call, absl::string_view method,
                const grpc::Status& status, uint64_t duration_us) ABSL_LOCKS_EXCLUDED(mu_);
  void ForgetCall(const grpc::ServerContextBase* call) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void WriteCounters(const Gauges& gauges, std::string* out) const ABSL_LOCKS_EXCLUDED(mu_);
  static void WriteGauges(const Gauges& gauges, std::string* out);
  // Writes one line (with its newline) at once.
  void WriteLine(const std::string& line);
  std::string RefusalLine(absl::string_view method, absl::string_view member,
                          const grpc::Status& status, absl::string_view reason,
                          absl::string_view field, uint64_t duration_us) const;

  const LogFormat format_;
  std::FILE* const out_;
  Histogram commit_us_;
  Histogram group_requests_;
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> commit_failures_{0};
  std::atomic<uint64_t> events_{0};
  mutable Mutex mu_;
  // Calls by (method, code name) and refusals by reason: each key set is
  // bounded (methods of the access table, at most kMaxReasons reasons).
  std::map<std::pair<std::string, std::string>, uint64_t> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> refusals_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const grpc::ServerContextBase*, std::string> members_ ABSL_GUARDED_BY(mu_);
  Mutex out_mu_;  // one line at a time
};

}  // namespace ledger

#endif  // SERVICES_TELEMETRY_H_
