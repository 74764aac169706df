#!/usr/bin/env bash
# Runs the whole test suite (unit, end-to-end on the sample video, error paths). Installs what the
# tests need first (idempotent), so it works on a fresh clone too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cargo test --release --locked "$@"
