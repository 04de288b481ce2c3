#!/usr/bin/env bash
# Draws the Doppelwatch icon (two overlapping faces: the person and the copy) as 8-bit RGBA PNGs
# in every size Tauri's bundler and the tray need. Needs ImageMagick (`convert`).
set -euo pipefail
cd "$(dirname "$0")"
out=../src-tauri/icons
mkdir -p "$out"
convert -size 512x512 xc:none \
  -fill '#1f3a5f' -draw 'roundrectangle 16,16 496,496 96,96' \
  -fill '#f2f5f9' -draw 'circle 200,256 200,128' \
  -fill '#f2a93b' -stroke '#1f3a5f' -strokewidth 18 -draw 'circle 312,256 312,128' \
  -define png:color-type=6 -depth 8 "PNG32:$out/icon.png"
for s in 32 128 256; do
  convert "$out/icon.png" -resize ${s}x${s} -define png:color-type=6 -depth 8 "PNG32:$out/${s}x${s}.png"
done
cp "$out/256x256.png" "$out/128x128@2x.png"
rm -f "$out/256x256.png"
cp "$out/32x32.png" "$out/tray.png"
