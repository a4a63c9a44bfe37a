// Replay: walk the log from a position, verify the hash chain, and rebuild
// every index from the events alone.
//
// Everything here streams through the log with a RocksDB iterator; memory
// holds one event at a time plus the rebuilt rows that do not grow with the
// log (funds, accounts, registers, reversal marks, days): rows keyed by
// position are compared and dropped bucket by bucket.
#ifndef LEDGER_AUDIT_REPLAY_H_
#define LEDGER_AUDIT_REPLAY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/projections/describe.h"
#include "ledger/storage/read_view.h"

namespace ledger {

struct ChainReport {
  bool ok = true;
  uint64_t events_checked = 0;
  uint64_t first_bad_position = 0;  // 0 when ok
  std::string problem;              // empty when ok
  uint64_t verified_position = 0;   // last position checked
  std::string verified_hash;
};

// Recomputes the chain over [from, to] (0 = 1 / the head). For from > 1 the
// stored hash of from-1 anchors the check. `progress` (may be empty) is
// called every 65536 events with the position reached.
absl::StatusOr<ChainReport> VerifyChain(ReadView& view, uint64_t from, uint64_t to,
                                        const std::function<void(uint64_t)>& progress = {});

struct Mismatch {
  std::string key;
  std::string stored;
  std::string rebuilt;
};

struct RebuildReport {
  bool match = true;
  uint64_t events_replayed = 0;
  uint64_t rows_compared = 0;
  std::vector<Mismatch> mismatches;  // at most kMaxReportedMismatches
  uint64_t as_of_position = 0;
  // Set when an event in the log fails the rules on replay.
  uint64_t failed_position = 0;
  std::string failure;
  // The Merkle tree: rebuilt from the records, its root at as_of_position,
  // and how many stored node rows were compared (0 when the ledger keeps no
  // tree: a copy written before it, opened read-only).
  std::string tree_root;
  bool tree_stored = false;
  uint64_t tree_nodes_compared = 0;
};

// Replays every event into empty state with the rules of recording order
// and the same indexers the writer runs, then compares the result with the
// stored state at the same snapshot; likewise rebuilds the Merkle tree from
// the records and compares every node and the tree's size with the stored
// rows.
absl::StatusOr<RebuildReport> RebuildAndCompare(ReadView& view,
                                                const std::function<void(uint64_t)>& progress = {});

}  // namespace ledger

#endif  // LEDGER_AUDIT_REPLAY_H_
