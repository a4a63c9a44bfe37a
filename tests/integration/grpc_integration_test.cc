// Goal: the ledger over real gRPC on loopback (port 0) with RocksDB in a temp
// dir: every rule's status code and machine-readable details reach the client,
// a subscription delivers every event once and in order across the switch
// from catch-up to live, WatchBalances reflects every commit, a retried append
// whose first attempt timed out records the money once, and health and
// reflection answer.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "ledger/errors.h"
#include "services/grpc_status.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Gbp;
using ::ledger::testing::Request;
using ::ledger::testing::WithId;

// A clock whose Now() can be made slow, to hold a commit past a client's
// deadline.
class SlowClock : public Clock {
 public:
  absl::Time Now() override {
    const int delay_ms = delay_ms_.exchange(0);
    if (delay_ms > 0) absl::SleepFor(absl::Milliseconds(delay_ms));
    return absl::Now();
  }
  void DelayNextCall(int ms) { delay_ms_ = ms; }

 private:
  std::atomic<int> delay_ms_{0};
};

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.clock = &clock_;
    ASSERT_THAT(server_.Start(options), testing::IsOk());
  }

  grpc::Status Append(const v1::AppendRequest& req, v1::AppendResponse* resp,
                      absl::Duration deadline = absl::Seconds(10)) {
    return server_.Append(req, resp, deadline);
  }

  uint64_t Head() { return server_.Head().position(); }

  SlowClock clock_;
  testing::TestServer server_;
};

TEST_F(GrpcTest, EveryRuleReachesTheClientWithCodeAndDetails) {
  v1::AppendResponse r;
  ASSERT_TRUE(Append(Request({testing::Beneficiary("lawyer"), testing::Beneficiary("gone"),
                              testing::CloseBeneficiary("gone"), testing::Branch("leeds"),
                              WithId(testing::Donation(Gbp(12000), "lawyer"), "first")}),
                     &r)
                  .ok());
  v1::AppendRequest moved = Request({testing::Donation(Gbp(1))});
  moved.set_expected_head_position(1);
  struct Case {
    const char* name;
    v1::AppendRequest request;
    grpc::StatusCode code;
    const char* reason;
  } cases[] = {
      {"zero amount", Request({testing::Donation(Gbp(0))}), grpc::StatusCode::INVALID_ARGUMENT,
       kReasonInvalidField},
      {"unknown currency", Request({testing::Donation(testing::Of(5, "ABC"))}),
       grpc::StatusCode::INVALID_ARGUMENT, kReasonInvalidField},
      {"bad id", Request({testing::Beneficiary("Bad Id")}), grpc::StatusCode::INVALID_ARGUMENT,
       kReasonInvalidField},
      {"unknown beneficiary", Request({testing::Allocation("nobody", Gbp(1))}),
       grpc::StatusCode::NOT_FOUND, kReasonUnknownBeneficiary},
      {"unknown branch", Request({testing::Fee("nowhere", Gbp(1))}), grpc::StatusCode::NOT_FOUND,
       kReasonUnknownBranch},
      {"closed beneficiary", Request({testing::Donation(Gbp(1), "gone")}),
       grpc::StatusCode::FAILED_PRECONDITION, kReasonBeneficiaryClosed},
      {"fee in another currency than the branch's",
       Request({testing::Fee("leeds", testing::Of(1000, "EUR"))}),
       grpc::StatusCode::FAILED_PRECONDITION, kReasonFeeCurrencyMismatch},
      {"overdrawn", Request({testing::Disbursement("lawyer", Gbp(20000))}),
       grpc::StatusCode::FAILED_PRECONDITION, kReasonInsufficientFunds},
      {"id reused", Request({WithId(testing::Donation(Gbp(5)), "first")}),
       grpc::StatusCode::ALREADY_EXISTS, kReasonEventIdReused},
      {"head moved", moved, grpc::StatusCode::ABORTED, kReasonHeadMoved},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const uint64_t head = Head();
    v1::AppendResponse resp;
    grpc::Status s = Append(c.request, &resp);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    absl::Status decoded = FromGrpcStatus(s);
    auto detail = GetErrorDetail(decoded);
    ASSERT_TRUE(detail.has_value()) << "no ErrorDetail in the trailer";
    EXPECT_EQ(detail->reason(), c.reason);
    EXPECT_EQ(Head(), head) << "a refused append moved the head";
  }
  // The insufficient-funds detail carries both amounts.
  v1::AppendResponse resp;
  auto detail = GetErrorDetail(
      FromGrpcStatus(Append(Request({testing::Disbursement("lawyer", Gbp(20000))}), &resp)));
  EXPECT_EQ(detail->available().amount_minor(), 12000);
  EXPECT_EQ(detail->requested().amount_minor(), 20000);
  EXPECT_EQ(detail->fund(), "beneficiary/lawyer");
}

TEST_F(GrpcTest, QueriesAnswerWithBalancesAndNotFound) {
  v1::AppendResponse r;
  ASSERT_TRUE(
      Append(Request({testing::Beneficiary("lawyer"), testing::Donation(Gbp(5000), "lawyer"),
                      testing::Disbursement("lawyer", Gbp(1500))}),
             &r)
          .ok());
  grpc::ClientContext ctx;
  v1::GetBeneficiaryRequest req;
  req.set_beneficiary_id("lawyer");
  v1::GetBeneficiaryResponse resp;
  ASSERT_TRUE(server_.queries().GetBeneficiary(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.beneficiary().balances_size(), 1);
  EXPECT_EQ(resp.beneficiary().balances(0).available_minor(), 3500);
  EXPECT_EQ(resp.as_of().position(), r.head().position());
  grpc::ClientContext ctx2;
  req.set_beneficiary_id("nobody");
  EXPECT_EQ(server_.queries().GetBeneficiary(&ctx2, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx3;
  v1::GetTrialBalanceResponse tb;
  ASSERT_TRUE(server_.queries().GetTrialBalance(&ctx3, v1::GetTrialBalanceRequest(), &tb).ok());
  EXPECT_TRUE(tb.balanced());
  ASSERT_EQ(tb.totals_size(), 1);
  EXPECT_EQ(tb.totals(0).debits_minor(), tb.totals(0).credits_minor());
}

TEST_F(GrpcTest, SubscribeDeliversEveryEventOnceAcrossCatchUpAndLive) {
  for (int i = 0; i < 40; ++i) {
    v1::AppendResponse r;
    ASSERT_TRUE(Append(Request({testing::Donation(Gbp(100 + i))}), &r).ok());
  }
  constexpr int kLive = 60;
  grpc::ClientContext ctx;
  v1::SubscribeRequest req;
  req.set_from_position(1);
  auto reader = server_.audit().Subscribe(&ctx, req);
  absl::Notification start_live;
  std::thread writer([&] {
    start_live.WaitForNotification();
    for (int i = 0; i < kLive; ++i) {
      v1::AppendResponse r;
      EXPECT_TRUE(Append(Request({testing::Donation(Gbp(1))}), &r).ok());
    }
  });
  const uint64_t final_head = 41 + kLive;
  uint64_t expected = 1;
  int caught_up = 0;
  v1::SubscribeResponse item;
  while (expected <= final_head && reader->Read(&item)) {
    if (item.has_caught_up()) {
      ++caught_up;
      continue;
    }
    ASSERT_EQ(item.event().position(), expected) << "gap or repeat in the subscription";
    ++expected;
    // Start writing while the subscriber is still catching up, so the
    // switch to live happens under concurrent appends.
    if (expected == 20) start_live.Notify();
  }
  writer.join();
  ctx.TryCancel();
  reader->Finish();
  EXPECT_EQ(expected, final_head + 1);
  EXPECT_EQ(caught_up, 1);
}

TEST_F(GrpcTest, WatchBalancesReflectsEveryCommit) {
  v1::AppendResponse r;
  ASSERT_TRUE(Append(Request({testing::Beneficiary("lawyer")}), &r).ok());
  grpc::ClientContext ctx;
  auto reader = server_.queries().WatchBalances(&ctx, v1::WatchBalancesRequest());
  v1::WatchBalancesResponse update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.summary().as_of().position(), r.head().position());
  int64_t expected_available = 0;
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(Append(Request({testing::Donation(Gbp(100 * i), "lawyer")}), &r).ok());
    expected_available += 100 * i;
    // Read until this commit shows (one update per commit when the reader
    // keeps up).
    do {
      ASSERT_TRUE(reader->Read(&update));
    } while (update.summary().as_of().position() < r.head().position());
    EXPECT_EQ(update.summary().as_of().position(), r.head().position());
    ASSERT_EQ(update.beneficiaries_size(), 1);
    ASSERT_EQ(update.beneficiaries(0).balances_size(), 1);
    EXPECT_EQ(update.beneficiaries(0).balances(0).available_minor(), expected_available);
  }
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(GrpcTest, RetryAfterTimeoutRecordsTheMoneyOnce) {
  v1::AppendRequest req = Request({WithId(testing::Donation(Gbp(2500)), "retry-me")});
  // The commit is held for 1.5 s; the client gives up after 200 ms.
  clock_.DelayNextCall(1500);
  v1::AppendResponse first;
  grpc::Status s = Append(req, &first, absl::Milliseconds(200));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server still commits it; the client retries with the same id.
  v1::AppendResponse second;
  for (int attempt = 0; attempt < 50; ++attempt) {
    s = Append(req, &second);
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(second.deduplicated()) << "the retry wrote the donation a second time";
  grpc::ClientContext ctx;
  v1::GetSummaryResponse summary;
  ASSERT_TRUE(server_.queries().GetSummary(&ctx, v1::GetSummaryRequest(), &summary).ok());
  ASSERT_EQ(summary.totals().currencies_size(), 1);
  EXPECT_EQ(summary.totals().currencies(0).raised_minor(), 2500);
  EXPECT_EQ(summary.totals().event_count(), 2u);
}

// A disk that fails: appends are refused UNAVAILABLE and health turns
// NOT_SERVING for the whole server and for LedgerCommands, while the reading
// services stay SERVING and answer; when commits succeed again (a full disk
// with space back) health is SERVING again.
TEST(GrpcHealthTest, FailingCommitsTurnHealthNotServingUntilACommitSucceeds) {
  testing::FaultEnv env;
  EventLogOptions options;
  options.env = &env;
  testing::TestServer server;
  ASSERT_THAT(server.Start(options), testing::IsOk());
  const std::string kCommands = "solidarity.ledger.v1.LedgerCommands";
  const std::string kQueries = "solidarity.ledger.v1.LedgerQueries";
  EXPECT_EQ(server.Health(""), 1);
  EXPECT_EQ(server.Health(kCommands), 1);
  EXPECT_EQ(server.Health(kQueries), 1);

  auto append = [&](int64_t minor) {
    v1::AppendResponse r;
    return server.Append(Request({testing::Donation(Gbp(minor))}), &r, absl::Seconds(10));
  };
  ASSERT_TRUE(append(100).ok());

  env.DiskFull(true);
  grpc::Status refused = append(200);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_TRUE(server.HealthBecomes("", 2)) << "health did not turn NOT_SERVING";
  EXPECT_EQ(server.Health(kCommands), 2);
  EXPECT_EQ(server.Health(kQueries), 1);
  {
    grpc::ClientContext ctx;
    v1::GetSummaryResponse summary;
    ASSERT_TRUE(server.queries().GetSummary(&ctx, v1::GetSummaryRequest(), &summary).ok());
  }

  env.DiskFull(false);
  // RocksDB recovers from a full disk by itself; the next commit that
  // succeeds turns health back (retrying as a client would).
  grpc::Status again = append(300);
  for (int i = 0; i < 100 && !again.ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    again = append(300);
  }
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_TRUE(server.HealthBecomes("", 1)) << "health did not turn SERVING again";
  EXPECT_EQ(server.Health(kCommands), 1);
  server.Stop();
}

TEST_F(GrpcTest, HealthAndVerifyAnswer) {
  grpc::ClientContext ctx;
  v1::VerifyChainResponse v;
  ASSERT_TRUE(server_.audit().VerifyChain(&ctx, v1::VerifyChainRequest(), &v).ok());
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.events_checked(), 1u);
  // grpc.health.v1.Health/Check with an empty service name.
  EXPECT_EQ(server_.Health(""), 1) << "health is not SERVING";
}

TEST_F(GrpcTest, OversizedRequestIsRefused) {
  v1::AppendRequest big;
  v1::EventInput in = testing::Donation(Gbp(1));
  in.set_memo(std::string(900, 'm'));
  for (int i = 0; i < 6000; ++i) *big.add_events() = WithId(in, absl::StrCat("big-", i));
  const uint64_t head = Head();
  v1::AppendResponse r;
  grpc::Status s = Append(big, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(Head(), head);
}

}  // namespace
}  // namespace ledger
