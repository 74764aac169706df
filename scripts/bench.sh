#!/usr/bin/env bash
# Pose-stage benchmark, overstride beside MediaPipe's own Python pipeline on the same video.
#   scripts/bench.sh [VIDEO]
# Prints: landmark-model time and compute limit, overstride frames/s (pose stage alone and the whole
# `analyze` command with and without the annotated video, wall and peak memory), MediaPipe Python's
# frames/s and CPU per frame, and peak memory on the video looped to 2 minutes (bounded memory).
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-samples/male_side.mp4}"
bash scripts/install_deps.sh
command -v /usr/bin/time >/dev/null || { sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_=sudo; $sudo_ apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q
cargo bench --locked -q --bench pose -- "$video"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1
  read -r wall kb < "$tmp/t"
  echo "$label: wall ${wall}s, peak RSS $((kb / 1024)) MB"
}
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$video")
measure "overstride analyze --no-video ($frames frames)" target/release/overstride analyze "$video" --out "$tmp/a" --no-video
measure "overstride analyze with annotated video ($frames frames)" target/release/overstride analyze "$video" --out "$tmp/b"

ffmpeg -v error -y -stream_loop 9 -i "$video" -c copy "$tmp/long.mp4"
lframes=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/long.mp4")
measure "overstride analyze --no-video, video looped x10 ($lframes frames)" target/release/overstride analyze "$tmp/long.mp4" --out "$tmp/c" --no-video

venv="${OVERSTRIDE_MP_VENV:-$HOME/.cache/overstride-mediapipe-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "mediapipe==0.10.14" "numpy<2" "opencv-python-headless==4.10.0.84"
fi
echo "MediaPipe Python (mediapipe 0.10.14, model_complexity=1, same video):"
"$venv/bin/python" scripts/mediapipe_reference.py "$video" --bench 2>/dev/null
