#!/usr/bin/env bash
# Goal: closed periods, through the real ledgerctl and ledgerd with two
# members. The admin proposes closing the books through yesterday; the
# admin may not close their own proposal, nor may a treasurer; an approver
# closes it; a donation dated inside the closed period is refused
# (PERIOD_CLOSED, with the day), one dated today is accepted; `period show`
# and the statements say the books are closed through the day; the audit
# still verifies and rebuilds.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
export HOME="$WORK/home"
start_ledgerd "$WORK/ledger"
C="$LEDGERCTL"
as() { local who="$1"; shift; "$C" --token-file "$WORK/$who.token" "$@"; }
# The refusal of `ledgerctl --json ARGS` (exit 1): its one JSON line.
refusal() {
  local rc=0
  "$C" --json "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ "$rc" == "1" ]] || fail "--json $*: exit $rc, wanted 1 ($(cat "$WORK/err"))"
  cat "$WORK/err"
}

today="$(date -u +%F)"
yday="$(date -u -d yesterday +%F)"
early="$(date -u -d '10 days ago' +%F)"
inside="$(date -u -d '3 days ago' +%F)"

for m in "tess treasurer" "alex approver"; do
  set -- $m
  "$C" member add "$1" --role "$2" --on "$early" >/dev/null
  "$C" token issue "$1" --output "$WORK/$1.token" --on "$early" >/dev/null
done
"$C" beneficiary add lawyer --name "Legal aid" --on "$early" >/dev/null
"$C" donate 100.00 GBP --to lawyer --donor-ref d-1 --on "$inside" >/dev/null

# The admin proposes; nothing is closed yet.
out="$("$C" period close --through "$yday" --reason "month end" --proposal-id p1)"
expect_contains "$out" "proposal p1: close the books through $yday; next: ledgerctl period approve p1"
expect_contains "$(as tess period show)" "no period is closed"
expect_contains "$(as tess period show)" "an admin or approver other than admin"
# A treasurer may not propose.
run_rc out as tess period close --through "$yday" --reason "mine" --proposal-id p2
expect_rc "$RC" 1 "a treasurer proposing" "$out"
expect_contains "$out" "PERMISSION_DENIED"
# The proposer may not close it, nor a treasurer; the day must match.
e="$(refusal period approve p1 --through "$yday")"
expect_eq "$(jq -r '.reason' <<<"$e")" "SELF_APPROVAL" "self-approval"
expect_contains "$(jq -r '.message' <<<"$e")" "admin proposed p1 and may not close the period"
e="$(refusal --token-file "$WORK/tess.token" period approve p1 --through "$yday")"
expect_eq "$(jq -r '.reason' <<<"$e")" "ROLE_REQUIRED" "a treasurer closing"
e="$(refusal --token-file "$WORK/alex.token" period approve p1 --through "$inside")"
expect_eq "$(jq -r '.reason' <<<"$e")" "PROPOSAL_MISMATCH" "another day"
# A second member closes it.
out="$(as alex period approve p1 --through "$yday")"
expect_contains "$out" "the books are closed through $yday"
e="$(refusal --token-file "$WORK/alex.token" period approve p1 --through "$yday")"
expect_eq "$(jq -r '.reason' <<<"$e")" "PROPOSAL_NOT_PENDING" "closing twice"

# Nothing dated inside is recorded; the open period takes corrections.
e="$(refusal donate 5.00 GBP --to lawyer --on "$inside")"
expect_eq "$(jq -r '.code' <<<"$e")" "FAILED_PRECONDITION" "inside: code"
expect_eq "$(jq -r '.reason' <<<"$e")" "PERIOD_CLOSED" "inside: reason"
expect_eq "$(jq -r '.details.date' <<<"$e")" "$yday" "inside: the closed-through day"
expect_contains "$(jq -r '.message' <<<"$e")" "corrections are dated in the open period"
e="$(refusal donate 5.00 GBP --to lawyer --on "$yday")"
expect_eq "$(jq -r '.reason' <<<"$e")" "PERIOD_CLOSED" "on the last closed day"
"$C" donate 5.00 GBP --to lawyer --on "$today" >/dev/null

# Closing only goes forward.
e="$(refusal period close --through "$inside" --reason "again" --proposal-id p3)"
expect_eq "$(jq -r '.reason' <<<"$e")" "PERIOD_NOT_AFTER_CLOSED" "closing backwards"

# What is closed, in words and in the statements.
show="$(as tess period show)"
expect_contains "$show" "closed through $yday (proposed by admin, closed by alex on $today)"
expect_contains "$show" "no proposal waits"
st="$("$C" statement fund lawyer --from "$early" --to "$today")"
expect_contains "$st" "closed through $yday"
expect_contains "$("$C" statement income --from "$early" --to "$today")" "closed through $yday"
expect_eq "$("$C" --json statement fund lawyer --from "$early" --to "$today" | jq -r '.closed_through')" \
  "$yday" "closed_through in the JSON statement"
"$C" export events --format csv --output "$WORK/events.csv" --no-progress >/dev/null
expect_contains "$(cat "$WORK/events.csv")" "period_close_proposed"
expect_contains "$(cat "$WORK/events.csv")" "period_closed"
"$C" audit verify >/dev/null
expect_contains "$("$C" audit rebuild-check)" "projections OK"
stop_ledgerd
echo "periods_test: 1 passed, 0 failed"
