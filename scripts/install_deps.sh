#!/usr/bin/env bash
# Installs what overstride needs on Debian 12, idempotently:
#  - Debian packages: OpenCV 4.6 (decode/encode video), clang (the opencv crate's binding generator)
#  - the ONNX Runtime shared library, taken from the PyPI `onnxruntime` wheel (pinned version and
#    sha256), into third_party/onnxruntime/. Nothing is downloaded from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.31.1
ORT_WHEEL=onnxruntime-${ORT_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
ORT_LIB_MEMBER=onnxruntime/capi/libonnxruntime.so.${ORT_VERSION}
ORT_LIB_SHA256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
ORT_DIR=third_party/onnxruntime

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PKGS="libopencv-dev clang libclang-dev pkg-config python3-pip unzip ffmpeg"
missing=""
for p in $APT_PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
# python3-pip is only needed when no pip is on PATH
if python3 -m pip --version >/dev/null 2>&1; then missing="${missing/ python3-pip/}"; fi
if [ -n "${missing// /}" ]; then
  echo "overstride setup: installing Debian packages:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "overstride setup: cargo not found; install Rust (rustup or Debian's cargo, rustc >= 1.85) first" >&2
  exit 1
fi

lib="$ORT_DIR/libonnxruntime.so"
if [ -f "$lib" ] && echo "$ORT_LIB_SHA256  $lib" | sha256sum -c --quiet - 2>/dev/null; then
  exit 0
fi
echo "overstride setup: fetching ONNX Runtime $ORT_VERSION from PyPI" >&2
cache="${XDG_CACHE_HOME:-$HOME/.cache}/overstride-wheels"
mkdir -p "$cache" "$ORT_DIR"
if [ ! -f "$cache/$ORT_WHEEL" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_28_x86_64 -d "$cache" "onnxruntime==$ORT_VERSION"
fi
echo "$ORT_WHEEL_SHA256  $cache/$ORT_WHEEL" | sha256sum -c --quiet - || {
  echo "overstride setup: $cache/$ORT_WHEEL has the wrong sha256; delete it and rerun" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unzip -q -o "$cache/$ORT_WHEEL" "$ORT_LIB_MEMBER" onnxruntime/LICENSE onnxruntime/ThirdPartyNotices.txt -d "$tmp"
echo "$ORT_LIB_SHA256  $tmp/$ORT_LIB_MEMBER" | sha256sum -c --quiet -
cp "$tmp/onnxruntime/LICENSE" "$tmp/onnxruntime/ThirdPartyNotices.txt" "$ORT_DIR/"
mv "$tmp/$ORT_LIB_MEMBER" "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "overstride setup: ONNX Runtime $ORT_VERSION installed at $lib" >&2
