#!/usr/bin/env bash
# Goal: a released prisoner's leftover moves to another fund with the
# donors' consent, through the real ledgerctl and ledgerd: `ledgerctl
# transfer` records it (and refuses it without an authority, beyond what
# the fund holds, or to a closed fund, writing nothing), the balances and
# the general fund are what this test computes, the fund then closes at
# zero, the statement and the postings export show the transfer, a viewer
# sees it without the private authority reference, and the audit verifies
# and rebuilds.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
start_ledgerd "$WORK/ledger"
C="$LEDGERCTL"
today="$(date -u +%F)"

"$C" beneficiary add prisoner --name "Released prisoner" >/dev/null
"$C" beneficiary add medic --name "Medical aid" >/dev/null
"$C" beneficiary add gone --name "Closed fund" >/dev/null
"$C" beneficiary close gone --reason "done" >/dev/null
"$C" donate 100.00 GBP --to prisoner --donor-ref d-1 >/dev/null
"$C" donate 30.00 GBP --donor-ref d-2 >/dev/null
"$C" policy set --approvals 0 >/dev/null
"$C" disburse prisoner 60.00 GBP --purpose "prison visits" --request-id r1 >/dev/null
"$C" pay r1 >/dev/null

available() {  # available() FUND_ID -> minor units of GBP
  "$C" --json balances | jq -r --arg f "$1" \
    '[.beneficiaries[] | select(.beneficiary.beneficiary_id == $f) | .balances[] | select(.currency == "GBP") | .available_minor][0] // 0'
}
general() { "$C" --json summary | jq -r '[.general_fund[] | select(.currency == "GBP") | .available_minor][0] // 0'; }
expect_eq "$(available prisoner)" 4000 "prisoner before"
head_before="$("$C" --json head | jq -r .head.position)"

# Refusals: exit 2 for the command line, 1 for the books; nothing written.
run_rc out "$C" transfer prisoner medic 40.00 GBP
expect_rc "$RC" 2 "transfer without --authority" "$out"
expect_contains "$out" "needs --authority: donor-consent or committee-decision"
run_rc out "$C" transfer prisoner medic 40.00 GBP --authority because
expect_rc "$RC" 2 "transfer with an unknown authority" "$out"
run_rc out "$C" --json transfer prisoner medic 40.01 GBP --authority donor-consent
expect_rc "$RC" 1 "transfer beyond the fund" "$out"
expect_contains "$out" '"reason": "INSUFFICIENT_FUNDS"'
run_rc out "$C" --json transfer prisoner gone 1.00 GBP --authority donor-consent
expect_rc "$RC" 1 "transfer to a closed fund" "$out"
expect_contains "$out" '"reason": "BENEFICIARY_CLOSED"'
run_rc out "$C" --json transfer prisoner prisoner 1.00 GBP --authority donor-consent
expect_rc "$RC" 1 "transfer to the same fund" "$out"
expect_contains "$out" '"field": "events[0].body.funds_transferred.to_beneficiary_id"'
expect_eq "$("$C" --json head | jq -r .head.position)" "$head_before" "head after the refusals"

# The leftover: 25.00 to medic with the donors' consent, 15.00 to the
# general fund by committee decision; then the fund closes at zero.
out="$("$C" transfer prisoner medic 25.00 GBP --authority donor-consent \
  --authority-ref "consent letters 2026-11" --event-id tr-1)"
expect_contains "$out" "recorded funds_transferred"
"$C" transfer prisoner general 15.00 GBP --authority committee-decision \
  --authority-ref "minute 14" --event-id tr-2 >/dev/null
expect_eq "$(available prisoner)" 0 "prisoner after"
expect_eq "$(available medic)" 2500 "medic after"
expect_eq "$(general)" 4500 "general after (30.00 + 15.00)"
"$C" beneficiary close prisoner --reason "released; leftover moved" >/dev/null

# The statement of the prisoner's fund and the postings export.
statement="$("$C" --json statement fund prisoner --from 2000-01-01 --to "$today")"
expect_eq "$(jq -r '[.lines[] | select(.event.body.funds_transferred != null) | .change_minor] | join(" ")' <<<"$statement")" \
  "-2500 -1500" "transfer lines in the statement"
expect_eq "$(jq -r '.totals[0].allocated_out_minor + " " + .totals[0].closing_minor' <<<"$statement")" "4000 0" \
  "the statement's totals"
expect_contains "$("$C" statement fund prisoner --from 2000-01-01 --to "$today")" \
  "transfer 25.00 GBP prisoner -> medic (donor consent)"
postings="$("$C" export postings --format csv --no-progress)"
expect_contains "$postings" "fund:beneficiary/prisoner"
grep -q "tr-1.*fund:beneficiary/medic" <<<"$postings" || fail "no credit to medic for tr-1: $postings"

# The authority reference is private: a viewer does not get it.
"$C" member add vic --role viewer >/dev/null
"$C" token issue vic --output "$WORK/vic.token" >/dev/null
seen="$("$C" --token-file "$WORK/vic.token" --json events)"
expect_not_contains "$seen" "minute 14"
expect_not_contains "$seen" "consent letters"
expect_contains "$("$C" --json event tr-2)" "minute 14"

expect_contains "$("$C" audit verify)" "chain OK"
expect_contains "$("$C" audit rebuild-check)" "projections OK"
echo "PASS"
