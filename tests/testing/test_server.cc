#include "tests/testing/test_server.h"

#include <grpcpp/support/client_interceptor.h>

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "ledger/check.h"
#include "ledger/crypto/tokens.h"
#include "ledger/domain/civil_date.h"
#include "ledger/hash.h"
#include "ledger/projections/books.h"
#include "ledger/status_macros.h"

namespace ledger::testing {
namespace {

constexpr char kAppendMethod[] = "/solidarity.ledger.v1.LedgerCommands/Append";
constexpr char kHealthMethod[] = "/grpc.health.v1.Health/Check";

void SetDeadline(grpc::ClientContext& ctx, absl::Duration deadline) {
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

// Adds `authorization: <header>` to every call that sets none of its own.
class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(std::string header) : header_(std::move(header)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::multimap<std::string, std::string>* md = methods->GetSendInitialMetadata();
      if (md->find("authorization") == md->end()) md->emplace("authorization", header_);
    }
    methods->Proceed();
  }

 private:
  const std::string header_;
};

class BearerInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(std::string header) : header_(std::move(header)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerInterceptor(header_);
  }

 private:
  const std::string header_;
};

}  // namespace

TestServer::~TestServer() { Stop(); }

absl::Status TestServer::Start(EventLogOptions options) {
  if (log_ != nullptr) return absl::FailedPreconditionError("the test server is already started");
  founding_ = NewFounding();
  if (!options.founder) FoundWith(founding_, options);
  ledger_ = std::make_unique<TempLedger>(std::move(options));
  RETURN_IF_ERROR(ledger_->Open());
  if (server_options_.backup_root.empty()) server_options_.backup_root = ledger_->Sub("backups");
  return Connect(ledger_->log());
}

EventLogOptions TestServer::Founded(EventLogOptions options) {
  founding_ = NewFounding();
  FoundWith(founding_, options);
  return options;
}

absl::Status TestServer::Serve(EventLog& log) {
  if (log_ != nullptr) return absl::FailedPreconditionError("the test server is already started");
  ASSIGN_OR_RETURN(bool has_admin, HasActiveAdmin(log));
  if (!has_admin) {
    ASSIGN_OR_RETURN(std::string member_id, FreeFounderId(log));
    founding_ = NewFounding(member_id);
    RETURN_IF_ERROR(AppendFounder(log, founding_));
  }
  return Connect(log);
}

std::string TestServer::BearerHeader(absl::string_view token) {
  return absl::StrCat("Bearer ", ToHex(token));
}

std::shared_ptr<grpc::Channel> TestServer::ChannelAs(
    const std::optional<std::string>& token) const {
  const std::string target = absl::StrCat("127.0.0.1:", server_->port());
  if (!token) return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<BearerInterceptorFactory>(BearerHeader(*token)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, grpc::InsecureChannelCredentials(), grpc::ChannelArguments(), std::move(factories));
}

absl::StatusOr<std::string> TestServer::AddMember(absl::string_view member_id,
                                                  std::initializer_list<v1::Role> roles) {
  LEDGER_CHECK(log_ != nullptr);
  v1::AppendRequest request;
  auto view = log_->NewReadView();
  RowBooks books(*view);
  ASSIGN_OR_RETURN(std::optional<v1::Member> existing, books.FindMember(member_id));
  const std::string today = FormatDate(TodayUtc(log_->clock()));
  if (!existing) {
    v1::EventInput* in = request.add_events();
    in->set_event_id(absl::StrCat("member-", member_id));
    in->set_occurred_on(today);
    v1::MemberAdded* m = in->mutable_body()->mutable_member_added();
    m->set_member_id(std::string(member_id));
    for (v1::Role r : roles) m->add_roles(r);
  }
  const std::string token = NewBearerToken();
  const std::string token_id = absl::StrCat(member_id, "-", ++tokens_issued_);
  v1::EventInput* in = request.add_events();
  in->set_event_id(absl::StrCat("token-", token_id));
  in->set_occurred_on(today);
  v1::TokenIssued* t = in->mutable_body()->mutable_token_issued();
  t->set_token_id(token_id);
  t->set_member_id(std::string(member_id));
  t->set_token_hash(BearerTokenHash(token));
  RETURN_IF_ERROR(log_->Append(request, founding_.member.member_id()).status());
  return token;
}

absl::Status TestServer::Connect(EventLog& log) {
  ServerOptions options = server_options_;
  options.listen_address = "127.0.0.1:0";
  ASSIGN_OR_RETURN(server_, LedgerServer::Start(&log, options));
  log_ = &log;
  channel_ = ChannelAs(founding_.secret);
  commands_ = v1::LedgerCommands::NewStub(channel_);
  queries_ = v1::LedgerQueries::NewStub(channel_);
  audit_ = v1::LedgerAudit::NewStub(channel_);
  admin_ = v1::LedgerAdmin::NewStub(channel_);
  generic_ = std::make_unique<grpc::GenericStub>(channel_);
  return absl::OkStatus();
}

void TestServer::Stop() {
  if (server_ == nullptr) return;
  server_->Stop(absl::Seconds(2));
  server_.reset();
}

TempLedger& TestServer::ledger() {
  LEDGER_CHECK(ledger_ != nullptr);
  return *ledger_;
}

EventLog& TestServer::log() const {
  LEDGER_CHECK(log_ != nullptr);
  return *log_;
}

int TestServer::port() const {
  LEDGER_CHECK(server_ != nullptr);
  return server_->port();
}

grpc::Status TestServer::Append(const v1::AppendRequest& request, v1::AppendResponse* response,
                                absl::Duration deadline) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline);
  return commands_->Append(&ctx, request, response);
}

v1::Head TestServer::Head() {
  grpc::ClientContext ctx;
  v1::GetHeadResponse r;
  grpc::Status s = audit_->GetHead(&ctx, v1::GetHeadRequest(), &r);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return r.head();
}

grpc::Status TestServer::CallBytes(absl::string_view method, absl::string_view bytes,
                                   std::string* response, absl::Duration deadline) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline);
  grpc::Slice slice{std::string(bytes)};
  grpc::ByteBuffer request(&slice, 1), answer;
  absl::Notification done;
  grpc::Status status;
  generic_->UnaryCall(&ctx, std::string(method), grpc::StubOptions(), &request, &answer,
                      [&](grpc::Status s) {
                        status = std::move(s);
                        done.Notify();
                      });
  done.WaitForNotification();
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    if (!answer.Dump(&slices).ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no body");
    response->clear();
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

grpc::Status TestServer::AppendBytes(absl::string_view bytes) {
  return CallBytes(kAppendMethod, bytes);
}

int TestServer::Health(absl::string_view service) {
  // HealthCheckRequest { string service = 1; }, by hand.
  std::string request;
  if (!service.empty()) {
    request = absl::StrCat(std::string(1, '\x0a'),
                           std::string(1, static_cast<char>(service.size())), service);
  }
  std::string response;
  if (!CallBytes(kHealthMethod, request, &response, absl::Seconds(5)).ok()) return -1;
  // HealthCheckResponse { ServingStatus status = 1; }: a tag and one varint byte.
  if (response.size() != 2 || response[0] != '\x08') return -1;
  return response[1];
}

bool TestServer::HealthBecomes(absl::string_view service, int want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (Health(service) == want) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

}  // namespace ledger::testing
