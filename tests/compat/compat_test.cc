// Goal: today's code reads a ledger written in format 1 and, appending the
// same events as the code that wrote it, produces byte for byte the same
// event records, id entries, projection rows, exports and query answers
// (tests/compat/compat_campaign.h; the stored ledger and its golden dump are
// in tests/data/compat-v1/).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/audit/replay.h"
#include "tests/compat/compat_campaign.h"
#include "tests/testing/test_util.h"

namespace ledger::compat {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(LEDGER_SOURCE_DIR) / "tests" / "data" / "compat-v1"; }

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

TEST(CompatTest, ALedgerOfFormat1ReadsAndGrowsByteForByteAsBefore) {
  testing::TempDir dir;
  const fs::path copy = fs::path(dir.path()) / "ledger";
  fs::copy(DataDir() / "ledger", copy, fs::copy_options::recursive);
  CampaignClock clock(CampaignStart() + absl::Seconds(kFirstPart));
  EventLogOptions options;
  options.clock = &clock;
  auto log = EventLog::Open(copy.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  {
    // What the old code stored verifies and rebuilds with today's code.
    auto view = (*log)->NewReadView();
    auto chain = VerifyChain(*view, 0, 0);
    ASSERT_TRUE(chain.ok() && chain->ok)
        << (chain.ok() ? chain->problem : chain.status().ToString());
    auto rebuild = RebuildAndCompare(*view);
    ASSERT_TRUE(rebuild.ok()) << rebuild.status();
    EXPECT_TRUE(rebuild->match) << (rebuild->mismatches.empty() ? rebuild->failure
                                                                : rebuild->mismatches[0].key);
  }
  ASSERT_TRUE(AppendCampaign(**log, clock, kFirstPart, CampaignRequests().size()).ok());
  auto files = Dump(**log, absl::CivilDay(2026, 3, 1));
  ASSERT_TRUE(files.ok()) << files.status();
  size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(DataDir() / "golden")) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    auto it = files->find(name);
    ASSERT_NE(it, files->end()) << "no longer produced";
    const std::string want = ReadFile(entry.path());
    EXPECT_TRUE(it->second == want) << FirstDifference(it->second, want);
    ++compared;
  }
  EXPECT_EQ(compared, files->size()) << "a dump has no golden file";
  EXPECT_GE(compared, 9u);
}

}  // namespace
}  // namespace ledger::compat
