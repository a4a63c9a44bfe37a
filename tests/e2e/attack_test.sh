#!/usr/bin/env bash
# Goal: the attack of issue #17, automated. Someone with the ledger's files
# rewrites a 100.00 payment into a 60.00 payment (holding the data and the
# private key file) and fixes
# up the chain, the head, the id digest, every projection row and the Merkle
# tree (tests/testing/tamper.h). `ledgerctl audit replay` then says the books
# verify: nothing inside the ledger can tell. Each of the three checks kept
# outside it catches the rewrite, with a non-zero exit and a clear line:
#   * an auditor's earlier checkpoint (`audit verify --checkpoint`, online
#     and offline on the copy);
#   * a witness, which cosigned the earlier log;
#   * a donor's receipt, checked against the live log (`receipt verify
#     --server`).
# And what cannot be caught: a checkpoint taken after the rewrite verifies.
# A careless attacker who leaves the stored checkpoints finds ledgerd
# refusing to start.
source "$(dirname "$0")/lib.sh"
TAMPER_LEDGER="${TAMPER_LEDGER:?set TAMPER_LEDGER to the tamper_ledger binary}"
C="$LEDGERCTL"
cd "$WORK"

# The operator's keys (kept apart from the data) and one witness.
"$C" key generate --output ledger.key >/dev/null
"$C" key generate --output w1.key --name w1.example --witness >/dev/null
"$C" key show w1.key --name w1.example --witness >witnesses
flags=(--checkpoint_key="$WORK/ledger.key" --witness_keys="$WORK/witnesses"
  --checkpoint_interval_ms=100)
start_ledgerd "$WORK/data" "${flags[@]}"
"$C" checkpoint --key --json | jq -r .verifier_key >ledger.vkey  # what the operator publishes

"$C" beneficiary add lawyer --name "Legal aid" --event-id reg-lawyer >/dev/null
"$C" donate 250.00 GBP --to lawyer --donor-ref donor-7 --event-id don-donor >/dev/null
# A payment asked for (two to sign): the request commits 100.00 GBP.
"$C" disburse lawyer 100.00 GBP --purpose "court fees" --payee firm-a --event-id pay-1 >/dev/null
"$C" donate 20.00 GBP --event-id don-later >/dev/null
wait_checkpoint

# What each party keeps.
"$C" checkpoint --output kept.txt >/dev/null
run_rc out "$C" witness --state w1 --key w1.key --name w1.example --log-key ledger.vkey
expect_rc "$RC" 0 "the witness's first run" "$out"
expect_contains "$out" "cosigned checkpoint 5"
run_rc out "$C" receipt don-donor --output receipt.txt --log-key ledger.vkey
expect_rc "$RC" 0 "the donor's receipt" "$out"
expect_contains "$out" "cosigned by 1 of 1"
run_rc out "$C" receipt verify receipt.txt --log-key ledger.vkey --witness-keys witnesses \
  --server "$LEDGER_SERVER"
expect_rc "$RC" 0 "the receipt before the attack" "$out"
expect_contains "$out" "it still holds this event"
run_rc out "$C" audit verify --checkpoint kept.txt --log-key ledger.vkey
expect_rc "$RC" 0 "the kept checkpoint before the attack" "$out"
stop_ledgerd

# A careless attacker leaves the stored checkpoints: ledgerd will not sign.
cp -r data careless
"$TAMPER_LEDGER" careless pay-1 6000 --keep-checkpoints >/dev/null
run_rc out "$LEDGERD" --data_dir="$WORK/careless" --listen=127.0.0.1:0 \
  --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --checkpoint_key="$WORK/ledger.key"
expect_rc "$RC" 1 "ledgerd on a rewritten log that keeps its checkpoints" "$out"
expect_contains "$out" "the log was changed after checkpoint 5 was signed"

# The attack.
"$TAMPER_LEDGER" data pay-1 6000 >/dev/null
run_rc out "$C" audit replay --data-dir data
expect_rc "$RC" 0 "audit replay of the rewritten copy (the blind spot)" "$out"
expect_contains "$out" "RESULT: the books verify."
start_ledgerd "$WORK/data" "${flags[@]}"
expect_contains "$("$C" event pay-1)" "60.00 GBP"
wait_checkpoint

# 1. The auditor's checkpoint, online and offline.
run_rc out "$C" audit verify --checkpoint kept.txt --log-key ledger.vkey
expect_rc "$RC" 1 "audit verify --checkpoint after the attack" "$out"
expect_contains "$out" "THE LOG DOES NOT EXTEND YOUR CHECKPOINT"
run_rc out "$C" audit verify --checkpoint kept.txt --log-key ledger.vkey --data-dir data
expect_rc "$RC" 1 "audit verify --checkpoint --data-dir after the attack" "$out"
expect_contains "$out" "history was rewritten"

# 2. The witness.
run_rc out "$C" witness --state w1 --key w1.key --name w1.example
expect_rc "$RC" 1 "the witness after the attack" "$out"
expect_contains "$out" "REFUSED: FORK"
ls w1/refused-*.txt >/dev/null || fail "the witness kept no evidence of the fork"

# 3. The donor's receipt: genuine offline, not held by the live log.
run_rc out "$C" receipt verify receipt.txt --log-key ledger.vkey --witness-keys witnesses
expect_rc "$RC" 0 "the receipt offline" "$out"
run_rc out "$C" receipt verify receipt.txt --log-key ledger.vkey --witness-keys witnesses \
  --server "$LEDGER_SERVER"
expect_rc "$RC" 1 "the receipt against the rewritten log" "$out"
expect_contains "$out" "THE LIVE LOG NO LONGER HOLDS WHAT THIS RECEIPT PROVES"

# What nobody can catch: a checkpoint first taken after the rewrite.
"$C" checkpoint --output fresh.txt >/dev/null
run_rc out "$C" audit verify --checkpoint fresh.txt --log-key ledger.vkey
expect_rc "$RC" 0 "a checkpoint taken after the rewrite" "$out"
stop_ledgerd
echo "attack_test: 1 passed, 0 failed"
