#!/usr/bin/env bash
# Goal: members and tokens through the real ledgerctl and ledgerd. A new
# ledger writes its founding admin's token to DATA_DIR.token (mode 0600,
# never over an existing file); the admin adds a treasurer and issues them a
# token that is printed once and never stored; the treasurer records money
# but not members; a revoked token and a removed member's token are refused;
# without a token a caller is the public; no token is ever in the data; a
# viewer and the public know a sensitive fund and events by position only.
source "$(dirname "$0")/lib.sh"
cd "$WORK"  # so that no ./var/ledger.token of the caller's is found
export HOME="$WORK/home"

# A token file already where a new ledger would write its token: refused.
touch "$WORK/taken.token"
rc=0
"$LEDGERD" --data_dir="$WORK/taken" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --listen=127.0.0.1:0 2>"$WORK/taken.log" || rc=$?
[[ "$rc" != "0" ]] || fail "ledgerd started over an existing token file"
grep -qF "taken.token" "$WORK/taken.log" || fail "the refusal names no file: $(cat "$WORK/taken.log")"
[[ ! -e "$WORK/taken/CURRENT" ]] || fail "a ledger was created whose admin token could not be written"

start_ledgerd "$WORK/ledger"
expect_eq "$LEDGER_TOKEN_FILE" "$WORK/ledger.token" "the founder's token file"
expect_eq "$(stat -c %a "$WORK/ledger.token")" "600" "the token file's mode"
expect_contains "$("$LEDGERCTL" whoami)" "admin (viewer,treasurer,approver,auditor,admin)"

"$LEDGERCTL" member add bob --name "Bob B" --role treasurer >/dev/null
"$LEDGERCTL" member add vera --role viewer >/dev/null
issued="$("$LEDGERCTL" token issue bob --label laptop --token-id bob-1)"
expect_contains "$issued" "shown once"
bob_token="$(tail -1 <<<"$issued")"
[[ "$bob_token" =~ ^[0-9a-f]{64}$ ]] || fail "token issue printed no token: $issued"
printf '%s\n' "$bob_token" >"$WORK/bob.token"
chmod 600 "$WORK/bob.token"
"$LEDGERCTL" token issue vera --output "$WORK/vera.token" >/dev/null
expect_eq "$(stat -c %a "$WORK/vera.token")" "600" "a token written by token issue"

list="$("$LEDGERCTL" member list)"
expect_contains "$list" "bob"
expect_contains "$list" "bob-1"

# The treasurer records money, and is the recorded actor.
"$LEDGERCTL" --token-file "$WORK/bob.token" donate 10.00 GBP --event-id gift-1 >/dev/null
expect_contains "$("$LEDGERCTL" --json event gift-1)" '"actor": "bob"'
rc=0
err="$("$LEDGERCTL" --token-file "$WORK/bob.token" member add mallory --role admin 2>&1)" || rc=$?
expect_eq "$rc" "1" "a treasurer adding a member"
expect_contains "$err" "needs the admin role"

# A viewer reads events, without private details or event ids (an event is
# named by its position), and records nothing.
viewed="$("$LEDGERCTL" --token-file "$WORK/vera.token" events)"
expect_contains "$viewed" "donation 10.00 GBP from a donor to general fund"
expect_contains "$viewed" "[event@"
expect_not_contains "$viewed" "gift-1"
rc=0
err="$("$LEDGERCTL" --token-file "$WORK/vera.token" donate 1.00 GBP 2>&1)" || rc=$?
expect_eq "$rc" "1" "a viewer donating"
expect_contains "$err" "needs the treasurer role"

# A sensitive fund: a viewer and the public know it by its alias only, and
# name it by that; its real id from them names nothing.
added="$("$LEDGERCTL" beneficiary add ivanov-family --name "Family A" --sensitive)"
fund_pos="$(sed -n 's/.*at position \([0-9]*\).*/\1/p' <<<"$added")"
[[ -n "$fund_pos" ]] || fail "no position in: $added"
"$LEDGERCTL" donate 7.00 GBP --to ivanov-family --event-id gift-ivanov >/dev/null
shown="$("$LEDGERCTL" --token-file "$WORK/vera.token" beneficiary show "fund@$fund_pos")"
expect_contains "$shown" "Family A [fund@$fund_pos]"
expect_contains "$shown" "GBP           7.00"
expect_not_contains "$shown" "ivanov"
public_balances="$(unset LEDGER_TOKEN_FILE; "$LEDGERCTL" balances)"
expect_contains "$public_balances" "fund@$fund_pos"
expect_not_contains "$public_balances" "ivanov"
run_rc out "$LEDGERCTL" --token-file "$WORK/vera.token" beneficiary show ivanov-family
expect_rc "$RC" 1 "a viewer naming a sensitive fund by its real id" "$out"
expect_contains "$out" "NOT_FOUND"
gift_pos=$((fund_pos + 1))
viewed="$("$LEDGERCTL" --token-file "$WORK/vera.token" event "event@$gift_pos")"
expect_contains "$viewed" "fund@$fund_pos"
expect_not_contains "$viewed" "gift-ivanov"
expect_contains "$("$LEDGERCTL" --token-file "$WORK/bob.token" event gift-ivanov)" "ivanov-family"

# Branches choose whether the public page names them.
"$LEDGERCTL" branch affiliate open-br --union U --branch-name Open --fee "1.00 GBP" \
  --shown-publicly yes >/dev/null
"$LEDGERCTL" branch affiliate quiet-br --union U --branch-name Quiet --fee "1.00 GBP" >/dev/null

# The public: no token at all.
unset LEDGER_TOKEN_FILE
expect_contains "$("$LEDGERCTL" summary)" "GBP        17.00"
branches="$("$LEDGERCTL" branches)"
expect_contains "$branches" "open-br"
if grep -qF quiet-br <<<"$branches"; then fail "the public sees a branch that is not shown"; fi
"$LEDGERCTL" --token-file "$WORK/ledger.token" branch update quiet-br --shown-publicly yes >/dev/null
expect_contains "$("$LEDGERCTL" branches)" "quiet-br"
rc=0
err="$("$LEDGERCTL" events 2>&1)" || rc=$?
expect_eq "$rc" "1" "the public reading events"
expect_contains "$err" "needs the viewer role"
export LEDGER_TOKEN_FILE="$WORK/ledger.token"

# Revoked, and removed.
"$LEDGERCTL" token revoke bob-1 --reason "laptop lost" >/dev/null
rc=0
err="$("$LEDGERCTL" --token-file "$WORK/bob.token" summary 2>&1)" || rc=$?
expect_eq "$rc" "1" "a revoked token"
expect_contains "$err" "UNAUTHENTICATED"
"$LEDGERCTL" member remove vera --reason "left the committee" >/dev/null
rc=0
err="$("$LEDGERCTL" --token-file "$WORK/vera.token" summary 2>&1)" || rc=$?
expect_eq "$rc" "1" "a removed member's token"
expect_contains "$err" "UNAUTHENTICATED"
# The last admin stays.
rc=0
err="$("$LEDGERCTL" member remove admin --reason "oops" 2>&1)" || rc=$?
expect_eq "$rc" "1" "removing the last admin"
expect_contains "$err" "last admin"

# After a restart the same tokens work, and no new token file is written.
stop_ledgerd
start_ledgerd "$WORK/ledger"
expect_contains "$("$LEDGERCTL" whoami)" "admin"

# No token, in hex or raw, anywhere in the data.
for t in "$bob_token" "$(tr -d '\n' <"$WORK/ledger.token")" "$(tr -d '\n' <"$WORK/vera.token")"; do
  if grep -rqF -- "$t" "$WORK/ledger"; then fail "a token is in the data directory"; fi
done
stop_ledgerd

# Every admin token lost: the operator starts ledgerd with --recover_admin,
# which adds a new admin with a new token file, in the log for all to see.
mv "$WORK/ledger.token" "$WORK/lost.token"
start_ledgerd "$WORK/ledger" --recover_admin
expect_eq "$(stat -c %a "$WORK/ledger.token")" "600" "the recovered admin's token file"
expect_contains "$("$LEDGERCTL" whoami)" "admin-2 (viewer,treasurer,approver,auditor,admin)"
expect_contains "$("$LEDGERCTL" --json events | jq -r '.events[].memo')" "recover_admin"
# The old admin is still a member; its lost token is revoked by the new one.
"$LEDGERCTL" token revoke admin-1 --reason "lost" >/dev/null
rc=0
err="$("$LEDGERCTL" --token-file "$WORK/lost.token" whoami 2>&1)" || rc=$?
expect_eq "$rc" "1" "the lost token after revocation"
stop_ledgerd
echo "auth_test: 1 passed, 0 failed"
