#!/usr/bin/env bash
# Goal: bad input through the CLI gives one clear line on stderr, a non-zero
# exit, and writes nothing (the head does not move).
source "$(dirname "$0")/lib.sh"
start_ledgerd "$WORK/ledger"
"$LEDGERCTL" beneficiary add lawyer --name "Lawyer" >/dev/null
"$LEDGERCTL" donate 20.00 GBP --to lawyer >/dev/null
head_before="$("$LEDGERCTL" head)"

# check NAME EXPECTED_EXIT EXPECTED_TEXT -- ARGS...
check() {
  local name="$1" want_exit="$2" want_text="$3"; shift 4
  local err rc=0
  err="$("$LEDGERCTL" "$@" 2>&1 >/dev/null)" || rc=$?
  [[ "$rc" == "$want_exit" ]] || fail "$name: exit $rc, wanted $want_exit ($err)"
  [[ "$(wc -l <<<"$err")" == "1" ]] || fail "$name: wanted one line, got: $err"
  grep -qF -- "$want_text" <<<"$err" || fail "$name: wanted [$want_text] in [$err]"
  expect_eq "$("$LEDGERCTL" head)" "$head_before" "$name: head after the refusal"
}
check "malformed amount" 2 'more than 2 decimal places' -- donate 1.234 GBP
check "negative amount" 2 'not a plain decimal number' -- donate -5 GBP
check "unknown currency" 2 'unknown currency "XYZ"' -- donate 5.00 XYZ
check "unknown beneficiary" 1 'no beneficiary "nobody" (NOT_FOUND)' -- disburse nobody 1.00 GBP --purpose x
check "overdrawn" 1 'insufficient funds in fund:beneficiary/lawyer: available 20.00 GBP, requested 50.00 GBP (FAILED_PRECONDITION)' -- disburse lawyer 50.00 GBP --purpose rent
check "bad date" 1 'occurred_on' -- donate 1.00 GBP --on 2026-02-30
check "missing purpose" 2 'needs --purpose' -- disburse lawyer 1.00 GBP
check "unknown command" 2 'unknown command' -- frobnicate
err="$("$LEDGERCTL" --server 127.0.0.1:9 --retries 1 summary 2>&1 >/dev/null)" && fail "unreachable server succeeded"
rc=$?
[[ "$("$LEDGERCTL" --server 127.0.0.1:9 --retries 1 summary >/dev/null 2>&1; echo $?)" == "3" ]] || fail "unreachable: wanted exit 3"
grep -qF "cannot reach the ledger at 127.0.0.1:9" <<<"$err" || fail "unreachable: $err"
[[ "$(wc -l <<<"$err")" == "1" ]] || fail "unreachable: more than one line: $err"
echo "cli_errors_test: 1 passed, 0 failed"
