#!/usr/bin/env bash
# Frontdesk's whole test suite, exactly as CI runs it (.ci/run calls this).
# On a fresh Debian/Ubuntu machine it first installs what is missing (system packages,
# npm packages, tauri-driver), then checks formatting, lints, types, and runs every test:
# Rust unit/property/integration tests, Tauri command tests on the mock runtime, UI unit
# tests, and end-to-end tests of the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A test run builds from scratch: incremental caches only cost disk (gigabytes) and time here.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

started=$(date +%s)
step() { printf '\n==> %s  [%ss]\n' "$1" "$(($(date +%s) - started))"; }

step "system packages"
scripts/install-deps.sh

step "npm packages"
npm ci --prefix ui --no-audit --no-fund --loglevel=error
npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error

step "tauri-driver"
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet

step "formatting"
cargo fmt --all --check

step "UI type check"
npm --prefix ui run --silent check

step "UI unit tests"
npm --prefix ui test --silent

step "UI build (embedded into the app)"
npm --prefix ui run --silent build

step "clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "CUPS with a PDF queue (real OS printing in the tests)"
scripts/cups-pdf-queue.sh PDF

step "Rust tests (real OS keyring in a private session)"
scripts/keyring-session.sh cargo test --workspace --quiet

step "desktop app and site hub (debug builds)"
cargo build -p frontdesk-app -p frontdesk-hub --quiet

step "end-to-end tests in a real window"
xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh npm --prefix tests/e2e test

step "all tests passed"
