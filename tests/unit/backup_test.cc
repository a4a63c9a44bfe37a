// Goal: backups (ledger/backup.h) of a live ledger restore to exactly the
// ledger that was backed up. A backup records the head it holds (read back
// from the backup itself); later backups into the same directory add to it;
// listing shows every backup's head; verification checks every file's
// checksum, restores into scratch space, verifies the hash chain and rebuilds
// the projections, and catches both damaged backup files and a tampered log;
// a restore never overwrites anything (a non-empty directory, or a live
// ledger whose LOCK is held) and gives a ledger that opens and takes appends;
// backup directories inside the data directory, relative ones, and ones that
// hold other files are refused.
#include "ledger/audit/backup.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/storage/records.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Of;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::StatusIs;
using ::ledger::testing::WithId;
using ::testing::HasSubstr;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(ledger_.Open(), IsOk()); }

  void Append(v1::EventInput in) {
    auto r = ledger_.Append(Request({in}));
    ASSERT_TRUE(r.ok()) << r.status();
  }

  void Campaign(const std::string& tag) {
    Append(Beneficiary(absl::StrCat("ben-", tag)));
    Append(WithId(Donation(Gbp(10000), absl::StrCat("ben-", tag)), absl::StrCat("don-", tag)));
    Append(Donation(Of(5000, "JPY")));
    Append(Allocation(absl::StrCat("ben-", tag), Of(2000, "JPY")));
    Append(Disbursement(absl::StrCat("ben-", tag), Gbp(2500)));
    Append(Reversal(absl::StrCat("don-", tag), v1::REVERSAL_KIND_REFUND, 500, "GBP"));
  }

  // Opens `dir` read-only and checks chain and projections.
  void ExpectVerifies(const std::string& dir, uint64_t head, const std::string& hash) {
    EventLogOptions ro;
    ro.read_only = true;
    auto log = EventLog::Open(dir, ::ledger::testing::KeyedOptions(ro));
    ASSERT_TRUE(log.ok()) << log.status();
    auto view = (*log)->NewReadView();
    EXPECT_EQ(view->head_position(), head);
    EXPECT_EQ(view->head_hash(), hash);
    EXPECT_EQ(view->ledger_id(), ledger_.log().ledger_id());
    auto chain = VerifyChain(*view, 0, 0);
    ASSERT_THAT(chain, IsOk());
    EXPECT_TRUE(chain->ok) << chain->problem;
    auto rebuild = RebuildAndCompare(*view);
    ASSERT_THAT(rebuild, IsOk());
    EXPECT_TRUE(rebuild->match);
  }

  testing::TempLedger ledger_;
};

TEST_F(BackupTest, BackupsListVerifyAndRestoreToTheHeadTheyHold) {
  Campaign("a");
  const std::string backups = ledger_.Sub("backups");
  auto first = CreateBackup(ledger_.log(), backups);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->backup_id, 1u);
  EXPECT_EQ(first->head_position, ledger_.log().head_position());
  EXPECT_EQ(first->head_hash, ledger_.log().head_hash());
  EXPECT_EQ(first->ledger_id, ledger_.log().ledger_id());
  EXPECT_GT(first->size_bytes, 0u);
  EXPECT_GT(first->file_count, 0u);
  EXPECT_GT(first->created_at_seconds, 1700000000);

  Campaign("b");
  auto second = CreateBackup(ledger_.log(), backups);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->backup_id, 2u);
  EXPECT_EQ(second->head_position, ledger_.log().head_position());
  EXPECT_GT(second->head_position, first->head_position);

  auto list = ListBackups(backups);
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].backup_id, 1u);
  EXPECT_EQ((*list)[0].head_position, first->head_position);
  EXPECT_EQ((*list)[0].head_hash, first->head_hash);
  EXPECT_EQ((*list)[1].head_position, second->head_position);
  EXPECT_TRUE((*list)[1].problem.empty()) << (*list)[1].problem;

  // Latest (0) and a named one both verify, each at its own head.
  auto latest = VerifyBackup(backups, 0);
  ASSERT_THAT(latest, IsOk());
  EXPECT_TRUE(latest->ok()) << latest->files_problem << latest->restore_problem;
  EXPECT_EQ(latest->info.backup_id, 2u);
  EXPECT_EQ(latest->head_position, second->head_position);
  EXPECT_EQ(latest->chain.events_checked, second->head_position);
  auto older = VerifyBackup(backups, 1, {ledger_.dir().path(), {}});
  ASSERT_THAT(older, IsOk());
  EXPECT_TRUE(older->ok());
  EXPECT_EQ(older->head_hash, first->head_hash);
  // Listing and verifying read the backups, never change them.
  EXPECT_TRUE(VerifyBackup(backups, 1)->files_ok);

  // Restore the first backup into a new directory: a working ledger at its head.
  auto restored = RestoreBackup(backups, 1, ledger_.Sub("restored/ledger"));
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(restored->backup_id, 1u);
  EXPECT_EQ(restored->head_position, first->head_position);
  EXPECT_EQ(restored->head_hash, first->head_hash);
  ExpectVerifies(ledger_.Sub("restored/ledger"), first->head_position, first->head_hash);
  {
    auto reopened = EventLog::Open(ledger_.Sub("restored/ledger"), ::ledger::testing::KeyedOptions());
    ASSERT_THAT(reopened, IsOk());
    auto r = (*reopened)->Append(Request({Donation(Gbp(1))}));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->head_position, first->head_position + 1);
  }
  // No scratch or staging directories are left behind.
  for (const auto& entry : fs::directory_iterator(ledger_.Sub("restored"))) {
    EXPECT_EQ(entry.path().filename(), "ledger");
  }
  for (const auto& entry : fs::directory_iterator(ledger_.dir().path())) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr("ledger-verify")));
  }
}

TEST_F(BackupTest, BadBackupDirectoriesAreRefused) {
  EXPECT_THAT(CreateBackup(ledger_.log(), ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CreateBackup(ledger_.log(), "relative/backups"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("new\nline")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub(std::string(5000, 'x'))),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto inside = CreateBackup(ledger_.log(), ledger_.Sub("ledger/backups"));
  EXPECT_THAT(inside, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(inside.status().message(), HasSubstr("inside the data directory"));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.path()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("ledger/../ledger/x")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Through a symlink that points into the data directory.
  fs::create_directory_symlink(ledger_.path(), ledger_.Sub("link"));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("link/b")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A directory with other files in it.
  fs::create_directories(ledger_.Sub("photos"));
  std::ofstream(ledger_.Sub("photos/cat.jpg")) << "meow";
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("photos")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A file.
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("photos/cat.jpg")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A sibling whose name starts like the data directory is fine.
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("ledger-backups")), IsOk());
  // An empty directory is fine.
  fs::create_directories(ledger_.Sub("empty"));
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("empty")), IsOk());
  // A directory with another ledger's backups.
  {
    auto other = EventLog::Open(ledger_.Sub("other-data"), ::ledger::testing::KeyedOptions());
    ASSERT_THAT(other, IsOk());
    ASSERT_THAT(CreateBackup(**other, ledger_.Sub("other-backups")), IsOk());
  }
  auto mixed = CreateBackup(ledger_.log(), ledger_.Sub("other-backups"));
  EXPECT_THAT(mixed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(mixed.status().message(), HasSubstr("another ledger"));
  // A read-only log is not the live ledger.
  ledger_.Close();
  EventLogOptions ro;
  ro.read_only = true;
  ASSERT_THAT(ledger_.Open(ro), IsOk());
  EXPECT_THAT(CreateBackup(ledger_.log(), ledger_.Sub("more")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(BackupTest, RestoreNeverOverwrites) {
  Campaign("a");
  const std::string backups = ledger_.Sub("backups");
  ASSERT_THAT(CreateBackup(ledger_.log(), backups), IsOk());
  // Onto the live ledger: its LOCK is held.
  auto live = RestoreBackup(backups, 0, ledger_.path());
  EXPECT_THAT(live, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(live.status().message(), HasSubstr("LOCK is held"));
  // Onto a stopped ledger (or anything else that is not empty).
  ledger_.Close();
  EXPECT_THAT(RestoreBackup(backups, 0, ledger_.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  fs::create_directories(ledger_.Sub("other"));
  std::ofstream(ledger_.Sub("other/notes.txt")) << "x";
  EXPECT_THAT(RestoreBackup(backups, 0, ledger_.Sub("other")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The data directory is untouched.
  EXPECT_THAT(ledger_.Open(), IsOk());
  // Unknown backups and directories.
  EXPECT_THAT(RestoreBackup(backups, 9, ledger_.Sub("new")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RestoreBackup(ledger_.Sub("nothing"), 0, ledger_.Sub("new")),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ListBackups(ledger_.Sub("nothing")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(VerifyBackup(backups, 9), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(ledger_.Sub("new")));
  // An empty directory is a fine target.
  fs::create_directories(ledger_.Sub("empty"));
  EXPECT_THAT(RestoreBackup(backups, 0, ledger_.Sub("empty/")), IsOk());
}

TEST_F(BackupTest, VerifyCatchesDamagedFiles) {
  Campaign("a");
  const std::string backups = ledger_.Sub("backups");
  ASSERT_THAT(CreateBackup(ledger_.log(), backups), IsOk());
  // Flip a byte in the middle of every backed-up table file.
  int damaged = 0;
  for (const auto& entry : fs::recursive_directory_iterator(backups)) {
    if (entry.path().extension() != ".sst") continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    const auto size = fs::file_size(entry.path());
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(&c, 1);
    ++damaged;
  }
  ASSERT_GT(damaged, 0);
  auto report = VerifyBackup(backups, 0);
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->files_ok);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->files_problem, HasSubstr("hecksum"));
}

TEST_F(BackupTest, VerifyCatchesATamperedLog) {
  Campaign("a");
  // Rewrite the donation at position 3 keeping its old hash, then back up:
  // the files are intact, but the chain is not.
  auto view = ledger_.log().NewReadView();
  auto stored = view->GetEvent(3);
  ASSERT_THAT(stored, IsOk());
  v1::EventPayload payload = stored->payload;
  payload.mutable_body()->mutable_donation_received()->mutable_amount()->set_amount_minor(1);
  ASSERT_TRUE(testing::PutEventRecordForTest(
                  ledger_.log(), 3,
                  EncodeEventRecord(stored->prev_hash, stored->hash, payload.SerializeAsString()))
                  .ok());
  const std::string backups = ledger_.Sub("backups");
  ASSERT_THAT(CreateBackup(ledger_.log(), backups), IsOk());
  auto report = VerifyBackup(backups, 0);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->files_ok);
  EXPECT_TRUE(report->restored);
  EXPECT_FALSE(report->chain.ok);
  EXPECT_EQ(report->chain.first_bad_position, 3u);
  EXPECT_FALSE(report->ok());
}

}  // namespace
}  // namespace ledger
