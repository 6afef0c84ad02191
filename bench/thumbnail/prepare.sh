#!/usr/bin/env bash
# Makes the benchmark's input set once: large camera-size JPEGs (about 6000x4000, 24 megapixels) made from the
# real photos in the shared corpora, upscaled with libvips and given per-channel sensor-like noise so that they
# compress like real photos (several MB each) rather than like smooth upscales. Cached in work/input.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPORA="${SLUICE_CORPORA:-$ROOT/../shared/corpora}"
COUNT="${BENCH_COUNT:-24}"
LONG_SIDE="${BENCH_LONG_SIDE:-6000}"
INPUT="$HERE/work/input"
STAMP="$INPUT/.made-$COUNT-$LONG_SIDE-v2"

if [ -f "$STAMP" ]; then
  exit 0
fi
rm -rf "$INPUT"
mkdir -p "$INPUT"
# intermediate images are large (hundreds of MB): keep them in memory when /dev/shm is there
TMP="$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "$HERE/work")/sluice-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Real photos: one landscape and one portrait scene, stored with every EXIF orientation (as phones do).
SOURCES=()
for n in 1 6 3 8 2 5 4 7; do
  SOURCES+=("$CORPORA/exif-orientation/Landscape_$n.jpg" "$CORPORA/exif-orientation/Portrait_$n.jpg")
done

for i in $(seq 1 "$COUNT"); do
  src="${SOURCES[$(( (i - 1) % ${#SOURCES[@]} ))]}"
  out="$INPUT/photo-$(printf '%02d' "$i").jpg"
  w=$(vipsheader -f width "$src")
  h=$(vipsheader -f height "$src")
  long=$(( w > h ? w : h ))
  scale=$(awk -v l="$LONG_SIDE" -v s="$long" 'BEGIN { printf "%.6f", l / s }')
  vips resize "$src" "$TMP/big.v" "$scale"
  bw=$(vipsheader -f width "$TMP/big.v")
  bh=$(vipsheader -f height "$TMP/big.v")
  for band in 0 1 2; do
    vips gaussnoise "$TMP/gauss.v" "$bw" "$bh" --sigma 6 --mean 0 --seed $(( i * 3 + band ))
    vips cast "$TMP/gauss.v" "$TMP/noise$band.v" char
  done
  vips bandjoin "$TMP/noise0.v $TMP/noise1.v $TMP/noise2.v" "$TMP/noise.v"
  vips add "$TMP/big.v" "$TMP/noise.v" "$TMP/sum.v"
  vips cast "$TMP/sum.v" "$TMP/photo.v" uchar
  # quality 92 with 4:2:0 chroma subsampling, like a phone or camera
  vips copy "$TMP/photo.v" "$out[Q=92,subsample-mode=on]"
  echo "made $(basename "$out"): ${bw}x${bh}, $(( $(stat -c %s "$out") / 1024 )) KiB (from $(basename "$src"))" >&2
done
touch "$STAMP"
