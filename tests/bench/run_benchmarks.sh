#!/usr/bin/env bash
# Builds the ledger benchmarks (Release, in build-bench/), runs them and RocksDB's
# own db_bench (the ceiling for durable appends) on the same filesystem, and
# prints the tables that docs/BENCHMARKS.md records.
#
#   tests/bench/run_benchmarks.sh                        # full run, about 15 minutes
#   LEDGER_BENCH_QUICK=1 tests/bench/run_benchmarks.sh   # smoke run, about 1-2 minutes
#
# Environment:
#   LEDGER_BENCH_QUICK=1       small logs (10k events), short runs, one round
#   LEDGER_BENCH_ROUNDS=N      rounds of the append comparison and repetitions of
#                              the read-side benchmarks (default 3; tables show medians)
#   LEDGER_BENCH_DB_BENCH=0    skip db_bench
#   LEDGER_BENCH_BUILD_DIR     build tree (default <repo>/build-bench)
#   LEDGER_BENCH_OUT           where results go (default <build tree>/bench-results)
#   TMPDIR                     where the temporary databases go (default /tmp); both
#                              our benchmark and db_bench write there, so they measure
#                              the same filesystem. Everything made there is removed.
#
# The cost of a sync on a shared or virtual disk drifts by several times within
# minutes, so the append comparison is interleaved: each round runs, per batch
# size, db_bench and then our DurableAppend back to back. The read-side
# benchmarks then run in one process (the 100k- and 1M-event logs are built
# once). Benchmarks are never run by ctest. Other work on the machine (compiles)
# skews the numbers: the load average is recorded before and after.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${LEDGER_BENCH_BUILD_DIR:-$ROOT/build-bench}
OUT=${LEDGER_BENCH_OUT:-$BUILD/bench-results}
QUICK=${LEDGER_BENCH_QUICK:-0}
ROUNDS=${LEDGER_BENCH_ROUNDS:-3}
RUN_DB_BENCH=${LEDGER_BENCH_DB_BENCH:-1}
BATCHES=(1 10 100 1000)

if [[ "$QUICK" == 1 ]]; then
  ROUNDS=1
  SIZES=10000
  APPEND_MIN_TIME=0.3
  READ_MIN_TIME=0.1
  DB_NUM_1T=(500 2000 20000 100000)       # keys per run, by batch size
  DB_NUM_16T=(50 200 2000 10000)          # keys per thread
else
  SIZES=100000,1000000
  APPEND_MIN_TIME=1.5
  READ_MIN_TIME=0.5
  # Bounded so that each run takes well under 30 s even when a sync costs 5 ms.
  DB_NUM_1T=(2000 15000 200000 600000)
  DB_NUM_16T=(400 2000 20000 30000)
fi

log() { printf '\n== %s\n' "$*"; }

# ------------------------------------------------------------------ build
log "building ledger_bench (Release) in $BUILD"
if [[ -f "$BUILD/CMakeCache.txt" ]] &&
   ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$ROOT" "$BUILD/CMakeCache.txt"; then
  echo "$BUILD was configured for another source tree; configuring it afresh"
  rm -rf "$BUILD/CMakeCache.txt" "$BUILD/CMakeFiles"
fi
nice -n 10 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLEDGER_BENCHMARKS=ON >/dev/null
nice -n 10 ninja -C "$BUILD" ledger_bench
BENCH_BIN="$BUILD/tests/bench/ledger_bench"

mkdir -p "$OUT"
rm -f "$OUT"/appends-*.json "$OUT"/{appends.txt,db_bench.tsv,reads.json,reads.txt,machine.txt,summary.md}
BASE_TMP=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE_TMP/ledger-bench-XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# ------------------------------------------------------------------ machine
DB_BENCH=$(command -v db_bench || command -v rocksdb_db_bench || true)
if [[ "$RUN_DB_BENCH" == 1 && -z "$DB_BENCH" ]]; then
  echo "db_bench is not installed (Debian: apt-get install -y rocksdb-tools); running without it"
  RUN_DB_BENCH=0
fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
    [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] && echo ' (working tree has changes)')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores: $(nproc)"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  src=$(df --output=source "$WORK" | tail -1)
  echo "temp dir: $BASE_TMP on $src ($(df --output=fstype "$WORK" | tail -1), mount options $(findmnt -no OPTIONS -T "$WORK" 2>/dev/null || echo '?'))"
  dev=$(basename "$src")
  if [[ -r /sys/block/$dev/queue/rotational ]]; then
    echo "disk: /dev/$dev, rotational=$(cat "/sys/block/$dev/queue/rotational"), scheduler=$(cat "/sys/block/$dev/queue/scheduler" 2>/dev/null)"
  fi
  echo "compiler: $(c++ --version | head -1)"
  echo "rocksdb: $(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null || echo '?') (db_bench: ${DB_BENCH:-not installed})"
  echo "google benchmark: $(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo '?')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# ------------------------------------------------------------------ appends
# One db_bench run: prints its result line, appends "threads batch ops/s" to db_bench.tsv.
db_bench_run() {
  local threads=$1 batch=$2 num=$3 db="$WORK/db_bench" line ops
  rm -rf "$db"
  line=$(timeout 120 "$DB_BENCH" --benchmarks=fillseq --sync=1 --batch_size="$batch" \
    --value_size=200 --num="$num" --threads="$threads" --db="$db" 2>&1 |
    grep -E '^fillseq' || true)
  rm -rf "$db"
  ops=$(sed -E 's/.* ([0-9]+) ops\/sec.*/\1/' <<<"$line")
  [[ "$ops" =~ ^[0-9]+$ ]] || ops=0
  printf 'db_bench threads=%-2s batch=%-4s %s\n' "$threads" "$batch" "${line:-failed or timed out}"
  printf '%s\t%s\t%s\n' "$threads" "$batch" "$ops" >>"$OUT/db_bench.tsv"
}

log "durable appends: $ROUNDS round(s) of db_bench (fillseq --sync=1, 200-byte values) and DurableAppend, interleaved"
: >"$OUT/db_bench.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!BATCHES[@]}"; do
    b=${BATCHES[$i]}
    echo "-- round $round, batch $b (load average $(cut -d' ' -f1 /proc/loadavg))"
    if [[ "$RUN_DB_BENCH" == 1 ]]; then
      db_bench_run 1 "$b" "${DB_NUM_1T[$i]}"
      db_bench_run 16 "$b" "${DB_NUM_16T[$i]}"
    fi
    TMPDIR="$WORK" timeout 300 "$BENCH_BIN" --append_batches="$b" --append_min_time="$APPEND_MIN_TIME" \
      --benchmark_filter='^DurableAppend/' \
      --benchmark_out="$OUT/appends-r$round-b$b.json" --benchmark_out_format=json 2>&1 |
      grep -E '^DurableAppend|rror' || true
  done
done 2>&1 | tee "$OUT/appends.txt"

# ------------------------------------------------------------------ replay and reads
log "replay and reads at $SIZES events ($ROUNDS repetitions; logs built once, in $WORK)"
TMPDIR="$WORK" timeout 1200 "$BENCH_BIN" --ledger_sizes="$SIZES" --read_min_time="$READ_MIN_TIME" \
  --benchmark_filter='^(Hash|ScanEvents|VerifyChain|RebuildAndCompare|ReplayMemory|BalanceRead|BeneficiaryBalances|AsOfPosition|AsOfEndOfDay|OfflineAudit|Grpc)/' \
  --benchmark_repetitions="$ROUNDS" --benchmark_display_aggregates_only=true \
  --benchmark_out="$OUT/reads.json" --benchmark_out_format=json "$@" 2>&1 | tee "$OUT/reads.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

# ------------------------------------------------------------------ tables
log "summary (medians; also in $OUT/summary.md)"
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import glob, json, os, statistics, sys
from collections import defaultdict

out = sys.argv[1]

def load(path):
    with open(path) as f:
        return json.load(f)["benchmarks"]

def parts(name):
    return dict(p.split(":", 1) for p in name.split("/") if ":" in p)

def fmt(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

# ---- appends: one JSON per round and batch size
appends = defaultdict(list)   # (threads, batch) -> [run]
errors = {}
for path in sorted(glob.glob(os.path.join(out, "appends-*.json"))):
    for b in load(path):
        if b.get("run_type") == "aggregate":
            continue
        p = parts(b.get("run_name", b["name"]))
        key = (int(p.get("threads", 1)), int(p["batch"]))
        if b.get("error_occurred"):
            errors[key] = b.get("error_message", "error")
        else:
            appends[key].append(b)
db = defaultdict(list)
path = os.path.join(out, "db_bench.tsv")
if os.path.exists(path):
    for line in open(path):
        t, batch, ops = line.split()
        if int(ops) > 0:
            db[(int(t), int(batch))].append(int(ops))

def rng(values):
    return f"{min(values):,.0f}-{max(values):,.0f}" if len(values) > 1 else ""

print("### Durable appends (sync=true), medians over rounds\n")
print("| threads | batch | ledger events/s | (range) | db_bench keys/s | (range) | ratio | requests/sync | events/sync | p50 ms | p99 ms | CPU us/event |")
print("|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|")
for threads in (1, 16):
    for batch in (1, 10, 100, 1000):
        runs = appends.get((threads, batch), [])
        if not runs:
            if (threads, batch) in errors:
                print(f"| {threads} | {batch} | error: {errors[(threads, batch)]} |||||||||")
            continue
        c = lambda k: med([r.get(k) for r in runs])
        ours = [r["events_per_s"] for r in runs]
        ceil = db.get((threads, batch), [])
        ratio = f"{med(ours) / med(ceil):.2f}" if ceil else "-"
        print(f"| {threads} | {batch} | {fmt(med(ours))} | {rng(ours)} | {fmt(med(ceil))} | {rng(ceil)} | {ratio} | "
              f"{fmt(c('req_per_sync'), 1)} | {fmt(c('ev_per_sync'))} | {fmt(c('p50_ms'), 2)} | "
              f"{fmt(c('p99_ms'), 2)} | {fmt(c('cpu_us_per_ev'), 1)} |")

# ---- replay and reads: median aggregates (or single runs)
runs, cvs, first = {}, {}, {}
path = os.path.join(out, "reads.json")
for b in (load(path) if os.path.exists(path) else []):
    name = b.get("run_name", b["name"])
    if b.get("run_type") == "aggregate":
        if b.get("aggregate_name") == "median":
            runs[name] = b
        elif b.get("aggregate_name") == "cv":
            cvs[name] = b
    else:
        if b.get("repetition_index", 0) == 0:
            first[name] = b
        if name not in runs:
            runs[name] = b

def find(bench, size):
    for name, r in runs.items():
        if name.startswith(bench + "/") and parts(name).get("events") == str(size):
            return name, r
    return None, None

sizes = sorted({int(parts(n)["events"]) for n in runs if "events" in parts(n)})
print("\n### Replay of the whole log (one thread), medians\n")
print("| benchmark | log events | events/s | cv | CPU us/event | events per CPU-second |")
print("|---|---:|---:|---:|---:|---:|")
for bench in ("ScanEvents", "VerifyChain", "RebuildAndCompare"):
    for size in sizes:
        name, r = find(bench, size)
        if r is None:
            continue
        if r.get("error_occurred"):
            print(f"| {bench} | {size:,} | error: {r.get('error_message')} ||||")
            continue
        cpu = r.get("cpu_us_per_ev")
        cv = cvs.get(name, {}).get("events_per_s")
        print(f"| {bench} | {size:,} | {fmt(r.get('events_per_s'))} | {'-' if cv is None else f'{100 * cv:.0f}%'} | "
              f"{fmt(cpu, 2)} | {fmt(1e6 / cpu) if cpu else '-'} |")

print("\n### Memory of a replay, in a fresh process that opens the log read-only (peak RSS, VmHWM)\n")
print("| log events | on disk MiB | RSS after open MiB | plain RocksDB scan: growth MiB | VerifyChain: peak MiB (growth) | RebuildAndCompare: peak MiB (growth) | process peak MiB | events CF: block cache MiB, index blocks MiB, sorted runs | VerifyChain events/s | Rebuild events/s |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
for size in sizes:
    name, r = find("ReplayMemory", size)
    if r is None:
        continue
    if r.get("error_occurred"):
        print(f"| {size:,} | error: {r.get('error_message')} |||||||||")
        continue
    g = r.get
    print(f"| {size:,} | {fmt(g('db_MiB'), 1)} | {fmt(g('rss_open_MiB'), 1)} | {fmt(g('raw_scan_growth_MiB'), 1)} | "
          f"{fmt(g('verify_peak_MiB'), 1)} ({fmt(g('verify_growth_MiB'), 1)}) | "
          f"{fmt(g('rebuild_peak_MiB'), 1)} ({fmt(g('rebuild_growth_MiB'), 1)}) | {fmt(g('peak_MiB'), 1)} | "
          f"{fmt(g('ev_cache_MiB'), 1)}, {fmt(g('ev_readers_MiB'), 2)}, {fmt(g('ev_sorted_runs'))} | "
          f"{fmt(g('verify_ev_per_s'))} | {fmt(g('rebuild_ev_per_s'))} |")

print("\n### Reads (a new ReadView per call), medians\n")
print("| benchmark | log events | calls/s | mean us | p50 us | p99 us | p99.9 us |")
print("|---|---:|---:|---:|---:|---:|---:|")
for bench in ("BalanceRead", "BeneficiaryBalances"):
    for size in sizes:
        name, r = find(bench, size)
        if r is None or r.get("error_occurred"):
            continue
        mean_us = r["real_time"] * {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}[r["time_unit"]]
        print(f"| {bench} | {size:,} | {fmt(1e6 / mean_us)} | {fmt(mean_us, 1)} | {fmt(r.get('p50_us'), 1)} | "
              f"{fmt(r.get('p99_us'), 1)} | {fmt(r.get('p999_us'), 1)} |")

print("\n### Hashing one typical event payload (CPU ns per call, median)\n")
print("| benchmark | ns (real) | ns (CPU) |")
print("|---|---:|---:|")
for name, r in sorted(runs.items()):
    if name.startswith("Hash/") and not r.get("error_occurred"):
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[r["time_unit"]]
        print(f"| {name.split('/')[1]} | {fmt(r['real_time'] * scale)} | {fmt(r['cpu_time'] * scale)} |")
PY
echo
echo "results: $OUT"
