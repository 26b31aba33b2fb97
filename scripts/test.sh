#!/usr/bin/env bash
# Runs every test of Comptoir on a fresh Debian machine (installs what is
# missing first): Rust unit and integration tests on real SQLite files, the
# TypeScript bindings drift check, the UI's unit tests, and the end-to-end
# tests of the real app window (tauri-driver + WebKitWebDriver under Xvfb).
#
#   scripts/test.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "Dependencies"
scripts/deps.sh --test

if [[ -x scripts/cups-setup.sh ]]; then
  step "CUPS with a virtual PDF printer (ComptoirPDF)"
  scripts/cups-setup.sh
  export COMPTOIR_CUPS=1
fi

step "PostgreSQL for the central server's tests"
COMPTOIR_TEST_PG_URL="$(scripts/pg-setup.sh | tail -1)"
export COMPTOIR_TEST_PG_URL
# One build of the whole workspace, with one feature set: the UI is embedded
# in the app (custom-protocol), so the end-to-end tests below reuse the very
# binaries built here instead of building the app a second time.
step "Building the UI (embedded in the app)"
(cd ui && npm run build --silent)
export COMPTOIR_CARGO_ARGS="--workspace --locked --features comptoir/custom-protocol"
step "Rust: building every crate, test and binary once"
# shellcheck disable=SC2086
cargo build $COMPTOIR_CARGO_ARGS --all-targets

step "Rust: unit and integration tests (real SQLite files, real CUPS)"
# shellcheck disable=SC2086
cargo test $COMPTOIR_CARGO_ARGS

step "TypeScript bindings are up to date with the Rust types"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if [[ -n "$(git status --porcelain -- ui/src/bindings)" ]]; then
    git status --porcelain -- ui/src/bindings
    echo "ui/src/bindings differs from the Rust types: run 'cargo test' and commit the bindings." >&2
    exit 1
  fi
  echo "bindings unchanged"
fi

step "UI: type check and unit tests"
(cd ui && npx tsc --noEmit && npm test --silent)

step "End-to-end: the real app window"
COMPTOIR_E2E_PREBUILT=1 scripts/e2e.sh

echo
echo "All tests passed."
