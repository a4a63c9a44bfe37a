// Goal: what a hostile client gets when it floods ledgerd, over real gRPC
// on loopback (port 0), each case bounded in time:
// - appends from one member beyond its rate are refused RESOURCE_EXHAUSTED
//   (RATE_LIMITED, with a retry-after), another member is not held up, and
//   the log grows no more than the rate allows;
// - thousands of funds and branches come in pages and WatchBalances parts,
//   every message under a byte bound, and ledgerctl balances shows them all;
// - public VerifyChain calls holding every public whole-log slot leave the
//   admins' slot free: a backup still runs;
// - 300 idle streams hold no thread: a new Subscribe sees a new event and a
//   query answers.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "clients/ledgerctl/args.h"
#include "clients/ledgerctl/commands.h"
#include "gtest/gtest.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "services/grpc_status.h"
#include "services/rate_limit.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Beneficiary;
using ::ledger::testing::Branch;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::WithId;

// ------------------------------------------------------------------ floods

TEST(AppendRateLimiterTest, ABucketPerMemberRefillsAtTheRate) {
  AppendRateLimiter limiter(/*events_per_second=*/50, /*burst=*/1000);
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_TRUE(limiter.Take("alice", 1000, t0).ok());
  absl::Status refused = limiter.Take("alice", 1, t0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  auto detail = GetErrorDetail(refused);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), kReasonRateLimited);
  EXPECT_EQ(detail->retry_after_ms(), 20u);  // one event at 50 a second
  // Another member has a bucket of their own.
  EXPECT_TRUE(limiter.Take("bob", 1000, t0).ok());
  // A second later 50 events have come back, not 51.
  EXPECT_TRUE(limiter.Take("alice", 50, t0 + absl::Seconds(1)).ok());
  EXPECT_FALSE(limiter.Take("alice", 1, t0 + absl::Seconds(1)).ok());
  // The bucket never holds more than the burst, however long it rests.
  EXPECT_TRUE(limiter.Take("alice", 1000, t0 + absl::Hours(24)).ok());
  EXPECT_FALSE(limiter.Take("alice", 1, t0 + absl::Hours(24)).ok());
  // No limit at rate 0.
  AppendRateLimiter off(0, 1000);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(off.Take("alice", 1000, t0).ok());
}

class FloodTest : public ::testing::Test {
 protected:
  static constexpr int kRate = 200;  // events a second, per member

  void SetUp() override {
    server_.server_options().append_events_per_second = kRate;
    server_.server_options().append_burst_events = static_cast<int>(kMaxEventsPerAppend);
    ASSERT_THAT(server_.Start(), IsOk());
  }

  // A stub calling as a new treasurer `member`.
  std::unique_ptr<v1::LedgerCommands::Stub> Treasurer(const std::string& member) {
    auto token = server_.AddMember(member, {v1::ROLE_TREASURER});
    EXPECT_TRUE(token.ok()) << token.status();
    return v1::LedgerCommands::NewStub(server_.ChannelAs(*token));
  }

  // Appends `n` one-penny donations with ids `<prefix>-<i>`.
  static grpc::Status AppendBatch(v1::LedgerCommands::Stub& stub, const std::string& prefix,
                                  int n) {
    v1::AppendRequest request;
    for (int i = 0; i < n; ++i) {
      *request.add_events() = WithId(Donation(Gbp(1)), absl::StrCat(prefix, "-", i));
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::AppendResponse response;
    return stub.Append(&ctx, request, &response);
  }

  testing::TestServer server_;
};

TEST_F(FloodTest, OneMembersFloodMeetsTheLimitAndAnotherMemberIsNotHeldUp) {
  auto flooder = Treasurer("flooder");
  auto other = Treasurer("other");
  const uint64_t head_before = server_.Head().position();
  const absl::Time start = absl::Now();
  int accepted = 0, refused = 0, batch = 0;
  uint64_t max_retry_ms = 0;
  // 100 events a call for 1.5 s: far more than 200 a second.
  while (absl::Now() - start < absl::Milliseconds(1500)) {
    grpc::Status s = AppendBatch(*flooder, absl::StrCat("flood-", batch++), 100);
    if (s.ok()) {
      accepted += 100;
      continue;
    }
    ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    auto detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->reason(), kReasonRateLimited);
    EXPECT_GT(detail->retry_after_ms(), 0u);
    max_retry_ms = std::max<uint64_t>(max_retry_ms, detail->retry_after_ms());
    ++refused;
  }
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_GT(refused, 0);
  EXPECT_GE(accepted, static_cast<int>(kMaxEventsPerAppend));  // the burst went through
  // Never more than the burst plus the rate over the time (and one batch of
  // slack for the clock read after the last call).
  EXPECT_LE(accepted, static_cast<int>(kMaxEventsPerAppend) + kRate * elapsed + 100);
  EXPECT_LE(max_retry_ms, 100u * 1000 / kRate + 1);  // at most one batch's worth of wait
  // The other member appends at once, in the middle of the flood.
  EXPECT_TRUE(AppendBatch(*other, "other", 10).ok());
  // The log holds what was accepted and nothing refused.
  EXPECT_EQ(server_.Head().position(), head_before + accepted + 10);
  // After the wait it names, the flooder may append again.
  absl::SleepFor(absl::Milliseconds(static_cast<int64_t>(max_retry_ms) + 50));
  EXPECT_TRUE(AppendBatch(*flooder, "after-the-wait", 100).ok());
}

// ------------------------------------------------------------------ registers

class ManyFundsTest : public ::testing::Test {
 protected:
  static constexpr int kFunds = 3000;
  static constexpr int kBranches = 1200;
  // A reply may pass kMaxReplyBytes by its last item and its framing.
  static constexpr size_t kBound = kMaxReplyBytes + 16 * 1024;

  static void SetUpTestSuite() {
    server_ = new testing::TestServer();
    ASSERT_THAT(server_->Start(), IsOk());
    // Funds with the longest names and purposes: 4 MB of register.
    for (int batch = 0; batch < kFunds / 1000; ++batch) {
      v1::AppendRequest req;
      for (int i = 0; i < 1000; ++i) {
        const std::string id = absl::StrCat("fund-", batch * 1000 + i);
        v1::EventInput in = Beneficiary(id, std::string(kMaxNameLength, 'n'));
        in.mutable_body()->mutable_beneficiary_registered()->set_purpose(
            std::string(kMaxMemoLength, 'p'));
        *req.add_events() = WithId(in, absl::StrCat("reg-", id));
      }
      auto appended = server_->log().Append(req);
      ASSERT_TRUE(appended.ok()) << appended.status();
    }
    for (int batch = 0; batch < 2; ++batch) {
      v1::AppendRequest branches;
      for (int i = batch * kBranches / 2; i < (batch + 1) * kBranches / 2; ++i) {
        *branches.add_events() =
            WithId(Branch(absl::StrCat("branch-", i)), absl::StrCat("aff-", i));
      }
      auto appended = server_->log().Append(branches);
      ASSERT_TRUE(appended.ok()) << appended.status();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static testing::TestServer* server_;
};
testing::TestServer* ManyFundsTest::server_ = nullptr;

TEST_F(ManyFundsTest, ListsComeInBoundedPagesThatHoldEveryFundOnce) {
  std::set<std::string> seen;
  v1::ListBeneficiariesRequest req;
  req.set_page_size(100000);  // cut to kMaxListPage
  int pages = 0;
  do {
    grpc::ClientContext ctx;
    v1::ListBeneficiariesResponse page;
    ASSERT_TRUE(server_->queries().ListBeneficiaries(&ctx, req, &page).ok());
    EXPECT_LE(page.ByteSizeLong(), kBound);
    EXPECT_LE(page.beneficiaries_size(), static_cast<int>(kMaxListPage));
    for (const auto& b : page.beneficiaries()) {
      EXPECT_TRUE(seen.insert(b.beneficiary().beneficiary_id()).second);
    }
    req.set_page_token(page.next_page_token());
    ASSERT_LT(++pages, 100);
  } while (!req.page_token().empty());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kFunds));
  EXPECT_GE(pages, 4);  // 4 MB at most 1 MiB a page

  // The default page, and branches the same way.
  grpc::ClientContext ctx;
  v1::ListBeneficiariesResponse first;
  ASSERT_TRUE(server_->queries().ListBeneficiaries(&ctx, {}, &first).ok());
  EXPECT_EQ(first.beneficiaries_size(), static_cast<int>(kDefaultListPage));
  std::set<std::string> branches;
  v1::ListBranchesRequest breq;
  do {
    grpc::ClientContext bctx;
    v1::ListBranchesResponse page;
    ASSERT_TRUE(server_->queries().ListBranches(&bctx, breq, &page).ok());
    EXPECT_LE(page.ByteSizeLong(), kBound);
    for (const auto& b : page.branches()) branches.insert(b.branch().branch_id());
    breq.set_page_token(page.next_page_token());
  } while (!breq.page_token().empty());
  EXPECT_EQ(branches.size(), static_cast<size_t>(kBranches));
}

TEST_F(ManyFundsTest, WatchBalancesSendsTheSnapshotInBoundedParts) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  auto reader = server_->queries().WatchBalances(&ctx, v1::WatchBalancesRequest());
  v1::WatchBalancesResponse part;
  size_t funds = 0, branches = 0;
  uint32_t expected_part = 0;
  uint64_t position = 0;
  for (;;) {
    ASSERT_TRUE(reader->Read(&part));
    EXPECT_LE(part.ByteSizeLong(), kBound);
    EXPECT_EQ(part.part(), expected_part++);
    if (position == 0) position = part.summary().as_of().position();
    EXPECT_EQ(part.summary().as_of().position(), position);  // one snapshot
    funds += part.beneficiaries_size();
    branches += part.branches_size();
    if (!part.more_parts()) break;
  }
  EXPECT_EQ(funds, static_cast<size_t>(kFunds));
  EXPECT_EQ(branches, static_cast<size_t>(kBranches));
  EXPECT_GE(expected_part, 4u);
  ctx.TryCancel();
}

TEST_F(ManyFundsTest, LedgerctlBalancesFollowsThePagesAndShowsEveryFund) {
  const std::vector<std::string> args = {"--server", absl::StrCat("127.0.0.1:", server_->port()),
                                         "--json", "balances"};
  auto parsed = ledgerctl::ParseCommandLine(args, ledgerctl::Commands());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::ostringstream out;
  std::streambuf* old = std::cout.rdbuf(out.rdbuf());
  absl::StatusOr<int> exit_code = parsed->command->handler(*parsed->invocation);
  std::cout.rdbuf(old);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  const std::string text = out.str();
  for (int i : {0, 999, 1000, 1999, 2999}) {
    EXPECT_NE(text.find(absl::StrCat("\"fund-", i, "\"")), std::string::npos) << i;
  }
  size_t count = 0;
  for (size_t at = text.find("\"beneficiary_id\""); at != std::string::npos;
       at = text.find("\"beneficiary_id\"", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, static_cast<size_t>(kFunds));
}

// ------------------------------------------------------------------ whole-log slots

TEST(WholeLogSlotsTest, PublicCallsCannotTakeTheAdminsSlot) {
  testing::TestServer server;
  absl::Notification release;
  std::atomic<int> public_started{0};
  // Public calls stay on their slot until released: deterministic.
  server.server_options().whole_log_call_started_for_test = [&](const Caller& caller) {
    if (caller.authenticated) return;
    public_started.fetch_add(1);
    release.WaitForNotificationWithTimeout(absl::Seconds(30));
  };
  ASSERT_THAT(server.Start(), IsOk());
  auto public_audit = v1::LedgerAudit::NewStub(server.ChannelAs(std::nullopt));
  const int public_slots = kMaxWholeLogCalls - kAdminOnlyWholeLogCalls;
  // Hold every public slot.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::VerifyChainRequest> requests(public_slots);  // outlive the calls
  std::vector<v1::VerifyChainResponse> responses(public_slots);
  std::vector<grpc::Status> statuses(public_slots);
  absl::Notification held_done[kMaxWholeLogCalls];
  for (int i = 0; i < public_slots; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    public_audit->async()->VerifyChain(contexts.back().get(), &requests[i], &responses[i],
                                       [&, i](grpc::Status s) {
                                         statuses[i] = s;
                                         held_done[i].Notify();
                                       });
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (public_started.load() < public_slots && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(public_started.load(), public_slots);
  // A further public call is refused ...
  {
    grpc::ClientContext ctx;
    v1::VerifyChainResponse r;
    grpc::Status s = public_audit->VerifyChain(&ctx, v1::VerifyChainRequest(), &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_NE(s.error_message().find("kept for admins"), std::string::npos);
  }
  // ... and an admin's backup runs in the slot kept for admins.
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    v1::CreateBackupRequest req;
    req.set_name("during-the-flood");
    v1::CreateBackupResponse r;
    grpc::Status s = server.admin().CreateBackup(&ctx, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.backup_id(), 1u);
  }
  release.Notify();
  for (int i = 0; i < public_slots; ++i) {
    ASSERT_TRUE(held_done[i].WaitForNotificationWithTimeout(absl::Seconds(30)));
    EXPECT_TRUE(statuses[i].ok()) << statuses[i].error_message();
  }
}

// ------------------------------------------------------------------ idle streams

TEST(IdleStreamsTest, ThreeHundredIdleStreamsHoldUpNoNewCaller) {
  testing::TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  constexpr int kIdle = 300;
  struct Open {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::WatchBalancesResponse>> watch;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> subscribe;
  };
  // Half WatchBalances, half Subscribe (from the head: nothing to send), on
  // a few connections; each has had its first message, then nobody reads.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < 3; ++c) channels.push_back(server.ChannelAs(server.admin_token()));
  std::vector<std::unique_ptr<Open>> open;
  const uint64_t head = server.Head().position();
  for (int i = 0; i < kIdle; ++i) {
    auto o = std::make_unique<Open>();
    o->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    auto& channel = channels[i % channels.size()];
    if (i % 2 == 0) {
      o->watch = v1::LedgerQueries::NewStub(channel)->WatchBalances(&o->ctx, {});
      v1::WatchBalancesResponse first;
      ASSERT_TRUE(o->watch->Read(&first)) << i;
    } else {
      v1::SubscribeRequest req;
      req.set_from_position(head + 1);
      o->subscribe = v1::LedgerAudit::NewStub(channel)->Subscribe(&o->ctx, req);
      v1::SubscribeResponse caught_up;
      ASSERT_TRUE(o->subscribe->Read(&caught_up)) << i;
      EXPECT_TRUE(caught_up.has_caught_up());
    }
    open.push_back(std::move(o));
  }
  // A new caller (a new connection): a Subscribe, as `ledgerctl tail -f`
  // makes, sees an event appended after it started ...
  auto fresh = server.ChannelAs(server.admin_token());
  grpc::ClientContext tail_ctx;
  tail_ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::SubscribeRequest from_head;
  from_head.set_from_position(head + 1);
  auto tail = v1::LedgerAudit::NewStub(fresh)->Subscribe(&tail_ctx, from_head);
  v1::SubscribeResponse message;
  ASSERT_TRUE(tail->Read(&message));
  EXPECT_TRUE(message.has_caught_up());
  v1::AppendResponse appended;
  ASSERT_TRUE(server
                  .Append(testing::Request({WithId(Donation(Gbp(5)), "after-300")}), &appended,
                          absl::Seconds(10))
                  .ok());
  ASSERT_TRUE(tail->Read(&message));
  EXPECT_EQ(message.event().event_id(), "after-300");
  // ... and a query answers at once.
  grpc::ClientContext q;
  q.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::GetSummaryResponse summary;
  EXPECT_TRUE(v1::LedgerQueries::NewStub(fresh)->GetSummary(&q, {}, &summary).ok());
  EXPECT_EQ(summary.as_of().position(), appended.head().position());
  tail_ctx.TryCancel();
  for (auto& o : open) o->ctx.TryCancel();
}

}  // namespace
}  // namespace ledger
