#!/usr/bin/env bash
# Goal: TLS end to end with throwaway CAs made by openssl. ledgerd serves
# TLS with --tls_cert/--tls_key; ledgerctl trusting the CA (--ca or
# $LEDGER_CA) works, one without it or trusting another CA cannot connect;
# ledgerd refuses a non-loopback address without TLS, a key others may read,
# and half a TLS configuration. With --tls_client_ca (mutual TLS) ledgerctl
# without a client certificate, or with one of another CA, cannot connect;
# with one of that CA (--client-cert/--client-key or $LEDGER_CLIENT_CERT/
# $LEDGER_CLIENT_KEY) it can. The dashboard proxy (when built) answers a
# gRPC-Web GetSummary through a TLS ledgerd with --ca, and through the
# mutual-TLS one with its client certificate; without it, or trusting
# another CA, the browser gets UNAVAILABLE.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed"
DASHBOARD_DIR="$(cd "$(dirname "$0")/../../clients/dashboard" && pwd)"
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

# Client certificates: one of the CA ledgerd asks for, one of another CA.
make_ca client-ca
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >client.ext
make_client_cert() {  # NAME CA
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile client.ext -out "$1.pem" 2>/dev/null
  chmod 600 "$1.key"
}
make_client_cert member client-ca
make_client_cert rogue other-ca

# The dashboard proxy, if it has been built (npm ci && npm run build in
# clients/dashboard; CI builds it).
DASH_PID=""
dashboard_built() {
  command -v node >/dev/null && command -v curl >/dev/null &&
    [[ -f "$DASHBOARD_DIR/dist/server.js" && -d "$DASHBOARD_DIR/node_modules" ]]
}
stop_dashboard() {
  if [[ -n "$DASH_PID" ]]; then
    kill -TERM "$DASH_PID" 2>/dev/null || true
    wait "$DASH_PID" 2>/dev/null || true
    DASH_PID=""
  fi
}
trap 'stop_dashboard; cleanup' EXIT
# start_dashboard FLAG...: the proxy on a free port against $LEDGER_SERVER;
# sets DASH_URL.
start_dashboard() {
  : >"$WORK/dashboard.out"
  node "$DASHBOARD_DIR/server.js" --ledger "$LEDGER_SERVER" --listen 127.0.0.1:0 "$@" \
    >"$WORK/dashboard.out" 2>>"$WORK/dashboard.log" &
  DASH_PID=$!
  DASH_URL=""
  for _ in $(seq 1 200); do
    DASH_URL="$(sed -n 's|^dashboard listening on \(http://.*/\)$|\1|p' "$WORK/dashboard.out")"
    [[ -n "$DASH_URL" ]] && return 0
    kill -0 "$DASH_PID" 2>/dev/null || fail "the dashboard exited: $(tail -3 "$WORK/dashboard.log")"
    sleep 0.1
  done
  fail "the dashboard did not start: $(tail -3 "$WORK/dashboard.log")"
}
# summary_via_dashboard: a gRPC-Web GetSummary (an empty request) through
# the proxy; prints the answer's headers and body, unprintable bytes as '.'.
printf '\0\0\0\0\0' >"$WORK/empty.frame"
summary_via_dashboard() {
  curl -sS --max-time 20 -D "$WORK/grpcweb.headers" -o "$WORK/grpcweb.body" \
    -H 'content-type: application/grpc-web+proto' -H 'x-grpc-web: 1' \
    --data-binary @"$WORK/empty.frame" "${DASH_URL}solidarity.ledger.v1.LedgerQueries/GetSummary" ||
    fail "the dashboard did not answer GetSummary"
  cat "$WORK/grpcweb.headers" "$WORK/grpcweb.body" | tr -c '[:print:]' '.' | tr -d ' '
}

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

if dashboard_built; then
  start_dashboard --ca test-ca.pem
  out="$(summary_via_dashboard)"
  expect_contains "$out" "grpc-status:0"
  expect_contains "$out" "GBP"
  expect_contains "$(cat "$WORK/dashboard.log")" "over TLS (CA test-ca.pem)"
  stop_dashboard
  start_dashboard --ca other-ca.pem
  expect_contains "$(summary_via_dashboard)" "grpc-status:14"
  stop_dashboard
  run_rc out timeout 20 node "$DASHBOARD_DIR/server.js" --ca "$WORK/none.pem" --listen 127.0.0.1:0
  expect_rc "$RC" 1 "the proxy with a CA file that is missing" "$out"
  expect_contains "$out" "cannot read the CA file $WORK/none.pem"
else
  echo "tls_test: the dashboard is not built (npm ci && npm run build in clients/dashboard); skipping its part"
fi
stop_ledgerd

# Mutual TLS: ledgerd asks every client for a certificate of client-ca.
start_ledgerd "$WORK/ledger" --tls_cert=server.pem --tls_key=server.key --tls_client_ca=client-ca.pem
expect_contains "$(cat "$WORK/ledgerd.log")" "(TLS, client certificates)"
export LEDGER_CA=test-ca.pem
run_rc out "$LEDGERCTL" --retries 0 --timeout 3 summary
expect_rc "$RC" 3 "no client certificate" "$out"
run_rc out "$LEDGERCTL" --retries 0 --timeout 3 --client-cert rogue.pem --client-key rogue.key summary
expect_rc "$RC" 3 "a client certificate of another CA" "$out"
run_rc out "$LEDGERCTL" --client-cert member.pem --client-key member.key whoami
expect_rc "$RC" 0 "a client certificate of the client CA" "$out"
expect_contains "$out" "admin"
run_rc out env LEDGER_CLIENT_CERT=member.pem LEDGER_CLIENT_KEY=member.key "$LEDGERCTL" donate 2.00 GBP
expect_rc "$RC" 0 "the client certificate from the environment" "$out"
expect_contains "$out" "recorded donation_received"

# Usage errors (exit 2) and files that cannot be read (exit 1).
run_rc out "$LEDGERCTL" --client-cert member.pem summary
expect_rc "$RC" 2 "--client-cert without --client-key" "$out"
expect_contains "$out" "--client-cert needs --client-key"
run_rc out env LEDGER_CLIENT_KEY=member.key "$LEDGERCTL" summary
expect_rc "$RC" 2 "\$LEDGER_CLIENT_KEY without a certificate" "$out"
expect_contains "$out" "--client-key needs --client-cert"
run_rc out env -u LEDGER_CA "$LEDGERCTL" --client-cert member.pem --client-key member.key summary
expect_rc "$RC" 2 "a client certificate without --ca" "$out"
expect_contains "$out" "need --ca"
run_rc out "$LEDGERCTL" --client-cert "$WORK/none.pem" --client-key member.key summary
expect_rc "$RC" 1 "a client certificate file that is missing" "$out"
expect_contains "$out" "cannot read the client certificate file $WORK/none.pem"
run_rc out "$LEDGERCTL" --client-cert member.pem --client-key san.ext summary
expect_rc "$RC" 1 "a client key file that is not PEM" "$out"
expect_contains "$out" "cannot read the client key file san.ext"

if dashboard_built; then
  start_dashboard --ca test-ca.pem --client-cert member.pem --client-key member.key
  out="$(summary_via_dashboard)"
  expect_contains "$out" "grpc-status:0"
  expect_contains "$out" "GBP"
  stop_dashboard
  start_dashboard --ca test-ca.pem
  expect_contains "$(summary_via_dashboard)" "grpc-status:14"
  stop_dashboard
  run_rc out timeout 20 node "$DASHBOARD_DIR/server.js" --ca test-ca.pem --client-cert member.pem
  expect_rc "$RC" 2 "the proxy with --client-cert alone" "$out"
  expect_contains "$out" "--client-cert needs --client-key"
fi
stop_ledgerd
echo "tls_test: 1 passed, 0 failed"
