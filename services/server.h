// LedgerServer: the ledger services (commands, queries, audit, admin), health
// and reflection on one gRPC server. Used by ledgerd and by the integration
// tests (port 0).
//
// Thread-safety: Start and Stop from one thread; the services themselves are
// fully concurrent.
#ifndef SERVICES_SERVER_H_
#define SERVICES_SERVER_H_

#include <grpcpp/server.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/limits.h"
#include "ledger/sync.h"
#include "ledger/writer/event_log.h"
#include "services/admin_service.h"
#include "services/ledger_services.h"
#include "services/listener.h"
#include "services/streams.h"
#include "services/telemetry.h"

namespace ledger {

struct ServerOptions {
  // host:port; port 0 picks a free one (see LedgerServer::port).
  std::string listen_address = "127.0.0.1:50051";
  // Largest request accepted, bytes.
  int max_request_bytes = kMaxRequestBytes;
  // Most threads gRPC may start for its own work.
  int max_threads = kMaxServerThreads;
  // TLS: the certificate chain and its private key, PEM; empty = plaintext
  // (ledgerd allows that on a loopback address only: IsLoopbackAddress).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // PEM of the CA that client certificates must chain to; empty = clients
  // present none. REQUIRES: TLS.
  std::string tls_client_ca_pem;
  // Per-member append limit (services/rate_limit.h): events a second (0 =
  // none) and the burst (at least kMaxEventsPerAppend).
  int append_events_per_second = kDefaultAppendEventsPerSecond;
  int append_burst_events = kDefaultAppendBurstEvents;
  // The directory backups are written under (CreateBackup names one
  // directory in it); an absolute path outside the data directory. Empty =
  // CreateBackup answers FAILED_PRECONDITION.
  std::string backup_root;
  // The checkpoint signer (not owned; must outlive the server); nullptr =
  // GetCheckpoint and AddCosignature answer FAILED_PRECONDITION.
  Checkpointer* checkpointer = nullptr;
  // Connections open at once; beyond it a new one is closed as soon as it is
  // accepted (services/listener.h). 0 = no cap.
  int max_connections = 0;
  // How often the server checks that it accepts connections: whether its
  // listener closed any unserved since the last check and (plaintext only:
  // with TLS it would need a client certificate) whether a call to its own
  // health service over loopback gets in; zero = never.
  absl::Duration accept_probe_interval = absl::Milliseconds(kAcceptProbeIntervalMs);
  // File descriptors held in reserve (open on /dev/null) while the server
  // accepts, and given back when the accept probe fails, so that the
  // ledger's own files and the health change still get descriptors. 0 = none.
  int reserved_fds = 0;
  // Counts and logs every call (not owned; must outlive the server);
  // nullptr = none.
  Telemetry* telemetry = nullptr;
  // Tests only: see HeavyCalls::started_for_test.
  std::function<void(const Caller&)> whole_log_call_started_for_test;
};

// Whether `listen_address` ("host:port") names a loopback host: localhost,
// 127.0.0.0/8 or ::1.
bool IsLoopbackAddress(absl::string_view listen_address);

// Health (grpc.health.v1): "" and every ledger service are SERVING while the
// ledger can write. While commits fail (EventLog::last_write_status), "" and
// solidarity.ledger.v1.LedgerCommands are NOT_SERVING and the reading
// services stay SERVING; ledgerd logs each change.
class LedgerServer {
 public:
  // Starts serving `log` (not owned; must outlive the server).
  static absl::StatusOr<std::unique_ptr<LedgerServer>> Start(EventLog* log,
                                                             const ServerOptions& options);
  ~LedgerServer();

  int port() const { return port_; }
  // WatchBalances and Subscribe streams open now.
  size_t streams() const { return hub_->streams(); }

  // Ends streams, stops accepting calls, waits up to `grace` for calls in
  // flight (appends waiting for their commit finish normally), then cancels
  // the rest.
  void Stop(absl::Duration grace);

  // Blocks until Stop.
  void Wait();

 private:
  LedgerServer() = default;
  ServiceContext ctx_;
  std::unique_ptr<CommandsService> commands_;
  std::unique_ptr<QueriesService> queries_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<ConnectionListener> listener_;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool tls_ = false;
  bool stopped_ = false;

  // Keeps gRPC health in step with the log's writes: a commit listener.
  void OnCommit(const CommitInfo& info) ABSL_LOCKS_EXCLUDED(health_mu_);
  // Health SERVING, the reserve taken, the probe started.
  void StartHealth(const ServerOptions& options) ABSL_LOCKS_EXCLUDED(health_mu_);
  // Sets health from serving_ and accepting_.
  void PublishHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_);
  // The accept probe: one call to itself over loopback (true: answered),
  // and the thread that checks every `interval` until Stop.
  bool ProbeOnce() ABSL_LOCKS_EXCLUDED(health_mu_);
  // Turns accepting_ (and health) to `accepting`, with a log line.
  void SetAccepting(bool accepting) ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_);
  void ProbeLoop(absl::Duration interval) ABSL_LOCKS_EXCLUDED(health_mu_);
  std::thread probe_;
  // Takes (up to `n`) or gives back the reserved descriptors.
  void Reserve(int n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_);
  void ReleaseReserve() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_);
  int reserve_wanted_ = 0;
  std::vector<int> reserve_ ABSL_GUARDED_BY(health_mu_);
  std::unique_ptr<StreamHub> hub_;
  uint64_t health_listener_ = 0;
  // Orders the health changes of successive commits (and their log lines).
  Mutex health_mu_;
  bool serving_ ABSL_GUARDED_BY(health_mu_) = true;    // commits succeed
  bool accepting_ ABSL_GUARDED_BY(health_mu_) = true;  // the probe gets in
  bool probe_stop_ ABSL_GUARDED_BY(health_mu_) = false;
  std::condition_variable probe_cv_;  // wakes the probe to stop; waited on with health_mu_
};

}  // namespace ledger

#endif  // SERVICES_SERVER_H_
