#!/usr/bin/env bash
# Speed beside MediaPipe's own Python pipeline on the same video, as ratios from one invocation.
#   scripts/bench.sh [VIDEO]
# Machines differ and are often loaded: only ratios measured side by side in one run compare.
# Prints: the landmark model's time per call on one core and on all cores at once, the pose stage's
# share of that limit (cargo bench --bench pose, medians of 3); then the whole `analyze` command
# without and with the annotated video and MediaPipe Python (its venv: OVERSTRIDE_MP_VENV, else
# .venv-mp, made as the README says; skipped when absent) run in turns, three rounds, medians of 3,
# and their ratios; then peak memory on the video looped to 2 minutes (bounded memory); then frames/s
# of `analyze --no-video` at 720p (the sample), 1080p and a 4K 60 fps phone-style clip made from it
# (OVERSTRIDE_BENCH_SIZES=0 skips these: the 4K run takes a minute or more).
# The clips, made with ffmpeg in a temporary folder (kept out of git):
#   1080p: ffmpeg -i VIDEO -vf scale=1080:1920 -c:v libx264 -preset veryfast -crf 20 -g 30 -an OUT
#   4K 60: ffmpeg -i VIDEO -vf scale=2160:3840,fps=60 -c:v libx264 -preset veryfast -crf 20 -g 60 -an OUT
# (portrait as a phone films, a keyframe every second as phones write them; fps=60 repeats each
# frame, which the analysis counts and warns about).
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

if [ "${OVERSTRIDE_BENCH_SIZES:-1}" != 0 ]; then
  echo "== frames/s of analyze --no-video by resolution (one run each)"
  ffmpeg -v error -y -i "$video" -vf scale=1080:1920 -c:v libx264 -preset veryfast -crf 20 -g 30 -pix_fmt yuv420p -an "$tmp/1080p.mp4"
  ffmpeg -v error -y -i "$video" -vf scale=2160:3840,fps=60 -c:v libx264 -preset veryfast -crf 20 -g 60 -pix_fmt yuv420p -an "$tmp/4k60.mp4"
  for clip in "$video" "$tmp/1080p.mp4" "$tmp/4k60.mp4"; do
    n=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$clip")
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,r_frame_rate -of csv=p=0 "$clip")
    rm -rf "$tmp/d"
    /usr/bin/time -f "%e %M" -o "$tmp/t" target/release/overstride analyze "$clip" --out "$tmp/d" --no-video >/dev/null 2>&1
    read -r wall kb < "$tmp/t"
    echo "$size ($n frames): ${wall} s wall, $(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.1f", n / w }') frames/s, peak RSS $((kb / 1024)) MB"
  done
fi
