#!/usr/bin/env bash
# Speed beside MediaPipe's own Python pipeline on the same video, as ratios from one invocation.
#   scripts/bench.sh [VIDEO]
# Machines differ and are often loaded: only ratios measured side by side in one run compare.
# Prints: the landmark model's time per call on one core and on all cores at once, the pose stage's
# share of that limit (cargo bench --bench pose, medians of 3); then the whole `analyze` command
# without and with the annotated video and MediaPipe Python (its venv: OVERSTRIDE_MP_VENV, else
# .venv-mp, made as the README says; skipped when absent) run in turns, three rounds, medians of 3,
# and their ratios; then peak memory on the video looped to 2 minutes (bounded memory).
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-samples/male_side.mp4}"
bash scripts/install_deps.sh
command -v /usr/bin/time >/dev/null || { sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_=sudo; $sudo_ apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q
echo "== model and pose stage (cargo bench --bench pose)"
cargo bench --locked -q --bench pose -- "$video"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
venv="${OVERSTRIDE_MP_VENV:-.venv-mp}"
mp=""
[ -x "$venv/bin/python" ] && mp=1
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$video")
timed() { # label, command... → appends "label wall_s peak_kb" to $tmp/runs
  local label=$1; shift
  /usr/bin/time -f "$label %e %M" -a -o "$tmp/runs" "$@" >/dev/null 2>&1
}
echo "== whole command, $frames frames, three rounds in turns (medians of 3)"
for round in 1 2 3; do
  rm -rf "$tmp/a" "$tmp/b"
  timed novideo target/release/overstride analyze "$video" --out "$tmp/a" --no-video
  timed video target/release/overstride analyze "$video" --out "$tmp/b"
  [ -n "$mp" ] && timed mediapipe "$venv/bin/python" scripts/mediapipe_reference.py "$video" --bench
done
runs() { awk -v l="$1" '$1 == l { printf " %s", $2 }' "$tmp/runs"; }
median() { awk -v l="$1" '$1 == l { print $2 }' "$tmp/runs" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
peak_mb() { awk -v l="$1" '$1 == l && $3 > m { m = $3 } END { printf "%d", m / 1024 }' "$tmp/runs"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
nv=$(median novideo); v=$(median video)
echo "overstride analyze --no-video: ${nv} s wall (runs:$(runs novideo)), peak RSS $(peak_mb novideo) MB"
echo "overstride analyze (annotated video): ${v} s wall (runs:$(runs video)), peak RSS $(peak_mb video) MB"
echo "ratio with video / without: $(ratio "$v" "$nv") (bar: <= 1.6)"
if [ -n "$mp" ]; then
  m=$(median mediapipe)
  echo "MediaPipe Python (mediapipe 0.10.14, model_complexity=1, whole process): ${m} s wall (runs:$(runs mediapipe))"
  echo "ratio overstride --no-video / MediaPipe: $(ratio "$nv" "$m"); with video / MediaPipe: $(ratio "$v" "$m")"
else
  echo "MediaPipe Python: skipped (no venv at $venv; the README says how to make .venv-mp)"
fi

ffmpeg -v error -y -stream_loop 9 -i "$video" -c copy "$tmp/long.mp4"
lframes=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/long.mp4")
/usr/bin/time -f "%e %M" -o "$tmp/t" target/release/overstride analyze "$tmp/long.mp4" --out "$tmp/c" --no-video >/dev/null 2>&1
read -r wall kb < "$tmp/t"
echo "overstride analyze --no-video, video looped x10 ($lframes frames): wall ${wall}s, peak RSS $((kb / 1024)) MB"
