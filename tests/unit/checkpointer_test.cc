// Goal: the checkpoint signer behaves as docs/AUDITING.md says.
//   * While the log grows it signs a checkpoint of the head at most once per
//     interval (never one per commit); while the log is idle it signs none.
//     Every checkpoint verifies under the ledger's key, and each extends the
//     one before it (consistency proofs from the stored tree).
//   * It keeps every cosigned checkpoint and the newest N others.
//   * It refuses to start (DATA_LOSS) on a log that no longer extends its
//     newest checkpoint - rewritten, or cut short - and on another origin.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/projections/tree_index.h"
#include "ledger/transparency/checkpoints.h"
#include "ledger/transparency/receipt.h"
#include "rocksdb/db.h"
#include "tests/testing/tamper.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::Request;
using ::ledger::testing::StatusIs;
using ::ledger::testing::WithId;

merkle::Ed25519PrivateKey NewKey() {
  auto key = merkle::Ed25519PrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  return *key;
}

void Donate(EventLog& log, const std::string& id) {
  ASSERT_THAT(log.Append(Request({WithId(Donation(Gbp(100)), id)})), IsOk());
}

// Every kept checkpoint, oldest first.
std::vector<v1::Checkpoint> Kept(EventLog& log) {
  CheckpointStore store(&log.database());
  std::vector<v1::Checkpoint> out;
  auto sizes = store.NewestSizes(100000);
  EXPECT_THAT(sizes, IsOk());
  for (uint64_t size : *sizes) out.push_back(**store.Load(size));
  return out;
}

TEST(CheckpointerTest, SignsWhileTheLogGrowsAtMostOncePerIntervalAndNothingWhenIdle) {
  testing::TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  CheckpointerOptions options;
  options.interval = absl::Milliseconds(200);
  auto signer = Checkpointer::Start(&ledger.log(), NewKey(), options);
  ASSERT_THAT(signer, IsOk());
  const auto start = std::chrono::steady_clock::now();
  int commits = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)) {
    Donate(ledger.log(), absl::StrCat("d-", commits++));
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  std::vector<v1::Checkpoint> kept = Kept(ledger.log());
  // One at start, then about one per 200 ms of growth: far fewer than the
  // commits, and at least a few.
  EXPECT_GE(kept.size(), 4u);
  EXPECT_LE(kept.size(), 12u);
  EXPECT_LT(kept.size() * 4, static_cast<size_t>(commits)) << commits << " commits";
  EXPECT_EQ(kept.back().tree_size(), ledger.log().head_position()) << "the last growth unsigned";
  // Idle: nothing more.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Kept(ledger.log()).size(), kept.size());
  EXPECT_THAT((*signer)->last_error(), IsOk());
  // Each verifies under the ledger's key and extends the one before.
  auto view = ledger.log().NewReadView();
  ViewTree tree(*view);
  for (size_t i = 0; i < kept.size(); ++i) {
    auto opened = OpenCheckpoint(kept[i].note(), (*signer)->verifier_key());
    ASSERT_THAT(opened, IsOk()) << i;
    EXPECT_EQ(opened->root, *tree.Root(opened->size));
    if (i == 0) continue;
    const uint64_t a = kept[i - 1].tree_size(), b = kept[i].tree_size();
    ASSERT_LT(a, b);
    auto proof = merkle::ConsistencyProof(tree, a, b);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(
        merkle::VerifyConsistency(a, b, kept[i - 1].root_hash(), kept[i].root_hash(), *proof),
        IsOk());
  }
}

TEST(CheckpointerTest, KeepsEveryCosignedCheckpointAndTheNewestOthers) {
  testing::TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  const merkle::Ed25519PrivateKey witness = NewKey();
  CheckpointerOptions options;
  options.interval = absl::Hours(1);  // signs only when told
  options.keep = 3;
  options.witnesses.push_back({"w.example", merkle::kTypeCosignatureV1, witness.public_key()});
  auto signer = Checkpointer::Start(&ledger.log(), NewKey(), options);
  ASSERT_THAT(signer, IsOk());
  std::vector<uint64_t> signed_sizes = {1};
  for (int i = 0; i < 8; ++i) {
    Donate(ledger.log(), absl::StrCat("d-", i));
    auto cp = (*signer)->SignNow();
    ASSERT_THAT(cp, IsOk());
    signed_sizes.push_back(cp->tree_size());
    if (i == 2) {
      // A witness cosigns the checkpoint of 4 events.
      const std::string text = cp->note().substr(0, cp->note().find("\n\n") + 1);
      merkle::SignedNote n{
          text, {merkle::Cosign(text, absl::ToUnixSeconds(absl::Now()), "w.example", witness)}};
      ASSERT_THAT((*signer)->AddCosignature(n.Format()), IsOk());
    }
  }
  std::vector<uint64_t> kept;
  for (const v1::Checkpoint& cp : Kept(ledger.log())) kept.push_back(cp.tree_size());
  EXPECT_EQ(kept, (std::vector<uint64_t>{4, 7, 8, 9}));
  auto got = (*signer)->Get(0);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->checkpoint().tree_size(), 9u);
  EXPECT_EQ(got->latest_cosigned().tree_size(), 4u);
  ASSERT_EQ(got->latest_cosigned().cosignatures_size(), 1);
  EXPECT_EQ(got->latest_cosigned().cosignatures(0).witness(), "w.example");
  EXPECT_TRUE(absl::StrContains(got->latest_cosigned().note(), "\xE2\x80\x94 w.example "));
  EXPECT_THAT((*signer)->Get(5), StatusIs(absl::StatusCode::kNotFound));
  // After a restart the same is kept (the window is read back).
  signer->reset();
  signer = Checkpointer::Start(&ledger.log(), NewKey(), options);
  ASSERT_THAT(signer, IsOk());
  Donate(ledger.log(), "d-last");
  ASSERT_THAT((*signer)->SignNow(), IsOk());
  kept.clear();
  for (const v1::Checkpoint& cp : Kept(ledger.log())) kept.push_back(cp.tree_size());
  EXPECT_EQ(kept, (std::vector<uint64_t>{4, 8, 9, 10}));
}

TEST(CheckpointerTest, RefusesToSignOverARewrittenLog) {
  testing::TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  const merkle::Ed25519PrivateKey key = NewKey();
  ASSERT_THAT(ledger.log().Append(Request(
                  {testing::Beneficiary("lawyer"), WithId(Donation(Gbp(10000), "lawyer"), "don"),
                   WithId(testing::Disbursement("lawyer", Gbp(10000)), "pay")})),
              IsOk());
  {
    auto signer = Checkpointer::Start(&ledger.log(), key, {});
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->Latest()->tree_size(), 4u);
  }
  ledger.Close();
  ASSERT_THAT(
      testing::RewriteHistoryForTest(
          ledger.path(), "pay",
          [](v1::EventPayload& p) {
            p.mutable_body()->mutable_disbursement_made()->mutable_amount()->set_amount_minor(6000);
          },
          testing::RewriteOptions{testing::TestPrivateKey(), /*keep_checkpoints=*/true}),
      IsOk());
  ASSERT_THAT(ledger.Open(), IsOk());
  auto refused = Checkpointer::Start(&ledger.log(), key, {});
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(refused.status().message(),
                                "the log was changed after checkpoint 4 was signed"))
      << refused.status();
  // Another origin is refused before anything is signed.
  CheckpointerOptions other;
  other.origin = "another.example/log";
  EXPECT_THAT(Checkpointer::Start(&ledger.log(), key, other),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(CheckpointerTest, RefusesToSignOverALogCutShort) {
  testing::TempLedger ledger, copy;
  ASSERT_THAT(ledger.Open(), IsOk());
  const merkle::Ed25519PrivateKey key = NewKey();
  Donate(ledger.log(), "d-1");
  ledger.Close();
  // The copy stays at 2 events; the ledger grows to 4 and signs that.
  std::filesystem::copy(ledger.path(), copy.path(), std::filesystem::copy_options::recursive);
  ASSERT_THAT(ledger.Open(), IsOk());
  Donate(ledger.log(), "d-2");
  Donate(ledger.log(), "d-3");
  {
    auto signer = Checkpointer::Start(&ledger.log(), key, {});
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->Latest()->tree_size(), 4u);
  }
  // The checkpoints move onto the copy, as if its last events were removed.
  ASSERT_THAT(copy.Open(), IsOk());
  rocksdb::DB* from = ledger.log().database().raw_for_testing();
  rocksdb::DB* to = copy.log().database().raw_for_testing();
  std::unique_ptr<rocksdb::Iterator> it(
      from->NewIterator(rocksdb::ReadOptions(), ledger.log().database().cf(kCheckpointsCf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSERT_TRUE(to->Put(rocksdb::WriteOptions(), copy.log().database().cf(kCheckpointsCf),
                        it->key(), it->value())
                    .ok());
  }
  auto refused = Checkpointer::Start(&copy.log(), key, {});
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "its log now ends at 2"))
      << refused.status();
}

}  // namespace
}  // namespace ledger
