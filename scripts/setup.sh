#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install what overstride needs, build it, analyse the
# sample video into out/male_side/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cargo build --release --locked
target/release/overstride analyze samples/male_side.mp4 --out out/male_side
