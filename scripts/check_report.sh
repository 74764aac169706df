#!/usr/bin/env bash
# Renders a report.html in headless Chromium: saves a screenshot (PNG, full page) and a print to
# PDF (A4), and fails on a console error, an image that did not load, or anything fetched from the
# network.   scripts/check_report.sh OUT_DIR/report.html [screenshot.png]
set -euo pipefail
html=$(realpath "$1")
shot=${2:-${html%.html}.png}
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "check_report: chromium not found (apt-get install chromium)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars)
# a self-contained page: no http(s) resource at all
if grep -Eo "(src|href)=['\"]?https?://" "$html" >/dev/null; then
  echo "check_report: $html loads something from the network" >&2; exit 1
fi
"$chrome" "${flags[@]}" --enable-logging=stderr --v=0 --window-size=1100,6000 --screenshot="$shot" "file://$html" 2>"$tmp/log" >/dev/null || true
"$chrome" "${flags[@]}" --print-to-pdf="${shot%.png}.pdf" --no-pdf-header-footer "file://$html" 2>/dev/null >/dev/null || true
# images: every <img> must have decoded (naturalWidth > 0) — ask the page itself
cat > "$tmp/probe.html" <<HTML
<!doctype html><meta charset=utf-8><iframe id=f src="file://$html" style="width:1100px;height:800px"></iframe>
<script>
document.getElementById('f').onload=function(){var d=this.contentDocument;var imgs=[].slice.call(d.images);
var bad=imgs.filter(function(i){return !(i.complete&&i.naturalWidth>0)}).length;
document.title='IMAGES '+imgs.length+' BROKEN '+bad;};
</script>
HTML
"$chrome" "${flags[@]}" --allow-file-access-from-files --virtual-time-budget=5000 --dump-dom "file://$tmp/probe.html" 2>/dev/null > "$tmp/dom" || true
images=$(grep -o "IMAGES [0-9]* BROKEN [0-9]*" "$tmp/dom" || echo "IMAGES ? BROKEN ?")
echo "check_report: $images; screenshot $shot"
if grep -E "CONSOLE|Uncaught" "$tmp/log" | grep -Ev "DevTools|GPU|dbus" >/dev/null; then
  echo "check_report: console errors:" >&2; grep -E "CONSOLE|Uncaught" "$tmp/log" >&2; exit 1
fi
[ -s "$shot" ] || { echo "check_report: no screenshot was written" >&2; exit 1; }
case "$images" in
  *"BROKEN 0") ;;
  *) echo "check_report: images did not load ($images)" >&2; exit 1 ;;
esac
