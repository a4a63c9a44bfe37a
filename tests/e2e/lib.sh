# Shared helpers for the end-to-end scripts: start and stop a real ledgerd on
# port 0 in a temp data directory, and assertions that print what differed.
set -euo pipefail
LEDGERD="${LEDGERD:?set LEDGERD to the ledgerd binary}"
LEDGERCTL="${LEDGERCTL:?set LEDGERCTL to the ledgerctl binary}"
export LEDGERCTL
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ledger-e2e.XXXXXX")"
LEDGERD_PID=""
cleanup() {
  if [[ -n "$LEDGERD_PID" ]]; then kill -9 "$LEDGERD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# The ledger's private key file, outside every data directory; offline
# readers use it too (as an operator holding the key would).
"$LEDGERCTL" key create "$WORK/private.key" >/dev/null
export LEDGER_PRIVATE_KEY_FILE="$WORK/private.key"

fail() { echo "FAIL: $*" >&2; exit 1; }

# start_ledgerd DATA_DIR [FLAG...]: starts ledgerd (with any further flags),
# waits for its port, sets LEDGER_SERVER. A ledger it creates writes its
# founding admin's token to DATA_DIR.token, which then becomes
# LEDGER_TOKEN_FILE (ledgerctl calls as that admin); a ledger that exists
# keeps the token file set before.
start_ledgerd() {
  local dir="$1"
  shift
  rm -f "$WORK/port"
  "$LEDGERD" --data_dir="$dir" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" --listen=127.0.0.1:0 \
    --port_file="$WORK/port" "$@" 2>>"$WORK/ledgerd.log" &
  LEDGERD_PID=$!
  for _ in $(seq 1 100); do
    [[ -s "$WORK/port" ]] && break
    kill -0 "$LEDGERD_PID" 2>/dev/null || fail "ledgerd exited: $(tail -3 "$WORK/ledgerd.log")"
    sleep 0.1
  done
  [[ -s "$WORK/port" ]] || fail "ledgerd did not start"
  export LEDGER_SERVER="127.0.0.1:$(cat "$WORK/port")"
  if [[ -s "${dir%/}.token" ]]; then export LEDGER_TOKEN_FILE="${dir%/}.token"; fi
}

stop_ledgerd() {
  kill -TERM "$LEDGERD_PID"
  wait "$LEDGERD_PID" || fail "ledgerd did not stop cleanly"
  LEDGERD_PID=""
}

kill9_ledgerd() {
  kill -9 "$LEDGERD_PID"
  wait "$LEDGERD_PID" 2>/dev/null || true
  LEDGERD_PID=""
}

# expect_contains TEXT NEEDLE
expect_contains() {
  grep -qF -- "$2" <<<"$1" || fail "expected to find [$2] in:
$1"
}

expect_not_contains() {
  if grep -qF -- "$2" <<<"$1"; then
    fail "expected not to find [$2] in:
$1"
  fi
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
  [[ "$1" == "$2" ]] || fail "$3: expected [$2], got [$1]"
}

# run_rc VAR CMD...: runs CMD (stdout and stderr into $VAR), sets RC to its exit code.
run_rc() {
  local __var="$1"
  shift
  local __out
  set +e
  __out="$("$@" 2>&1)"
  RC=$?
  set -e
  printf -v "$__var" '%s' "$__out"
}

# expect_rc ACTUAL EXPECTED WHAT OUTPUT
expect_rc() {
  [[ "$1" == "$2" ]] || fail "$3: exit code $1, expected $2; output:
$4"
}

# wait_checkpoint: until the latest signed checkpoint covers the head (10 s).
wait_checkpoint() {
  local head size
  for _ in $(seq 1 100); do
    head="$("$LEDGERCTL" --json head | jq -r '.head.position')"
    size="$("$LEDGERCTL" --json checkpoint 2>/dev/null | jq -r '.checkpoint.tree_size' || true)"
    [[ "$size" == "$head" ]] && return 0
    sleep 0.1
  done
  fail "no checkpoint of the head ($head) within 10 s (latest: $size)"
}
