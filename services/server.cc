#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

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
  builder.AddListeningPort(options.listen_address, CredentialsOf(options), &s->port_);
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
