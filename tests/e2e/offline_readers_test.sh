#!/usr/bin/env bash
# Goal: every reader command works offline on a copy of a data directory
# (--data-dir COPY), read-only, showing the copy's figures, while the same
# command without --data-dir shows the live ledger's (which has moved on);
# offline output is byte for byte what a server on the same data answers;
# and every hash a person or script sees is the same lower-case hex, in text
# and in --json (head, audit verify, backup create and list).
source "$(dirname "$0")/lib.sh"
SECOND_PID=""
cleanup_second() {
  if [[ -n "$SECOND_PID" ]]; then kill -9 "$SECOND_PID" 2>/dev/null || true; fi
  cleanup
}
trap cleanup_second EXIT
ctl() { "$LEDGERCTL" "$@"; }

# --- the books at the time of the copy (positions 1..9)
start_ledgerd "$WORK/ledger"
ctl beneficiary add lawyer --name "Legal aid" --on 2026-03-02 --event-id o-ben >/dev/null
ctl branch affiliate york --union RMT --branch-name "York No.1" --fee "25.00 GBP" --period quarterly \
  --on 2026-03-02 --event-id o-aff >/dev/null
ctl donate 100.00 GBP --to lawyer --on 2026-03-02 --event-id o-don-1 >/dev/null
ctl branch pay-fee york 25.00 GBP --on 2026-03-02 --event-id o-fee >/dev/null
ctl donate 10.00 GBP --on 2026-03-02 --event-id o-don-2 --memo $'two\nlines' >/dev/null
# A payment: the ledger's admin asks for no approval (two to sign), a
# request commits the money, and paying it takes it out.
ctl policy set --approvals 0 --on 2026-03-02 --event-id o-policy >/dev/null
ctl disburse lawyer 30.00 GBP --purpose "court fees" --request-id o-req --on 2026-03-03 --event-id o-req >/dev/null
ctl pay o-req --on 2026-03-03 --event-id o-disb >/dev/null
copy_head="$(ctl head)"
expect_eq "${copy_head%% *}" "9" "head at the copy"
stop_ledgerd
cp -a "$WORK/ledger" "$WORK/copy"
cp -a "$WORK/ledger" "$WORK/copy-served"

# --- the live ledger moves on (positions 10..12)
start_ledgerd "$WORK/ledger"
ctl donate 50.00 GBP --to lawyer --on 2026-03-04 --event-id o-don-3 >/dev/null
ctl donate 5.00 GBP --donor branch --branch york --on 2026-03-04 --event-id o-don-4 >/dev/null
ctl allocate lawyer 10.00 GBP --on 2026-03-04 --event-id o-alloc >/dev/null
live_head="$(ctl head)"
expect_eq "${live_head%% *}" "12" "live head"
C=(--data-dir "$WORK/copy")

# figure WHAT WANT_COPY WANT_LIVE -- ARGS... (a jq filter over --json output)
figure() {
  local what="$1" filter="$2" want_copy="$3" want_live="$4"; shift 5
  local copy live
  copy="$(ctl --json "$@" "${C[@]}" | jq -r "$filter")" || fail "$what offline failed"
  live="$(ctl --json "$@" | jq -r "$filter")" || fail "$what online failed"
  expect_eq "$copy" "$want_copy" "$what (copy)"
  expect_eq "$live" "$want_live" "$what (live)"
}
# By hand. Copy: lawyer 100 - 30 = 70; general 25 fee + 10 = 35; raised 135,
# disbursed 30, held 105. Live: lawyer 70 + 50 + 10 = 130; general 35 + 5 - 10
# = 30; raised 190; held 160; york gave 25 fee (+5 live).
figure "event count" '.totals.event_count' 9 12 -- summary
figure "held" '.totals.currencies[0].held_minor' 10500 16000 -- summary
figure "general fund (summary)" '.general_fund[0].available_minor' 3500 3000 -- summary
figure "summary as of #4" '.totals.currencies[0].raised_minor' 10000 10000 -- summary --as-of 4
figure "lawyer (balances)" '.beneficiaries[0].balances[0].available_minor' 7000 13000 -- balances
figure "general fund (balances)" '.general_fund[0].available_minor' 3500 3000 -- balances
figure "balances as_of" '.as_of.position' 9 12 -- balances
figure "balances at the end of 2026-03-02" '.beneficiaries[0].balances[0].available_minor' 10000 10000 \
  -- balances --as-of 2026-03-02
figure "york total (branches)" '.branches[0].branch.totals[0].total_minor' 2500 3000 -- branches
figure "york (branch show)" '.branch.branch.totals[0].donations_minor' 0 500 -- branch show york
figure "lawyer (beneficiary show)" '.beneficiary.balances[0].available_minor' 7000 13000 \
  -- beneficiary show lawyer
figure "trial balance debits" '.totals[0].debits_minor' 16500 23000 -- trial-balance
figure "events" '.events | length' 9 12 -- events
figure "events from 9" '.events[0].event_id' o-disb o-disb -- events --from 9 --limit 1
figure "event by id" '.event.position' 9 9 -- event o-disb
figure "head" '.head.position' 9 12 -- head
figure "fund statement closing" '.totals[0].closing_minor' 7000 13000 \
  -- statement fund lawyer --from 2026-03-01 --to 2026-03-31
figure "general statement closing" '.totals[0].closing_minor' 3500 3000 \
  -- statement fund general --from 2026-03-01 --to 2026-03-31
figure "branch statement given" '.paid[0].total_minor' 2500 3000 \
  -- statement branch york --from 2026-03-01 --to 2026-05-31
figure "income statement" '.rows | map(.income_minor | tonumber) | add' 13500 19000 \
  -- statement income --from 2026-03-01 --to 2026-03-31

# Text output too: the copy's figures offline, the live ones online.
expect_contains "$(ctl summary "${C[@]}")" "GBP       135.00      30.00  105.00         35.00"
expect_contains "$(ctl summary)" "GBP       190.00      30.00  160.00         30.00"
expect_contains "$(ctl balances "${C[@]}")" "as of #9"
expect_contains "$(ctl balances "${C[@]}")" "lawyer   Legal aid       GBP         100.00       0.00      30.00       0.00      70.00"
expect_contains "$(ctl balances)" "as of #12"
expect_eq "$(ctl head "${C[@]}")" "$copy_head" "head offline"
expect_eq "$(ctl head)" "$live_head" "head online"
expect_eq "$(ctl tail -n 2 "${C[@]}" | wc -l)" "2" "tail -n 2 offline"
expect_contains "$(ctl tail -n 1 "${C[@]}")" "#9  2026-03-03  disbursement 30.00 GBP from lawyer: court fees  [o-disb]"
expect_contains "$(ctl tail -n 1)" "#12  2026-03-04  allocation 10.00 GBP general -> lawyer  [o-alloc]"
expect_contains "$(ctl tail --from 6 "${C[@]}")" "[o-don-2]"
expect_contains "$(ctl event o-don-2 "${C[@]}")" 'memo two\nlines'
expect_contains "$(ctl statement fund lawyer --from 2026-03-01 --to 2026-03-31 --format csv "${C[@]}")" \
  "GBP,0.00,100.00,0.00,0.00,30.00,70.00"
expect_contains "$(ctl statement fund lawyer --from 2026-03-01 --to 2026-03-31 --format csv "${C[@]}")" \
  "-30.00,70.00"
rc=0; err="$(ctl event o-alloc "${C[@]}" 2>&1)" || rc=$?
expect_eq "$rc" "1" "an event recorded after the copy is not in it"
expect_contains "$err" "NOT_FOUND"
rc=0; err="$(ctl summary --data-dir "$WORK/nothing-here" 2>&1)" || rc=$?
expect_eq "$rc" "1" "no ledger in the directory"
[[ ! -e "$WORK/nothing-here" ]] || fail "an offline reader created a data directory"

# Offline output is what a server on the same data prints.
"$LEDGERD" --data_dir="$WORK/copy-served" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" --listen=127.0.0.1:0 --port_file="$WORK/port2" \
  2>>"$WORK/ledgerd2.log" &
SECOND_PID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/port2" ]] && break; sleep 0.1; done
SERVED=(--server "127.0.0.1:$(cat "$WORK/port2")")
for cmd in "summary" "summary --as-of 3" "balances" "balances --all" "branches" "branch show york" \
    "beneficiary show lawyer" "trial-balance" "events" "event o-fee" "event 3" "head" "tail" \
    "statement fund lawyer --from 2026-03-01 --to 2026-03-31" \
    "statement fund general --from 2026-03-01 --to 2026-03-31 --format csv" \
    "statement branch york --from 2026-03-01 --to 2026-05-31" \
    "statement income --from 2026-03-01 --to 2026-03-31"; do
  for json in "" "--json"; do
    # shellcheck disable=SC2086  # the command words split on purpose
    offline="$(ctl $json $cmd "${C[@]}")" || fail "offline $json $cmd"
    # shellcheck disable=SC2086
    online="$(ctl $json $cmd "${SERVED[@]}")" || fail "online $json $cmd"
    [[ "$offline" == "$online" ]] || fail "offline and online differ for $json $cmd:
$(diff <(echo "$offline") <(echo "$online"))"
  done
done
kill -TERM "$SECOND_PID"; wait "$SECOND_PID" || fail "second ledgerd did not stop cleanly"
SECOND_PID=""
# The copy was only read.
expect_eq "$(ctl head --data-dir "$WORK/copy")" "$copy_head" "copy head after the offline reads"

# One encoding for hashes: lower-case hex, text and --json alike.
hex() { [[ "$1" =~ ^[0-9a-f]{64}$ ]] || fail "$2 is not 64 lower-case hex characters: [$1]"; }
live_hash="${live_head#* }"
hex "$live_hash" "head"
expect_eq "$(ctl --json head | jq -r '.head.hash')" "$live_hash" "head --json hash"
expect_eq "$(ctl --json audit verify | jq -r '.verified_head.hash')" "$live_hash" "audit verify --json hash"
expect_eq "$(ctl --json audit verify "${C[@]}" | jq -r '.verified_head.hash')" "${copy_head#* }" \
  "offline audit verify --json hash"
expect_contains "$(ctl audit verify)" "head #12 $live_hash"
expect_eq "$(ctl --json backup create online | jq -r '.head.hash')" "$live_hash" \
  "backup create --json hash"
expect_eq "$(ctl --json backup list "$WORK/ledger.backups/online" | jq -r '.backups[0].head.hash')" "$live_hash" \
  "backup list --json hash"
expect_eq "$(ctl --json event 12 | jq -r '.event.hash')" "$live_hash" "event --json hash"
expect_eq "$(ctl --json tail -n 1 | jq -r '.hash')" "$live_hash" "tail --json hash"
expect_eq "$(ctl --json events --from 12 | jq -r '.events[0].prev_hash')" \
  "$(ctl event 11 | sed -n 's/^hash //p')" "events --json prev_hash"
echo "offline_readers_test: 1 passed, 0 failed"
