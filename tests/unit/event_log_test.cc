// Goal: the log survives close and reopen unchanged, its hash chain catches a
// tampered record at its position, and it refuses directories that are in use
// or are not ledgers.
#include "ledger/writer/event_log.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/hash.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/records.h"
#include "ledger/storage/rows.h"
#include "ledger/views/queries.h"
#include "rocksdb/db.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Allocation;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::StatusIs;
using ::ledger::testing::TempDir;
using ::ledger::testing::TempLedger;
using ::ledger::testing::WithId;

void AppendCampaign(EventLog& log) {
  ASSERT_THAT(log.Append(Request({Beneficiary("lawyer"), Beneficiary("medic")})), IsOk());
  for (int i = 0; i < 50; ++i) {
    ASSERT_THAT(log.Append(Request({WithId(Donation(Gbp(1000 + i), i % 2 ? "lawyer" : ""),
                                           absl::StrCat("don-", i))})),
                IsOk());
  }
  ASSERT_THAT(log.Append(Request({Allocation("medic", Gbp(3000)), Disbursement("lawyer", Gbp(500)),
                                  Reversal("don-4")})),
              IsOk());
}

TEST(EventLogTest, NewLedgerStartsWithGenesis) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_EQ(log->head_position(), 1u);
  EXPECT_EQ(log->ledger_id().size(), 32u);
  auto view = log->NewReadView();
  auto genesis = GetApiEvent(*view, 1);
  ASSERT_THAT(genesis, IsOk());
  EXPECT_EQ(genesis->body().ledger_opened().ledger_id(), log->ledger_id());
  EXPECT_EQ(genesis->prev_hash(), ZeroHash());
  EXPECT_EQ(genesis->hash(), log->head_hash());
}

TEST(EventLogTest, ReopenGivesSameHeadEventsAndBalances) {
  TempLedger ledger;
  std::string head_hash, state, ledger_id;
  uint64_t head = 0;
  {
    ASSERT_THAT(ledger.Open(), IsOk());
    EventLog* log = &ledger.log();
    AppendCampaign(*log);
    head = log->head_position();
    head_hash = log->head_hash();
    ledger_id = log->ledger_id();
    auto view = log->NewReadView();
    state = testing::RenderState(*view);
  }
  ASSERT_THAT(ledger.Reopen(), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_EQ(log->head_position(), head);
  EXPECT_EQ(log->head_hash(), head_hash);
  EXPECT_EQ(log->ledger_id(), ledger_id);
  auto view = log->NewReadView();
  EXPECT_EQ(testing::RenderState(*view), state);
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_EQ(chain->events_checked, head);
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_TRUE(rebuild->match);
  EXPECT_EQ(rebuild->events_replayed, head);
  // Appends go on from the same head after reopening.
  auto more = log->Append(Request({Donation(Gbp(1))}));
  ASSERT_THAT(more, IsOk());
  EXPECT_EQ(more->positions[0], head + 1);
}

TEST(EventLogTest, ReadOnlyOpenSeesTheSameLedger) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  AppendCampaign(ledger.log());
  const uint64_t head = ledger.log().head_position();
  EventLogOptions ro;
  ro.read_only = true;
  ASSERT_THAT(ledger.Reopen(ro), IsOk());
  EventLog* log = &ledger.log();
  EXPECT_EQ(log->head_position(), head);
  auto view = log->NewReadView();
  auto chain = VerifyChain(*view, 0, 0);
  EXPECT_TRUE(chain.ok() && chain->ok);
}

TEST(EventLogTest, TamperedEventIsCaughtAtItsPosition) {
  TempLedger ledger;
  {
    ASSERT_THAT(ledger.Open(), IsOk());
    EventLog* log = &ledger.log();
    AppendCampaign(*log);
    // Rewrite the amount of the donation at position 10, keeping its old hash.
    auto view = log->NewReadView();
    auto stored = view->GetEvent(10);
    ASSERT_THAT(stored, IsOk());
    v1::EventPayload payload = stored->payload;
    payload.mutable_body()->mutable_donation_received()->mutable_amount()->set_amount_minor(1);
    std::string value =
        EncodeEventRecord(stored->prev_hash, stored->hash, payload.SerializeAsString());
    ASSERT_TRUE(testing::PutEventRecordForTest(*log, 10, value).ok());
  }
  ASSERT_THAT(ledger.Reopen(), IsOk());
  auto view = ledger.log().NewReadView();
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_FALSE(chain->ok);
  EXPECT_EQ(chain->first_bad_position, 10u);
  EXPECT_THAT(chain->problem, ::testing::HasSubstr("altered"));
  // A range that ends before the damage verifies; one that includes it fails.
  EXPECT_TRUE(VerifyChain(*view, 1, 9)->ok);
  EXPECT_EQ(VerifyChain(*view, 5, 20)->first_bad_position, 10u);
}

// The meta row "head" is what appends chain from; open checks it against the
// event it names, so a ledger whose head and log disagree (a lost or altered
// last event, a head row from another copy) is never appended to.
TEST(EventLogTest, OpenRefusesAHeadThatDoesNotMatchItsEvent) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  AppendCampaign(ledger.log());
  const uint64_t head = ledger.log().head_position();
  const std::string head_hash = ledger.log().head_hash();
  ledger.Close();
  // Written with RocksDB directly: the ledger itself will not open.
  auto put_meta_head = [&](uint64_t position, const std::string& hash) {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), ledger.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), ledger.path(), cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta") {
        EXPECT_TRUE(db->Put(wo, handles[i], "head", EncodeHead(position, hash)).ok());
      }
    }
    for (auto* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  };
  auto expect_refused = [&](const std::string& wanted) {
    absl::Status reopened = ledger.Open();
    EXPECT_THAT(reopened, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(reopened.message()), ::testing::HasSubstr(wanted));
    ledger.Close();
    EventLogOptions ro;
    ro.read_only = true;
    EXPECT_THAT(ledger.Open(ro), StatusIs(absl::StatusCode::kDataLoss));
    ledger.Close();
  };

  // The head's hash altered.
  std::string other = head_hash;
  other[0] = static_cast<char>(other[0] ^ 0x01);
  put_meta_head(head, other);
  expect_refused(absl::StrCat("the head hash does not match the event at position ", head));

  // The head beyond the last event (as if the last commit's events were lost).
  put_meta_head(head + 1, head_hash);
  expect_refused(absl::StrCat("head event ", head + 1, " is missing"));

  // The head behind the log (the right hash of an earlier event would still
  // leave later events unchained): it names an event whose hash is not it.
  put_meta_head(head - 1, head_hash);
  expect_refused(absl::StrCat("the head hash does not match the event at position ", head - 1));

  // Put right, the ledger opens with the same head and verifies.
  put_meta_head(head, head_hash);
  ASSERT_THAT(ledger.Open(), IsOk());
  EXPECT_EQ(ledger.log().head_position(), head);
  auto view = ledger.log().NewReadView();
  EXPECT_TRUE(VerifyChain(*view, 0, 0)->ok);
}

TEST(EventLogTest, RebuildCatchesDamagedProjectionRows) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  AppendCampaign(*log);
  auto* state = log->database().cf("state");
  rocksdb::WriteOptions wo;
  // A fund row altered, and one date-index row removed (a position-keyed row,
  // which the rebuild compares as it goes rather than holding in memory).
  v1::FundBalance forged;
  forged.set_fund("general");
  forged.set_currency("GBP");
  forged.set_available_minor(1);
  ASSERT_TRUE(log->database()
                  .raw_for_testing()
                  ->Put(wo, state, FundKey("general", "GBP"), forged.SerializeAsString())
                  .ok());
  std::string occ_key;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        log->database().raw_for_testing()->NewIterator(rocksdb::ReadOptions(), state));
    it->Seek("occ/");
    ASSERT_TRUE(it->Valid());
    occ_key = it->key().ToString();
  }
  ASSERT_TRUE(log->database().raw_for_testing()->Delete(wo, state, occ_key).ok());
  auto view = log->NewReadView();
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_FALSE(rebuild->match);
  std::string keys;
  for (const auto& m : rebuild->mismatches) keys += m.key + ";";
  EXPECT_THAT(keys, ::testing::HasSubstr("fund/general/GBP"));
  EXPECT_THAT(keys, ::testing::HasSubstr("occ/"));
}

TEST(EventLogTest, SecondOpenOfALockedDirectoryIsRefused) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  auto second = EventLog::Open(ledger.path(), ::ledger::testing::KeyedOptions());
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(second.status().message()), ::testing::HasSubstr("in use"));
}

TEST(EventLogTest, DirectoryThatIsNotALedgerIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("photos"));
  std::ofstream(dir.Sub("photos/cat.jpg")) << "meow";
  auto log = EventLog::Open(dir.Sub("photos"), ::ledger::testing::KeyedOptions());
  EXPECT_THAT(log, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(log.status().message()), ::testing::HasSubstr("not a ledger"));
  EventLogOptions ro;
  ro.read_only = true;
  EXPECT_THAT(EventLog::Open(dir.Sub("missing"), ::ledger::testing::KeyedOptions(ro)), StatusIs(absl::StatusCode::kNotFound));
}

TEST(EventLogTest, ReadViewIsASnapshot) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  EventLog* log = &ledger.log();
  auto before = log->NewReadView();
  ASSERT_THAT(log->Append(Request({Donation(Gbp(500))})), IsOk());
  EXPECT_EQ(before->head_position(), 1u);
  EXPECT_EQ(testing::Available(*before, "general", "GBP"), 0);
  auto after = log->NewReadView();
  EXPECT_EQ(after->head_position(), 2u);
  EXPECT_EQ(testing::Available(*after, "general", "GBP"), 500);
}

TEST(EventLogTest, RecordDecoderRefusesDamage) {
  EXPECT_THAT(DecodeEventRecord("short"), StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_version = EncodeEventRecord(ZeroHash(), ZeroHash(), "x");
  bad_version[0] = 9;
  EXPECT_THAT(DecodeEventRecord(bad_version), StatusIs(absl::StatusCode::kDataLoss));
  auto ok = DecodeEventRecord(EncodeEventRecord(ZeroHash(), std::string(32, 'h'), "payload"));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->payload, "payload");
  EXPECT_THAT(DecodeIdEntry("1234"), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ledger
