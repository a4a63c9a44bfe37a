// The compatibility campaign: a fixed script of events covering every event
// kind, several currencies, partial and whole reversals, out-of-order dates,
// a closed fund and a branch that leaves and returns, with more than one
// bucket of positions; and a dump of everything a ledger stores and answers.
//
// tests/data/compat-v<N>/ holds, for each stored format N, a ledger written
// by the code of that format with the first part of the script (ledger/),
// and the dump (golden/) of that ledger after the same code appended the
// rest: the query answers and the exports (format 1's unmasked; later ones
// masked, as their records hold fresh salts). compat_test opens each with
// today's code and checks that the books come out the same (format 1 after
// its migration).
//
// make_compat_ledger writes the data of the format this build writes; run
// it only when that format deliberately changes (and say so in
// ledger/FORMAT.md), keeping the older formats' data.
#ifndef LEDGER_TESTS_COMPAT_COMPAT_CAMPAIGN_H_
#define LEDGER_TESTS_COMPAT_COMPAT_CAMPAIGN_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/views/details.h"
#include "ledger/writer/event_log.h"

namespace ledger::compat {

namespace v1 = ::solidarity::ledger::v1;

// The clock of the campaign: it starts at 2026-03-01T09:00Z and moves one
// second per append.
absl::Time CampaignStart();

// The script, as append requests in order. Requests [0, kFirstPart) are in
// the stored ledger; the rest are appended by the test.
std::vector<v1::AppendRequest> CampaignRequests();
inline constexpr size_t kFirstPart = 700;

// Appends requests [from, to) of the script to `log`, moving `clock` one
// second before each; every one must be accepted.
absl::Status AppendCampaign(EventLog& log, class CampaignClock& clock, size_t from, size_t to);

class CampaignClock : public Clock {
 public:
  explicit CampaignClock(absl::Time now) : now_(now) {}
  absl::Time Now() override { return now_; }
  void Tick() { now_ += absl::Seconds(1); }

 private:
  absl::Time now_;
};

// Everything the ledger stores and answers, as named text files: the event
// records, id entries and state rows (hex), the exports, and the query
// answers (protobuf text format) now and as of past points.
absl::StatusOr<std::map<std::string, std::string>> Dump(EventLog& log, absl::CivilDay today,
                                                        const DetailAccess& access);

// A dump file with what differs between two ledgers of the same books by
// design masked: hashes, ledger ids, the genesis (which names a migration)
// and the fields that say how private details are sealed. Two ledgers that
// recorded the same events hold the same books exactly when their masked
// dumps are equal.
std::string Masked(absl::string_view name, absl::string_view content);

}  // namespace ledger::compat

#endif  // LEDGER_TESTS_COMPAT_COMPAT_CAMPAIGN_H_
