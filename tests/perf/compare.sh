#!/usr/bin/env bash
# Runnel against Redis Streams and NATS JetStream on this machine, everything on 127.0.0.1, side by side in one run.
# Prints one table of records/s (and MB/s) per system and the ratios Runnel/peer. See NOTES.md beside this file.
#
#   tests/perf/compare.sh                 # full run, about 1.5 minutes on the 2-core machine (under 10 with builds)
#   QUICK=1 tests/perf/compare.sh         # a fifth of the records, for trying the script
#
# Needs the .NET SDK, and Debian's redis-server, redis-tools (redis-benchmark) and nats-server
# (apt-get install redis-server redis-tools nats-server); a peer that is not installed is skipped.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCALE=1
[[ "${QUICK:-0}" == "1" ]] && SCALE=5
N100=$((${N100:-3000000} / SCALE))     # 100 B records per Runnel/Redis run
N1K=$((${N1K:-1000000} / SCALE))       # 1 KiB records per run
NNATS=$((${NNATS:-500000} / SCALE))    # NATS is ~10x slower; fewer records keep the run short
BATCH=${BATCH:-262144}                 # Runnel producer batch.size (bytes)
WORK=$(mktemp -d /tmp/runnel-compare.XXXXXX)
PERF="dotnet $ROOT/tests/Runnel.Perf/bin/Release/net10.0/runnel-perf.dll"
SERVER_PID=""

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log() { printf '%s\n' "$*" >&2; }

# A port nothing listens on, from a range of 200.
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! ss -ltnH | awk '{print $4}' | grep -q ":$p\$"; then echo "$p"; return; fi
  done
  log "no free port near $1"; exit 1
}

# Waits until $2 (a file) has a line matching $3, or the server died, at most 30 s.
wait_for() {
  local i
  for i in $(seq 1 150); do
    grep -q "$3" "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { log "server exited:"; cat "$2" >&2; exit 1; }
    sleep 0.2
  done
  log "server not ready after 30 s:"; cat "$2" >&2; exit 1
}

# RESULT lines of runnel-perf -> the value of key $2 in the line labelled $1.
field() { awk -v label="$1" -v key="$2" '$1=="RESULT" { ok=0; for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="label" && kv[2]==label) ok=1; if (ok && kv[1]==key) { print kv[2]; exit } } }'; }

declare -A R   # results: R[name]=records/s, R[name.mb]=MB/s, R[name.lat]=latency text

record() { # name label file [latency]
  R[$1]=$(field "$2" rps < "$3"); R[$1.mb]=$(field "$2" mbps < "$3")
  if [[ "${4:-}" == "lat" ]]; then
    R[$1.lat]="p50 $(field "$2" p50 < "$3") / p99 $(field "$2" p99 < "$3") / p99.9 $(field "$2" p999 < "$3") ms"
  fi
  log "  $1: ${R[$1]} records/s (${R[$1.mb]} MB/s) ${R[$1.lat]:-}"
}

log "building (Release)..."
dotnet build "$ROOT/Silo" -c Release -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build "$ROOT/tests/Runnel.Perf" -c Release -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }

# ---------------------------------------------------------------- Runnel
start_runnel() { # flush-interval-ms
  local port http silo
  port=$(free_port 29092); http=$(free_port 29644); silo=$(free_port 21111)
  dotnet "$ROOT/Silo/bin/Release/net10.0/Runnel.Silo.dll" --port "$port" --http-port "$http" --silo-port "$silo" --gateway-port 0 \
    --data "$WORK/runnel-$port" --flush-interval-ms "$1" > "$WORK/silo.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$SERVER_PID" "$WORK/silo.log" '^ready'
  BOOT=127.0.0.1:$port
}

kperf() { $PERF kafka "$@" --bootstrap "$BOOT" > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }; cat "$WORK/out" >> "$WORK/all.log"; }

log "Runnel (one silo, Release, default flush policy: write(2) before the ack, fsync every 1 s)"
start_runnel 1000
kperf produce --topic p100 --num-records "$N100" --record-size 100 --acks 1 --batch-size "$BATCH" --warmup-records 500000
record runnel.p100 produce "$WORK/out" lat
kperf consume --topic p100 --num-records "$N100" --record-size 100 --create false
record runnel.c100 consume "$WORK/out"
kperf produce --topic p1k --num-records "$N1K" --record-size 1024 --acks 1 --batch-size "$BATCH"
record runnel.p1k produce "$WORK/out" lat
kperf consume --topic p1k --num-records "$N1K" --record-size 1024 --create false --fetch-size 4194304
record runnel.c1k consume "$WORK/out"
kperf produce --topic a1k --num-records "$N1K" --record-size 1024 --acks -1 --batch-size "$BATCH"
record runnel.a1k produce "$WORK/out" lat
# End-to-end latency at half of the maximum 100 B produce rate just measured (the consumer reads while producing).
HALF=$(( ${R[runnel.p100]%.*} / 2 ))
# One second of the same load first, unreported, so neither side measures its own JIT (like kafka-producer-perf-test's
# --warmup-records); the worst latency of each second shows a stall apart from a saturated steady state.
kperf e2e --topic e2e --num-records $((HALF * 10)) --record-size 100 --acks 1 --throughput "$HALF" --batch-size "$BATCH" --linger-ms 1 \
  --warmup-records "$HALF" --timeline true
record runnel.e2e consume "$WORK/out" lat
R[runnel.e2e.worst]=$(sed -n 's/^consume: worst e2e latency of each second, ms: //p' "$WORK/out")
record runnel.e2eack produce "$WORK/out" lat
stop_server

# ---------------------------------------------------------------- Redis Streams
redis_run() { # mode(everysec|always) size count name
  local port
  port=$(free_port 26379)
  mkdir -p "$WORK/redis-$port"
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --dir "$WORK/redis-$port" --daemonize no --save "" \
    --appendonly yes --appendfsync "$1" --auto-aof-rewrite-percentage 0 > "$WORK/redis.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$SERVER_PID" "$WORK/redis.log" 'Ready to accept connections'
  local value
  value=$(head -c "$2" /dev/zero | tr '\0' 'x')
  # redis-benchmark: 50 connections x 64 pipelined XADDs, the fastest producer Redis has (C, hiredis).
  redis-benchmark -h 127.0.0.1 -p "$port" -n "$3" -c 50 -P 64 --csv XADD s '*' f "$value" > "$WORK/rb.csv" 2>/dev/null
  R[$4]=$(awk -F'"' 'NR==2 {print $4}' "$WORK/rb.csv")
  R[$4.mb]=$(awk -v r="${R[$4]}" -v s="$2" 'BEGIN { printf "%.1f", r * s / 1e6 }')
  R[$4.lat]="p50 $(awk -F'"' 'NR==2 {print $10}' "$WORK/rb.csv") / p99 $(awk -F'"' 'NR==2 {print $14}' "$WORK/rb.csv") ms (3,200 in flight)"
  log "  $4: ${R[$4]} records/s (${R[$4.mb]} MB/s) ${R[$4.lat]}"
  if [[ "${5:-}" == "consume" ]]; then
    $PERF redis consume --port "$port" --key s --num-records "$3" --record-size "$2" --count 1000 > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
    record "${4/p/c}" redis-consume "$WORK/out"
  fi
  stop_server
}

if command -v redis-server > /dev/null && command -v redis-benchmark > /dev/null; then
  log "Redis Streams $(redis-server --version | awk '{print $3}')"
  redis_run everysec 100 "$N100" redis.p100 consume
  redis_run everysec 1024 "$N1K" redis.p1k consume
  redis_run always 1024 "$N1K" redis.a1k
else
  log "redis-server or redis-benchmark not installed: Redis skipped (apt-get install redis-server redis-tools)"
fi

# ---------------------------------------------------------------- NATS JetStream
nats_run() { # size count name
  local port
  port=$(free_port 24222)
  nats-server -a 127.0.0.1 -p "$port" -js -sd "$WORK/nats-$port" > "$WORK/nats.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$SERVER_PID" "$WORK/nats.log" 'Server is ready'
  $PERF nats produce --port "$port" --num-records "$2" --record-size "$1" --window 500 > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  record "$3" nats-produce "$WORK/out" lat
  stop_server
}

if command -v nats-server > /dev/null; then
  log "NATS JetStream $(nats-server --version | awk '{print $2}')"
  nats_run 100 "$NNATS" nats.p100
  nats_run 1024 "$NNATS" nats.p1k
else
  log "nats-server not installed: NATS skipped (apt-get install nats-server)"
fi

# ---------------------------------------------------------------- table
ratio() { # a b
  if [[ -n "${1:-}" && -n "${2:-}" ]]; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "" }'; fi
}
cell() { [[ -n "${R[$1]:-}" ]] && printf '%s (%s MB/s)' "$(printf "%'d" "${R[$1]%.*}" 2>/dev/null || echo "${R[$1]}")" "${R[$1.mb]}"; }

echo
echo "Runnel vs peers, $(date -u +%Y-%m-%d), $(nproc) cores, everything on 127.0.0.1; records/s (payload MB/s, 10^6 B)"
echo
echo "| workload | durability at ack | Runnel | Redis Streams | NATS JetStream | Runnel/Redis | Runnel/NATS |"
echo "|---|---|---:|---:|---:|---:|---:|"
echo "| produce 100 B, 1 producer | OS has the write (Runnel acks=1; Redis appendfsync everysec; NATS default) | $(cell runnel.p100) | $(cell redis.p100) | $(cell nats.p100) | $(ratio "${R[runnel.p100]:-}" "${R[redis.p100]:-}") | $(ratio "${R[runnel.p100]:-}" "${R[nats.p100]:-}") |"
echo "| produce 1 KiB, 1 producer | OS has the write | $(cell runnel.p1k) | $(cell redis.p1k) | $(cell nats.p1k) | $(ratio "${R[runnel.p1k]:-}" "${R[redis.p1k]:-}") | $(ratio "${R[runnel.p1k]:-}" "${R[nats.p1k]:-}") |"
echo "| produce 1 KiB, 1 producer | fsync before the ack (Redis appendfsync always) vs Runnel acks=-1 (group-commit fsync)* | $(cell runnel.a1k) | $(cell redis.a1k) | n/a** | $(ratio "${R[runnel.a1k]:-}" "${R[redis.a1k]:-}")* | |"
echo "| consume 100 B, 1 consumer, from memory | | $(cell runnel.c100) | $(cell redis.c100) | | $(ratio "${R[runnel.c100]:-}" "${R[redis.c100]:-}") | |"
echo "| consume 1 KiB, 1 consumer, from memory | | $(cell runnel.c1k) | $(cell redis.c1k) | | $(ratio "${R[runnel.c1k]:-}" "${R[redis.c1k]:-}") | |"
echo
echo "Latency (ms):"
echo "- Runnel produce 100 B at max rate, ack: ${R[runnel.p100.lat]:-}"
echo "- Runnel produce 1 KiB at max rate, ack: ${R[runnel.p1k.lat]:-}; acks=-1: ${R[runnel.a1k.lat]:-}"
echo "- Runnel end to end, 100 B at ${HALF} records/s (half the max), linger 1 ms: ${R[runnel.e2e.lat]:-} (ack: ${R[runnel.e2eack.lat]:-}; achieved ${R[runnel.e2e]:-} records/s)"
echo "  worst end-to-end latency of each second, ms: ${R[runnel.e2e.worst]:-}"
echo "- Redis XADD (redis-benchmark, per request): 100 B everysec ${R[redis.p100.lat]:-}; 1 KiB always ${R[redis.a1k.lat]:-}"
echo "- NATS PubAck: 100 B ${R[nats.p100.lat]:-}; 1 KiB ${R[nats.p1k.lat]:-}"
echo
echo "Settings: Runnel: runnel-perf, 1 partition, batch.size $BATCH, linger 0 (e2e: 1 ms), 5 requests in flight, Produce v7 / Fetch v11,"
echo "  fetch size 1 MiB (1 KiB: 4 MiB); 100 B: $N100 records after a 500,000-record warm-up, 1 KiB: $N1K records."
echo "  Redis: redis-benchmark -c 50 -P 64 XADD (the same $N100 / $N1K records), consume = runnel-perf XRANGE COUNT 1000 scan."
echo "  NATS: runnel-perf JetStream publisher, file storage, R1, 500 PubAcks outstanding, $NNATS records."
echo "*  Runnel acks=-1 is acknowledged after a group-commit fsync of the batch (--acks-all-fsync, the default); Redis"
echo "   appendfsync always fsyncs once per event-loop pass, also a group commit: like for like."
echo "** NATS 2.9.10 (Debian) has no option to fsync before the PubAck (its file store syncs every 60 s)."
