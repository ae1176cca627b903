#!/usr/bin/env bash
# Runnel's one test command: installs the external Kafka clients the interop tests drive (only what is
# missing), builds the solution in Release, runs every test project and prints one summary line
#   tests: N passed, N failed
# computed from the TRX result files. Exits non-zero if the build or any test failed.
#
# Meant for a fresh Debian 12 machine running as root (CI runs it through .ci/run with CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '[test.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -E "$@"; else
    log "need root to run: $*"; return 1; fi
}

# --- 1. Debian packages: kcat and the Python clients with their codecs (run with /usr/bin/python3) ----------
APT_PACKAGES=(kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard)
need_apt=0
command -v kcat >/dev/null 2>&1 || need_apt=1
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import kafka, confluent_kafka, snappy, lz4.frame, zstandard' >/dev/null 2>&1; then
  need_apt=1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  # The machine image ships Node 20; Debian's nodejs is only the fallback.
  APT_PACKAGES+=(nodejs npm)
  need_apt=1
fi
if [ "$need_apt" -eq 1 ]; then
  log "installing ${APT_PACKAGES[*]}"
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
fi

# --- 2. npm packages: the Node Kafka clients (kafkajs 2.2.4, @platformatic/kafka 1.35.x, kafkajs codecs) and
# Azurite with the official @azure/storage-blob SDK. Each folder's package-lock.json makes the install
# reproducible; a stamp with the lock's hash avoids reinstalling when nothing changed.
for NODE_DIR in "$ROOT/tests/interop/node" "$ROOT/tests/interop/azure"; do
  lock_hash="$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)"
  stamp="$NODE_DIR/node_modules/.runnel-installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    log "installing npm packages in ${NODE_DIR#"$ROOT"/}"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund)
    echo "$lock_hash" >"$stamp"
  fi
done

# --- 3. Build -------------------------------------------------------------------------------------------
log "dotnet build Runnel.slnx -c Release"
if ! dotnet build Runnel.slnx -c Release -nologo; then
  log "build failed"
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

# --- 4. Test --------------------------------------------------------------------------------------------
RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
log "dotnet test Runnel.slnx -c Release --no-build"
test_status=0
# A test that hangs for 15 minutes is killed (and reported) instead of eating the CI budget.
dotnet test Runnel.slnx -c Release --no-build --logger trx --results-directory "$RESULTS" \
  --blame-hang-timeout 15m --blame-hang-dump-type none || test_status=$?

# --- 5. Summary from the TRX files (dotnet test's own summary is not counted) -----------------------------
read -r passed failed trx_count < <(
  /usr/bin/python3 - "$RESULTS" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
passed = failed = files = 0
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    counters = ET.parse(path).getroot().find(f"{ns}ResultSummary/{ns}Counters")
    if counters is None:
        continue
    files += 1
    get = lambda name: int(counters.get(name, "0"))
    passed += get("passed")
    failed += get("failed") + get("error") + get("timeout") + get("aborted")
print(passed, failed, files)
PY
)

passed="${passed:-0}" failed="${failed:-0}" trx_count="${trx_count:-0}"
echo "tests: ${passed} passed, ${failed} failed"
if [ "$failed" -ne 0 ]; then
  exit 1
fi
if [ "$test_status" -ne 0 ]; then
  log "dotnet test exited with $test_status although no failed test was recorded (${trx_count} TRX files): a test host crashed or a project did not run"
  exit "$test_status"
fi
if [ "$passed" -eq 0 ]; then
  log "no test ran"
  exit 1
fi
