#!/usr/bin/env bash
# Runs the whole test suite (unit, end-to-end on the sample video, error paths). Installs what the
# tests need first (idempotent), so it works on a fresh clone too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
# the report is checked in a real browser (headless Chromium, Debian's package)
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "overstride tests: installing chromium for the report check" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# habits: formatted, and no clippy warnings anywhere (library, binary, tests, benches)
cargo fmt --check || { echo "overstride tests: code not formatted: run cargo fmt" >&2; exit 1; }
cargo clippy --release --locked --all-targets --features external-tests -- -D warnings
# every test, those that need the model, ffmpeg or the browser included (plain `cargo test` runs
# only the pure ones: see Cargo.toml's external-tests feature)
cargo test --release --locked --features external-tests "$@"
