#!/usr/bin/env bash
# Goal: a second, independent verifier accepts what the ledger publishes. A
# Python script using only hashlib and Debian's python3-cryptography
# (tests/interop/verify_log.py, sharing no code with the ledger) checks the
# ledger's checkpoints and their signatures, both witnesses' cosignatures,
# a receipt for every event (and the root of the whole tree recomputed from
# their records), and the inclusion and consistency proofs ledgerctl
# fetched. Then a record changed in one receipt must make it fail.
source "$(dirname "$0")/lib.sh"
PYTHON3="${PYTHON3:-python3}"
INTEROP_VERIFIER="${INTEROP_VERIFIER:?set INTEROP_VERIFIER to tests/interop/verify_log.py}"
"$PYTHON3" -c "import cryptography.hazmat.primitives.asymmetric.ed25519" ||
  fail "$PYTHON3 lacks the cryptography package (tools/install-deps --test installs python3-cryptography)"
C="$LEDGERCTL"
cd "$WORK"
"$C" key generate --output ledger.key >/dev/null
"$C" key generate --output w1.key --name w1.example --witness >/dev/null
"$C" key generate --output w2.key --name w2.example/ledgers --witness >/dev/null
"$C" key show w1.key --name w1.example --witness >witnesses
"$C" key show w2.key --name w2.example/ledgers --witness >>witnesses
start_ledgerd "$WORK/data" --checkpoint_key="$WORK/ledger.key" \
  --witness_keys="$WORK/witnesses" --checkpoint_interval_ms=100
"$C" checkpoint --key --json | jq -r .verifier_key >ledger.vkey
"$C" beneficiary add lawyer --name "Legal aid" >/dev/null
"$C" branch affiliate leeds --union UNISON --branch-name "Leeds Health" --fee "10.00 GBP" >/dev/null
# Four phases of growth, a checkpoint kept after each (sizes 6, 11, 20, 33).
n=0
for phase in 1 2 3 4; do
  for i in $(seq 1 $((phase * phase + 3))); do
    n=$((n + 1))
    case $((n % 3)) in
      0) "$C" donate "$n.00" GBP --to lawyer --donor-ref "donor-$n" --event-id "d-$n" >/dev/null ;;
      1) "$C" donate "$n.25" GBP --event-id "d-$n" >/dev/null ;;
      2) "$C" branch pay-fee leeds 10.00 GBP --event-id "d-$n" >/dev/null ;;
    esac
  done
  wait_checkpoint
  "$C" checkpoint --output "cp-$phase.txt" >/dev/null
done
for w in "w1 w1.example" "w2 w2.example/ledgers"; do
  set -- $w
  "$C" witness --state "state-$1" --key "$1.key" --name "$2" --log-key ledger.vkey >/dev/null
done
"$C" checkpoint --output checkpoint.txt >/dev/null
expect_contains "$(cat checkpoint.txt)" "— w2.example/ledgers "
head="$("$C" --json head | jq -r .head.position)"
mkdir receipts inclusion consistency
for p in $(seq 1 "$head"); do
  "$C" receipt "$p" --output "receipts/r-$p.txt" --log-key ledger.vkey >/dev/null
  "$C" --json proof inclusion "$p" --log-key ledger.vkey >"inclusion/p-$p.json"
done
sizes=()
for f in cp-*.txt checkpoint.txt; do sizes+=("$(sed -n 2p "$f")"); done
for a in "${sizes[@]}"; do
  for b in "${sizes[@]}"; do
    if ((a < b)); then
      "$C" --json proof consistency "$a" --size "$b" --log-key ledger.vkey >"consistency/c-$a-$b.json"
    fi
  done
done
stop_ledgerd
run_rc out "$PYTHON3" "$INTEROP_VERIFIER" "$WORK"
expect_rc "$RC" 0 "the Python verifier" "$out"
expect_contains "$out" "interop: verified 5 checkpoint signatures, 2 cosignatures, $head receipts"
echo "$out"
# One byte of one record changed: the independent verifier refuses it.
receipt="receipts/r-7.txt"
"$PYTHON3" - "$receipt" <<'PY'
import base64, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
record = bytearray(base64.b64decode(lines[2][len("record "):]))
record[-1] ^= 1
lines[2] = "record " + base64.b64encode(bytes(record)).decode()
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
run_rc out "$PYTHON3" "$INTEROP_VERIFIER" "$WORK"
expect_rc "$RC" 1 "the Python verifier on a changed record" "$out"
expect_contains "$out" "interop: FAILED"
run_rc out "$C" receipt verify "$receipt" --log-key ledger.vkey
expect_rc "$RC" 1 "ledgerctl on the changed receipt" "$out"
echo "interop_test: 1 passed, 0 failed"
