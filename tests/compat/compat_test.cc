// Goal: the ledgers of every format a release wrote stay readable, and their
// books stay the same (tests/compat/compat_campaign.h).
//
//   Format 1 (tests/data/compat-v1/, private details in the records): opens
//   read-only with today's code (chain, rebuild, every posting as before)
//   and is refused for writing with a FORMAT reason naming the migration;
//   migrated, it keeps positions, ids and dates, and grown with the rest of
//   the campaign it reaches the very books format 1 reached (the golden
//   query answers and exports, masked only where ledgers differ by design).
//   Format 2 (tests/data/compat-v2/): opens with its key, verifies, and grows
//   to its golden books.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/audit/export.h"
#include "ledger/audit/replay.h"
#include "ledger/storage/records.h"
#include "tests/compat/compat_campaign.h"
#include "tests/testing/test_util.h"

namespace ledger::compat {
namespace {

namespace fs = std::filesystem;

fs::path DataDir(const char* format) {
  return fs::path(LEDGER_SOURCE_DIR) / "tests" / "data" / format;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line where `got` and `want` differ, for the failure message.
std::string FirstDifference(const std::string& got, const std::string& want) {
  std::vector<std::string> a = absl::StrSplit(got, '\n'), b = absl::StrSplit(want, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "<end>", y = i < b.size() ? b[i] : "<end>";
    if (x != y)
      return absl::StrCat("line ", i + 1, "\n  now:    ", x.substr(0, 300),
                          "\n  before: ", y.substr(0, 300));
  }
  return "(same lines)";
}

void ExpectVerifies(EventLog& log) {
  auto view = log.NewReadView();
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_TRUE(chain.ok() && chain->ok) << (chain.ok() ? chain->problem : chain.status().ToString());
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_TRUE(rebuild.ok()) << rebuild.status();
  EXPECT_TRUE(rebuild->match) << (rebuild->mismatches.empty() ? rebuild->failure
                                                              : rebuild->mismatches[0].key);
}

// Every golden file but the raw column-family dumps equals the masked dump.
// With LEDGER_UPDATE_GOLDEN=1 in the environment the golden files are
// rewritten instead (when the books of the grown ledger change on purpose:
// review the diff).
void ExpectGoldenBooks(EventLog& log, const fs::path& golden) {
  auto files = Dump(log, absl::CivilDay(2026, 3, 1), testing::AllDetails(log));
  ASSERT_TRUE(files.ok()) << files.status();
  const char* update = std::getenv("LEDGER_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    for (const auto& entry : fs::directory_iterator(golden)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("cf-", 0) == 0) continue;
      std::ofstream(entry.path(), std::ios::binary) << Masked(name, files->at(name));
    }
    GTEST_SKIP() << "golden files rewritten in " << golden;
  }
  size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(golden)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("cf-", 0) == 0) continue;
    SCOPED_TRACE(name);
    auto it = files->find(name);
    ASSERT_NE(it, files->end()) << "no longer produced";
    const std::string want = Masked(name, ReadFile(entry.path()));
    const std::string got = Masked(name, it->second);
    EXPECT_TRUE(got == want) << FirstDifference(got, want);
    ++compared;
  }
  EXPECT_EQ(compared, 5u) << "queries and four exports";
}

fs::path CopyOf(const char* format, const testing::TempDir& dir) {
  const fs::path copy = fs::path(dir.path()) / format;
  fs::copy(DataDir(format) / "ledger", copy, fs::copy_options::recursive);
  return copy;
}

TEST(CompatTest, Format1OpensReadOnlyAsBeforeAndIsRefusedForWriting) {
  testing::TempDir dir;
  const fs::path copy = CopyOf("compat-v1", dir);
  {
    auto rw = EventLog::Open(copy.string(), testing::KeyedOptions());
    ASSERT_FALSE(rw.ok());
    EXPECT_EQ(rw.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(testing::Reason(rw.status()), "FORMAT");
    EXPECT_NE(rw.status().message().find("ledgerctl migrate"), absl::string_view::npos)
        << rw.status();
  }
  EventLogOptions ro;
  ro.read_only = true;
  auto log = EventLog::Open(copy.string(), ro);  // no key: format 1 needs none
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->schema_version(), kSchemaVersionPublicRecords);
  ExpectVerifies(**log);
  // Every posting the stored part holds, as the code of format 1 exported it.
  std::ostringstream out;
  auto view = (*log)->NewReadView();
  // Read as its operator reads it (a reader without the details would not
  // get a sensitive fund's purposes, which format 1 kept in its records).
  ASSERT_TRUE(ExportFromView(*view, ExportTable::kPostings, ExportFormat::kCsv, out, {},
                             {nullptr, /*allowed=*/true})
                  .ok());
  const std::string golden = ReadFile(DataDir("compat-v1") / "golden" / "export-postings.csv");
  ASSERT_GT(out.str().size(), 10000u);
  EXPECT_EQ(golden.substr(0, out.str().size()), out.str());
}

TEST(CompatTest, Format1MigratesAndGrowsToTheSameBooks) {
  testing::TempDir dir;
  const fs::path copy = CopyOf("compat-v1", dir);
  EventLogOptions ro;
  ro.read_only = true;
  auto old = EventLog::Open(copy.string(), ro);
  ASSERT_TRUE(old.ok()) << old.status();
  CampaignClock clock(CampaignStart() + absl::Seconds(kFirstPart));
  EventLogOptions options = testing::KeyedOptions();
  options.clock = &clock;
  options.migrate_from = old->get();
  auto log = EventLog::Open((fs::path(dir.path()) / "migrated").string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->schema_version(), kSchemaVersion);
  EXPECT_EQ((*log)->head_position(), (*old)->head_position());
  EXPECT_NE((*log)->ledger_id(), (*old)->ledger_id());
  ExpectVerifies(**log);
  {
    // Same positions, ids, dates and recording times; the genesis names the
    // old ledger and its head.
    auto a = (*old)->NewReadView();
    auto b = (*log)->NewReadView();
    for (uint64_t p = 1; p <= a->head_position(); ++p) {
      auto x = a->GetEvent(p);
      auto y = b->GetEvent(p);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(x->payload.event_id(), y->payload.event_id()) << p;
      EXPECT_EQ(x->payload.occurred_on(), y->payload.occurred_on()) << p;
      EXPECT_EQ(x->payload.recorded_at_us(), y->payload.recorded_at_us()) << p;
    }
    auto genesis = b->GetEvent(1);
    ASSERT_TRUE(genesis.ok());
    const auto& from = genesis->payload.body().ledger_opened().migrated_from();
    EXPECT_EQ(from.ledger_id(), (*old)->ledger_id());
    EXPECT_EQ(from.head_position(), (*old)->head_position());
    EXPECT_EQ(from.head_hash(), (*old)->head_hash());
    EXPECT_EQ(from.schema_version(), "1");
  }
  old->reset();
  // The migrated ledger is a new one: it starts with the policy of
  // KeyedOptions (no approvals), so the campaign pays out directly.
  ASSERT_TRUE(AppendCampaign(**log, clock, kFirstPart, CampaignRequests().size()).ok());
  ExpectGoldenBooks(**log, DataDir("compat-v1") / "golden");
}

TEST(CompatTest, Format2ReadsAndGrowsToItsGoldenBooks) {
  testing::TempDir dir;
  const fs::path copy = CopyOf("compat-v2", dir);
  CampaignClock clock(CampaignStart() + absl::Seconds(kFirstPart));
  EventLogOptions options = testing::KeyedOptions();
  options.clock = &clock;
  auto log = EventLog::Open(copy.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  ExpectVerifies(**log);
  // A ledger from before two to sign needs an approval for every payment,
  // as any other; its admin keeps paying directly by saying so first.
  clock.Tick();
  ASSERT_TRUE((*log)->Append(testing::Request({testing::NoApprovals()}), "compat").ok());
  ASSERT_TRUE(AppendCampaign(**log, clock, kFirstPart, CampaignRequests().size()).ok());
  ExpectVerifies(**log);
  ExpectGoldenBooks(**log, DataDir("compat-v2") / "golden");
}

}  // namespace
}  // namespace ledger::compat
