#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

namespace ledger {
namespace {

constexpr char kCommandsServiceName[] = "solidarity.ledger.v1.LedgerCommands";
constexpr const char* kServiceNames[] = {
    "", kCommandsServiceName, "solidarity.ledger.v1.LedgerQueries",
    "solidarity.ledger.v1.LedgerAudit", "solidarity.ledger.v1.LedgerAdmin"};

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(EventLog* log,
                                                                  const ServerOptions& options) {
  std::unique_ptr<LedgerServer> s(new LedgerServer());
  s->ctx_.log = log;
  s->ctx_.checkpointer = options.checkpointer;
  s->hub_ = std::make_unique<StreamHub>(log);
  s->ctx_.hub = s->hub_.get();
  s->commands_ = std::make_unique<CommandsService>(&s->ctx_);
  s->queries_ = std::make_unique<QueriesService>(&s->ctx_);
  s->audit_ = std::make_unique<AuditService>(&s->ctx_);
  s->admin_ = std::make_unique<AdminService>(&s->ctx_);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &s->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  grpc::ResourceQuota quota("ledgerd");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  builder.RegisterService(s->commands_.get());
  builder.RegisterService(s->queries_.get());
  builder.RegisterService(s->audit_.get());
  builder.RegisterService(s->admin_.get());
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address,
                                               " (address in use or not local?)"));
  }
  grpc::HealthCheckServiceInterface* health = s->server_->GetHealthCheckService();
  if (health != nullptr) {
    for (const char* name : kServiceNames) health->SetServingStatus(name, true);
    s->health_listener_ =
        log->AddCommitListener([raw = s.get()](const CommitInfo& info) { raw->OnCommit(info); });
  }
  return s;
}

void LedgerServer::OnCommit(const CommitInfo& info) {
  // On the writer thread, after each commit that tried to write: quick.
  MutexLock lock(&health_mu_);
  const bool serving = info.write_status.ok();
  if (serving == serving_) return;
  serving_ = serving;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  health->SetServingStatus(kCommandsServiceName, serving);
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
  // Streams end first (they would never finish by themselves), then the
  // calls in flight drain.
  hub_->StopAll();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  hub_.reset();
}

void LedgerServer::Wait() { server_->Wait(); }

}  // namespace ledger
