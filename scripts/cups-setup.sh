#!/usr/bin/env bash
# Sets up the virtual PDF printer the printing tests use: CUPS with the
# cups-pdf backend and a queue named ComptoirPDF. Idempotent; run as root.
# There is no systemd on the build machines: cupsd is started directly.
#
#   sudo scripts/cups-setup.sh        # then: COMPTOIR_CUPS=1 cargo test -p comptoir-print
#
# Prints the folder where cups-pdf writes the PDFs (last line: CUPS_PDF_DIR=...).
set -euo pipefail
QUEUE="${COMPTOIR_CUPS_QUEUE:-ComptoirPDF}"
PPD=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd

if [[ $(id -u) -ne 0 ]]; then
  echo "cups-setup.sh must run as root (it installs packages and configures CUPS)." >&2
  exit 1
fi

missing=()
for p in cups cups-client printer-driver-cups-pdf; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

running() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }
if ! running; then
  echo "==> Starting cupsd"
  if ! service cups start >/dev/null 2>&1; then
    mkdir -p /run/cups
    /usr/sbin/cupsd
  fi
  for _ in $(seq 1 50); do running && break; sleep 0.2; done
  running || { echo "cupsd did not start (see /var/log/cups/error_log)" >&2; exit 1; }
fi

if ! lpstat -p "$QUEUE" >/dev/null 2>&1; then
  echo "==> Creating queue $QUEUE (cups-pdf)"
  lpadmin -p "$QUEUE" -E -v cups-pdf:/ -P "$PPD" -D "Comptoir virtual PDF printer" 2>&1 |
    grep -v "drivers are deprecated" || true
fi
cupsenable "$QUEUE"
cupsaccept "$QUEUE"

# cups-pdf writes to "Out" of /etc/cups/cups-pdf.conf, ${HOME} being the
# home of the user who submitted the job (root here).
out="$(awk '$1 == "Out" { print $2 }' /etc/cups/cups-pdf.conf | tail -n1)"
[[ -n "$out" ]] || out='${HOME}/PDF'
home="$(getent passwd "${SUDO_USER:-root}" | cut -d: -f6)"
dir="$(printf '%s' "$out" | sed "s#\${HOME}#$home#")"
mkdir -p "$dir"
echo "Queue $QUEUE ready; cups-pdf writes PDFs to $dir"
echo "CUPS_PDF_DIR=$dir"
