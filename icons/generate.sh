#!/usr/bin/env bash
# Regenerates Comptoir's icons (a person behind a counter) with ImageMagick.
# Tauri needs RGBA PNGs (hence PNG32:) and an .ico for Windows bundles.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 1024x1024 xc:none \
  -fill '#1d4e89' -draw "roundrectangle 64,64 960,960 180,180" \
  -fill '#f2b134' -draw "circle 512,400 512,250" \
  -fill white -draw "roundrectangle 232,600 792,700 30,30" \
  -fill white -draw "roundrectangle 300,700 724,800 20,20" \
  PNG32:master.png
convert master.png -resize 32x32 PNG32:32x32.png
convert master.png -resize 128x128 PNG32:128x128.png
convert master.png -resize 256x256 PNG32:128x128@2x.png
convert master.png -resize 512x512 PNG32:icon.png
convert master.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
rm master.png
