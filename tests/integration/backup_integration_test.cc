// Goal: LedgerAdmin.CreateBackup over real gRPC takes consistent backups
// while clients keep appending: each backup holds exactly a head the server
// acknowledged to some client (position and hash), no later than the final
// head and equal to the server's own hash at that position; it restores to a
// ledger whose chain verifies and whose projections rebuild to what is
// stored. Bad backup directories are refused with the field named. An export
// read over gRPC (ReadEvents pages, GetEvent for reversal targets) is byte
// for byte the offline export of the same head.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "ledger/audit/backup.h"
#include "ledger/audit/export.h"
#include "ledger/audit/replay.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "services/grpc_status.h"
#include "services/server.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::Of;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::TempDir;
using ::ledger::testing::WithId;

class BackupGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open(dir_.Sub("data"), EventLogOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    auto server = LedgerServer::Start(log_.get(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    commands_ = v1::LedgerCommands::NewStub(channel_);
    audit_ = v1::LedgerAudit::NewStub(channel_);
    admin_ = v1::LedgerAdmin::NewStub(channel_);
  }

  void TearDown() override {
    if (server_) server_->Stop(absl::Seconds(2));
    server_.reset();
    log_.reset();
  }

  grpc::Status Append(const v1::AppendRequest& req, v1::AppendResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return commands_->Append(&ctx, req, resp);
  }

  grpc::Status Backup(const std::string& dir, v1::CreateBackupResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    v1::CreateBackupRequest req;
    req.set_backup_dir(dir);
    return admin_->CreateBackup(&ctx, req, resp);
  }

  v1::Event EventAt(uint64_t position) {
    grpc::ClientContext ctx;
    v1::GetEventRequest req;
    req.set_position(position);
    v1::GetEventResponse resp;
    grpc::Status s = audit_->GetEvent(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.event();
  }

  v1::Head ServerHead() {
    grpc::ClientContext ctx;
    v1::GetHeadResponse resp;
    EXPECT_TRUE(audit_->GetHead(&ctx, v1::GetHeadRequest(), &resp).ok());
    return resp.head();
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerCommands::Stub> commands_;
  std::unique_ptr<v1::LedgerAudit::Stub> audit_;
  std::unique_ptr<v1::LedgerAdmin::Stub> admin_;
};

TEST_F(BackupGrpcTest, BackupsUnderConcurrentAppendsHoldAnAcknowledgedHead) {
  v1::AppendResponse setup;
  ASSERT_TRUE(Append(Request({Beneficiary("fund-a")}), &setup).ok());

  absl::Mutex mu;
  std::map<uint64_t, std::string> acked;  // every head a client was told
  acked[setup.head().position()] = setup.head().hash();
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load() || i < 20; ++i) {
        v1::AppendRequest req =
            i % 3 == 0 ? Request({Donation(Gbp(100 + i), "fund-a"), Donation(Of(7, "JPY"))})
                       : Request({Donation(Gbp(100 + i), t % 2 ? "fund-a" : "")});
        v1::AppendResponse resp;
        grpc::Status s = Append(req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
        {
          absl::MutexLock lock(&mu);
          auto [it, inserted] = acked.emplace(resp.head().position(), resp.head().hash());
          EXPECT_EQ(it->second, resp.head().hash()) << "two hashes at " << resp.head().position();
        }
        appended.fetch_add(1);
      }
    });
  }

  const std::string backups = dir_.Sub("backups");
  std::vector<v1::CreateBackupResponse> taken;
  for (int b = 0; b < 4; ++b) {
    // Let some appends land between backups.
    const int target = appended.load() + 25;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (appended.load() < target && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
    ASSERT_GE(appended.load(), target) << "the appending clients stalled";
    const uint64_t before = ServerHead().position();
    v1::CreateBackupResponse resp;
    grpc::Status s = Backup(backups, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    const uint64_t after = ServerHead().position();
    // The backup holds a head from while it ran.
    EXPECT_GE(resp.head().position(), before);
    EXPECT_LE(resp.head().position(), after);
    taken.push_back(resp);
  }
  stop = true;
  for (auto& w : writers) w.join();
  const v1::Head final_head = ServerHead();
  ASSERT_GT(final_head.position(), taken.back().head().position())
      << "appends kept running after the last backup";

  uint64_t previous = 0;
  for (const v1::CreateBackupResponse& b : taken) {
    SCOPED_TRACE(absl::StrCat("backup ", b.backup_id(), " at head ", b.head().position()));
    EXPECT_EQ(b.ledger_id(), log_->ledger_id());
    EXPECT_GT(b.size_bytes(), 0u);
    EXPECT_GE(b.head().position(), previous);
    previous = b.head().position();
    // A head the server acknowledged, and the server's hash at that position.
    ASSERT_LE(b.head().position(), final_head.position());
    ASSERT_EQ(acked.count(b.head().position()), 1u) << "not a head any client was told";
    EXPECT_EQ(acked[b.head().position()], b.head().hash());
    EXPECT_EQ(EventAt(b.head().position()).hash(), b.head().hash());

    // Restored, it is exactly that ledger, and it verifies.
    const std::string target = dir_.Sub(absl::StrCat("restored-", b.backup_id()));
    auto restored = RestoreBackup(backups, b.backup_id(), target);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->head_position, b.head().position());
    EXPECT_EQ(restored->head_hash, b.head().hash());
    EventLogOptions ro;
    ro.read_only = true;
    auto copy = EventLog::Open(target, ro);
    ASSERT_TRUE(copy.ok()) << copy.status();
    auto view = (*copy)->NewReadView();
    EXPECT_EQ(view->head_position(), b.head().position());
    auto chain = VerifyChain(*view, 0, 0);
    ASSERT_TRUE(chain.ok());
    EXPECT_TRUE(chain->ok) << chain->problem;
    auto rebuild = RebuildAndCompare(*view);
    ASSERT_TRUE(rebuild.ok());
    EXPECT_TRUE(rebuild->match);
    // Every event of the copy is the server's event at that position.
    EXPECT_EQ(view->GetEvent(view->head_position())->hash, EventAt(view->head_position()).hash());

    auto report = VerifyBackup(backups, b.backup_id(), {dir_.path(), {}});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->head_position, b.head().position());
  }
  auto list = ListBackups(backups);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), taken.size());
}

TEST_F(BackupGrpcTest, BadBackupDirectoriesAreRefusedNamingTheField) {
  v1::CreateBackupResponse resp;
  grpc::Status relative = Backup("backups", &resp);
  EXPECT_EQ(relative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto detail = GetErrorDetail(FromGrpcStatus(relative));
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->field(), "backup_dir");
  grpc::Status inside = Backup(dir_.Sub("data/b"), &resp);
  EXPECT_EQ(inside.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(inside.error_message().find("inside the data directory"), std::string::npos);
  EXPECT_EQ(Backup("", &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(BackupGrpcTest, OnlineExportEqualsOfflineExport) {
  // More than one ReadEvents page (1000), with reversals.
  ASSERT_TRUE(log_->Append(Request({Beneficiary("fund-a")})).ok());
  for (int batch = 0; batch < 12; ++batch) {
    v1::AppendRequest req;
    for (int i = 0; i < 100; ++i) {
      *req.add_events() = WithId(Donation(Of(1 + i, i % 2 ? "JPY" : "BHD"), i % 3 ? "" : "fund-a"),
                                 absl::StrCat("d-", batch, "-", i));
    }
    ASSERT_TRUE(log_->Append(req).ok());
  }
  ASSERT_TRUE(log_->Append(Request({Allocation("fund-a", Of(50, "JPY")),
                                    Disbursement("fund-a", Of(40, "JPY")),
                                    Reversal("d-0-5", v1::REVERSAL_KIND_REFUND),
                                    Reversal("d-3-6", v1::REVERSAL_KIND_CORRECTION, 2, "BHD")}))
                  .ok());
  PageReader pages = [&](uint64_t from, uint32_t limit) -> absl::StatusOr<v1::ReadEventsResponse> {
    grpc::ClientContext ctx;
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(limit);
    v1::ReadEventsResponse resp;
    grpc::Status s = audit_->ReadEvents(&ctx, req, &resp);
    if (!s.ok()) return FromGrpcStatus(s);
    return resp;
  };
  TargetLookup lookup = [&](absl::string_view id) -> absl::StatusOr<std::optional<v1::Event>> {
    grpc::ClientContext ctx;
    v1::GetEventRequest req;
    req.set_event_id(std::string(id));
    v1::GetEventResponse resp;
    grpc::Status s = audit_->GetEvent(&ctx, req, &resp);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<v1::Event>();
    if (!s.ok()) return FromGrpcStatus(s);
    return std::optional<v1::Event>(resp.event());
  };
  for (ExportTable table : {ExportTable::kEvents, ExportTable::kPostings}) {
    for (ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJsonLines}) {
      std::ostringstream online, offline;
      auto a = ExportFromPages(pages, lookup, table, format, online);
      ASSERT_TRUE(a.ok()) << a.status();
      auto view = log_->NewReadView();
      auto b = ExportFromView(*view, table, format, offline);
      ASSERT_TRUE(b.ok()) << b.status();
      EXPECT_EQ(a->head_position, b->head_position);
      EXPECT_EQ(a->rows, b->rows);
      EXPECT_GT(a->events, 1000u);
      EXPECT_TRUE(online.str() == offline.str()) << "online and offline exports differ";
    }
  }
}

}  // namespace
}  // namespace ledger
