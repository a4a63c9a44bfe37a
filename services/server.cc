#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace ledger {

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(EventLog* log,
                                                                  const ServerOptions& options) {
  std::unique_ptr<LedgerServer> s(new LedgerServer());
  s->ctx_.log = log;
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
  return s;
}

LedgerServer::~LedgerServer() { Stop(absl::Seconds(5)); }

void LedgerServer::Stop(absl::Duration grace) {
  if (stopped_ || !server_) return;
  stopped_ = true;
  ctx_.stopping = true;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

void LedgerServer::Wait() { server_->Wait(); }

}  // namespace ledger
