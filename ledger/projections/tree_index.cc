#include "ledger/projections/tree_index.h"

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/hash.h"
#include "ledger/status_macros.h"

namespace ledger {

std::string TreeNodeKey(int level, uint64_t index) {
  LEDGER_CHECK(level >= 1 && level <= merkle::kMaxLevel);
  std::string key(1, static_cast<char>(level));
  key += EncodeBigEndian64(index);
  return key;
}

const std::string& TreeSizeKey() {
  static const std::string* key = new std::string("\0size", 5);
  return *key;
}

std::optional<std::pair<int, uint64_t>> DecodeTreeNodeKey(absl::string_view key) {
  if (key.size() != 9) return std::nullopt;
  const int level = static_cast<uint8_t>(key[0]);
  if (level < 1 || level > merkle::kMaxLevel) return std::nullopt;
  return std::make_pair(level, DecodeBigEndian64(key.substr(1)));
}

void TreeAppender::Append(absl::string_view record) {
  range_.Append(RecordLeafHash(record), [this](int level, uint64_t index, absl::string_view hash) {
    if (level >= kLowestStoredTreeLevel) rows_.emplace_back(TreeNodeKey(level, index), hash);
  });
}

absl::StatusOr<uint64_t> ViewTree::StoredSize() {
  if (stored_size_) return *stored_size_;
  uint64_t stored = 0;
  if (RowReader* rows = view_.tree_rows()) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, rows->Get(TreeSizeKey()));
    if (value) {
      if (value->size() != 8) return absl::DataLossError("the merkle tree's size row is damaged");
      stored = DecodeBigEndian64(*value);
    }
  }
  stored_size_ = stored;
  return stored;
}

absl::StatusOr<std::string> ViewTree::Node(int level, uint64_t index) {
  if (level == 0) {
    ASSIGN_OR_RETURN(StoredEvent e, view_.GetEvent(index + 1));
    return RecordLeafHash(e.Record());
  }
  ASSIGN_OR_RETURN(uint64_t stored, StoredSize());
  const uint64_t end = (index + 1) << level;
  if (level < kLowestStoredTreeLevel || end > stored) return FromRecords(level, index);
  ASSIGN_OR_RETURN(std::optional<std::string> hash,
                   view_.tree_rows()->Get(TreeNodeKey(level, index)));
  if (!hash || hash->size() != merkle::kHashBytes) {
    return absl::DataLossError(absl::StrCat("merkle tree node (level ", level, ", index ", index,
                                            ") is ", hash ? "damaged" : "missing"));
  }
  return *hash;
}

absl::StatusOr<std::string> ViewTree::FromRecords(int level, uint64_t index) {
  const uint64_t first = (index << level) + 1, last = (index + 1) << level;
  merkle::CompactRange range;
  absl::Status scan = view_.ScanEvents(first, [&](const StoredEvent& e) {
    if (e.position > last) return false;
    range.Append(RecordLeafHash(e.Record()));
    return e.position < last;
  });
  RETURN_IF_ERROR(scan);
  if (range.size() != last - first + 1) {
    return absl::DataLossError(
        absl::StrCat("the log ends before position ", last, " (the tree needs it)"));
  }
  return range.Root();
}

}  // namespace ledger
