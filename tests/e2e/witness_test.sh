#!/usr/bin/env bash
# Goal: two witnesses keep a ledger honest. Both cosign its checkpoints
# (their cosignatures appear on the checkpoint ledgerd serves); then one of
# them is served a fork - a copy of the ledger, signed with the same key,
# whose history after a point differs from what it cosigned - and refuses,
# loudly, with a non-zero exit, keeping its state and the evidence; a
# rollback (a copy shorter than what it cosigned) is refused too. The other
# witness, following the real ledger, carries on. Cosignatures come only
# from the witness keys the operator configured. A rotation of the ledger's
# key needs each witness's operator to trust the new key.
source "$(dirname "$0")/lib.sh"
C="$LEDGERCTL"
cd "$WORK"
"$C" key generate --output ledger.key >/dev/null
for w in w1 w2 w3; do
  "$C" key generate --output "$w.key" --name "$w.example" --witness >/dev/null
done
# w3 is not configured.
"$C" key show w1.key --name w1.example --witness >witnesses
"$C" key show w2.key --name w2.example --witness >>witnesses
flags=(--checkpoint_key="$WORK/ledger.key" --witness_keys="$WORK/witnesses"
  --checkpoint_interval_ms=100)
witness() {  # witness NAME: one run against LEDGER_SERVER
  run_rc out "$C" witness --state "state-$1" --key "$1.key" --name "$1.example" \
    --log-key ledger.vkey
}

start_ledgerd "$WORK/real" "${flags[@]}"
"$C" checkpoint --key --json | jq -r .verifier_key >ledger.vkey
"$C" beneficiary add lawyer --name "Legal aid" >/dev/null
for i in 1 2 3; do "$C" donate "$i.00" GBP --event-id "d-$i" >/dev/null; done
wait_checkpoint  # 5 events
witness w1 && expect_rc "$RC" 0 "w1, first run" "$out"
witness w2 && expect_rc "$RC" 0 "w2, first run" "$out"
expect_contains "$out" "cosigned by 2 of 2 witnesses (w1.example, w2.example)"
witness w3
expect_rc "$RC" 1 "an unconfigured witness" "$out"
expect_contains "$out" "carries no cosignature of a witness this ledger accepts"
stop_ledgerd
cp -r real fork  # the fork starts here, at 5 events
cp -r real old   # and a copy stays at 5 events

start_ledgerd "$WORK/real" "${flags[@]}"
for i in 4 5 6; do "$C" donate "$i.00" GBP --event-id "d-$i" >/dev/null; done
wait_checkpoint  # 8 events
witness w1 && expect_rc "$RC" 0 "w1 on the grown log" "$out"
expect_contains "$out" "consistent with the checkpoint of 5 events it cosigned before"
witness w2 && expect_rc "$RC" 0 "w2 on the grown log" "$out"
cosigned="$("$C" --json checkpoint | jq -r '[.checkpoint.cosignatures[].witness] | join(",")')"
expect_eq "$cosigned" "w1.example,w2.example" "the cosignatures on checkpoint 8"
expect_contains "$("$C" checkpoint 2>&1 >/dev/null)" "cosigned by 2 of 2 witnesses"
note="$("$C" checkpoint 2>/dev/null)"
expect_contains "$note" "— w1.example "
expect_contains "$note" "— w2.example "
stop_ledgerd

# The fork: same key, same origin, another history after position 5.
start_ledgerd "$WORK/fork" "${flags[@]}"
for i in 4 5 6 7; do "$C" donate "$i.50" GBP --event-id "f-$i" >/dev/null; done
wait_checkpoint  # 9 events, its first 8 not the real ones
cp state-w2/checkpoint w2-before
witness w2
expect_rc "$RC" 1 "w2 served the fork" "$out"
expect_contains "$out" "REFUSED: FORK: the log of 9 events does not extend the log of 8"
cmp -s state-w2/checkpoint w2-before || fail "the refused fork changed w2's state"
ls state-w2/refused-*.txt >/dev/null || fail "w2 kept no evidence of the fork"
expect_eq "$("$C" --json checkpoint | jq -r '.checkpoint.cosignatures | length')" "0" \
  "cosignatures on the fork"
stop_ledgerd
# A rollback: the copy of the first 5 events, shown to a witness that
# cosigned 8.
start_ledgerd "$WORK/old" "${flags[@]}"
witness w1
expect_rc "$RC" 1 "w1 served a rolled-back copy" "$out"
expect_contains "$out" "REFUSED: ROLLBACK: this witness cosigned 8 events; the server now shows 5"
stop_ledgerd
start_ledgerd "$WORK/real" "${flags[@]}"
witness w1 && expect_rc "$RC" 0 "w1 still follows the real ledger" "$out"
expect_contains "$out" "cosigned checkpoint 8"
"$C" checkpoint --output before-rotation.txt >/dev/null
stop_ledgerd

# The ledger's key is rotated: a witness refuses the new key until its
# operator adds it; checkpoints signed before verify with the old key.
"$C" key generate --output ledger2.key >/dev/null
start_ledgerd "$WORK/real" --checkpoint_key="$WORK/ledger2.key" \
  --witness_keys="$WORK/witnesses" --checkpoint_interval_ms=100
"$C" donate 9.00 GBP --event-id d-9 >/dev/null
wait_checkpoint  # 9 events, signed with the new key
"$C" checkpoint --key --output ledger2.vkey >/dev/null
witness w1
expect_rc "$RC" 1 "w1 before it trusts the new key" "$out"
expect_contains "$out" "not signed by the trusted key"
cat ledger2.vkey >>state-w1/log.vkey
witness w1 && expect_rc "$RC" 0 "w1 trusting both keys" "$out"
expect_contains "$out" "consistent with the checkpoint of 8 events it cosigned before"
cat ledger.vkey ledger2.vkey >both.vkey
run_rc out "$C" audit verify --checkpoint before-rotation.txt --log-key both.vkey
expect_rc "$RC" 0 "a checkpoint of the old key, checked with both" "$out"
run_rc out "$C" audit verify --checkpoint before-rotation.txt --log-key ledger.vkey
expect_rc "$RC" 1 "the old key alone cannot check the new checkpoints" "$out"
stop_ledgerd
echo "witness_test: 1 passed, 0 failed"
