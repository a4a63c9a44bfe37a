#!/usr/bin/env bash
# Goal: what an operator runs ledgerd with works on the real binaries.
# - systemd's readiness protocol: with $NOTIFY_SOCKET (a datagram socket
#   this test listens on, as systemd would) ledgerd sends READY=1 only once
#   it serves (its port file written, a call answered), and STOPPING=1 when
#   it stops;
# - --metrics_listen: a scrape of /metrics after a donation and a refusal
#   holds the figures; a non-loopback address and a bad --log_format are
#   refused before anything is opened;
# - --log_format=json: every commit and every refusal is one JSON line
#   naming the member and the reason, never the refusal's message;
# - backup prune --keep N, as the backup timer runs it: the newest N stay.
source "$(dirname "$0")/lib.sh"
PYTHON3="${PYTHON3:-python3}"

# Refused before anything is opened: no data directory appears.
run_rc out "$LEDGERD" --data_dir="$WORK/never" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --log_format=xml
expect_rc "$RC" 1 "ledgerd --log_format=xml" "$out"
expect_contains "$out" '--log_format is "text" or "json"'
run_rc out "$LEDGERD" --data_dir="$WORK/never" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --listen=127.0.0.1:0 --metrics_listen=0.0.0.0:9464
expect_rc "$RC" 1 "ledgerd --metrics_listen=0.0.0.0:9464" "$out"
expect_contains "$out" "is not a loopback address"

# systemd's side of sd_notify: record each message, and whether ledgerd's
# port file was there and its port answered when READY=1 came.
cat >"$WORK/notify.py" <<'EOF'
import os, socket, sys
path, port_file, out = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
with open(out, "w") as f:
    while True:
        msg = s.recv(4096).decode().replace("\n", " ")
        serving = "no"
        if "READY=1" in msg and os.path.exists(port_file):
            port = int(open(port_file).read())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                serving = "yes"
            except OSError:
                pass
        f.write(f"{msg} serving={serving}\n")
        f.flush()
        if "STOPPING=1" in msg:
            break
EOF
"$PYTHON3" "$WORK/notify.py" "$WORK/notify.sock" "$WORK/port" "$WORK/notify.log" &
NOTIFY_PID=$!
for _ in $(seq 1 50); do [[ -S "$WORK/notify.sock" ]] && break; sleep 0.1; done
NOTIFY_SOCKET="$WORK/notify.sock" start_ledgerd "$WORK/ledger" --log_format=json \
  --metrics_listen=127.0.0.1:0 --metrics_port_file="$WORK/metrics.port"
for _ in $(seq 1 50); do grep -q READY=1 "$WORK/notify.log" 2>/dev/null && break; sleep 0.1; done
notes="$(cat "$WORK/notify.log")"
expect_contains "$notes" "READY=1"
expect_contains "$notes" "serving=yes"
expect_contains "$notes" "MAINPID=$LEDGERD_PID"

"$LEDGERCTL" beneficiary add amira --name "Amira" --event-id b1 >/dev/null
"$LEDGERCTL" donate 25.00 GBP --to amira --memo "Secret Donor" --event-id d1 >/dev/null
run_rc out "$LEDGERCTL" disburse amira 900.00 GBP --purpose "legal aid" --event-id too-much
[[ "$RC" != 0 ]] || fail "a disbursement beyond the fund was accepted"

metrics_port="$(cat "$WORK/metrics.port")"
scrape="$("$PYTHON3" -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:" + sys.argv[1] + "/metrics", timeout=10).read().decode())' "$metrics_port")"
expect_contains "$scrape" 'ledger_refusals_total{reason="INSUFFICIENT_FUNDS"} 1'
expect_contains "$scrape" 'ledger_rpc_calls_total{method="LedgerCommands/Append",code="OK"} 2'
head="$("$LEDGERCTL" --json head | jq -r '.head.position')"
[[ "$head" =~ ^[0-9]+$ ]] || fail "no head: $head"
grep -qx "ledger_head_position $head" <<<"$scrape" || fail "ledger_head_position is not $head: $scrape"
expect_contains "$scrape" "# TYPE ledger_commit_duration_seconds histogram"

# Backups as the timer takes them, then the retention.
for name in 1 2 3; do "$LEDGERCTL" backup create nightly >/dev/null; done
run_rc out "$LEDGERCTL" backup prune "$WORK/ledger.backups/nightly" --keep 2
expect_rc "$RC" 0 "backup prune --keep 2" "$out"
expect_contains "$out" "deleted backup 1"
expect_eq "$("$LEDGERCTL" --json backup list "$WORK/ledger.backups/nightly" |
  "$PYTHON3" -c 'import json,sys; print([b["backup_id"] for b in json.load(sys.stdin)["backups"]])')" "[2, 3]"
run_rc out "$LEDGERCTL" backup prune "$WORK/ledger.backups/nightly"
expect_rc "$RC" 2 "backup prune without --keep" "$out"

stop_ledgerd
wait "$NOTIFY_PID"
expect_contains "$(cat "$WORK/notify.log")" "STOPPING=1"

# The JSON log: one object a line among ledgerd's text lines; commits and
# the refusal, with the member and the reason, without the message or the
# donor's name.
"$PYTHON3" - "$WORK/ledgerd.log" <<'EOF' || fail "the JSON log lines are not as expected: $(cat "$WORK/ledgerd.log")"
import json, sys
commits, refusals = 0, []
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    assert {"time", "level", "msg"} <= o.keys(), o
    if o["msg"] == "commit":
        commits += 1
        assert o["events"] >= 1 and o["duration_us"] >= 0, o
    if o["msg"] == "refused":
        refusals.append(o)
assert commits >= 2, commits
assert len(refusals) == 1, refusals
r = refusals[0]
assert r["method"] == "LedgerCommands/Append" and r["member"] == "admin", r
assert r["code"] == "FAILED_PRECONDITION" and r["reason"] == "INSUFFICIENT_FUNDS", r
EOF
expect_not_contains "$(cat "$WORK/ledgerd.log")" "Secret Donor"
expect_not_contains "$(grep '^{' "$WORK/ledgerd.log")" "available"
echo "PASS"
