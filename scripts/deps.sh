#!/usr/bin/env bash
# Installs what Comptoir needs on a fresh Debian 12 machine, and only what is
# missing: Debian packages (build, and with --test the test tools), the
# front end's npm packages, and tauri-driver (with --test).
#
#   scripts/deps.sh          # to build and run the app
#   scripts/deps.sh --test   # also what the tests need
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

build_pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config)
test_pkgs=(xvfb xauth webkit2gtk-driver imagemagick poppler-utils zbar-tools
  fonts-dejavu-core xdotool cups cups-client printer-driver-cups-pdf
  postgresql openssl)

want=("${build_pkgs[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")
command -v node >/dev/null 2>&1 || want+=(nodejs npm)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -d "$ROOT/ui/node_modules" || "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]]; then
  echo "==> Installing the UI's npm packages"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [[ "${1:-}" == "--test" ]] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> Installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
