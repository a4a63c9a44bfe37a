// The gRPC side of ledgerctl: one channel to ledgerd, a deadline on every
// call, retries with backoff, and settling an append whose answer was lost.
//
// Every call gets the --timeout deadline and, when a token file was found
// (GlobalOptions::token_file), "authorization: Bearer <the token>"; with
// --ca (GlobalOptions::ca_file) the channel is TLS, trusting that CA, and
// with --client-cert/--client-key it presents that certificate (mutual TLS,
// for a ledgerd started with --tls_client_ca). A token file, CA, client
// certificate or key that cannot be read fails every call, naming the file. UNAVAILABLE and
// DEADLINE_EXCEEDED are retried up to
// --retries times with exponential backoff (100 ms doubling to 2 s). That is
// safe for reads, and for appends because an append carries an event id
// chosen before the first attempt: the server records an id once, and
// answers a repeat of the same content with the original position.
//
// When an append still ends in UNAVAILABLE or DEADLINE_EXCEEDED its outcome
// is unknown (the server may have committed it and the answer been lost), so
// Append looks the event id up: found means recorded; NOT_FOUND means not
// recorded; anything else leaves the outcome unknown (exit 3) and the error
// names the event id to retry with.
//
// Errors come back as absl::Status with the server's ErrorDetail (decoded
// from the grpc-status-details-bin trailer by services/grpc_status.h); a
// server that cannot be reached is UNAVAILABLE with exit code 3.
//
// Thread-safety: a Client is used by one thread.
#ifndef CLIENTS_LEDGERCTL_CLIENT_H_
#define CLIENTS_LEDGERCTL_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/ledgerctl/args.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace ledgerctl {

namespace v1 = ::solidarity::ledger::v1;

// The result of an accepted append.
struct AppendOutcome {
  v1::AppendResponse response;
  std::string occurred_on;  // the date the event was dated with
  // The answer was lost and the event found by its id afterwards (the
  // response then holds only the position).
  bool looked_up = false;
};

struct Setup;  // client.cc: what the constructor reads (token, CA, client certificate)

class Client {
 public:
  explicit Client(const GlobalOptions& globals);

  const std::string& target() const { return target_; }

  // Runs `rpc` with a fresh context per attempt, retrying as described above.
  absl::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc);

  // Appends one event (its event_id already set) and settles a lost answer.
  absl::StatusOr<AppendOutcome> Append(const v1::EventInput& input);

  // An online backup: one attempt, no retry (a backup is not idempotent),
  // with its own deadline.
  absl::StatusOr<v1::CreateBackupResponse> CreateBackup(const v1::CreateBackupRequest& request,
                                                        int64_t timeout_ms);

  // Streams events from `from` (Subscribe): each event to `fn`; returns at
  // the "caught up" marker unless `follow`, else when the stream ends.
  absl::Status Subscribe(uint64_t from, bool follow,
                         const std::function<void(const v1::Event&)>& fn);

  v1::LedgerQueries::Stub& queries() { return *queries_; }
  v1::LedgerAudit::Stub& audit() { return *audit_; }
  v1::LedgerAdmin::Stub& admin() { return *admin_; }

  // A grpc::Status as ledgerctl reports it (see the file comment).
  absl::Status FromRpc(const grpc::Status& status) const;

 private:
  Client(const GlobalOptions& globals, Setup setup);
  grpc::Status CallRaw(const std::function<grpc::Status(grpc::ClientContext*)>& rpc);
  void Prepare(grpc::ClientContext* context, int64_t timeout_ms) const;

  std::string target_;
  // Every call fails with this when the token file, the CA or the client
  // certificate or key could not be read.
  absl::Status ready_;
  // "Bearer <hex>" from the token file; empty for none.
  std::string bearer_;
  int64_t timeout_ms_;
  int retries_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerCommands::Stub> commands_;
  std::unique_ptr<v1::LedgerQueries::Stub> queries_;
  std::unique_ptr<v1::LedgerAudit::Stub> audit_;
  std::unique_ptr<v1::LedgerAdmin::Stub> admin_;
};

}  // namespace ledgerctl

#endif  // CLIENTS_LEDGERCTL_CLIENT_H_
