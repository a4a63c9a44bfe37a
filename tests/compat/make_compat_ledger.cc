// Writes the compatibility data of the format this build writes (format 2:
// tests/data/compat-v2/): the first part of the compatibility campaign as a
// ledger (ledger/, sealed with the test key, tests/testing/test_util.h), and
// the masked dump of that ledger once the rest of the campaign is appended
// (golden/). See tests/compat/compat_campaign.h. Format 1's data
// (tests/data/compat-v1/ledger) was written by the code of format 1 and is
// kept as it is: this build cannot write format 1. The golden books of both
// (what the grown ledger must hold) are rewritten by compat_test with
// LEDGER_UPDATE_GOLDEN=1 when they change on purpose.
//
//   make_compat_ledger OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/compat/compat_campaign.h"
#include "tests/testing/test_util.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace ledger;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_compat_ledger OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  fs::remove_all(out);
  fs::create_directories(out / "golden");
  compat::CampaignClock clock(compat::CampaignStart());
  EventLogOptions options = ledger::testing::KeyedOptions();
  options.clock = &clock;
  options.ledger_name = "Compatibility campaign";
  const size_t n = compat::CampaignRequests().size();
  {
    auto log = EventLog::Open((out / "ledger").string(), options);
    if (!log.ok()) return std::fprintf(stderr, "%s\n", log.status().ToString().c_str()), 1;
    absl::Status s = compat::AppendCampaign(**log, clock, 0, compat::kFirstPart);
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
    // Flushed to SST files, so the stored ledger holds no write-ahead log.
    std::vector<rocksdb::ColumnFamilyHandle*> families;
    for (const char* cf : {"events", "ids", "state", "meta", "private", "keys"}) {
      families.push_back((*log)->database().cf(cf));
    }
    if (!(*log)->database().raw_for_testing()->Flush(rocksdb::FlushOptions(), families).ok()) {
      return 1;
    }
  }
  // The rest, on a scratch copy, for the golden dump.
  const fs::path scratch = out / "scratch";
  fs::copy(out / "ledger", scratch, fs::copy_options::recursive);
  auto log = EventLog::Open(scratch.string(), options);
  if (!log.ok()) return std::fprintf(stderr, "%s\n", log.status().ToString().c_str()), 1;
  absl::Status s = compat::AppendCampaign(**log, clock, compat::kFirstPart, n);
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  auto files = compat::Dump(**log, absl::CivilDay(2026, 3, 1), ledger::testing::AllDetails(**log));
  if (!files.ok()) return std::fprintf(stderr, "%s\n", files.status().ToString().c_str()), 1;
  for (const auto& [name, content] : *files) {
    // The stored records of format 2 hold fresh salts: only what the books
    // say is compared, masked.
    if (name.rfind("cf-", 0) == 0) continue;
    std::ofstream(out / "golden" / name, std::ios::binary) << compat::Masked(name, content);
  }
  const unsigned long long head = (*log)->head_position();
  log->reset();
  fs::remove_all(scratch);
  // RocksDB's own info logs hold times and paths, nothing of the ledger.
  for (const auto& entry : fs::directory_iterator(out / "ledger")) {
    if (entry.path().filename().string().rfind("LOG", 0) == 0) fs::remove(entry.path());
  }
  std::printf("wrote %s: %zu requests, %llu events\n", out.c_str(), n, head);
  return 0;
}
