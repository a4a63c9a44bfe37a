// tamper_ledger: the attack of issue #17 from the command line, for the
// end-to-end tests (tests/e2e/attack_test.sh). Rewrites a disbursement (or
// a disbursement request) of a
// stopped ledger's data directory as someone with the files would, fixing
// the chain, the head, the id entry, the projections and the tree
// (tests/testing/tamper.h). The attacker has the private key file too
// ($LEDGER_PRIVATE_KEY_FILE); the payee is a sealed private detail, so the
// rewrite changes the amount, the public part.
//
//   tamper_ledger DATA_DIR EVENT_ID AMOUNT_MINOR [--keep-checkpoints]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "ledger/crypto/keyring.h"
#include "tests/testing/tamper.h"

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && std::string(argv[4]) == "--keep-checkpoints")) {
    std::fprintf(stderr,
                 "usage: tamper_ledger DATA_DIR EVENT_ID AMOUNT_MINOR [--keep-checkpoints]\n");
    return 2;
  }
  const char* key_file = std::getenv("LEDGER_PRIVATE_KEY_FILE");
  if (key_file == nullptr) {
    std::fprintf(stderr, "tamper_ledger: set LEDGER_PRIVATE_KEY_FILE to the ledger's key file\n");
    return 2;
  }
  absl::StatusOr<std::string> key = ledger::ReadKeyFile(key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "tamper_ledger: %s\n", key.status().ToString().c_str());
    return 2;
  }
  int64_t amount = 0;
  if (!absl::SimpleAtoi(argv[3], &amount) || amount <= 0) {
    std::fprintf(stderr, "tamper_ledger: AMOUNT_MINOR is a positive whole number\n");
    return 2;
  }
  ledger::testing::RewriteOptions options;
  options.private_key = *key;
  options.keep_checkpoints = argc == 5;
  absl::Status s = ledger::testing::RewriteHistoryForTest(
      argv[1], argv[2],
      [&](solidarity::ledger::v1::EventPayload& p) {
        // A payment, or the request that committed it (two to sign).
        auto* body = p.mutable_body();
        if (body->has_disbursement_requested()) {
          body->mutable_disbursement_requested()->mutable_amount()->set_amount_minor(amount);
        } else {
          body->mutable_disbursement_made()->mutable_amount()->set_amount_minor(amount);
        }
      },
      options);
  if (!s.ok()) {
    std::fprintf(stderr, "tamper_ledger: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("rewrote %s: %lld minor units; chain, head, ids, projections and tree fixed%s\n",
              argv[2], static_cast<long long>(amount),
              options.keep_checkpoints ? "" : "; stored checkpoints deleted");
  return 0;
}
