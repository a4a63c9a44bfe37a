// The writer's copy of the Merkle tree (its right edge): loaded at open,
// built over the records a ledger written before the tree holds, and read
// back after a failed write. Part of EventLog (event_log.h).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"
#include "ledger/storage/records.h"
#include "ledger/writer/event_log.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

// Leaves per WriteBatch when the tree is built over an existing log at open.
constexpr uint64_t kTreeCatchUpBatch = 65536;

}  // namespace

absl::Status EventLog::ReloadTree(uint64_t head) {
  std::unique_ptr<ReadView> view = NewReadView();
  ViewTree stored(*view);
  absl::StatusOr<merkle::CompactRange> range = stored.Range();
  if (!range.ok() || range->size() != head) {
    return Refusal(
        absl::StatusCode::kUnavailable, kReasonStorage,
        absl::StrCat("the ledger cannot read its merkle tree back after a failed write (",
                     range.ok() ? std::string("its size is not the head")
                                : std::string(range.status().message()),
                     "); nothing was recorded: restart ledgerd"));
  }
  tree_ = std::move(*range);
  return absl::OkStatus();
}

absl::Status EventLog::LoadTree() {
  std::unique_ptr<ReadView> view = NewReadView();
  ViewTree tree(*view);
  ASSIGN_OR_RETURN(uint64_t stored, tree.StoredSize());
  const uint64_t head = view->head_position();
  if (stored > head) {
    return absl::DataLossError(absl::StrCat("ledger in ", dir_, ": the merkle tree has ", stored,
                                            " leaves but the log ends at ", head));
  }
  ASSIGN_OR_RETURN(merkle::CompactRange range, merkle::CompactRange::Load(tree, stored));
  if (stored == head) {
    tree_ = std::move(range);
    return absl::OkStatus();
  }
  // A ledger written before the tree (or a catch-up cut short): build the
  // rest from the records, a batch at a time, each batch with the size it
  // reaches, so an interrupted catch-up resumes where it stopped.
  TreeAppender appender(std::move(range));
  auto flush = [&](bool sync) -> absl::Status {
    rocksdb::WriteBatch wb;
    for (const auto& [key, hash] : appender.node_rows()) wb.Put(db_->cf(kMerkleCf), key, hash);
    wb.Put(db_->cf(kMerkleCf), TreeSizeKey(), EncodeBigEndian64(appender.range().size()));
    appender.ClearRows();
    return FromRocks(db_->Write(wb, sync), "building the merkle tree");
  };
  absl::Status failed;
  RETURN_IF_ERROR(view->ScanEvents(stored + 1, [&](const StoredEvent& e) {
    appender.Append(e.Record());
    if (appender.range().size() % kTreeCatchUpBatch == 0) failed = flush(/*sync=*/false);
    return failed.ok();
  }));
  RETURN_IF_ERROR(failed);
  RETURN_IF_ERROR(flush(/*sync=*/true));
  LEDGER_CHECK(appender.range().size() == head);
  tree_caught_up_ = head - stored;
  tree_ = appender.TakeRange();
  return absl::OkStatus();
}

}  // namespace ledger
