#!/usr/bin/env bash
# End-to-end tests of the real Comptoir window, driven through WebDriver.
#
#   scripts/e2e.sh
#
# Builds the UI and the self-contained app (custom-protocol), generates a
# demo database, starts tauri-driver under a virtual display and runs the
# `#[ignore]`d tests of tests/e2e. Idempotent; exits non-zero if a test fails.
# Needs the Debian packages of the build and of the tests (libwebkit2gtk-4.1-dev,
# webkit2gtk-driver, xvfb, xauth…); installs tauri-driver if it is missing.
#
# Environment:
#   CARGO_TARGET_DIR          honoured (the app is taken from it)
#   COMPTOIR_E2E_DIR          work directory (default: artifacts/e2e): database, logs, screenshots, tickets
#   COMPTOIR_E2E_CUSTOMERS    demo customers to generate (default: 2000)
#   COMPTOIR_E2E_ONLY="A B"   run only tests/e2e/tests/A.rs then B.rs, in that order
#   COMPTOIR_E2E_PREBUILT=1   the UI and the workspace are already built with
#                             COMPTOIR_CARGO_ARGS (scripts/test.sh does it):
#                             reuse those binaries, build nothing
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="${COMPTOIR_E2E_DIR:-$ROOT/artifacts/e2e}"
CUSTOMERS="${COMPTOIR_E2E_CUSTOMERS:-2000}"
DRIVER_PORT=4444
# The cargo selection and features every build here uses, so that nothing is
# built twice with another feature set (see scripts/test.sh).
CARGO_ARGS="${COMPTOIR_CARGO_ARGS:---workspace --locked --features comptoir/custom-protocol}"
export COMPTOIR_DB="$WORK/e2e.sqlite"
export COMPTOIR_APP="$TARGET_DIR/debug/comptoir"
export COMPTOIR_WEBDRIVER="http://127.0.0.1:$DRIVER_PORT"
export COMPTOIR_E2E_SHOTS="$WORK/shots"
# Tickets printed by the app are saved here (no printer is set in the tests).
export COMPTOIR_TICKETS_DIR="$WORK/tickets"

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }

# --- Second stage: inside the virtual display (see the end of this file). ---
if [[ "${1:-}" == "--inside-display" ]]; then
  driver_pid=""
  stop_driver() {
    if [[ -n "$driver_pid" ]] && kill -0 "$driver_pid" 2>/dev/null; then
      # SIGTERM, never SIGKILL: tauri-driver then stops WebKitWebDriver too.
      kill -TERM "$driver_pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$driver_pid" 2>/dev/null || break; sleep 0.1; done
    fi
  }
  trap stop_driver EXIT

  step "Starting tauri-driver on port $DRIVER_PORT (display $DISPLAY)"
  tauri-driver --port "$DRIVER_PORT" >"$WORK/tauri-driver.log" 2>&1 &
  driver_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$COMPTOIR_WEBDRIVER/status" >/dev/null 2>&1 && break
    kill -0 "$driver_pid" 2>/dev/null || { cat "$WORK/tauri-driver.log" >&2; die "tauri-driver exited"; }
    sleep 0.1
  done
  curl -fsS "$COMPTOIR_WEBDRIVER/status" >/dev/null 2>&1 || die "tauri-driver did not answer"

  step "Running the end-to-end tests"
  set +e
  status=0
  if [[ -n "${COMPTOIR_E2E_ONLY:-}" ]]; then
    # The files named, in the order named.
    for name in $COMPTOIR_E2E_ONLY; do
      grep -E "/$name-[0-9a-f]+\$" "$WORK/e2e-tests.txt" || die "no e2e test file $name"
    done > "$WORK/e2e-selected.txt"
  else
    cp "$WORK/e2e-tests.txt" "$WORK/e2e-selected.txt"
  fi
  while read -r exe; do
    printf '\n--- %s\n' "$(basename "$exe")"
    "$exe" --ignored --test-threads=1 || status=$?
  done < "$WORK/e2e-selected.txt"
  set -e
  stop_driver
  exit "$status"
fi

# --- First stage: prepare everything. ---
mkdir -p "$WORK"

if ! command -v tauri-driver >/dev/null 2>&1; then
  step "Installing tauri-driver"
  timeout -k 10 900 cargo install tauri-driver --locked
fi
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver missing: apt-get install webkit2gtk-driver"
command -v xvfb-run >/dev/null 2>&1 || die "xvfb-run missing: apt-get install xvfb xauth"
if curl -fsS "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1; then
  die "port $DRIVER_PORT is already taken (a tauri-driver left running?)"
fi

if [[ "${COMPTOIR_E2E_PREBUILT:-}" != 1 ]]; then
  step "Building the UI"
  (
    cd ui
    [[ -d node_modules ]] || timeout -k 10 600 npm ci --no-audit --no-fund
    timeout -k 10 600 npm run build
  )
  step "Building the app (custom-protocol: self-contained, no dev server), the tools and the tests"
  # shellcheck disable=SC2086
  timeout -k 10 1800 cargo build $CARGO_ARGS --all-targets
fi
[[ -x "$COMPTOIR_APP" ]] || die "app binary not found at $COMPTOIR_APP"
[[ -x "$TARGET_DIR/debug/comptoir-ctl" ]] || die "comptoir-ctl not found in $TARGET_DIR/debug"

# The e2e test executables of that same build (cargo builds nothing here).
# shellcheck disable=SC2086
cargo test $CARGO_ARGS --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") \
            and "/tests/e2e/tests/" in m["target"]["src_path"]:
        print(m["executable"])
' > "$WORK/e2e-tests.txt"
[[ -s "$WORK/e2e-tests.txt" ]] || die "no end-to-end test executable found"

step "Generating a demo database ($CUSTOMERS customers)"
rm -f "$COMPTOIR_DB" "$COMPTOIR_DB-wal" "$COMPTOIR_DB-shm"
timeout -k 10 900 "$TARGET_DIR/debug/comptoir-ctl" demo-data --customers "$CUSTOMERS" --db "$COMPTOIR_DB"

rm -rf "$COMPTOIR_E2E_SHOTS" "$COMPTOIR_TICKETS_DIR"
set +e
timeout -k 20 900 xvfb-run -a -s "-screen 0 1280x800x24" bash "$ROOT/scripts/e2e.sh" --inside-display
status=$?
set -e
echo "e2e: screenshots in $COMPTOIR_E2E_SHOTS, logs in $WORK"
exit "$status"
