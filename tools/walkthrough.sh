#!/usr/bin/env bash
# The README's quick tour: sets up a small campaign on a running ledgerd.
#   LEDGER_SERVER=127.0.0.1:50051 tools/walkthrough.sh
# Uses $LEDGERCTL if set, else build-release/ledgerctl (tools/run), else build/ledgerctl. The end-to-end test runs this
# very script and checks the balances it leaves. The second member's token
# (an approver: two to sign) goes to $APPROVER_TOKEN_FILE, by default
# var/approver-1.token beside the founder's.
set -euo pipefail
ctl="${LEDGERCTL:-}"
if [[ -z "$ctl" ]]; then
  ctl="$(dirname "$0")/../build-release/ledgerctl"
  [[ -x "$ctl" ]] || ctl="$(dirname "$0")/../build/ledgerctl"
fi
day="${WALKTHROUGH_DATE:-$(date -u +%F)}"
approver_token="${APPROVER_TOKEN_FILE:-$(dirname "$0")/../var/approver-1.token}"

# Two beneficiaries: one at risk, shown by a pseudonym only.
"$ctl" beneficiary add lawyer --name "Legal aid for A.K." --purpose "appeal and prison visits" --sensitive --on "$day" --event-id tour-ben-lawyer
"$ctl" beneficiary add medic --name "Medical costs: R." --purpose "surgery after the shooting" --on "$day" --event-id tour-ben-medic

# Three affiliated branches with their fee bases.
"$ctl" branch affiliate leeds-health --union UNISON --branch-name "Leeds Health" --region Yorkshire \
  --members 240 --fee-per-member "0.10 GBP" --minimum "15.00 GBP" --period monthly --on "$day" --event-id tour-aff-leeds
"$ctl" branch affiliate york-rail --union RMT --branch-name "York No.1" --region Yorkshire \
  --fee "25.00 GBP" --period quarterly --on "$day" --event-id tour-aff-york
"$ctl" branch affiliate cardiff-pcs --union PCS --branch-name "Cardiff" --region Wales \
  --fee "10.00 GBP" --period monthly --on "$day" --event-id tour-aff-cardiff

# Fees and donations: individuals (pseudonymous), a branch, anonymous.
"$ctl" branch pay-fee leeds-health 24.00 GBP --periods 1 --method "bank transfer" --on "$day" --event-id tour-fee-leeds
"$ctl" donate 50.00 GBP --donor-ref supporter-17 --method card --on "$day" --event-id tour-don-1
"$ctl" donate 120.00 GBP --to lawyer --donor-ref supporter-3 --on "$day" --event-id tour-don-2
"$ctl" donate 200.00 GBP --donor branch --branch york-rail --to medic --on "$day" --event-id tour-don-3
"$ctl" donate 15.00 GBP --donor anonymous --on "$day" --event-id tour-don-4

# General money to a fund.
"$ctl" allocate lawyer 40.00 GBP --on "$day" --event-id tour-alloc-1

# Two to sign: a committee member who approves payments, with a token of
# their own (made once; a second run of the tour reuses it).
"$ctl" member add approver-1 --role approver --name "Committee member" --on "$day" --event-id tour-member-approver
if [[ "$("$ctl" --token-file "$approver_token" whoami 2>/dev/null || true)" != "approver-1 "* ]]; then
  mkdir -p "$(dirname "$approver_token")"
  rm -f "$approver_token"  # one left from another ledger
  "$ctl" token issue approver-1 --label "quick tour" --output "$approver_token" --on "$day"
fi

# A payment out: requested (the money is committed), approved by the other
# member, then paid.
"$ctl" disburse lawyer 100.00 GBP --purpose "court fees, first hearing" --payee "law-firm-a" --request-id tour-req-1 --on "$day" --event-id tour-req-1
"$ctl" requests
"$ctl" --token-file "$approver_token" approve tour-req-1 --on "$day" --event-id tour-appr-1
"$ctl" pay tour-req-1 --reference "HRG-1" --on "$day" --event-id tour-disb-1

# A partial refund.
"$ctl" reverse tour-don-1 --kind refund --amount "10.00 GBP" --reason "donor gave twice by mistake" --on "$day" --event-id tour-rev-1

# What it all adds up to, and the audit.
"$ctl" balances
"$ctl" branches
"$ctl" summary
"$ctl" audit verify
