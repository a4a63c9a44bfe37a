#include "clients/ledgerctl/client.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/ledgerctl/output.h"
#include "ledger/crypto/tokens.h"
#include "ledger/hash.h"
#include "ledger/status_macros.h"
#include "services/grpc_status.h"

namespace ledgerctl {
namespace {

bool MaybeLost(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

absl::StatusOr<std::string> BearerOf(const std::string& token_file) {
  if (token_file.empty()) return std::string();
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(token_file);
  if (!token.ok()) return token.status();
  return absl::StrCat("Bearer ", ledger::ToHex(*token));
}

// The PEM file `path` (`what` names it in errors: "the CA file").
absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::stringstream pem;
  pem << in.rdbuf();
  if (in.bad()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  }
  if (pem.str().find("-----BEGIN ") == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", what, " ", path, ": it holds no PEM block"));
  }
  return pem.str();
}

// TLS trusting the CA in `ca_file` (presenting the client certificate when
// one is given), or plaintext without a CA.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CredentialsOf(
    const GlobalOptions& globals) {
  if (globals.ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPemFile(globals.ca_file, "the CA file"));
  if (!globals.client_cert_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                     ReadPemFile(globals.client_cert_file, "the client certificate file"));
    ASSIGN_OR_RETURN(ssl.pem_private_key,
                     ReadPemFile(globals.client_key_file, "the client key file"));
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

struct Setup {
  absl::Status ready;
  std::string bearer;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

namespace {

Setup SetupOf(const GlobalOptions& globals) {
  Setup s;
  absl::StatusOr<std::string> bearer = BearerOf(globals.token_file);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = CredentialsOf(globals);
  if (!bearer.ok()) s.ready = bearer.status();
  if (!creds.ok() && s.ready.ok()) s.ready = creds.status();
  if (bearer.ok()) s.bearer = *std::move(bearer);
  s.credentials = creds.ok() ? *std::move(creds) : grpc::InsecureChannelCredentials();
  return s;
}

}  // namespace

Client::Client(const GlobalOptions& globals) : Client(globals, SetupOf(globals)) {}

Client::Client(const GlobalOptions& globals, Setup setup)
    : target_(globals.server),
      ready_(std::move(setup.ready)),
      bearer_(std::move(setup.bearer)),
      timeout_ms_(globals.timeout_ms),
      retries_(globals.retries),
      channel_(grpc::CreateChannel(target_, setup.credentials)),
      commands_(v1::LedgerCommands::NewStub(channel_)),
      queries_(v1::LedgerQueries::NewStub(channel_)),
      audit_(v1::LedgerAudit::NewStub(channel_)),
      admin_(v1::LedgerAdmin::NewStub(channel_)) {}

void Client::Prepare(grpc::ClientContext* context, int64_t timeout_ms) const {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  if (!bearer_.empty()) context->AddMetadata("authorization", bearer_);
}

grpc::Status Client::CallRaw(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  if (!ready_.ok()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, std::string(ready_.message()));
  }
  grpc::Status status;
  auto backoff = std::chrono::milliseconds(100);
  for (int attempt = 0; attempt <= retries_; ++attempt) {
    grpc::ClientContext context;
    Prepare(&context, timeout_ms_);
    status = rpc(&context);
    if (!MaybeLost(status)) return status;
    if (attempt < retries_) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
  return status;
}

absl::Status Client::FromRpc(const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return WithExitCode(absl::UnavailableError(absl::StrCat("cannot reach the ledger at ", target_,
                                                            ": ", status.error_message())),
                        kExitUnreachable);
  }
  return ledger::FromGrpcStatus(status);
}

absl::Status Client::Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  return FromRpc(CallRaw(rpc));
}

absl::StatusOr<AppendOutcome> Client::Append(const v1::EventInput& input) {
  v1::AppendRequest request;
  *request.add_events() = input;
  AppendOutcome outcome;
  outcome.occurred_on = input.occurred_on();
  grpc::Status s = CallRaw(
      [&](grpc::ClientContext* c) { return commands_->Append(c, request, &outcome.response); });
  if (!MaybeLost(s)) {
    if (!s.ok()) return FromRpc(s);
    return outcome;
  }
  // The outcome is unknown: settle it by looking the event id up.
  v1::GetEventRequest lookup;
  lookup.set_event_id(input.event_id());
  v1::GetEventResponse found;
  grpc::Status ls =
      CallRaw([&](grpc::ClientContext* c) { return audit_->GetEvent(c, lookup, &found); });
  const bool unavailable = s.error_code() == grpc::StatusCode::UNAVAILABLE;
  if (ls.ok()) {
    outcome.response.clear_positions();
    outcome.response.add_positions(found.event().position());
    outcome.occurred_on = found.event().occurred_on();
    outcome.looked_up = true;
    return outcome;
  }
  if (ls.error_code() == grpc::StatusCode::NOT_FOUND) {
    const absl::Status original(static_cast<absl::StatusCode>(s.error_code()),
                                absl::StrCat("not recorded: ", s.error_message(),
                                             "; retry with --event-id ", input.event_id()));
    return WithExitCode(original, unavailable ? kExitUnreachable : kExitRefused);
  }
  return WithExitCode(
      absl::UnavailableError(absl::StrCat("outcome unknown: ", s.error_message(),
                                          "; look up or retry with --event-id ", input.event_id())),
      kExitUnreachable);
}

absl::StatusOr<v1::CreateBackupResponse> Client::CreateBackup(
    const v1::CreateBackupRequest& request, int64_t timeout_ms) {
  if (!ready_.ok()) return ready_;
  grpc::ClientContext context;
  Prepare(&context, timeout_ms);
  v1::CreateBackupResponse response;
  grpc::Status s = admin_->CreateBackup(&context, request, &response);
  if (!s.ok()) return FromRpc(s);
  return response;
}

absl::Status Client::Subscribe(uint64_t from, bool follow,
                               const std::function<void(const v1::Event&)>& fn) {
  v1::SubscribeRequest request;
  request.set_from_position(from);
  if (!ready_.ok()) return ready_;
  grpc::ClientContext context;  // no deadline: -f follows until interrupted
  if (!bearer_.empty()) context.AddMetadata("authorization", bearer_);
  auto reader = audit_->Subscribe(&context, request);
  v1::SubscribeResponse item;
  while (reader->Read(&item)) {
    if (item.has_caught_up()) {
      if (follow) continue;
      context.TryCancel();
      break;
    }
    fn(item.event());
  }
  grpc::Status s = reader->Finish();
  if (!s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) return FromRpc(s);
  return absl::OkStatus();
}

}  // namespace ledgerctl
