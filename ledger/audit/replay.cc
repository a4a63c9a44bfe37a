#include "ledger/audit/replay.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/decide.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/projections/keys.h"
#include "ledger/projections/lookup.h"
#include "ledger/projections/tree_index.h"

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
  auto bad = [&](uint64_t position, std::string problem) {
    report.ok = false;
    report.first_bad_position = position;
    report.problem = std::move(problem);
  };
  uint64_t expected = from;
  absl::Status scan = view.ScanEvents(from, [&](const StoredEvent& e) {
    if (e.position > to) return false;
    if (e.prev_hash != prev) {
      bad(e.position, "its prev_hash is not the hash of the event before it");
      return false;
    }
    if (ChainHash(view.ledger_id(), e.position, e.prev_hash, e.payload_bytes) != e.hash) {
      bad(e.position, "its stored bytes do not hash to its recorded hash (the event was altered)");
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
  if (report.ok && !scan.ok()) bad(expected, std::string(scan.message()));
  if (report.ok && to == view.head_position() && report.verified_hash != view.head_hash()) {
    bad(to, "the recorded head hash does not match the last event");
  }
  return report;
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

// One rebuild: the replay, then the comparison with the stored rows.
class Rebuild {
 public:
  explicit Rebuild(ReadView& view) : view_(view), lookup_(view), tree_rows_(view.tree_rows()) {
    report_.as_of_position = view.head_position();
    report_.tree_stored = tree_rows_ != nullptr;
  }

  absl::StatusOr<RebuildReport> Run(const std::function<void(uint64_t)>& progress) {
    if (tree_rows_ != nullptr) {
      // A family without its size row holds no tree: it was created by a
      // read-write open that was then refused (a format-1 ledger), and the
      // tree was never built. Reported as not stored, like a missing family.
      ASSIGN_OR_RETURN(std::optional<std::string> size, tree_rows_->Get(TreeSizeKey()));
      if (!size) {
        tree_rows_ = nullptr;
        report_.tree_stored = false;
      }
    }
    absl::Status failed;
    uint64_t bucket = 0;
    RETURN_IF_ERROR(view_.ScanEvents(1, [&](const StoredEvent& e) {
      if (e.position / kPositionBucketSize != bucket) {
        failed = FlushPositionKeyed();
        if (!failed.ok()) return false;
        bucket = e.position / kPositionBucketSize;
      }
      failed = Replay(e);
      if (failed.ok()) failed = ReplayTree(e);
      if (!failed.ok() || report_.failed_position != 0) return false;
      if (progress && (e.position & 0xffff) == 0) progress(e.position);
      return true;
    }));
    RETURN_IF_ERROR(failed);
    if (report_.failed_position != 0) {
      report_.match = false;
      return report_;
    }
    RETURN_IF_ERROR(FlushPositionKeyed());
    report_.rows_compared += flushed_rows_;
    RETURN_IF_ERROR(CompareTheRest());
    RETURN_IF_ERROR(CompareTreeRows());
    report_.tree_root = tree_.Root();
    return report_;
  }

 private:
  // The event replayed into the rebuilt rows, with the rules of recording
  // order and every indexer; a refusal is reported, not returned.
  absl::Status Replay(const StoredEvent& e) {
    lookup_.set_before(e.position);
    OverlayState overlay(&rebuilt_);
    RowBooks books(overlay);
    absl::StatusOr<Effects> effects =
        Decide(e.position, e.payload, books, lookup_, EventChecks::kOnReplay);
    absl::Status applied = effects.status();
    if (applied.ok()) {
      applied = IndexEvent(IndexedEvent{e.position, &e.payload, e.payload_bytes, e.hash, &*effects},
                           overlay);
    }
    if (!applied.ok()) {
      report_.failed_position = e.position;
      report_.failure = std::string(applied.message());
      return absl::OkStatus();
    }
    overlay.CommitToBase();
    report_.events_replayed++;
    return absl::OkStatus();
  }

  // The event's record appended to the rebuilt tree; each node it completes
  // is compared with the stored one at once (the rows are never kept).
  absl::Status ReplayTree(const StoredEvent& e) {
    absl::Status failed;
    tree_.Append(RecordLeafHash(e.Record()),
                 [&](int level, uint64_t index, absl::string_view hash) {
                   // The lowest levels are computed from the records, never stored.
                   if (level < kLowestStoredTreeLevel) return;
                   ++tree_nodes_;
                   if (tree_rows_ == nullptr || !failed.ok()) return;
                   absl::StatusOr<std::optional<std::string>> stored =
                       tree_rows_->Get(TreeNodeKey(level, index));
                   if (!stored.ok()) {
                     failed = stored.status();
                     return;
                   }
                   report_.tree_nodes_compared++;
                   if (!*stored || **stored != hash) {
                     AddMismatch(absl::StrCat("merkle node level ", level, " index ", index),
                                 *stored ? ToHex(**stored) : "<missing>", ToHex(hash));
                   }
                 });
    return failed;
  }

  // The stored tree holds no node the rebuild did not make, and its size is
  // the log's.
  absl::Status CompareTreeRows() {
    if (tree_rows_ == nullptr) return absl::OkStatus();
    uint64_t stored_nodes = 0;
    std::optional<uint64_t> stored_size;
    RETURN_IF_ERROR(tree_rows_->Scan("", [&](absl::string_view key, absl::string_view value) {
      if (DecodeTreeNodeKey(key)) {
        ++stored_nodes;
      } else if (key == TreeSizeKey() && value.size() == 8) {
        stored_size = DecodeBigEndian64(value);
      } else {
        AddMismatch(absl::StrCat("merkle row ", ToHex(key)), ToHex(value), "<missing>");
      }
      return true;
    }));
    if (stored_nodes != tree_nodes_) {
      AddMismatch("(merkle node rows)", absl::StrCat(stored_nodes, " stored"),
                  absl::StrCat(tree_nodes_, " rebuilt"));
    }
    if (stored_size.value_or(0) != tree_.size()) {
      AddMismatch("merkle tree size",
                  stored_size ? absl::StrCat(*stored_size, " leaves") : "<missing>",
                  absl::StrCat(tree_.size(), " leaves"));
    }
    return absl::OkStatus();
  }

  void AddMismatch(std::string key, std::string stored, std::string rebuilt) {
    report_.match = false;
    if (report_.mismatches.size() < kMaxReportedMismatches) {
      report_.mismatches.push_back({std::move(key), std::move(stored), std::move(rebuilt)});
    }
  }

  // Compares one rebuilt row with the stored one; rows whose bytes differ
  // but decode to the same message (fields written in another order) match.
  void Compare(absl::string_view key, const std::optional<std::string>& stored,
               const std::optional<std::string>& rebuilt) {
    if (stored && rebuilt) {
      if (*stored != *rebuilt && DescribeRow(key, *stored) != DescribeRow(key, *rebuilt)) {
        AddMismatch(PrintableKey(key), DescribeRow(key, *stored), DescribeRow(key, *rebuilt));
      }
    } else if (stored) {
      AddMismatch(PrintableKey(key), DescribeRow(key, *stored), "<missing>");
    } else if (rebuilt) {
      AddMismatch(PrintableKey(key), "<missing>", DescribeRow(key, *rebuilt));
    }
  }

  // Compares and drops every position-keyed row rebuilt so far. Visits only
  // the position-keyed key ranges: walking every row once per bucket made a
  // rebuild quadratic (days x buckets).
  absl::Status FlushPositionKeyed() {
    auto& rows = rebuilt_.mutable_rows();
    for (const char* prefix : kPositionKeyedPrefixes) {
      for (auto it = rows.lower_bound(prefix);
           it != rows.end() && absl::StartsWith(it->first, prefix);) {
        ASSIGN_OR_RETURN(std::optional<std::string> stored, view_.Get(it->first));
        Compare(it->first, stored, it->second);
        ++flushed_rows_;
        it = rows.erase(it);
      }
    }
    return absl::OkStatus();
  }

  // Merge-compares the stored rows with the rebuilt ones, both in key order.
  absl::Status CompareTheRest() {
    uint64_t stored_position_keyed = 0;
    auto it = rebuilt_.rows().begin();
    RETURN_IF_ERROR(view_.Scan("", [&](absl::string_view key, absl::string_view value) {
      if (IsPositionKeyed(key)) {
        // Compared during the replay; here only counted, to catch stored
        // rows that the replay did not produce.
        ++stored_position_keyed;
        return true;
      }
      for (; it != rebuilt_.rows().end() && it->first < key; ++it) {
        Compare(it->first, std::nullopt, it->second);
        report_.rows_compared++;
      }
      report_.rows_compared++;
      if (it != rebuilt_.rows().end() && it->first == key) {
        Compare(key, std::string(value), it->second);
        ++it;
      } else {
        Compare(key, std::string(value), std::nullopt);
      }
      return true;
    }));
    for (; it != rebuilt_.rows().end(); ++it) {
      Compare(it->first, std::nullopt, it->second);
      report_.rows_compared++;
    }
    if (stored_position_keyed != flushed_rows_) {
      AddMismatch("(position-keyed rows)", absl::StrCat(stored_position_keyed, " stored"),
                  absl::StrCat(flushed_rows_, " rebuilt"));
    }
    return absl::OkStatus();
  }

  ReadView& view_;
  ReadViewLookup lookup_;
  MemoryState rebuilt_;
  RebuildReport report_;
  uint64_t flushed_rows_ = 0;
  RowReader* tree_rows_;
  merkle::CompactRange tree_;
  uint64_t tree_nodes_ = 0;
};

}  // namespace

absl::StatusOr<RebuildReport> RebuildAndCompare(ReadView& view,
                                                const std::function<void(uint64_t)>& progress) {
  return Rebuild(view).Run(progress);
}

}  // namespace ledger
