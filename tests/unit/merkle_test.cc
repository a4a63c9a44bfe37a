// Goal: the RFC 6962 tree is the one Certificate Transparency logs build.
//   * the reference vectors CT implementations test against (the 8-leaf
//     tree's leaf, node and root hashes; its inclusion and consistency
//     proofs) come out byte for byte;
//   * for every tree size up to 130 and every leaf or old size, the proofs
//     equal a naive recomputation straight from RFC 6962's definitions
//     (MTH, PATH, PROOF over a list of leaves), verify, and stop verifying
//     when anything about them is changed;
//   * a compact range built leaf by leaf has the naive root at every size
//     and reports exactly the nodes a store must keep.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/hash.h"
#include "ledger/merkle/rfc6962.h"

namespace ledger::merkle {
namespace {

std::string Hex(absl::string_view bytes) { return ToHex(bytes); }
std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// ------------------------------------------------------------------ naive RFC 6962

// Largest power of two below n (n >= 2), computed the slow way.
uint64_t NaiveSplit(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[begin:end]) by the definition.
std::string NaiveMth(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  if (end == begin) return Sha256("");
  if (end - begin == 1) return Sha256(std::string(1, '\0') + leaves[begin]);
  const size_t k = NaiveSplit(end - begin);
  return Sha256(std::string(1, '\1') + NaiveMth(leaves, begin, begin + k) +
                NaiveMth(leaves, begin + k, end));
}

// PATH(m, D[begin:end]) by the definition.
std::vector<std::string> NaivePath(const std::vector<std::string>& leaves, size_t m, size_t begin,
                                   size_t end) {
  if (end - begin <= 1) return {};
  const size_t k = NaiveSplit(end - begin);
  std::vector<std::string> out;
  if (m < k) {
    out = NaivePath(leaves, m, begin, begin + k);
    out.push_back(NaiveMth(leaves, begin + k, end));
  } else {
    out = NaivePath(leaves, m - k, begin + k, end);
    out.push_back(NaiveMth(leaves, begin, begin + k));
  }
  return out;
}

// SUBPROOF(m, D[begin:end], b) by the definition.
std::vector<std::string> NaiveSubProof(const std::vector<std::string>& leaves, size_t m,
                                       size_t begin, size_t end, bool b) {
  const size_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {NaiveMth(leaves, begin, end)};
  }
  const size_t k = NaiveSplit(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = NaiveSubProof(leaves, m, begin, begin + k, b);
    out.push_back(NaiveMth(leaves, begin + k, end));
  } else {
    out = NaiveSubProof(leaves, m - k, begin + k, end, false);
    out.push_back(NaiveMth(leaves, begin, begin + k));
  }
  return out;
}

// A NodeSource that computes every node from the leaves, counting reads.
class LeafNodes : public NodeSource {
 public:
  explicit LeafNodes(const std::vector<std::string>* leaves) : leaves_(leaves) {}
  absl::StatusOr<std::string> Node(int level, uint64_t index) override {
    ++reads;
    const size_t begin = index << level, end = (index + 1) << level;
    EXPECT_LE(end, leaves_->size()) << "node (" << level << "," << index << ") outside the tree";
    return NaiveMth(*leaves_, begin, std::min(end, leaves_->size()));
  }
  int reads = 0;

 private:
  const std::vector<std::string>* leaves_;
};

// The leaves of the reference tree.
std::vector<std::string> ReferenceLeaves() {
  return {Unhex(""),
          Unhex("00"),
          Unhex("10"),
          Unhex("2021"),
          Unhex("3031"),
          Unhex("40414243"),
          Unhex("5051525354555657"),
          Unhex("606162636465666768696a6b6c6d6e6f")};
}

// n leaves of varying lengths.
std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(absl::StrCat("leaf-", i, std::string(i % 7, 'x')));
  return out;
}

// ------------------------------------------------------------------ reference vectors

TEST(MerkleVectorsTest, LeafNodeAndRootHashesOfTheReferenceTree) {
  const std::vector<std::string> leaves = ReferenceLeaves();
  // Level 0: the leaf hashes.
  const char* const kLeafHashes[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
      "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"};
  for (size_t i = 0; i < leaves.size(); ++i) EXPECT_EQ(Hex(LeafHash(leaves[i])), kLeafHashes[i]);
  // Levels 1 to 3.
  const std::map<std::pair<int, uint64_t>, std::string> kNodes = {
      {{1, 0}, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"},
      {{1, 1}, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"},
      {{1, 2}, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"},
      {{1, 3}, "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
      {{2, 0}, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
      {{2, 1}, "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
      {{3, 0}, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}};
  LeafNodes nodes(&leaves);
  for (const auto& [id, want] : kNodes) {
    EXPECT_EQ(Hex(*nodes.Node(id.first, id.second)), want) << id.first << "," << id.second;
  }
  // The roots of the trees of 0..8 leaves.
  const char* const kRoots[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                                "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                                "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                                "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                                "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  CompactRange range;
  for (size_t size = 0; size <= leaves.size(); ++size) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    EXPECT_EQ(Hex(*RootHash(nodes, size)), kRoots[size]);
    EXPECT_EQ(Hex(range.Root()), kRoots[size]);
    if (size < leaves.size()) range.Append(LeafHash(leaves[size]));
  }
  EXPECT_EQ(Hex(EmptyRoot()), kRoots[0]);
}

TEST(MerkleVectorsTest, InclusionProofsOfTheReferenceTree) {
  struct Vector {
    uint64_t leaf;  // 1-based, as the vectors are written
    uint64_t size;
    std::vector<const char*> proof;
  };
  const std::vector<Vector> kVectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {3, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {2,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<std::string> leaves = ReferenceLeaves();
  LeafNodes nodes(&leaves);
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(absl::StrCat("leaf ", v.leaf, " of ", v.size));
    auto proof = InclusionProof(nodes, v.leaf - 1, v.size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    std::vector<std::string> want;
    for (const char* h : v.proof) want.push_back(h);
    std::vector<std::string> got;
    for (const std::string& h : *proof) got.push_back(Hex(h));
    EXPECT_EQ(got, want);
    EXPECT_TRUE(VerifyInclusion(v.leaf - 1, v.size, LeafHash(leaves[v.leaf - 1]), *proof,
                                *RootHash(nodes, v.size))
                    .ok());
  }
}

TEST(MerkleVectorsTest, ConsistencyProofsOfTheReferenceTree) {
  struct Vector {
    uint64_t old_size, new_size;
    std::vector<const char*> proof;
  };
  const std::vector<Vector> kVectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  const std::vector<std::string> leaves = ReferenceLeaves();
  LeafNodes nodes(&leaves);
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(absl::StrCat(v.old_size, " -> ", v.new_size));
    auto proof = ConsistencyProof(nodes, v.old_size, v.new_size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    std::vector<std::string> want;
    for (const char* h : v.proof) want.push_back(h);
    std::vector<std::string> got;
    for (const std::string& h : *proof) got.push_back(Hex(h));
    EXPECT_EQ(got, want);
    EXPECT_TRUE(VerifyConsistency(v.old_size, v.new_size, *RootHash(nodes, v.old_size),
                                  *RootHash(nodes, v.new_size), *proof)
                    .ok());
  }
}

// ------------------------------------------------------------------ every size

// Copies of `proof` each changed in one way that must make it fail.
std::vector<std::pair<std::string, std::vector<std::string>>> Corruptions(
    const std::vector<std::string>& proof) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<std::string> p = proof;
    p[i][0] ^= 0x08;
    out.emplace_back(absl::StrCat("bit flipped in hash ", i), p);
  }
  if (!proof.empty()) {
    out.emplace_back("last hash dropped", std::vector<std::string>(proof.begin(), proof.end() - 1));
    std::vector<std::string> swapped = proof;
    if (proof.size() > 1 && proof[0] != proof[1]) {
      std::swap(swapped[0], swapped[1]);
      out.emplace_back("first two hashes swapped", swapped);
    }
  }
  std::vector<std::string> longer = proof;
  longer.push_back(Sha256("extra"));
  out.emplace_back("hash appended", longer);
  std::vector<std::string> front = proof;
  front.insert(front.begin(), Sha256("extra"));
  out.emplace_back("hash prepended", front);
  return out;
}

TEST(MerklePropertyTest, InclusionProofsEqualTheDefinitionAndVerifyForEverySize) {
  constexpr size_t kMaxSize = 130;
  const std::vector<std::string> leaves = Leaves(kMaxSize);
  for (size_t size = 1; size <= kMaxSize; ++size) {
    std::vector<std::string> prefix(leaves.begin(), leaves.begin() + size);
    LeafNodes nodes(&prefix);
    const std::string root = NaiveMth(prefix, 0, size);
    ASSERT_EQ(*RootHash(nodes, size), root) << size;
    for (size_t m = 0; m < size; ++m) {
      SCOPED_TRACE(absl::StrCat("leaf ", m, " of ", size));
      nodes.reads = 0;
      auto proof = InclusionProof(nodes, m, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, NaivePath(prefix, m, 0, size));
      // O(log n) node reads: each proof hash is one node, or a right-edge
      // range of at most log2(n) nodes (once).
      EXPECT_LE(nodes.reads, 2 * 8 + 1);
      const std::string leaf = LeafHash(prefix[m]);
      ASSERT_TRUE(VerifyInclusion(m, size, leaf, *proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(m, size, LeafHash("other"), *proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(m, size, leaf, *proof, Sha256("root")).ok());
      if (size > 1) {
        EXPECT_FALSE(VerifyInclusion((m + 1) % size, size, leaf, *proof, root).ok());
      }
      EXPECT_FALSE(VerifyInclusion(m, size * 2, leaf, *proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(size, size, leaf, *proof, root).ok());
      for (const auto& [what, bad] : Corruptions(*proof)) {
        EXPECT_FALSE(VerifyInclusion(m, size, leaf, bad, root).ok()) << what;
      }
    }
  }
}

TEST(MerklePropertyTest, ConsistencyProofsEqualTheDefinitionAndVerifyForEveryPairOfSizes) {
  constexpr size_t kMaxSize = 130;
  const std::vector<std::string> leaves = Leaves(kMaxSize);
  std::vector<std::string> roots;
  for (size_t size = 0; size <= kMaxSize; ++size) roots.push_back(NaiveMth(leaves, 0, size));
  LeafNodes nodes(&leaves);
  for (size_t n = 1; n <= kMaxSize; ++n) {
    for (size_t m = 0; m <= n; ++m) {
      SCOPED_TRACE(absl::StrCat(m, " -> ", n));
      auto proof = ConsistencyProof(nodes, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      const std::vector<std::string> want =
          (m == 0 || m == n) ? std::vector<std::string>{} : NaiveSubProof(leaves, m, 0, n, true);
      ASSERT_EQ(*proof, want);
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], *proof).ok());
      if (m == 0) continue;
      EXPECT_FALSE(VerifyConsistency(m, n, Sha256("old"), roots[n], *proof).ok());
      if (m == n) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], Sha256("new"), *proof).ok());
        continue;
      }
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], Sha256("new"), *proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, roots[n], roots[m], *proof).ok());
      EXPECT_FALSE(VerifyConsistency(n, m, roots[n], roots[m], *proof).ok());
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyConsistency(m + 1, n, roots[m + 1], roots[n], *proof).ok());
      }
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}).ok());
      for (const auto& [what, bad] : Corruptions(*proof)) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], bad).ok()) << what;
      }
      // A tree that differs in any one leaf before m cannot be proven to
      // extend the old one.
      std::vector<std::string> forked = leaves;
      forked[m - 1] += "!";
      LeafNodes forked_nodes(&forked);
      auto forked_proof = ConsistencyProof(forked_nodes, m, n);
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], NaiveMth(forked, 0, n), *forked_proof).ok());
    }
  }
}

TEST(MerklePropertyTest, CompactRangeHasTheRootAtEverySizeAndReportsEachNodeOnce) {
  constexpr size_t kSize = 300;
  const std::vector<std::string> leaves = Leaves(kSize);
  LeafNodes nodes(&leaves);
  CompactRange range;
  std::map<std::pair<int, uint64_t>, std::string> seen;
  for (size_t i = 0; i < kSize; ++i) {
    range.Append(LeafHash(leaves[i]), [&](int level, uint64_t index, absl::string_view hash) {
      EXPECT_GE(level, 1);
      EXPECT_TRUE(seen.emplace(std::make_pair(level, index), std::string(hash)).second)
          << "node reported twice";
    });
    ASSERT_EQ(range.Root(), NaiveMth(leaves, 0, i + 1)) << i + 1;
    // The range can be loaded back from its nodes.
    auto loaded = CompactRange::Load(nodes, i + 1);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->hashes(), range.hashes());
  }
  // Every complete node of level >= 1 was reported, with its hash.
  size_t complete = 0;
  for (int level = 1; (size_t{1} << level) <= kSize; ++level) {
    for (uint64_t index = 0; ((index + 1) << level) <= kSize; ++index) {
      ++complete;
      auto it = seen.find({level, index});
      ASSERT_NE(it, seen.end()) << level << "," << index;
      EXPECT_EQ(it->second, *nodes.Node(level, index));
    }
  }
  EXPECT_EQ(seen.size(), complete);
  EXPECT_FALSE(CompactRange::FromHashes(5, {Sha256("a")}).ok());
  EXPECT_FALSE(CompactRange::FromHashes(1, {"short"}).ok());
}

TEST(MerklePropertyTest, LargeRandomTreesAgreeWithTheDefinition) {
  std::mt19937_64 rng(6962);
  const std::vector<std::string> leaves = Leaves(2000);
  LeafNodes nodes(&leaves);
  for (int trial = 0; trial < 40; ++trial) {
    const uint64_t n = 1 + rng() % leaves.size();
    const uint64_t m = rng() % n;
    const uint64_t old = 1 + rng() % n;
    ASSERT_EQ(*InclusionProof(nodes, m, n), NaivePath(leaves, m, 0, n));
    ASSERT_EQ(*ConsistencyProof(nodes, old, n),
              old == n ? std::vector<std::string>{} : NaiveSubProof(leaves, old, 0, n, true));
  }
}

}  // namespace
}  // namespace ledger::merkle
