#!/usr/bin/env bash
# Builds and starts Frontdesk on the built-in demo site. On a fresh Debian/Ubuntu machine it
# first installs what is missing (system packages, npm packages). Extra arguments go to the
# app, e.g. `scripts/run.sh --kiosk` for full-screen kiosk mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/install-deps.sh
[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund --loglevel=error
npm --prefix ui run --silent build
cargo build -p frontdesk-app --quiet

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "frontdesk: no display found (DISPLAY/WAYLAND_DISPLAY unset); run this from a desktop session" >&2
  exit 1
fi
exec target/debug/frontdesk "$@"
