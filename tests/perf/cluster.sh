#!/usr/bin/env bash
# Produce and consume throughput of one Runnel cluster of 1, 2 and 3 silos on this machine, side by side in one run.
# Every cluster uses the same membership (an Azurite table) and a shared blob folder, so the only difference
# between the rows is the number of silos the 12 partitions are spread over. See NOTES.md beside this file.
#
#   tests/perf/cluster.sh                 # about 3 minutes on the 2-core machine (plus the build)
#   QUICK=1 tests/perf/cluster.sh         # a fifth of the records, for trying the script
#   ROUNDS=3 tests/perf/cluster.sh        # the three cluster sizes alternated three times; medians in the table
#
# Needs the .NET SDK, kcat and Azurite (./test.sh installs both).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCALE=1
[[ "${QUICK:-0}" == "1" ]] && SCALE=5
N=$((${N:-3000000} / SCALE))          # 100 B records per run
PARTITIONS=${PARTITIONS:-12}
ROUNDS=${ROUNDS:-1}
BATCH=${BATCH:-262144}
WORK=$(mktemp -d /tmp/runnel-cluster.XXXXXX)
PERF="dotnet $ROOT/tests/Runnel.Perf/bin/Release/net10.0/runnel-perf.dll"
AZURITE="$ROOT/tests/interop/azure/node_modules/azurite/dist/src/table/main.js"
PIDS=()

log() { printf '%s\n' "$*" >&2; }

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

cleanup() {
  stop_all
  [[ -n "${TABLE_PID:-}" ]] && { kill "$TABLE_PID" 2>/dev/null || true; wait "$TABLE_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Sets PORT to a port nothing listens on, never one handed out earlier in this run (a stopped silo's port may still
# be in TIME_WAIT or held by Orleans' SO_REUSEPORT socket for a moment). Not a $(...) function: it must remember.
NEXT_PORT=27000
take_port() {
  local p
  for ((p = NEXT_PORT; p < NEXT_PORT + 500; p++)); do
    if ! ss -ltnH | awk '{print $4}' | grep -q ":$p\$"; then PORT=$p; NEXT_PORT=$((p + 1)); return; fi
  done
  log "no free port from $NEXT_PORT"; exit 1
}

# Waits until $2 (a file) has a line matching $3, or the process died, at most 60 s.
wait_for() {
  local i
  for i in $(seq 1 300); do
    grep -q "$3" "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { log "process exited:"; cat "$2" >&2; exit 1; }
    sleep 0.2
  done
  log "not ready after 60 s:"; cat "$2" >&2; exit 1
}

field() { awk -v label="$1" -v key="$2" '$1=="RESULT" { ok=0; for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="label" && kv[2]==label) ok=1; if (ok && kv[1]==key) { print kv[2]; exit } } }'; }

# Silo CPU seconds (user + system) of every running silo, from /proc.
cpu_seconds() {
  local pid total=0 ticks
  for pid in "${PIDS[@]}"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}

log "building (Release)..."
dotnet build "$ROOT/Silo" -c Release -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build "$ROOT/tests/Runnel.Perf" -c Release -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
[[ -f "$AZURITE" ]] || { log "Azurite is missing: (cd tests/interop/azure && npm ci)"; exit 1; }

take_port; TABLE_PORT=$PORT
node "$AZURITE" --tablePort "$TABLE_PORT" --tableHost 127.0.0.1 --skipApiVersionCheck --loose --disableTelemetry --silent \
  --location "$WORK/azurite" > "$WORK/azurite.log" 2>&1 &
TABLE_PID=$!
wait_for "$TABLE_PID" "$WORK/azurite.log" 'successfully started'
TABLES="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

declare -A R   # R[silos.round.p]=produce records/s, .c consume, .pcpu/.ccpu silo CPU seconds

start_cluster() { # silos cluster-id
  local n port http silo gateway boot=""
  for ((n = 0; n < $1; n++)); do
    take_port; port=$PORT; take_port; http=$PORT; take_port; silo=$PORT; take_port; gateway=$PORT
    dotnet "$ROOT/Silo/bin/Release/net10.0/Runnel.Silo.dll" --node-id "$n" --port "$port" --http-port "$http" \
      --silo-port "$silo" --gateway-port "$gateway" --data "$WORK/$2/node$n" --blob-path "$WORK/$2/blobs" \
      --clustering azure-table --clustering-connection-string "$TABLES" --cluster-id "$2" > "$WORK/$2-node$n.log" 2>&1 &
    PIDS+=($!)
    boot="${boot:+$boot,}127.0.0.1:$port"
  done
  for ((n = 0; n < $1; n++)); do wait_for "${PIDS[$n]}" "$WORK/$2-node$n.log" '^ready'; done
  BOOT=$boot
  # Every silo must list all the others before the topic is created, or the partitions spread over fewer.
  local i seen addr
  for addr in ${BOOT//,/ }; do
    for i in $(seq 1 120); do
      seen=$(kcat -L -b "$addr" -m 5 2>/dev/null | sed -n 's/^ *\([0-9]*\) brokers:.*/\1/p')
      [[ "$seen" == "$1" ]] && break
      sleep 0.5
    done
    [[ "$seen" == "$1" ]] || { log "silo $addr lists ${seen:-no} brokers, not $1"; exit 1; }
  done
}

run_size() { # silos round
  local id="c$1-r$2" before
  start_cluster "$1" "$id"
  log "  $1 silo(s), round $2: $BOOT"
  before=$(cpu_seconds)
  $PERF kafka produce --bootstrap "${BOOT%%,*}" --topic bench --partitions "$PARTITIONS" --num-records "$N" --record-size 100 \
    --acks 1 --batch-size "$BATCH" --producers 3 --warmup-records 300000 > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  R[$1.$2.p]=$(field produce rps < "$WORK/out")
  R[$1.$2.pcpu]=$(awk -v a="$(cpu_seconds)" -v b="$before" 'BEGIN { printf "%.1f", a - b }')
  before=$(cpu_seconds)
  $PERF kafka consume --bootstrap "${BOOT%%,*}" --topic bench --num-records "$N" --record-size 100 --consumers 3 --create false \
    > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  R[$1.$2.c]=$(field consume rps < "$WORK/out")
  R[$1.$2.ccpu]=$(awk -v a="$(cpu_seconds)" -v b="$before" 'BEGIN { printf "%.1f", a - b }')
  log "    produce ${R[$1.$2.p]} records/s (silo CPU ${R[$1.$2.pcpu]} s), consume ${R[$1.$2.c]} records/s (silo CPU ${R[$1.$2.ccpu]} s)"
  stop_all
}

for ((round = 1; round <= ROUNDS; round++)); do
  for silos in 1 2 3; do run_size "$silos" "$round"; done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
column() { # silos key
  local values=() r
  for ((r = 1; r <= ROUNDS; r++)); do values+=("${R[$1.$r.$2]}"); done
  median "${values[@]}"
}

echo
echo "Runnel clusters of 1, 2 and 3 silos, $(date -u +%Y-%m-%d), $(nproc) cores (every silo and client on this machine);"
echo "$N records of 100 B over $PARTITIONS partitions, 3 producers (acks=1, batch.size $BATCH), 3 consumers; medians of $ROUNDS round(s)"
echo
echo "| silos | produce records/s | vs 1 silo | silo CPU s | consume records/s | vs 1 silo | silo CPU s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
P1=$(column 1 p); C1=$(column 1 c)
for silos in 1 2 3; do
  p=$(column "$silos" p); c=$(column "$silos" c)
  printf '| %d | %.0f | %s | %s | %.0f | %s | %s |\n' "$silos" "$p" "$(awk -v a="$p" -v b="$P1" 'BEGIN { printf "%.2fx", a / b }')" \
    "$(column "$silos" pcpu)" "$c" "$(awk -v a="$c" -v b="$C1" 'BEGIN { printf "%.2fx", a / b }')" "$(column "$silos" ccpu)"
done
