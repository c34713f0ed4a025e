#!/usr/bin/env bash
# Installs everything Frontdesk needs to build, run and test on Debian/Ubuntu.
# Idempotent: packages already present are skipped, so a second run costs ~1 s.
set -euo pipefail

packages=(
  # Tauri v2 build and runtime
  build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev
  # OS keyring (Secret Service over D-Bus)
  libdbus-1-dev libsecret-1-dev gnome-keyring dbus dbus-x11
  # Fonts that cover Chinese as well as Latin text in the window
  fonts-noto-cjk
  # Latin fallback for name characters outside the shipped badge font (e.g. Ł)
  fonts-dejavu-core
  # A real window and WebDriver for end-to-end tests, screenshots
  xvfb xauth webkit2gtk-driver imagemagick
  # Printing through the OS print system and reading printed output back
  cups cups-client printer-driver-cups-pdf poppler-utils
  # The guard web console is tested in a real browser
  chromium
  # The alert hotkey is tested through the X server's keyboard while another window has focus
  xdotool
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "frontdesk: installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "frontdesk: cargo (Rust) is not installed; install it from https://rustup.rs and run again" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "frontdesk: Node.js 20+ with npm is required; install it (e.g. apt-get install nodejs npm) and run again" >&2
  exit 1
fi
