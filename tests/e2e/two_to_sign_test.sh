#!/usr/bin/env bash
# Goal: two to sign, through the real ledgerctl and ledgerd with several
# members. A treasurer's request commits the money (available drops, the
# balances show it committed); paying before an approval is refused; the
# requester may not approve their own request; an approver approves once;
# a treasurer pays; a rejection and a cancellation release the money; the
# approval policy's threshold asks for a second approval above an amount;
# `ledgerctl requests` says what waits on whom, and a viewer sees the
# requests without the payee; statements and exports carry the requests.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
export HOME="$WORK/home"
start_ledgerd "$WORK/ledger"
C="$LEDGERCTL"
as() { local who="$1"; shift; "$C" --token-file "$WORK/$who.token" "$@"; }

for m in "tess treasurer" "alex approver" "ana approver" "vic viewer"; do
  set -- $m
  "$C" member add "$1" --role "$2" >/dev/null
  "$C" token issue "$1" --output "$WORK/$1.token" >/dev/null
done
"$C" beneficiary add lawyer --name "Legal aid" >/dev/null
"$C" donate 500.00 GBP --to lawyer --donor-ref d-1 >/dev/null

# A request commits the money.
out="$(as tess disburse lawyer 200.00 GBP --purpose "court fees" --payee firm-a --request-id r1)"
expect_contains "$out" "request r1: 200.00 GBP committed"
bal="$("$C" --json balances)"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].available_minor' <<<"$bal")" "30000" "available after the request"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].committed_minor' <<<"$bal")" "20000" "committed after the request"
# What is committed cannot be requested again.
run_rc out as tess disburse lawyer 300.01 GBP --purpose more
expect_rc "$RC" 1 "a request beyond what is available" "$out"
expect_contains "$out" "available 300.00 GBP, requested 300.01 GBP"

# Paying before any approval: refused, saying how many are needed.
run_rc out as tess pay r1
expect_rc "$RC" 1 "pay before approval" "$out"
expect_contains "$out" "request r1 has 0 of the 1 approval(s) the policy asks for"
expect_contains "$out" "FAILED_PRECONDITION"
# A treasurer is not an approver.
run_rc out as tess approve r1
expect_rc "$RC" 1 "a treasurer approving" "$out"
expect_contains "$out" "PERMISSION_DENIED"
# The founder holds every role, but may not approve what they asked for.
"$C" disburse lawyer 10.00 GBP --purpose "stamps" --request-id r2 >/dev/null
run_rc out "$C" approve r2
expect_rc "$RC" 1 "self-approval" "$out"
expect_contains "$out" "admin asked for request r2 and may not approve it"
# What waits on whom.
list="$(as tess requests)"
expect_contains "$list" "r1       lawyer  200.00 GBP  tess"
expect_contains "$list" "1 more approval by an approver other than tess"
expect_contains "$list" "policy: 1 approval for every disbursement (the default"
# A viewer sees the request under its position, never its id or payee.
viewed="$(as vic requests)"
expect_contains "$viewed" "request@"
expect_not_contains "$viewed" "r1 "
expect_contains "$viewed" "1 more approval by an approver other than tess"
expect_eq "$(as vic --json requests | jq -r '.requests[0].payee')" "" "payee for a viewer"
expect_eq "$(as tess --json requests | jq -r '.requests[0].payee')" "firm-a" "payee for a treasurer"

# Another member approves, once; then it is paid.
as alex approve r1 --note "agreed at the committee" >/dev/null
run_rc out as alex approve r1
expect_rc "$RC" 1 "a second approval by the same member" "$out"
expect_contains "$out" "ALREADY_EXISTS"
expect_contains "$(as vic requests)" "payment by a treasurer"
as tess pay r1 --reference "BANK-1" >/dev/null
bal="$("$C" --json balances)"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].disbursed_minor' <<<"$bal")" "20000" "disbursed after payment"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].committed_minor' <<<"$bal")" "1000" "still committed (r2)"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].available_minor' <<<"$bal")" "29000" "available after payment"
run_rc out as tess pay r1
expect_rc "$RC" 1 "paying twice" "$out"
expect_contains "$out" "request r1 is paid"

# A rejection and a cancellation release the money.
as tess disburse lawyer 250.00 GBP --purpose "a second lawyer" --request-id r3 >/dev/null
as ana reject r3 --reason "not agreed" >/dev/null
"$C" cancel r2 --reason "bought them myself" >/dev/null
bal="$("$C" --json balances)"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].available_minor' <<<"$bal")" "30000" "available after rejection and cancellation"
expect_eq "$(jq -r '.beneficiaries[0].balances[0].committed_minor' <<<"$bal")" "0" "nothing committed"
expect_contains "$(as vic requests --all)" "rejected on"

# The policy: two approvals above 100.00 GBP.
run_rc out as tess policy set --approvals 1 --above "100.00 GBP=2"
expect_rc "$RC" 1 "a treasurer setting the policy" "$out"
"$C" policy set --approvals 1 --above "100.00 GBP=2" >/dev/null
expect_contains "$("$C" policy show)" "1 approval for every disbursement; 2 above 100.00 GBP"
as tess disburse lawyer 150.00 GBP --purpose "appeal" --request-id r4 >/dev/null
as alex approve r4 >/dev/null
run_rc out as tess pay r4
expect_rc "$RC" 1 "one approval of two" "$out"
expect_contains "$out" "request r4 has 1 of the 2 approval(s)"
as ana approve r4 >/dev/null
as tess pay r4 >/dev/null
as tess disburse lawyer 100.00 GBP --purpose "visit" --request-id r5 >/dev/null
as ana approve r5 >/dev/null
as tess pay r5 >/dev/null  # 100.00 is not above 100.00: one approval
expect_eq "$("$C" --json summary | jq -r '.totals.currencies[0].disbursed_minor')" "45000" "paid in all"

# Statements and exports carry the requests.
st="$("$C" statement fund lawyer --from 2020-01-01 --to 2030-12-31)"
expect_contains "$st" "request r1: pay 200.00 GBP from lawyer: court fees"
"$C" export events --format csv --output "$WORK/events.csv" --no-progress >/dev/null
expect_contains "$(cat "$WORK/events.csv")" "disbursement_requested"
expect_contains "$(cat "$WORK/events.csv")" "disbursement_approved"
"$C" audit verify >/dev/null
expect_contains "$("$C" audit rebuild-check)" "projections OK"
stop_ledgerd
echo "two_to_sign_test: 1 passed, 0 failed"
