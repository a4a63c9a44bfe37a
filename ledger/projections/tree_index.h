// The Merkle tree index: an RFC 6962 tree over the stored event records
// (leaf = SHA-256(0x00 || record), the record as stored), kept in the
// `merkle` column family (layout: ledger/FORMAT.md).
//
// Only what an O(log n) proof needs is stored: the hash of every complete
// perfect subtree of level >= kLowestStoredTreeLevel (2: subtrees of four
// leaves and up, about one row per two events), and the tree's size. The
// two lowest levels are not stored: a leaf hash is one record read away and
// a node of two leaves two, and a proof needs at most three such reads
// besides its O(log n) rows. The position p is leaf p - 1, and the tree of a
// ledger whose head is h has h leaves.
//
// Writing. The writer keeps the tree's right edge (a CompactRange) in
// memory; CommitBatch::AddEvents feeds it each accepted event's record, in
// position order, and the commit's WriteBatch carries the node rows it
// completed and the new size, so the tree is never behind or ahead of the
// log. A rebuild (ledger/audit/replay.h) feeds the same appender from the
// records and compares every node with the stored one.
//
// Reading. ViewTree answers nodes from a ReadView: stored rows where the
// stored tree covers them, leaves from the records, and anything the rows do
// not cover (a copy written before the tree existed, opened read-only)
// computed from the records.
//
// Thread-safety: a TreeAppender or ViewTree is used by one thread.
#ifndef LEDGER_PROJECTIONS_TREE_INDEX_H_
#define LEDGER_PROJECTIONS_TREE_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/storage/read_view.h"

namespace ledger {

// The lowest level of the nodes kept in rows.
inline constexpr int kLowestStoredTreeLevel = 2;

// Keys of the merkle column family.
//   node  := level:u8 index:be64     level 2..63; value: the 32-byte hash
//   size  := 0x00 "size"             value: be64(leaves in the stored tree)
std::string TreeNodeKey(int level, uint64_t index);
const std::string& TreeSizeKey();
// (level, index) of a node key; nullopt for any other key.
std::optional<std::pair<int, uint64_t>> DecodeTreeNodeKey(absl::string_view key);

// The leaf hash of a stored record.
inline std::string RecordLeafHash(absl::string_view record) { return merkle::LeafHash(record); }

// Appends records to the tree and collects the rows to write.
class TreeAppender {
 public:
  explicit TreeAppender(merkle::CompactRange range) : range_(std::move(range)) {}

  // Appends the event's record (exactly as stored).
  void Append(absl::string_view record);

  // The tree after the appends.
  const merkle::CompactRange& range() const { return range_; }
  // The node rows (of the stored levels) completed so far, (key, hash), in
  // the order completed.
  const std::vector<std::pair<std::string, std::string>>& node_rows() const { return rows_; }
  // Forgets the rows collected so far (once they are written).
  void ClearRows() { rows_.clear(); }
  // The tree, moved out (the appender is done).
  merkle::CompactRange TakeRange() { return std::move(range_); }

 private:
  merkle::CompactRange range_;
  std::vector<std::pair<std::string, std::string>> rows_;
};

// The tree of a ReadView: its head_position() leaves.
class ViewTree final : public merkle::NodeSource {
 public:
  explicit ViewTree(ReadView& view) : view_(view) {}

  absl::StatusOr<std::string> Node(int level, uint64_t index) override;

  // Leaves in the tree (the view's head).
  uint64_t size() const { return view_.head_position(); }
  // Leaves covered by the stored rows (0 when there are none).
  absl::StatusOr<uint64_t> StoredSize();

  // The tree's root at `size` leaves. REQUIRES: size <= this->size().
  absl::StatusOr<std::string> Root(uint64_t size) { return merkle::RootHash(*this, size); }
  // The right edge of the tree at its size.
  absl::StatusOr<merkle::CompactRange> Range() { return merkle::CompactRange::Load(*this, size()); }

 private:
  // A node computed from its records.
  absl::StatusOr<std::string> FromRecords(int level, uint64_t index);

  ReadView& view_;
  std::optional<uint64_t> stored_size_;
};

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_TREE_INDEX_H_
