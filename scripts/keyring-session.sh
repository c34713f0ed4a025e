#!/usr/bin/env bash
# Runs a command inside a private D-Bus session bus with a fresh, unlocked GNOME Keyring
# (the Secret Service the app keeps its keys in). Used by the tests and by CI, which have no
# desktop session; a desktop user already has both.
set -euo pipefail
keyring_home=$(mktemp -d -t frontdesk-keyring.XXXXXX)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
dbus-run-session -- bash -c '
  # A fresh keyring folder gets a new login collection unlocked with this password.
  printf frontdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"
' frontdesk-keyring "$@"
