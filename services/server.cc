#include "services/server.h"

#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace ledger {
namespace {

constexpr char kCommandsServiceName[] = "solidarity.ledger.v1.LedgerCommands";
constexpr const char* kServiceNames[] = {
    "", kCommandsServiceName, "solidarity.ledger.v1.LedgerQueries",
    "solidarity.ledger.v1.LedgerAudit", "solidarity.ledger.v1.LedgerAdmin"};

std::shared_ptr<grpc::ServerCredentials> CredentialsOf(const ServerOptions& options) {
  if (options.tls_cert_pem.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl(
      options.tls_client_ca_pem.empty()
          ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
          : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = options.tls_client_ca_pem;
  ssl.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

bool IsLoopbackAddress(absl::string_view listen_address) {
  const size_t colon = listen_address.rfind(':');
  absl::string_view host =
      colon == absl::string_view::npos ? listen_address : listen_address.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!absl::StartsWith(host, "127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

namespace {

// The channel arguments of every connection: calls per connection, idle ones
// closed, dead peers dropped by keepalive, no ping floods, and a deadline for
// the handshake (docs/OPERATIONS.md, "Connections").
void AddConnectionArguments(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kMaxCallsPerConnection);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, kMaxConnectionIdleMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinClientPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, kHandshakeTimeoutMs);
}

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(EventLog* log,
                                                                  const ServerOptions& options) {
  std::unique_ptr<LedgerServer> s(new LedgerServer());
  s->ctx_.log = log;
  s->ctx_.checkpointer = options.checkpointer;
  s->ctx_.backup_root = options.backup_root;
  s->ctx_.heavy.started_for_test = options.whole_log_call_started_for_test;
  s->ctx_.append_limit = std::make_unique<AppendRateLimiter>(
      options.append_events_per_second,
      static_cast<uint32_t>(std::max<int64_t>(options.append_burst_events, kMaxEventsPerAppend)));
  s->hub_ = std::make_unique<StreamHub>(log);
  s->ctx_.hub = s->hub_.get();
  s->ctx_.telemetry = options.telemetry;
  s->commands_ = std::make_unique<CommandsService>(&s->ctx_);
  s->queries_ = std::make_unique<QueriesService>(&s->ctx_);
  s->audit_ = std::make_unique<AuditService>(&s->ctx_);
  s->admin_ = std::make_unique<AdminService>(&s->ctx_);
  // ledgerd accepts connections itself (services/listener.h) and hands them
  // to gRPC, with the same credentials as a listening port would have.
  auto listener = ConnectionListener::Listen(options.listen_address);
  if (!listener.ok()) return listener.status();
  s->listener_ = *std::move(listener);
  s->port_ = s->listener_->port();
  s->tls_ = !options.tls_cert_pem.empty();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  s->acceptor_ = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      CredentialsOf(options));
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  AddConnectionArguments(builder);
  grpc::ResourceQuota quota("ledgerd");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  builder.RegisterService(s->commands_.get());
  builder.RegisterService(s->queries_.get());
  builder.RegisterService(s->audit_.get());
  builder.RegisterService(s->admin_.get());
  if (options.telemetry != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> observers;
    observers.push_back(options.telemetry->NewInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(observers));
  }
  s->server_ = builder.BuildAndStart();
  if (!s->server_) {
    return absl::UnavailableError(absl::StrCat("cannot serve on ", options.listen_address));
  }
  s->listener_->Start(s->acceptor_.get(), options.max_connections);
  s->StartHealth(options);
  return s;
}

void LedgerServer::StartHealth(const ServerOptions& options) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  health_listener_ =
      ctx_.log->AddCommitListener([this](const CommitInfo& info) { OnCommit(info); });
  {
    MutexLock lock(&health_mu_);
    reserve_wanted_ = options.reserved_fds;
    Reserve(options.reserved_fds);
  }
  if (options.accept_probe_interval > absl::ZeroDuration()) {
    probe_ = std::thread([this, interval = options.accept_probe_interval] { ProbeLoop(interval); });
  }
}

bool LedgerServer::ProbeOnce() {
  // A channel of its own each time (a local subchannel pool): a connection
  // made now, accepted now, or the probe fails.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(listener_->local_target(),
                                           grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(kAcceptProbeDeadlineMs));
  // An empty HealthCheckRequest (the whole server): zero bytes, but a message.
  grpc::Slice no_bytes;
  grpc::ByteBuffer request(&no_bytes, 1), response;
  grpc::Status status;
  Mutex done_mu;
  bool done = false;
  std::condition_variable done_cv;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   MutexLock lock(&done_mu);
                   status = std::move(s);
                   done = true;
                   done_cv.notify_one();
                 });
  MutexLock lock(&done_mu);
  while (!done) done_mu.Wait(done_cv);
  // NOT_SERVING for failing commits still proves that calls get in.
  return status.ok();
}

void LedgerServer::ProbeLoop(absl::Duration interval) {
  absl::Time checked_from = absl::Now();
  for (;;) {
    {
      MutexLock lock(&health_mu_);
      if (probe_stop_) return;
      health_mu_.WaitFor(probe_cv_, absl::ToChronoMilliseconds(interval));
      if (probe_stop_) return;
    }
    // With TLS a call would need a client certificate (when clients must
    // present one): the listener's own account stands alone.
    const bool called = tls_ || ProbeOnce();
    const bool turned_away = listener_->last_turned_away() > checked_from;
    checked_from = absl::Now();
    MutexLock lock(&health_mu_);
    if (!probe_stop_) SetAccepting(called && !turned_away);
  }
}

void LedgerServer::SetAccepting(bool accepting) {
  if (accepting == accepting_) return;
  accepting_ = accepting;
  if (accepting) {
    Reserve(reserve_wanted_);
    std::fprintf(stderr, "ledgerd: accepts connections again; health as before\n");
  } else {
    ReleaseReserve();
    std::fprintf(stderr,
                 "ledgerd: connections are turned away or a call to itself over loopback failed "
                 "(out of file descriptors? see docs/OPERATIONS.md, \"Connections\"); health "
                 "NOT_SERVING\n");
  }
  PublishHealth();
}

void LedgerServer::Reserve(int n) {
  while (static_cast<int>(reserve_.size()) < n) {
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    reserve_.push_back(fd);
  }
}

void LedgerServer::ReleaseReserve() {
  for (int fd : reserve_) close(fd);
  reserve_.clear();
}

void LedgerServer::PublishHealth() {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  const bool all = accepting_;
  const bool writes = accepting_ && serving_;
  for (const char* name : kServiceNames) health->SetServingStatus(name, all);
  health->SetServingStatus("", writes);
  health->SetServingStatus(kCommandsServiceName, writes);
}

void LedgerServer::OnCommit(const CommitInfo& info) {
  // On the writer thread, after each commit that tried to write: quick.
  MutexLock lock(&health_mu_);
  const bool serving = info.write_status.ok();
  if (serving == serving_) return;
  serving_ = serving;
  PublishHealth();
  if (serving) {
    std::fprintf(stderr, "ledgerd: commits succeed again; health SERVING\n");
  } else {
    std::fprintf(stderr, "ledgerd: commits are failing (%s); health NOT_SERVING for appends\n",
                 std::string(info.write_status.message()).c_str());
  }
}

LedgerServer::~LedgerServer() { Stop(absl::Seconds(5)); }

void LedgerServer::Stop(absl::Duration grace) {
  if (stopped_ || !server_) return;
  stopped_ = true;
  ctx_.stopping = true;
  if (health_listener_ != 0) ctx_.log->RemoveCommitListener(health_listener_);
  // No new connections first: after Shutdown the acceptor would drop them
  // without closing them.
  listener_->Stop();
  if (probe_.joinable()) {
    {
      MutexLock lock(&health_mu_);
      probe_stop_ = true;
      probe_cv_.notify_all();
    }
    probe_.join();
  }
  {
    MutexLock lock(&health_mu_);
    ReleaseReserve();
  }
  // Streams end first (they would never finish by themselves), then the
  // calls in flight drain.
  hub_->StopAll();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  hub_.reset();
}

void LedgerServer::Wait() { server_->Wait(); }

}  // namespace ledger
