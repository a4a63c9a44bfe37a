#!/usr/bin/env bash
# Goal: TLS end to end with a throwaway CA made by openssl. ledgerd serves
# TLS with --tls_cert/--tls_key; ledgerctl trusting the CA (--ca or
# $LEDGER_CA) works, one without it or trusting another CA cannot connect;
# ledgerd refuses a non-loopback address without TLS, a key others may read,
# and half a TLS configuration.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed"
cd "$WORK"

# A CA and a certificate for 127.0.0.1 and localhost, signed by it.
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$1.key" -out "$1.pem" 2>/dev/null
}
make_ca test-ca
make_ca other-ca
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA test-ca.pem -CAkey test-ca.key -CAcreateserial -days 2 \
  -extfile san.ext -out server.pem 2>/dev/null
chmod 600 server.key

# refused DIR ARGS...: ledgerd must exit 1 with one line; prints it.
refused() {
  local out rc=0
  out="$("$LEDGERD" --data_dir="$1" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" "${@:2}" 2>&1 >/dev/null)" || rc=$?
  [[ "$rc" == 1 ]] || fail "ledgerd ${*:2} exited $rc, not 1: $out"
  echo "$out"
}
expect_contains "$(refused "$WORK/l0" --listen=0.0.0.0:0)" "without TLS"
expect_contains "$(refused "$WORK/l0" --listen=127.0.0.1:0 --tls_cert=server.pem)" "go together"
cp server.key shared.key; chmod 644 shared.key
expect_contains "$(refused "$WORK/l0" --listen=127.0.0.1:0 --tls_cert=server.pem --tls_key=shared.key)" "chmod 600"
[[ ! -e "$WORK/l0/CURRENT" ]] || fail "a refused start created a ledger"

# ledgerd over TLS.
rm -f "$WORK/port"
"$LEDGERD" --data_dir="$WORK/ledger" --private_key_file="$LEDGER_PRIVATE_KEY_FILE" \
  --listen=127.0.0.1:0 --port_file="$WORK/port" --tls_cert=server.pem --tls_key=server.key \
  2>>"$WORK/ledgerd.log" &
LEDGERD_PID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
[[ -s "$WORK/port" ]] || fail "ledgerd did not start: $(cat "$WORK/ledgerd.log")"
export LEDGER_SERVER="127.0.0.1:$(cat "$WORK/port")" LEDGER_TOKEN_FILE="$WORK/ledger.token"
expect_contains "$(cat "$WORK/ledgerd.log")" "(TLS)"

expect_contains "$("$LEDGERCTL" --ca test-ca.pem whoami)" "admin"
expect_contains "$(LEDGER_CA=test-ca.pem "$LEDGERCTL" donate 5.00 GBP)" "recorded donation_received"
rc=0; "$LEDGERCTL" --retries 0 --timeout 3 summary >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "3" "plaintext against a TLS ledgerd"
rc=0; "$LEDGERCTL" --retries 0 --timeout 3 --ca other-ca.pem summary >/dev/null 2>&1 || rc=$?
expect_eq "$rc" "3" "trusting another CA"
rc=0; err="$("$LEDGERCTL" --ca "$WORK/none.pem" summary 2>&1)" || rc=$?
expect_eq "$rc" "1" "a CA file that is missing"
expect_contains "$err" "cannot read the CA file"
stop_ledgerd
echo "tls_test: 1 passed, 0 failed"
