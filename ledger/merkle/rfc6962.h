// The RFC 6962 Merkle tree (section 2.1): hashes, proofs and their
// verification. Knows nothing of events or storage.
//
//   leaf hash    SHA-256(0x00 || leaf bytes)
//   node hash    SHA-256(0x01 || left || right)
//   empty tree   SHA-256("")
//   MTH(D[n])    for n > 1: k = the largest power of two below n,
//                NodeHash(MTH(D[0:k]), MTH(D[k:n]))
//
// Leaves are numbered from 0 (the ledger's position p is leaf p - 1). A
// "node" (level, index) is the perfect subtree of 2^level leaves that starts
// at leaf index * 2^level; every proof is made of such nodes plus, at most
// once per proof, the hash of a range on the tree's right edge that is not a
// perfect subtree (computed from O(log n) nodes). So a proof costs O(log n)
// node reads, whatever the tree's size, from any NodeSource.
//
// Proofs are lists of 32-byte hashes, bottom-up, exactly as RFC 6962 defines
// PATH and PROOF (and RFC 9162 verifies them): interoperable with any
// Certificate Transparency or C2SP tlog verifier.
//
// Thread-safety: everything here is a pure function except CompactRange,
// which is used by one thread at a time.
#ifndef LEDGER_MERKLE_RFC6962_H_
#define LEDGER_MERKLE_RFC6962_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger::merkle {

inline constexpr size_t kHashBytes = 32;
// A tree has at most 2^63 leaves (sizes and indexes are uint64).
inline constexpr int kMaxLevel = 63;

// SHA-256(0x00 || leaf).
std::string LeafHash(absl::string_view leaf);
// SHA-256(0x01 || left || right). REQUIRES: both 32 bytes.
std::string NodeHash(absl::string_view left, absl::string_view right);
// SHA-256 of nothing: the root of the empty tree.
const std::string& EmptyRoot();

// The hashes of perfect subtrees, from wherever they are kept.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // The hash of node (level, index): the perfect subtree of 2^level leaves
  // starting at leaf index << level. Level 0 is a leaf's hash. REQUIRES: the
  // node lies within a tree the caller asks about.
  virtual absl::StatusOr<std::string> Node(int level, uint64_t index) = 0;
};

// MTH(D[begin:end]): the root of the subtree over leaves [begin, end), as
// it appears inside a larger tree (begin a multiple of the largest power of
// two not above end - begin, as every range RFC 6962's recursion reaches).
// REQUIRES: begin < end.
absl::StatusOr<std::string> RangeHash(NodeSource& nodes, uint64_t begin, uint64_t end);

// The root of the tree of the first `size` leaves (EmptyRoot() for 0).
absl::StatusOr<std::string> RootHash(NodeSource& nodes, uint64_t size);

// PATH(index, D[size]), bottom-up. REQUIRES: index < size.
absl::StatusOr<std::vector<std::string>> InclusionProof(NodeSource& nodes, uint64_t index,
                                                        uint64_t size);

// PROOF(old_size, D[new_size]), bottom-up. Empty when old_size is 0 or
// equals new_size. REQUIRES: old_size <= new_size.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(NodeSource& nodes, uint64_t old_size,
                                                          uint64_t new_size);

// The root an inclusion proof leads to (RFC 9162, 2.1.3.2), or
// INVALID_ARGUMENT saying why the proof cannot be one for (index, size):
// wrong length, an index outside the tree, a hash not of 32 bytes.
absl::StatusOr<std::string> RootFromInclusionProof(uint64_t index, uint64_t size,
                                                   absl::string_view leaf_hash,
                                                   const std::vector<std::string>& proof);

// OK when `proof` shows the leaf with `leaf_hash` at `index` in the tree of
// `size` leaves whose root is `root`; else INVALID_ARGUMENT saying why.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, absl::string_view leaf_hash,
                             const std::vector<std::string>& proof, absl::string_view root);

// OK when `proof` shows the tree (old_size, old_root) to be a prefix of
// (new_size, new_root) (RFC 9162, 2.1.4.2); else INVALID_ARGUMENT saying why.
// Equal sizes need equal roots and an empty proof; old_size 0 needs an
// empty proof.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                               absl::string_view new_root, const std::vector<std::string>& proof);

// The right edge of a tree being built leaf by leaf: the roots of the
// perfect subtrees that cover leaves [0, size), largest first (at most 64).
// Appending a leaf merges equal-sized subtrees; each merge completes one new
// node of level >= 1, which `on_node` is told of (what a store keeps).
class CompactRange {
 public:
  using NodeFn = std::function<void(int level, uint64_t index, absl::string_view hash)>;

  CompactRange() = default;
  // The range of a tree of `size` leaves from its perfect subtrees' hashes,
  // largest first. INVALID_ARGUMENT if their count or lengths do not fit
  // `size`.
  static absl::StatusOr<CompactRange> FromHashes(uint64_t size, std::vector<std::string> hashes);
  // The range of the tree of `size` leaves, read from `nodes`.
  static absl::StatusOr<CompactRange> Load(NodeSource& nodes, uint64_t size);

  // Appends the leaf whose hash is `leaf_hash` (32 bytes).
  void Append(absl::string_view leaf_hash, const NodeFn& on_node = {});

  uint64_t size() const { return size_; }
  const std::vector<std::string>& hashes() const { return hashes_; }
  // The root of the tree so far (EmptyRoot() when empty).
  std::string Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<std::string> hashes_;  // one per set bit of size_, highest first
};

// The perfect subtrees covering [begin, end), left to right, as (level,
// index). REQUIRES: begin < end, and `begin` aligned as RangeHash requires.
std::vector<std::pair<int, uint64_t>> RangeNodes(uint64_t begin, uint64_t end);

}  // namespace ledger::merkle

#endif  // LEDGER_MERKLE_RFC6962_H_
