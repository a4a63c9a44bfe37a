// RewriteHistoryForTest: the attack of issue #17, as someone with access to
// the ledger's files (and to nothing else) would make it.
//
// The attacker holds the files and the ledger's private key file (the
// strongest case: on one machine both are within reach): the key lets it
// recompute the keyed id digest. It edits the public part of a record only;
// the sealed private details and their commitment stay as they were.
//
// It changes one stored event and then fixes up everything on disk that
// would give the change away to the ledger's own checks: every later
// record's prev_hash and hash (the chain), the edited event's id entry (its
// content digest), the head, every projection row (rebuilt by replaying the
// events through the ledger's own rules and indexers), and the Merkle tree's
// rows (rebuilt from the new records). The stored checkpoints are signed with
// a key the attacker does not hold: by default they are deleted (ledgerd
// would refuse to start on a log that no longer extends them).
//
// Afterwards VerifyChain, RebuildAndCompare and `ledgerctl audit replay` find
// nothing wrong. Only a checkpoint kept outside the ledger (an auditor's, a
// witness's state, a donor's receipt) can tell.
//
// REQUIRES: no process has the ledger open.
#ifndef LEDGER_TESTS_TAMPER_H_
#define LEDGER_TESTS_TAMPER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger::testing {

namespace v1 = ::solidarity::ledger::v1;

struct RewriteOptions {
  // The ledger's private key (32 bytes: ReadKeyFile).
  std::string private_key;
  // Leave the stored checkpoints as they are (ledgerd then refuses to sign).
  bool keep_checkpoints = false;
};

// Applies `edit` to the payload of the event `event_id` of the ledger in
// `dir` and fixes up the rest (see above).
absl::Status RewriteHistoryForTest(const std::string& dir, absl::string_view event_id,
                                   const std::function<void(v1::EventPayload&)>& edit,
                                   RewriteOptions options = {});

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_TAMPER_H_
