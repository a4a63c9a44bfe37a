#!/usr/bin/env bash
# Goal: the README walkthrough, run with the real ledgerd and ledgerctl
# binaries, leaves exactly the balances a treasurer would work out by hand,
# in the human tables and in --json; the audit verifies; and a second run of
# the same walkthrough (same event ids) records nothing new.
source "$(dirname "$0")/lib.sh"
start_ledgerd "$WORK/ledger"
export WALKTHROUGH_DATE=2026-03-02
export APPROVER_TOKEN_FILE="$WORK/approver-1.token"
out="$("$(dirname "$0")/../../tools/walkthrough.sh" 2>&1)" || fail "walkthrough failed: $out"

# By hand: general = 24 fee + 50 + 15 - 10 refund - 40 allocated = 39.00
#          lawyer  = 120 + 40 - 100 = 60.00 ; medic = 200.00
#          raised  = 24 + 50 + 120 + 200 + 15 - 10 = 399.00 ; disbursed 100 ; held 299
expect_contains "$out" "general  (unrestricted)      GBP          79.00     -40.00       0.00       0.00      39.00"
expect_contains "$out" "lawyer   Legal aid for A.K.  GBP         120.00      40.00     100.00       0.00      60.00"
expect_contains "$out" "medic    Medical costs: R.   GBP         200.00       0.00       0.00       0.00     200.00"
expect_contains "$out" "GBP       399.00     100.00  299.00         39.00"
expect_contains "$out" "chain OK: 18 events verified"
expect_contains "$out" "york-rail     RMT     York No.1"
expect_contains "$out" "recorded donation_received at position 8 (event id tour-don-1), dated 2026-03-02"
# Two to sign: the request committed the money and waited on another member.
expect_contains "$out" "tour-req-1  lawyer  100.00 GBP  admin     2026-03-02        0/1  1 more approval by an approver other than admin"
expect_contains "$out" "recorded disbursement_made at position 17 (event id tour-disb-1)"
expect_contains "$("$LEDGERCTL" requests --all)" "1/1  paid on 2026-03-02 by admin"

json="$("$LEDGERCTL" --json balances)"
lawyer_available="$(jq -r '.beneficiaries[] | select(.beneficiary.beneficiary_id=="lawyer") | .balances[0].available_minor' <<<"$json")"
medic_available="$(jq -r '.beneficiaries[] | select(.beneficiary.beneficiary_id=="medic") | .balances[0].available_minor' <<<"$json")"
expect_eq "$lawyer_available" "6000" "lawyer available_minor (json)"
expect_eq "$medic_available" "20000" "medic available_minor (json)"
summary="$("$LEDGERCTL" --json summary)"
expect_eq "$(jq -r '.totals.currencies[0].held_minor' <<<"$summary")" "29900" "held_minor (json)"
expect_eq "$(jq -r '.totals.event_count' <<<"$summary")" "18" "event_count (json)"
branches="$("$LEDGERCTL" --json branches)"
expect_eq "$(jq -r '.branches[] | select(.branch.branch_id=="york-rail") | .branch.totals[0].donations_minor' <<<"$branches")" "20000" "york-rail donations (json)"
expect_eq "$(jq -r '.branches[] | select(.branch.branch_id=="leeds-health") | .fee_per_period.amount_minor' <<<"$branches")" "2400" "leeds fee per period (json)"
tb="$("$LEDGERCTL" trial-balance)"
expect_contains "$tb" "balanced: debits equal credits in every currency"

# Point in time: right after the fee (position 7) the general fund held 24.00;
# at the end of the day before the walkthrough, nothing.
expect_eq "$("$LEDGERCTL" --json summary --as-of 7 | jq -r '.general_fund[0].available_minor')" "2400" "general fund as of #7"
expect_eq "$("$LEDGERCTL" --json summary --as-of 2026-03-01 | jq -r '.general_fund | length')" "0" "general fund at the end of 2026-03-01"
expect_eq "$("$LEDGERCTL" --json balances --as-of 2026-03-02 | jq -r '.beneficiaries[] | select(.beneficiary.beneficiary_id=="lawyer") | .balances[0].available_minor')" "6000" "lawyer at the end of 2026-03-02"

# Statements: opening + movements = closing, human, json and csv.
st="$("$LEDGERCTL" statement fund lawyer --from 2026-03-01 --to 2026-03-31)"
expect_contains "$st" "Statement of fund:beneficiary/lawyer, 2026-03-01 to 2026-03-31"
expect_contains "$st" "GBP          0.00    120.00         40.00           0.00     100.00    60.00       0.00"
st_json="$("$LEDGERCTL" --json statement fund lawyer --from 2026-03-01 --to 2026-03-31)"
expect_eq "$(jq -r '.lines | length' <<<"$st_json")" "4" "lawyer statement lines (the request and its payment too)"
expect_eq "$(jq -r '.lines[-1].balance_minor' <<<"$st_json")" "6000" "lawyer closing running balance"
csv="$("$LEDGERCTL" statement fund general --from 2026-03-01 --to 2026-03-31 --format csv)"
expect_contains "$csv" "GBP,0.00,79.00,0.00,40.00,0.00,39.00,0.00"
income="$("$LEDGERCTL" --json statement income --from 2026-03-01 --to 2026-03-31)"
expect_eq "$(jq -r '.rows[] | select(.fund_class=="restricted") | .closing_minor' <<<"$income")" "26000" "restricted closing"
expect_eq "$(jq -r '.rows[] | select(.fund_class=="unrestricted") | .transfers_minor' <<<"$income")" "-4000" "unrestricted transfers"
br="$("$LEDGERCTL" --json statement branch leeds-health --from 2026-03-01 --to 2026-05-31)"
expect_eq "$(jq -r '.periods_due' <<<"$br")" "3" "leeds periods due Mar-May"
expect_eq "$(jq -r '.periods_paid' <<<"$br")" "1" "leeds periods paid"

# Running the walkthrough again (same event ids) writes nothing new.
again="$("$(dirname "$0")/../../tools/walkthrough.sh" 2>&1)" || fail "second walkthrough failed: $again"
expect_contains "$again" "(event id tour-rev-1), dated 2026-03-02 — already recorded earlier, nothing new written"
expect_eq "$("$LEDGERCTL" --json summary | jq -r '.totals.event_count')" "18" "event_count after rerun"

# At rest the data directory is its owner's alone: 0700, every file 0600.
expect_eq "$(stat -c %a "$WORK/ledger")" "700" "data directory mode"
expect_eq "$(find "$WORK/ledger" -perm /077 | wc -l)" "0" "files others may read"

# Offline audit of the data directory after a clean stop.
stop_ledgerd
audit="$("$LEDGERCTL" audit replay --data-dir "$WORK/ledger")" || fail "offline audit failed: $audit"
expect_contains "$audit" "RESULT: the books verify."
expect_contains "$audit" "hash chain  verified"

# A directory left open to others (made before the rule, or by hand) is
# tightened when ledgerd starts.
chmod -R go+rX "$WORK/ledger"
start_ledgerd "$WORK/ledger"
expect_eq "$(stat -c %a "$WORK/ledger")" "700" "data directory mode after a restart"
expect_eq "$(find "$WORK/ledger" -perm /077 | wc -l)" "0" "files others may read after a restart"
stop_ledgerd
echo "walkthrough_test: 1 passed, 0 failed"
