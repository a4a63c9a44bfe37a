// Goal: the Merkle tree kept beside the log is the RFC 6962 tree of the
// stored records, whatever the path that built it.
//   * After appends from many threads (so group commits hold several
//     requests, some refused), the stored tree's root at every size equals a
//     naive tree over the raw bytes of the events column family.
//   * A ledger written before the tree (the compat-v1 copy): opened
//     read-only it has no tree rows and proofs come from the records; opened
//     read-write it gets the family and the tree built at open, once.
//   * A catch-up cut short resumes where it stopped.
//   * The audit's rebuild catches a damaged, missing or extra node row, a
//     wrong size row, and a record changed under the tree.
#include "ledger/projections/tree_index.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "ledger/hash.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/storage/records.h"
#include "rocksdb/db.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Request;
using ::ledger::testing::TempDir;
using ::ledger::testing::WithId;

std::unique_ptr<EventLog> Open(const std::string& dir, bool read_only = false) {
  EventLogOptions options;
  options.read_only = read_only;
  options.create_if_missing = !read_only;
  options.sync = false;
  auto log = EventLog::Open(dir, testing::KeyedOptions(options));
  EXPECT_THAT(log, IsOk());
  return log.ok() ? std::move(*log) : nullptr;
}

// The raw values of the events column family, in position order.
std::vector<std::string> RawRecords(EventLog& log) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(log.database().raw_for_testing()->NewIterator(
      rocksdb::ReadOptions(), log.database().cf(kEventsCf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->value().ToString());
  return out;
}

// MTH over the first n leaves, straight from the definition.
std::string NaiveRoot(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  if (end == begin) return Sha256("");
  if (end - begin == 1) return Sha256(std::string(1, '\0') + leaves[begin]);
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return Sha256(std::string(1, '\1') + NaiveRoot(leaves, begin, begin + k) +
                NaiveRoot(leaves, begin + k, end));
}

// Every root and a sample of proofs of `log`'s tree against the raw records.
void ExpectTreeOfRecords(EventLog& log) {
  const std::vector<std::string> records = RawRecords(log);
  auto view = log.NewReadView();
  ASSERT_EQ(view->head_position(), records.size());
  ViewTree tree(*view);
  for (size_t size = 1; size <= records.size(); ++size) {
    auto root = tree.Root(size);
    ASSERT_THAT(root, IsOk());
    ASSERT_EQ(ToHex(*root), ToHex(NaiveRoot(records, 0, size))) << "size " << size;
  }
  const uint64_t n = records.size();
  for (uint64_t i = 0; i < n; i += 7) {
    auto proof = merkle::InclusionProof(tree, i, n);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(merkle::VerifyInclusion(i, n, merkle::LeafHash(records[i]), *proof,
                                        NaiveRoot(records, 0, n)),
                IsOk());
  }
  auto range = tree.Range();
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->Root(), NaiveRoot(records, 0, n));
}

void AppendDonations(EventLog& log, int n, const std::string& prefix) {
  for (int i = 0; i < n; ++i) {
    ASSERT_THAT(log.Append(Request({WithId(Donation(Gbp(100 + i)), absl::StrCat(prefix, i))})),
                IsOk());
  }
}

TEST(TreeIndexTest, TheStoredTreeIsTheTreeOfTheStoredRecords) {
  TempDir dir;
  auto log = Open(dir.Sub("l"));
  ASSERT_THAT(log->Append(Request({Beneficiary("lawyer")})), IsOk());
  // Eight threads: single events, batches, and refused requests (an
  // overdrawn fund) that must leave no leaf behind.
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        v1::AppendRequest req;
        *req.add_events() = WithId(Donation(Gbp(10)), absl::StrCat("t", t, "-", i));
        if (i % 3 == 0) *req.add_events() = WithId(Donation(Gbp(20)), absl::StrCat("u", t, "-", i));
        if (i % 5 == 0) {
          *req.add_events() =
              WithId(testing::Disbursement("lawyer", Gbp(1'000'000)), absl::StrCat("x", t, "-", i));
        }
        if (!log->Append(req).ok()) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused.load(), 8 * 8);
  EXPECT_GT(log->stats().max_group_requests, 1u) << "no group commit held two requests";
  ExpectTreeOfRecords(*log);
  {
    auto view = log->NewReadView();
    auto rebuild = RebuildAndCompare(*view);
    ASSERT_THAT(rebuild, IsOk());
    EXPECT_TRUE(rebuild->match) << rebuild->mismatches[0].key;
    EXPECT_TRUE(rebuild->tree_stored);
    // About one stored node per two events.
    EXPECT_GT(rebuild->tree_nodes_compared, view->head_position() / 3);
    EXPECT_EQ(rebuild->tree_root, *ViewTree(*view).Root(view->head_position()));
  }
  // The same after a reopen (the right edge is loaded from the rows).
  log.reset();
  log = Open(dir.Sub("l"));
  EXPECT_EQ(log->tree_caught_up_at_open(), 0u);
  AppendDonations(*log, 9, "after-");
  ExpectTreeOfRecords(*log);
}

fs::path CompatLedger() {
  return fs::path(LEDGER_SOURCE_DIR) / "tests" / "data" / "compat-v2" / "ledger";
}

TEST(TreeIndexTest, ALedgerWrittenBeforeTheTreeGetsItAtOpen) {
  TempDir dir;
  const std::string copy = dir.Sub("old");
  fs::copy(CompatLedger(), copy, fs::copy_options::recursive);
  std::string root_from_records;
  {
    // Read-only: no family is created, and the tree comes from the records.
    auto log = Open(copy, /*read_only=*/true);
    ASSERT_NE(log, nullptr);
    EXPECT_FALSE(log->database().has_cf(kMerkleCf));
    auto view = log->NewReadView();
    EXPECT_EQ(view->tree_rows(), nullptr);
    ExpectTreeOfRecords(*log);
    root_from_records = *ViewTree(*view).Root(view->head_position());
    auto rebuild = RebuildAndCompare(*view);
    ASSERT_THAT(rebuild, IsOk());
    EXPECT_TRUE(rebuild->match);
    EXPECT_FALSE(rebuild->tree_stored);
    EXPECT_EQ(rebuild->tree_root, root_from_records);
  }
  uint64_t head = 0;
  {
    auto log = Open(copy);
    ASSERT_NE(log, nullptr);
    head = log->head_position();
    EXPECT_EQ(log->tree_caught_up_at_open(), head);
    auto view = log->NewReadView();
    ASSERT_NE(view->tree_rows(), nullptr);
    EXPECT_EQ(*ViewTree(*view).StoredSize(), head);
    EXPECT_EQ(*ViewTree(*view).Root(head), root_from_records);
    AppendDonations(*log, 5, "new-");
    ExpectTreeOfRecords(*log);
  }
  auto log = Open(copy);
  EXPECT_EQ(log->tree_caught_up_at_open(), 0u);
  ExpectTreeOfRecords(*log);
}

TEST(TreeIndexTest, ACatchUpCutShortResumesWhereItStopped) {
  TempDir dir;
  const std::string path = dir.Sub("l");
  {
    auto log = Open(path);
    AppendDonations(*log, 200, "d-");
    // As if a catch-up had stopped at 64 leaves: the rows past it and the
    // size are those of a tree of 64 leaves.
    rocksdb::DB* db = log->database().raw_for_testing();
    rocksdb::ColumnFamilyHandle* cf = log->database().cf(kMerkleCf);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto node = DecodeTreeNodeKey(it->key().ToString());
      if (node && ((node->second + 1) << node->first) > 64) {
        ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, it->key()).ok());
      }
    }
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, TreeSizeKey(), EncodeBigEndian64(64)).ok());
  }
  auto log = Open(path);
  EXPECT_EQ(log->tree_caught_up_at_open(), log->head_position() - 64);
  ExpectTreeOfRecords(*log);
  auto view = log->NewReadView();
  EXPECT_TRUE(RebuildAndCompare(*view)->match);
}

TEST(TreeIndexTest, TheRebuildCatchesEveryKindOfDamage) {
  TempDir dir;
  auto log = Open(dir.Sub("l"));
  AppendDonations(*log, 40, "d-");
  rocksdb::DB* db = log->database().raw_for_testing();
  rocksdb::ColumnFamilyHandle* cf = log->database().cf(kMerkleCf);
  auto mismatch = [&]() -> std::string {
    auto view = log->NewReadView();
    auto rebuild = RebuildAndCompare(*view);
    EXPECT_THAT(rebuild, IsOk());
    if (!rebuild.ok() || rebuild->match) return "";
    return rebuild->mismatches[0].key;
  };
  ASSERT_EQ(mismatch(), "");
  const std::string node = TreeNodeKey(2, 3);
  std::string good;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cf, node, &good).ok());

  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, node, Sha256("forged")).ok());
  EXPECT_EQ(mismatch(), "merkle node level 2 index 3");
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, node).ok());
  EXPECT_EQ(mismatch(), "merkle node level 2 index 3");
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, node, good).ok());
  ASSERT_EQ(mismatch(), "");

  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, TreeNodeKey(5, 7), Sha256("extra")).ok());
  EXPECT_EQ(mismatch(), "(merkle node rows)");
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, TreeNodeKey(5, 7)).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, TreeSizeKey(), EncodeBigEndian64(3)).ok());
  EXPECT_EQ(mismatch(), "merkle tree size");
  ASSERT_TRUE(
      db->Put(rocksdb::WriteOptions(), cf, TreeSizeKey(), EncodeBigEndian64(log->head_position()))
          .ok());
  ASSERT_EQ(mismatch(), "");

  // A record changed under the tree (its chain hash left as it was): the
  // lowest stored node above the leaf (level 2: four leaves) no longer
  // matches.
  auto view = log->NewReadView();
  auto e = view->GetEvent(10);
  ASSERT_THAT(e, IsOk());
  std::string record = e->Record();
  record.back() ^= 1;
  ASSERT_THAT(testing::PutEventRecordForTest(*log, 10, record), IsOk());
  EXPECT_EQ(mismatch(), "merkle node level 2 index 2");
}

}  // namespace
}  // namespace ledger
