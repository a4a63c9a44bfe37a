#!/usr/bin/env bash
# Goal: kill -9 of ledgerd after acknowledged appends loses nothing: after a
# restart every acknowledged event is there (looked up by its id), the
# balances equal the sum of what was acknowledged, and the chain verifies.
source "$(dirname "$0")/lib.sh"
start_ledgerd "$WORK/ledger"
"$LEDGERCTL" beneficiary add fund-a --name "Fund A" --event-id r-ben >/dev/null
acked=0
total=0
for round in 1 2 3; do
  for i in $(seq 1 15); do
    id="r-${round}-${i}"
    if "$LEDGERCTL" donate "$i.00" GBP --to fund-a --event-id "$id" >/dev/null; then
      acked=$((acked + 1)); total=$((total + i * 100)); echo "$id" >>"$WORK/acked"
    fi
  done
  kill9_ledgerd
  start_ledgerd "$WORK/ledger"
done
expect_eq "$acked" "45" "acknowledged appends"
while read -r id; do
  "$LEDGERCTL" event "$id" >/dev/null || fail "acknowledged event $id is missing after kill -9"
done <"$WORK/acked"
available="$("$LEDGERCTL" --json beneficiary show fund-a | jq -r '.beneficiary.balances[0].available_minor')"
expect_eq "$available" "$total" "fund-a available after restarts"
verify="$("$LEDGERCTL" audit verify)"
expect_contains "$verify" "chain OK: 47 events verified"
rebuild="$("$LEDGERCTL" audit rebuild-check)"
expect_contains "$rebuild" "projections OK"
echo "restart_test: 1 passed, 0 failed"
