#include "ledger/replay.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "ledger/effects.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/state.h"

namespace ledger {

absl::StatusOr<ChainReport> VerifyChain(ReadView& view, uint64_t from, uint64_t to,
                                        const std::function<void(uint64_t)>& progress) {
  ChainReport report;
  if (from == 0) from = 1;
  if (to == 0 || to > view.head_position()) to = view.head_position();
  if (from > to) return report;
  std::string prev = ZeroHash();
  if (from > 1) {
    absl::StatusOr<StoredEvent> anchor = view.GetEvent(from - 1);
    if (!anchor.ok()) {
      report.ok = false;
      report.first_bad_position = from - 1;
      report.problem = std::string(anchor.status().message());
      return report;
    }
    prev = anchor->hash;
  }
  uint64_t expected = from;
  absl::Status scan = view.ScanEvents(from, [&](const StoredEvent& e) {
    if (e.position > to) return false;
    if (e.prev_hash != prev) {
      report.ok = false;
      report.first_bad_position = e.position;
      report.problem = "its prev_hash is not the hash of the event before it";
      return false;
    }
    const std::string hash = ChainHash(view.ledger_id(), e.position, e.prev_hash, e.payload_bytes);
    if (hash != e.hash) {
      report.ok = false;
      report.first_bad_position = e.position;
      report.problem = "its stored bytes do not hash to its recorded hash (the event was altered)";
      return false;
    }
    prev = e.hash;
    report.events_checked++;
    report.verified_position = e.position;
    report.verified_hash = e.hash;
    expected = e.position + 1;
    if (progress && (e.position & 0xffff) == 0) progress(e.position);
    return true;
  });
  if (report.ok && !scan.ok()) {
    report.ok = false;
    report.first_bad_position = expected;
    report.problem = std::string(scan.message());
  }
  if (report.ok && to == view.head_position() && report.verified_hash != view.head_hash()) {
    report.ok = false;
    report.first_bad_position = to;
    report.problem = "the recorded head hash does not match the last event";
  }
  return report;
}

std::string PrintableKey(absl::string_view key) {
  if (absl::StartsWith(key, kReversalKeyPrefix) && key.size() == 4 + 8) {
    return absl::StrCat(kReversalKeyPrefix, DecodeBigEndian64(key.substr(4)));
  }
  // Keys ending in a binary be64 (position buckets, the date index).
  if ((key.size() > 8 && key[0] == 'p' && absl::StrContains(key, "/")) ||
      absl::StartsWith(key, kDateIndexPrefix)) {
    if (key.size() > 9 && key[key.size() - 9] == '/') {
      return absl::StrCat(key.substr(0, key.size() - 8), "#", DecodeBigEndian64(key.substr(key.size() - 8)));
    }
  }
  return std::string(key);
}

std::string DescribeRow(absl::string_view key, absl::string_view value) {
  std::unique_ptr<google::protobuf::Message> m;
  if (key == kTotalsKey) m = std::make_unique<v1::LedgerTotals>();
  else if (absl::StartsWith(key, kFundKeyPrefix)) m = std::make_unique<v1::FundBalance>();
  else if (absl::StartsWith(key, kAccountKeyPrefix)) m = std::make_unique<v1::AccountBalance>();
  else if (absl::StartsWith(key, kBeneficiaryKeyPrefix)) m = std::make_unique<v1::Beneficiary>();
  else if (absl::StartsWith(key, kBranchKeyPrefix)) m = std::make_unique<v1::Branch>();
  else if (absl::StartsWith(key, kReversalKeyPrefix)) m = std::make_unique<v1::ReversalMark>();
  else if (absl::StartsWith(key, kDayFundPrefix) || absl::StartsWith(key, kBucketFundPrefix)) m = std::make_unique<v1::FundBalance>();
  else if (absl::StartsWith(key, kDayAccountPrefix) || absl::StartsWith(key, kBucketAccountPrefix)) m = std::make_unique<v1::AccountBalance>();
  else if (absl::StartsWith(key, kDayBranchPrefix) || absl::StartsWith(key, kBucketBranchPrefix)) m = std::make_unique<v1::BranchTotals>();
  else if (absl::StartsWith(key, kDayTotalsPrefix) || absl::StartsWith(key, kBucketTotalsPrefix)) m = std::make_unique<v1::LedgerTotals>();
  else if (absl::StartsWith(key, kDateIndexPrefix)) return value.empty() ? "(date index)" : "<unexpected bytes>";
  if (!m || !m->ParseFromString(std::string(value))) {
    return absl::StrCat("<", value.size(), " undecodable bytes>");
  }
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(*m, &text);
  return text;
}

namespace {

// Rows keyed by position (the date index and the position-bucket deltas) grow
// with the log. A rebuild does not keep them: once the replay leaves a bucket
// its rows are final, so they are compared with the stored ones and dropped.
constexpr const char* kPositionKeyedPrefixes[] = {kDateIndexPrefix, kBucketFundPrefix,
                                                   kBucketAccountPrefix, kBucketBranchPrefix,
                                                   kBucketTotalsPrefix};

bool IsPositionKeyed(absl::string_view key) {
  for (const char* prefix : kPositionKeyedPrefixes) {
    if (absl::StartsWith(key, prefix)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildAndCompare(ReadView& view,
                                                const std::function<void(uint64_t)>& progress) {
  RebuildReport report;
  report.as_of_position = view.head_position();
  MemoryState rebuilt;
  ReadViewLookup lookup(view);
  auto add_mismatch = [&](std::string key, std::string stored, std::string rebuilt_row) {
    report.match = false;
    if (report.mismatches.size() < kMaxReportedMismatches) {
      report.mismatches.push_back({std::move(key), std::move(stored), std::move(rebuilt_row)});
    }
  };
  uint64_t flushed_rows = 0;
  // Compares and drops every position-keyed row rebuilt so far. Visits only
  // the position-keyed key ranges: the rows that grow with days, funds and
  // accounts stay, and walking them once per bucket made a rebuild
  // quadratic (days x buckets).
  auto flush = [&]() -> absl::Status {
    auto& rows = rebuilt.mutable_rows();
    for (const char* prefix : kPositionKeyedPrefixes) {
      for (auto it = rows.lower_bound(prefix);
           it != rows.end() && absl::StartsWith(it->first, prefix);) {
        ASSIGN_OR_RETURN(std::optional<std::string> stored, view.GetState(it->first));
        if (!stored) {
          add_mismatch(PrintableKey(it->first), "<missing>", DescribeRow(it->first, it->second));
        } else if (*stored != it->second &&
                   DescribeRow(it->first, *stored) != DescribeRow(it->first, it->second)) {
          add_mismatch(PrintableKey(it->first), DescribeRow(it->first, *stored),
                       DescribeRow(it->first, it->second));
        }
        ++flushed_rows;
        it = rows.erase(it);
      }
    }
    return absl::OkStatus();
  };
  absl::Status apply_status;
  uint64_t bucket = 0;
  absl::Status scan = view.ScanEvents(1, [&](const StoredEvent& e) {
    if (e.position / kPositionBucketSize != bucket) {
      apply_status = flush();
      if (!apply_status.ok()) return false;
      bucket = e.position / kPositionBucketSize;
    }
    lookup.set_before(e.position);
    OverlayState overlay(&rebuilt);
    apply_status = ApplyEvent(e.position, e.payload, overlay, lookup, EventChecks::kOnReplay);
    if (!apply_status.ok()) {
      report.failed_position = e.position;
      report.failure = std::string(apply_status.message());
      return false;
    }
    overlay.CommitToBase();
    report.events_replayed++;
    if (progress && (e.position & 0xffff) == 0) progress(e.position);
    return true;
  });
  RETURN_IF_ERROR(scan);
  if (report.failed_position != 0) {
    report.match = false;
    return report;
  }
  RETURN_IF_ERROR(apply_status);
  RETURN_IF_ERROR(flush());
  report.rows_compared += flushed_rows;
  uint64_t stored_position_keyed = 0;
  // Merge-compare the stored rows with the rebuilt ones, both in key order.
  auto it = rebuilt.rows().begin();
  RETURN_IF_ERROR(view.ScanState("", [&](absl::string_view key, absl::string_view value) {
    if (IsPositionKeyed(key)) {
      // Compared during the replay; here only counted, to catch stored rows
      // that the replay did not produce.
      ++stored_position_keyed;
      return true;
    }
    while (it != rebuilt.rows().end() && it->first < key) {
      add_mismatch(PrintableKey(it->first), "<missing>", DescribeRow(it->first, it->second));
      report.rows_compared++;
      ++it;
    }
    report.rows_compared++;
    if (it != rebuilt.rows().end() && it->first == key) {
      if (it->second != value) {
        // Serialised bytes can differ for equal messages only if fields were
        // written in another order; compare the decoded forms to be sure.
        std::string a = DescribeRow(key, value), b = DescribeRow(it->first, it->second);
        if (a != b) add_mismatch(PrintableKey(key), a, b);
      }
      ++it;
    } else {
      add_mismatch(PrintableKey(key), DescribeRow(key, value), "<missing>");
    }
    return true;
  }));
  for (; it != rebuilt.rows().end(); ++it) {
    add_mismatch(PrintableKey(it->first), "<missing>", DescribeRow(it->first, it->second));
    report.rows_compared++;
  }
  if (stored_position_keyed != flushed_rows) {
    add_mismatch("(position-keyed rows)", absl::StrCat(stored_position_keyed, " stored"),
                 absl::StrCat(flushed_rows, " rebuilt"));
  }
  return report;
}

}  // namespace ledger
