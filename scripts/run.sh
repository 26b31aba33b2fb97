#!/usr/bin/env bash
# Runs Comptoir on a realistic demo dataset (created on first run).
#
#   scripts/run.sh                 # 20,000 demo customers
#   COMPTOIR_DEMO_CUSTOMERS=1000000 scripts/run.sh
#
# The demo database lives in .demo/ (delete it to start afresh). Without a
# display, the app is started under a virtual one (Xvfb) and a screenshot of
# the window is written to .demo/screenshot.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CUSTOMERS="${COMPTOIR_DEMO_CUSTOMERS:-20000}"
DEMO="$ROOT/.demo"
# Dated: the demo's story (a television bought six days ago, dossiers late
# or due today) is told relative to the day the data was made.
DB="$DEMO/comptoir-$CUSTOMERS-$(date +%Y%m%d).sqlite"

scripts/deps.sh
echo "==> Building the UI and the app"
(cd ui && npm run build --silent)
cargo build --locked -p comptoir --features tauri/custom-protocol -p comptoir-ctl

mkdir -p "$DEMO"
if [[ ! -f "$DB" ]]; then
  echo "==> Creating the demo database ($CUSTOMERS customers, dated today)"
  rm -f "$DEMO"/comptoir-"$CUSTOMERS"*.sqlite* "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
  "$TARGET_DIR/debug/comptoir-ctl" demo-data --customers "$CUSTOMERS" --db "$DB.tmp"
  mv "$DB.tmp" "$DB"
fi

export COMPTOIR_DB="$DB"
echo "==> Starting Comptoir on $DB"
echo "    Try: « helene dupre », « 06 12 34 56 78 », « W10000001 », « SAV-WEB-2026-000001 »"
echo "    Demo managers (PIN): Sophie Roux sophie.r (4826), Marc Petit marc.p (1357)"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  exec "$TARGET_DIR/debug/comptoir"
fi
command -v xvfb-run >/dev/null || scripts/deps.sh --test
echo "    (no display: running under Xvfb; screenshot in $DEMO/screenshot.png every 10 s)"
exec xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$0" & app=$!
  while kill -0 $app 2>/dev/null; do sleep 10; import -window root "$1/screenshot.png" 2>/dev/null || true; done
' "$TARGET_DIR/debug/comptoir" "$DEMO"
