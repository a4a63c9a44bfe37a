#!/usr/bin/env bash
# Goal: a flood of connections never makes ledgerd unreachable. ledgerd runs
# under a 1024-descriptor limit (soft and hard); a script opens 1,100 TCP
# connections to it over loopback and holds them. Once with the default cap
# (--max_connections: the limit less 256), which closes the connections
# beyond it at once; once with no cap to speak of, so that accept() runs out
# of descriptors (EMFILE), which gRPC's own listener never recovered from.
# Each time: ledgerctl gets an answer within a few seconds after the flood
# ends (or while it lasts), ledgerd is still running, and health answers
# SERVING again (NOT_SERVING while connections are turned away). Bounded:
# about 30 s.
source "$(dirname "$0")/lib.sh"
command -v prlimit >/dev/null || fail "prlimit is needed (util-linux)"
PYTHON3="${PYTHON3:-python3}"
FLOOD="$(dirname "$0")/fd_flood.py"
REAL_LEDGERD="$LEDGERD"
LEDGERD="$WORK/ledgerd-1024"
printf '#!/bin/sh\nexec prlimit --nofile=1024:1024 "%s" "$@"\n' "$REAL_LEDGERD" >"$LEDGERD"
chmod +x "$LEDGERD"
CONNECTIONS=1100

# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }

# flood NAME: holds $CONNECTIONS connections to ledgerd, tries one call while
# they are held, lets them go, then waits for a call to succeed (10 s).
flood() {
  local name="$1" port="${LEDGER_SERVER##*:}" out="$WORK/$1.flood" started rc=0
  rm -f "$WORK/release"
  "$PYTHON3" "$FLOOD" hold "$port" "$CONNECTIONS" "$WORK/release" >"$out" &
  local flood_pid=$!
  for _ in $(seq 1 150); do grep -q '^opened' "$out" && break; sleep 0.1; done
  grep -q '^opened' "$out" || fail "$name: the flood did not open its connections"
  "$LEDGERCTL" --retries 0 --timeout 3 summary >/dev/null 2>&1 || rc=$?
  local during="ok"
  [[ "$rc" == 0 ]] || during="failed ($rc)"
  # Health turns NOT_SERVING while connections are turned away (the next
  # accept check, every 2 s).
  for _ in $(seq 1 50); do grep -q "health NOT_SERVING" "$WORK/ledgerd.log" && break; sleep 0.1; done
  grep -q "health NOT_SERVING" "$WORK/ledgerd.log" || fail "$name: health stayed SERVING"
  touch "$WORK/release"
  wait "$flood_pid"
  started="$(now_ms)"
  local answered=""
  for _ in $(seq 1 20); do
    if "$LEDGERCTL" --retries 0 --timeout 2 summary >/dev/null 2>&1; then
      answered="$(($(now_ms) - started))"
      break
    fi
    sleep 0.5
  done
  [[ -n "$answered" ]] || fail "$name: no call succeeded within 10 s after the flood: $(tail -5 "$WORK/ledgerd.log")"
  kill -0 "$LEDGERD_PID" 2>/dev/null || fail "$name: ledgerd died: $(tail -5 "$WORK/ledgerd.log")"
  echo "$name: $(tr '\n' ' ' <"$out"); a call while held: $during; first call after: ${answered} ms"
}

# serving_again NAME: health answers SERVING within 10 s.
serving_again() {
  local health=""
  for _ in $(seq 1 20); do
    health="$("$PYTHON3" "$FLOOD" health "${LEDGER_SERVER##*:}")"
    [[ "$health" == "SERVING" ]] && return 0
    sleep 0.5
  done
  fail "$1: health is [$health], not SERVING, 10 s after the flood"
}

# 1. The default cap: the connections beyond it are closed at once.
start_ledgerd "$WORK/ledger"
expect_contains "$(cat "$WORK/ledgerd.log")" "at most 768 connections at once"
flood capped
expect_contains "$(cat "$WORK/ledgerd.log")" "connections open (--max_connections)"
closed="$(sed -n 's/.*closed_by_server \([0-9]*\).*/\1/p' "$WORK/capped.flood")"
((closed >= CONNECTIONS - 768)) || fail "capped: only $closed connections closed by ledgerd"
serving_again capped
stop_ledgerd

# 2. No cap to speak of: accept() runs out of descriptors and recovers.
: >"$WORK/ledgerd.log"
start_ledgerd "$WORK/ledger" --max_connections=100000
flood out_of_fds
expect_contains "$(cat "$WORK/ledgerd.log")" "accepting a connection failed (Too many open files)"
closed="$(sed -n 's/.*closed_by_server \([0-9]*\).*/\1/p' "$WORK/out_of_fds.flood")"
((closed >= 1)) || fail "out_of_fds: ledgerd closed none of the connections it could not serve"
serving_again out_of_fds
[[ -n "$("$LEDGERCTL" head)" ]] || fail "out_of_fds: ledgerctl head said nothing"
grep -v " commit head=" "$WORK/ledgerd.log" | sed "s/^/  ledgerd.log: /"
stop_ledgerd
echo "fd_exhaustion_test: 1 passed, 0 failed"
