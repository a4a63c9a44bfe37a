#!/usr/bin/env bash
# Load through gRPC: starts a Release ledgerd (sync on) on a temp dir and port
# 0, then runs grpc_load with 1, 8, 32 and 128 concurrent clients (unary
# appends of 1 event), batched appends of 100 events, and query latency.
# Bounded: each run lasts SECONDS (default 10).
#   tests/bench/run_grpc_load.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
nice ninja -C build-bench ledgerd ledgerctl grpc_load >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/ledger-load.XXXXXX")"
build-bench/ledgerctl key create "$work/ledger.key" >/dev/null
build-bench/ledgerd --data_dir="$work/ledger" --private_key_file="$work/ledger.key" --listen=127.0.0.1:0 --port_file="$work/port" --append_events_per_second=0 2>"$work/ledgerd.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
server="127.0.0.1:$(cat "$work/port")"
for clients in 1 8 32 128; do
  build-bench/grpc_load --server "$server" --clients "$clients" --batch 1 --seconds "$seconds"
done
build-bench/grpc_load --server "$server" --clients 8 --batch 100 --seconds "$seconds"
build-bench/grpc_load --server "$server" --clients 8 --queries --seconds "$seconds"
