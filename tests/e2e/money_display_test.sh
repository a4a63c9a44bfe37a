#!/usr/bin/env bash
# Goal: people read amounts grouped by thousands in ledgerctl's human tables
# ("58,478.00"), while --json and CSV keep the exact form a script parses
# (5847800 minor units, "58478.00"), and amounts under 1,000 look as before.
source "$(dirname "$0")/lib.sh"
start_ledgerd "$WORK/ledger"
C="$LEDGERCTL"
on=(--on 2026-03-02)
"$C" beneficiary add lawyer --name "Legal aid" --purpose "fees" "${on[@]}" >/dev/null
"$C" branch affiliate leeds --union UNISON --branch-name Leeds --fee "1200.00 GBP" --period annual \
  "${on[@]}" >/dev/null
"$C" branch pay-fee leeds 1200.00 GBP "${on[@]}" >/dev/null
"$C" donate 58478.00 GBP --to lawyer --donor individual "${on[@]}" >/dev/null
"$C" donate 1234567 JPY --donor anonymous "${on[@]}" >/dev/null
"$C" donate 999.99 GBP --donor anonymous "${on[@]}" >/dev/null

summary="$("$C" summary)"
expect_contains "$summary" "60,677.99"
expect_contains "$summary" "1,234,567"
expect_not_contains "$summary" "60677.99"
balances="$("$C" balances)"
expect_contains "$balances" "58,478.00"
expect_contains "$balances" "2,199.99"
branches="$("$C" branches)"
expect_contains "$branches" "1,200.00 GBP"
expect_contains "$("$C" branch show leeds)" "fee 1,200.00 GBP per year"
st="$("$C" statement fund lawyer --from 2026-01-01 --to 2026-12-31)"
expect_contains "$st" "58,478.00"

# Scripts get the exact figures.
json="$("$C" --json summary)"
expect_eq "$(jq -r '.totals.currencies[] | select(.currency=="GBP") | .raised_minor' <<<"$json")" \
  "6067799" "raised_minor (json)"
csv="$("$C" statement fund lawyer --from 2026-01-01 --to 2026-12-31 --format csv)"
expect_contains "$csv" ",58478.00,"
expect_not_contains "$csv" "58,478.00"
stop_ledgerd
echo "money_display_test: 1 passed, 0 failed"
