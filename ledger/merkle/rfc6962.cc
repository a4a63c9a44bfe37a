#include "ledger/merkle/rfc6962.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/status_macros.h"

namespace ledger::merkle {
namespace {

// The low-level SHA256 API is deprecated in OpenSSL 3 but is the fastest
// path for the tree's tiny inputs (one or two blocks); EVP would allocate a
// context per hash. Same choice as ledger/hash.cc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::string Sha256Parts(unsigned char prefix, absl::string_view a, absl::string_view b) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &prefix, 1);
  SHA256_Update(&ctx, a.data(), a.size());
  if (!b.empty()) SHA256_Update(&ctx, b.data(), b.size());
  std::string out(kHashBytes, '\0');
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  return out;
}
#pragma GCC diagnostic pop

// The largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (63 - absl::countl_zero(n - 1)); }

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

absl::Status CheckHashes(const std::vector<std::string>& proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashBytes) {
      return Invalid(absl::StrCat("proof hash ", i, " has ", proof[i].size(), " bytes, not 32"));
    }
  }
  return absl::OkStatus();
}

// PATH(m, D[begin:end]) appended to `out`, bottom-up.
absl::Status Path(NodeSource& nodes, uint64_t m, uint64_t begin, uint64_t end,
                  std::vector<std::string>& out) {
  if (end - begin <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(end - begin);
  if (m < begin + k) {
    RETURN_IF_ERROR(Path(nodes, m, begin, begin + k, out));
    ASSIGN_OR_RETURN(std::string right, RangeHash(nodes, begin + k, end));
    out.push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(Path(nodes, m, begin + k, end, out));
    ASSIGN_OR_RETURN(std::string left, RangeHash(nodes, begin, begin + k));
    out.push_back(std::move(left));
  }
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:end], complete) appended to `out`, bottom-up.
absl::Status SubProof(NodeSource& nodes, uint64_t m, uint64_t begin, uint64_t end, bool complete,
                      std::vector<std::string>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!complete) {
      ASSIGN_OR_RETURN(std::string whole, RangeHash(nodes, begin, end));
      out.push_back(std::move(whole));
    }
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(nodes, m, begin, begin + k, complete, out));
    ASSIGN_OR_RETURN(std::string right, RangeHash(nodes, begin + k, end));
    out.push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(SubProof(nodes, m - k, begin + k, end, false, out));
    ASSIGN_OR_RETURN(std::string left, RangeHash(nodes, begin, begin + k));
    out.push_back(std::move(left));
  }
  return absl::OkStatus();
}

}  // namespace

std::string LeafHash(absl::string_view leaf) { return Sha256Parts(0x00, leaf, ""); }

std::string NodeHash(absl::string_view left, absl::string_view right) {
  LEDGER_CHECK(left.size() == kHashBytes && right.size() == kHashBytes);
  return Sha256Parts(0x01, left, right);
}

const std::string& EmptyRoot() {
  static const std::string* empty = [] {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    auto* out = new std::string(kHashBytes, '\0');
    SHA256(nullptr, 0, reinterpret_cast<unsigned char*>(out->data()));
#pragma GCC diagnostic pop
    return out;
  }();
  return *empty;
}

std::vector<std::pair<int, uint64_t>> RangeNodes(uint64_t begin, uint64_t end) {
  LEDGER_CHECK(begin < end);
  std::vector<std::pair<int, uint64_t>> out;
  uint64_t at = begin;
  for (int level = kMaxLevel; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    LEDGER_CHECK(at % width == 0);
    out.emplace_back(level, at >> level);
    at += width;
  }
  return out;
}

absl::StatusOr<std::string> RangeHash(NodeSource& nodes, uint64_t begin, uint64_t end) {
  const std::vector<std::pair<int, uint64_t>> parts = RangeNodes(begin, end);
  // MTH splits at the largest power of two, which is the first part: fold
  // from the right.
  ASSIGN_OR_RETURN(std::string hash, nodes.Node(parts.back().first, parts.back().second));
  for (size_t i = parts.size() - 1; i-- > 0;) {
    ASSIGN_OR_RETURN(std::string left, nodes.Node(parts[i].first, parts[i].second));
    hash = NodeHash(left, hash);
  }
  return hash;
}

absl::StatusOr<std::string> RootHash(NodeSource& nodes, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return RangeHash(nodes, 0, size);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(NodeSource& nodes, uint64_t index,
                                                        uint64_t size) {
  LEDGER_CHECK(index < size);
  std::vector<std::string> out;
  RETURN_IF_ERROR(Path(nodes, index, 0, size, out));
  return out;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(NodeSource& nodes, uint64_t old_size,
                                                          uint64_t new_size) {
  LEDGER_CHECK(old_size <= new_size);
  std::vector<std::string> out;
  if (old_size == 0 || old_size == new_size) return out;
  RETURN_IF_ERROR(SubProof(nodes, old_size, 0, new_size, /*complete=*/true, out));
  return out;
}

absl::StatusOr<std::string> RootFromInclusionProof(uint64_t index, uint64_t size,
                                                   absl::string_view leaf_hash,
                                                   const std::vector<std::string>& proof) {
  if (index >= size) {
    return Invalid(absl::StrCat("leaf index ", index, " is outside a tree of ", size, " leaves"));
  }
  if (leaf_hash.size() != kHashBytes) return Invalid("the leaf hash is not 32 bytes");
  RETURN_IF_ERROR(CheckHashes(proof));
  uint64_t fn = index, sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return Invalid("the proof is longer than a path in this tree");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Invalid("the proof is shorter than a path in this tree");
  return r;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, absl::string_view leaf_hash,
                             const std::vector<std::string>& proof, absl::string_view root) {
  ASSIGN_OR_RETURN(std::string got, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (got != root) return Invalid("the proof leads to another root: the leaf is not in this tree");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                               absl::string_view new_root, const std::vector<std::string>& proof) {
  if (old_size > new_size) {
    return Invalid(
        absl::StrCat("the old tree (", old_size, ") is larger than the new one (", new_size, ")"));
  }
  RETURN_IF_ERROR(CheckHashes(proof));
  if (old_size == new_size) {
    if (!proof.empty()) return Invalid("a proof between equal sizes must be empty");
    if (old_root != new_root) return Invalid("two different roots for the same tree size");
    return absl::OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Invalid("a proof from the empty tree must be empty");
    return absl::OkStatus();
  }
  if (proof.empty()) return Invalid("the proof is empty");
  std::vector<std::string> path;
  path.reserve(proof.size() + 1);
  // An old tree that is a perfect subtree is its own first node.
  if (absl::has_single_bit(old_size)) path.emplace_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return Invalid("the proof is longer than this pair of trees needs");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Invalid("the proof is shorter than this pair of trees needs");
  if (fr != old_root) return Invalid("the proof does not lead to the old root");
  if (sr != new_root) return Invalid("the proof does not lead to the new root");
  return absl::OkStatus();
}

// ------------------------------------------------------------------ CompactRange

absl::StatusOr<CompactRange> CompactRange::FromHashes(uint64_t size,
                                                      std::vector<std::string> hashes) {
  if (hashes.size() != static_cast<size_t>(absl::popcount(size))) {
    return Invalid(absl::StrCat("a tree of ", size, " leaves has ", absl::popcount(size),
                                " perfect subtrees on its edge, not ", hashes.size()));
  }
  RETURN_IF_ERROR(CheckHashes(hashes));
  CompactRange range;
  range.size_ = size;
  range.hashes_ = std::move(hashes);
  return range;
}

absl::StatusOr<CompactRange> CompactRange::Load(NodeSource& nodes, uint64_t size) {
  std::vector<std::string> hashes;
  if (size > 0) {
    for (const auto& [level, index] : RangeNodes(0, size)) {
      ASSIGN_OR_RETURN(std::string h, nodes.Node(level, index));
      hashes.push_back(std::move(h));
    }
  }
  return FromHashes(size, std::move(hashes));
}

void CompactRange::Append(absl::string_view leaf_hash, const NodeFn& on_node) {
  LEDGER_CHECK(leaf_hash.size() == kHashBytes);
  std::string hash(leaf_hash);
  uint64_t index = size_;
  int level = 0;
  // Each trailing one bit of the old size is a subtree of this level to merge.
  while ((index & 1) == 1) {
    LEDGER_CHECK(!hashes_.empty());
    hash = NodeHash(hashes_.back(), hash);
    hashes_.pop_back();
    index >>= 1;
    ++level;
    if (on_node) on_node(level, index, hash);
  }
  hashes_.push_back(std::move(hash));
  ++size_;
}

std::string CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  std::string hash = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) hash = NodeHash(hashes_[i], hash);
  return hash;
}

}  // namespace ledger::merkle
