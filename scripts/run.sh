#!/usr/bin/env bash
# Runs Comptoir as a store would: the release build of the app, on a
# realistic demo dataset, synced with a local central server.
#
#   scripts/run.sh                 # 20,000 demo customers
#   COMPTOIR_DEMO_CUSTOMERS=1000000 scripts/run.sh
#
# What it starts (all in .demo/, dated: delete it to start afresh):
#   - a central server (comptoir-server, embedded SQLite) on
#     http://127.0.0.1:8787 holding the demo chain (`comptoir-server
#     demo-data`: stores, catalogue, customers, orders of every channel,
#     dossiers of every store and online) and the web orders of the sample
#     Shopify and WooCommerce exports;
#   - the counter of the LYO1 store, set up without customers, enrolled with
#     that server by a one-time code, which receives the chain by bootstrap
#     (the real path: a streamed, compressed, resumable first load) and then
#     keeps syncing in the background (top bar: « en ligne », « hors ligne »…).
# Without a display, the app is started under a virtual one (Xvfb) and a
# screenshot of the window is written to .demo/screenshot.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release"
CUSTOMERS="${COMPTOIR_DEMO_CUSTOMERS:-20000}"
PORT="${COMPTOIR_DEMO_PORT:-8787}"
URL="http://127.0.0.1:$PORT"
DEMO="$ROOT/.demo"
# Dated: the demo's story (a television bought six days ago, dossiers late
# or due today) is told relative to the day the data was made; the counter
# goes with the server's data.
DAY="$(date +%Y%m%d)"
DB="$DEMO/comptoir-$CUSTOMERS-$DAY.sqlite"
SERVER_DATA="$DEMO/server-$CUSTOMERS-$DAY"

scripts/deps.sh
echo "==> Building the UI and the release build of the app, comptoir-ctl and comptoir-server"
(cd ui && npm run build --silent)
cargo build --release --locked -p comptoir --features tauri/custom-protocol -p comptoir-ctl -p comptoir-server

mkdir -p "$DEMO"
if [[ ! -f "$SERVER_DATA/comptoir-server.sqlite" ]]; then
  echo "==> Creating the central server's data: the demo chain ($CUSTOMERS customers, dated today), the sample web orders"
  rm -rf "$DEMO"/server-"$CUSTOMERS"-* "$DEMO"/comptoir-"$CUSTOMERS"*.sqlite* "$DEMO"/comptoir-"$CUSTOMERS"*.device-token
  mkdir -p "$SERVER_DATA.tmp"
  S=("$BIN/comptoir-server")
  "${S[@]}" demo-data --customers "$CUSTOMERS" --data "$SERVER_DATA.tmp" >/dev/null
  "${S[@]}" import shopify-csv crates/server/tests/fixtures/shopify-orders.csv --data "$SERVER_DATA.tmp" >/dev/null
  "${S[@]}" import woocommerce-json crates/server/tests/fixtures/woocommerce-orders.json --data "$SERVER_DATA.tmp" >/dev/null
  rm -rf "$SERVER_DATA"
  mv "$SERVER_DATA.tmp" "$SERVER_DATA"
fi

echo "==> Starting the central server on $URL (log: $DEMO/server.log)"
"$BIN/comptoir-server" serve --data "$SERVER_DATA" --listen "127.0.0.1:$PORT" >"$DEMO/server.log" 2>&1 &
server_pid=$!
stop_server() { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 100); do
  curl -fsS "$URL/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$DEMO/server.log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.1
done

if [[ ! -f "$DB" ]]; then
  echo "==> Setting up the counter of the LYO1 store (stores, catalogue, policy, users; no customers yet)"
  rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
  "$BIN/comptoir-ctl" demo-data --counter-only --db "$DB.tmp" >/dev/null
  mv "$DB.tmp" "$DB"
fi
if ! "$BIN/comptoir-ctl" sync status --db "$DB" | grep -q '"enrolled": true'; then
  echo "==> Enrolling the counter (store LYO1) with a one-time code"
  code="$("$BIN/comptoir-server" device enrol --store LYO1 --data "$SERVER_DATA" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["code"])')"
  "$BIN/comptoir-ctl" sync enrol --db "$DB" --server "$URL" --code "$code" --name "Comptoir démo" >/dev/null
fi
echo "==> Bootstrap: the counter receives the chain's customers, orders and dossiers from the server"
"$BIN/comptoir-ctl" sync once --db "$DB" >/dev/null

export COMPTOIR_DB="$DB"
echo "==> Starting Comptoir on $DB"
echo "    Try: « helene dupre », « 06 12 34 56 78 », « W10000001 », « SAV-WEB-2026-000001 », « #1002 »"
echo "    Demo managers (PIN): Sophie Roux sophie.r (4826), Marc Petit marc.p (1357)"
echo "    A web order during the demo: $BIN/comptoir-server import shopify-csv FILE --data $SERVER_DATA"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  "$BIN/comptoir"
  exit $?
fi
command -v xvfb-run >/dev/null || scripts/deps.sh --test
echo "    (no display: running under Xvfb; screenshot in $DEMO/screenshot.png every 10 s)"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$0" & app=$!
  trap "kill -TERM $app 2>/dev/null" TERM INT
  while kill -0 $app 2>/dev/null; do sleep 10; import -window root "$1/screenshot.png" 2>/dev/null || true; done
' "$BIN/comptoir" "$DEMO"
