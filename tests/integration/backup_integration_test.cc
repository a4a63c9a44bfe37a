// Goal: LedgerAdmin.CreateBackup over real gRPC takes consistent backups
// while clients keep appending: each backup holds exactly a head the server
// acknowledged to some client (position and hash), no later than the final
// head and equal to the server's own hash at that position; it restores to a
// ledger whose chain verifies and whose projections rebuild to what is
// stored. Backups go under the server's backup root by name; anything but
// one safe path component is refused (BACKUP_NAME) and writes nothing. An export
// read over gRPC (ReadEvents pages, GetEvent for reversal targets) is byte
// for byte the offline export of the same head.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "ledger/audit/backup.h"
#include "ledger/audit/export.h"
#include "ledger/audit/replay.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "services/grpc_status.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::AllDetails;
using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Of;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::WithId;

class BackupGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(server_.Start(), IsOk()); }

  // A backup named `name` (under the server's backup root).
  grpc::Status Backup(const std::string& name, v1::CreateBackupResponse* resp) {
    v1::CreateBackupRequest req;
    req.set_name(name);
    return Backup(req, resp);
  }
  grpc::Status Backup(const v1::CreateBackupRequest& req, v1::CreateBackupResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    return server_.admin().CreateBackup(&ctx, req, resp);
  }
  // Where the server puts the backups named `name`.
  std::string Under(const std::string& name) {
    return absl::StrCat(server_.server_options().backup_root, "/", name);
  }

  v1::Event EventAt(uint64_t position) {
    grpc::ClientContext ctx;
    v1::GetEventRequest req;
    req.set_position(position);
    v1::GetEventResponse resp;
    grpc::Status s = server_.audit().GetEvent(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.event();
  }

  testing::TestServer server_;
};

TEST_F(BackupGrpcTest, BackupsUnderConcurrentAppendsHoldAnAcknowledgedHead) {
  v1::AppendResponse setup;
  ASSERT_TRUE(server_.Append(Request({Beneficiary("fund-a")}), &setup).ok());

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
        grpc::Status s = server_.Append(req, &resp);
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

  const std::string backups = Under("nightly");
  std::vector<v1::CreateBackupResponse> taken;
  for (int b = 0; b < 4; ++b) {
    // Let some appends land between backups.
    const int target = appended.load() + 25;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (appended.load() < target && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
    ASSERT_GE(appended.load(), target) << "the appending clients stalled";
    const uint64_t before = server_.Head().position();
    v1::CreateBackupResponse resp;
    grpc::Status s = Backup("nightly", &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    const uint64_t after = server_.Head().position();
    // The backup holds a head from while it ran.
    EXPECT_GE(resp.head().position(), before);
    EXPECT_LE(resp.head().position(), after);
    taken.push_back(resp);
  }
  stop = true;
  for (auto& w : writers) w.join();
  const v1::Head final_head = server_.Head();
  ASSERT_GT(final_head.position(), taken.back().head().position())
      << "appends kept running after the last backup";

  uint64_t previous = 0;
  for (const v1::CreateBackupResponse& b : taken) {
    SCOPED_TRACE(absl::StrCat("backup ", b.backup_id(), " at head ", b.head().position()));
    EXPECT_EQ(b.ledger_id(), server_.log().ledger_id());
    EXPECT_GT(b.size_bytes(), 0u);
    EXPECT_GE(b.head().position(), previous);
    previous = b.head().position();
    // A head the server acknowledged, and the server's hash at that position.
    ASSERT_LE(b.head().position(), final_head.position());
    ASSERT_EQ(acked.count(b.head().position()), 1u) << "not a head any client was told";
    EXPECT_EQ(acked[b.head().position()], b.head().hash());
    EXPECT_EQ(EventAt(b.head().position()).hash(), b.head().hash());

    // Restored, it is exactly that ledger, and it verifies.
    const std::string target = server_.ledger().Sub(absl::StrCat("restored-", b.backup_id()));
    auto restored = RestoreBackup(backups, b.backup_id(), target);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->head_position, b.head().position());
    EXPECT_EQ(restored->head_hash, b.head().hash());
    EventLogOptions ro;
    ro.read_only = true;
    auto copy = EventLog::Open(target, ::ledger::testing::KeyedOptions(ro));
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

    auto report = VerifyBackup(backups, b.backup_id(), {server_.ledger().dir().path(), {}});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->head_position, b.head().position());
  }
  auto list = ListBackups(backups);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), taken.size());
}

TEST_F(BackupGrpcTest, BackupsGoUnderTheRootByNameAndNothingElseIsWritten) {
  v1::CreateBackupResponse resp;
  ASSERT_TRUE(Backup("weekly-1.a_b", &resp).ok());
  EXPECT_EQ(resp.backup_dir(), Under("weekly-1.a_b"));
  EXPECT_EQ(resp.backup_id(), 1u);
  ASSERT_TRUE(ListBackups(Under("weekly-1.a_b")).ok());

  // Everything a hostile admin client might try instead of a name. The
  // temp directory beside the ledger is where anything escaping would land.
  const std::string outside = server_.ledger().Sub("outside");
  const std::vector<std::string> bad_names = {
      "",
      ".",
      "..",
      "../outside",
      "..%2foutside",
      "a/b",
      "/tmp/x",
      outside,
      ".hidden",
      "-dash-first",
      "sp ace",
      "tab\t",
      "new\nline",
      std::string("nul\0x", 5),
      "caf\xc3\xa9",
      std::string(kMaxBackupNameLength + 1, 'a'),
  };
  for (const std::string& name : bad_names) {
    SCOPED_TRACE(absl::CHexEscape(name));
    grpc::Status s = Backup(name, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    auto detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->reason(), kReasonBackupName);
    EXPECT_EQ(detail->field(), "name");
  }
  EXPECT_TRUE(Backup(std::string(kMaxBackupNameLength, 'a'), &resp).ok());
  // A path is never taken, even an absolute one outside the data directory.
  v1::CreateBackupRequest with_path;
  with_path.set_backup_dir(outside);
  with_path.set_name("fine");
  grpc::Status path = Backup(with_path, &resp);
  EXPECT_EQ(path.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetErrorDetail(FromGrpcStatus(path))->field(), "backup_dir");
  // A symbolic link planted in the root is not followed.
  std::filesystem::create_directories(outside);
  std::filesystem::create_directory_symlink(outside, Under("planted"));
  grpc::Status link = Backup("planted", &resp);
  EXPECT_EQ(link.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << link.error_message();
  EXPECT_TRUE(std::filesystem::is_empty(outside));
  EXPECT_FALSE(std::filesystem::exists(server_.ledger().Sub("fine")));
  // The root holds the two good backups and the planted link, nothing more.
  std::set<std::string> in_root;
  for (const auto& entry :
       std::filesystem::directory_iterator(server_.server_options().backup_root)) {
    in_root.insert(entry.path().filename().string());
  }
  EXPECT_EQ(in_root, (std::set<std::string>{"weekly-1.a_b", std::string(kMaxBackupNameLength, 'a'),
                                            "planted"}));
}

TEST_F(BackupGrpcTest, OnlineExportEqualsOfflineExport) {
  // More than one ReadEvents page (1000), with reversals.
  ASSERT_TRUE(server_.log().Append(Request({Beneficiary("fund-a")})).ok());
  for (int batch = 0; batch < 12; ++batch) {
    v1::AppendRequest req;
    for (int i = 0; i < 100; ++i) {
      *req.add_events() = WithId(Donation(Of(1 + i, i % 2 ? "JPY" : "BHD"), i % 3 ? "" : "fund-a"),
                                 absl::StrCat("d-", batch, "-", i));
    }
    ASSERT_TRUE(server_.log().Append(req).ok());
  }
  ASSERT_TRUE(server_.log()
                  .Append(Request({Allocation("fund-a", Of(50, "JPY")),
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
    grpc::Status s = server_.audit().ReadEvents(&ctx, req, &resp);
    if (!s.ok()) return FromGrpcStatus(s);
    return resp;
  };
  TargetLookup lookup = [&](absl::string_view id) -> absl::StatusOr<std::optional<v1::Event>> {
    grpc::ClientContext ctx;
    v1::GetEventRequest req;
    req.set_event_id(std::string(id));
    v1::GetEventResponse resp;
    grpc::Status s = server_.audit().GetEvent(&ctx, req, &resp);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<v1::Event>();
    if (!s.ok()) return FromGrpcStatus(s);
    return std::optional<v1::Event>(resp.event());
  };
  for (ExportTable table : {ExportTable::kEvents, ExportTable::kPostings}) {
    for (ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJsonLines}) {
      std::ostringstream online, offline;
      auto a = ExportFromPages(pages, lookup, table, format, online);
      ASSERT_TRUE(a.ok()) << a.status();
      auto view = server_.log().NewReadView();
      auto b = ExportFromView(*view, table, format, offline, {}, AllDetails(server_.log()));
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
