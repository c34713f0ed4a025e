#!/usr/bin/env bash
# Starts the CUPS scheduler if it is not running and adds a PDF print queue (cups-pdf), so
# tests print real jobs through the OS print system on a machine with no printer and no
# display. Idempotent: a second run changes nothing. Jobs printed to the queue land as PDF
# files in the submitting user's ~/PDF/ (root: /root/PDF/).
#   scripts/cups-pdf-queue.sh [QUEUE]   (default queue name: PDF)
set -euo pipefail
queue="${1:-PDF}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

for tool in /usr/sbin/cupsd lpadmin lpstat; do
  command -v "$tool" >/dev/null || { echo "frontdesk: $tool missing; run scripts/install-deps.sh" >&2; exit 1; }
done

running() { lpstat -r 2>/dev/null | grep -q "is running"; }
if ! running; then
  # No systemd on CI machines: start the scheduler directly (it daemonises itself).
  $sudo /usr/sbin/cupsd
  for _ in $(seq 1 100); do running && break; sleep 0.1; done
  running || { echo "frontdesk: cupsd did not start" >&2; exit 1; }
fi

if ! lpstat -p "$queue" >/dev/null 2>&1; then
  $sudo lpadmin -p "$queue" -v cups-pdf:/ -E -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd
fi
# Convert PDF to PostScript for cups-pdf with poppler's cairo backend: the default (Ghostscript)
# turns CJK CID fonts into Type 3 glyphs without a text mapping, so the printed PDF would look
# right but no longer contain the visitor's name as text.
$sudo lpadmin -p "$queue" -o pdftops-renderer-default=pdftocairo
# A queue left stopped or rejecting (e.g. by hand) is reset.
$sudo cupsenable "$queue"
$sudo cupsaccept "$queue"
lpstat -p "$queue"
