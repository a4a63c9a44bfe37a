#!/usr/bin/env bash
# Goal: private details through the real binaries. ledgerd refuses a
# missing, shared, unreadable-as-a-key, wrong or misplaced key file with one
# line and exit 1; ledgerctl erases a party and one event's details (the CLI
# and the export then say "(erased)", the chain and the books still hold);
# offline readers without the key say "(withheld)"; a format-1 ledger is
# refused for writing and migrated with the same books.
source "$(dirname "$0")/lib.sh"
KEY="$LEDGER_PRIVATE_KEY_FILE"
passed=0

# ledgerd DIR KEYFILE...: run it expecting a refusal; prints its stderr.
refused_start() {
  local out rc=0
  out="$("$LEDGERD" --data_dir="$1" --listen=127.0.0.1:0 "${@:2}" 2>&1 >/dev/null)" || rc=$?
  [[ "$rc" == 1 ]] || fail "ledgerd ${*:2} exited $rc, not 1: $out"
  [[ "$(wc -l <<<"$out")" == 1 ]] || fail "ledgerd ${*:2}: more than one line: $out"
  echo "$out"
}

# --- bad key files
expect_contains "$(refused_start "$WORK/l0")" "needs --private_key_file"
expect_contains "$(refused_start "$WORK/l0" --private_key_file="$WORK/none.key")" "cannot be read"
cp "$KEY" "$WORK/shared.key"; chmod 644 "$WORK/shared.key"
expect_contains "$(refused_start "$WORK/l0" --private_key_file="$WORK/shared.key")" "chmod 600"
printf 'not a key\n' >"$WORK/junk.key"; chmod 600 "$WORK/junk.key"
expect_contains "$(refused_start "$WORK/l0" --private_key_file="$WORK/junk.key")" \
  "does not hold a key"
mkdir -p "$WORK/l0"; cp "$KEY" "$WORK/l0/inside.key"; chmod 600 "$WORK/l0/inside.key"
expect_contains "$(refused_start "$WORK/l0" --private_key_file="$WORK/l0/inside.key")" \
  "inside the data directory"
[[ ! -e "$WORK/l0/CURRENT" ]] || fail "a refused start created a ledger"
passed=$((passed + 1))

# --- a ledger with private details
start_ledgerd "$WORK/ledger"
"$LEDGERCTL" beneficiary add lawyer --name "Legal aid" --purpose "bail for E." --sensitive \
  --event-id reg >/dev/null
"$LEDGERCTL" donate 50.00 GBP --donor-ref supporter-17 --reference BANK-991 \
  --memo "met at the picket" --event-id g1 >/dev/null
"$LEDGERCTL" donate 20.00 GBP --to lawyer --donor-ref supporter-17 --event-id g2 >/dev/null
"$LEDGERCTL" donate 5.00 GBP --donor-ref supporter-3 --event-id g3 >/dev/null
shown="$("$LEDGERCTL" event g1)"
expect_contains "$shown" "from supporter-17"
expect_contains "$shown" "private details shown"
before="$("$LEDGERCTL" balances | head -n -1)"

# A second key can't open it.
"$LEDGERCTL" key create "$WORK/other.key" >/dev/null
stop_ledgerd
expect_contains "$(refused_start "$WORK/ledger" --private_key_file="$WORK/other.key")" \
  "does not belong"
start_ledgerd "$WORK/ledger"
passed=$((passed + 1))

# --- erasure
out="$("$LEDGERCTL" party erase supporter-17 --reason "asked to be forgotten")"
expect_contains "$out" "recorded party_erased"
rc=0; err="$("$LEDGERCTL" party erase supporter-17 --reason again 2>&1)" || rc=$?
expect_eq "$rc" "1" "erasing the same party again"
expect_contains "$err" "NOT_FOUND"
"$LEDGERCTL" event erase-details g3 --reason "typed by mistake" >/dev/null
rc=0; "$LEDGERCTL" event erase-details g3 --reason again >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "1" "erasing the same details again"
rc=0; "$LEDGERCTL" party erase supporter-3 >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "2" "party erase without --reason"
for id in g1 g2 g3; do
  expect_contains "$("$LEDGERCTL" event "$id")" "(private details erased)"
done
expect_eq "$("$LEDGERCTL" balances | head -n -1)" "$before" "balances after the erasures"
expect_contains "$("$LEDGERCTL" audit verify)" "chain OK"
expect_contains "$("$LEDGERCTL" audit rebuild-check)" "projections OK"
"$LEDGERCTL" export events --output "$WORK/events.csv" >/dev/null
grep -q '^3,g1,.*(erased)' "$WORK/events.csv" || fail "export: g1 is not (erased)"
! grep -q "supporter-17" "$WORK/events.csv" || fail "export: an erased donor is still there"
passed=$((passed + 1))

# --- the files, with and without the key
stop_ledgerd
for secret in supporter-17 supporter-3 BANK-991 "met at the picket" "bail for E."; do
  ! grep -rqF -- "$secret" "$WORK/ledger" || fail "\"$secret\" is in the data directory"
done
keyless="$(LEDGER_PRIVATE_KEY_FILE= "$LEDGERCTL" beneficiary show lawyer --data-dir "$WORK/ledger")"
! grep -qF "bail for E." <<<"$keyless" || fail "a keyless reader saw the sensitive purpose"
expect_contains "$(LEDGER_PRIVATE_KEY_FILE= "$LEDGERCTL" event reg --data-dir "$WORK/ledger")" \
  "(private details withheld)"
expect_contains "$("$LEDGERCTL" beneficiary show lawyer --data-dir "$WORK/ledger")" "bail for E."
passed=$((passed + 1))

# --- format 1: read-only, then migrated
cp -r "$(dirname "$0")/../data/compat-v1/ledger" "$WORK/v1"
expect_contains "$(refused_start "$WORK/v1" --private_key_file="$KEY")" "ledgerctl migrate"
old_balances="$("$LEDGERCTL" balances --data-dir "$WORK/v1")"
old_trial="$("$LEDGERCTL" trial-balance --data-dir "$WORK/v1" | head -n -1)"
out="$("$LEDGERCTL" migrate --from "$WORK/v1" --to "$WORK/v2")"
expect_contains "$out" "migrated 717 events"
expect_contains "$out" "every balance are the same"
expect_eq "$("$LEDGERCTL" balances --data-dir "$WORK/v2" | head -n -1)" \
  "$(head -n -1 <<<"$old_balances")" "balances after migration"
expect_eq "$("$LEDGERCTL" trial-balance --data-dir "$WORK/v2" | head -n -1)" "$old_trial" \
  "trial balance after migration"
expect_contains "$("$LEDGERCTL" --json event 1 --data-dir "$WORK/v2")" '"schema_version": "1"'
rc=0; "$LEDGERCTL" migrate --from "$WORK/v1" --to "$WORK/v2" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "1" "migrating into a directory that is not empty"
rc=0; "$LEDGERCTL" migrate --from "$WORK/v2" --to "$WORK/v3" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "1" "migrating a ledger that is format 2 already"
start_ledgerd "$WORK/v2"
"$LEDGERCTL" donate 1.00 GBP --donor-ref after-migration >/dev/null
expect_contains "$("$LEDGERCTL" audit verify)" "chain OK: 718 events verified"
stop_ledgerd
passed=$((passed + 1))
echo "private_details_test: $passed passed, 0 failed"
