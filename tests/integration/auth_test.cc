// Goal: who may call what, over real gRPC on loopback (port 0): every role
// (and the public, with no token) against representative methods of every
// service answers OK, PERMISSION_DENIED naming the role needed, or - for a
// token the ledger does not accept (guessed, malformed, revoked, or its
// member removed) - UNAUTHENTICATED; an append is checked event by event
// against each kind's role; the recorded actor is the member, whatever an
// x-ledger-actor header says; private details reach treasurers, auditors
// and admins only; the public sees only the branches that chose to be
// shown; no token is ever on disk, only its hash. The access table covers
// every method the services define.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "ledger/crypto/tokens.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "services/access.h"
#include "services/grpc_status.h"
#include "services/server.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using ::ledger::testing::Gbp;
using ::ledger::testing::Request;
using ::ledger::testing::WithId;

// One unary call of `method` with `request`, over `channel`; the answer's
// bytes into `response` if given.
grpc::Status CallOver(const std::shared_ptr<grpc::Channel>& channel, absl::string_view method,
                      const google::protobuf::Message& request, std::string* response = nullptr,
                      const std::map<std::string, std::string>& headers = {}) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  for (const auto& [k, v] : headers) ctx.AddMetadata(k, v);
  grpc::Slice slice{request.SerializeAsString()};
  grpc::ByteBuffer in(&slice, 1), out;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, std::string(method), grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(out.Dump(&slices).ok());
    response->clear();
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

// "ok" (the call was let through: it may still be refused for what it
// asks), "denied:<role>" (PERMISSION_DENIED naming the role), or
// "unauthenticated" (UNAUTHENTICATED, reason BAD_TOKEN); anything else as
// its code and reason.
std::string Outcome(const grpc::Status& status) {
  const absl::Status s = FromGrpcStatus(status);
  const std::optional<v1::ErrorDetail> detail = GetErrorDetail(s);
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return detail && detail->reason() == kReasonRoleRequired
               ? absl::StrCat("denied:", detail->role())
               : absl::StrCat("PERMISSION_DENIED without ROLE_REQUIRED: ", status.error_message());
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return detail && detail->reason() == kReasonBadToken
               ? "unauthenticated"
               : absl::StrCat("UNAUTHENTICATED without BAD_TOKEN: ", status.error_message());
  }
  return "ok";
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), testing::IsOk());
    for (const auto& [who, roles] : std::vector<std::pair<std::string, std::vector<v1::Role>>>{
             {"viewer", {v1::ROLE_VIEWER}},
             {"treasurer", {v1::ROLE_TREASURER}},
             {"approver", {v1::ROLE_APPROVER}},
             {"auditor", {v1::ROLE_AUDITOR}},
             {"admin", {v1::ROLE_ADMIN}},
         }) {
      absl::StatusOr<std::string> token;
      // AddMember takes an initializer list; one role each here.
      token = server_.AddMember(absl::StrCat("m-", who), {roles[0]});
      ASSERT_TRUE(token.ok()) << token.status();
      tokens_[who] = *token;
      channels_[who] = server_.ChannelAs(*token);
    }
    channels_["public"] = server_.ChannelAs(std::nullopt);
    channels_["founder"] = server_.channel();
    // Some books to read.
    v1::EventInput gift = WithId(testing::Donation(Gbp(5000)), "gift-1");
    gift.set_memo("met at the picket");
    v1::AppendResponse r;
    v1::EventInput hidden = testing::Branch("hidden");
    v1::EventInput shown = testing::Branch("shown");
    shown.mutable_body()->mutable_branch_affiliated()->set_shown_publicly(true);
    ASSERT_TRUE(server_.Append(Request({gift, hidden, shown}), &r).ok());
    gift_position_ = r.positions(0);
  }

  // `method` ("LedgerQueries/GetSummary") called by `who` with `request`.
  std::string Call(const std::string& who, absl::string_view method,
                   const google::protobuf::Message& request) {
    return Outcome(
        CallOver(channels_.at(who), absl::StrCat("/solidarity.ledger.v1.", method), request));
  }

  testing::TestServer server_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  uint64_t gift_position_ = 0;
};

const char* const kWho[] = {"public",  "viewer", "treasurer", "approver",
                            "auditor", "admin",  "founder"};

TEST_F(AuthTest, EveryRoleAgainstRepresentativeMethods) {
  v1::CreateBackupRequest backup;
  backup.set_name("../refused/after/admission");
  v1::VerifyChainRequest verify;
  v1::GetBranchRequest branch;
  branch.set_branch_id("shown");
  int n = 0;
  auto donation = [&]() {
    return Request({WithId(testing::Donation(Gbp(1)), absl::StrCat("d", ++n))});
  };
  auto member = [&]() {
    v1::EventInput in;
    in.set_event_id(absl::StrCat("m", ++n));
    in.set_occurred_on("2026-03-01");
    in.mutable_body()->mutable_member_added()->set_member_id(absl::StrCat("new-", n));
    in.mutable_body()->mutable_member_added()->add_roles(v1::ROLE_VIEWER);
    return Request({in});
  };
  struct Row {
    std::string method;
    std::function<std::unique_ptr<google::protobuf::Message>()> request;
    // Outcome per kWho, in order.
    std::vector<std::string> want;
  };
  auto msg = [](auto m) {
    return [m]() -> std::unique_ptr<google::protobuf::Message> {
      return std::make_unique<decltype(m)>(m);
    };
  };
  const std::string ok = "ok", viewer = "denied:viewer", treasurer = "denied:treasurer",
                    auditor = "denied:auditor", admin = "denied:admin";
  const std::vector<Row> rows = {
      {"LedgerQueries/GetSummary", msg(v1::GetSummaryRequest()), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerQueries/ListBeneficiaries",
       msg(v1::ListBeneficiariesRequest()),
       {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerQueries/ListBranches", msg(v1::ListBranchesRequest()), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerQueries/GetBranch", msg(branch), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerAudit/GetHead", msg(v1::GetHeadRequest()), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerAdmin/WhoAmI", msg(v1::WhoAmIRequest()), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerQueries/GetTrialBalance",
       msg(v1::GetTrialBalanceRequest()),
       {viewer, ok, ok, ok, ok, ok, ok}},
      {"LedgerAudit/ReadEvents", msg(v1::ReadEventsRequest()), {viewer, ok, ok, ok, ok, ok, ok}},
      {"LedgerAudit/VerifyChain", msg(verify), {ok, ok, ok, ok, ok, ok, ok}},
      {"LedgerAudit/RebuildProjections",
       msg(v1::RebuildProjectionsRequest()),
       {auditor, auditor, auditor, auditor, ok, ok, ok}},
      {"LedgerAdmin/CreateBackup", msg(backup), {admin, admin, admin, admin, admin, ok, ok}},
      {"LedgerAdmin/ListMembers",
       msg(v1::ListMembersRequest()),
       {admin, admin, admin, admin, admin, ok, ok}},
      {"LedgerQueries/ListDisbursementRequests",
       msg(v1::ListDisbursementRequestsRequest()),
       {viewer, ok, ok, ok, ok, ok, ok}},
  };
  for (const Row& row : rows) {
    for (size_t i = 0; i < std::size(kWho); ++i) {
      EXPECT_EQ(Call(kWho[i], row.method, *row.request()), row.want[i])
          << row.method << " by " << kWho[i];
    }
  }
  // Appends: the method admits any member; each event needs its kind's role.
  const std::vector<std::string> want_donation = {viewer,    treasurer, ok, treasurer,
                                                  treasurer, treasurer, ok};
  const std::vector<std::string> want_member = {viewer, admin, admin, admin, admin, ok, ok};
  // Two to sign: a request is a treasurer's, an approval an approver's (the
  // request is unknown: let through, then refused for what it asks), the
  // policy an admin's.
  const std::string approver = "denied:approver";
  auto one = [&](v1::EventInput in) {
    in.set_event_id(absl::StrCat("s", ++n));
    return Request({in});
  };
  const std::vector<std::string> want_request = want_donation;
  const std::vector<std::string> want_approval = {viewer,   approver, approver, ok,
                                                  approver, approver, ok};
  for (size_t i = 0; i < std::size(kWho); ++i) {
    EXPECT_EQ(Call(kWho[i], "LedgerCommands/Append",
                   one(testing::PaymentRequest(absl::StrCat("r", n), "nobody", Gbp(1)))),
              want_request[i])
        << "disbursement_requested by " << kWho[i];
    EXPECT_EQ(Call(kWho[i], "LedgerCommands/Append", one(testing::Approval("nope"))),
              want_approval[i])
        << "disbursement_approved by " << kWho[i];
    EXPECT_EQ(Call(kWho[i], "LedgerCommands/Append", one(testing::NoApprovals())), want_member[i])
        << "approval_policy_set by " << kWho[i];
  }
  for (size_t i = 0; i < std::size(kWho); ++i) {
    EXPECT_EQ(Call(kWho[i], "LedgerCommands/Append", donation()), want_donation[i])
        << "donation by " << kWho[i];
    EXPECT_EQ(Call(kWho[i], "LedgerCommands/Append", member()), want_member[i])
        << "member_added by " << kWho[i];
  }
}

TEST_F(AuthTest, AnAppendNeedsTheRoleOfEveryEventInIt) {
  v1::EventInput in;
  in.set_event_id("sneaky-member");
  in.set_occurred_on("2026-03-01");
  in.mutable_body()->mutable_member_added()->set_member_id("sneaky");
  in.mutable_body()->mutable_member_added()->add_roles(v1::ROLE_ADMIN);
  const grpc::Status s =
      CallOver(channels_["treasurer"], "/solidarity.ledger.v1.LedgerCommands/Append",
               Request({WithId(testing::Donation(Gbp(1)), "fine"), in}));
  EXPECT_EQ(Outcome(s), "denied:admin");
  const std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->event_index(), 1u);
  EXPECT_NE(s.error_message().find("member_added"), std::string::npos) << s.error_message();
}

TEST_F(AuthTest, TokensTheLedgerDoesNotAcceptAreUnauthenticatedEvenForPublicMethods) {
  // A removed member's token and a revoked token.
  absl::StatusOr<std::string> leaver = server_.AddMember("leaver", {v1::ROLE_TREASURER});
  ASSERT_TRUE(leaver.ok());
  absl::StatusOr<std::string> revoked = server_.AddMember("m-viewer", {v1::ROLE_VIEWER});
  ASSERT_TRUE(revoked.ok());
  v1::EventInput remove;
  remove.set_event_id("remove-leaver");
  remove.set_occurred_on("2026-03-01");
  remove.mutable_body()->mutable_member_removed()->set_member_id("leaver");
  v1::ListMembersResponse members;
  std::string bytes;
  ASSERT_TRUE(CallOver(server_.channel(), "/solidarity.ledger.v1.LedgerAdmin/ListMembers",
                       v1::ListMembersRequest(), &bytes)
                  .ok());
  ASSERT_TRUE(members.ParseFromString(bytes));
  std::string revoked_id;
  for (const v1::Token& t : members.tokens()) {
    if (t.token_hash() == BearerTokenHash(*revoked)) revoked_id = t.token_id();
  }
  ASSERT_FALSE(revoked_id.empty());
  v1::EventInput revoke;
  revoke.set_event_id("revoke-it");
  revoke.set_occurred_on("2026-03-01");
  revoke.mutable_body()->mutable_token_revoked()->set_token_id(revoked_id);
  v1::AppendResponse r;
  ASSERT_TRUE(server_.Append(Request({remove, revoke}), &r).ok());

  const v1::GetSummaryRequest summary;
  const std::string method = "/solidarity.ledger.v1.LedgerQueries/GetSummary";
  auto with = [&](const std::string& header) {
    return Outcome(
        CallOver(channels_["public"], method, summary, nullptr, {{"authorization", header}}));
  };
  EXPECT_EQ(with(testing::TestServer::BearerHeader(NewBearerToken())), "unauthenticated")
      << "a guessed token";
  EXPECT_EQ(with(testing::TestServer::BearerHeader(*revoked)), "unauthenticated")
      << "a revoked token";
  EXPECT_EQ(with(testing::TestServer::BearerHeader(*leaver)), "unauthenticated")
      << "a removed member's token";
  EXPECT_EQ(with("Bearer 1234"), "unauthenticated") << "too short";
  EXPECT_EQ(with(absl::StrCat("Basic ", ToHex(*leaver))), "unauthenticated") << "not bearer";
  EXPECT_EQ(with(absl::StrCat("Bearer ", ToHex(BearerTokenHash(tokens_["viewer"])))),
            "unauthenticated")
      << "the stored hash sent as if it were the token";
  // The viewer's other token still works.
  EXPECT_EQ(with(testing::TestServer::BearerHeader(tokens_["viewer"])), "ok");
  // A stream too.
  auto stub = v1::LedgerAudit::NewStub(channels_["public"]);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", testing::TestServer::BearerHeader(*revoked));
  auto reader = stub->Subscribe(&ctx, v1::SubscribeRequest());
  v1::SubscribeResponse item;
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_EQ(Outcome(reader->Finish()), "unauthenticated");
}

TEST_F(AuthTest, TheRecordedActorIsTheMemberNotTheHeader) {
  std::string bytes;
  const grpc::Status s =
      CallOver(channels_["treasurer"], "/solidarity.ledger.v1.LedgerCommands/Append",
               Request({WithId(testing::Donation(Gbp(100)), "spoofed")}), &bytes,
               {{"x-ledger-actor", "m-admin"}});
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::AppendResponse appended;
  ASSERT_TRUE(appended.ParseFromString(bytes));
  // A viewer names events by position (event ids are for those who see
  // identities).
  v1::GetEventRequest req;
  req.set_position(appended.positions(0));
  ASSERT_TRUE(
      CallOver(channels_["viewer"], "/solidarity.ledger.v1.LedgerAudit/GetEvent", req, &bytes)
          .ok());
  v1::GetEventResponse got;
  ASSERT_TRUE(got.ParseFromString(bytes));
  EXPECT_EQ(got.event().actor(), "m-treasurer");
}

TEST_F(AuthTest, PrivateDetailsOnlyForTreasurersAuditorsAndAdmins) {
  v1::GetEventRequest req;
  req.set_position(gift_position_);
  const std::map<std::string, v1::DetailState> want = {
      {"viewer", v1::DETAIL_STATE_WITHHELD}, {"approver", v1::DETAIL_STATE_WITHHELD},
      {"treasurer", v1::DETAIL_STATE_SHOWN}, {"auditor", v1::DETAIL_STATE_SHOWN},
      {"admin", v1::DETAIL_STATE_SHOWN},     {"founder", v1::DETAIL_STATE_SHOWN},
  };
  for (const auto& [who, state] : want) {
    std::string bytes;
    ASSERT_TRUE(
        CallOver(channels_[who], "/solidarity.ledger.v1.LedgerAudit/GetEvent", req, &bytes).ok())
        << who;
    v1::GetEventResponse got;
    ASSERT_TRUE(got.ParseFromString(bytes));
    EXPECT_EQ(got.event().private_details(), state) << who;
    EXPECT_EQ(got.event().memo(), state == v1::DETAIL_STATE_SHOWN ? "met at the picket" : "")
        << who;
  }
}

TEST_F(AuthTest, ARequestsPayeeOnlyForThoseWhoSeePrivateDetails) {
  v1::AppendResponse r;
  ASSERT_TRUE(server_
                  .Append(Request({testing::Beneficiary("ben"),
                                   WithId(testing::Donation(Gbp(500), "ben"), "ben-gift"),
                                   testing::PaymentRequest("r-payee", "ben", Gbp(100))}),
                          &r)
                  .ok());
  for (const char* who : {"viewer", "approver", "treasurer", "auditor", "admin"}) {
    std::string bytes;
    ASSERT_TRUE(CallOver(channels_.at(who),
                         "/solidarity.ledger.v1.LedgerQueries/ListDisbursementRequests",
                         v1::ListDisbursementRequestsRequest(), &bytes)
                    .ok())
        << who;
    v1::ListDisbursementRequestsResponse list;
    ASSERT_TRUE(list.ParseFromString(bytes));
    ASSERT_EQ(list.requests_size(), 1) << who;
    const bool sees = std::string(who) != "viewer" && std::string(who) != "approver";
    EXPECT_EQ(list.requests(0).payee(), sees ? "law-firm-1" : "") << who;
    EXPECT_EQ(list.requests(0).purpose(), "lawyer fees") << who;  // not a sensitive fund
    EXPECT_EQ(list.requests(0).request().amount().amount_minor(), 100) << who;
  }
}

TEST_F(AuthTest, ThePublicSeesOnlyTheBranchesThatChoseToBeShown) {
  auto names = [&](const std::string& who) {
    std::string bytes, out;
    EXPECT_TRUE(CallOver(channels_[who], "/solidarity.ledger.v1.LedgerQueries/ListBranches",
                         v1::ListBranchesRequest(), &bytes)
                    .ok());
    v1::ListBranchesResponse r;
    EXPECT_TRUE(r.ParseFromString(bytes));
    for (const auto& b : r.branches()) absl::StrAppend(&out, b.branch().branch_id(), " ");
    return out;
  };
  EXPECT_EQ(names("public"), "shown ");
  EXPECT_EQ(names("viewer"), "hidden shown ");
  v1::GetBranchRequest hidden;
  hidden.set_branch_id("hidden");
  const grpc::Status s =
      CallOver(channels_["public"], "/solidarity.ledger.v1.LedgerQueries/GetBranch", hidden);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(
      CallOver(channels_["viewer"], "/solidarity.ledger.v1.LedgerQueries/GetBranch", hidden).ok());
  // WatchBalances too.
  auto stub = v1::LedgerQueries::NewStub(channels_["public"]);
  grpc::ClientContext ctx;
  auto reader = stub->WatchBalances(&ctx, v1::WatchBalancesRequest());
  v1::WatchBalancesResponse first;
  ASSERT_TRUE(reader->Read(&first));
  ASSERT_EQ(first.branches_size(), 1);
  EXPECT_EQ(first.branches(0).branch().branch_id(), "shown");
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(AuthTest, WhoAmINamesTheMemberAndListMembersShowsHashesOnly) {
  std::string bytes;
  ASSERT_TRUE(CallOver(channels_["auditor"], "/solidarity.ledger.v1.LedgerAdmin/WhoAmI",
                       v1::WhoAmIRequest(), &bytes)
                  .ok());
  v1::WhoAmIResponse me;
  ASSERT_TRUE(me.ParseFromString(bytes));
  EXPECT_EQ(me.member_id(), "m-auditor");
  ASSERT_EQ(me.roles_size(), 1);
  EXPECT_EQ(me.roles(0), v1::ROLE_AUDITOR);
  ASSERT_TRUE(CallOver(channels_["public"], "/solidarity.ledger.v1.LedgerAdmin/WhoAmI",
                       v1::WhoAmIRequest(), &bytes)
                  .ok());
  ASSERT_TRUE(me.ParseFromString(bytes));
  EXPECT_EQ(me.member_id(), "");
  ASSERT_TRUE(CallOver(channels_["admin"], "/solidarity.ledger.v1.LedgerAdmin/ListMembers",
                       v1::ListMembersRequest(), &bytes)
                  .ok());
  v1::ListMembersResponse all;
  ASSERT_TRUE(all.ParseFromString(bytes));
  EXPECT_EQ(all.members_size(), 6);  // the founder and five
  for (const v1::Token& t : all.tokens()) EXPECT_EQ(t.token_hash().size(), 32u);
}

TEST_F(AuthTest, NoTokenIsEverOnDiskOnlyItsHash) {
  server_.Stop();
  server_.ledger().Close();
  std::vector<std::string> secrets;
  for (const auto& [who, token] : tokens_) {
    secrets.push_back(token);
    secrets.push_back(ToHex(token));
  }
  secrets.push_back(server_.admin_token());
  secrets.push_back(ToHex(server_.admin_token()));
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(server_.ledger().path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    for (const std::string& secret : secrets) {
      EXPECT_EQ(content.str().find(secret), std::string::npos) << entry.path();
    }
  }
  EXPECT_GT(files, 0);
}

TEST(AccessTableTest, CoversEveryMethodOfEveryService) {
  const std::vector<std::string> table = MethodsInAccessTable();
  int methods = 0;
  for (const char* service : {"LedgerCommands", "LedgerQueries", "LedgerAudit", "LedgerAdmin"}) {
    const google::protobuf::ServiceDescriptor* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("solidarity.ledger.v1.", service));
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      ++methods;
      const std::string name = absl::StrCat(service, "/", d->method(i)->name());
      EXPECT_NE(std::find(table.begin(), table.end(), name), table.end()) << name;
    }
  }
  EXPECT_EQ(static_cast<size_t>(methods), table.size());
}

// ledgerd serves plaintext on these only (it refuses others without TLS).
TEST(LoopbackTest, OnlyLoopbackHostsAreLoopback) {
  for (const char* yes : {"127.0.0.1:50051", "127.1.2.3:0", "localhost:1", "[::1]:50051"}) {
    EXPECT_TRUE(IsLoopbackAddress(yes)) << yes;
  }
  for (const char* no : {"0.0.0.0:50051", "10.0.0.1:1", "[::]:50051", "127.evil.example:1",
                         "example.org:443", "127.0.0.1.example:1", ":50051"}) {
    EXPECT_FALSE(IsLoopbackAddress(no)) << no;
  }
}

}  // namespace
}  // namespace ledger
