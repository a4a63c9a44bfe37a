#!/usr/bin/env bash
# Goal: the auditor toolkit with the real binaries. Backups are taken online
# (ledgerctl backup create, through LedgerAdmin) while ledgerd serves; they
# list with their heads, verify (checksums, restore, chain, rebuild), and
# restore into a new directory (never over a live or non-empty one); a second
# ledgerd on the restored directory answers the same head as the backup.
# Exports of the postings and events, online (gRPC pages) and offline (the
# data directory), are byte for byte identical, CSV and JSON Lines, and print
# no progress bar when stderr is not a terminal.
source "$(dirname "$0")/lib.sh"
SECOND_PID=""
cleanup_second() {
  if [[ -n "$SECOND_PID" ]]; then kill -9 "$SECOND_PID" 2>/dev/null || true; fi
  cleanup
}
trap cleanup_second EXIT

start_ledgerd "$WORK/ledger"
FIRST_SERVER="$LEDGER_SERVER"
APPROVER_TOKEN_FILE="$WORK/approver-1.token" WALKTHROUGH_DATE=2026-03-01 "$(dirname "$0")/../../tools/walkthrough.sh" >/dev/null 2>&1 \
  || fail "walkthrough failed"
"$LEDGERCTL" donate 1250 JPY --donor-ref "Tanaka, \"K\"" --memo 'gift, "thanks"
second line' --on 2026-03-02 --event-id e2e-jpy >/dev/null
"$LEDGERCTL" donate 1.250 BHD --on 2026-03-02 --event-id e2e-bhd >/dev/null
"$LEDGERCTL" reverse e2e-jpy --kind chargeback --reason "card disputed" --on 2026-03-03 \
  --event-id e2e-rev >/dev/null

# --- backups, online
# ledgerd writes backups under its backup root only (by default the data
# directory's path with ".backups" added); the client gives a name.
BACKUPS="$WORK/ledger.backups/nightly"
first="$("$LEDGERCTL" --json backup create nightly)" || fail "backup create: $first"
expect_eq "$(jq -r '.backup_dir' <<<"$first")" "$BACKUPS" "backup written under the root"
expect_eq "$(jq -r '.backup_id' <<<"$first")" "1" "first backup id"
head1="$("$LEDGERCTL" head)"
expect_eq "$(jq -r '.head.position' <<<"$first")" "${head1%% *}" "first backup head position"
"$LEDGERCTL" donate 5.00 GBP --event-id e2e-after-1 >/dev/null
out="$("$LEDGERCTL" backup create nightly)" || fail "second backup: $out"
head2="$("$LEDGERCTL" head)"
expect_contains "$out" "backup 2 of ledger"
expect_contains "$out" "head #${head2%% *} ${head2#* }"

expect_contains "$out" "in $BACKUPS:"

# Refusals: anything but one safe name (a path, "..", a hidden name), and
# nothing is written outside the root (nor inside it).
for bad in "$WORK/elsewhere" "../elsewhere" ".." ".hidden" "a/b" "-x"; do
  run_rc err "$LEDGERCTL" backup create -- "$bad"
  [[ "$RC" != "0" ]] || fail "backup name [$bad] accepted"
  expect_contains "$err" "under the server's backup root"
done
[[ ! -e "$WORK/elsewhere" ]] || fail "a refused backup wrote outside the root"
expect_eq "$(ls -A "$WORK/ledger.backups")" "nightly" "only the named backup under the root"
# --backup_root inside the data directory: ledgerd refuses to start.
run_rc err "$LEDGERD" --data_dir="$WORK/ledger" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --listen=127.0.0.1:0 --backup_root="$WORK/ledger/b"
expect_rc "$RC" 1 "backup root inside the data directory" "$err"
expect_contains "$err" "is inside the data directory"

list="$("$LEDGERCTL" backup list "$BACKUPS")" || fail "backup list: $list"
expect_contains "$list" "#${head1%% *}"
expect_contains "$list" "#${head2%% *}"
expect_eq "$("$LEDGERCTL" --json backup list "$BACKUPS" | jq -r '.backups | length')" "2" "backups listed"

verify="$("$LEDGERCTL" backup verify "$BACKUPS" 2>"$WORK/verify.err")" || fail "backup verify: $verify"
expect_contains "$verify" "RESULT: the backup verifies."
expect_contains "$verify" "head        #${head2%% *} ${head2#* }"
expect_eq "$(cat "$WORK/verify.err")" "" "no progress bar when stderr is not a terminal"
verify1="$("$LEDGERCTL" --json backup verify "$BACKUPS" --id 1)" || fail "verify --id 1: $verify1"
expect_eq "$(jq -r '.ok' <<<"$verify1")" "true" "backup 1 verifies"
expect_eq "$(jq -r '.head_hash' <<<"$verify1")" "${head1#* }" "backup 1 head hash"

# --- restore: never over the live ledger or a non-empty directory
err="$("$LEDGERCTL" backup restore "$BACKUPS" --data-dir "$WORK/ledger" 2>&1)" \
  && fail "restore over the live ledger accepted"
expect_contains "$err" "LOCK is held"
mkdir -p "$WORK/busy" && echo x >"$WORK/busy/file"
err="$("$LEDGERCTL" backup restore "$BACKUPS" --data-dir "$WORK/busy" 2>&1)" \
  && fail "restore into a non-empty directory accepted"
expect_contains "$err" "not empty"
out="$("$LEDGERCTL" backup restore "$BACKUPS" --data-dir "$WORK/restored")" || fail "restore: $out"
expect_contains "$out" "head #${head2%% *} ${head2#* }"
audit="$("$LEDGERCTL" audit replay --data-dir "$WORK/restored")" || fail "audit of the restored copy: $audit"
expect_contains "$audit" "RESULT: the books verify."

# A second ledgerd on the restored directory answers the backup's head.
"$LEDGERD" --data_dir="$WORK/restored" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" --listen=127.0.0.1:0 --port_file="$WORK/port2" \
  2>>"$WORK/ledgerd2.log" &
SECOND_PID=$!
for _ in $(seq 1 100); do
  [[ -s "$WORK/port2" ]] && break
  kill -0 "$SECOND_PID" 2>/dev/null || fail "second ledgerd exited: $(tail -3 "$WORK/ledgerd2.log")"
  sleep 0.1
done
SECOND_SERVER="127.0.0.1:$(cat "$WORK/port2")"
expect_eq "$("$LEDGERCTL" --server "$SECOND_SERVER" head)" "$head2" "head of the restored ledgerd"
expect_eq "$("$LEDGERCTL" --server "$FIRST_SERVER" head)" "$head2" "head of the original ledgerd"
expect_contains "$("$LEDGERCTL" --server "$SECOND_SERVER" audit verify)" "chain OK"
kill -TERM "$SECOND_PID"; wait "$SECOND_PID" || fail "second ledgerd did not stop cleanly"
SECOND_PID=""

# --- exports: online (gRPC) and offline (data directory) are identical
for what in postings events; do
  for format in csv jsonl; do
    "$LEDGERCTL" export "$what" --format "$format" --output "$WORK/online-$what.$format" \
      >"$WORK/export.out" 2>"$WORK/export.err" || fail "online export $what $format: $(cat "$WORK/export.err")"
    expect_eq "$(cat "$WORK/export.err")" "" "online export stderr (no progress bar off a terminal)"
    expect_contains "$(cat "$WORK/export.out")" "head #${head2%% *}"
  done
done
"$LEDGERCTL" export postings >"$WORK/online-stdout.csv" || fail "export to stdout"
stop_ledgerd
for what in postings events; do
  for format in csv jsonl; do
    "$LEDGERCTL" export "$what" --format "$format" --data-dir "$WORK/ledger" \
      --output "$WORK/offline-$what.$format" >/dev/null || fail "offline export $what $format"
    cmp "$WORK/online-$what.$format" "$WORK/offline-$what.$format" \
      || fail "online and offline $what $format exports differ"
  done
done
cmp "$WORK/online-stdout.csv" "$WORK/offline-postings.csv" || fail "stdout export differs"
# The restored copy exports the same postings too.
"$LEDGERCTL" export postings --data-dir "$WORK/restored" --output "$WORK/restored.csv" >/dev/null
cmp "$WORK/restored.csv" "$WORK/offline-postings.csv" || fail "restored copy exports differ"

csv="$WORK/offline-postings.csv"
expect_eq "$(head -1 "$csv" | tr -d '\r')" \
  "position,event_id,occurred_on,recorded_at,kind,line,account,currency,debit,credit,debit_minor,credit_minor,target_event_id,details,memo" \
  "postings header"
expect_contains "$(cat "$csv")" '"gift, ""thanks""'
expect_contains "$(cat "$csv")" ',e2e-bhd,2026-03-02,'
expect_contains "$(cat "$csv")" ',cash,BHD,1.250,0.000,1250,0,'
# Sum of debits minus credits per currency is zero (every row is integral).
jq -rs 'group_by(.currency) | map({c: .[0].currency, net: (map(.debit_minor - .credit_minor) | add)})
        | map("\(.c)=\(.net)") | join(" ")' "$WORK/offline-postings.jsonl" >"$WORK/net"
expect_eq "$(cat "$WORK/net")" "BHD=0 GBP=0 JPY=0" "postings balance per currency"
# The whole JPY donation was charged back: cash JPY nets to zero.
expect_eq "$(jq -rs 'map(select(.account=="cash" and .currency=="JPY")) | map(.debit_minor - .credit_minor) | add' \
  "$WORK/offline-postings.jsonl")" "0" "cash JPY after the chargeback"
# Events: one row per event, the last hash is the head.
expect_eq "$(wc -l <"$WORK/offline-events.jsonl" | tr -d ' ')" "${head2%% *}" "event rows"
expect_eq "$(tail -1 "$WORK/offline-events.jsonl" | jq -r '.hash')" "${head2#* }" "last event hash"
expect_eq "$(jq -r 'select(.event_id=="e2e-jpy") | .reversed_by_position' "$WORK/offline-events.jsonl")" \
  "$(jq -r 'select(.event_id=="e2e-rev") | .position' "$WORK/offline-events.jsonl")" "reversed_by_position"

# Bad usage.
rc=0
err="$("$LEDGERCTL" export balances 2>&1)" || rc=$?
expect_eq "$rc" "2" "export of an unknown table: exit"
expect_contains "$err" "events or postings"
echo "backup_export_test: 1 passed, 0 failed"
