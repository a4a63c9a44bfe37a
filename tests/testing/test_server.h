// TestServer: one test's in-process ledgerd - a LedgerServer on 127.0.0.1,
// port 0 (a free port), over a TempLedger of its own or over an EventLog the
// test opened itself, with a channel to it and a typed stub for each ledger
// service (LedgerCommands, LedgerQueries, LedgerAudit, LedgerAdmin).
//
// Raw calls (CallBytes, AppendBytes) send bytes through a generic stub, so a
// test sees the server's answer to exactly those bytes, whatever a client
// library would have let through; health checks (grpc.health.v1) go the same
// way, so the tests need no generated health stub.
//
// Members: a ledger the server makes (Start) is founded with an admin who
// holds every role (services/founder.h), and every call through channel()
// and the stubs carries that admin's token (admin_token()) unless the call
// sets its own `authorization` header. ChannelAs(token) gives a channel
// calling with another token, or as the public; AddMember() makes members
// with other roles.
//
// Lifetime: Start() or Serve() once; Stop() (also run by the destructor)
// ends the server with a 2 s grace for calls in flight, then the TempLedger,
// if it has one, closes. An EventLog given to Serve() must outlive Stop().
//
// Thread-safety: the stubs and the calls below may be used from any thread
// once started; Start, Serve and Stop from the test's own thread.
#ifndef LEDGER_TESTS_TEST_SERVER_H_
#define LEDGER_TESTS_TEST_SERVER_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/writer/event_log.h"
#include "services/founder.h"
#include "services/server.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/temp_ledger.h"

namespace ledger::testing {

class TestServer {
 public:
  // Nothing runs until Start or Serve.
  TestServer() = default;
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Opens a TempLedger of its own (ledger()) with `options` - no clock set
  // means the ledger's FixedClock - and serves it.
  absl::Status Start(EventLogOptions options = {});
  // Serves `log` (not owned; must outlive Stop()). A log without an admin
  // gets a founding admin appended first (two events).
  absl::Status Serve(EventLog& log);
  // `options` with this server's founding admin in the genesis, for a ledger
  // the test opens itself and then Serve()s: Serve appends no founder, so
  // the ledger's positions are those of a ledger without members.
  EventLogOptions Founded(EventLogOptions options = {});
  // Ends the server (2 s grace); nothing if it is not running. The ledger
  // stays open.
  void Stop();

  // The options the server starts with (set them before Start or Serve;
  // the listening address is always 127.0.0.1:0): e.g. a checkpoint signer.
  // Start sets an empty backup_root to the ledger's Sub("backups"). Appends
  // are not rate limited unless the test sets append_events_per_second.
  ServerOptions& server_options() { return server_options_; }

  // REQUIRES: started with Start (not Serve).
  TempLedger& ledger();
  // The log being served. REQUIRES: started.
  EventLog& log() const;
  int port() const;
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Typed stubs. REQUIRES: started.
  v1::LedgerCommands::Stub& commands() const { return *commands_; }
  v1::LedgerQueries::Stub& queries() const { return *queries_; }
  v1::LedgerAudit::Stub& audit() const { return *audit_; }
  v1::LedgerAdmin::Stub& admin() const { return *admin_; }

  // The founding admin's token (32 bytes), and the header value that sends
  // it ("Bearer <64 hex>").
  const std::string& admin_token() const { return founding_.secret; }
  static std::string BearerHeader(absl::string_view token);

  // A channel to the server whose calls carry `token` (32 bytes); nullopt:
  // none (the public).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::optional<std::string>& token) const;

  // Records `member_id` as a member with `roles` (MemberAdded, unless they
  // are one already) and a new token for them (TokenIssued, id
  // `<member_id>-<n>`), as the admin; returns the token's 32 bytes.
  absl::StatusOr<std::string> AddMember(absl::string_view member_id,
                                        std::initializer_list<v1::Role> roles);

  // LedgerCommands.Append within `deadline`.
  grpc::Status Append(const v1::AppendRequest& request, v1::AppendResponse* response,
                      absl::Duration deadline = absl::Seconds(30));

  // The head (LedgerAudit.GetHead); a failed call is a test failure and gives
  // an empty head.
  v1::Head Head();

  // Sends `bytes` as the request of the unary `method` ("/pkg.Service/Method")
  // within `deadline`; the response's bytes go to `response` if given.
  grpc::Status CallBytes(absl::string_view method, absl::string_view bytes,
                         std::string* response = nullptr,
                         absl::Duration deadline = absl::Seconds(30));
  // CallBytes to LedgerCommands/Append.
  grpc::Status AppendBytes(absl::string_view bytes);

  // grpc.health.v1.Health/Check of `service` ("" for the whole server): 1
  // SERVING, 2 NOT_SERVING, -1 if the call failed or the answer is not one.
  int Health(absl::string_view service);
  // Whether Health(service) becomes `want` within 10 s (polled).
  bool HealthBecomes(absl::string_view service, int want);

 private:
  absl::Status Connect(EventLog& log);

  Founding founding_;
  int tokens_issued_ = 0;
  // Declared first so that it is closed last, after the server.
  std::unique_ptr<TempLedger> ledger_;
  EventLog* log_ = nullptr;
  // No append limit unless a test sets one (tests append fast on purpose).
  ServerOptions server_options_ = [] {
    ServerOptions o;
    o.append_events_per_second = 0;
    return o;
  }();
  std::unique_ptr<LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerCommands::Stub> commands_;
  std::unique_ptr<v1::LedgerQueries::Stub> queries_;
  std::unique_ptr<v1::LedgerAudit::Stub> audit_;
  std::unique_ptr<v1::LedgerAdmin::Stub> admin_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_TEST_SERVER_H_
